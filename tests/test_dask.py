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

from duck_array_functions import (broadcast_matrix, damp_in_place, elementwise, fill, joined,  # noqa: E402
                                  layer, looped, picked, rosenbrock, rows, scaled, stencil)


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
    ("stencil", stencil, 0, lambda: (np.linspace(-1.0, 1.0, 10),)),
    ("fill", fill, 0, lambda: (np.linspace(-1.0, 1.0, 7),)),
    ("damp_in_place", damp_in_place, 0, lambda: (np.linspace(-1.0, 1.0, 7),)),
    ("joined", joined, 0, lambda: (np.linspace(-1.0, 1.0, 7),)),
    ("picked", picked, 0, lambda: (np.linspace(-1.0, 1.0, 7),)),
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


def test_a_derivative_does_not_change_the_users_dask_array():
    x = da.from_array(np.linspace(-1.0, 1.0, 7), chunks=3)
    graph_before = dict(x.__dask_graph__())
    adjoint.grad(damp_in_place)(x).compute()
    assert dict(x.__dask_graph__()) == graph_before
    np.testing.assert_array_equal(x.compute(), np.linspace(-1.0, 1.0, 7))


def test_a_gradient_runs_on_a_distributed_cluster():
    """The README's example: the same gradient, its chunks computed by worker processes."""
    distributed = pytest.importorskip("dask.distributed")
    with distributed.Client(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as client:
        x = da.from_array(np.linspace(-1.0, 1.5, 2000), chunks=500)
        gradient = adjoint.grad(rosenbrock)(x)
        assert isinstance(gradient, da.Array)
        computed = client.compute(gradient).result()
    np.testing.assert_allclose(computed, adjoint.grad(rosenbrock)(np.linspace(-1.0, 1.5, 2000)), rtol=1e-12)


def _arrays_in(graph):
    """The NumPy arrays held in a Dask graph's tasks (the data it would ship to workers)."""
    found, stack = [], list(dict(graph).values())
    while stack:
        item = stack.pop()
        if isinstance(item, np.ndarray):
            found.append(item)
        elif isinstance(item, (tuple, list)):
            stack.extend(item)
        elif hasattr(item, "args") and isinstance(getattr(item, "args", None), (tuple, list)):
            stack.extend(item.args)                   # (a task object of newer Dask)
    return found


@pytest.mark.parametrize("fn", [rosenbrock, scaled, stencil], ids=lambda f: f.__name__)
def test_the_gradient_graph_holds_no_array_larger_than_a_chunk(fn):
    """The output's seed spread over a large array is a Dask array made chunk by chunk, not a NumPy
    array the size of the input shipped inside the graph."""
    x = da.linspace(-1.0, 1.5, 40_000, chunks=5_000)
    args = (x, 0.5) if fn is scaled else (x,)
    gradient = adjoint.grad(fn)(*args)
    assert max((a.size for a in _arrays_in(gradient.__dask_graph__())), default=0) <= 5_000
