"""Stores into arrays, lists and dicts (`y[i] = v`, `y[a:b] += v`, `xs.append(v)`, ...), comprehensions
and loops over dicts: every construct in every mode against central differences, with the caller's
arrays read-only (a derivative never writes into them, not even for a moment); what is rejected, and
where; what the generated code does per store."""
import re

import numpy as np
import pytest

import adjoint
from adjoint.testing import check_derivatives, check_grads, check_jvp
import golden_functions as gf
import write_functions as w

X = np.array([0.3, -0.5, 0.7])

CASES = [
    (w.fill_in_a_loop, (X,), 0),
    (w.recurrence, (0.3, 0.9), 0),
    (w.recurrence, (0.3, 0.9), 1),
    (w.write_rows, (X,), 0),
    (w.write_slices, (X,), 0),
    (w.write_a_scalar_into_a_slice, (X, 0.4), 0),
    (w.write_a_scalar_into_a_slice, (X, 0.4), 1),
    (w.write_through_a_mask, (X,), 0),
    (w.write_at_repeated_indices, (X,), 0),
    (w.write_everything, (X,), 0),
    (w.augmented_writes, (X,), 0),
    (w.write_into_a_parameter, (X,), 0),
    (w.write_into_a_parameter_read_through_an_item, (X, 0.8), 0),
    (w.write_into_a_parameter_read_through_an_item, (X, 0.8), 1),
    (w.write_in_a_branch, (X,), 0),
    (w.write_in_a_branch, (-X,), 0),
    (w.write_an_array_made_in_a_loop, (X,), 0),
    (w.write_then_read_the_whole, (X,), 0),
    (w.running_state, (0.5, 0.1), 0),
    (w.running_state, (0.5, 0.1), 1),
    (w.fill_a_grid, (X,), 0),
    (w.helper_that_writes_its_own_array, (X,), 0),
    (w.helper_that_writes_its_parameter, (X, 0.7), 0),
    (w.helper_that_writes_its_parameter, (X, 0.7), 1),
    (w.write_into_a_list, (0.4,), 0),
    (w.write_into_a_dict, (0.4,), 0),
    (w.loss_of_a_helper_returning_what_it_wrote, (X,), 0),
    (w.store_into_an_array_made_on_either_path, (X,), 0),
    (w.store_into_an_array_made_on_either_path, (-X,), 0),
    (w.list_stored_into_and_read_in_a_loop_only, (X,), 0),
    (w.array_stored_into_and_read_in_a_loop_only, (X,), 0),
    (w.store_into_a_parameter_in_a_branch_then_reduce, (np.array([[0.2, 0.6, -1.4], [-0.3, 0.3, 0.0]]), 0.5), 0),
    (w.store_into_a_parameter_in_a_branch_then_reduce, (np.array([[0.2, 0.6, -1.4], [-0.3, 0.3, 0.0]]), 0.5), 1),
    (w.simulate_and_stack, (X, 0.1), 0),
    (w.simulate_and_stack, (X, 0.1), 1),
    (w.simulate_and_stack, (0.4, 0.1), 0),
    (w.collect_then_read, (X,), 0),
    (w.list_comprehension, (X,), 0),
    (w.generator_expression, (X, 0.7), 0),
    (w.generator_expression, (X, 0.7), 1),
    (w.nested_comprehensions, (np.array([[0.2, -0.4, 0.5], [0.1, 0.3, -0.6]]),), 0),
    (w.dict_comprehension, (X,), 0),
    (w.per_step_dicts, (0.4, 0.8), 0),
    (w.per_step_dicts, (0.4, 0.8), 1),
    (w.list_built_then_read_as_an_array, (0.4,), 0),
    (w.helper_reading_an_array_stored_into_later, (-0.6,), 0),
    (w.tuple_read_by_item_in_a_loop, (0.7, 0.2), 0),
    (w.tuple_read_by_item_in_a_loop, (0.7, 0.2), 1),
    (w.array_made_again_in_a_loop_after_stores, (X, 1.1), 0),
    (w.array_made_again_in_a_loop_after_stores, (X, 1.1), 1),
    (w.array_made_again_in_a_loop_after_stores, (X[:0], 1.1), 1),
    (w.dict_made_per_outer_iteration_stored_in_an_inner_loop, (0.7, np.array([[0.5, 1.0], [-0.4, 2.0]])), 0),
    (w.array_made_per_outer_iteration_stored_in_an_inner_loop, (0.7, np.array([[0.5, 1.0, 0.3], [-0.4, 2.0, 0.1]])), 0),
    (w.array_made_per_outer_iteration_stored_in_an_inner_loop, (0.7, np.array([[0.5, 1.0, 0.3], [-0.4, 2.0, 0.1]])), 1),
    (w.value_recomputed_from_an_array_stored_into_later, (0.51,), 0),
    (w.fill_method, (X,), 0),
    (w.copy_into, (X, 0.6), 0),
    (w.copy_into, (X, 0.6), 1),
    (w.results_written_through_out, (X,), 0),
    (w.diagonal_filled, (X,), 0),
    (w.sums_per_index, (X,), 0),
    (w.extend_a_list, (X,), 0),
    (w.dict_get, (X,), 0),
    (w.largest_and_smallest, (X,), 0),
    (w.for_else, (X,), 0),
    (w.for_else, (X * 3.0,), 0),
    (w.while_else_without_break, (X,), 0),
    (w.nested_loops_with_else, (X,), 0),
    (w.last_item_then_append, (0.7,), 0),
    (w.grow_from_the_last_item, (0.7,), 0),
    (w.pop_the_last, (X,), 0),
    (w.sliding_window, (X,), 0),
    (w.insert_anywhere, (X,), 0),
    (w.stack_machine, (X,), 0),
    (w.stack_machine, (-X,), 0),
    (w.pops_discarded, (X,), 0),
    (w.output_read_from_a_dict_the_backward_sweep_restores, (1.17,), 0),
    (w.helper_called_for_its_effect_on_a_copy, (X, 0.4), 0),
    (w.helper_called_for_its_effect_on_a_copy, (X, 0.4), 1),
    (w.store_of_a_value_computed_from_the_array, (0.34, 0.25), 0),
    (w.store_of_a_value_computed_from_the_array, (0.34, 0.25), 1),
    (w.extend_from_a_slice, (0.3, -0.7), 0),
    (w.extend_from_a_slice, (0.3, -0.7), 1),
    (w.slices_of_a_list_read, (0.3, -0.7), 0),
    (w.slices_of_a_list_read, (0.3, -0.7), 1),
    (w.pop_in_a_loop_inside_a_helper, (0.3, X), 0),
    (w.pop_in_a_loop_inside_a_helper, (0.3, X), 1),
    (w.array_stored_into_itself, (X,), 0),
    (w.constants_stored_at_computed_indices_in_a_loop, (0.5,), 0),
    (w.store_after_a_continue_in_a_while_loop, (np.array([0.34, -0.08, -1.48]),), 0),
    (w.store_after_a_continue_in_a_while_loop, (X,), 0),
]


@pytest.mark.parametrize("f, args, wrt", CASES, ids=[f"{c[0].__name__}-{c[2]}" for c in CASES])
def test_stores_in_every_mode(f, args, wrt):
    check_derivatives(f, *args, wrt=wrt)


def test_repeated_indices_keep_the_last_store():
    # y[[0, 2, 0]] = x * [1, 2, 3] keeps 3 x[2] at y[0], as NumPy does: x[0] gets no derivative
    gradient = adjoint.grad(w.write_at_repeated_indices)(X)
    np.testing.assert_allclose(gradient, [0.0, 2.0 * 100.0, 3.0 * 1.0])


def test_a_parameter_written_into_is_copied_once_before_the_first_store():
    source = adjoint.source(w.write_into_a_parameter, args=(X,))
    assert source.count("rt.private(x)") == 1
    x = X.copy()
    value, gradient = adjoint.value_and_grad(w.write_into_a_parameter)(x)
    np.testing.assert_array_equal(x, X)
    assert value == pytest.approx(w.write_into_a_parameter(X.copy()))


def test_a_fill_loop_saves_nothing_and_stores_in_place():
    # the forward sweep stores in place and saves nothing the backward sweep does not need; the
    # backward sweep moves the slot's adjoint to the value and zeroes it, in the adjoint buffer
    source = adjoint.source(w.fill_in_a_loop, args=(X,))
    assert "push" not in source and "rt.overwritten" not in source
    assert "dy[i] = 0.0" in source and "dx[i] += " in source


def test_a_store_after_a_read_of_the_whole_restores_what_it_overwrote():
    source = adjoint.source(w.write_then_read_the_whole, args=(X,))
    assert source.count("rt.overwritten") == 1          # y[1] = s, read before by np.sum(y * x)
    assert "y[1] = y_old" in source


def test_a_multiplication_by_one_keeps_the_new_array():
    # cleanup turned `y = x * 1.0` into `y = x`, so the forward sweep stored into the caller's x (and
    # put it back in the backward sweep): a read-only argument catches it, and no line stores into x
    frozen = X.copy()
    frozen.flags.writeable = False
    adjoint.grad(w.helper_that_writes_its_parameter)(frozen, 0.7)
    adjoint.grad(w.write_through_a_mask)(frozen)
    for f in (w.write_through_a_mask, w.helper_that_writes_its_parameter):
        assert not re.search(r"^\s*x\[.*\] = ", adjoint.source(f, args=(X,) + (0.7,) * (f.__code__.co_argcount - 1)),
                             re.M)


def test_stores_cost_what_the_arithmetic_costs():
    # gradient / primal for a fill of 2,000 items stays small (the benchmark holds the 10,000 case):
    # no copy of the array per store, no array of zeros per item read
    import time
    x = np.random.default_rng(0).normal(size=2000)
    gradient = adjoint.grad(w.fill_in_a_loop)
    gradient(x[:3])

    def best(f, *args):
        times = []
        for _ in range(5):
            start = time.perf_counter()
            f(*args)
            times.append(time.perf_counter() - start)
        return min(times)
    assert best(gradient, x) < 10 * best(w.fill_in_a_loop, x)


def test_the_value_of_a_vjp_is_not_changed_by_its_pullback():
    # the backward sweep puts back what stores overwrote: the returned array is a copy
    cotangent = np.array([1.0, 2.0, 3.0])
    cotangent.flags.writeable = False
    value, pullback = adjoint.vjp(w.returns_what_it_wrote, X)
    expected = w.returns_what_it_wrote(X.copy())
    (gradient,) = pullback(cotangent)
    np.testing.assert_array_equal(value, expected)
    np.testing.assert_allclose(gradient, cotangent @ adjoint.jacobian(w.returns_what_it_wrote)(X))
    np.testing.assert_allclose(adjoint.jacobian(w.returns_what_it_wrote, mode="forward")(X),
                               adjoint.jacobian(w.returns_what_it_wrote)(X))


@pytest.mark.parametrize("wrt", [0, 1])
def test_loops_over_a_dict_its_items_values_and_keys(wrt):
    params = {"W": np.array([0.2, -0.3, 0.5]), "b": np.array([0.1, 0.4, -0.2])}
    check_grads(w.loops_over_a_dict, params, X, wrt=wrt)
    check_jvp(w.loops_over_a_dict, params, X)
    if wrt == 1:
        check_derivatives(lambda_free_loops_over_a_dict, X)


def lambda_free_loops_over_a_dict(x):
    return w.loops_over_a_dict({"W": x * 2.0, "b": np.sin(x)}, x)


def test_appends_are_undone_by_the_backward_sweep_only_when_read_before():
    source = adjoint.source(w.simulate_and_stack, args=(X, 0.1))
    assert "trajectory.append(state)" in source and "rt.unappend" not in source
    assert "rt.last(dtrajectory)" in source and "rt.drop_last(dtrajectory)" in source


def test_a_store_into_a_slice_of_a_list_is_rejected_where_it_is_written():
    with pytest.raises(adjoint.UnsupportedSyntax, match="slice of a list") as info:
        adjoint.grad(w.store_into_a_slice_of_a_list)(0.3, -0.7)
    assert "xs[1:3] = [np.sin(x0), x1 * x1]" in str(info.value) and "item by item" in str(info.value)


def test_dict_pop_is_rejected_where_it_is_written():
    with pytest.raises(adjoint.UnsupportedSyntax, match=r"`d.pop\(k\)` on a dict"):
        adjoint.grad(w.dict_pop)(0.3)


def test_a_list_of_numbers_gets_a_list_of_numbers_for_adjoint_updated_in_place():
    # items of a list of numbers are numbers: no generic runtime helper per item read, `dxs[j] += ...`
    source = adjoint.source(gf.pairwise_energy, args=([0.1, 0.5, 0.9],))
    assert "rt.unbroadcast" not in source and "rt.add_at" not in source
    assert "dxs = rt.buffer(xs)" in source and re.search(r"dxs\[j\] [-+]= ", source)
    gradient = adjoint.grad(gf.pairwise_energy)([0.1, 0.5, 0.9])
    assert type(gradient) is list and len(gradient) == 3
    check_grads(gf.pairwise_energy, [0.1, 0.5, 0.9])
    check_jvp(gf.pairwise_energy, [0.1, 0.5, 0.9])


def store_over_a_view_read_in_a_loop(a0, a1):
    while True:
        v = a0 + a1
        v[::2] = v[:2] * np.max(a0)       # (v[:2] is a view the store writes into)
        break
    return np.sum(v)


def test_an_array_stores_write_into_is_saved_not_made_again_in_the_backward_sweep():
    # (fuzz seed 151, program 619: `v = a0 + a1` was recomputed in the backward sweep as cheap
    # arithmetic; the restore of what the store overwrote went into the new array, and the saved view
    # `v[:2]` kept the overwritten value)
    a0, a1 = np.array([0.6, -1.05, -1.04]), np.array([1.09, 0.38, -0.69])
    check_derivatives(store_over_a_view_read_in_a_loop, a0, a1)
    check_derivatives(store_over_a_view_read_in_a_loop, a0, a1, wrt=1)


def test_an_item_read_twice_adds_its_adjoint_once_doubled():
    """`dx[i] += e` twice in a row (x[i] * x[i]) is `dx[i] += 2 * e` (cleanup.merge_repeated_adds:
    fill's backward loop lost a fifth of its time), and only where the two adds are the same."""
    x, y = np.linspace(-0.9, 0.8, 5), np.array([0.3, -0.6])
    source = adjoint.source(w.squares_of_items, wrt=(0, 1), args=(x, y))
    assert "dx[i] += 2 * " in source and "dy[1] += 2 * " in source, source
    check_grads(w.squares_of_items, x, y, wrt=(0, 1))
    check_derivatives(w.squares_of_items, x, y, wrt=0)
