"""Representative functions whose generated derivatives are pinned in tests/golden/."""
import math

import numpy as np


def straight_line(x, y):
    z = x * y + np.sin(x)
    return z / y


def branch(x):
    if x > 0:
        y = x * x
    elif x > -1:
        y = -x
    else:
        y = 2.0 * x
    return y


def loop(x, n):
    s = 0.0
    for i in range(n):
        s = s * x + i
    return s


def while_loop(x):
    y = x
    while y > 0.5:
        y = y * 0.5
    return y * x


def with_break(x):
    total = 0.0
    for i in range(10):
        total = total + x ** i
        if total > 100.0:
            break
    return total


def _square(x):
    return x * x


def helper_call(x):
    return _square(np.sin(x)) + x


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


def mlp(W1, b1, W2, b2, X, y):
    h = np.tanh(X @ W1 + b1)
    pred = h @ W2 + b2
    return np.mean((pred - y) ** 2)


def dict_params(params, x):
    h = np.tanh(params["W"] @ x + params["b"])
    return np.sum(h ** 2)


def recursive_power(x, n):
    if n == 0:
        return 1.0
    return x * recursive_power(x, n - 1)


def flight(v0, angle, drag):
    x, y = 0.0, 0.0
    vx, vy = v0 * math.cos(angle), v0 * math.sin(angle)
    while y >= 0.0:
        speed = math.sqrt(vx * vx + vy * vy)
        x = x + 0.05 * vx
        y = y + 0.05 * vy
        vx = vx - 0.05 * drag * speed * vx
        vy = vy - 0.05 * (9.81 + drag * speed * vy)
    return x


def fill(x):
    y = np.zeros(len(x))
    for i in range(len(x)):
        y[i] = x[i] * x[i] + 1.0
    return np.sum(y * y)


def recurrence(x, a):
    y = np.zeros(5)
    y[0] = x
    for i in range(1, 5):
        y[i] = a * y[i - 1] + np.sin(y[i - 1])
    return np.sum(y ** 2)


def simulate(x, dt):
    state = x
    trajectory = []
    for step in range(3):
        state = state + dt * np.sin(state)
        trajectory.append(state)
    return np.sum(np.stack(trajectory) ** 2)


def per_step_dicts(x, w):
    steps = []
    h = x
    for t in range(3):
        h = np.tanh(w * h + 0.1)
        steps.append({"h": h, "y": h * h})
    return sum(step["y"] for step in steps) + steps[-1]["h"]


def pairwise_energy(xs):
    n = len(xs)
    e = 0.0
    for i in range(n):
        for j in range(i + 1, n):
            d = xs[i] - xs[j]
            e = e + 1.0 / (d * d + 0.1)
    return e


def sliding_window(x):
    window = [x, 0.5 * x, 0.25]
    total = 0.0
    for step in range(4):
        oldest = window.pop(0)
        window.append(0.5 * oldest + window[-1] * window[0])
        total = total + oldest * window[-1]
    return total


def robust_profile(heights, spacing):
    """NumPy functions adjoint differentiates through their definitions (rules/definitions.py)."""
    slopes = np.diff(heights) / spacing
    return np.median(slopes) + np.trapezoid(heights, dx=spacing)
