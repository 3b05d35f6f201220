"""The derivative is compiled once: later calls run the cached generated function only."""
import numpy as np

import adjoint
import adjoint.testing
from adjoint import cache
import corpus_functions as cf
import golden_functions as gf


def test_second_grad_and_second_call_compile_nothing():
    g = adjoint.grad(gf.straight_line, wrt=(0, 1))
    g(1.0, 2.0)
    before = cache.compile_count()
    g(1.5, 2.5)
    adjoint.grad(gf.straight_line, wrt=(0, 1))(0.5, 3.0)
    assert cache.compile_count() == before


def test_new_argument_kind_compiles_a_specialisation_once():
    g = adjoint.grad(cf.sum_of_squares)
    g(1.0)
    before = cache.compile_count()
    g(np.array([1.0, 2.0]))             # arrays get their own version, specialised on the shape
    middle = cache.compile_count()
    g(np.array([3.0, 4.0]))
    assert middle == before + 1 and cache.compile_count() == middle


def test_many_shapes_fall_back_to_one_rank_specialisation():
    g = adjoint.grad(cf.mean_with_axis)
    for n in range(2, 12):
        x = np.arange(float(n * 3)).reshape(n, 3)
        assert np.allclose(g(x), adjoint.testing.numerical_grad(cf.mean_with_axis, (x,), 0))
    assert len(g.compiled) <= 5


def test_generated_code_is_visible_in_tracebacks():
    import linecache
    g = adjoint.grad(gf.straight_line)
    g(1.0, 2.0)
    names = [name for name in linecache.cache if name.startswith("<adjoint grad_straight_line")]
    assert names and "def grad_straight_line" in "".join(linecache.getlines(names[0]))


def test_user_arrays_are_not_modified():
    W1, b1 = np.ones((4, 3)), np.zeros(3)
    W2, b2 = np.ones((3, 2)), np.zeros(2)
    X, y = np.arange(8.0).reshape(2, 4), np.ones((2, 2))
    copies = [a.copy() for a in (W1, b1, W2, b2, X, y)]
    adjoint.grad(gf.mlp, wrt=(0, 1, 2, 3))(W1, b1, W2, b2, X, y)
    for before, after in zip(copies, (W1, b1, W2, b2, X, y)):
        assert np.array_equal(before, after)
