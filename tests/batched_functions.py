"""Loops whose adjoints accumulate outer products (tests/test_batched.py)."""
import numpy as np

from adjoint import runtime

XS = np.random.default_rng(3).standard_normal((6, 3)) * 0.5


def rnn(W, U, b, xs):
    h = np.zeros(W.shape[0])
    for t in range(len(xs)):
        h = np.tanh(np.dot(W, h) + np.dot(U, xs[t]) + b)
    return np.sum(h ** 2)


def rnn_matmul(W, U, b, xs):
    h = np.zeros(W.shape[0])
    for t in range(len(xs)):
        h = np.tanh(W @ h + U @ xs[t] + b)
    return np.sum(h * h)


def adjoint_read_in_the_loop(W, v):
    h = v
    total = 0.0
    for t in range(3):
        h = np.tanh(W @ h)
        total = total + np.sum(W * W) * np.sum(h)       # W's adjoint is read in the loop too
    return total


def stores_in_the_loop(W, v):
    h = np.array(v)
    for t in range(3):
        h[0] = h[0] * 0.5                               # a store: the kept values could change
        h = np.tanh(W @ h)
    return np.sum(h)


def no_steps(W, v, n):
    h = v
    for t in range(n):
        h = np.tanh(W @ h)
    return np.sum(h) + np.sum(W)


def calls_outer_sum(a, c):
    rows = [a, a * 2.0]
    cols = [c, np.sin(c)]
    return np.sum(runtime.outer_sum(rows, cols) ** 2)


def adds_into_a_buffer(W, v):
    h = v
    for t in range(3):
        h = np.tanh(W @ h[:4] + h[1] * h[2:6].sum())    # the slices' adjoints add into a buffer
    return np.sum(h)


def small_loop(W, v):
    h = v
    for t in range(2):
        h = np.tanh(W @ h)
    return np.sum(h ** 2)

