"""Linear algebra: products (dot, matmul, vdot, inner, outer, tensordot, einsum, kron) and matrix functions
(inv, solve, det, slogdet, cholesky, eigh, eigvalsh, pinv, qr, svd, eigvals, eig)."""
import gast
import numpy as np

from .core import METHODS, complex_form, defrule, holomorphic, method, variant
from . import operators  # noqa: F401  (the @ rule must exist before its variants)

defrule(np.dot, "a, b", {"a": "rt.dot_grad_a(g, a, b)", "b": "rt.dot_grad_b(g, a, b)"},
        forward={"a": "np.dot(da, b)", "b": "np.dot(a, db)"})
defrule(np.matmul, "a, b", {"a": "rt.matmul_grad_a(g, a, b)", "b": "rt.matmul_grad_b(g, a, b)"},
        forward={"a": "da @ b", "b": "a @ db"})
defrule(np.outer, "a, b", {"a": "np.reshape(g @ np.ravel(b), np.shape(a))",
                           "b": "np.reshape(np.ravel(a) @ g, np.shape(b))"},
        forward={"a": "np.outer(da, b)", "b": "np.outer(a, db)"})
method("dot", "a, b", {"a": "rt.dot_grad_a(g, a, b)", "b": "rt.dot_grad_b(g, a, b)"},
       forward={"a": "np.dot(da, b)", "b": "np.dot(a, db)"})


# With the operands' dimensions known, the same rules read as matrix calculus.
def _ndims(a, b):
    return lambda shapes, constants: isinstance(shapes.get("a"), tuple) and isinstance(shapes.get("b"), tuple) \
        and (len(shapes["a"]), len(shapes["b"])) == (a, b)


for product in (gast.MatMult, np.matmul, np.dot):
    variant(product, _ndims(2, 2), {"a": "g @ b.T", "b": "a.T @ g"})
    variant(product, _ndims(2, 1), {"a": "np.outer(g, b)", "b": "a.T @ g"})
    variant(product, _ndims(1, 2), {"a": "b @ g", "b": "np.outer(a, g)"})
    variant(product, _ndims(1, 1), {"a": "g * b", "b": "g * a"})
variant(METHODS["dot"], _ndims(2, 2), {"a": "g @ b.T", "b": "a.T @ g"})
variant(METHODS["dot"], _ndims(2, 1), {"a": "np.outer(g, b)", "b": "a.T @ g"})
variant(METHODS["dot"], _ndims(1, 1), {"a": "g * b", "b": "g * a"})

# --- more products: each adjoint contracts g with the other operand --------------------------------
defrule(np.vdot, "a, b", {"a": "np.reshape(g * np.ravel(b), np.shape(a))", "b": "np.reshape(g * np.ravel(a), np.shape(b))"},
        forward={"a": "np.vdot(da, b)", "b": "np.vdot(a, db)"})
defrule(np.inner, "a, b", {"a": "rt.einsum_grad(g, rt.inner_subscripts(a, b), 0, a, b)",
                           "b": "rt.einsum_grad(g, rt.inner_subscripts(a, b), 1, a, b)"},
        forward={"a": "np.inner(da, b)", "b": "np.inner(a, db)"})
defrule(np.tensordot, "a, b, axes=2", {"a": "rt.einsum_grad(g, rt.tensordot_subscripts(a, b, axes), 0, a, b)",
                                       "b": "rt.einsum_grad(g, rt.tensordot_subscripts(a, b, axes), 1, a, b)"},
        forward={"a": "np.tensordot(da, b, axes)", "b": "np.tensordot(a, db, axes)"})
# einsum with up to three operands: operand k's adjoint is an einsum of g with the others
defrule(np.einsum, "subscripts, a, b=None, c=None",
        {"a": "rt.einsum_grad(g, subscripts, 0, a, b, c)", "b": "rt.einsum_grad(g, subscripts, 1, a, b, c)",
         "c": "rt.einsum_grad(g, subscripts, 2, a, b, c)"},
        forward={"a": "rt.einsum_operands(subscripts, 0, da, a, b, c)",
                 "b": "rt.einsum_operands(subscripts, 1, db, a, b, c)",
                 "c": "rt.einsum_operands(subscripts, 2, dc, a, b, c)"})
defrule(np.kron, "a, b", {"a": "rt.kron_grad_a(g, a, b)", "b": "rt.kron_grad_b(g, a, b)"},
        forward={"a": "np.kron(da, b)", "b": "np.kron(a, db)"})

# --- matrix functions ----------------------------------------------------------------------------
# d(inv A) = -inv(A) dA inv(A)
defrule(np.linalg.inv, "a", {"a": "-np.swapaxes(z, -1, -2) @ g @ np.swapaxes(z, -1, -2)"},
        forward={"a": "-z @ da @ z"})
# x = solve(A, b): b's adjoint solves with A^T, A's is minus its product with x
defrule(np.linalg.solve, "a, b", {"a": "-rt.matmul_grad_a(np.linalg.solve(np.swapaxes(a, -1, -2), g), a, z)",
                                  "b": "np.linalg.solve(np.swapaxes(a, -1, -2), g)"},
        forward={"a": "-np.linalg.solve(a, da @ z)", "b": "np.linalg.solve(a, db)"})
# d(det A) = det(A) tr(inv(A) dA)
defrule(np.linalg.det, "a", {"a": "np.expand_dims(g * z, (-1, -2)) * np.swapaxes(np.linalg.inv(a), -1, -2)"},
        forward={"a": "z * np.trace(np.linalg.solve(a, da), axis1=-2, axis2=-1)"})
# L = cholesky(A) reads A's lower triangle; dL = L tril_half(L^-1 dA L^-T)
defrule(np.linalg.cholesky, "a",
        {"a": "rt.sym_lower_adjoint(np.linalg.solve(np.swapaxes(z, -1, -2), np.swapaxes(np.linalg.solve("
              "np.swapaxes(z, -1, -2), rt.tril_half(np.swapaxes(z, -1, -2) @ g)), -1, -2)))"},
        forward={"a": "z @ rt.tril_half(np.linalg.solve(z, np.swapaxes(np.linalg.solve(z, rt.sym_lower(da)), -1, -2)))"})
# eigenvalues of a symmetric matrix (its lower triangle): dw_i = v_i^T dA v_i
defrule(np.linalg.eigvalsh, "a",
        {"a": "rt.sym_lower_adjoint(rt.eigh_vectors(a) * np.expand_dims(g, -2) @ np.swapaxes(rt.eigh_vectors(a), -1, -2))"},
        forward={"a": "np.sum(rt.eigh_vectors(a) * (rt.sym_lower(da) @ rt.eigh_vectors(a)), axis=-2)"})
# Moore-Penrose pseudo-inverse of a matrix (constant rank)
defrule(np.linalg.pinv, "a",
        {"a": "-z.T @ g @ z.T + (g.T - a @ (z @ g.T)) @ z @ z.T + z.T @ z @ (g.T - g.T @ z @ a)"},
        forward={"a": "-z @ da @ z + z @ z.T @ (da.T - da.T @ a @ z) + (da.T - z @ a @ da.T) @ z.T @ z"})


def _square(shapes, constants):
    return isinstance(shapes.get("a"), tuple) and len(shapes["a"]) == 2


variant(np.linalg.inv, _square, {"a": "-z.T @ g @ z.T"})
variant(np.linalg.det, _square, {"a": "g * z * np.linalg.inv(a).T"})
variant(np.linalg.solve, lambda shapes, constants: _square(shapes, constants) and shapes.get("b") is not None
        and len(shapes["b"]) == 1, {"a": "-np.outer(np.linalg.solve(a.T, g), z)", "b": "np.linalg.solve(a.T, g)"})
variant(np.linalg.solve, lambda shapes, constants: _square(shapes, constants) and shapes.get("b") is not None
        and len(shapes["b"]) == 2, {"a": "-np.linalg.solve(a.T, g) @ z.T", "b": "np.linalg.solve(a.T, g)"})
variant(np.linalg.cholesky, _square,
        {"a": "rt.sym_lower_adjoint(np.linalg.solve(z.T, np.linalg.solve(z.T, rt.tril_half(z.T @ g)).T))"})

# complex operands: the products and inv, solve, det are holomorphic; vdot conjugates its first operand,
# so that operand's adjoint is conj(g) b. (cholesky, eigh, eigvalsh, slogdet and pinv: real matrices only.)
holomorphic(gast.MatMult, np.matmul, np.dot, METHODS["dot"], np.outer, np.inner, np.tensordot, np.einsum, np.kron,
            np.linalg.inv, np.linalg.solve, np.linalg.det)
complex_form(np.vdot, {"a": "np.reshape(np.conj(g) * np.ravel(b), np.shape(a))",
                       "b": "np.reshape(g * np.ravel(a), np.shape(b))"})

# --- rules with a tuple output: g holds one adjoint per item (rt.item_adjoint), the tangent is a tuple ---
# (sign, log|det A|): d log|det A| = tr(inv(A) dA); the sign is piecewise constant
defrule(np.linalg.slogdet, "a",
        {"a": "np.expand_dims(rt.item_adjoint(g, 1, z), (-1, -2)) * np.swapaxes(np.linalg.inv(a), -1, -2)"},
        forward={"a": "(np.zeros(np.shape(z[0])), np.trace(np.linalg.solve(a, da), axis1=-2, axis2=-1))"})
# (w, V) = eigh(A) of the lower triangle, distinct eigenvalues: dw = diag(V^T dA V), dV = V (F * (V^T dA V))
defrule(np.linalg.eigh, "a",
        {"a": "rt.sym_lower_adjoint(z[1] @ (np.expand_dims(rt.item_adjoint(g, 0, z), -1) * np.eye(np.shape(a)[-1]) "
              "+ rt.eigh_gaps(z[0]) * (np.swapaxes(z[1], -1, -2) @ rt.item_adjoint(g, 1, z))) @ np.swapaxes(z[1], -1, -2))"},
        forward={"a": "(np.sum(z[1] * (rt.sym_lower(da) @ z[1]), axis=-2), "
                      "z[1] @ (rt.eigh_gaps(z[0]) * (np.swapaxes(z[1], -1, -2) @ rt.sym_lower(da) @ z[1])))"})

# Q, R = qr(A), reduced, as many rows as columns or more, full rank (rt.qr_jvp, rt.qr_grad)
defrule(np.linalg.qr, "a, mode='reduced'",
        {"a": "rt.qr_grad(rt.item_adjoint(g, 0, z), rt.item_adjoint(g, 1, z), z[0], z[1], mode)"},
        forward={"a": "rt.qr_jvp(da, z[0], z[1], mode)"})
# U, s, Vh = svd(A) or s = svd(A, compute_uv=False), real A with distinct nonzero singular values (the
# rotations of U and V divide by s[j]**2 - s[i]**2); full_matrices=True for square matrices only
defrule(np.linalg.svd, "a, full_matrices=True, compute_uv=True",
        {"a": "rt.svd_grad(g, a, z, full_matrices, compute_uv)"},
        forward={"a": "rt.svd_jvp(a, da, z, full_matrices, compute_uv)"})
# eigenvalues and eigenvectors of a general matrix, distinct eigenvalues: with P = V^-1 dA V, dw = diag(P) and
# dV = V (F * P) with F[i, j] = 1 / (w[j] - w[i]), normalised as LAPACK returns V (unit columns, largest entry
# real). The outputs are complex: these adjoints follow the complex convention already.
defrule(np.linalg.eigvals, "a", {"a": "rt.eigvals_grad(g, a, z)"}, forward={"a": "rt.eigvals_jvp(a, da, z)"})
defrule(np.linalg.eig, "a", {"a": "rt.eig_grad(rt.item_adjoint(g, 0, z), rt.item_adjoint(g, 1, z), a, z)"},
        forward={"a": "rt.eig_jvp(a, da, z)"})

# convolution is bilinear; the adjoint of each operand correlates g (placed in the full convolution)
# with the other, which conjugates it as the complex convention asks
defrule(np.convolve, "a, v, mode='full'", {"a": "rt.convolve_grad(g, a, v, mode)", "v": "rt.convolve_grad(g, v, a, mode)"},
        forward={"a": "np.convolve(da, v, mode)", "v": "np.convolve(a, dv, mode)"})
# weighted counts are linear in the weights
defrule(np.bincount, "x, weights=None, minlength=0", {"weights": "np.take(g, x)"},
        forward={"weights": "np.bincount(x, dweights, minlength)"}, no_derivative=("x", "minlength"))
# the dot products of vectors along an axis, for real operands (complex ones, where conj(x1) matters,
# and operands whose kind is not known are differentiated through the definition in definitions.py)
for _vecdot in (getattr(np, "vecdot", None), getattr(np.linalg, "vecdot", None)):
    if _vecdot is not None:
        defrule(_vecdot, "x1, x2, axis=-1", {"x1": "rt.unbroadcast(np.expand_dims(g, axis) * x2, x1)",
                                             "x2": "rt.unbroadcast(np.expand_dims(g, axis) * x1, x2)"},
                forward={"x1": "np.vecdot(dx1, x2, axis=axis)", "x2": "np.vecdot(x1, dx2, axis=axis)"})
