"""Rules for adjoint's own runtime, so generated code can itself be differentiated (nesting).

The runtime's first parameter is called `v` here, so that `g` keeps meaning the output's adjoint.
"""
from .. import runtime as rt
from .core import defrule, nondifferentiable

defrule(rt.unbroadcast, "v, x", {"v": "rt.broadcast_like(g, v)"}, forward={"v": "rt.unbroadcast(dv, x)"})
defrule(rt.unreduce, "v, x, axis=None, keepdims=False", {"v": "rt.reduce_like(g, v, axis, keepdims)"},
        forward={"v": "rt.unreduce(dv, x, axis, keepdims)"})
defrule(rt.untranspose, "v, axes=None", {"v": "rt.untranspose_adjoint(g, axes)"},
        forward={"v": "rt.untranspose(dv, axes)"})
defrule(rt.unindex, "v, x, index", {"v": "g[index]"}, forward={"v": "rt.unindex(dv, x, index)"})
defrule(rt.like, "v, x", {"v": "g"}, forward={"v": "rt.like(dv, x)"})
defrule(rt.extremum_grad, "v, a, z, axis=None, keepdims=False",
        {"v": "rt.reduce_like(g * rt.extremum_grad(1.0, a, z, axis, True), v, axis, keepdims)"},
        forward={"v": "rt.extremum_grad(dv, a, z, axis, keepdims)"})
defrule(rt.matmul_grad_a, "v, a, b", {}, forward={"v": "rt.matmul_grad_a(dv, a, b)",
                                                  "b": "rt.matmul_grad_a(v, a, db)"})
defrule(rt.matmul_grad_b, "v, a, b", {}, forward={"v": "rt.matmul_grad_b(dv, a, b)",
                                                  "a": "rt.matmul_grad_b(v, da, b)"})
defrule(rt.dot_grad_a, "v, a, b", {}, forward={"v": "rt.dot_grad_a(dv, a, b)", "b": "rt.dot_grad_a(v, a, db)"})
defrule(rt.dot_grad_b, "v, a, b", {}, forward={"v": "rt.dot_grad_b(dv, a, b)", "a": "rt.dot_grad_b(v, da, b)"})
defrule(rt.broadcast_like, "v, x", {"v": "rt.unbroadcast(g, v)"}, forward={"v": "rt.broadcast_like(dv, x)"})
defrule(rt.reduce_like, "v, x, axis=None, keepdims=False", {"v": "rt.unreduce(g, v, axis, keepdims)"},
        forward={"v": "rt.reduce_like(dv, x, axis, keepdims)"})
defrule(rt.untranspose_adjoint, "v, axes=None", {"v": "rt.untranspose(g, axes)"},
        forward={"v": "rt.untranspose_adjoint(dv, axes)"})
defrule(rt.unconcatenate, "v, arrays, axis=0", {"v": "np.concatenate(g, axis)"},
        forward={"v": "rt.unconcatenate(dv, arrays, axis)"})
defrule(rt.unstack, "v, axis=0", {"v": "np.stack(g, axis)"}, forward={"v": "rt.unstack(dv, axis)"})
nondifferentiable(rt.zeros_like)
