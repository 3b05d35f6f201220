"""Corpus tests: every function in corpus_functions checked against finite differences."""

import inspect
import math
import zlib

import numpy as np
import pytest

import adjoint
import corpus_functions as cf
from adjoint.testing import check_grads, numerical_grad


def _vec(*shape):
    """Factory for a standard-normal array of the given shape."""
    return lambda rng: rng.standard_normal(shape)


def _uni(lo, hi):
    """Factory for a Python float drawn uniformly from [lo, hi)."""
    return lambda rng: float(rng.uniform(lo, hi))


def _args(*factories):
    """Combine per-argument factories (or constants) into one args factory."""
    return lambda rng: tuple(f(rng) if callable(f) else f for f in factories)


MLP_ARGS = _args(_vec(3, 5), _vec(5), _vec(5), _uni(-1, 1), _vec(8, 3), _vec(8))

# (function, args factory, wrt, id suffix)
CASES = [
    (cf.scalar_arithmetic, _args(_uni(0.5, 2), _uni(0.5, 2)), 0, ""),
    (cf.scalar_arithmetic, _args(_uni(0.5, 2), _uni(0.5, 2)), "y", "by_name"),
    (cf.scalar_arithmetic, _args(_uni(0.5, 2), _uni(0.5, 2)), (0, 1), "both"),
    (cf.unary_minus_and_constants, _args(_uni(-2, 2)), 0, ""),
    (cf.division_chain, _args(_uni(0.5, 2), _uni(0.5, 2)), (0, 1), ""),
    (cf.cube, _args(_uni(-2, 2)), 0, ""),
    (cf.two_to_the_x, _args(_uni(-1, 2)), 0, ""),
    (cf.x_to_the_y, _args(_uni(0.5, 2), _uni(0.5, 3)), (0, 1), ""),
    (cf.trig_functions, _args(_uni(-1, 1)), 0, ""),
    (cf.exp_log_sqrt, _args(_uni(0.5, 2)), 0, ""),
    (cf.tanh_abs_array, _args(_vec(5)), 0, ""),
    (cf.elementwise_array_mix, _args(_vec(3, 4)), 0, ""),
    (cf.builtin_abs_scalar, _args(_uni(-2, -0.5)), 0, ""),
    (cf.if_elif_else, _args(_uni(1.5, 2.5)), 0, "if"),
    (cf.if_elif_else, _args(_uni(-0.5, 0.5)), 0, "elif"),
    (cf.if_elif_else, _args(_uni(-2.5, -1.5)), 0, "else"),
    (cf.conditional_expression, _args(_uni(0.5, 2), 1.0), 0, "true"),
    (cf.conditional_expression, _args(_uni(-2, -0.5), -1.0), 0, "false"),
    (cf.chained_comparison, _args(_uni(0.2, 0.8)), 0, "inside"),
    (cf.chained_comparison, _args(_uni(1.5, 2.5)), 0, "outside"),
    (cf.branch_on_array_value, _args(lambda rng: rng.uniform(0.1, 1, 4)), 0, "positive"),
    (cf.branch_on_array_value, _args(lambda rng: -rng.uniform(0.1, 1, 4)), 0, "negative"),
    (cf.augmented_assignment, _args(_uni(0.5, 2), _uni(0.5, 2)), (0, 1), ""),
    (cf.augmented_assignment_array, _args(_vec(4)), 0, ""),
    (cf.tuple_unpacking, _args(_uni(-2, 2), _uni(-2, 2)), (0, 1), ""),
    (cf.reassign_same_name, _args(_uni(-2, 2)), 0, ""),
    (cf.loop_carried_scalar, _args(_uni(0.5, 1.5), 5), 0, ""),
    (cf.loop_carried_array, _args(_vec(4), 3), 0, ""),
    (cf.range_with_step, _args(_uni(0.5, 1.2)), 0, ""),
    (cf.loop_over_rows, _args(_vec(4, 3), _vec(3)), (0, 1), ""),
    (cf.loop_over_literal_list, _args(_uni(-1, 1), _uni(-1, 1), _uni(-1, 1)), (0, 1, 2), ""),
    (cf.loop_over_list_argument, _args(_uni(-2, 2), lambda rng: [float(w) for w in rng.uniform(-1, 1, 3)]), 0, "x"),
    (cf.loop_over_list_argument, _args(_uni(-2, 2), lambda rng: [float(w) for w in rng.uniform(-1, 1, 3)]), 1, "list"),
    (cf.loop_uses_index_into_array, _args(_vec(5)), 0, ""),
    (cf.nested_loops, _args(_uni(-1.5, 1.5)), 0, ""),
    (cf.nested_loops_matrix, _args(_vec(3, 3), _vec(3)), (0, 1), ""),
    (cf.while_data_dependent, _args(_uni(1, 3)), 0, ""),
    (cf.while_with_counter, _args(_uni(-1, 1), 4), 0, ""),
    (cf.loop_with_break, _args(_uni(0.3, 1)), 0, ""),
    (cf.loop_with_continue, _args(_uni(0.5, 1.1)), 0, ""),
    (cf.return_inside_loop, _args(_uni(0.5, 1.5)), 0, "early"),
    (cf.return_inside_loop, _args(_uni(-2, -0.5)), 0, "late"),
    (cf.calls_helpers, _args(_uni(-2, 2)), 0, ""),
    (cf.recursive_power, _args(_uni(-2, 2)), 0, ""),
    (cf.recursive_if_else, _args(_uni(-2, 2)), 0, ""),
    (cf.inactive_calls, _args(_vec(5)), 0, ""),
    (cf.math_module_functions, _args(_uni(0.5, 2)), 0, ""),
    (cf.affine_broadcast, _args(_vec(3, 4), _vec(4), _vec(3)), (0, 1, 2), ""),
    (cf.broadcast_column_times_row, _args(_vec(3, 1), _vec(4)), (0, 1), ""),
    (cf.add_scalar_constant, _args(_vec(2, 3)), 0, ""),
    (cf.sum_of_squares, _args(_vec(5)), 0, ""),
    (cf.mean_with_axis, _args(_vec(4, 3)), 0, ""),
    (cf.dot_and_matmul, _args(_vec(3, 4), _vec(4, 3), _vec(3)), (0, 1, 2), ""),
    (cf.maximum_minimum, _args(_vec(6), _vec(6)), (0, 1), ""),
    (cf.leaky_relu_where, _args(_vec(6)), 0, ""),
    (cf.reshape_and_transpose, _args(_vec(6)), 0, ""),
    (cf.shape_in_computation, _args(_vec(5)), 0, ""),
    (cf.method_sum_axis, _args(_vec(3, 4)), 0, ""),
    (cf.method_dot, _args(_vec(4), _vec(4)), (0, 1), ""),
    (cf.index_reads, _args(_vec(6)), 0, ""),
    (cf.column_slices, _args(_vec(4, 3)), 0, ""),
    (cf.logsumexp, _args(_vec(5)), 0, ""),
    (cf.mlp_loss, MLP_ARGS, ("W1", "b1", "W2", "b2"), ""),
    (cf.taylor_sin, _args(_uni(0.1, 2.5)), 0, ""),
]


def _case_id(fn, suffix):
    """Test id: the function name, plus a suffix when one function has several cases."""
    return f"{fn.__name__}-{suffix}" if suffix else fn.__name__


PARAMS = [pytest.param(fn, factory, wrt, id=_case_id(fn, suffix)) for fn, factory, wrt, suffix in CASES]


def _inputs(fn, factory, wrt):
    """Deterministic inputs for one case, seeded from its name and wrt."""
    return factory(np.random.default_rng(zlib.crc32(f"{fn.__name__}/{wrt}".encode())))


@pytest.mark.parametrize("fn, factory, wrt", PARAMS)
def test_corpus_gradient(fn, factory, wrt):
    check_grads(fn, *_inputs(fn, factory, wrt), wrt=wrt)


def test_every_corpus_function_has_a_case():
    public = {name for name, obj in vars(cf).items()
              if inspect.isfunction(obj) and obj.__module__ == cf.__name__ and not name.startswith("_")}
    covered = {fn.__name__ for fn, *_ in CASES}
    assert public - covered - {"power"} == set()
    assert len({p.id for p in PARAMS}) == len(PARAMS), "duplicate test ids"


# --- closed forms ---------------------------------------------------------------------------


@pytest.mark.parametrize("x", [0.1, 0.3, 0.7, 1.0, -1.5, 2.0, 2.5])
def test_taylor_sin_gradient_is_cos(x):
    assert abs(adjoint.grad(cf.taylor_sin)(x) - math.cos(x)) < 1e-7


def test_sum_of_squares_gradient_is_exactly_2x(rng):
    x = rng.standard_normal(7)
    np.testing.assert_array_equal(adjoint.grad(cf.sum_of_squares)(x), 2 * x)


def test_power_closed_forms():
    assert adjoint.grad(cf.cube)(1.5) == pytest.approx(3 * 1.5 ** 2, rel=1e-14)
    assert adjoint.grad(cf.two_to_the_x)(0.7) == pytest.approx(2 ** 0.7 * math.log(2), rel=1e-14)
    gx, gy = adjoint.grad(cf.x_to_the_y, wrt=(0, 1))(1.3, 2.2)
    assert gx == pytest.approx(2.2 * 1.3 ** 1.2, rel=1e-14)
    assert gy == pytest.approx(1.3 ** 2.2 * math.log(1.3), rel=1e-14)


def test_recursive_power_closed_form():
    assert adjoint.grad(cf.recursive_power)(1.7) == pytest.approx(4 * 1.7 ** 3, rel=1e-14)


def test_while_loop_gradient_closed_form():
    # y = x*x halved k times, where k = 5 for x = 1.5 (2.25 -> ... -> 0.140625 -> 0.0703125)
    assert adjoint.grad(cf.while_data_dependent)(1.5) == pytest.approx(2 * 1.5 / 2 ** 5, rel=1e-14)


def test_grad_of_grad_is_second_derivative():
    assert adjoint.grad(adjoint.grad(cf.cube))(1.5) == pytest.approx(6 * 1.5, rel=1e-12)


# --- types and shapes of gradients ----------------------------------------------------------


def test_float_argument_gives_python_float():
    g = adjoint.grad(cf.cube)(1.5)
    assert type(g) is float, f"expected float, got {type(g).__name__}"


def test_int_argument_gives_python_float():
    g = adjoint.grad(cf.cube)(3)
    assert type(g) is float, f"expected float, got {type(g).__name__}"
    assert g == 27.0


def test_array_argument_gives_array_of_same_shape(rng):
    for shape in [(5,), (3, 4), (2, 1, 3)]:
        x = rng.standard_normal(shape)
        g = adjoint.grad(cf.sum_of_squares)(x)
        assert isinstance(g, np.ndarray) and g.shape == shape
        assert g.dtype == np.float64


def test_column_broadcast_gradients_keep_argument_shapes(rng):
    x, y = rng.standard_normal((3, 1)), rng.standard_normal(4)
    gx, gy = adjoint.grad(cf.broadcast_column_times_row, wrt=(0, 1))(x, y)
    assert gx.shape == (3, 1) and gy.shape == (4,)


def test_list_argument_gives_list_of_floats():
    g = adjoint.grad(cf.loop_over_list_argument, wrt=1)(2.0, [0.5, -1.0, 3.0])
    assert type(g) is list and len(g) == 3
    assert all(type(v) is float for v in g)
    assert g == pytest.approx([4.0, 4.0, 4.0])


def test_scalar_argument_of_mixed_wrt_is_float():
    args = _inputs(cf.mlp_loss, MLP_ARGS, "types")
    grads = adjoint.grad(cf.mlp_loss, wrt=("W1", "b2"))(*args)
    assert isinstance(grads, tuple) and len(grads) == 2
    assert grads[0].shape == args[0].shape
    assert type(grads[1]) is float


# --- wrt by name, tuple, position --------------------------------------------------------------


def test_wrt_name_equals_position():
    args = _inputs(cf.mlp_loss, MLP_ARGS, "names")
    by_name = adjoint.grad(cf.mlp_loss, wrt=("W1", "b1", "W2", "b2"))(*args)
    by_position = adjoint.grad(cf.mlp_loss, wrt=(0, 1, 2, 3))(*args)
    mixed = adjoint.grad(cf.mlp_loss, wrt=(0, "b1", 2, "b2"))(*args)
    for a, b, c in zip(by_name, by_position, mixed):
        np.testing.assert_allclose(a, b, rtol=1e-12)
        np.testing.assert_allclose(a, c, rtol=1e-12)


def test_single_name_gives_single_gradient_and_order_follows_wrt():
    g = adjoint.grad(cf.scalar_arithmetic, wrt="y")(1.2, 0.7)
    assert type(g) is float
    gy, gx = adjoint.grad(cf.scalar_arithmetic, wrt=("y", "x"))(1.2, 0.7)
    assert gy == pytest.approx(g, rel=1e-14)
    assert gx == pytest.approx(adjoint.grad(cf.scalar_arithmetic)(1.2, 0.7), rel=1e-14)


def test_value_and_grad_returns_value_and_gradient():
    value, g = adjoint.value_and_grad(cf.cube)(2.0)
    assert value == 8.0 and g == 12.0


# --- decorator -------------------------------------------------------------------------------


@adjoint.differentiate
def decorated_plain(x, y):
    return np.sum(x * y) + np.sum(x ** 2)


@adjoint.differentiate(wrt=("w", "b"))
def decorated_loss(w, b, X, y):
    return np.mean((X @ w + b - y) ** 2)


def test_decorated_function_still_computes_original(rng):
    x, y = rng.standard_normal(3), rng.standard_normal(3)
    assert decorated_plain(x, y) == pytest.approx(np.sum(x * y) + np.sum(x ** 2), rel=1e-14)


def test_decorator_without_arguments(rng):
    x, y = rng.standard_normal(3), rng.standard_normal(3)
    np.testing.assert_allclose(decorated_plain.grad(x, y), y + 2 * x, rtol=1e-12)
    value, g = decorated_plain.value_and_grad(x, y)
    assert value == pytest.approx(decorated_plain(x, y), rel=1e-14)
    np.testing.assert_allclose(g, y + 2 * x, rtol=1e-12)
    assert isinstance(decorated_plain.source(), str) and "def " in decorated_plain.source()


def test_decorator_with_wrt(rng):
    w, b = rng.standard_normal(3), 0.3
    X, y = rng.standard_normal((6, 3)), rng.standard_normal(6)
    gw, gb = decorated_loss.grad(w, b, X, y)
    nw, nb = numerical_grad(decorated_loss, (w, b, X, y), wrt=("w", "b"))
    np.testing.assert_allclose(gw, nw, rtol=1e-6, atol=1e-8)
    assert type(gb) is float and gb == pytest.approx(nb, rel=1e-6)
    value, (gw2, gb2) = decorated_loss.value_and_grad(w, b, X, y)
    assert value == pytest.approx(decorated_loss(w, b, X, y), rel=1e-14)
    np.testing.assert_allclose(gw2, gw, rtol=1e-12)


def test_transforms_accept_decorated_function(rng):
    x, y = rng.standard_normal(3), rng.standard_normal(3)
    check_grads(decorated_plain, x, y, wrt=(0, 1))


# --- cache and aliasing -------------------------------------------------------------------------


def test_source_is_cached_and_stable():
    first = adjoint.source(cf.mlp_loss, wrt=("W1", "b2"))
    second = adjoint.source(cf.mlp_loss, wrt=("W1", "b2"))
    assert isinstance(first, str) and first == second
    g1, g2 = adjoint.grad(cf.cube), adjoint.grad(cf.cube)
    assert g1(2.0) == g2(2.0) == 12.0


def test_returned_gradient_is_fresh_each_call(rng):
    x = rng.standard_normal(4)
    g = adjoint.grad(cf.add_scalar_constant)
    first = g(x)
    assert first is not x
    expected = first.copy()
    first[:] = 1e6  # the caller owns the result; a cached buffer must not be handed out
    np.testing.assert_array_equal(g(x), expected)


def test_gradient_of_sum_does_not_alias_argument(rng):
    x = rng.standard_normal((2, 3))
    saved = x.copy()
    g = adjoint.grad(cf.method_sum_axis)(x)
    g += 1.0
    np.testing.assert_array_equal(x, saved)
