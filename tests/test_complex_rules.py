"""Every rule that makes sense on complex numbers, with complex arguments, in both modes.

Reverse mode: the gradient dL/dx + i dL/dy of a real loss against central differences along the real and
the imaginary part of each element separately (adjoint.testing.check_grads). Forward mode: jvp along a
random complex tangent against a central difference of the function, and against <gradient, tangent>
(check_jvp). Each row of CASES is (function in complex_rule_functions, factory of its arguments).
"""
import numpy as np
import pytest

import adjoint
from adjoint.testing import check_grads, check_jvp
import complex_rule_functions as crf

R = np.random.default_rng(11)


def complex_normal(*shape, scale=1.0):
    return lambda: scale * (R.standard_normal(shape) + 1j * R.standard_normal(shape))


def right_half_plane(*shape):
    """Away from the branch cut of log, sqrt and z ** w (the negative real axis)."""
    return lambda: R.uniform(0.5, 2.0, shape) + 1j * R.uniform(-1.0, 1.0, shape)


def well_conditioned(*batch, n=3):
    """A complex matrix (or a batch of them) far from singular."""
    return lambda: complex_normal(*batch, n, n)() + 3 * n * np.eye(n)


def args(*factories):
    return lambda: tuple(f() for f in factories)


Z = complex_normal(3, 4)
SMALL = complex_normal(3, 4, scale=0.3)      # inside the unit disc: arcsin, arctan, ... away from their cuts
DOMAIN = {"log": right_half_plane(3, 4), "log2": right_half_plane(3, 4), "log10": right_half_plane(3, 4),
          "log1p": right_half_plane(3, 4), "sqrt": right_half_plane(3, 4), "reciprocal": right_half_plane(3, 4),
          "arcsin": SMALL, "arccos": SMALL, "arctan": SMALL, "arcsinh": SMALL, "arctanh": SMALL, "tan": SMALL,
          "arccosh": lambda: 2.0 + complex_normal(3, 4, scale=0.3)()}
UNARY = [name for name in vars(crf) if name.startswith("u_")]

CASES = (
    [(name, args(DOMAIN.get(name[2:], Z))) for name in UNARY]
    + [
        ("conj", args(Z)),
        ("real_imag", args(Z)),
        ("modulus", args(Z)),
        ("modulus_scalar", lambda: (0.7 - 1.3j,)),
        ("phase", args(Z)),
        ("arithmetic", args(Z, right_half_plane(3, 4))),
        ("powers", args(right_half_plane(3, 4), complex_normal(3, 4, scale=0.5))),
        ("broadcast", args(Z, right_half_plane(4))),
        ("mixed_real", lambda: (R.standard_normal((3, 4)), Z())),
        ("reductions", args(Z)),
        ("products", args(Z)),
        ("running", args(Z)),
        ("spreads", args(Z)),
        ("norms", args(Z)),
        ("rearranging", args(Z)),
        ("joining", args(Z, Z)),
        ("splitting", args(complex_normal(3, 4))),
        ("repeating", args(Z)),
        ("triangles", args(complex_normal(3, 3))),
        ("indexing", args(Z)),
        ("matrix_products", args(complex_normal(3, 4), complex_normal(4, 3))),
        ("vector_products", args(complex_normal(3, 4), complex_normal(4, 3))),
        ("contractions", args(complex_normal(3, 4), complex_normal(4, 3))),
        ("inverse", args(well_conditioned())),
        ("solve", args(well_conditioned(), complex_normal(3), complex_normal(3, 2))),
        ("determinant", args(well_conditioned())),
        ("batched", args(well_conditioned(2), complex_normal(2, 3, 2))),
        ("eigen", args(complex_normal(3, 3))),
        ("fft_1d", args(complex_normal(5, 8))),
        ("fft_nd", args(complex_normal(3, 8))),
        ("fft_real", args(complex_normal(4, 5))),
        ("fft_shifts", args(complex_normal(3, 5))),
        ("spectrum_of_real", lambda: (R.standard_normal(4),)),
        ("spectrum_in_a_list", lambda: ([R.standard_normal(4), R.standard_normal(4)],)),
    ]
)
ARGS = {}


def _args(index):
    """The arguments for a case, made once so both modes check the same point."""
    name, factory = CASES[index]
    return ARGS.setdefault(index, factory())


@pytest.mark.parametrize("index", range(len(CASES)), ids=[c[0] for c in CASES])
def test_reverse(index):
    name, _ = CASES[index]
    arguments = _args(index)
    wrt = tuple(range(len(arguments))) if len(arguments) > 1 else 0
    check_grads(getattr(crf, name), *arguments, wrt=wrt, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("index", range(len(CASES)), ids=[c[0] for c in CASES])
def test_forward(index):
    name, _ = CASES[index]
    check_jvp(getattr(crf, name), *_args(index), rtol=1e-5, atol=1e-6)


def test_gradient_of_a_complex_number_is_complex():
    grad = adjoint.grad(crf.modulus_scalar)(0.7 - 1.3j)
    assert type(grad) is complex
    z = 0.7 - 1.3j         # d/dz* of 2|z| + |z|^4 in the dL/dx + i dL/dy convention
    assert grad == pytest.approx(2 * z / abs(z) + 4 * abs(z) ** 2 * z)


def test_forward_abs_of_complex_is_the_real_directional_derivative():
    z = np.array([3.0 + 4.0j, -1.0 + 0.5j])
    dz = np.array([1.0 - 2.0j, 0.5j])
    _, tangent = adjoint.jvp(lambda_free_abs, (z,), (dz,))
    np.testing.assert_allclose(tangent, np.real(np.conj(z) * dz) / np.abs(z))
    _, tangent = adjoint.jvp(lambda_free_angle, (z,), (dz,))
    np.testing.assert_allclose(tangent, np.imag(np.conj(z) * dz) / np.abs(z) ** 2)


def lambda_free_abs(z):
    return np.abs(z)


def lambda_free_angle(z):
    return np.angle(z)
