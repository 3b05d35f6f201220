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
attribute("mT", "g.mT", "dx.mT")          # the last two axes swapped (NumPy 2 and the array API)
for _transpose in (getattr(np, "matrix_transpose", None), getattr(np.linalg, "matrix_transpose", None)):
    if _transpose is not None:
        linear(_transpose, "x", "np.matrix_transpose(g)")
# the tangent of an array built from a list is the array of the list's tangent (a list itself); the
# list's adjoint is indexed item by item, so a zero adjoint (a number) is spread over its shape first
defrule(np.array, "object, dtype=None", {"object": "rt.spread(g, object)"}, forward={"object": "np.array(dobject)"})
defrule(np.asarray, "a, dtype=None", {"a": "rt.spread(g, a)"}, forward={"a": "np.asarray(da)"})
defrule(np.copy, "a", {"a": "g"}, forward={"a": "np.copy(da)"})
defrule(np.concatenate, "arrays, axis=0", {"arrays": "rt.unconcatenate(g, arrays, axis)"},
        forward={"arrays": "np.concatenate(darrays, axis=axis)"})
defrule(np.stack, "arrays, axis=0", {"arrays": "rt.unstack(g, axis)"}, forward={"arrays": "np.stack(darrays, axis)"})
defrule(np.broadcast_to, "array, shape", {"array": "rt.unbroadcast(g, array)"},
        forward={"array": "np.broadcast_to(darray, shape)"})
defrule(np.full, "shape, fill_value, dtype=None", {"fill_value": "rt.unbroadcast(g, fill_value)"},
        forward={"fill_value": "np.full(shape, dfill_value)"})
defrule(np.full_like, "a, fill_value, dtype=None", {"fill_value": "rt.unbroadcast(g, fill_value)"},
        forward={"fill_value": "np.full_like(a, dfill_value)"}, no_derivative=("a",))

nondifferentiable(
    builtins.len, builtins.range, builtins.int, builtins.bool, builtins.round, builtins.isinstance,
    builtins.type, builtins.print, builtins.enumerate, builtins.zip,
    np.shape, np.ndim, np.size, np.zeros, np.ones, np.empty, np.eye, np.identity,
    np.zeros_like, np.ones_like, np.empty_like,
    np.argmax, np.argmin, np.argsort, np.sign, np.floor, np.ceil, np.round, np.rint, np.trunc,
    np.isnan, np.isfinite, np.isinf, np.floor_divide, np.greater, np.less, np.equal,
    np.logical_and, np.logical_or, np.logical_not, np.all, np.any, np.nonzero, np.count_nonzero,
    math.copysign, math.factorial, math.floor, math.ceil, math.trunc, math.isnan, math.isfinite, math.comb,
)
nondifferentiable(*(getattr(np.random, n) for n in ("rand", "randn", "random", "normal", "uniform",
                                                      "randint", "default_rng", "seed")))

# --- rearranging: each adjoint is the inverse rearrangement of g ---------------------------------
linear(np.swapaxes, "a, axis1, axis2", "np.swapaxes(g, axis1, axis2)")
linear(np.moveaxis, "a, source, destination", "np.moveaxis(g, destination, source)")
for reshaping in (np.expand_dims, np.squeeze):
    linear(reshaping, "a, axis=None", "np.reshape(g, np.shape(a))")
for lifting in (np.atleast_1d, np.atleast_2d, np.atleast_3d):
    linear(lifting, "a", "np.reshape(g, np.shape(a))")
linear(np.broadcast_to, "array, shape", "rt.unbroadcast(g, array)")
linear(np.flip, "m, axis=None", "np.flip(g, axis=axis)")
linear(np.fliplr, "m", "np.fliplr(g)")
linear(np.flipud, "m", "np.flipud(g)")
linear(np.roll, "a, shift, axis=None", "np.roll(g, np.negative(shift), axis)")
linear(np.tile, "A, reps", "rt.untile(g, A, reps)")
linear(np.repeat, "a, repeats, axis=None", "rt.unrepeat(g, a, repeats, axis)")
defrule(np.pad, "array, pad_width, mode='constant', constant_values=0",
        {"array": "rt.unpad(g, array, pad_width, mode)",
         "constant_values": "np.sum(g) - np.sum(rt.unpad(g, array, pad_width, mode))"},
        forward={"array": "np.pad(darray, pad_width, mode)",
                 "constant_values": "dconstant_values * np.pad(np.zeros(np.shape(array)), pad_width, constant_values=1.0)"})
linear(np.triu, "m, k=0", "np.triu(g, k)")
linear(np.tril, "m, k=0", "np.tril(g, k)")
linear(np.diag, "v, k=0", "rt.undiag(g, v, k)")
linear(np.diagonal, "a, offset=0, axis1=0, axis2=1", "rt.undiagonal(g, a, offset, axis1, axis2)")
linear(np.trace, "a, offset=0, axis1=0, axis2=1", "rt.undiagonal(np.expand_dims(g, -1), a, offset, axis1, axis2)")
# joining and splitting: lists of arrays in, or out
linear(np.hstack, "tup", "rt.unjoin(g, tup, 'hstack')")
linear(np.vstack, "tup", "rt.unjoin(g, tup, 'vstack')")
linear(np.column_stack, "tup", "rt.unjoin(g, tup, 'column_stack')")
linear(np.split, "ary, indices_or_sections, axis=0", "rt.unsplit(g, z, axis)")
linear(np.array_split, "ary, indices_or_sections, axis=0", "rt.unsplit(g, z, axis)")

# picking elements by position: each adjoint adds g back where its element was taken from
linear(np.take, "a, indices, axis=None, out=None, mode='raise'", "rt.untake(g, a, indices, axis, mode)")
linear(np.take_along_axis, "arr, indices, axis=-1", "rt.untake_along_axis(g, arr, indices, axis)")
method("take", "a, indices, axis=None, out=None, mode='raise'", {"a": "rt.untake(g, a, indices, axis, mode)"},
       forward={"a": "LINEAR"})
# grids: each output is one input spread along the others' axes
defrule(np.meshgrid, "*xi, copy=True, sparse=False, indexing='xy'", {"xi": "rt.unmeshgrid(g, z, xi, indexing)"},
        forward={"xi": "rt.meshgrid_tangent(dxi, xi, sparse, indexing)"}, no_derivative=("copy", "sparse", "indexing"))
defrule(np.broadcast_arrays, "*args, subok=False", {"args": "rt.unbroadcast_arrays(g, z, args)"},
        forward={"args": "rt.broadcast_tangents(dargs, args)"}, no_derivative=("subok",))
# np.gradient is linear in f; the spacing (a coordinate array too) carries no derivative here
defrule(np.gradient, "f, *varargs, axis=None, edge_order=1", {"f": "rt.ungradient(g, f, varargs, axis, edge_order)"},
        forward={"f": "LINEAR"}, no_derivative=("axis", "edge_order"))
# a cast: the identity on floats, zero through integers
CAST = ("a, dtype, order='K', casting='unsafe', subok=True, copy=True", {"a": "rt.cast_adjoint(g, a, dtype)"},
        {"a": "rt.cast_tangent(da, dtype)"})
method("astype", *CAST)
if hasattr(np, "astype"):
    defrule(np.astype, "x, dtype, copy=True", {"x": "rt.cast_adjoint(g, x, dtype)"},
            forward={"x": "rt.cast_tangent(dx, dtype)"})

# sorting permutes: the tangent is da in a's sorted order, the adjoint puts g back in a's order
defrule(np.sort, "a, axis=-1, kind=None, order=None", {"a": "rt.unsort(g, a, axis)"},
        forward={"a": "rt.sorted_like(da, a, axis)"})

method("swapaxes", "a, axis1, axis2", {"a": "np.swapaxes(g, axis1, axis2)"}, forward={"a": "LINEAR"})
method("squeeze", "a, axis=None", {"a": "np.reshape(g, np.shape(a))"}, forward={"a": "LINEAR"})
method("repeat", "a, repeats, axis=None", {"a": "rt.unrepeat(g, a, repeats, axis)"}, forward={"a": "LINEAR"})
method("diagonal", "a, offset=0, axis1=0, axis2=1", {"a": "rt.undiagonal(g, a, offset, axis1, axis2)"},
       forward={"a": "LINEAR"})
method("trace", "a, offset=0, axis1=0, axis2=1",
       {"a": "rt.undiagonal(np.expand_dims(g, -1), a, offset, axis1, axis2)"}, forward={"a": "LINEAR"})
method("clip", "a, a_min=None, a_max=None",
       {"a": "g * (np.clip(a, a_min, a_max) == a)", "a_min": "rt.unbroadcast(g * (a < a_min), a_min)",
        "a_max": "rt.unbroadcast(g * (a > a_max), a_max)"},
       forward={"a": "da * (np.clip(a, a_min, a_max) == a)", "a_min": "da_min * (a < a_min)",
                "a_max": "da_max * (a > a_max)"})
method("conj", "a", {"a": "np.conj(g)"}, forward={"a": "LINEAR"})
attribute("real", "np.real(g)", "np.real(dx)")
attribute("imag", "rt.match_real(1j * np.real(g), x)", "np.imag(dx)")

nondifferentiable(
    np.argwhere, np.flatnonzero, np.searchsorted, np.digitize, np.unique, np.tri, np.indices,
    np.diag_indices, np.triu_indices, np.tril_indices,
    np.result_type, np.broadcast_shapes, np.iscomplex, np.isscalar, np.greater_equal, np.less_equal,
)
nondifferentiable(*(getattr(np.random, n) for n in ("choice", "permutation", "standard_normal", "exponential",
                                                      "poisson", "binomial", "random_sample", "beta", "gamma")))
