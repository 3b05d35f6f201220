"""The sum of a function's output, for adjoint.elementwise_grad: the gradient of sum(f(x)) is the
derivative of each element of f(x) with respect to its own input element when f acts elementwise.
One wrapper per number of parameters (the compiler reads their source; calls with `*args` it does not)."""
import numpy as np


def summed(f, arity):
    """A function of `arity` parameters returning np.sum(f(...))."""
    if arity not in _WRAPPERS:
        raise ValueError(f"elementwise_grad takes functions of 1 to {max(_WRAPPERS)} parameters, not {arity}")
    return _WRAPPERS[arity](f)


def _sum_of_1(f):
    def sum_of(a):
        return np.sum(f(a))
    return sum_of


def _sum_of_2(f):
    def sum_of(a, b):
        return np.sum(f(a, b))
    return sum_of


def _sum_of_3(f):
    def sum_of(a, b, c):
        return np.sum(f(a, b, c))
    return sum_of


def _sum_of_4(f):
    def sum_of(a, b, c, d):
        return np.sum(f(a, b, c, d))
    return sum_of


_WRAPPERS = {1: _sum_of_1, 2: _sum_of_2, 3: _sum_of_3, 4: _sum_of_4}
