"""Nested derivatives (grad of grad, hessian) that crashed, found by the differential fuzzer; each
checked in reverse, forward, hessian and (for a scalar argument) grad-of-grad mode against central
differences."""
import math

import numpy as np
import pytest

import adjoint
from adjoint.testing import check_derivatives, numerical_jacobian


def check_all_modes(f, *args, wrt=0):
    check_derivatives(f, *args, wrt=wrt)


# --- the gradient of a parameter nothing reached is rt.zero in generated code ---

def constant_item_of_a_tuple(x0, x1, x2):
    return (x1, 0.0)[1]


def constant_item_of_a_list(x0, x1):
    return [0.6, x0, x1][0]


def constant_item_of_a_list_holding_an_array(a0, m1):
    return [0.5, m1, np.arctan(m1[0][0])][0]


def constant_item_plus_a_cube(x0, x1):
    return (x1, 0.0)[1] + x0 ** 3 * x1


@pytest.mark.parametrize("wrt", [0, 1, 2])
def test_grad_of_grad_of_a_constant_item_of_a_tuple(wrt):
    # grad(grad(f, wrt=1), wrt=0) raised "grad needs a scalar output, but f returned _Zero"
    assert adjoint.grad(adjoint.grad(constant_item_of_a_tuple, wrt=1), wrt=0)(0.3, 0.4, 0.5) == 0.0
    check_all_modes(constant_item_of_a_tuple, 0.3, 0.4, 0.5, wrt=wrt)


@pytest.mark.parametrize("wrt", [0, 1])
def test_grad_of_grad_of_a_constant_item_of_a_list(wrt):
    assert adjoint.grad(adjoint.grad(constant_item_of_a_list))(0.3, 0.4) == 0.0
    check_all_modes(constant_item_of_a_list, 0.3, 0.4, wrt=wrt)


@pytest.mark.parametrize("wrt", [0, 1])
def test_hessian_of_a_constant_item_of_a_list_holding_an_array(wrt):
    # rt.widen was handed rt.zero (the adjoint of m1) as the output to spread the tangent over
    args = (np.array([0.77, -0.65, 0.69]), np.array([[-0.28, 0.51, 0.40], [-0.27, 1.31, 0.95]]))
    hessian = adjoint.hessian(constant_item_of_a_list_holding_an_array, wrt=wrt)(*args)
    np.testing.assert_array_equal(hessian, np.zeros(2 * np.shape(args[wrt])))
    check_all_modes(constant_item_of_a_list_holding_an_array, *args, wrt=wrt)


def test_nested_derivatives_where_an_unreached_adjoint_is_added_to():
    f = constant_item_plus_a_cube
    assert adjoint.grad(adjoint.grad(f, wrt=1), wrt=0)(0.3, 0.4) == pytest.approx(3 * 0.3 ** 2)
    assert adjoint.grad(adjoint.grad(adjoint.grad(f, wrt=0)))(0.3, 0.4) == pytest.approx(6 * 0.4)
    np.testing.assert_allclose(adjoint.jacobian(adjoint.grad(f, wrt=(0, 1)), wrt=1, mode="forward")(0.3, 0.4),
                               (3 * 0.3 ** 2, 0.0))
    check_all_modes(f, 0.3, 0.4, wrt=0)
    check_all_modes(f, 0.3, 0.4, wrt=1)


def test_gradient_of_an_unreached_parameter_called_inside_differentiated_code():
    def outer(x):
        return adjoint.grad(constant_item_of_a_list, wrt=1)(x, 0.3) * x + x ** 2
    assert adjoint.grad(outer)(0.5) == pytest.approx(1.0)
    check_all_modes(outer, 0.5)


# --- a broadcasting rule's template applied to a Python list operand ---

def minimum_of_a_list_and_a_number(p0):
    return np.minimum([0.5, 0.5, 0.3], math.sqrt(p0))


def list_operand_in_a_dead_helper_call(l0, a1):
    _ = minimum_of_a_list_and_a_number(a1[1])
    return 0.5


def list_operands_of_minimum_and_maximum(l0, a1):
    return np.sum(minimum_of_a_list_and_a_number(a1[1])) + np.sum(np.maximum(math.sqrt(a1[0]), [0.5, 0.2]))


def list_operand_of_a_comparison_template(x):
    below = np.minimum([0.5, x, 0.3], x * x)
    return np.sum(np.maximum(below, [0.2, 0.1, x]) ** 2)


def list_and_scalar_arithmetic(x):
    v = [0.5, x, 0.3]
    return np.sum(np.subtract(v, x) * np.divide(x, v) + np.power(v, 2.0))


def lists_still_join_and_repeat(x):
    v = [x, 0.5] + [x * x]
    return np.sum(np.array(v * 2) * np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]))


def test_minimum_of_a_list_and_a_number_in_a_dead_helper_call():
    # the forward template `x1 > x2` compared the list [0.5, 0.5, 0.3] with a float
    args = ([0.1, 0.2], np.array([0.5, 0.6, 0.7]))
    np.testing.assert_array_equal(adjoint.hessian(list_operand_in_a_dead_helper_call, wrt=1)(*args), np.zeros((3, 3)))
    check_all_modes(list_operand_in_a_dead_helper_call, *args, wrt=1)


@pytest.mark.parametrize("a1", [np.array([0.5, 0.6, 0.7]), np.array([0.16, 0.0625, 0.7])])
def test_minimum_and_maximum_of_a_list_and_a_number(a1):
    # the reverse template `x1 >= x2` failed the same way
    check_all_modes(list_operands_of_minimum_and_maximum, [0.1, 0.2], a1, wrt=1)


@pytest.mark.parametrize("x", [0.4, 0.8])
def test_list_operands_that_vary(x):
    check_all_modes(list_operand_of_a_comparison_template, x)
    check_all_modes(list_and_scalar_arithmetic, x)


def test_list_plus_list_and_list_times_n_stay_lists():
    check_all_modes(lists_still_join_and_repeat, 0.7)
    source = adjoint.source(lists_still_join_and_repeat) + adjoint.source(lists_still_join_and_repeat, mode="forward")
    assert "asarray" not in source


def list_times_an_array(a, x):
    v = [0.5, x, x * x]
    return np.sum(a * v) + np.sum(v * a ** 2)


@pytest.mark.parametrize("wrt", [0, 1])
def test_list_times_an_array_multiplies_elementwise(wrt):
    # `v * a` was compiled as `list * n` (the adjoint of v added up its "copies"): 1.4 for 0.8 w.r.t. x
    check_all_modes(list_times_an_array, np.array([1.0, 2.0, 3.0]), 0.4, wrt=wrt)


# --- a helper's saved state built by its plain fwd, popped by its bwd in forward mode ---

def tanh_three_times(p):
    n = 0
    while n < 3:
        n += 1
        p = np.tanh(p)
    return p


def helper_with_a_loop_called_in_a_loop(x0, x1):
    s = 0.0
    for i in range(2):
        s = s + tanh_three_times(-x1) * x0
    return s * x0


def helper_calling_a_looping_helper(p, q):
    return tanh_three_times(p) * q


def state_inside_a_state(x0, x1):
    s = 0.0
    for i in range(2):
        s = s + helper_calling_a_looping_helper(x1, x0) * x0
    return s + x1 * helper_calling_a_looping_helper(-x1, 1.0)


@pytest.mark.parametrize("f", [helper_with_a_loop_called_in_a_loop, state_inside_a_state])
@pytest.mark.parametrize("wrt", [0, 1])
def test_grad_of_grad_where_a_helper_state_does_not_vary(f, wrt):
    # grad(grad(f, wrt=1), wrt=0): the helper's input does not vary with x0, so its plain fwd ran, but
    # its state came off the save stack with a tangent and its bwd popped tangents the stack never had
    # ("pop from empty list"; fuzzer seed 7, programs 552, 730, 840)
    expected = numerical_jacobian(adjoint.grad(f, wrt=1 - wrt), (0.3, 0.4), wrt=wrt, eps=1e-5)
    np.testing.assert_allclose(adjoint.grad(adjoint.grad(f, wrt=1 - wrt), wrt=wrt)(0.3, 0.4), expected, rtol=1e-6)
    check_all_modes(f, 0.3, 0.4, wrt=wrt)


# --- a saved tuple's integer gets the tangent that no slope turns into a NaN ---

def power_by_a_counter_of_a_rebound_base(x0, x1, x2):
    n = 0
    while True:
        n += 1
        x2 = x0 ** n
        x0 = x1
        if n >= 3:
            break
    return x2


def test_grad_of_grad_of_a_power_by_a_saved_counter_at_a_negative_base():
    # the loop saved (n, x0) as one tuple; its tangent was (0.0, 0.0), and 0.0 times the exponent's
    # slope x0 ** n * log(x0) at x0 < 0 is NaN (rt.zero is the zero no slope is evaluated at; fuzzer
    # seed 32, program 233)
    args = (0.11, -0.07, 0.05)
    assert adjoint.grad(adjoint.grad(power_by_a_counter_of_a_rebound_base, wrt=1), wrt=2)(*args) == 0.0
    check_all_modes(power_by_a_counter_of_a_rebound_base, *args, wrt=1)


def list_times_an_array_of_unknown_shape(x0, x1, x2):
    # found by the fuzzer (seed 62, program 2222): np.array(...) has no known shape, and `v * [x2, x1,
    # 0.8]` was differentiated as a list repeated v times
    v = np.array([x1, x0, 0.6])
    return np.sum((v * [x2, x1, 0.8])[:2])


def test_list_times_a_value_of_unknown_shape_is_elementwise():
    check_all_modes(list_times_an_array_of_unknown_shape, 0.5, 1.2, -1.2, wrt=1)
    check_all_modes(list_times_an_array_of_unknown_shape, 0.5, 1.2, -1.2, wrt=2)


def power_by_keywords(t, k=1.0, *, power=2, shift=0.0):
    return k * (t + shift) ** power


def exponent_passed_through_a_dict(x):
    opts = {"power": 2, "shift": -0.3}
    return power_by_keywords(x, **opts)


def exponent_read_from_a_dict(x):
    d = {"p": 3, "z": 0.0}
    return (x - 1.0) ** d["p"] + np.sqrt(d["z"] + x * x)


@pytest.mark.parametrize("f", [exponent_passed_through_a_dict, exponent_read_from_a_dict])
def test_grad_of_grad_of_a_power_whose_exponent_comes_from_a_dict_at_a_negative_base(f):
    # (fuzz seeds 141 and 142: the constant exponent's tangent was 0.0, and 0.0 times the slope in the
    # exponent, z * log(base), is NaN at a negative base; a zero tangent now adds nothing there)
    check_derivatives(f, -0.5)
    check_derivatives(f, 1.2)
