"""Functions of Python numbers written with NumPy (tests/test_floats.py)."""
import math

import numpy as np

SCALE32 = np.ones(3, dtype=np.float32)


def chain(x, y):
    t = np.sin(x) * np.exp(y) + np.tanh(x * y)
    u = np.sqrt(t * t + 1.0) + np.log1p(y * y) - np.arctan2(x, y)
    return u * np.cosh(x / 3) + np.hypot(x, y) + abs(np.cos(y))


def projectile(v0, angle, drag, dt):
    x = 0.0
    y = 0.0
    vx = v0 * np.cos(angle)
    vy = v0 * np.sin(angle)
    while y >= 0.0:
        speed = np.sqrt(vx * vx + vy * vy)
        x = x + vx * dt
        y = y + vy * dt
        vx = vx - drag * speed * vx * dt
        vy = vy - (9.81 + drag * speed * vy) * dt
    return x


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def with_helpers(x, n):
    total = 0.0
    for i in range(n):
        total = total + sigmoid(np.sin(x * i)) ** 2
    return total


def power_of_a_numpy_value(x):
    return np.sin(x) ** 0.5             # nan for sin(x) < 0 as written; complex for a float


def overflows(x):
    return np.exp(x) * 2.0              # inf past x = 709.78; math.exp raises there


def log_of_zero(x):
    return np.log(np.sin(x) * 0.0) + x  # -inf as written; math.log raises


def divides_by_a_numpy_zero(x):
    return x / np.sin(x - x)            # inf (or nan) as written; a float raises


def asks_for_numpy(x):
    t = np.sin(x)
    return (t.ndim + 1) * t * x         # np.float64 has .ndim; a float has not


def float32_product(x):
    return np.sum(np.cos(x) * SCALE32)  # np.float64 times float32 is float64 (a float: float32)


def numbers_in_a_list(x):
    values = [np.sin(x), np.cos(x)]
    return values[0] * values[1]


def helper_returning_a_pair(x):
    s, c = pair(x)
    return s * c


def pair(x):
    return np.sin(x), np.cos(x)


def with_ints(n, x):
    return np.sin(n) * x + np.sqrt(n) * x ** 2


def calls_math_and_numpy(x):
    return math.sin(x) * np.cos(x) + math.exp(-x) * np.tanh(x)


def shadows_abs(x):
    abs = 2.0
    return np.abs(np.sin(x)) * abs


def recursive(x, n):
    if n == 0:
        return np.sin(x)
    return np.cos(recursive(x, n - 1)) * x


def stored_in_an_array(x):
    y = np.zeros(2)
    y[0] = np.sin(x)
    return y[0] * x


def alternating(x, n):
    total = 0.0
    for k in range(n):
        total = total + (-1) ** k * np.sin(x * k) / (k + 1)
    return total


GRAVITY = 9.81


def reads_a_module_constant(v0, angle):
    t = 2.0 * v0 * np.sin(angle) / GRAVITY
    return v0 * np.cos(angle) * t


def state_vector(x, y):
    state = np.array([np.sin(x), np.cos(y), x * y])
    return np.sum(state ** 2)


def list_kept(x):
    values = [np.sin(x), x]
    total = np.sum(values)
    return total + values[0]            # a list read by something other than NumPy


def absolute_value(x):
    return np.abs(np.sin(x)) ** 1.5


def inverts_a_test(x):
    flag = np.sin(x) > 0.0
    return x * ~flag                    # ~np.True_ is False (0); ~True would be -2


def uses_pi(x):
    return np.sin(2 * np.pi * x) + math.pi * x


def tests_a_numpy_value(x):
    t = np.sin(x)
    if np.tanh(t) * 2.0 > -0.1:
        t = np.cos(t) * x
    return t


def tests_a_power_of_a_numpy_value(x):
    t = np.sin(x)
    if t ** 0.5 > 0.2:                  # nan > 0.2 is False as written; a complex would not compare
        t = t * x
    return t


def taylor_exp(x):
    """No NumPy: grad of one number runs forward mode."""
    total, term = 1.0, 1.0
    for k in range(1, 12):
        term = term * x / k
        total = total + term
    return total


def calls_a_numpy_helper(x):
    return taylor_exp(x) + chain(x, 0.5)        # chain calls NumPy


def closes_over_numpy(x):
    f = lambda t: np.sin(t) * t             # noqa: E731
    return f(x) + x
