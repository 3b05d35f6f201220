"""Reductions: sum, mean, prod, var, std, max, min, ptp, cumsum, cumprod, average, norm, with `axis` and `keepdims`."""
import builtins
import numpy as np

from .core import METHODS, defrule, holomorphic, linear, method, real_valued, variant

linear(np.sum, "a, axis=None, dtype=None, out=None, keepdims=False", "rt.unreduce(g, a, axis, keepdims)")
linear(np.mean, "a, axis=None, dtype=None, out=None, keepdims=False",
       "rt.unreduce(g, a, axis, keepdims) * (rt.size(z) / rt.size(a))")
for extremum in (np.max, np.min, np.amax, np.amin):
    defrule(extremum, "a, axis=None, out=None, keepdims=False",
            {"a": "rt.extremum_grad(g, a, z, axis, keepdims)"},
            forward={"a": "np.sum(rt.extremum_grad(np.ones_like(z), a, z, axis, keepdims) * da, axis=axis, keepdims=keepdims)"})
for name_ in ("max", "min"):
    method(name_, "a, axis=None, out=None, keepdims=False", {"a": "rt.extremum_grad(g, a, z, axis, keepdims)"},
           forward={"a": "np.sum(rt.extremum_grad(np.ones_like(z), a, z, axis, keepdims) * da, axis=axis, keepdims=keepdims)"})
method("sum", "a, axis=None, dtype=None, out=None, keepdims=False",
       {"a": "rt.unreduce(g, a, axis, keepdims)"}, forward={"a": "LINEAR"})
method("mean", "a, axis=None, dtype=None, out=None, keepdims=False",
       {"a": "rt.unreduce(g, a, axis, keepdims) * (rt.size(z) / rt.size(a))"}, forward={"a": "LINEAR"})

# prod: each element's partial is the product of the others (computed without dividing, so zeros are fine)
PROD = ("a, axis=None, dtype=None, out=None, keepdims=False",
        {"a": "rt.unreduce(g, a, axis, keepdims) * rt.prod_others(a, axis)"},
        {"a": "np.sum(da * rt.prod_others(a, axis), axis=axis, keepdims=keepdims)"})
defrule(np.prod, *PROD)
method("prod", *PROD)
# var = mean((a - mean(a))**2) * n / (n - ddof); std = sqrt(var)
# (for complex a, var = mean(|a - mean(a)|**2): the tangent is Re(conj(a - mean(a)) da), np.real a view for real a)
VAR = ("a, axis=None, dtype=None, out=None, ddof=0, keepdims=False",
       {"a": "rt.unreduce(g, a, axis, keepdims) * 2 * (a - np.mean(a, axis=axis, keepdims=True)) "
             "/ (rt.size(a) / rt.size(z) - ddof)"},
       {"a": "2 * np.sum(np.real(da * np.conj(a - np.mean(a, axis=axis, keepdims=True))), axis=axis, "
             "keepdims=keepdims) / (rt.size(a) / rt.size(z) - ddof)"})
STD = ("a, axis=None, dtype=None, out=None, ddof=0, keepdims=False",
       {"a": "rt.unreduce(g / z, a, axis, keepdims) * (a - np.mean(a, axis=axis, keepdims=True)) "
             "/ (rt.size(a) / rt.size(z) - ddof)"},
       {"a": "np.sum(np.real(da * np.conj(a - np.mean(a, axis=axis, keepdims=True))), axis=axis, "
             "keepdims=keepdims) / ((rt.size(a) / rt.size(z) - ddof) * z)"})
defrule(np.var, *VAR)
method("var", *VAR)
defrule(np.std, *STD)
method("std", *STD)
# ptp = max - min
defrule(np.ptp, "a, axis=None, out=None, keepdims=False",
        {"a": "rt.extremum_grad(g, a, np.max(a, axis=axis, keepdims=keepdims), axis, keepdims) "
              "- rt.extremum_grad(g, a, np.min(a, axis=axis, keepdims=keepdims), axis, keepdims)"},
        forward={"a": "np.sum((rt.extremum_grad(np.ones_like(z), a, np.max(a, axis=axis, keepdims=keepdims), axis, keepdims)"
                      " - rt.extremum_grad(np.ones_like(z), a, np.min(a, axis=axis, keepdims=keepdims), axis, keepdims))"
                      " * da, axis=axis, keepdims=keepdims)"})
# running sums and products
CUMSUM = ("a, axis=None, dtype=None, out=None", "rt.uncumsum(g, a, axis)")
linear(np.cumsum, *CUMSUM)
method("cumsum", CUMSUM[0], {"a": CUMSUM[1]}, forward={"a": "LINEAR"})
CUMPROD = ("a, axis=None, dtype=None, out=None", {"a": "rt.cumprod_grad(g, a, axis)"},
           {"a": "rt.cumprod_jvp(a, da, axis)"})
defrule(np.cumprod, *CUMPROD)
method("cumprod", *CUMPROD)
# average = sum(w * a) / sum(w) along axis
defrule(np.average, "a, axis=None, weights=None, returned=False, keepdims=False",
        {"a": "rt.unreduce(g, a, axis, keepdims) * rt.average_weights(a, axis, weights)",
         "weights": "rt.unlift_weights(rt.unreduce(g, a, axis, keepdims) * (a - rt.unreduce(z, a, axis, keepdims)) "
                    "/ np.sum(rt.lift_weights(weights, a, axis), axis=axis, keepdims=True), weights, axis)"},
        forward={"a": "LINEAR",
                 "weights": "np.sum(rt.lift_weights(dweights, a, axis) * (a - rt.unreduce(z, a, axis, keepdims)), "
                            "axis=axis, keepdims=keepdims) / np.sum(rt.lift_weights(weights, a, axis), axis=axis, "
                            "keepdims=keepdims)"})
# norms: x * g / z for the 2-norm and Frobenius norm; other vector ords by rt.norm_grad
defrule(np.linalg.norm, "x, ord=None, axis=None, keepdims=False",
        {"x": "rt.norm_grad(g, x, z, ord, axis, keepdims)"},
        forward={"x": "np.sum(np.real(np.conj(rt.norm_grad(np.ones_like(z), x, z, ord, axis, keepdims)) * dx), "
                      "axis=axis, keepdims=keepdims)"})


def _whole(shapes, constants):
    """A reduction over every axis (axis=None, keepdims=False) of an operand of known rank."""
    return constants.get("axis", 0) is None and constants.get("keepdims") is False and isinstance(shapes.get("a"), tuple)


def _euclidean(shapes, constants):
    """np.linalg.norm's 2-norm of vectors or Frobenius norm of matrices."""
    ord_ = constants.get("ord", 0)
    vector = isinstance(constants.get("axis"), int) or len(shapes.get("x") or ()) == 1
    return ord_ in (None, "fro") or (ord_ == 2 and vector)


def _one_norm(shapes, constants):
    vector = isinstance(constants.get("axis"), int) or len(shapes.get("x") or ()) == 1
    return constants.get("ord", 0) == 1 and vector


for total in (np.sum, METHODS["sum"]):
    variant(total, _whole, {"a": "rt.spread_over(g, a)"})
for average in (np.mean, METHODS["mean"]):
    variant(average, _whole, {"a": "rt.spread_over(g / rt.size(a), a)"})
variant(np.linalg.norm, _euclidean, {"x": "x * rt.unreduce(g / z, x, axis, keepdims)"})
variant(np.linalg.norm, _one_norm, {"x": "np.sign(x) * rt.unreduce(g, x, axis, keepdims)"})

# complex operands
holomorphic(np.prod, METHODS["prod"], np.cumprod, METHODS["cumprod"])
# np.linalg.vector_norm's 2-norm (its default, as in the array API), over any axes; another `ord` (or
# one known only when the code runs) is differentiated through its definition (rules/definitions.py)
if hasattr(np.linalg, "vector_norm"):
    defrule(np.linalg.vector_norm, "x, axis=None, keepdims=False, ord=2",
            {"x": "x * rt.unreduce(g / z, x, axis, keepdims)"},
            forward={"x": "np.sum(np.real(np.conj(x) * dx), axis=axis, keepdims=keepdims) / z"},
            no_derivative=("ord",))
    real_valued(np.linalg.vector_norm)
real_valued(np.var, METHODS["var"], np.std, METHODS["std"], np.linalg.norm)


# Python's sum over a list (or an array's first axis), from start
defrule(builtins.sum, "v, start=0", {"v": "rt.unsum(g, v)", "start": "g"},
        forward={"v": "rt.sum_tangents(dv)", "start": "dstart"}, name="sum (builtin)")

# a list made a tuple, or a tuple a list: the same items, the same adjoint
# (of an array: its rows, whose adjoints are stacked back)
defrule(builtins.tuple, "v", {"v": "rt.unlist(g, v)"}, forward={"v": "tuple(dv)"}, name="tuple (builtin)")
defrule(builtins.list, "v", {"v": "rt.unlist(g, v)"}, forward={"v": "list(dv)"}, name="list (builtin)")
