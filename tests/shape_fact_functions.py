"""Functions written as users write them, whose array shapes the compiler can know from the
arguments' shapes: constant slices, sizes read off shapes, arrays built from list displays."""
import numpy as np


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def interior_laplacian(u):
    lap = u[2:, 1:-1] + u[:-2, 1:-1] + u[1:-1, 2:] + u[1:-1, :-2] - 4 * u[1:-1, 1:-1]
    return np.sum(lap * lap)


def gates(W, x):
    n = W.shape[0] // 4
    z = W @ x
    h = np.zeros(n)
    a = np.tanh(z[:n]) * z[n:2 * n] + h * z[3 * n:]
    return np.sum(a * a)


def halves(x):
    m = len(x) // 2
    return np.sum(x[:m] * x[m:])


def lotka_volterra(state, a, b):
    x, y = state
    return np.array([a * x - b * x * y, b * x * y - y])


def integrate(state, a, b):
    for _ in range(3):
        state = state + 0.1 * lotka_volterra(state, a, b)
    return np.sum(state ** 2)


def joined(h, x, W):
    z = np.dot(W, np.concatenate([h, x]))
    s = np.stack([z, z * z], axis=1)
    return np.sum(np.tanh(s) * z[:, None])


def power_series(x, n):
    total = 0.0
    for i in range(1, n):
        total = total + x ** i / i
    return total


def power_series_from_zero(x, n):
    total = 0.0
    for i in range(0, n):
        total = total + x ** i
    return total
