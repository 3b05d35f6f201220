"""The known classes of silently wrong derivatives (issue 10), each in every mode it applies to:
reverse (grad, value_and_grad), forward (jvp), grad-of-grad for scalar arguments and hessian,
all against central differences."""
import numpy as np
import pytest

import adjoint
from adjoint.testing import check_derivatives, check_grads, numerical_grad, numerical_jacobian
import known_class_functions as k


def check_all_modes(f, *args, wrt=0):
    check_derivatives(f, *args, wrt=wrt)


def test_helper_called_in_a_loop_saves_its_residuals_per_iteration():
    check_all_modes(k.helper_called_in_a_loop, 0.7, np.array([0.3, -0.5]), wrt=0)
    check_all_modes(k.helper_called_in_a_loop, 0.7, np.array([0.3, -0.5]), wrt=1)
    assert "push((h_1, act_state))" in adjoint.source(k.helper_called_in_a_loop)


def test_helper_rebinding_its_parameters_called_in_an_enumerate_loop():
    check_all_modes(k.helper_rebinding_parameters_in_an_enumerate_loop, 0.5, np.array([0.2, 0.7, -0.4]))


@pytest.mark.parametrize("f", [k.overwritten_by_a_constant_in_a_for_loop, k.overwritten_by_a_constant_in_a_while_loop])
def test_value_overwritten_by_a_constant_in_a_loop_loses_its_adjoint(f):
    assert adjoint.grad(f)(0.7) == pytest.approx(numerical_grad(f, (0.7,)), abs=1e-8)
    check_all_modes(f, 0.7)


def test_value_overwritten_through_a_tuple_target_in_a_zip_loop():
    check_all_modes(k.overwritten_by_a_tuple_target_in_a_zip_loop, 0.7, 1.3)
    check_all_modes(k.overwritten_by_a_tuple_target_in_a_zip_loop, 0.7, 1.3, wrt=1)


def test_variable_first_assigned_in_a_loop_and_read_after_it():
    assert adjoint.grad(k.last_but_one)(0.7) == pytest.approx(4.0)
    check_all_modes(k.last_but_one, 0.7)
    check_all_modes(k.first_defined_in_a_for_loop, 0.7)


def test_for_loop_iterates_the_object_it_started_with_when_the_body_rebinds_its_name():
    x = np.array([1.0, 2.0])
    assert adjoint.value_and_grad(k.loop_over_a_rebound_name)(x)[0] == pytest.approx(k.loop_over_a_rebound_name(x))
    check_all_modes(k.loop_over_a_rebound_name, x)


@pytest.mark.parametrize("x", [0.9, 1.9])
def test_nested_derivatives_of_an_early_return_in_a_loop(x):
    # forward mode over the reverse code once popped a saved value without its tangent
    # (the push and the pop disagreed on whether the entry varies): grad(grad) gave 0.0
    check_all_modes(k.early_return_in_a_loop, x)


def test_nested_derivatives_of_a_helper_in_a_loop_left_by_break():
    check_all_modes(k.helper_in_a_loop_left_by_break, 0.7)


@pytest.mark.parametrize("f", [k.augmented_assignment_through_an_alias, k.augmented_assignment_through_a_view,
                               k.alias_read_in_the_next_iteration])
def test_in_place_update_through_a_second_name_is_rejected_not_compiled_as_a_rebinding(f):
    # `z = y; z += 1` on arrays changes y too; it was compiled as `z = z + 1` (value 3 instead of 6)
    x = np.array([1.0, 2.0, 3.0])
    for derivative in (lambda: adjoint.grad(f)(x), lambda: adjoint.jvp(f, (x,), (x,))):
        with pytest.raises(adjoint.UnsupportedSyntax, match=r"in.place"):
            derivative()


@pytest.mark.parametrize("f", [k.augmented_assignment_of_an_unshared_array, k.element_of_an_array_updated_in_place_later])
def test_in_place_update_of_an_array_no_other_name_reads_is_a_rebinding(f):
    check_all_modes(f, np.array([0.5, -1.0, 2.0]))


def test_nested_derivatives_of_a_helper_whose_pair_saves_on_a_stack():
    # the helper's bwd pops from `list(stack)`, which forward mode could not differentiate; and a
    # push in the fwd and its pop in the bwd must agree on carrying a tangent across two functions
    check_all_modes(k.helper_with_a_loop, 0.7)


def test_helper_that_ignores_a_list_argument_returns_a_container_zero():
    # its bwd returned 0.0 for the list's adjoint and the caller indexed it
    check_all_modes(k.helper_ignoring_a_list_it_is_given, 0.3, 0.2)
    check_all_modes(k.helper_ignoring_a_list_it_is_given, 0.3, 0.2, wrt=1)


def test_helper_updating_its_array_argument_in_place_is_rejected_where_the_caller_reads_it():
    # Python changes the caller's array; compiled as a rebinding the caller read its old value
    # (v5 = np.tanh(np.array([x0, 0.9, 0.9])) is an array of a list of numbers: rejected at compile time)
    with pytest.raises(adjoint.UnsupportedSyntax, match="`shifts_in_place` updates its argument `v5` in place"):
        adjoint.grad(k.helper_updating_its_argument_in_place)(0.1, 0.2)
    with pytest.raises(adjoint.UnsupportedSyntax, match="`shifts_in_place` updates its argument `v5` in place"):
        adjoint.grad(k.helper_updating_a_known_array_in_place)(np.array([0.1, 0.2]))


def test_helper_updating_in_place_an_array_the_caller_then_rebinds_is_differentiated():
    check_all_modes(k.helper_updating_in_place_what_the_caller_rebinds, np.array([0.3, -0.2, 0.9]))


@pytest.mark.parametrize("x", [-0.5, 0.6])
def test_adjoints_of_both_items_of_a_returned_pair_add_item_by_item(x):
    # the pair's adjoint was built as `unindex(dv12) + unindex(dv11)`: two lists, concatenated
    check_all_modes(k.both_items_of_a_returned_pair, x)


def test_an_array_adjoint_nothing_reached_can_be_indexed():
    # `dv2 = 0.0` before the loop, then `dx0 = dv2[0]` for `v2 = np.array([x0, ...])`
    check_grads(k.array_of_a_list_read_again_in_a_zip_loop, 1.4)


def test_a_list_display_in_numpy_arithmetic_gets_an_array_tangent():
    # forward mode once added the list's tangent to an array as a list (`-[...]`, list + float)
    check_all_modes(k.list_display_as_an_array_operand, np.array([-0.03, 1.02, -0.11]))
    for wrt in range(3):
        check_all_modes(k.list_display_in_a_dot, 0.76, 0.01, -1.36, wrt=wrt)


def test_lists_joined_and_repeated_keep_list_semantics_in_every_mode():
    check_all_modes(k.lists_joined_and_repeated, 0.7)


def test_in_place_update_of_a_value_of_unknown_shape_is_a_rebinding_for_numbers():
    # where the compiler cannot tell whether an item of a list is a number, the update is compiled as a
    # rebinding behind rt.expect_number, which passes numbers and refuses arrays; the items of a list
    # of numbers are numbers (no check)
    check_all_modes(k.updates_an_item_of_a_list, 2.0, [1.5, 0.5])
    assert "rt.expect_number" not in adjoint.source(k.updates_an_item_of_a_list, args=(2.0, [1.5, 0.5]))
    assert "rt.expect_number(t)" in adjoint.source(k.updates_an_item_of_a_list, args=(2.0, [1.5, np.float32(0.5)]))
    with pytest.raises(adjoint.UnsupportedSyntax, match="in-place update"):
        adjoint.grad(k.updates_an_item_of_a_list)(2.0, [np.ones(2), np.ones(2)])


def test_a_value_the_backward_sweep_reads_keeps_its_variable_after_copy_propagation():
    # `v2 = x1` was propagated into the backward sweep as `x1`; a later round of out-of-SSA
    # coalescing, still going by the names it read before, gave x1 to v2's later versions
    check_all_modes(k.parameter_copy_overwritten_in_a_later_loop, 0.125, -1.1, wrt=1)
    check_all_modes(k.parameter_copy_overwritten_in_a_later_loop, 0.125, -1.1, wrt=0)


def test_forward_mode_over_a_bwd_whose_fwd_ran_without_tangents_pops_plain_entries():
    # grad w.r.t. x0, then w.r.t. x2: the inner call's fwd does not vary with x2 (it ran plain and
    # pushed no tangents) but its bwd does; the bwd's jvp popped a tangent per entry all the same
    f = k.helper_with_a_stack_called_where_only_its_adjoint_varies
    args = (1.27, 0.21, -0.43)
    second = adjoint.grad(adjoint.grad(f, wrt=0), wrt=2)(*args)
    step = 1e-5
    first = adjoint.grad(f, wrt=0)
    expected = (first(*args[:2], args[2] + step) - first(*args[:2], args[2] - step)) / (2 * step)
    assert second == pytest.approx(expected, rel=1e-6, abs=1e-9)
    for wrt in range(3):
        check_all_modes(f, *args, wrt=wrt)


@pytest.mark.parametrize("p0", [0.05, 0.6])
def test_tuple_unpacked_in_a_loop_copied_into_both_branches_of_an_early_return(p0):
    check_all_modes(k.unpacks_after_a_nested_early_return, p0, -0.3, wrt=0)
    check_all_modes(k.unpacks_after_a_nested_early_return, p0, -0.3, wrt=1)


def test_a_number_that_becomes_a_list_in_a_loop():
    # (reverse and forward mode; the Hessian of such code still fails, see the closing note of issue 11)
    check_grads(k.becomes_a_list_in_a_loop, 0.7, 0.4, wrt=0)
    check_grads(k.becomes_a_list_in_a_loop, 0.7, 0.4, wrt=1)
    np.testing.assert_allclose(adjoint.jvp(k.becomes_a_list_in_a_loop, (0.7, 0.4), (1.0, 0.0))[1], 0.4)


def test_a_store_into_what_a_helper_returned_puts_back_what_its_bwd_reads():
    check_all_modes(k.stores_into_what_a_helper_returned, np.array([-0.07, 1.1, -0.44]))


def test_a_helper_updating_its_argument_in_a_while_test_is_rejected_where_the_caller_reads_it():
    with pytest.raises(adjoint.UnsupportedSyntax, match="`shifted_in_place` updates its argument `a` in place"):
        adjoint.grad(k.helper_updating_its_argument_in_a_while_test)(np.ones(3))
