"""`with` blocks (issue 12): the body runs between entering and leaving the manager, in the
derivative as in the function; every way out of the block leaves it, and a derivative that raises
leaves what it entered, with the exception."""
import numpy as np
import pytest

import adjoint
import with_functions as wf
from adjoint.testing import check_derivatives

CASES = [
    ("np.errstate", wf.log_with_errstate, (np.array([0.5, 1.5, 2.5]),)),
    ("warnings.catch_warnings", wf.cube_without_warnings, (1.3,)),
    ("a manager of the user's in a loop with break and continue", wf.timed_loop, (0.7,)),
    ("a return inside the block", wf.returns_from_inside, (0.7,)),
    ("a return after the block", wf.returns_from_inside, (-0.7,)),
    ("several managers, nested", wf.nested_managers, (0.4,)),
]


@pytest.mark.parametrize("f, args", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_with_blocks_match_finite_differences(f, args):
    check_derivatives(f, *args)


def test_every_block_entered_is_left_once_per_derivative_call():
    wf.Timer.entered = wf.Timer.left = 0
    adjoint.grad(wf.timed_loop)(0.7)
    assert wf.Timer.entered == wf.Timer.left == 4
    adjoint.grad(wf.returns_from_inside)(0.7)
    assert wf.Timer.entered == wf.Timer.left == 5


def test_a_derivative_that_raises_leaves_what_it_entered():
    before = np.geterr()
    with pytest.raises(ValueError, match="too large"):
        adjoint.grad(wf.raises_inside)(1.5)
    assert np.geterr() == before
    with pytest.raises(ValueError, match="too large"):
        adjoint.jvp(wf.raises_inside, (1.5,), (1.0,))
    assert np.geterr() == before
    check_derivatives(wf.raises_inside, 0.5)


def test_the_generated_code_enters_and_leaves_the_manager():
    source = adjoint.source(wf.cube_without_warnings, args=(1.3,))
    assert "catch_warnings = warnings.catch_warnings()" in source
    assert "rt.enter(catch_warnings)" in source and "rt.leave(catch_warnings)" in source


SCALE = 2.0


def reads_a_global(x):
    global SCALE
    return SCALE * x ** 2


def test_a_global_declaration_of_a_name_only_read_is_a_read():
    check_derivatives(reads_a_global, 1.5)
