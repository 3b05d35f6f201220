"""Higher derivatives: grad of grad, Hessians, Hessian-vector products, perturbation confusion,
the first seven derivatives of tanh, and error propagation with a Jacobian."""

import math
import time

import numpy as np
import pytest
from numpy.polynomial import Polynomial

import adjoint
import corpus_functions as cf
import forward_functions as ff
from adjoint.testing import numerical_grad, numerical_jacobian

# --- grad(grad(f)) ------------------------------------------------------------------------------


def _second_loop_and_branch(x):
    if x > 0:
        return 1.0 + 2.0 * x + 3.0 * x ** 2                 # (x + x²/2 + x³/3 + x⁴/4)''
    return sum(i * i * math.sin(i * x) for i in range(1, 5))   # (-Σ sin(i x))''


def _second_taylor_sin(x):
    """Second derivative of the polynomial taylor_sin actually sums (it stops at the first term < 1e-8)."""
    total, sign = 0.0, -1.0
    for i in range(1, 20, 2):
        if abs(x ** i / math.factorial(i)) < 1e-8:
            break
        sign = -sign
        if i > 1:
            total += sign * x ** (i - 2) / math.factorial(i - 2)
    return total


SECOND = [
    pytest.param(cf.cube, lambda x: 6.0 * x, [-1.7, -0.3, 0.0, 0.8, 2.0], 1e-13, id="cube"),
    pytest.param(ff.sine, lambda x: -math.sin(x), [-2.0, -0.4, 0.0, 1.1, 3.0], 1e-13, id="sin"),
    pytest.param(cf.taylor_sin, _second_taylor_sin, [0.2, 0.9, 1.6, 2.4], 1e-13, id="taylor_sin"),
    pytest.param(ff.loop_and_branch, _second_loop_and_branch, [-1.3, -0.2, 0.4, 1.5], 1e-13, id="loop_and_branch"),
]


@pytest.mark.parametrize("fn, closed_form, points, tol", SECOND)
def test_grad_of_grad_matches_closed_form_and_finite_differences(fn, closed_form, points, tol):
    d2 = adjoint.grad(adjoint.grad(fn))
    dfn = adjoint.grad(fn)
    for x in points:
        got = d2(x)
        assert type(got) is float, f"{fn.__name__}: second derivative is {type(got).__name__}"
        assert got == pytest.approx(closed_form(x), rel=tol, abs=tol), f"{fn.__name__}''({x})"
        assert got == pytest.approx(numerical_grad(dfn, (x,), eps=1e-5), rel=1e-6, abs=1e-7)


def test_taylor_sin_second_derivative_is_close_to_minus_sin():
    d2 = adjoint.grad(adjoint.grad(cf.taylor_sin))
    for x in [0.2, 0.9, 1.6, 2.4]:
        assert d2(x) == pytest.approx(-math.sin(x), abs=1e-5)      # the series is cut at terms < 1e-8


def test_grad_of_grad_with_int_argument():
    assert adjoint.grad(adjoint.grad(cf.cube))(2) == 12.0


def test_third_derivative_of_loop_and_branch():
    d3 = adjoint.grad(adjoint.grad(adjoint.grad(ff.loop_and_branch)))
    assert d3(0.7) == pytest.approx(2.0 + 6.0 * 0.7, rel=1e-13)
    assert d3(-0.7) == pytest.approx(sum(i ** 3 * math.cos(-0.7 * i) for i in range(1, 5)), rel=1e-13)


# --- Hessians -----------------------------------------------------------------------------------


def _mlp_args(rng):
    return rng.standard_normal((3, 4)) * 0.5, rng.standard_normal((6, 3)), rng.standard_normal(4), rng.standard_normal(6)


HESSIAN_CASES = [
    pytest.param(ff.rosenbrock, lambda r: (r.uniform(-1, 1, 4),), id="rosenbrock"),
    pytest.param(ff.quadratic_plus_quartic, lambda r: (r.standard_normal(3), r.standard_normal((3, 3))),
                 id="quadratic_plus_quartic"),
    pytest.param(cf.loop_carried_array, lambda r: (r.standard_normal(3), 3), id="loop_carried_array"),
    pytest.param(cf.logsumexp, lambda r: (r.standard_normal(4),), id="logsumexp"),
    pytest.param(ff.square_of_sum, lambda r: (r.standard_normal(3),), id="square_of_sum"),
    pytest.param(ff.mlp_weight_loss, _mlp_args, id="mlp_weight_matrix"),
    pytest.param(ff.mlp_weight_loss_no_matvec, _mlp_args, id="mlp_weight_matrix_no_matvec"),
]


def _zeros_like_args(args):
    return tuple(np.zeros_like(a, dtype=float) if isinstance(a, np.ndarray) else 0.0 for a in args)


@pytest.mark.parametrize("fn, factory", HESSIAN_CASES)
def test_hessian(fn, factory):
    rng = np.random.default_rng(3)
    args = factory(rng)
    x = args[0]
    n = x.size
    H = adjoint.hessian(fn)(*args)
    assert isinstance(H, np.ndarray) and H.shape == x.shape + x.shape
    flat = H.reshape(n, n)
    np.testing.assert_allclose(flat, flat.T, rtol=1e-10, atol=1e-12)          # symmetric

    reference = numerical_jacobian(adjoint.grad(fn), args, eps=1e-5)          # finite differences of grad
    np.testing.assert_allclose(H, reference, rtol=1e-6, atol=1e-7)

    via_jacobian = adjoint.jacobian(adjoint.grad(fn), mode="forward")(*args)
    np.testing.assert_allclose(via_jacobian, H, rtol=1e-13, atol=1e-14)

    # Hessian-vector product by forward over reverse, without forming H
    v = rng.standard_normal(x.shape)
    tangents = (v,) + _zeros_like_args(args[1:])
    _, hvp = adjoint.jvp(adjoint.grad(fn), args, tangents)
    assert np.shape(hvp) == x.shape
    np.testing.assert_allclose(hvp, (flat @ v.ravel()).reshape(x.shape), rtol=1e-10, atol=1e-12)


def test_hessian_closed_form_of_quadratic_plus_quartic(rng):
    x, A = rng.standard_normal(3), rng.standard_normal((3, 3))
    H = adjoint.hessian(ff.quadratic_plus_quartic)(x, A)
    np.testing.assert_allclose(H, (A + A.T) / 2 + np.diag(x ** 2), rtol=1e-12, atol=1e-14)


def test_hessian_closed_form_of_square_of_sum(rng):
    x = rng.standard_normal(4)
    want = (2.0 + 6.0 * np.mean(x) / 4 ** 2) * np.ones((4, 4))     # d²/dx² [s² + (s/n)³], s = Σx
    np.testing.assert_allclose(adjoint.hessian(ff.square_of_sum)(x), want, rtol=1e-12)


def test_hessian_vector_product_of_one_argument_function(rng):
    x, v = rng.uniform(-1, 1, 5), rng.standard_normal(5)
    _, hvp = adjoint.jvp(adjoint.grad(ff.rosenbrock), (x,), (v,))
    np.testing.assert_allclose(hvp, adjoint.hessian(ff.rosenbrock)(x) @ v, rtol=1e-12, atol=1e-12)


# --- perturbation confusion -----------------------------------------------------------------------

CONFUSION = ("compiler: a call to adjoint.grad(...)(...) inside a function being differentiated is "
             "rejected: NonDifferentiable 'cannot differentiate a call to t3 ... it is not known at compile "
             "time' (t3 is the compiler's own temporary for `adjoint.grad(inner, wrt=1)`), in reverse "
             "(grad) and forward (jvp) mode alike")


@pytest.mark.parametrize("x", [0.5, 2.0])
def test_no_perturbation_confusion(x):
    # d/dx [x * d/dy (x + y)] = d/dx [x * 1] = 1; confusing the two perturbations gives 2
    assert ff.outer(x) == x
    assert adjoint.grad(ff.outer)(x) == pytest.approx(1.0, rel=1e-14)
    assert adjoint.jvp(ff.outer, (x,), (1.0,))[1] == pytest.approx(1.0, rel=1e-14)


def test_no_perturbation_confusion_with_gradient_object():
    # d/dx [x * d/dy (x * y)]|_{y=x} = d/dx [x * x] = 2x; confusing the perturbations gives 3x
    assert adjoint.grad(ff.outer_via_gradient_object)(1.5) == pytest.approx(3.0, rel=1e-14)


def test_grad_of_partial_derivative_is_independent_of_the_other_variable():
    assert adjoint.grad(adjoint.grad(ff.inner, wrt=1))(2.0, 3.0) == 0.0
    assert adjoint.grad(adjoint.grad(ff.inner_product, wrt=1))(2.0, 3.0) == pytest.approx(1.0)


# --- the first seven derivatives of tanh (Autograd's demo) -----------------------------------------


def _tanh_derivative_polynomials(order):
    """P_k with d^k/dx^k tanh(x) = P_k(tanh(x)): P_0 = t, P_{k+1} = P_k'(t) (1 - t^2)."""
    polys = [Polynomial([0.0, 1.0])]
    for _ in range(order):
        polys.append(polys[-1].deriv() * Polynomial([1.0, 0.0, -1.0]))
    return polys


def test_first_seven_derivatives_of_tanh(capsys):
    points = np.linspace(-2, 2, 9)
    polys = _tanh_derivative_polynomials(7)
    rows = []
    d = ff.tanh
    for k in range(1, 8):
        d = adjoint.grad(d)
        start = time.perf_counter()
        first = d(float(points[0]))                     # compiles order k (and nothing below it again)
        build = time.perf_counter() - start
        start = time.perf_counter()
        values = [first] + [d(float(x)) for x in points[1:]]
        run = (time.perf_counter() - start) / (len(points) - 1)
        rows.append((k, build, run))
        want = polys[k](np.tanh(points))
        scale = np.max(np.abs(want))
        np.testing.assert_allclose(values, want, rtol=1e-11, atol=1e-12 * scale, err_msg=f"order {k}")
        assert build < 20.0, f"building order {k} took {build:.1f} s"
    with capsys.disabled():
        print("\n  tanh derivatives: order, first call (build + 1 eval) [s], later call [s]")
        for k, build, run in rows:
            print(f"    {k}  {build:8.3f}  {run:.2e}")


# --- error propagation --------------------------------------------------------------------------


def _sigma(q, v, dv, *rest, mode):
    return np.sqrt(np.sum((adjoint.jacobian(q, mode=mode)(v, *rest) * dv) ** 2))


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_error_propagation_textbook_formulas(mode):
    x, y, dx, dy = 3.2, -1.7, 0.05, 0.02
    v, dv = np.array([x, y]), np.array([dx, dy])
    relative = math.hypot(dx / x, dy / y)
    assert _sigma(ff.q_sum, v, dv, mode=mode) == pytest.approx(math.hypot(dx, dy), rel=1e-13)
    assert _sigma(ff.q_product, v, dv, mode=mode) == pytest.approx(abs(x * y) * relative, rel=1e-13)
    assert _sigma(ff.q_quotient, v, dv, mode=mode) == pytest.approx(abs(x / y) * relative, rel=1e-13)
    for m, n in [(3, -2), (0.5, 1.5), (2.0, 1)]:
        yy = abs(y) if n != int(n) else y                 # non-integer powers need a positive base
        w = np.array([x, yy])
        q = x ** m * yy ** n
        want = abs(q) * math.hypot(m * dx / x, n * dy / yy)
        assert _sigma(ff.q_power, w, dv, m, n, mode=mode) == pytest.approx(want, rel=1e-13), (m, n)


def test_hvp_matches_hessian_times_vector():
    rng = np.random.default_rng(3)
    W, X = rng.standard_normal((3, 4)) * 0.5, rng.standard_normal((5, 3))
    v_out, y = rng.standard_normal(4), rng.standard_normal(5)
    direction = rng.standard_normal(W.shape)
    H = adjoint.hessian(ff.mlp_weight_loss)(W, X, v_out, y)
    got = adjoint.hvp(ff.mlp_weight_loss)(W, X, v_out, y, direction)
    assert got.shape == W.shape
    np.testing.assert_allclose(got, np.tensordot(H, direction, axes=2), rtol=1e-9, atol=1e-12)
