"""Targets for the forward-mode and higher-order tests: plain functions in a real file,
because the compiler reads their source. Vector-valued ones first, then scalar ones."""

import functools

import numpy as np

import adjoint

# --- vector-valued functions ----------------------------------------------------------------


def elementwise_map(x):
    return np.sin(x) * x + np.exp(-x ** 2)


def matrix_vector(A, x):
    return A @ x


def loop_vector_iteration(x, n):
    v = x
    for i in range(n):
        v = np.sin(v) * x + 0.5 * v
    return v


def loop_vector_by_index(x, n):
    out = np.zeros(n)
    idx = np.arange(n)
    for i in range(n):
        out = np.where(idx == i, np.sum(x ** (i + 1)), out)
    return out


def loop_vector_list_concat(x, n):
    parts = []
    for i in range(n):
        parts = parts + [np.sum(x ** (i + 1))]
    return np.array(parts)


def two_outputs_concatenated(x, y):
    return np.concatenate([x * y, np.sin(x) + y])


def two_outputs_as_array(x, y):
    first = np.sum(x * y)
    second = np.sum(np.sin(x)) * y[0]
    return np.array([first, second])


def scalar_to_vector(t):
    return np.sin(t * np.arange(1.0, 5.0)) + t ** 2


def scalar_to_matrix(t):
    return np.outer(np.arange(1.0, 4.0), np.arange(1.0, 3.0)) * np.exp(t)


def matrix_to_scalar(M):
    return np.sum(np.tanh(M) ** 2) + M[0, 1] * M[1, 0]


# --- scalar functions for higher derivatives -------------------------------------------------


def sine(x):
    return np.sin(x)


def tanh(x):
    return np.tanh(x)


def loop_and_branch(x):
    s = 0.0
    for i in range(1, 5):
        if x > 0:
            s = s + x ** i / i
        else:
            s = s - np.sin(i * x)
    return s


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def quadratic_plus_quartic(x, A):
    return 0.5 * x @ (A @ x) + np.sum(x ** 4) / 12.0


def mlp_weight_loss(W, X, v, y):
    h = np.tanh(X @ W)
    pred = h @ v
    return np.mean((pred - y) ** 2) + 0.01 * np.sum(W ** 2)


# --- perturbation confusion -------------------------------------------------------------------


def inner(x, y):
    return x + y


def outer(x):
    return x * adjoint.grad(inner, wrt=1)(x, x)


def inner_product(x, y):
    return x * y


d_inner_product_dy = adjoint.grad(inner_product, wrt=1)


def outer_via_gradient_object(x):
    return x * d_inner_product_dy(x, x)


# --- error propagation: q(v) with v = [x, y] ---------------------------------------------------


def q_sum(v):
    return v[0] + v[1]


def q_product(v):
    return v[0] * v[1]


def q_quotient(v):
    return v[0] / v[1]


def q_power(v, m, n):
    return v[0] ** m * v[1] ** n


# --- a call with neither a rule nor readable source ---------------------------------------------

_opaque = functools.partial(np.multiply, 2.0)


def calls_opaque(x):
    return np.sum(_opaque(x) * x)


def mlp_weight_loss_no_matvec(W, X, v, y):
    h = np.tanh(X @ W)
    pred = np.sum(h * v, axis=1)
    return np.mean((pred - y) ** 2) + 0.01 * np.sum(W ** 2)


def square_of_sum(x):
    return np.sum(x) ** 2 + np.mean(x) ** 3
