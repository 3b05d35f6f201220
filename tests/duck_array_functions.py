"""Functions written with NumPy that tests/test_dask.py and tests/test_cupy.py differentiate on
another library's arrays: NumPy's functions dispatch to that library, and so does the generated code."""
import numpy as np


def elementwise(x):
    return np.sum(np.sin(x) * x)


def scaled(x, a):
    return np.mean(a * x ** 2 + np.exp(-x))


def looped(x):
    total = 0.0
    for k in range(3):
        total = total + np.sum(np.tanh(x * k))
    return total


def broadcast_matrix(W, v):
    return np.sum(np.tanh(W * v) ** 2)


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def rows(X):
    return np.sum(X[0] * X[-1]) + np.sum(X[1:, 0] ** 2)


def layer(W, x):
    h = np.tanh(W @ x)
    return np.sum(h / np.sqrt(np.sum(h * h)))


def stencil(u):
    v = u.copy()
    v[1:-1] = u[1:-1] + 0.1 * (u[2:] - 2 * u[1:-1] + u[:-2])
    return np.sum(v ** 2)


def fill(x):
    out = np.zeros_like(x)
    for i in range(x.shape[0]):
        out[i] = x[i] ** 2 * (i + 1)
    return np.sum(np.sin(out))


def damp_in_place(u):
    u[0] = 0.0                  # a store into the argument: the caller's array must stay as it was
    u[1:] = u[1:] * 0.5
    return np.sum(u * u)


def joined(x):
    return np.sum(np.concatenate([x, 2 * x[:3]]) ** 2)


def picked(x):
    return np.sum(x[[0, 2, 2]] ** 2 * x[1])             # a row read twice: its adjoint adds up
