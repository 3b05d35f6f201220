"""Gradients of Dask arrays (issue 15, a first slice): a chunked Dask array is an array to the
compiler (its shape from `.shape`), NumPy's functions dispatch to Dask, and the gradient comes back
as a lazy Dask array, equal to the NumPy result; nothing is computed until `.compute()`. Skipped
where Dask is not installed (`pip install -e '.[dask]'`)."""
import numpy as np
import pytest

import adjoint
from adjoint.testing import numerical_grad

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")


def elementwise(x):
    return np.sum(np.sin(x) * x)


def scaled(x, a):
    return np.mean(a * x ** 2 + np.exp(-x))


def looped(x):
    total = 0.0
    for k in range(3):
        total = total + np.sum(np.tanh(x * k))
    return total


def broadcast_matrix(W, v):
    return np.sum(np.tanh(W * v) ** 2)


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def rows(X):
    return np.sum(X[0] * X[-1]) + np.sum(X[1:, 0] ** 2)


def layer(W, x):
    h = np.tanh(W @ x)
    return np.sum(h / np.sqrt(np.sum(h * h)))


class CountingScheduler:
    """A Dask scheduler that counts the graphs it is asked to compute."""

    def __init__(self):
        self.computes = 0

    def __call__(self, graph, keys, **options):
        self.computes += 1
        return dask.get(graph, keys, **options)


CASES = [
    ("elementwise", elementwise, 0, lambda: (np.linspace(-1.0, 1.0, 10),)),
    ("scaled", scaled, 0, lambda: (np.linspace(-1.0, 1.0, 10), 0.5)),
    ("looped", looped, 0, lambda: (np.linspace(-1.0, 1.0, 10),)),
    ("broadcast_matrix", broadcast_matrix, 0, lambda: (np.linspace(-1, 1, 12).reshape(4, 3), np.ones(3))),
    ("rosenbrock", rosenbrock, 0, lambda: (np.linspace(-1.0, 1.5, 10),)),
    ("rows", rows, 0, lambda: (np.linspace(-1, 1, 12).reshape(4, 3),)),
    ("layer", layer, 0, lambda: (np.linspace(-1, 1, 12).reshape(4, 3), np.linspace(0.5, 1.0, 3))),
]


@pytest.mark.parametrize("name, fn, wrt, make", CASES, ids=[c[0] for c in CASES])
def test_the_gradient_of_a_dask_array_is_lazy_and_equal_to_numpys(name, fn, wrt, make):
    arrays = make()
    chunked = tuple(da.from_array(a, chunks=3) if isinstance(a, np.ndarray) else a for a in arrays)
    scheduler = CountingScheduler()
    with dask.config.set(scheduler=scheduler):
        gradient = adjoint.grad(fn, wrt)(*chunked)
        assert isinstance(gradient, da.Array) and scheduler.computes == 0
        computed = gradient.compute()
    assert scheduler.computes == 1
    np.testing.assert_allclose(computed, adjoint.grad(fn, wrt)(*arrays), rtol=1e-12)
    np.testing.assert_allclose(computed, numerical_grad(fn, arrays, wrt), rtol=1e-6, atol=1e-8)
