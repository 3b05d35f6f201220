"""A two-layer tanh network with softmax cross-entropy, trained with adjoint.

    python examples/mlp.py
    python -m adjoint show examples/mlp.py:loss --wrt W1,b1,W2,b2

The loss is plain NumPy. The parameters are separate arguments, and
adjoint.grad(loss, wrt=(0, 1, 2, 3)) returns the four gradients as a tuple.
"""

import os
import sys

import numpy as np

try:
    import adjoint
except ImportError:  # running from a checkout without installing
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    import adjoint


def loss(W1, b1, W2, b2, X, Y):
    h = np.tanh(X @ W1 + b1)
    logits = h @ W2 + b2
    z = logits - np.max(logits, axis=1, keepdims=True)
    logp = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    return -np.sum(Y * logp) / X.shape[0]


def make_data(rng, n=256, d=20, classes=4):
    """Points around random class centres, with one-hot labels."""
    centres = rng.standard_normal((classes, d)) * 1.5
    labels = rng.integers(0, classes, size=n)
    X = centres[labels] + rng.standard_normal((n, d))
    Y = np.eye(classes)[labels]
    return X, Y


def init_params(rng, d, hidden, classes):
    W1 = rng.standard_normal((d, hidden)) / np.sqrt(d)
    b1 = np.zeros(hidden)
    W2 = rng.standard_normal((hidden, classes)) / np.sqrt(hidden)
    b2 = np.zeros(classes)
    return W1, b1, W2, b2


def main():
    rng = np.random.default_rng(0)
    X, Y = make_data(rng)
    params = init_params(rng, X.shape[1], 16, Y.shape[1])

    value_and_grad = adjoint.value_and_grad(loss, wrt=(0, 1, 2, 3))

    value, grads = value_and_grad(*params, X, Y)
    print("initial loss %.4f" % value)
    for name, g in zip(("W1", "b1", "W2", "b2"), grads):
        print("  |d loss / d %s| = %.6f   shape %s" % (name, np.linalg.norm(g), np.shape(g)))

    # Spot-check one entry of each gradient against central differences.
    eps = 1e-6
    for k, name in enumerate(("W1", "b1", "W2", "b2")):
        idx = tuple(0 for _ in np.shape(params[k]))
        plus = [np.array(p, dtype=float) for p in params]
        minus = [np.array(p, dtype=float) for p in params]
        plus[k][idx] += eps
        minus[k][idx] -= eps
        fd = (loss(*plus, X, Y) - loss(*minus, X, Y)) / (2 * eps)
        print("  d/d%s%s: adjoint %.8f, finite differences %.8f" % (name, list(idx), grads[k][idx], fd))

    lr = 0.5
    print("SGD, learning rate %g:" % lr)
    first = value
    for step in range(1, 31):
        value, grads = value_and_grad(*params, X, Y)
        params = tuple(p - lr * g for p, g in zip(params, grads))
        if step % 5 == 0:
            print("  step %2d  loss %.4f" % (step, value))
    final = loss(*params, X, Y)
    print("final loss %.4f (from %.4f)" % (final, first))
    if not final < first:
        print("FAILED: the loss did not fall")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
