"""Quantities beyond the gradient (BackPACK's, in the JAX article): per-sample gradients of a
logistic regression, their variance, and the diagonal of the Hessian.

    python examples/beyond_the_gradient.py

Per-sample gradients are the Jacobian of the vector of per-sample losses (one reverse sweep per
sample, or a loop of `grad` calls: both are shown and compared); the Hessian's diagonal comes from
Hessian-vector products with the unit vectors, and from the full Hessian.
"""
import os
import sys

import numpy as np

try:
    import adjoint
except ImportError:  # running from a checkout without installing
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    import adjoint

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from against_autograd import compare  # noqa: E402


def sample_losses(w, X, y):
    """The logistic loss of each sample: log(1 + exp(-y x·w)) with labels ±1, plus a small penalty."""
    margins = y * (X @ w)
    return np.logaddexp(0.0, -margins) + 0.01 * np.sum(w ** 2)


def sample_loss(w, x, label):
    return np.logaddexp(0.0, -label * np.dot(x, w)) + 0.01 * np.sum(w ** 2)


def mean_loss(w, X, y):
    return np.mean(sample_losses(w, X, y))


def main(samples=64, features=5):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(samples, features))
    y = np.sign(X @ rng.normal(size=features) + 0.3 * rng.normal(size=samples))
    w = 0.1 * rng.normal(size=features)

    per_sample = adjoint.jacobian(sample_losses)(w, X, y)                     # samples x features
    one_by_one = np.stack([adjoint.grad(sample_loss)(w, X[i], y[i]) for i in range(samples)])
    gradient = adjoint.grad(mean_loss)(w, X, y)
    variance = per_sample.var(axis=0)

    hvp = adjoint.hvp(mean_loss)
    diagonal = np.array([hvp(w, X, y, unit)[k] for k, unit in enumerate(np.eye(features))])
    hessian = adjoint.hessian(mean_loss)(w, X, y)

    print("feature   gradient   per-sample variance   Hessian diagonal")
    for k in range(features):
        print(f"{k:7d} {gradient[k]:10.5f} {variance[k]:21.5f} {diagonal[k]:18.5f}")
    ok = (np.allclose(per_sample, one_by_one) and np.allclose(per_sample.mean(axis=0), gradient)
          and np.allclose(diagonal, np.diag(hessian)) and np.allclose(hessian, hessian.T))
    print("per-sample gradients: the Jacobian and a loop of grad calls agree, and average to the gradient"
          if ok else "MISMATCH")
    print(compare(mean_loss, (w, X, y)))
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
