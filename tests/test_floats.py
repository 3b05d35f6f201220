"""Code compiled for Python numbers (adjoint/floats.py): NumPy's functions of numbers become math's,
and the answers stay NumPy's. Each gradient is compared with the unspecialised code's (the same
numbers up to the last bits, where libm and NumPy's own kernels round differently) and with
central differences; where math would differ from NumPy the call falls back; where a float would
behave differently from an np.float64 the function is not specialised at all."""
import math
import warnings

import numpy as np
import pytest

import adjoint
from adjoint import driver, floats
from adjoint.testing import numerical_grad

import floats_functions as F


def unspecialised(f, wrt, args, with_value=True):
    """What the code compiled for NumPy's scalars gives for these arguments."""
    floats.ENABLED[0] = False
    try:
        transform = adjoint.value_and_grad if with_value else adjoint.grad
        return transform(f, wrt)(*args)
    finally:
        floats.ENABLED[0] = True


def specialised_source(f, wrt, args):
    return adjoint.source(f, wrt=wrt, args=args)


CASES = [(F.chain, (0, 1), (0.7, 0.3)), (F.projectile, (0, 1), (20.0, 0.8, 0.05, 0.01)),
         (F.with_helpers, 0, (0.4, 5)), (F.with_ints, 1, (3, 0.5)), (F.calls_math_and_numpy, 0, (0.6,)),
         (F.shadows_abs, 0, (0.9,)), (F.recursive, 0, (0.5, 3)), (F.alternating, 0, (0.8, 6)),
         (F.state_vector, (0, 1), (0.4, 0.9)), (F.absolute_value, 0, (-0.8,)), (F.uses_pi, 0, (0.3,)),
         (F.tests_a_numpy_value, 0, (0.7,))]


@pytest.mark.parametrize("f, wrt, args", CASES, ids=[c[0].__name__ for c in CASES])
def test_the_code_for_numbers_calls_math_and_agrees_with_numpy(f, wrt, args):
    value, grads = adjoint.value_and_grad(f, wrt)(*args)
    want_value, want = unspecialised(f, wrt, args)
    assert value == pytest.approx(f(*args), rel=1e-13)
    assert type(value) is type(f(*args))                 # np.float64 where the code as written gives one
    assert np.allclose(grads, want, rtol=1e-12, atol=0)
    assert all(type(g) is float for g in np.atleast_1d(grads).tolist()) if isinstance(grads, tuple) \
        else type(grads) is float
    for position, got in zip(np.atleast_1d(wrt), grads if isinstance(grads, tuple) else (grads,)):
        assert got == pytest.approx(numerical_grad(f, args, wrt=int(position)), rel=1e-6, abs=1e-8)
    assert adjoint.grad(f, wrt)(*args) == pytest.approx(grads, rel=1e-15)


def test_the_source_shown_for_floats_is_the_code_that_runs():
    text = specialised_source(F.chain, (0, 1), (0.7, 0.3))
    code = "\n".join(line for line in text.splitlines() if not line.strip().startswith("#"))
    assert "math.sin(x)" in code and "math.cos(x)" in code and "np." not in code.replace("np.sign", "")
    general = adjoint.source(F.chain, wrt=(0, 1), args=(np.float64(0.7), np.float64(0.3)))
    assert "np.sin(x)" in general
    helper = specialised_source(F.with_helpers, 0, (0.4, 5))
    assert "math.exp(-z)" in helper and "math.sin" in helper


def test_a_list_of_numbers_made_into_an_array():
    assert "math.sin(x)" in specialised_source(F.state_vector, (0, 1), (0.4, 0.9))


def test_a_test_on_numpy_values_is_specialised():
    assert "math.sin(x)" in specialised_source(F.tests_a_numpy_value, 0, (0.7,))


def test_a_negative_numpy_value_to_a_fractional_power_in_a_test():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert adjoint.value_and_grad(F.tests_a_power_of_a_numpy_value)(-0.5)[0] == \
            F.tests_a_power_of_a_numpy_value(-0.5)


def test_pi_is_a_number():
    assert "math.sin" in specialised_source(F.uses_pi, 0, (0.3,))
    # and a number to shape inference, in the unspecialised code too: no shape checks of numbers
    assert "rt.unbroadcast" not in adjoint.source(F.uses_pi, args=(np.float64(0.3),))


def test_an_alternating_sign_is_a_number():
    assert "math.sin" in specialised_source(F.alternating, 0, (0.8, 6))       # (-1) ** k: an int


def test_a_helper_is_compiled_for_the_numbers_it_is_given():
    text = specialised_source(F.with_helpers, 0, (0.4, 5))
    assert "def sigmoid_fwd(z)" in text           # named as without numbers: a number is still a variable


@pytest.mark.parametrize("f, x", [(F.power_of_a_numpy_value, 4.0), (F.overflows, 800.0), (F.log_of_zero, 1.5),
                                  (F.divides_by_a_numpy_zero, 0.5)])
def test_where_math_differs_from_numpy_the_call_gives_numpys_answer(f, x):
    assert "math." in specialised_source(f, 0, (x,))        # (so the call does go through the fallback)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        got_value, got = adjoint.value_and_grad(f)(x)
        want_value, want = unspecialised(f, 0, (x,))
        assert np.array_equal(got_value, want_value, equal_nan=True)
        assert np.array_equal(np.float64(got_value), np.float64(f(x)), equal_nan=True)
        assert np.array_equal(got, want, equal_nan=True)
        assert not isinstance(got, complex) and not isinstance(got_value, complex)
        # and the same call again (the code for numbers is kept; the unspecialised code is too)
        assert np.array_equal(adjoint.grad(f)(x), want, equal_nan=True)
    assert "math.pow" in specialised_source(F.power_of_a_numpy_value, 0, (4.0,))


def test_where_math_agrees_the_fallback_is_not_taken():
    f = F.power_of_a_numpy_value            # sin(1.0) > 0: math.pow gives NumPy's number
    assert adjoint.grad(f)(1.0) == pytest.approx(0.5 * np.cos(1.0) / np.sqrt(np.sin(1.0)), rel=1e-14)


@pytest.mark.parametrize("f", [F.asks_for_numpy, F.float32_product, F.numbers_in_a_list, F.helper_returning_a_pair,
                               F.stored_in_an_array, F.list_kept, F.inverts_a_test,
                               F.tests_a_power_of_a_numpy_value])
def test_where_a_float_would_behave_differently_the_code_is_not_specialised(f):
    text = specialised_source(f, 0, (0.6,))
    assert "math." not in text
    value, grad = adjoint.value_and_grad(f)(0.6)
    assert value == f(0.6) and type(value) is type(f(0.6))
    assert grad == pytest.approx(numerical_grad(f, (0.6,)), rel=1e-7)


def test_the_dtype_of_a_float32_product_is_numpys():
    value = adjoint.value_and_grad(F.float32_product)(0.6)[0]
    assert value.dtype == F.float32_product(0.6).dtype == np.float64


def test_numpy_scalars_and_arrays_get_the_unspecialised_code():
    g = adjoint.grad(F.chain, (0, 1))
    for args in [(np.float64(0.7), np.float64(0.3)), (np.array(0.7), 0.3)]:
        got = g(*args)
        assert np.allclose(got, unspecialised(F.chain, (0, 1), (0.7, 0.3), with_value=False), rtol=1e-12)


def test_second_derivatives_of_functions_of_numbers():
    want = numerical_grad(adjoint.grad(F.chain, 0), (0.7, 0.3))
    assert adjoint.grad(adjoint.grad(F.chain, 0))(0.7, 0.3) == pytest.approx(want, rel=1e-6)
    assert adjoint.hessian(F.chain)(0.7, 0.3) == pytest.approx(want, rel=1e-6)


def test_a_function_not_specialised_is_not_tried_again(monkeypatch):
    adjoint.grad(F.numbers_in_a_list)(0.6)
    builds = []
    real = driver.build_reverse
    monkeypatch.setattr(driver, "build_reverse", lambda *a, **k: builds.append(k.get("statics")) or real(*a, **k))
    for _ in range(3):
        adjoint.grad(F.numbers_in_a_list)(0.6)
    assert builds == []
    adjoint.grad(lambda x: F.numbers_in_a_list(x))(0.6)      # (another function: tried, and refused)
    assert [b for b in builds if b and isinstance(b.get("x"), floats.Number)] == [{"x": floats.Number(float)}]


def test_a_module_level_number_is_a_number_while_it_holds():
    f = F.reads_a_module_constant
    assert "math.sin" in specialised_source(f, (0, 1), (20.0, 0.7))
    g = adjoint.grad(f, (0, 1))
    before = g(20.0, 0.7)
    assert np.allclose(before, unspecialised(f, (0, 1), (20.0, 0.7), with_value=False), rtol=1e-12)
    try:
        F.GRAVITY = 1.62                    # the code compiled for 9.81 is not used for the moon's
        moon = g(20.0, 0.7)
        assert np.allclose(moon, np.array(before) * 9.81 / 1.62, rtol=1e-12)
        F.GRAVITY = np.float32(1.62)        # not a Python number: the unspecialised code
        assert np.allclose(g(20.0, 0.7), unspecialised(f, (0, 1), (20.0, 0.7), with_value=False), rtol=1e-6)
    finally:
        F.GRAVITY = 9.81


def test_grad_of_one_number_runs_forward_mode_where_no_numpy_is_called():
    """The choice is read off the names the code uses (floats.calls_numpy): a NumPy call in the
    function, in a helper it calls or in a lambda it makes leaves it to reverse mode (compiled for
    numbers, math in place of NumPy), which forward mode is not."""
    assert not floats.calls_numpy(F.taylor_exp)
    assert floats.calls_numpy(F.chain) and floats.calls_numpy(F.calls_a_numpy_helper)
    assert floats.calls_numpy(F.closes_over_numpy)
    gradient = adjoint.grad(F.taylor_exp)
    assert abs(gradient(0.7) - math.exp(0.7)) < 1e-9
    function = gradient.dispatch[float][0]
    assert function.__code__.co_name == "<lambda>" and "jvp" in function.__closure__[0].cell_contents.__name__
    reverse = adjoint.grad(F.calls_a_numpy_helper)
    reverse(0.7)
    assert reverse.dispatch[float][0].__qualname__ == "_with_fallback.<locals>.run"     # reverse, for numbers
