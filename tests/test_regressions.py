"""Regression tests, each named after what broke."""
import numpy as np
import pytest

import adjoint
from adjoint.testing import check_grads
import regression_functions as rf


def test_one_helper_called_with_two_shapes_gets_two_matching_pairs():
    # the forward sweep once used the second call's fwd for both calls, and naming its
    # generated functions looped forever
    check_grads(rf.f, np.array([0.5, -1.0, 2.0]), 2.0, wrt=(0, 1))
    text = adjoint.source(rf.f, wrt=(0, 1), args=(np.ones(3), 2.0))
    assert "weigh_fwd(x)" in text and "weigh_fwd_1(s)" in text
    assert "weigh_bwd(weigh_state," in text and "weigh_bwd_1(weigh_state_1," in text


def test_forward_mode_tangent_reads_the_value_before_the_branch_overwrote_it():
    # out-of-SSA coalescing once joined x and its new value in forward mode, so the tangent
    # statement after `x = math.sin(x)` read the new x (found by the property tests)
    import math
    value, tangent = adjoint.jvp(rf.overwrite_in_one_branch, (1.0, 0.0), (1.0, 0.0))
    assert tangent == pytest.approx(1.1 * math.cos(1.0))


def test_forward_mode_over_a_loop_that_saves_several_values_in_one_stack_entry():
    # the reverse sweep saves (vx, vy, speed) as one tuple per iteration; forward mode over it
    # once missed the tangents inside the tuple, and the Hessian came out 0
    args = (20.0, 0.8, 0.05)
    assert "push((" in adjoint.source(rf.drag_flight, wrt=(0, 1), args=args)
    hessian = adjoint.hessian(rf.drag_flight, wrt=0)(*args)
    gradient = adjoint.grad(rf.drag_flight, wrt=0)
    step = 1e-5
    central = (gradient(args[0] + step, *args[1:]) - gradient(args[0] - step, *args[1:])) / (2 * step)
    assert hessian == pytest.approx(central, rel=1e-6)
    assert hessian != 0.0


def test_a_rule_missing_a_derivative_for_an_active_argument_is_an_error_not_a_zero():
    # the runtime helpers of prod and cumprod have derivatives to a fixed order only; beyond it the
    # missing term was once dropped silently (grad(grad(cumprod-loss)) came out wrong, the third
    # derivative of prod 0.0)
    first = adjoint.grad(rf.product)
    second = adjoint.grad(first)
    step = 1e-4
    assert second(0.8) == pytest.approx((first(0.8 + step) - first(0.8 - step)) / (2 * step), rel=1e-6)
    with pytest.raises(adjoint.NonDifferentiable, match="prod_others_jvp.*no tangent for `v`"):
        adjoint.grad(second)(0.8)
    # cumprod_grad has its tangent in a now (rt.cumprod_grad_tangent): the second derivative is a number
    slope = adjoint.grad(rf.running_product)
    want = (slope(0.8 + step) - slope(0.8 - step)) / (2 * step)
    assert adjoint.grad(slope)(0.8) == pytest.approx(want, rel=1e-6)


def test_a_user_rule_without_a_template_for_a_differentiated_argument_is_an_error():
    adjoint.defrule(rf.scaled, "a, b", reverse={"a": "g * b"}, forward={"a": "da * b"})
    assert adjoint.grad(rf.uses_scaled, wrt=0)(2.0, 3.0) == pytest.approx(4.0)
    with pytest.raises(adjoint.NonDifferentiable, match="no derivative with respect to `b`"):
        adjoint.grad(rf.uses_scaled, wrt=1)(2.0, 3.0)
    with pytest.raises(adjoint.NonDifferentiable, match="no tangent for `b`"):
        adjoint.jvp(rf.uses_scaled, (2.0, 3.0), (0.0, 1.0))


def test_a_helper_updating_its_argument_in_a_while_test_is_checked_where_the_loop_version_lives():
    # (fuzz seed 191, program 2162): the run-time check that the argument a helper updates with `+=` is a
    # number went before the loop, reading the loop's own version before it was defined
    from adjoint.testing import check_jvp
    for x in (-0.2085, -0.9, 0.7):
        check_grads(rf.updated_in_a_while_test, x)
        check_jvp(rf.updated_in_a_while_test, x)


def test_a_helper_updating_an_array_an_object_argument_holds_leaves_the_callers_object_alone():
    # (fuzz seed 211, program 757): a helper's `+=` on `held.w` wrote into the caller's array (an
    # inactive call runs the helper as written); the object is now copied, arrays included
    held = rf.Held(np.array([0.5, -0.9, -1.3]), 0.2)
    before = held.w.copy()
    value, (dx, dheld) = adjoint.value_and_grad(rf.bumps_an_attribute_once, wrt=(0, 1))(0.7, held)
    np.testing.assert_array_equal(held.w, before)
    assert value == pytest.approx(0.7 * np.sum(before + 1.0) + 0.2)
    assert dx == pytest.approx(np.sum(before + 1.0)) and dheld.c == pytest.approx(1.0)
    np.testing.assert_allclose(dheld.w, np.full(3, 0.7))


def test_reading_an_attribute_again_after_a_helper_updated_it_in_place_is_rejected():
    # the second `held.w` is the updated array in Python; the compiled helper rebinds (no silent
    # wrong value: the two reads are one object to the alias analysis)
    with pytest.raises(adjoint.UnsupportedSyntax, match="update"):
        adjoint.grad(rf.bumps_an_attribute)(0.7, rf.Held(np.array([0.5, -0.9, -1.3]), 0.2))


def test_a_popped_list_whose_items_no_adjoint_reached_gets_a_buffer():
    # (fuzz seed 212, program 1192): the helper's second output is unused, so no adjoint reached the
    # list; its buffer stayed rt.zero, and the pop's adjoint stored into it
    from adjoint.testing import check_jvp
    check_grads(rf.uses_only_the_first_output, 0.4)
    check_jvp(rf.uses_only_the_first_output, 0.4)
    assert adjoint.hessian(rf.uses_only_the_first_output)(0.4) == 0.0


def test_a_list_of_numbers_adjoint_never_adds_in_place_into_an_array_it_holds():
    # (fuzz seed 212, program 2625): the adjoint of xs[1], read in a loop, was added with `dxs[1] += g`
    # into an item that was a read-only array another adjoint held
    from adjoint.testing import check_jvp
    check_grads(rf.appends_an_item_of_a_list_of_numbers, [-0.24, 0.39, -0.98])
    check_jvp(rf.appends_an_item_of_a_list_of_numbers, [-0.24, 0.39, -0.98])
