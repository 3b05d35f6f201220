"""Calls with `*items` (adjoint/starred.py)."""
import math

import numpy as np


def launch(angle, speed):
    return speed * math.cos(angle), speed * math.sin(angle)


def reach(vx, vy, drag=0.1):
    return vx * vy / (1.0 + drag * vx)


def through_a_helper(angle, speed):
    return reach(*launch(angle, speed))


def from_a_display(x, y):
    pair = (x * y, y)
    return reach(*pair) + reach(*(x, y), 0.2) + reach(*[y, x])


def in_a_comprehension_and_a_loop(angles, speed):
    total = sum(reach(*launch(a, speed)) for a in angles)
    for a in angles:
        if reach(*launch(a, speed), 0.3) > 1.0:
            total = total + reach(*launch(a, 0.5 * speed))
    return total


def of_a_parameter(args):
    return reach(*args)


def in_a_while_test(x):
    while reach(*launch(x, 2.0)) > 0.5:
        x = x * 0.5
    return x


def nested(x, y):
    return reach(*launch(*launch(x, y)))


def squares(*terms):
    s = 0.0
    for t in terms:
        s = s + t * t
    return s


def weighted(scale, *terms, shift=0.0):
    return scale * sum(terms) + shift


def calls_a_helper_taking_args(x, y):
    return squares(x, y, x * y) + squares() + squares(*(y, 2.0))


def passes_named_and_extra_arguments(x, y):
    a = weighted(x, y, np.sin(y), shift=x * y)
    b = weighted(2.0, x)
    c = weighted(y, shift=x)
    return a * b + c


def packs_arrays_in_a_loop(w, v):
    total = 0.0
    for i in range(3):
        total = total + squares(w * i, v, np.sum(w * v))
    return np.sum(total)


def mean_of(*xs):
    return squares(*xs) / len(xs) + squares(xs[0], 1.0)


def passes_its_args_on(x, y):
    return mean_of(x, y, np.cos(x))


def with_a_nested_helper_taking_args(x, y):
    def poly(*coefficients):
        acc = 0.0
        for c in coefficients:
            acc = acc * x + c
        return acc
    return poly(y, 2.0, y * y)


class Scaled:
    def __init__(self, k):
        self.k = k

    def total(self, *terms):
        return squares(*terms) * self.k


def through_a_method_taking_args(s, x, y):
    return s.total(x, y * x)


def through_a_local_name(x):
    g = squares
    return g(x, x)
