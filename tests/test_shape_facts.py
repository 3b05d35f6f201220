"""Shapes the compiler knows from the arguments' shapes reach the generated code: no generic runtime
helper where a shape decides (`rt.unbroadcast`), no forward value recomputed to learn its shape, and
the derivatives still match central differences in every mode (also once the code is specialised
on ranks only, where the sizes are not known)."""
import re

import numpy as np
import pytest

import adjoint
from adjoint.testing import check_derivatives
import shape_fact_functions as sf

RNG = np.random.default_rng(7)
CASES = [
    ("rosenbrock", sf.rosenbrock, 0, (RNG.uniform(-1, 1, 6),)),
    ("interior_laplacian", sf.interior_laplacian, 0, (RNG.standard_normal((5, 6)),)),
    ("gates", sf.gates, 0, (RNG.standard_normal((8, 3)) * 0.5, RNG.standard_normal(3))),
    ("halves", sf.halves, 0, (RNG.standard_normal(6),)),
    ("integrate", sf.integrate, 1, (np.array([1.0, 0.5]), 0.7, 0.3)),
    ("joined", sf.joined, 2, (RNG.standard_normal(2), RNG.standard_normal(3), RNG.standard_normal((4, 5)) * 0.5)),
]


@pytest.mark.parametrize("name, fn, wrt, args", CASES, ids=[c[0] for c in CASES])
def test_known_shapes_need_no_run_time_broadcasting(name, fn, wrt, args):
    source = adjoint.source(fn, wrt=wrt, args=args)
    assert "rt.unbroadcast" not in source, source
    assert not re.search(r"np\.shape\([^()]*[-+*/]", source), source     # no value computed again for its shape


@pytest.mark.parametrize("name, fn, wrt, args", CASES, ids=[c[0] for c in CASES])
def test_derivatives_with_known_shapes(name, fn, wrt, args):
    check_derivatives(fn, *args, wrt=wrt)


def test_sizes_read_off_shapes_follow_each_call_of_other_shapes():
    # the code is specialised per shape, then on ranks only: `n` is 2, 3, ... and at last unknown
    gradient = adjoint.grad(sf.gates)
    for k in range(1, 8):
        W, x = RNG.standard_normal((4 * k, 3)) * 0.5, RNG.standard_normal(3)
        h = 1e-6
        step = np.zeros_like(W)
        step[k - 1, 1] = h
        expected = (sf.gates(W + step, x) - sf.gates(W - step, x)) / (2 * h)
        assert gradient(W, x)[k - 1, 1] == pytest.approx(expected, rel=1e-6, abs=1e-9)


def test_a_counter_from_one_has_the_plain_slope_of_a_power():
    # i counts from 1: x ** i has the slope i * x ** (i - 1), with no run-time guard for 0 ** 0
    assert "power_exponent" not in adjoint.source(sf.power_series, args=(0.5, 6))
    assert "power_exponent" not in adjoint.source(sf.power_series, args=(0.5, 6), mode="forward")
    check_derivatives(sf.power_series, 0.5, 6)
    check_derivatives(sf.power_series, 0.0, 6)


def test_a_counter_from_zero_keeps_the_guard_for_zero_to_the_zero():
    assert "power_exponent" in adjoint.source(sf.power_series_from_zero, args=(0.5, 6))
    check_derivatives(sf.power_series_from_zero, 0.0, 6)
    assert adjoint.grad(sf.power_series_from_zero)(0.0, 6) == 1.0


def test_a_higher_order_build_compiles_no_runtime_helper_from_source(monkeypatch):
    """The shape of rt.like(g, x) and rt.spread_over(g, x) is x's, rt.size(x) is an integer: facts of the
    shape table, not read off their bodies (which compiled `like` and fifteen helpers it calls in every
    build of a Hessian, and `size` once per mean)."""
    from adjoint import pipeline, runtime
    compiled = []
    normalize = pipeline.normalize

    def recording(fn, *args, **kwargs):
        compiled.append(fn)
        return normalize(fn, *args, **kwargs)
    monkeypatch.setattr(pipeline, "normalize", recording)

    def energy(x):
        return np.sum(np.tanh(x) ** 2) * np.mean(x)
    adjoint.hessian(energy)(np.linspace(0.1, 0.9, 4))
    assert compiled and not [fn.__name__ for fn in compiled if getattr(fn, "__module__", "") == runtime.__name__]


NUMBER_CASES = [
    ("log_loss", sf.log_loss, 0, (RNG.standard_normal(3) * 0.3, RNG.standard_normal((7, 3)), RNG.uniform(0, 1, 7))),
    ("sum_of_a_sum", sf.sum_of_a_sum, 1, (RNG.standard_normal(4), RNG.standard_normal(4))),
    ("sum_of_a_shifted_parameter", sf.sum_of_a_shifted_parameter, 0, (RNG.standard_normal(4),)),
    ("sum_of_a_broadcast", sf.sum_of_a_broadcast, 0, (RNG.standard_normal(4), RNG.standard_normal(3))),
    ("sum_of_a_broadcast_c", sf.sum_of_a_broadcast, 1, (RNG.standard_normal(4), RNG.standard_normal(3))),
    ("sum_read_twice", sf.sum_read_twice, 0, (RNG.standard_normal(4),)),
    ("sum_in_a_loop", sf.sum_in_a_loop, 0, (RNG.standard_normal(4), 3)),
]


@pytest.mark.parametrize("name, fn, wrt, args", NUMBER_CASES, ids=[c[0] for c in NUMBER_CASES])
def test_a_full_reductions_adjoint_stays_a_number_until_it_meets_an_array(name, fn, wrt, args):
    """`dt = rt.spread_over(g, t)` made a broadcast view per reduction and carried it through each
    elementwise step (2 us each on 1000 items); the number now meets an array in its first product
    with one. Where nothing makes it an array (an argument's own adjoint, a broadcast wider than the
    operand, a value read twice) it is spread, and the gradients keep the arguments' shapes."""
    check_derivatives(fn, *args, wrt=wrt)
    assert np.shape(adjoint.grad(fn, wrt=wrt)(*args)) == np.shape(args[wrt])


def test_the_log_loss_gradient_spreads_no_reduction():
    args = NUMBER_CASES[0][3]
    source = adjoint.source(sf.log_loss, args=args)
    assert "spread_over" not in source, source
    assert "dt2 = dout / rt.size(t2)" in source or "/ rt.size(" in source


def test_a_float32_reductions_adjoint_keeps_float64_precision_where_the_seed_is_a_float():
    x = RNG.standard_normal(5).astype(np.float32)
    g = adjoint.grad(sf.sum_read_twice)(x)
    assert g.shape == x.shape
    assert np.allclose(g, np.cos(x) * (1 + 2 * np.sin(x)), rtol=1e-5)


BUFFER_CASES = [("gate_steps", sf.gate_steps), ("gate_steps_with_a_branch", sf.gate_steps_with_a_branch)]


@pytest.mark.parametrize("name, fn", BUFFER_CASES, ids=[c[0] for c in BUFFER_CASES])
def test_a_buffer_made_in_a_loop_takes_its_items_adjoints_in_place(name, fn):
    """`dz = rt.add_at(rt.zero, np.s_[:2], g, z)` makes z's adjoint afresh each step; the slices read
    after it were `dz = rt.add_at(dz, ...)` (a generic call per slice: 0.5 ms of lstm's 1.6 ms) and
    are now `dz[2:4] += g`. Not across a branch: one branch might leave the buffer unmade."""
    W, xs = RNG.standard_normal((6, 5)) * 0.4, RNG.standard_normal((4, 3))
    source = adjoint.source(fn, args=(W, xs))
    assert re.search(r"dz\[[^\]]*\] \+= ", source), source
    assert source.count("rt.add_at(dz") == (0 if name == "gate_steps" else 1), source
    check_derivatives(fn, W, xs)
