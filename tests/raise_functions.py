"""Functions that raise on bad input (tests/test_raise.py): the derivative raises what they raise."""
import numpy as np


class OutOfRange(ValueError):
    pass


def check_ndim(x):
    if x.ndim != 1:
        raise ValueError(f"x must be 1-D, got {x.ndim} dimensions")
    return np.sum(np.sin(x) * x)


def raise_in_else(x):
    if x > 0.0:
        y = x * x
    else:
        raise ValueError("x must be positive")
    return y * 3.0


def raise_in_a_loop(x, n):
    s = x
    for i in range(n):
        s = s * np.cos(s) + x
        if s > 1e6:
            t = s * 2.0
            raise OutOfRange(f"diverged at step {i}: {t}")
    return s


def raise_in_a_while_loop(x):
    s = x
    k = 0
    while k < 4:
        if abs(s) > 1e6:
            raise OutOfRange("diverged")
        s = s * 0.5 + np.sin(s)
        k = k + 1
    return s * x


def raise_after_a_return(x):
    if x > 0.0:
        return np.sqrt(x) * x
    raise ValueError("x must be positive")


def _checked_log(x):
    if np.any(x <= 0.0):
        raise OutOfRange("log of a non-positive value")
    return np.log(x)


def raise_in_a_helper(x):
    return np.sum(_checked_log(x) * x)


def raise_with_values_assigned_on_the_raising_path(x, y):
    z = x * y
    if z > 100.0:
        w = z * x
        raise OutOfRange(w)
    elif z < -100.0:
        raise OutOfRange(-z)
    return z * np.exp(y)


def always_raises(x):
    y = x * 2.0
    raise NotImplementedError(f"not for {y}")


def calls_a_helper_that_always_raises(x):
    if x > 100.0:
        return always_raises(x) * x
    return np.sin(x) * x
