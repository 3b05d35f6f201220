"""Complex inputs, real output: the gradient is dL/dx + i dL/dy (PyTorch's and Zygote's convention)."""
import numpy as np
import pytest

import adjoint
import complex_functions as cf

RNG = np.random.default_rng(9)


def _complex_fd(f, args, wrt, eps=1e-6):
    """dL/dx + i dL/dy by central differences on the real and imaginary parts separately."""
    z = np.asarray(args[wrt], dtype=complex)
    out = np.zeros(z.shape, dtype=complex)
    for index in np.ndindex(z.shape or ()):
        for unit in (1.0, 1j):
            plus, minus = z.copy(), z.copy()
            plus[index] += eps * unit
            minus[index] -= eps * unit
            a, b = list(args), list(args)
            a[wrt], b[wrt] = plus, minus
            slope = (f(*a) - f(*b)) / (2 * eps)
            out[index] += slope * (1.0 if unit == 1.0 else 1j)
    return out


def _z(*shape):
    return RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape)


CASES = [
    (cf.squared_modulus, lambda: (_z(),), 0),
    (cf.modulus_of_exp, lambda: (_z(3) * 0.3, RNG.standard_normal(3)), 0),
    (cf.modulus_of_exp, lambda: (_z(3) * 0.3, RNG.standard_normal(3)), 1),
    (cf.real_part_of_product, lambda: (_z(4), _z(4)), 0),
    (cf.matrix_vector, lambda: (_z(3, 2), _z(2)), 0),
    (cf.matrix_vector, lambda: (_z(3, 2), _z(2)), 1),
    (cf.phase_and_magnitude, lambda: (_z(3),), 0),
]


@pytest.mark.parametrize("fn, factory, wrt", CASES, ids=[f"{c[0].__name__}-{c[2]}" for c in CASES])
def test_complex_gradient_convention(fn, factory, wrt):
    args = factory()
    got = adjoint.grad(fn, wrt=wrt)(*args)
    want = _complex_fd(fn, args, wrt)
    if not np.iscomplexobj(args[wrt]):
        want = want.real
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8)


def test_closed_form_and_descent():
    z = 1.5 - 0.5j
    assert adjoint.grad(cf.squared_modulus)(z) == pytest.approx(2 * z)
    assert type(adjoint.grad(cf.squared_modulus)(z)) is complex
    w = _z(4)
    np.testing.assert_allclose(adjoint.grad(cf.real_part_of_product)(_z(4), w), np.conj(w))
    # z -= lr * g descends
    z = np.array([1.0 + 2.0j, -0.5 + 0.1j])
    w = RNG.standard_normal(2)
    before = cf.modulus_of_exp(z, w)
    z2 = z - 0.01 * adjoint.grad(cf.modulus_of_exp)(z, w)
    assert cf.modulus_of_exp(z2, w) < before
