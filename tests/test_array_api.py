"""Code written against the array API standard (issue 15), differentiated on array_api_strict arrays:
the strictest implementation, whose arrays NumPy's functions would silently convert. Every test
here runs with that conversion made an error, so a derivative that reaches for NumPy anywhere (in a
template, in the runtime, in the API) fails instead of passing by accident. Each derivative is
compared with the same function's on NumPy arrays (array-api-compat's NumPy namespace) and with
central differences. Skipped where array-api-strict or array-api-compat is not installed
(`pip install -e '.[array-api]'`)."""
import numpy as np
import pytest

import adjoint
from adjoint.errors import NonDifferentiable
from adjoint.testing import numerical_grad, numerical_jacobian

xps = pytest.importorskip("array_api_strict")
pytest.importorskip("array_api_compat")

import array_api_functions as F  # noqa: E402  (needs array-api-compat)

X = np.linspace(0.1, 0.6, 5)
Y = np.linspace(-0.3, 0.4, 5)
V = np.linspace(1.0, -0.5, 5)
_rng = np.random.default_rng(0)
A = _rng.standard_normal((3, 4)) * 0.5
B = _rng.standard_normal((2, 4)) * 0.5
W = _rng.standard_normal((4, 5)) * 0.5

# (function, arguments, which argument to differentiate by)
CASES = [
    (F.elementwise, (X,), 0), (F.inverse_trig, (X,), 0), (F.hyperbolic, (X,), 0), (F.arithmetic, (X, Y), 0),
    (F.arithmetic, (X, Y), 1), (F.power_of_arrays, (X, Y), 1), (F.layer, (W, X), 0), (F.layer, (W, X), 1),
    (F.matrices, (A, B), 1), (F.reductions, (A,), 0), (F.shapes, (A,), 0), (F.slices, (X,), 0),
    (F.selection, (X,), 0), (F.loop, (X, 0.3), 0), (F.loop, (X, 0.3), 1), (F.branch, (X,), 0),
    (F.branch, (X * 3,), 0), (F.with_helper, (W, X), 1), (F.store, (X,), 0), (F.module_namespace, (X,), 0),
    (F.linear_algebra, (A, X[:3]), 0), (F.linear_algebra, (A, X[:3]), 1), (F.spread, (X,), 0),
    (F.absolute, (X,), 0), (F.projections, (A, X[:4]), 0), (F.projections, (A, X[:4]), 1),
]

IDS = [f"{fn.__name__}-{wrt}" for fn, _, wrt in CASES]


@pytest.fixture(autouse=True)
def no_conversion_to_numpy(monkeypatch):
    """NumPy's functions convert an array_api_strict array through __array__: make that an error."""
    def refuse(self, *args, **kwargs):
        raise AssertionError("an array_api_strict array was converted to NumPy")
    monkeypatch.setattr(type(xps.asarray(0.0)), "__array__", refuse)


def strict(args, dtype=None):
    return tuple(xps.asarray(a, dtype=dtype or xps.float64) if isinstance(a, np.ndarray) else a for a in args)


def numpy_of(x):
    """A strict array's values (through the buffer it wraps: __array__ is refused here)."""
    return np.asarray(x._array) if hasattr(x, "_array") else x


def is_strict(x):
    return type(x) is type(xps.asarray(0.0))


def on_numpy(fn):
    """fn taking and giving NumPy values: module_namespace calls array_api_strict's own functions,
    which take its arrays only."""
    if fn is not F.module_namespace:
        return fn
    return lambda *args: float(numpy_of(fn(*strict(args))))


@pytest.mark.parametrize("fn, args, wrt", CASES, ids=IDS)
def test_the_gradient_of_array_api_code_is_an_array_of_its_library(fn, args, wrt):
    gradient = adjoint.grad(fn, wrt)(*strict(args))
    want = numerical_grad(on_numpy(fn), args, wrt)
    if isinstance(args[wrt], float):
        assert float(gradient) == pytest.approx(want, rel=1e-6, abs=1e-8)
        return
    assert is_strict(gradient) and gradient.dtype == xps.float64
    np.testing.assert_allclose(numpy_of(gradient), want, rtol=1e-6, atol=1e-8)
    if fn is not F.module_namespace:          # (array_api_strict's functions take its own arrays only)
        np.testing.assert_allclose(numpy_of(gradient), adjoint.grad(fn, wrt)(*args), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("fn, args, wrt", CASES, ids=IDS)
def test_forward_mode_on_array_api_code(fn, args, wrt):
    direction = V if args[wrt] is X or args[wrt] is Y or fn is F.branch and wrt == 0 else \
        _rng.standard_normal(np.shape(args[wrt])) if isinstance(args[wrt], np.ndarray) else 1.0
    tangents = tuple(xps.asarray(direction) if i == wrt and isinstance(a, np.ndarray) else
                     direction if i == wrt else
                     xps.zeros(a.shape, dtype=xps.float64) if isinstance(a, np.ndarray) else 0.0
                     for i, a in enumerate(args))
    value, tangent = adjoint.jvp(fn, strict(args), tangents)
    want = np.sum(numerical_grad(on_numpy(fn), args, wrt) * direction)
    assert float(numpy_of(tangent)) == pytest.approx(want, rel=1e-6, abs=1e-8)
    assert float(numpy_of(value)) == pytest.approx(float(numpy_of(fn(*strict(args)))), rel=1e-12)


HESSIAN_CASES = [c for c in CASES if isinstance(c[1][c[2]], np.ndarray) and c[0] is not F.module_namespace]


@pytest.mark.parametrize("fn, args, wrt", HESSIAN_CASES, ids=[f"{c[0].__name__}-{c[2]}" for c in HESSIAN_CASES])
def test_the_hessian_of_array_api_code(fn, args, wrt):
    hessian = adjoint.hessian(fn, wrt)(*strict(args))
    assert is_strict(hessian)
    gradient = adjoint.grad(fn, wrt)
    want = numerical_jacobian(lambda *a: gradient(*a), args, wrt)
    size = int(np.prod(np.shape(args[wrt])))
    np.testing.assert_allclose(numpy_of(hessian).reshape(size, size), np.reshape(want, (size, size)),
                               rtol=1e-5, atol=1e-6)
    product = adjoint.hvp(fn, wrt)(*strict(args), xps.ones(np.shape(args[wrt]), dtype=xps.float64))
    np.testing.assert_allclose(numpy_of(product).ravel(), numpy_of(hessian).reshape(size, size).sum(axis=1),
                               rtol=1e-10, atol=1e-12)


def test_a_float32_array_gets_a_float32_gradient():
    gradient = adjoint.grad(F.layer, 1)(*strict((W, X), dtype=xps.float32))
    assert is_strict(gradient) and gradient.dtype == xps.float32
    np.testing.assert_allclose(numpy_of(gradient), adjoint.grad(F.layer, 1)(W, X), rtol=1e-4)


def test_the_derivative_is_written_with_the_functions_own_namespace():
    text = adjoint.source(F.inverse_trig)
    assert "xp.acos(" in text and "xp.sqrt(" in text           # the rules' NumPy calls, as the standard spells them
    assert "np." not in text.replace("np.shape(", "")          # (np.shape reads .shape: no conversion)


def test_a_rule_whose_derivative_needs_numpy_is_refused_when_compiling():
    with pytest.raises(NonDifferentiable, match=r"array API.*rt\.prod_others"):
        adjoint.grad(F.product)(*strict((A,)))


def test_the_users_arrays_are_not_changed():
    """damp_in_place stores into its argument: a derivative works on its own copy."""
    args = strict((X,))
    gradient = adjoint.grad(F.damp_in_place)(*args)
    adjoint.hessian(F.damp_in_place)(*args)
    np.testing.assert_array_equal(numpy_of(args[0]), X)
    np.testing.assert_allclose(numpy_of(gradient), numerical_grad(F.damp_in_place, (X.copy(),)), rtol=1e-6)


def numpy_written(x):
    return np.sum(np.sin(x) * x)


def test_a_function_written_with_numpy_gives_the_gradient_in_its_arguments_library(monkeypatch):
    """np.sin converts an array_api_strict array (the function's own choice, so conversion is allowed
    here): the function computes in NumPy, and its gradient comes back as the argument's library."""
    monkeypatch.undo()
    gradient = adjoint.grad(numpy_written)(*strict((X,)))
    assert is_strict(gradient)
    np.testing.assert_allclose(numpy_of(gradient), adjoint.grad(numpy_written)(X), rtol=1e-12)
