"""The built-in demo: a small model with a loop and a branch.

    python examples/demo.py
    python -m adjoint show examples/demo.py:model --wrt w

Prints the gradient code adjoint generates for `model`, then checks the
gradient it computes against central finite differences, at one point on
each side of the branch. Exits with status 1 if they disagree.
"""

import os
import sys

import numpy as np

try:
    import adjoint
except ImportError:  # running from a checkout without installing
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    import adjoint


def model(x, w):
    h = np.zeros_like(x)
    for i in range(3):
        h = np.tanh(w * h + x)
    if np.sum(h) > 0.0:
        loss = np.sum(h * h)
    else:
        loss = -np.sum(h)
    return loss


def central_differences(f, args, wrt, eps=1e-6):
    """d f / d args[wrt], one coordinate at a time."""
    args = [np.array(a, dtype=float) for a in args]
    base = args[wrt]
    grad = np.zeros_like(base)
    for idx in np.ndindex(base.shape):
        plus = [a.copy() for a in args]
        minus = [a.copy() for a in args]
        plus[wrt][idx] += eps
        minus[wrt][idx] -= eps
        grad[idx] = (f(*plus) - f(*minus)) / (2 * eps)
    return grad


def main():
    print("# Generated gradient of model with respect to (x, w):")
    print(adjoint.source(model, wrt=("x", "w")))

    dmodel = adjoint.grad(model, wrt=("x", "w"))
    ok = True
    points = [
        ("sum(h) > 0 branch", np.array([0.5, -0.2, 0.9, 0.1]), np.array([0.8, 1.1, -0.4, 0.3])),
        ("sum(h) <= 0 branch", np.array([-0.5, -0.7, 0.2, -0.3]), np.array([0.6, -0.9, 1.2, 0.4])),
    ]
    for label, x, w in points:
        gx, gw = dmodel(x, w)
        fx = central_differences(model, (x, w), 0)
        fw = central_differences(model, (x, w), 1)
        print("%s: model(x, w) = %.6f" % (label, model(x, w)))
        for name, got, want in (("x", gx, fx), ("w", gw, fw)):
            err = np.max(np.abs(got - want)) / max(1.0, np.max(np.abs(want)))
            good = err <= 1e-6
            ok = ok and good
            print("  d/d%s adjoint:  %s" % (name, np.array2string(np.asarray(got), precision=8)))
            print("  d/d%s finite:   %s" % (name, np.array2string(want, precision=8)))
            print("  relative error %.1e  %s" % (err, "OK" if good else "MISMATCH"))
    print("OK" if ok else "FAILED: adjoint and finite differences disagree")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
