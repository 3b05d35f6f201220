"""Functions that tests/test_export.py exports to standalone modules and runs without adjoint."""
import math

import numpy as np

import adjoint
from golden_functions import _square as square_from_elsewhere

SCALE = 1.5
SHIFT = SCALE * 2.0


def straight_line(x, y):
    z = x * y + math.sin(x) * SCALE
    return z / y + SHIFT


def taylor_sin(x):
    total = 0.0
    sign = -1.0
    for i in range(1, 20):
        if i % 2 == 1:
            term = x ** i / math.factorial(i)
            if abs(term) < 1e-8:
                return total
            sign = -sign
            total = total + sign * term
    return total


def _cube(x):
    return x * x * x


def helper_call(x, y):
    return _cube(np.sin(x)) * y + square_from_elsewhere(y)


def mlp(W1, b1, W2, b2, X, y):
    h = np.tanh(X @ W1 + b1)
    pred = h @ W2 + b2
    return np.mean((pred - y) ** 2)


@adjoint.differentiate
def decorated(x, y):
    scale = adjoint.stop_gradient(y)
    return np.sum(np.exp(x) * scale) + y * y


def two_shapes(x):
    return _cube(x) + _cube(np.array([x, 2.0 * x]))[1]
