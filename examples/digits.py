"""A multilayer perceptron on the 8x8 handwritten digits (Autograd's classic example), trained with
minibatch Adam on gradients from adjoint.

    python examples/digits.py        # needs scikit-learn, for the digits data it ships

The network is a list of layers, each a dict of arrays; the gradient has the same structure.
"""
import os
import sys
import time

import numpy as np

try:
    import adjoint
except ImportError:  # running from a checkout without installing
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    import adjoint

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from against_autograd import compare  # noqa: E402
import pictures  # noqa: E402
from optim import Adam  # noqa: E402


def init_layers(sizes, rng):
    return [{"W": rng.normal(0, 1 / np.sqrt(m), (m, n)), "b": np.zeros(n)} for m, n in zip(sizes[:-1], sizes[1:])]


def predict(layers, X):
    """Log-probabilities of each class."""
    h = X
    for layer in layers[:-1]:
        h = np.tanh(h @ layer["W"] + layer["b"])
    logits = h @ layers[-1]["W"] + layers[-1]["b"]
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))


def objective(layers, X, labels, l2=1e-4):
    log_probabilities = predict(layers, X)
    picked = np.sum(log_probabilities * labels, axis=1)
    penalty = sum(np.sum(layer["W"] ** 2) for layer in layers)
    return -np.mean(picked) + l2 * penalty


def accuracy(layers, X, labels):
    return np.mean(np.argmax(predict(layers, X), axis=1) == np.argmax(labels, axis=1))


def load(rng):
    from sklearn.datasets import load_digits
    digits = load_digits()
    X = digits.data / 16.0
    labels = np.eye(10)[digits.target]
    order = rng.permutation(len(X))
    cut = int(0.8 * len(X))
    return (X[order[:cut]], labels[order[:cut]]), (X[order[cut:]], labels[order[cut:]])


def main(epochs=40, hidden=128, samples=None, picture=True):
    try:
        rng = np.random.default_rng(0)
        (X, labels), (X_valid, labels_valid) = load(rng)
    except ImportError:
        print("scikit-learn is not installed (pip install scikit-learn): skipped")
        print("OK")
        return 0
    if samples:
        X, labels = X[:samples], labels[:samples]
    layers = init_layers([64, hidden, 10], rng)

    # the gradient against central differences, in a few entries
    gradient = adjoint.grad(objective)(layers, X[:50], labels[:50])
    step, agrees = 1e-6, True
    for i, j in [(3, 5), (40, 2)]:
        moved = [dict(layer) for layer in layers]
        moved[0]["W"] = layers[0]["W"].copy()
        moved[0]["W"][i, j] += step
        up = objective(moved, X[:50], labels[:50])
        moved[0]["W"][i, j] -= 2 * step
        central = (up - objective(moved, X[:50], labels[:50])) / (2 * step)
        agrees = agrees and abs(gradient[0]["W"][i, j] - central) < 1e-6

    value_and_slope = adjoint.value_and_grad(objective)
    optimizer = Adam(rate=0.002)
    start = time.perf_counter()
    history = []
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for batch in np.array_split(order, max(1, len(X) // 64)):
            value, grads = value_and_slope(layers, X[batch], labels[batch])
            history.append(value)
            layers = optimizer.step(layers, grads)
    took = time.perf_counter() - start
    first, last = history[0], np.mean(history[-10:])
    valid = accuracy(layers, X_valid, labels_valid)
    print(f"{epochs} epochs of minibatch Adam in {took:.1f} s: loss {first:.3f} -> {last:.3f}; "
          f"training accuracy {accuracy(layers, X, labels):.1%}, validation accuracy {valid:.1%}")
    print(f"gradient against central differences: {'agrees' if agrees else 'DIFFERS'}")
    print(compare(objective, (layers, X[:64], labels[:64])))
    if picture:
        pictures.loss_curve("digits_loss", history, "minibatch loss")
    ok = agrees and last < first and (samples is not None or valid >= 0.98)
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
