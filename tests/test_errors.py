"""Error reporting: unsupported syntax, missing derivatives, non-scalar outputs, missing source."""

import inspect
import math
import re

import numpy as np
import pytest

import adjoint
import bad_functions as bad
from adjoint.testing import check_grads, numerical_grad

BAD_FILE = inspect.getsourcefile(bad)
BAD_LINES = open(BAD_FILE, encoding="utf-8").read().splitlines()


def _marked_line(tag):
    """Return (1-based line number, code text) of the line marked `# BAD <tag>` in bad_functions.py."""
    for number, line in enumerate(BAD_LINES, start=1):
        if line.rstrip().endswith(f"# BAD {tag}"):
            return number, line.split("#")[0].rstrip()
    raise LookupError(tag)


def _raise_via_source_and_grad(fn, error, *args):
    """Assert both adjoint.source(fn) and calling adjoint.grad(fn) raise `error`; return the messages."""
    with pytest.raises(error) as from_source:
        adjoint.source(fn)
    with pytest.raises(error) as from_grad:
        adjoint.grad(fn)(*args)
    return str(from_source.value), str(from_grad.value)


# (function, marker tag, token the caret should point at)
UNSUPPORTED = [
    (bad.uses_try, "try", "try"),
    (bad.stores_a_lambda, "lambda stored in a list", "scale"),
    (bad.uses_global, "global", "global"),
    (bad.appends_to_a_list_an_object_holds, "attribute", "box.items.append"),
    (bad.uses_yield, "yield", "yield"),
]


@pytest.mark.parametrize("fn, tag, token", UNSUPPORTED, ids=[tag for _, tag, _ in UNSUPPORTED])
def test_unsupported_syntax_points_at_user_line(fn, tag, token):
    number, code = _marked_line(tag)
    for message in _raise_via_source_and_grad(fn, adjoint.UnsupportedSyntax, 1.5):
        _assert_points_at(message, number, code, token)


def test_unsupported_syntax_in_called_helper_points_at_helper():
    number, code = _marked_line("try")
    for message in _raise_via_source_and_grad(bad.calls_unsupported_helper, adjoint.UnsupportedSyntax, 1.5):
        _assert_points_at(message, number, code, "try")


def _assert_points_at(message, number, code, token):
    """Check file name, line number, source line and a caret under `token` appear in message."""
    assert "bad_functions.py" in message, f"file name missing from:\n{message}"
    assert re.search(rf"(line\s+|:){number}\b", message), f"line {number} missing from:\n{message}"
    lines = message.splitlines()
    stripped = code.strip()
    shown = [i for i, line in enumerate(lines) if stripped in line]
    assert shown, f"source line {stripped!r} missing from:\n{message}"
    i = shown[-1]
    assert i + 1 < len(lines) and re.fullmatch(r"\s*\^+\s*", lines[i + 1]), f"no caret under the line:\n{message}"
    caret = lines[i + 1].index("^") - lines[i].index(stripped)
    assert caret == stripped.index(token), f"caret not under {token!r}:\n{message}"
    assert any(line.strip() for line in lines[i + 2:]), f"no explanation after the caret:\n{message}"


def test_unsupported_syntax_is_an_adjoint_error():
    assert issubclass(adjoint.UnsupportedSyntax, adjoint.AdjointError)
    assert issubclass(adjoint.NonDifferentiable, adjoint.AdjointError)
    assert issubclass(adjoint.AdjointError, Exception)


# --- missing derivative ------------------------------------------------------------------------


def test_call_without_source_or_rule_is_non_differentiable():
    with pytest.raises(adjoint.NonDifferentiable) as info:
        adjoint.grad(bad.calls_opaque_ufunc)(0.3)
    message = str(info.value)
    assert "erf" in message, f"function name missing from:\n{message}"
    assert "register" in message.lower() and "rule" in message.lower(), f"no registration hint in:\n{message}"


def test_opaque_call_on_inactive_argument_is_allowed():
    g = adjoint.grad(bad.opaque_call_on_constant)(0.3)
    assert g == pytest.approx(math.erf(0.5), rel=1e-14)


# --- non-scalar outputs and missing source ------------------------------------------------------


def test_grad_of_vector_output_asks_for_scalar():
    x = np.arange(3.0)
    for transform in (adjoint.grad, adjoint.value_and_grad):
        with pytest.raises(adjoint.AdjointError) as info:
            transform(bad.vector_output)(x)
        message = str(info.value).lower()
        assert "scalar" in message, message
        assert "vjp" in message or "jacobian" in message, message
    np.testing.assert_array_equal(x, np.arange(3.0))


def test_size_one_array_output_is_a_scalar():
    g = adjoint.grad(bad.vector_output)(np.array([1.5]))
    np.testing.assert_array_equal(g, [2.0])


def test_builtin_without_source():
    with pytest.raises(adjoint.AdjointError) as info:
        adjoint.grad(len)([1.0, 2.0])
    assert "source" in str(info.value).lower()


def test_exec_lambda_without_source():
    namespace = {}
    exec("f = lambda x: x * 2.0", namespace)
    with pytest.raises(adjoint.AdjointError) as info:
        adjoint.grad(namespace["f"])(1.0)
    message = str(info.value).lower()
    assert "source" in message or ("lambda" in message and "def" in message), message


def test_exec_def_without_source():
    namespace = {}
    exec("def f(x):\n    return x * 2.0\n", namespace)
    with pytest.raises(adjoint.AdjointError) as info:
        adjoint.source(namespace["f"])
    assert "source" in str(info.value).lower()


# --- user arrays are never modified -------------------------------------------------------------


def test_arrays_not_modified_by_augmented_assignment(rng):
    import corpus_functions as cf

    x = rng.standard_normal(5)
    saved = x.copy()
    adjoint.grad(cf.augmented_assignment_array)(x)
    adjoint.value_and_grad(cf.augmented_assignment_array)(x)
    np.testing.assert_array_equal(x, saved)


def test_arrays_not_modified_by_loops(rng):
    import corpus_functions as cf

    X, w = rng.standard_normal((4, 3)), rng.standard_normal(3)
    saved_X, saved_w = X.copy(), w.copy()
    adjoint.grad(cf.loop_over_rows, wrt=(0, 1))(X, w)
    adjoint.grad(cf.loop_carried_array)(w, 3)
    np.testing.assert_array_equal(X, saved_X)
    np.testing.assert_array_equal(w, saved_w)


# --- check_grads itself, run against stand-in transforms ----------------------------------------


def _stand_in(monkeypatch, gradient):
    """Replace adjoint.grad/value_and_grad with versions computing gradient(f, args, wrt)."""
    monkeypatch.setattr(adjoint, "grad", lambda f, wrt=0: lambda *args: gradient(f, args, wrt))
    monkeypatch.setattr(adjoint, "value_and_grad", lambda f, wrt=0: lambda *args: (f(*args), gradient(f, args, wrt)))


def _mlp_args(rng):
    return (rng.standard_normal((3, 5)), rng.standard_normal(5), rng.standard_normal(5), 0.2,
            rng.standard_normal((8, 3)), rng.standard_normal(8))


def test_check_grads_accepts_a_correct_gradient(monkeypatch, rng):
    import corpus_functions as cf

    _stand_in(monkeypatch, numerical_grad)
    check_grads(cf.mlp_loss, *_mlp_args(rng), wrt=("W1", "b2"))
    check_grads(cf.loop_over_list_argument, 0.5, [1.0, 2.0], wrt=1)


def test_check_grads_rejects_a_wrong_gradient(monkeypatch, rng):
    import corpus_functions as cf

    _stand_in(monkeypatch, lambda f, args, wrt: 1.001 * numerical_grad(f, args, wrt))
    with pytest.raises(AssertionError, match="entries differ"):
        check_grads(cf.sum_of_squares, rng.standard_normal(4))


def test_check_grads_rejects_a_wrong_shape(monkeypatch, rng):
    import corpus_functions as cf

    _stand_in(monkeypatch, lambda f, args, wrt: numerical_grad(f, args, wrt).ravel())
    with pytest.raises(AssertionError, match="shape"):
        check_grads(cf.mean_with_axis, rng.standard_normal((2, 3)))


def test_check_grads_detects_mutation(monkeypatch, rng):
    import corpus_functions as cf

    def mutating(f, args, wrt):
        result = numerical_grad(f, args, wrt)
        args[0][0] += 1.0
        return result

    _stand_in(monkeypatch, mutating)
    with pytest.raises(AssertionError, match="modified in place"):
        check_grads(cf.sum_of_squares, rng.standard_normal(4))
