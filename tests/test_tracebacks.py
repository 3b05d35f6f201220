"""Errors raised inside generated code name the generated line and the user's line behind it."""
import inspect
import os
import re
import sys

import numpy as np
import pytest

import adjoint
from adjoint.tracebacks import annotate

FILE = os.path.basename(__file__)


def check_positive(n):
    if n < 0:
        raise ValueError("n must be non-negative")
    return n


def root(x):
    y = np.sqrt(x)
    return y * 2.0


def scaled(x, n):
    m = check_positive(n)
    z = x * m
    return np.sin(z) + x


def product(a, b):
    c = a @ b
    return np.sum(c)


def root_sum(x):
    s = 0.0
    for i in range(3):
        s = s + np.sqrt(x - i)
    return s


def _root3(x):
    return np.sqrt(x) * 3.0


def uses_helper(x):
    y = _root3(x - 1.0)
    return y * 2.0


def _log(x):
    return np.log(x) * x


def uses_log(x):
    return _log(x - 1.0) + x


def line_of(fn, text):
    """The file line number of the first line of fn containing text."""
    lines, start = inspect.getsourcelines(fn)
    return start + next(i for i, line in enumerate(lines) if text in line)


def raised(call, *args):
    """The exception call(*args) raises with NumPy's floating-point errors turned into exceptions."""
    with np.errstate(all="raise"), pytest.raises(Exception) as info:
        call(*args)
    return info.value


def note_of(exc):
    assert annotate(exc) is exc
    notes = [n for n in getattr(exc, "__notes__", []) if n.startswith("in generated code")]
    assert len(notes) == 1, getattr(exc, "__notes__", None)
    return notes[0]


def innermost_generated_line(exc):
    tb, found = exc.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.startswith("<adjoint "):
            found = tb.tb_lineno
        tb = tb.tb_next
    return found


def test_backward_sweep_error_names_the_user_line():
    exc = raised(adjoint.grad(root), 0.0)
    assert isinstance(exc, FloatingPointError)
    note = note_of(exc)
    head, origin = note.splitlines()
    assert re.fullmatch(rf"in generated code grad_root, line {innermost_generated_line(exc)}: dx = .*", head)
    assert origin == f"  derivative of {FILE} line {line_of(root, 'y = np.sqrt')}: y = np.sqrt(x)"


def test_backward_sweep_error_inside_a_loop():
    note = note_of(raised(adjoint.grad(root_sum), 2.0))
    assert note.endswith(f"derivative of {FILE} line {line_of(root_sum, 's = s +')}: s = s + np.sqrt(x - i)")


def test_backward_sweep_error_in_a_helper():
    note = note_of(raised(adjoint.grad(uses_helper), 1.0))
    assert note.startswith("in generated code _root3_bwd, line ")
    assert note.endswith(f"derivative of {FILE} line {line_of(_root3, 'return')}: return np.sqrt(x) * 3.0")


def test_user_function_raising_in_the_forward_sweep():
    exc = raised(adjoint.grad(scaled), 1.0, -1)
    assert str(exc) == "n must be non-negative"
    note = note_of(exc)
    assert note.startswith("in generated code grad_scaled, line ") and ": m = check_positive(n)\n" in note
    assert note.endswith(f"in the forward sweep, from {FILE} line {line_of(scaled, 'm = ')}: m = check_positive(n)")


def test_shape_mismatch_in_the_forward_sweep():
    exc = raised(adjoint.grad(product), np.ones((2, 3)), np.ones((2, 3)))
    assert isinstance(exc, ValueError)
    assert note_of(exc).endswith(f"from {FILE} line {line_of(product, 'c = a @ b')}: c = a @ b")


def test_helper_forward_sweep_and_forward_mode():
    note = note_of(raised(adjoint.grad(uses_log), 1.0))
    assert note.startswith("in generated code _log_fwd, line ")
    assert note.endswith(f"from {FILE} line {line_of(_log, 'return')}: return np.log(x) * x")
    note = note_of(raised(lambda x: adjoint.jvp(uses_log, (x,), (1.0,)), 1.0))
    assert note.startswith("in generated code _log_jvp, line ") and "in forward-mode code, from" in note


def test_annotate_is_idempotent_and_ignores_other_errors():
    exc = raised(adjoint.grad(root), 0.0)
    annotate(exc)
    annotate(exc)
    assert len([n for n in exc.__notes__ if n.startswith("in generated code")]) == 1
    try:
        raise KeyError("plain")
    except KeyError as plain:
        assert annotate(plain) is plain and not getattr(plain, "__notes__", None)


def test_grad_adds_the_note_by_itself():
    exc = raised(adjoint.grad(root), 0.0)
    assert any(n.startswith("in generated code grad_root") for n in getattr(exc, "__notes__", []))


@pytest.mark.skipif(sys.version_info < (3, 11), reason="notes are printed from Python 3.11")
def test_note_is_printed_with_the_traceback():
    import traceback
    exc = annotate(raised(adjoint.grad(root), 0.0))
    text = "".join(traceback.format_exception(exc))
    assert "derivative of " + FILE in text and "FloatingPointError" in text
