"""`raise` in differentiated code: the derivative raises the same exception where the function does
(every mode), and is checked against central differences where it does not."""
import numpy as np
import pytest

import adjoint
from adjoint.testing import check_derivatives
import raise_functions as rf


def check_all_modes(f, *args, wrt=0):
    check_derivatives(f, *args, wrt=wrt)


def derivatives(f, args, wrt=0):
    """Every derivative of f a user may call on args, as (name, callable of f's arguments)."""
    nested = [("grad of grad", adjoint.grad(adjoint.grad(f, wrt=wrt), wrt=wrt))] if np.ndim(args[wrt]) == 0 else []
    return nested + [("grad", adjoint.grad(f, wrt=wrt)),
            ("value_and_grad", adjoint.value_and_grad(f, wrt=wrt)),
            ("vjp", lambda *a: adjoint.vjp(f, *a)[1](1.0)),
            ("jvp", lambda *a: adjoint.jvp(f, a, tuple(np.ones_like(np.asarray(v, dtype=float)) for v in a))),
            ("hessian", adjoint.hessian(f, wrt=wrt))]


PASSING = [
    (rf.check_ndim, (np.array([0.3, -1.2, 2.0]),)),
    (rf.raise_in_else, (1.3,)),
    (rf.raise_in_a_loop, (0.7, 4)),
    (rf.raise_in_a_while_loop, (0.8,)),
    (rf.raise_after_a_return, (1.7,)),
    (rf.raise_in_a_helper, (np.array([0.5, 1.5, 0.4]),)),
    (rf.raise_with_values_assigned_on_the_raising_path, (1.1, 0.6)),
    (rf.calls_a_helper_that_always_raises, (0.7,)),
]


@pytest.mark.parametrize("f, args", PASSING, ids=[f.__name__ for f, _ in PASSING])
def test_derivatives_where_nothing_is_raised(f, args):
    check_all_modes(f, *args)


RAISING = [
    (rf.check_ndim, (np.ones((2, 2)),), ValueError, "must be 1-D, got 2"),
    (rf.raise_in_else, (-1.3,), ValueError, "positive"),
    (rf.raise_in_a_loop, (3e6, 3), rf.OutOfRange, "diverged at step 0"),
    (rf.raise_in_a_while_loop, (2e6,), rf.OutOfRange, "diverged"),
    (rf.raise_after_a_return, (-1.7,), ValueError, "positive"),
    (rf.raise_in_a_helper, (np.array([0.5, -2.0]),), rf.OutOfRange, "non-positive"),
    (rf.raise_with_values_assigned_on_the_raising_path, (20.0, 10.0), rf.OutOfRange, "4000"),
    (rf.raise_with_values_assigned_on_the_raising_path, (-20.0, 10.0), rf.OutOfRange, "200"),
    (rf.always_raises, (0.5,), NotImplementedError, "not for 1.0"),
    (rf.calls_a_helper_that_always_raises, (200.0,), NotImplementedError, "not for 400.0"),
]


@pytest.mark.parametrize("f, args, error, message", RAISING,
                         ids=[f"{f.__name__}-{i}" for i, (f, *_) in enumerate(RAISING)])
def test_derivatives_raise_what_the_function_raises(f, args, error, message):
    with pytest.raises(error, match=message):
        f(*args)
    for mode, derivative in derivatives(f, args):
        with pytest.raises(error, match=message):
            derivative(*args)


def test_the_raise_stays_in_the_forward_sweep_only():
    source = adjoint.source(rf.raise_in_a_loop, args=(0.7, 4), mode="reverse")
    assert source.count("raise OutOfRange(f'diverged at step {i}: {t}')") == 1
    forward, backward = source.split("\n\n", 1)
    assert "raise OutOfRange" in forward and "raise OutOfRange" not in backward


def test_a_function_that_always_raises_has_no_code_after_the_raise():
    source = adjoint.source(rf.always_raises, args=(0.5,))
    assert source.rstrip().endswith("raise NotImplementedError(f'not for {y}')")
