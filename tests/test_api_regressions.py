"""Regressions of the public transforms (issue 10), each named after what broke; derivatives are checked
against central differences."""
import numpy as np
import pytest

import adjoint
from adjoint import runtime as rt
from adjoint.testing import numerical_grad


def square(x):
    return x * x


def weighted(x, w):
    return np.sum(w * x ** 2)


# --- class 11: an extra positional argument was used silently as the output seed ---

def test_extra_positional_argument_is_not_used_as_the_output_seed():
    with pytest.raises(TypeError, match=r"square\(\).*too many positional arguments"):
        adjoint.grad(square)(2.0, 3.0)
    with pytest.raises(TypeError, match=r"square\(\)"):
        adjoint.value_and_grad(square)(2.0, 3.0)
    with pytest.raises(TypeError, match=r"weighted\(\)"):
        adjoint.grad(weighted)(np.ones(2), np.ones(2), np.ones(2))
    assert adjoint.grad(square)(2.0) == pytest.approx(numerical_grad(square, (2.0,)))


def test_extra_positional_argument_after_a_first_good_call_still_raises():
    g = adjoint.grad(square)
    g(2.0)
    with pytest.raises(TypeError):
        g(2.0, 3.0)


# --- class 12: results shared memory with the caller's data ---

def times_one(a):
    return a * 1.0


def identity_sum(a):
    return np.sum(a)


def test_vjp_pullback_does_not_return_the_callers_cotangent():
    a, cotangent = np.ones(3), np.full(3, 2.0)
    value, pullback = adjoint.vjp(times_one, a)
    (gradient,) = pullback(cotangent)
    assert not np.shares_memory(gradient, cotangent)
    assert np.allclose(gradient, cotangent)
    gradient[0] = 99.0
    assert cotangent[0] == 2.0


def test_vjp_and_jvp_of_times_one_do_not_return_the_callers_input():
    a, tangent = np.arange(3.0), np.full(3, 2.0)
    value, _ = adjoint.vjp(times_one, a)
    assert not np.shares_memory(value, a)
    value, tangent_out = adjoint.jvp(times_one, (a,), (tangent,))
    assert not np.shares_memory(value, a) and not np.shares_memory(tangent_out, tangent)
    value[0] = tangent_out[0] = 99.0
    assert a[0] == 0.0 and tangent[0] == 2.0


def test_gradient_is_not_a_view_of_an_argument():
    x, w = np.ones(3), np.arange(3.0)

    def dot(x, w):
        return np.sum(x * w)
    gradient = adjoint.grad(dot)(x, w)
    assert np.allclose(gradient, w) and not np.shares_memory(gradient, w)


def accumulate_in_loop(x, w):
    s = 0.0
    for i in range(3):
        s = s + np.sum(w * x * x)
    return s


def test_derivative_calls_never_modify_the_callers_arrays():
    x, w, cotangent, tangent = np.array([0.5, -1.0]), np.array([2.0, 3.0]), 1.5, np.array([1.0, 0.5])
    originals = [v.copy() for v in (x, w, tangent)]
    adjoint.grad(accumulate_in_loop, wrt=(0, 1))(x, w)
    adjoint.vjp(accumulate_in_loop, x, w)[1](cotangent)
    adjoint.jvp(accumulate_in_loop, (x, w), (tangent, tangent))
    adjoint.hessian(accumulate_in_loop)(x, w)
    for before, after in zip(originals, (x, w, tangent)):
        assert np.array_equal(before, after)


# --- class 6: container adjoints were combined with `+` ---

def test_runtime_add_adds_containers_element_by_element():
    assert rt.add([1.0, 2.0], [3.0, 4.0]) == [4.0, 6.0]
    assert rt.add((1.0, [2.0]), (3.0, [4.0])) == (4.0, [6.0])
    assert rt.add({"a": 1.0, "b": {"c": 2.0}}, {"a": 3.0, "b": {"c": 4.0}}) == {"a": 4.0, "b": {"c": 6.0}}
    assert rt.add({"a": 1.0}, {"b": 2.0}) == {"a": 1.0, "b": 2.0}
    summed = rt.add([np.ones((2, 3)), np.ones(2)], [np.ones((2, 3)), np.ones(2)])
    assert [s.shape for s in summed] == [(2, 3), (2,)] and np.all(summed[0] == 2.0)
    assert rt.add(rt.zero, [1.0]) == [1.0] and rt.add([1.0], rt.zero) == [1.0]


def layer(params, x):
    W, b = params
    return np.sum(np.tanh(W @ x + b))


def test_list_of_differently_shaped_arrays_as_a_parameter():
    W, b, x = np.array([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]]), np.array([0.1, -0.1]), np.array([1.0, 2.0, 0.5])
    gW, gb = adjoint.grad(layer)([W, b], x)
    assert gW.shape == W.shape and gb.shape == b.shape
    nW, nb = numerical_grad(layer, ([W, b], x))
    assert np.allclose(gW, nW, atol=1e-6) and np.allclose(gb, nb, atol=1e-6)


def dict_model(p, x):
    return np.sum(p["scale"] * np.sin(p["shift"] + x))


def test_dict_of_arrays_as_a_parameter():
    p, x = {"scale": np.array([1.5, -0.5]), "shift": np.array([0.2, 0.3])}, np.array([0.1, 0.7])
    gradient = adjoint.grad(dict_model)(p, x)
    expected = numerical_grad(dict_model, (p, x))
    assert set(gradient) == {"scale", "shift"}
    for key in p:
        assert np.allclose(gradient[key], expected[key], atol=1e-6)


def cube(x):
    return x ** 3


def slope_of_cube(x):
    return adjoint.grad(cube)(x)


def test_second_derivative_through_a_function_calling_grad_is_6x():
    assert adjoint.grad(slope_of_cube)(0.3) == pytest.approx(1.8)
    assert adjoint.grad(slope_of_cube)(0.3) == pytest.approx(numerical_grad(slope_of_cube, (0.3,)), rel=1e-6)


def squared_times(a, b):
    return a * a * b


def sum_of_partials(x):
    da, db = adjoint.grad(squared_times, wrt=(0, 1))(x, 2.0)
    return da + db


def test_grad_with_a_tuple_wrt_called_inside_differentiated_code():
    # ANF bound `(0, 1)` to a temporary, which the compile-time folding of `adjoint.grad(...)` read as
    # wrt=None ("wrt must be an int, a str or a tuple of them, not None")
    assert adjoint.grad(sum_of_partials)(0.5) == pytest.approx(4.0 + 2 * 0.5)
    assert adjoint.grad(sum_of_partials)(0.5) == pytest.approx(numerical_grad(sum_of_partials, (0.5,)), rel=1e-6)


def product_of_pair(p):
    return p[0] * p[1] + p[0]


def slope_in_a_list(x):
    return adjoint.grad(product_of_pair)([x, 2.0 * x])[0]


def test_second_derivative_through_a_grad_returning_a_list():
    # the inner gradient is a list: its adjoint is added with rt.add, and a part nothing reached is
    # rt.zero, which the broadcasting helpers must take as a zero of any dtype
    assert adjoint.grad(slope_in_a_list)(0.3) == pytest.approx(numerical_grad(slope_in_a_list, (0.3,)))
    assert adjoint.grad(slope_in_a_list)(0.3) == pytest.approx(2.0)


def test_zero_adjoint_broadcasts_and_keeps_the_other_dtype():
    assert np.result_type(rt.zero, np.float32) == np.float32
    assert np.array_equal(rt.broadcast_like(rt.zero, np.ones(3)), np.zeros(3))


# --- class 9 (second part): hessian and jacobian w.r.t. an argument the function does not use ---

def ignores_y(x, y):
    return np.sum(x ** 2)


def test_hessian_wrt_an_unused_argument_is_an_n_by_n_zero_matrix():
    x, y = np.ones(2), np.ones(3)
    assert np.array_equal(adjoint.hessian(ignores_y, wrt=1)(x, y), np.zeros((3, 3)))
    assert np.allclose(adjoint.hessian(ignores_y, wrt=0)(x, y), 2.0 * np.eye(2))


def test_jacobian_of_a_gradient_wrt_an_unused_argument_has_the_full_shape():
    x, y = np.ones(2), np.ones(3)
    for mode in ("reverse", "forward"):
        assert adjoint.jacobian(adjoint.grad(ignores_y, wrt=1), wrt=1, mode=mode)(x, y).shape == (3, 3)
        assert adjoint.jacobian(adjoint.grad(ignores_y, wrt=1), wrt=0, mode=mode)(x, y).shape == (3, 2)
        assert adjoint.jacobian(ignores_y, wrt=1, mode=mode)(x, y).shape == (3,)


def test_source_of_a_derivative_is_its_own_derivative():
    # adjoint.source(adjoint.grad(f)) said the gradient had no Python source, "a builtin"
    assert "def grad_gradient_of_grad_cube" in adjoint.source(adjoint.grad(cube), args=(0.5,), mode="reverse")
    # grad(grad(cube))(0.5) runs forward mode over the gradient's code: what source shows by default
    assert adjoint.source(adjoint.grad(cube), args=(0.5,)).startswith("def gradient_of_grad_cube_jvp")
    assert "def gradient_of_grad_cube_jvp" in adjoint.source(adjoint.grad(cube), mode="forward")


def scaled_cube(x, k=2.0):
    return k * x ** 3


def test_wrt_a_defaulted_parameter_that_was_not_passed_uses_its_default():
    np.testing.assert_allclose(adjoint.grad(scaled_cube, wrt="k")(1.3), 1.3 ** 3)
    np.testing.assert_allclose(adjoint.grad(scaled_cube, wrt=("x", "k"))(1.3), (2.0 * 3 * 1.3 ** 2, 1.3 ** 3))
    (gradient,) = adjoint.vjp(scaled_cube, 1.3, wrt=("k",))[1](1.0)
    np.testing.assert_allclose(gradient, 1.3 ** 3)
    np.testing.assert_allclose(adjoint.grad(scaled_cube, wrt="k")(1.3, k=3.0), 1.3 ** 3)
