"""Builtins people use on numbers and lists (issue 12), each checked in every mode against central
differences: sum, max and min of an iterable, pow, round and int (zero slope), abs, divmod,
dict(a=...), zip, enumerate, isinstance, print."""
import numpy as np
import pytest

import adjoint
from adjoint.testing import check_derivatives


def with_sum(x):
    return sum([x, 2 * x, x * x]) + sum(t * t for t in (x, 1.0))


def with_max_and_min(x):
    return max(x, 2.0 - x) + min([x, x * x, 3.0]) + max(t * x for t in (0.5, 1.5))


def with_pow(x):
    return pow(x, 3) + pow(1.5, x) + pow(x, 0.5)


def with_round_and_int(x):
    return round(x) * x + int(x) * x * x + round(x, 1)


def with_abs(x):
    return abs(x - 0.3) + abs(-x)


def with_divmod(x):
    quotient, remainder = divmod(x, 0.7)
    steps, rest = divmod(3.0 * x, x + 1.0)
    return quotient * x + remainder + rest * steps


def with_dict(x):
    d = dict(a=x, b=2 * x)
    return d["a"] * d["b"]


def with_zip_and_enumerate(x):
    total = 0.0
    for k, (a, b) in enumerate(zip([x, 2.0 * x], [x * x, 1.0])):
        total = total + k * a + a * b
    return total


def with_isinstance(x):
    if isinstance(x, float):
        return x * 2.0
    return x


def with_print(x):
    print("x is", x)
    return x * x


CASES = [with_sum, with_max_and_min, with_pow, with_round_and_int, with_abs, with_divmod, with_dict,
         with_zip_and_enumerate, with_isinstance, with_print]


@pytest.mark.parametrize("f", CASES, ids=[f.__name__ for f in CASES])
def test_builtin_matches_finite_differences(f):
    check_derivatives(f, 1.3)


def test_divmod_of_arrays_follows_numpy():
    def f(a, b):
        q, r = np.divmod(a, b)
        return np.sum(r * r) + np.sum(q * a)
    check_derivatives(f, np.array([1.3, -2.2, 0.4]), np.array([0.7, 0.9, 0.3]))
    check_derivatives(f, np.array([1.3, -2.2, 0.4]), np.array([0.7, 0.9, 0.3]), wrt=1)


def test_print_runs_once_per_derivative_call(capsys):
    adjoint.grad(with_print)(1.3)
    assert capsys.readouterr().out.count("x is") == 1
