"""Differentiation targets for the corpus tests: plain functions, each returning a scalar.

The compiler reads these with inspect.getsource, so they must stay in a real file.
Each function is named for the language feature it exercises.
"""

import math

import numpy as np

# --- straight-line scalar arithmetic -------------------------------------------------


def scalar_arithmetic(x, y):
    a = x * y + 3 * x - y / 2.0
    b = -a + 4
    c = a * b - x / (y + 5) + 2 ** 2
    return c - 1.5 * a ** 2


def unary_minus_and_constants(x):
    y = -x
    z = -(y * 2) + 7 // 2 - 0.25
    return -z * y + 1


def division_chain(x, y):
    return (x / y) / (1.0 + x * x) - 3 / y


def cube(x):
    return x ** 3


def two_to_the_x(x):
    return 2 ** x


def x_to_the_y(x, y):
    return x ** y


# --- elementwise numpy functions -------------------------------------------------------


def trig_functions(x):
    return np.sin(x) * np.cos(x) + np.tan(x)


def exp_log_sqrt(x):
    return np.exp(x) + np.log(x) * np.sqrt(x)


def tanh_abs_array(x):
    return np.sum(np.tanh(x) * np.abs(x))


def elementwise_array_mix(x):
    return np.sum(np.sin(x) + np.exp(-x ** 2) + np.log(1 + x ** 2) + np.sqrt(x ** 2 + 1))


def builtin_abs_scalar(x):
    return abs(x) * x + abs(-2.0 * x)


# --- branches ---------------------------------------------------------------------------


def if_elif_else(x):
    if x > 1.0:
        y = x ** 2
    elif x > -1.0:
        y = 3.0 * x + 1.0
    else:
        y = -x * np.exp(x)
    return y * 2.0


def conditional_expression(x, c):
    y = x * x if c > 0 else x * 3.0
    return y + (np.sin(x) if x > 0 else np.cos(x))


def chained_comparison(x):
    if 0.0 < x < 1.0:
        return x ** 2
    return 2.0 * x + 5.0


def branch_on_array_value(x):
    if np.sum(x) > 0:
        return np.sum(x ** 2)
    return np.sum(np.exp(x))


# --- assignment forms -------------------------------------------------------------------


def augmented_assignment(x, y):
    a = x
    a += y
    a *= x
    a -= 2.0 * y
    a /= 3.0
    return a


def augmented_assignment_array(x):
    y = x * 1.0
    y += x ** 2
    y *= x
    return np.sum(y)


def tuple_unpacking(x, y):
    a, b = x, y * 2
    a, b = b, a
    return a * b + a


def reassign_same_name(x):
    x = x * 2.0
    x = np.sin(x)
    x = x + x
    return x


# --- for loops ----------------------------------------------------------------------------


def loop_carried_scalar(x, n):
    s = 0.0
    for i in range(n):
        s = s * x + i
    return s


def loop_carried_array(x, n):
    v = x
    for i in range(n):
        v = np.sin(v) + 0.5 * v
    return np.sum(v)


def range_with_step(x):
    s = 0.0
    for i in range(1, 10, 2):
        s = s + x ** i / i
    return s


def loop_over_rows(X, w):
    total = 0.0
    for row in X:
        total = total + np.dot(row, w) ** 2
    return total


def loop_over_literal_list(a, b, c):
    total = 1.0
    for w in [a, b, c]:
        total = total * w + w
    return total


def loop_over_list_argument(x, ws):
    s = 0.0
    for w in ws:
        s = s + w * x ** 2
    return s


def loop_uses_index_into_array(x):
    s = 0.0
    for i in range(x.shape[0]):
        s = s + x[i] * (i + 1.0)
    return s * s


def nested_loops(x):
    s = 0.0
    for i in range(3):
        for j in range(4):
            s = s + x ** (i + 1) * j
    return s


def nested_loops_matrix(A, v):
    s = 0.0
    for i in range(A.shape[0]):
        for j in range(A.shape[1]):
            s = s + A[i, j] * v[i] * v[j]
    return s


# --- while loops and early exits ----------------------------------------------------------


def while_data_dependent(x):
    y = x * x
    count = 0
    while y > 0.1:
        y = y * 0.5
        count += 1
    return y + count


def while_with_counter(x, n):
    i = 0
    while i < n:
        x = x * 1.1 + 0.1
        i += 1
    return x


def loop_with_break(x):
    s = 0.0
    for i in range(10):
        if s > 5.0:
            break
        s = s + x * i
    return s


def loop_with_continue(x):
    s = 0.0
    for i in range(8):
        if i % 3 == 0:
            continue
        s = s + x ** i
    return s


def return_inside_loop(x):
    for i in range(10):
        y = x * i
        if y > 3.0:
            return y * y
    return -x


# --- calls --------------------------------------------------------------------------------


def _square(x):
    return x * x


def _poly(x):
    return _square(x) + 3.0 * x


def calls_helpers(x):
    return _poly(np.sin(x)) * _square(x)


def power(x, n):
    return 1.0 if n == 0 else x * power(x, n - 1)


def recursive_power(x):
    return power(x, 4)


def _nest(x, n):
    if n <= 0:
        result = x
    else:
        result = _nest(np.sin(x), n - 1) + x
    return result


def recursive_if_else(x):
    return _nest(x, 3)


def inactive_calls(x):
    n = len(x)
    zeros = np.zeros(n)
    ones = np.ones_like(x)
    s = 0.0
    for i in range(n):
        s = s + x[i] ** 2 / math.factorial(i)
    return s + np.sum((zeros + ones) * x)


def math_module_functions(x):
    return math.sin(x) * math.exp(x) + math.sqrt(x) - math.log(x) + math.pi * x


# --- arrays, broadcasting, reductions -----------------------------------------------------


def affine_broadcast(W, x, b):
    return np.sum(np.tanh(W @ x + b))


def broadcast_column_times_row(x, y):
    return np.sum(x * y ** 2)


def add_scalar_constant(x):
    return np.sum((x + 1.0) ** 2)


def sum_of_squares(x):
    return np.sum(x ** 2)


def mean_with_axis(x):
    return np.sum(np.mean(x, axis=0) ** 2) + np.mean(x)


def dot_and_matmul(A, B, v):
    return np.dot(np.matmul(A, B) @ v, v)


def maximum_minimum(x, y):
    return np.sum(np.maximum(x, y) * np.minimum(x, 0.5))


def leaky_relu_where(x):
    return np.sum(np.where(x > 0, x, 0.1 * x) ** 2)


def reshape_and_transpose(x):
    m = x.reshape(2, 3)
    return np.sum(m.T @ m)


def shape_in_computation(x):
    n = x.shape[0]
    return np.sum(x) / n + np.sum(x ** 2) / len(x)


def method_sum_axis(x):
    return np.sum(x.sum(axis=0) ** 2)


def method_dot(x, y):
    return x.dot(y) + x.dot(x)


def index_reads(x):
    return x[0] * x[-1] + np.sum(x[1:4]) ** 2 + x[2]


def column_slices(X):
    return np.sum(X[:, 1] * X[:, 2]) + X[0, 0] * X[-1, -1]


def logsumexp(x):
    m = np.max(x)
    return m + np.log(np.sum(np.exp(x - m)))


def mlp_loss(W1, b1, W2, b2, X, y):
    h = np.tanh(X @ W1 + b1)
    pred = h @ W2 + b2
    return np.mean((pred - y) ** 2)


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
