"""Nested functions, lambdas (nested and module-level) and functions passed as arguments: each
checked in reverse, forward, hessian and (for a scalar argument) grad-of-grad mode against central
differences; what stays unsupported is rejected at the user's line."""
import inspect
import re

import numpy as np
import pytest

import adjoint
import function_functions as ff
from adjoint.testing import check_derivatives, check_grads

A = np.array([0.3, -0.7, 1.1])
W = np.array([[0.5, -0.2, 0.1], [0.3, 0.8, -0.4], [-0.6, 0.2, 0.9]])


def check_all_modes(f, *args, wrt=0):
    check_derivatives(f, *args, wrt=wrt)


CASES = [
    (ff.closure_over_a_differentiated_value, (0.7,), 0),
    (ff.closure_over_parameters, (W, A, A[::-1].copy()), 0),
    (ff.closure_over_parameters, (W, A, A[::-1].copy()), 1),
    (ff.closure_over_parameters, (W, A, A[::-1].copy()), 2),
    (ff.lambda_bound_to_a_name, (0.4, -1.2), 0),
    (ff.lambda_bound_to_a_name, (0.4, -1.2), 1),
    (ff.lambda_called_where_written, (0.6,), 0),
    (ff.nested_calling_nested, (0.9, 0.4), 0),
    (ff.nested_calling_nested, (0.9, 0.4), 1),
    (ff.nested_in_a_loop, (A,), 0),
    (ff.nested_with_a_default, (1.3,), 0),
    (ff.recursive_nested, (0.8, 3), 0),
    (ff.variable_assigned_after_the_definition, (0.5,), 0),
    (ff.calls_a_helper_with_a_closure, (0.5, 1.4), 0),
    (ff.calls_a_helper_with_a_closure, (0.5, 1.4), 1),
    (ff.module_lambdas, (A,), 0),
    (ff.nested_with_raise, (0.3,), 0),
    (ff.scaled_loss, (0.9,), 0),
    (ff.act, (0.4,), 0),
    (ff.def_in_a_branch, (0.7, 1.0), 0),
    (ff.def_in_a_branch, (0.7, -1.0), 0),
    (ff.def_in_a_while_loop_with_break, (0.4,), 0),
    (ff.shadows_a_global, (0.6,), 0),
    (ff.returns_a_tuple, (0.5, 0.8), 1),
    (ff.called_with_keywords, (0.5, 0.8), 0),
    (ff.lambda_in_a_loop, (A,), 0),
    (ff.nested_two_levels, (0.7,), 0),
    (ff.nested_reads_param_rebound, (0.7,), 0),
    (ff.raise_in_nested_loop, (0.3,), 0),
    (ff.integrate_with_a_module_function, (A,), 0),
    (ff.integrate_with_a_numpy_function, (A,), 0),
    (ff.integrate_with_a_lambda, (A,), 0),
    (ff.integrate_with_a_nested_function, (A,), 0),
    (ff.integrate_with_a_math_function, (0.4,), 0),
    (ff.passes_a_function_along, (0.7,), 0),
    (ff.passes_a_closure, (A,), 0),
    (ff.passes_two_closures, (0.4, 0.9), 0),
    (ff.passes_two_closures, (0.4, 0.9), 1),
    (ff.several_function_arguments, (0.6,), 0),
]


@pytest.mark.parametrize("f, args, wrt", CASES, ids=[f"{f.__name__}-{wrt}" for f, _, wrt in CASES])
def test_derivatives_match_finite_differences(f, args, wrt):
    check_all_modes(f, *args, wrt=wrt)


def test_a_nested_function_is_lifted_to_a_helper_taking_what_it_reads():
    source = adjoint.source(ff.closure_over_a_differentiated_value, args=(0.7,))
    assert "def scaled_sine_fwd(scale, y):" in source
    assert "scaled_sine_fwd(scale, x * x)" in source


def test_a_helper_is_cloned_for_a_closure_passed_to_it():
    source = adjoint.source(ff.passes_a_closure, args=(A,))
    assert "rk4_rhs_drate_y_fwd(rate, y0, 0.1)" in source
    assert "def rk4_rhs_drate_y_fwd(rate, y, dt):" in source and "rhs_fwd(rate, y)" in source


def test_a_helper_is_specialised_on_the_function_passed():
    source = adjoint.source(ff.several_function_arguments, args=(0.6,), mode="reverse")
    assert "def two_functions_sin_decay_fwd(f, g, x):" in source
    assert "def two_functions_decay_sin_fwd(f, g, x):" in source


def test_a_nested_function_runs_when_nothing_is_differentiated_through_it():
    # the call carries no derivative: the generated code calls the lifted function itself
    def outer(x, n):
        def count(k):
            return k * 2
        return x * count(n)
    assert adjoint.grad(outer)(1.5, 3) == pytest.approx(6.0)
    assert "count(n)" in adjoint.source(outer, args=(1.5, 3))


def test_a_closure_reads_the_variable_at_the_time_of_the_call():
    def f(x):
        c = x
        def g(t):
            return t * c
        first = g(x)
        c = 3.0 * x
        return first + g(x)
    check_all_modes(f, 0.8)
    assert adjoint.grad(f)(0.8) == pytest.approx(2 * 0.8 + 6 * 0.8)


BAD_FILE = inspect.getsourcefile(ff)
BAD_LINES = open(BAD_FILE, encoding="utf-8").read().splitlines()
REJECTED = [
    (ff.returns_a_nested_function, "returned", "used as a value"),
    (ff.passes_a_closure_to_a_builtin, "closure to a builtin", "reads local variables (`x`)"),
    (ff.passes_a_closure_on, "passed on", "can be called here but not passed on"),
    (ff.defines_twice, "defined twice", "defined twice"),
    (ff.computed_default, "computed default", "default values"),
    (ff.reassigns_a_nested_function, "reassigned", "also assigned"),
]


@pytest.mark.parametrize("f, tag, reason", REJECTED, ids=[tag for _, tag, _ in REJECTED])
def test_unsupported_uses_are_rejected_at_the_users_line(f, tag, reason):
    number = next(i for i, line in enumerate(BAD_LINES, 1) if line.rstrip().endswith(f"# BAD {tag}"))
    with pytest.raises(adjoint.UnsupportedSyntax) as info:
        adjoint.grad(f)(0.5)
    message = str(info.value)
    assert "function_functions.py" in message and re.search(rf"line {number}\b", message), message
    assert reason in message and "hint:" in message, message


def test_a_function_argument_of_the_differentiated_function_names_what_to_write():
    for call in [lambda: adjoint.grad(ff.rk4, wrt=1)(ff.decay, A, 0.1),
                 lambda: adjoint.jvp(ff.rk4, (ff.decay, A, 0.1), (None, A, 0.0))]:
        with pytest.raises(adjoint.UnsupportedSyntax) as info:
            call()
        message = str(info.value)
        assert "`f` is a parameter of rk4 called as a function" in message and "k1 = f(y)" in message
        assert "functools.partial(rk4, the_function)" in message


def test_a_partial_binding_the_function_argument_is_differentiated():
    import functools
    step = functools.partial(ff.rk4, ff.decay)
    check_all_modes(lambda y: np.sum(step(y, 0.1) ** 2), A)
    check_grads(step, 0.4, 0.1, wrt=0)


EXPORTED = [ff.closure_over_a_differentiated_value, ff.integrate_with_a_lambda, ff.passes_a_closure, ff.module_lambdas]


@pytest.mark.parametrize("f", EXPORTED, ids=[f.__name__ for f in EXPORTED])
def test_an_exported_derivative_carries_the_lifted_functions(f, tmp_path):
    from adjoint import export
    from test_export import literal, run_standalone
    args = (0.7,) if f is ff.closure_over_a_differentiated_value else (A,)
    export.export(f, tmp_path / "exported.py", args=args)
    got = run_standalone(tmp_path, "exported", f"exported.grad({', '.join(map(literal, args))})")
    np.testing.assert_allclose(got, adjoint.grad(f)(*args), rtol=1e-12)


def test_a_bound_method_is_not_exported():
    from adjoint import export
    import callable_functions as cf
    with pytest.raises(export.ExportError, match="bound method, callable object or partial"):
        export.export(cf.model.loss, args=(A,))


def test_closures_made_by_one_factory_share_code_and_read_their_own_cells():
    first, second = ff.make_scaled(1.7), ff.make_scaled(-0.4)
    for f, factor in [(first, 1.7), (second, -0.4), (first, 1.7)]:
        x = 0.9
        expected = factor * (np.cos(x) * x + np.sin(x))
        assert adjoint.grad(f)(x) == pytest.approx(expected)
        assert adjoint.jvp(f, (x,), (1.0,))[1] == pytest.approx(expected)
