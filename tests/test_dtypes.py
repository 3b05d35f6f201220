"""Derivatives keep their argument's precision: the gradient, tangent and Hessian of a float32
(complex64) argument are float32 (complex64); integer arguments get float64 gradients."""
import numpy as np
import pytest

import adjoint
import coverage_functions as cf
import test_rules_coverage as coverage


def single(value):
    """float64 arrays made float32, complex128 complex64; numbers and other values as they are."""
    if isinstance(value, np.ndarray) and value.dtype == np.float64:
        return value.astype(np.float32)
    if isinstance(value, np.ndarray) and value.dtype == np.complex128:
        return value.astype(np.complex64)
    return value


@pytest.mark.parametrize("index", range(len(coverage.CASES)), ids=coverage.IDS if hasattr(coverage, "IDS")
                         else [f"{c[0]}-{i}" for i, c in enumerate(coverage.CASES)])
def test_a_float32_argument_gets_a_float32_gradient_across_the_rule_table(index):
    name, factory, wrt = coverage.CASES[index]
    arguments = coverage._args(name, factory, index)
    narrow = tuple(single(a) for a in arguments)
    positions = wrt if isinstance(wrt, tuple) else (wrt,)
    with np.errstate(all="ignore"):
        wide = adjoint.grad(getattr(cf, name), wrt=wrt)(*arguments)
        got = adjoint.grad(getattr(cf, name), wrt=wrt)(*narrow)
    wide, got = (wide, got) if isinstance(wrt, tuple) else ((wide,), (got,))
    for p, w, g in zip(positions, wide, got):
        if isinstance(narrow[p], np.ndarray):
            assert g.dtype == narrow[p].dtype, f"{name}: gradient {g.dtype} for a {narrow[p].dtype} argument"
            np.testing.assert_allclose(g, w, rtol=2e-3, atol=2e-3 * (1 + np.max(np.abs(w))))


def cubic(x):
    return np.sum(x ** 3 * np.sin(x))


def test_tangent_and_hessian_of_float32_and_complex64():
    x = np.array([0.3, -0.7, 1.1], dtype=np.float32)
    value, tangent = adjoint.jvp(cubic, (x,), (np.ones(3, np.float32),))
    assert np.asarray(tangent).dtype == np.float32 and np.asarray(value).dtype == np.float32
    assert adjoint.hessian(cubic)(x).dtype == np.float32
    z = np.array([0.3 + 0.1j, -0.7j], dtype=np.complex64)
    assert adjoint.grad(lambda_like_abs)(z).dtype == np.complex64


def lambda_like_abs(z):
    return np.sum(np.abs(z) ** 2)


def test_an_integer_argument_gets_a_float64_gradient():
    assert adjoint.grad(cubic)(np.array([1, 2, 3])).dtype == np.float64
