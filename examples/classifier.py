"""Partial derivatives, a vector derivative, then a two-layer classifier trained with binary
cross-entropy and an optimizer loop (the PyTorch article's walk-through).

    python examples/classifier.py
"""
import os
import sys
from dataclasses import dataclass

import numpy as np

try:
    import adjoint
except ImportError:  # running from a checkout without installing
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    import adjoint
from adjoint.testing import numerical_grad

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from against_autograd import compare  # noqa: E402
import pictures  # noqa: E402
from optim import Adam  # noqa: E402


def surface(x, y):
    return x ** 2 * y + 3.0 * y ** 3


def squares(v):
    return np.sum(v ** 2)


@dataclass
class TwoLayer:
    W1: np.ndarray
    b1: np.ndarray
    W2: np.ndarray
    b2: float

    def __call__(self, X):
        hidden = np.tanh(X @ self.W1 + self.b1)
        return hidden @ self.W2 + self.b2            # logits

    def loss(self, X, labels):
        logits = self(X)
        # binary cross-entropy on logits, written stably: log(1 + e^z) - y z
        return np.mean(np.logaddexp(0.0, logits) - labels * logits)


def loss(model, X, labels):
    return model.loss(X, labels)


def two_moons(n, rng):
    """Two interleaved half circles with noise, labels 0 and 1."""
    angles = rng.uniform(0, np.pi, n)
    upper = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    lower = np.stack([1.0 - np.cos(angles), 0.5 - np.sin(angles)], axis=1)
    X = np.concatenate([upper, lower]) + rng.normal(0, 0.1, (2 * n, 2))
    return X, np.concatenate([np.zeros(n), np.ones(n)])


def main(samples=200, steps=300, picture=True):
    dx, dy = adjoint.grad(surface, wrt=(0, 1))(2.0, 1.0)
    print(f"∂/∂x (x²y + 3y³) at (2, 1) = {dx}   (2xy = 4)")
    print(f"∂/∂y (x²y + 3y³) at (2, 1) = {dy}   (x² + 9y² = 13)")
    v = np.array([1.0, -2.0, 0.5])
    print(f"∇ sum(v²) at {v} = {adjoint.grad(squares)(v)}   (2v)")

    rng = np.random.default_rng(0)
    X, labels = two_moons(samples // 2, rng)
    model = TwoLayer(rng.normal(0, 1.0, (2, 16)), np.zeros(16), rng.normal(0, 0.5, 16), 0.0)
    check = numerical_grad(loss, (model, X, labels))
    got = adjoint.grad(loss)(model, X, labels)
    agrees = all(np.allclose(getattr(got, f), getattr(check, f), rtol=1e-5, atol=1e-8) for f in ("W1", "b1", "W2", "b2"))
    step = adjoint.value_and_grad(loss)
    optimizer = Adam()
    history = []
    for _ in range(steps):
        value, grads = step(model, X, labels)
        history.append(value)
        model = optimizer.step(model, grads)
    accuracy = np.mean((model(X) > 0) == (labels == 1))
    print(f"loss {history[0]:.4f} -> {history[-1]:.4f} in {steps} Adam steps; training accuracy {accuracy:.1%}")
    print(f"gradient against central differences: {'agrees' if agrees else 'DIFFERS'}")
    print(compare(loss, (model, X, labels)))
    if picture:
        pictures.loss_curve("classifier_loss", history, "binary cross-entropy")
    ok = agrees and history[-1] < 0.5 * history[0] and dx == 4.0 and dy == 13.0
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
