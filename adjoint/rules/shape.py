"""Shape functions and attributes, and constructors whose result carries no derivative."""
import builtins
import math

import numpy as np

from .core import attribute, defrule, linear, method, nondifferentiable

linear(np.reshape, "a, newshape=None, order='C'", "np.reshape(g, np.shape(a))")
linear(np.transpose, "a, axes=None", "rt.untranspose(g, axes)")
linear(np.ravel, "a, order='C'", "np.reshape(g, np.shape(a))")
method("reshape", "a, *shape", {"a": "np.reshape(g, np.shape(a))"}, forward={"a": "LINEAR"})
method("ravel", "a, order='C'", {"a": "np.reshape(g, np.shape(a))"}, forward={"a": "LINEAR"})
method("flatten", "a, order='C'", {"a": "np.reshape(g, np.shape(a))"}, forward={"a": "LINEAR"})
method("transpose", "a, *axes", {"a": "rt.untranspose(g, axes)"}, forward={"a": "LINEAR"})
method("copy", "a, order='C'", {"a": "g"}, forward={"a": "LINEAR"})
attribute("T", "g.T", "dx.T")
defrule(np.array, "object, dtype=None", {"object": "g"}, forward={"object": "dobject"})
defrule(np.asarray, "a, dtype=None", {"a": "g"}, forward={"a": "da"})
defrule(np.copy, "a", {"a": "g"}, forward={"a": "da"})
defrule(np.concatenate, "arrays, axis=0", {"arrays": "rt.unconcatenate(g, arrays, axis)"},
        forward={"arrays": "np.concatenate(darrays, axis)"})
defrule(np.stack, "arrays, axis=0", {"arrays": "rt.unstack(g, axis)"}, forward={"arrays": "np.stack(darrays, axis)"})
defrule(np.broadcast_to, "array, shape", {"array": "rt.unbroadcast(g, array)"},
        forward={"array": "np.broadcast_to(darray, shape)"})
defrule(np.full, "shape, fill_value, dtype=None", {"fill_value": "rt.unbroadcast(g, fill_value)"},
        forward={"fill_value": "np.full(shape, dfill_value)"})
defrule(np.full_like, "a, fill_value, dtype=None", {"fill_value": "rt.unbroadcast(g, fill_value)"},
        forward={"fill_value": "np.full_like(a, dfill_value)"})

nondifferentiable(
    builtins.len, builtins.range, builtins.int, builtins.bool, builtins.round, builtins.isinstance,
    builtins.type, builtins.print, builtins.enumerate, builtins.zip,
    np.shape, np.ndim, np.size, np.zeros, np.ones, np.empty, np.eye, np.identity,
    np.zeros_like, np.ones_like, np.empty_like, np.arange, np.linspace,
    np.argmax, np.argmin, np.argsort, np.sign, np.floor, np.ceil, np.round, np.rint, np.trunc,
    np.isnan, np.isfinite, np.isinf, np.floor_divide, np.greater, np.less, np.equal,
    np.logical_and, np.logical_or, np.logical_not, np.all, np.any, np.nonzero, np.count_nonzero,
    math.copysign, math.factorial, math.floor, math.ceil, math.trunc, math.isnan, math.isfinite, math.comb,
)
nondifferentiable(*(getattr(np.random, n) for n in ("rand", "randn", "random", "normal", "uniform",
                                                      "randint", "default_rng", "seed")))
