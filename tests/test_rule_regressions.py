"""Regression tests for rule templates and forward mode, named after what broke (issue 10).

Class 8: powers at zero (0 * 0 ** -1 in a slope's template); class 10: a tangent narrower than its
output (a scalar broadcast against an array lost a factor n in every second derivative); and every
runtime helper generated code calls is itself differentiable, so nesting never stops at adjoint's code.
"""
import ast
import inspect
import math
import pathlib
import re

import numpy as np
import pytest

import adjoint
from adjoint import rules
from adjoint import runtime as rt
from adjoint.rules import core
from adjoint.testing import check_grads, check_jvp, numerical_grad, numerical_jacobian


# --- class 8: powers at zero -------------------------------------------------------------------
def power(x, n):
    return x ** n


def np_power(x, n):
    return np.sum(np.power(x, n))


def math_power(x, n):
    return math.pow(x, n)


def powers_of_a_loop_counter(h):
    s = 0.0
    for i in range(3):
        s = s + np.sum(h ** (i + 1))
    return s


def constant_powers(x):
    return x ** 0 + x ** 1 + x ** 2 + x ** 3


def _derivatives(f, order):
    """f differentiated `order` times in its first argument, by nested grad."""
    for _ in range(order):
        f = adjoint.grad(f)
    return f


@pytest.mark.parametrize("f", [power, math_power], ids=["**", "math.pow"])
@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_powers_at_zero_are_finite_to_the_third_derivative(f, n):
    exponent = float(n) if f is math_power else n
    for order in range(4):                    # d^k/dx^k x^n at 0 is n! where k == n, else 0
        want = math.factorial(n) if order == n else 0.0
        got = _derivatives(f, order)(0.0, exponent) if order else f(0.0, exponent)
        assert got == want, f"order {order} of x ** {n} at 0: {got}"


@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_powers_at_zero_forward_and_hessian(n):
    slope = 1.0 if n == 1 else 0.0
    assert adjoint.jvp(power, (0.0, n), (1.0, 0.0))[1] == slope
    assert adjoint.hessian(power)(0.0, n) == (2.0 if n == 2 else 0.0)
    x = np.zeros(3)
    np.testing.assert_array_equal(adjoint.grad(np_power)(x, n), np.full(3, slope))
    np.testing.assert_array_equal(adjoint.hessian(np_power)(x, n), np.eye(3) * (2.0 if n == 2 else 0.0))


def test_hessian_of_powers_of_a_loop_counter_at_zero():
    h = np.array([0.0, 0.5, -1.0, 0.0])
    want = np.diag(2.0 + 6.0 * h)              # sum h + h^2 + h^3
    np.testing.assert_allclose(adjoint.hessian(powers_of_a_loop_counter)(h), want)
    np.testing.assert_allclose(adjoint.grad(powers_of_a_loop_counter)(h), 1 + 2 * h + 3 * h ** 2)
    check_grads(powers_of_a_loop_counter, np.array([0.3, -0.5, 0.9]))
    check_jvp(powers_of_a_loop_counter, np.array([0.3, -0.5, 0.9]))


def test_constant_powers_at_zero():
    assert adjoint.grad(constant_powers)(0.0) == 1.0
    assert adjoint.grad(adjoint.grad(constant_powers))(0.0) == 2.0
    assert _derivatives(constant_powers, 3)(0.0) == 6.0
    assert adjoint.hessian(constant_powers)(0.0) == 2.0
    assert adjoint.jvp(constant_powers, (0.0,), (1.0,))[1] == 1.0


def test_power_slope_in_the_exponent_at_a_zero_base():
    # d/dn 0 ** n = 0 for n > 0 (log 0 must not turn it into NaN)
    assert adjoint.grad(power, wrt=1)(0.0, 2.0) == 0.0
    assert adjoint.jvp(power, (0.0, 2.0), (0.0, 1.0))[1] == 0.0
    np.testing.assert_array_equal(adjoint.grad(np_power, wrt=1)(np.zeros(2), 1.5), 0.0)


def test_power_with_a_varying_exponent_away_from_zero():
    check_grads(power, 1.3, 2.5, wrt=(0, 1))
    check_jvp(power, 1.3, 2.5)
    check_grads(power, 0.7, 0.0, wrt=(0, 1))
    want = numerical_jacobian(adjoint.grad(power, wrt=(0, 1)), [1.3, 2.5], (0, 1))
    got = adjoint.hessian(lambda_free_power, wrt=0)(np.array([1.3, 2.5]))
    np.testing.assert_allclose(got, np.array(want).reshape(2, 2), rtol=1e-5)


def lambda_free_power(v):
    return v[0] ** v[1]


# --- class 10: a scalar broadcast against an array ---------------------------------------------
def sum_of_differences_squared(x, a):
    return np.sum(a - x) ** 2


def scalar_plus_array(x, a):
    return np.sum(x + a)


def mean_of_scaled_shift(x, a):
    return np.mean((a + x) * 2.0) * x


A3 = np.array([1.0, 2.0, 3.0])


def test_second_derivative_through_a_scalar_broadcast_keeps_the_factor_n():
    x = 0.5
    want = 2 * len(A3) ** 2                          # d2/dx2 (sum(a) - 3x)^2 = 18
    assert adjoint.grad(adjoint.grad(sum_of_differences_squared))(x, A3) == pytest.approx(want)
    assert adjoint.hessian(sum_of_differences_squared)(x, A3) == pytest.approx(want)
    assert adjoint.hvp(sum_of_differences_squared)(x, A3, 1.0) == pytest.approx(want)
    jac = adjoint.jacobian(adjoint.grad(sum_of_differences_squared), mode="forward")(x, A3)
    assert jac == pytest.approx(want)


@pytest.mark.parametrize("f", [sum_of_differences_squared, scalar_plus_array, mean_of_scaled_shift])
def test_forward_tangent_of_a_scalar_broadcast_against_an_array(f):
    x = 0.5
    want = numerical_grad(f, [x, A3], 0)
    assert adjoint.jvp(lambda_x(f), (x,), (1.0,))[1] == pytest.approx(want)
    check_grads(f, x, A3)


def lambda_x(f):
    """f with a fixed to A3, written out so adjoint reads it (no closure over a lambda)."""
    return {sum_of_differences_squared: _sds, scalar_plus_array: _spa, mean_of_scaled_shift: _mss}[f]


def _sds(x):
    return sum_of_differences_squared(x, A3)


def _spa(x):
    return scalar_plus_array(x, A3)


def _mss(x):
    return mean_of_scaled_shift(x, A3)


def test_tangent_has_the_shape_of_its_output():
    _, tangent = adjoint.jvp(_broadcast_difference, (0.5,), (1.0,))
    assert np.shape(tangent) == A3.shape
    np.testing.assert_array_equal(tangent, -np.ones(3))


def _broadcast_difference(x):
    return A3 - x


# --- every runtime helper generated code calls is differentiable in both modes -----------------
ADJOINT = pathlib.Path(adjoint.__file__).parent
GENERATORS = ["reverse.py", "forward.py", "driver.py", "cleanup.py"]


def _rt_names(text):
    return set(re.findall(r"\brt\.([A-Za-z_]\w*)", text))


def _templates(rule):
    yield from rule.reverse.values()
    for _, reverse in rule.variants:
        yield from reverse.values()
    for _, forward in rule.forward_variants:
        yield from forward.values()
    yield from (rule.complex or {}).values()
    forward = rule.forward
    yield from (forward.values() if isinstance(forward, dict) else [forward] if forward else [])


def helpers_generated_code_calls():
    """rt.<name> read by any rule template, or written into code by the generators."""
    names = set()
    for rule in list(core.RULES.values()) + list(core.METHODS.values()) + list(core.ATTRIBUTES.values()):
        for template in _templates(rule):
            names |= _rt_names(template)
    for module in GENERATORS:
        tree = ast.parse((ADJOINT / module).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                names |= _rt_names(node.value)
    return sorted(names)


NOT_CALLED = {"zero",          # a value (the zero adjoint of a missing item), not a function
              "absent",        # a value (what a store overwrote where a dict had no key)
              "value_not_computed",    # a value (what grad's code returns for the value it discards)
              "OUTER_CHUNK",   # a value (how many iterations' outer products are summed at once)
              "write"}         # the IR's form of a store: the generators emit the store itself


def test_the_helper_list_is_found():
    helpers = helpers_generated_code_calls()
    for expected in ("unbroadcast", "unreduce", "unindex", "zeros_like", "power_exponent", "widen", "add"):
        assert expected in helpers
    for name in helpers:
        assert hasattr(rt, name), f"templates call rt.{name}, which adjoint.runtime does not define"


# helpers whose derivative in an argument is not written yet: nesting one level deeper than the order
# named here stops with a NonDifferentiable error naming the helper (never a wrong number)
KNOWN_GAPS = {
    ("prod_others_jvp", "v"): "third derivatives of np.prod and np.cumprod",
}
# helpers differentiated from their source that reach a known gap (third derivatives of np.cumprod)
REACH_A_GAP = {"cumprod_grad_tangent": "prod_others_jvp", "cumprod_jvp_tangent": "prod_others_jvp"}


def _differentiable_from_source(helper):
    """A helper without a rule is differentiated through its Python source, like a user's function."""
    wrt = tuple(p for p in inspect.signature(helper).parameters if not _reads_only_for_shape(p))
    adjoint.source(helper, mode="forward", wrt=wrt)
    adjoint.source(helper, wrt=wrt)
    return True


@pytest.mark.parametrize("name", [n for n in helpers_generated_code_calls() if n not in NOT_CALLED])
def test_runtime_helper_is_differentiable_in_both_modes(name):
    helper = getattr(rt, name)
    if rules.is_constant(helper):
        return                                      # declared to carry no derivative
    rule = rules.lookup(helper)
    if rule is None and name in REACH_A_GAP:
        with pytest.raises(adjoint.NonDifferentiable, match=REACH_A_GAP[name]):
            _differentiable_from_source(helper)
        return
    if rule is None:
        assert _differentiable_from_source(helper)
        return
    assert rule.forward, f"rt.{name} has no forward rule (hessian and jvp of a gradient need one)"
    params = [p for p in rule.params + ((rule.vararg,) if rule.vararg else ()) if p not in rule.no_derivative]
    if isinstance(rule.forward, dict):
        missing = [p for p in params if p not in rule.forward and not _reads_only_for_shape(p)
                   and (name, p) not in KNOWN_GAPS]
        assert not missing, f"rt.{name}: no tangent for {missing} (nor declared in no_derivative)"
    signature = inspect.signature(helper)
    assert len(signature.parameters) >= len(rule.params), f"rt.{name}: the rule names parameters it lacks"


def test_known_gaps_are_still_gaps():
    """A gap that gets filled must leave KNOWN_GAPS (so that the list stays the truth)."""
    for name, param in KNOWN_GAPS:
        rule = rules.lookup(getattr(rt, name))
        assert param not in rule.forward


def _reads_only_for_shape(param):
    """Parameters that are axes, names, orders, counts or indices carry no derivative by nature."""
    return param in core.SELECTORS | {"full_matrices", "compute_uv"}


def test_selector_parameters_of_runtime_helpers_carry_no_derivative():
    for fn, rule in core.RULES.items():
        if getattr(fn, "__module__", None) == rt.__name__:
            selectors = [p for p in rule.params if p in core.SELECTORS]
            assert set(selectors) <= set(rule.no_derivative), rule.name


# --- second derivatives through the helpers that lacked a tangent --------------------------------
WEIGHTS = np.array([1.0, -2.0, 0.5, 3.0])
POINT = np.array([0.5, -1.2, 0.3, 2.0])


def weighted_cumprod(x):
    return np.sum(np.cumprod(x) * WEIGHTS)


def weighted_cumprod_by_rows(x):
    return np.sum(np.cumprod(np.reshape(x, (2, 2)), axis=1) * np.reshape(WEIGHTS, (2, 2)))


def squared_cumprod(x):
    return np.sum(np.cumprod(x) ** 2)


def three_norm(x):
    return np.linalg.norm(x, ord=3)


def one_norm_squared(x):
    return np.linalg.norm(x, ord=1) ** 2


def inf_norm_times_two_norm(x):
    return np.linalg.norm(x, ord=np.inf) * np.linalg.norm(x, ord=2)


@pytest.mark.parametrize("f", [weighted_cumprod, weighted_cumprod_by_rows, squared_cumprod, three_norm,
                               one_norm_squared, inf_norm_times_two_norm])
def test_hessian_through_cumprod_and_norm_adjoints(f):
    want = numerical_jacobian(adjoint.grad(f), [POINT], 0)
    np.testing.assert_allclose(adjoint.hessian(f)(POINT), want, rtol=1e-6, atol=1e-6)


def test_hessian_through_cumprod_with_a_zero():
    x = np.array([0.5, 0.0, -1.5, 2.0])
    want = numerical_jacobian(adjoint.grad(squared_cumprod), [x], 0)
    np.testing.assert_allclose(adjoint.hessian(squared_cumprod)(x), want, rtol=1e-6, atol=1e-6)


# --- nesting through the code adjoint generates: grad of grad and hessian of a scalar function ----
BASE = np.array([[0.3, -1.1, 0.8], [1.4, 0.2, -0.6]])


def indexing(s):
    m = BASE * s
    return m[1, 2] * m[0, 0] + np.sum(m[:, 1] ** 2)


def reductions_with_axes(s):
    m = np.sin(BASE * s)
    return np.sum(np.mean(m, axis=0) ** 2) + np.sum(np.sum(m, axis=1, keepdims=True) * m)


def broadcast_against_rows(s):
    row = np.array([1.0, 2.0, 3.0]) * s
    return np.sum((BASE - row) ** 2) + np.sum(BASE * s) ** 2


def where_and_maximum(s):
    m = BASE * s
    return np.sum(np.where(m > 0, m ** 2, -m) + np.maximum(m, 0.1 * m) ** 2)


def extremum_and_cumsum(s):
    m = np.tanh(BASE * s)
    return np.max(m) ** 2 + np.sum(np.cumsum(m, axis=1) ** 2) + np.sum(np.min(m, axis=0) ** 3)


def transposes_and_matmul(s):
    m = BASE * s
    return np.sum((m.T @ m) ** 2) + np.sum(np.transpose(m) * np.exp(m.T))


def stacks_and_concatenation(s):
    parts = [np.array([s, s ** 2]), np.array([np.sin(s)])]
    joined = np.concatenate(parts)
    stacked = np.stack([joined, joined * s])
    return np.sum(stacked ** 2) + np.sum(np.split(joined, [1])[0] ** 3)


def powers_with_runtime_exponents(s):
    total = 0.0
    for k in range(4):
        total = total + (-1) ** k * (s * BASE[0, 0]) ** k / (k + 1)
    return total + np.sum(np.abs(BASE * s) ** 1.5)


NESTED = [indexing, reductions_with_axes, broadcast_against_rows, where_and_maximum, extremum_and_cumsum,
          transposes_and_matmul, stacks_and_concatenation, powers_with_runtime_exponents]


def _second_derivative(f, s, eps=1e-5):
    first = adjoint.grad(f)
    return (first(s + eps) - first(s - eps)) / (2 * eps)


@pytest.mark.parametrize("f", NESTED)
def test_grad_of_grad_and_hessian_through_generated_code(f):
    s = 0.7
    want = _second_derivative(f, s)
    assert adjoint.grad(adjoint.grad(f))(s) == pytest.approx(want, rel=1e-6, abs=1e-7)
    assert adjoint.hessian(f)(s) == pytest.approx(want, rel=1e-6, abs=1e-7)
    check_grads(f, s)
    check_jvp(f, s)


# --- `list * n` repeats the list: its adjoint adds the copies' adjoints (it was multiplied by n) --
def repeated_list(x):
    y = [x] * 3
    return y[0] + y[2] * x


def repeated_pair_on_the_right(x):
    y = 2 * [x, x ** 2]
    return y[1] * y[2] + y[3]


def repeated_tuple(x):
    y = (x, 1.0) * 2
    return y[0] * y[2] + y[3]


@pytest.mark.parametrize("f, slope, curvature", [(repeated_list, 1 + 2 * 0.7, 2.0),
                                                 (repeated_pair_on_the_right, 3 * 0.49 + 1.4, 6 * 0.7 + 2),
                                                 (repeated_tuple, 1.4, 2.0)])
def test_repeated_sequence_adjoint_adds_the_copies(f, slope, curvature):
    assert adjoint.grad(f)(0.7) == pytest.approx(slope)
    assert adjoint.jvp(f, (0.7,), (1.0,))[1] == pytest.approx(slope)
    assert adjoint.grad(adjoint.grad(f))(0.7) == pytest.approx(curvature)
    assert adjoint.hessian(f)(0.7) == pytest.approx(curvature)
    check_grads(f, 0.7)


# --- zero adjoints of items nothing contributed to (found by the fuzzer) --------------------------
def _constant_of_two(p0, p1):
    return 1.0


def helper_ignoring_an_array_argument(x):
    return _constant_of_two(x, np.array([x, x, 0.3])) + x


def dict_item_never_read(a):
    d = {"p": -0.4, "q": a - np.sum(a)}
    return np.sum(a ** 2) + 0.8 * d["p"]


def test_array_built_from_a_list_whose_adjoint_is_a_zero_number():
    # the helper's backward sweep returns the number 0.0 for its unused array parameter; the list the
    # array was built from is indexed item by item
    assert adjoint.grad(helper_ignoring_an_array_argument)(0.3) == 1.0
    assert adjoint.hessian(helper_ignoring_an_array_argument)(0.3) == 0.0
    assert adjoint.grad(adjoint.grad(helper_ignoring_an_array_argument))(0.3) == 0.0


def test_broadcast_adjoint_of_a_dict_item_nothing_contributed_to():
    a = np.array([0.2, -0.1, 0.5])
    np.testing.assert_allclose(adjoint.grad(dict_item_never_read)(a), 2 * a)
    np.testing.assert_allclose(adjoint.hessian(dict_item_never_read)(a), 2 * np.eye(3))
    check_jvp(dict_item_never_read, a)
