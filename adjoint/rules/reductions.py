"""Reductions: sum, mean, max and min with `axis` and `keepdims`."""
import numpy as np

from .core import METHODS, defrule, linear, method, variant

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



def _whole(shapes, constants):
    """A reduction over every axis (axis=None, keepdims=False) of an operand of known rank."""
    return constants.get("axis", 0) is None and constants.get("keepdims") is False and isinstance(shapes.get("a"), tuple)


for total in (np.sum, METHODS["sum"]):
    variant(total, _whole, {"a": "np.broadcast_to(g, np.shape(a))"})
for average in (np.mean, METHODS["mean"]):
    variant(average, _whole, {"a": "np.broadcast_to(g / np.size(a), np.shape(a))"})
