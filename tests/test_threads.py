"""Derivatives from several threads and processes: the first call compiles once and never raises;
derivative objects travel to a process pool by reference to their function."""
import pickle
import threading
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest

import adjoint
from adjoint import cache
from adjoint.testing import numerical_grad

THREADS = 8


def poly_for_grad(x):
    return x * x * x + 2.0 * x


def poly_for_value_and_grad(x):
    return x * x * x + 2.0 * x


def poly_for_jvp(x):
    return np.sin(x) * x


def poly_for_vjp(x):
    return np.sin(x) * x


def poly_for_hessian(x):
    return np.sum(np.sin(x) * x ** 2)


def twin_for_grad(x):          # the same unit as poly_for_grad, to count what one first call compiles
    return x * x * x + 2.0 * x


def _first_calls_together(call):
    """Run call() in THREADS threads released at once; (results, errors, functions compiled)."""
    barrier = threading.Barrier(THREADS)
    results, errors = [None] * THREADS, []

    def worker(i):
        barrier.wait()
        try:
            results[i] = call()
        except Exception as exc:           # any error fails the test below, with its message
            errors.append(exc)
    before = cache.compile_count()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors, cache.compile_count() - before


def _compiled_by(call):
    before = cache.compile_count()
    call()
    return cache.compile_count() - before


def test_first_grad_from_eight_threads_compiles_once():
    g = adjoint.grad(poly_for_grad)
    results, errors, compiled = _first_calls_together(lambda: g(1.5))
    assert not errors
    assert results == [3 * 1.5 ** 2 + 2.0] * THREADS
    assert compiled == _compiled_by(lambda: adjoint.grad(twin_for_grad)(1.5))


def test_first_value_and_grad_from_eight_threads_compiles_once():
    g = adjoint.value_and_grad(poly_for_value_and_grad)
    results, errors, compiled = _first_calls_together(lambda: g(np.float64(0.5)))
    assert not errors and compiled >= 1
    assert all(r == results[0] for r in results)
    assert _compiled_by(lambda: g(np.float64(0.5))) == 0


def test_first_jvp_from_eight_threads_compiles_once():
    x = np.linspace(0.1, 1.0, 4)
    results, errors, compiled = _first_calls_together(lambda: adjoint.jvp(poly_for_jvp, (x,), (np.ones(4),)))
    assert not errors and compiled == 1
    for value, tangent in results:
        assert np.allclose(tangent, np.cos(x) * x + np.sin(x))


def test_first_vjp_from_eight_threads_compiles_once():
    x = np.linspace(0.1, 1.0, 4)

    def call():
        _, pullback = adjoint.vjp(poly_for_vjp, x)
        return pullback(np.ones(4))
    results, errors, compiled = _first_calls_together(call)
    assert not errors and compiled == 1
    for (gradient,) in results:
        assert np.allclose(gradient, np.cos(x) * x + np.sin(x))


def test_first_hessian_from_eight_threads_never_raises():
    x = np.array([0.3, -0.7])
    h = adjoint.hessian(poly_for_hessian)
    results, errors, _ = _first_calls_together(lambda: h(x))
    assert not errors
    gradient = adjoint.grad(poly_for_hessian)
    expected = np.array([numerical_grad(lambda y: gradient(y)[i], (x,)) for i in range(2)])
    for result in results:
        assert np.allclose(result, expected, atol=1e-5)


def sum_of_cubes(x):
    return np.sum(x ** 3)


def test_vjp_caps_its_specialisations_per_shape_like_grad():
    before = cache.compile_count()
    for n in range(2, 14):
        x = np.linspace(0.0, 1.0, n)
        _, pullback = adjoint.vjp(sum_of_cubes, x)
        assert np.allclose(pullback(1.0)[0], 3 * x ** 2)
    assert cache.compile_count() - before <= api_max_shapes() + 1


def api_max_shapes():
    from adjoint import api
    return api._MAX_SHAPES


def loss(w, x):
    return np.sum(np.tanh(w * x))


@adjoint.differentiate(wrt="w")
def decorated_loss(w, x):
    return np.sum(np.tanh(w * x))


def _round_trip(obj):
    return pickle.loads(pickle.dumps(obj))


@pytest.mark.parametrize("make", [lambda: adjoint.grad(loss), lambda: adjoint.value_and_grad(loss, wrt=(0, 1)),
                                  lambda: decorated_loss, lambda: decorated_loss.grad,
                                  lambda: adjoint.grad(adjoint.grad(poly_for_grad))],
                         ids=["grad", "value_and_grad", "differentiate", "differentiate.grad", "grad_of_grad"])
def test_derivatives_pickle_by_reference_after_being_called(make):
    derivative = make()
    args = (0.7,) if "poly" in repr(getattr(derivative, "fn", "")) else (np.array([0.5, -0.2]), np.array([1.0, 2.0]))
    first = derivative(*args)
    again = _round_trip(derivative)(*args)
    assert str(first) == str(again)
    assert len(pickle.dumps(derivative)) < 500          # by reference: no compiled code inside


def test_derivative_runs_in_a_process_pool():
    g = adjoint.grad(loss)
    w, x = np.array([0.5, -0.2]), np.array([1.0, 2.0])
    g(w, x)
    with ProcessPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(g, [w, w + 1.0], [x, x]))
    assert np.allclose(results[0], g(w, x)) and np.allclose(results[1], g(w + 1.0, x))
