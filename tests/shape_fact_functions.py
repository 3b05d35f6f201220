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


# --- a full reduction's adjoint stays a number until it meets an array (reverse.Reverse.is_number) ---

def log_loss(w, X, y):
    z = X @ w
    return np.mean(np.logaddexp(0, z) - y * z) + 0.1 * np.sum(w ** 2)


def sum_of_a_sum(x, y):
    return np.sum(x + y)                    # x's adjoint is the spread seed itself: an array


def sum_of_a_shifted_parameter(x):
    t = x + 1.0
    return np.sum(t)                        # t is made from x: the number reaches x, spread there


def sum_of_a_broadcast(x, c):
    return np.sum(x[:, None] * c)           # the product is wider than x: summed back over the new axis


def sum_read_twice(x):
    t = np.sin(x)
    return np.sum(t) + np.sum(t * t)        # t read twice: its adjoint is an array


def sum_in_a_loop(x, n):
    total = 0.0
    for i in range(n):
        total = total + np.sum(np.tanh(x * (i + 1)) * 0.5)
    return total


# --- an adjoint buffer made in a loop, of one known shape, takes its items' adjoints in place ---

def gate_steps(W, xs):
    h = np.zeros(2)
    for t in range(len(xs)):
        z = W @ np.concatenate([h, xs[t]])
        h = np.tanh(z[:2]) * np.cos(z[2:4]) + 0.1 * z[4:]
    return np.sum(h ** 2)


def gate_steps_with_a_branch(W, xs):
    h = np.zeros(2)
    for t in range(len(xs)):
        z = W @ np.concatenate([h, xs[t]])
        a = z[:2]
        if np.sum(a) > 0:
            b = z[2:4] * 2.0
        else:
            b = z[4:] - z[2:4]
        h = np.tanh(a) * b
    return np.sum(h ** 2)
