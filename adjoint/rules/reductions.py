"""Reductions: sum and mean with `axis` and `keepdims`."""
import numpy as np

from .core import linear, method

linear(np.sum, "a, axis=None, dtype=None, out=None, keepdims=False", "rt.unreduce(g, a, axis, keepdims)")
linear(np.mean, "a, axis=None, dtype=None, out=None, keepdims=False",
       "rt.unreduce(g, a, axis, keepdims) * (np.size(z) / np.size(a))")
method("sum", "a, axis=None, dtype=None, out=None, keepdims=False",
       {"a": "rt.unreduce(g, a, axis, keepdims)"}, forward={"a": "LINEAR"})
method("mean", "a, axis=None, dtype=None, out=None, keepdims=False",
       {"a": "rt.unreduce(g, a, axis, keepdims) * (np.size(z) / np.size(a))"}, forward={"a": "LINEAR"})
