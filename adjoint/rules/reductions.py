"""Reductions: sum, mean, max and min with `axis` and `keepdims`."""
import numpy as np

from .core import defrule, linear, method

linear(np.sum, "a, axis=None, dtype=None, out=None, keepdims=False", "rt.unreduce(g, a, axis, keepdims)")
linear(np.mean, "a, axis=None, dtype=None, out=None, keepdims=False",
       "rt.unreduce(g, a, axis, keepdims) * (np.size(z) / np.size(a))")
for extremum in (np.max, np.min, np.amax, np.amin):
    defrule(extremum, "a, axis=None, out=None, keepdims=False",
            {"a": "rt.extremum_grad(g, a, z, axis, keepdims)"},
            forward={"a": "np.sum(rt.extremum_grad(1.0, a, z, axis, True) * da, axis=axis, keepdims=keepdims)"})
for name_ in ("max", "min"):
    method(name_, "a, axis=None, out=None, keepdims=False", {"a": "rt.extremum_grad(g, a, z, axis, keepdims)"},
           forward={"a": "np.sum(rt.extremum_grad(1.0, a, z, axis, True) * da, axis=axis, keepdims=keepdims)"})
method("sum", "a, axis=None, dtype=None, out=None, keepdims=False",
       {"a": "rt.unreduce(g, a, axis, keepdims)"}, forward={"a": "LINEAR"})
method("mean", "a, axis=None, dtype=None, out=None, keepdims=False",
       {"a": "rt.unreduce(g, a, axis, keepdims) * (np.size(z) / np.size(a))"}, forward={"a": "LINEAR"})
