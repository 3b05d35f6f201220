"""Functions with `with` blocks (tests/test_with.py)."""
import time
import warnings

import numpy as np


class Timer:
    """A context manager of the user's: counts how often it is entered and left."""
    entered = left = 0

    def __enter__(self):
        Timer.entered += 1
        self.start = time.perf_counter()
        return self

    def __exit__(self, kind, value, traceback):
        Timer.left += 1
        self.seconds = time.perf_counter() - self.start
        return False


def log_with_errstate(x):
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.where(x > 0, np.log(np.abs(x) + 1e-300), 0.0)
    return np.sum(y * x)


def cube_without_warnings(x):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y = x ** 3
    return y * 2.0


def timed_loop(x):
    total = 0.0
    for k in range(4):
        with Timer() as timer:
            if k == 3:
                break
            total = total + np.sin(x * k)
            if k == 1:
                continue
            total = total * 1.1
    return total


def returns_from_inside(x):
    with Timer():
        if x > 0:
            return np.tanh(x) * 2.0
        y = x * x
    return y


def nested_managers(x):
    with Timer(), np.errstate(over="ignore"):
        with warnings.catch_warnings():
            y = np.exp(x) * x
    return y


def raises_inside(x):
    with np.errstate(all="ignore"):
        if x > 1.0:
            raise ValueError("too large")
        y = x * x
    return y
