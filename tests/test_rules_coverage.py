"""Every derivative rule against central finite differences, in reverse and forward mode.

Each row of CASES is (function in coverage_functions, factory of its arguments, wrt). The functions
reduce to a scalar with fixed weights, so the gradient checks every element of each rule's output.
"""
import numpy as np
import pytest

import adjoint
from adjoint.testing import check_grads, check_jvp, numerical_jacobian
import coverage_functions as cf

R = np.random.default_rng(7)


def normal(*shape):
    return lambda: R.standard_normal(shape)


def uniform(lo, hi, *shape):
    return lambda: R.uniform(lo, hi, shape)


def spd(*batch, n=3):
    """A well-conditioned symmetric positive definite matrix (or a batch of them)."""
    def make():
        a = R.standard_normal(batch + (n, n))
        return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)
    return make


def args(*factories):
    return lambda: tuple(f() for f in factories)


X = normal(3, 4)
POSITIVE = uniform(0.5, 2.0, 3, 4)
UNIT = uniform(-0.9, 0.9, 3, 4)
DOMAIN = {"arcsin": UNIT, "arccos": UNIT, "arctanh": UNIT, "arccosh": uniform(1.2, 3.0, 3, 4),
          "log": POSITIVE, "log2": POSITIVE, "log10": POSITIVE, "log1p": POSITIVE, "sqrt": POSITIVE,
          "cbrt": POSITIVE, "reciprocal": POSITIVE, "tan": UNIT}
UNARY = [name[2:] for name in vars(cf) if name.startswith("u_")]
BINARY_DOMAIN = {"power": (POSITIVE, normal(4)), "float_power": (POSITIVE, normal(4)),
                 "divide": (X, uniform(0.5, 2.0, 4)), "true_divide": (X, uniform(0.5, 2.0, 4)),
                 "mod": (POSITIVE, uniform(0.3, 0.45, 4)), "remainder": (POSITIVE, uniform(0.3, 0.45, 4)),
                 "fmod": (X, uniform(0.3, 0.45, 4)), "copysign": (X, uniform(0.5, 1.0, 4))}
BINARY = [name[2:] for name in vars(cf) if name.startswith("b_")]

CASES = (
    [(f"u_{n}", args(DOMAIN.get(n, X)), 0) for n in UNARY]
    + [(f"b_{n}", args(*BINARY_DOMAIN.get(n, (X, normal(4)))), (0, 1)) for n in BINARY]
    + [(f"b_{n}", args(*BINARY_DOMAIN.get(n, (X, normal(3, 1)))[:1], normal(3, 1)), (0, 1))
       for n in ("multiply", "maximum", "hypot", "arctan2", "logaddexp")]
    + [
        ("clip_scalars", args(X), 0),
        ("clip_arrays", args(X, uniform(-1.0, -0.2, 4), uniform(0.2, 1.0, 3, 1)), (0, 1, 2)),
        ("clip_lower_only", args(X), 0),
        ("clip_method", args(X, uniform(-1.0, -0.2, 4)), (0, 1)),
        ("where_both", args(X, normal(4)), (0, 1)),
        ("imag_part", args(X), 0),
        ("attributes_real_imag", args(normal(8)), 0),
        ("math_unary", lambda: (0.4,), 0),
        ("math_more", lambda: (0.3,), 0),
        ("math_binary", lambda: (1.3, 0.7), (0, 1)),
        ("builtins_numbers", lambda: (0.8, 0.5), (0, 1)),
        ("r_sum", args(normal(2, 3, 4)), 0),
        ("r_mean", args(normal(2, 3, 4)), 0),
        ("r_prod", args(normal(2, 3, 4)), 0),
        ("r_prod", lambda: (np.where(np.arange(24).reshape(2, 3, 4) % 5 == 0, 0.0, R.standard_normal((2, 3, 4))),), 0),
        ("r_prod_all", lambda: (np.array([[0.5, 0.0, 2.0], [1.5, -1.0, 0.0]]),), 0),
        ("r_prod_all", lambda: (np.array([[0.5, 0.0, 2.0], [1.5, -1.0, 0.7]]),), 0),
        ("r_var", args(normal(2, 3, 4)), 0),
        ("r_std", args(normal(2, 3, 4)), 0),
        ("r_extrema", args(normal(2, 3, 4)), 0),
        ("r_ptp", args(normal(3, 4)), 0),
        ("r_cumsum", args(normal(3, 4)), 0),
        ("r_cumprod", args(normal(3, 4)), 0),
        ("r_cumprod", lambda: (np.array([[0.5, 0.0, 2.0, 1.1], [1.5, -1.0, 0.0, 0.0], [0.3, 0.9, -1.2, 0.4]]),), 0),
        ("r_average", args(normal(3, 4)), 0),
        ("r_average_weights", args(normal(3, 4), uniform(0.5, 1.5, 4)), (0, 1)),
        ("r_average_full_weights", args(normal(3, 4), uniform(0.5, 1.5, 3, 4)), (0, 1)),
        ("r_norm_vector", args(normal(5)), 0),
        ("r_norm_matrix", args(normal(3, 4)), 0),
        ("r_methods", args(normal(3, 4)), 0),
        ("s_reshape", args(X), 0),
        ("s_transpose", args(normal(2, 3, 4)), 0),
        ("s_dims", args(X), 0),
        ("s_broadcast_to", args(normal(4)), 0),
        ("s_joins", args(X, X), (0, 1)),
        ("s_joins_1d", args(normal(3), normal(3)), (0, 1)),
        ("s_split", args(normal(6)), 0),
        ("s_split_axis", args(X), 0),
        ("s_array_split", args(normal(2, 7)), 0),
        ("s_tile_repeat", args(X), 0),
        ("s_flips", args(X), 0),
        ("s_pad", args(X), 0),
        ("s_diag", args(normal(3, 3), normal(4)), (0, 1)),
        ("s_diagonal_3d", args(normal(2, 3, 2)), 0),
        ("s_triangles", args(X), 0),
        ("s_copies", args(X), 0),
        ("s_constants", args(normal(3, 4)), 0),
        ("l_products", args(normal(3, 4), normal(4, 3)), (0, 1)),
        ("l_tensordot", args(normal(2, 3, 4), normal(3, 4)), (0, 1)),
        ("l_einsum", args(normal(3, 4), normal(4, 3)), (0, 1)),
        ("l_einsum_diagonal", args(normal(3, 3)), 0),
        ("l_kron", args(normal(2, 3), normal(2, 2)), (0, 1)),
        ("l_inv", args(spd()), 0),
        ("l_inv_batched", args(spd(2)), 0),
        ("l_solve", args(spd(), normal(3), normal(3, 2)), (0, 1, 2)),
        ("l_solve_batched", args(spd(2), normal(2, 3, 2)), (0, 1)),
        ("l_det", args(spd()), 0),
        ("l_cholesky", args(normal(3, 3)), 0),
        ("l_cholesky_raw", args(spd()), 0),
        ("l_cholesky_batched", args(spd(2)), 0),
        ("l_eigvalsh", args(normal(3, 3)), 0),
        ("l_pinv", args(normal(4, 3)), 0),
        ("l_slogdet", args(spd()), 0),
        ("l_slogdet", lambda: (-spd()(),), 0),
        ("l_eigh", args(spd()), 0),
        ("l_eigh_values", args(normal(3, 3)), 0),
        ("f_fft", args(normal(5, 8)), 0),
        ("f_fft2", args(normal(3, 8)), 0),
        ("f_rfft", args(normal(5, 8)), 0),
        ("f_irfft", args(normal(4, 8)), 0),
        ("f_shift", args(normal(3, 5)), 0),
        ("s_sort", args(X), 0),
        ("l_qr", args(normal(4, 3)), 0),
        ("l_qr", args(normal(3, 3)), 0),
        ("l_qr_r_only", args(normal(5, 2)), 0),
        ("l_svd", args(normal(4, 3)), 0),
        ("l_svd", args(normal(2, 4)), 0),
        ("l_svd_square", args(normal(3, 3)), 0),
        ("l_singular_values", args(normal(3, 4)), 0),
        ("l_eigvals", args(normal(3, 3)), 0),
        ("l_eigvals", args(normal(4, 4)), 0),
        ("l_eig", args(normal(3, 3)), 0),
        ("l_eig", args(normal(4, 4)), 0),
    ]
)
SCIPY = [("sp_unary", args(X), 0), ("sp_positive", args(uniform(0.1, 0.9, 3, 4), POSITIVE), (0, 1)),
         ("sp_reductions", args(X), 0), ("sp_gamma", args(POSITIVE), 0)]
if cf.sp is not None:
    CASES += SCIPY
ARGS = {}


def _args(name, factory, index):
    """The arguments for a case, made once so both modes check the same point."""
    return ARGS.setdefault((name, index), factory())


@pytest.mark.parametrize("index", range(len(CASES)), ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_reverse(index):
    name, factory, wrt = CASES[index]
    check_grads(getattr(cf, name), *_args(name, factory, index), wrt=wrt, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("index", range(len(CASES)), ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_forward(index):
    name, factory, wrt = CASES[index]
    check_jvp(getattr(cf, name), *_args(name, factory, index), rtol=1e-5, atol=1e-6)


# Generated code is differentiated again: the Hessian (forward over reverse) against finite
# differences of the gradient, for rules whose templates call runtime helpers.
HESSIAN = ["r_prod", "r_cumsum", "r_var", "r_std", "r_norm_matrix", "r_average_weights", "s_split", "s_joins_1d",
           "s_tile_repeat", "s_pad", "s_diag", "l_einsum", "l_tensordot", "l_kron", "l_inv", "l_solve", "l_det",
           "l_cholesky_raw", "l_eigvalsh", "l_slogdet", "l_eigh", "f_fft", "f_rfft", "f_irfft", "s_sort", "l_qr",
           "l_svd", "l_singular_values", "l_eig"]


@pytest.mark.parametrize("name", HESSIAN)
def test_hessian(name):
    index = next(i for i, c in enumerate(CASES) if c[0] == name)
    arguments = _args(name, CASES[index][1], index)
    f = getattr(cf, name)
    hessian = adjoint.hessian(f, wrt=0)(*arguments)
    reference = numerical_jacobian(adjoint.grad(f, wrt=0), arguments, wrt=0, eps=1e-5)
    np.testing.assert_allclose(hessian, reference, rtol=1e-4, atol=1e-5)


def test_scipy_gamma_functions_differentiate_to_any_order():
    sp = pytest.importorskip("scipy.special")
    x = 1.7
    assert adjoint.grad(cf.sp_gammaln_scalar)(x) == pytest.approx(float(sp.digamma(x)))
    assert adjoint.grad(adjoint.grad(cf.sp_gammaln_scalar))(x) == pytest.approx(float(sp.polygamma(1, x)))
    third = adjoint.grad(adjoint.grad(adjoint.grad(cf.sp_gammaln_scalar)))(x)
    assert third == pytest.approx(float(sp.polygamma(2, x)))
    assert "rt.polygamma(0, x)" in adjoint.source(cf.sp_gammaln_scalar, args=(x,))


def test_decompositions_refuse_what_they_do_not_cover():
    with pytest.raises(NotImplementedError, match="more columns than rows"):
        adjoint.grad(cf.l_qr)(R.standard_normal((2, 3)))
    with pytest.raises(NotImplementedError, match="full_matrices=False"):
        adjoint.grad(cf.l_svd_square)(R.standard_normal((2, 3)))
