"""What adjoint says about compiling: a line on stderr for a long compile, pass times on request."""
import time

import numpy as np

import adjoint
from adjoint import cache


def ripple(x):
    total = 0.0
    for i in range(3):
        total = total + np.sin(x * i)
    return total


def test_a_long_compile_says_what_it_is_compiling(monkeypatch, capfd):
    monkeypatch.setattr(cache, "ANNOUNCE_AFTER", 0.01)
    with cache._reported(ripple, outermost=True):
        time.sleep(0.3)
    assert "adjoint: compiling the derivative of ripple (test_timing.py:" in capfd.readouterr().err
    with cache._reported(ripple, outermost=True):
        pass                                    # a quick compile says nothing
    time.sleep(0.05)
    assert capfd.readouterr().err == ""


def test_adjoint_timing_prints_the_time_of_each_pass(monkeypatch, capfd):
    monkeypatch.setenv("ADJOINT_TIMING", "1")
    fresh = type(ripple)(ripple.__code__, ripple.__globals__, "ripple")
    adjoint.grad(fresh)(0.3)
    err = capfd.readouterr().err
    assert "adjoint: compiled the derivative of ripple" in err and " ssa " in err and " anf " in err


def test_a_derivative_differentiated_again_is_named_by_what_it_derives(monkeypatch, capfd):
    monkeypatch.setattr(cache, "ANNOUNCE_AFTER", 0.01)
    fresh = type(ripple)(ripple.__code__, ripple.__globals__, "ripple")
    generated = adjoint.grad(fresh).__adjoint_function__((0.3,))     # what grad(grad(f)) differentiates
    with cache._reported(generated, outermost=True):
        time.sleep(0.3)
    err = capfd.readouterr().err
    assert "adjoint: compiling the derivative of gradient_of_grad_ripple of test_timing.ripple (test_timing.py) ..." in err
    assert "<locals>" not in err and "__adjoint_factory__" not in err
