"""Propagation of uncertainty through a Jacobian, against the textbook formulas (the JAX article's
example): for independent x ± σx and y ± σy, the standard deviation of f(x, y) to first order is
sqrt(J Σ Jᵀ) with J the Jacobian of f and Σ = diag(σx², σy²).

    python examples/error_propagation.py
"""
import os
import sys

import numpy as np

try:
    import adjoint
except ImportError:  # running from a checkout without installing
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    import adjoint

A, B = 2.0, -1.5          # the exponents of x^a y^b


def quantities(x, y):
    return np.array([x + y, x * y, x / y, x ** A * y ** B])


def propagated(f, means, sigmas):
    """First-order standard deviations of f's outputs for independent inputs."""
    jacobian = np.stack(adjoint.jacobian(f, wrt=(0, 1))(*means), axis=-1)     # outputs x inputs
    covariance = np.diag(np.square(sigmas))
    return np.sqrt(np.diag(jacobian @ covariance @ jacobian.T))


def textbook(x, y, sx, sy):
    relative = np.hypot(sx / x, sy / y)
    return np.array([np.hypot(sx, sy), abs(x * y) * relative, abs(x / y) * relative,
                     abs(x ** A * y ** B) * np.hypot(A * sx / x, B * sy / y)])


def main():
    x, y, sx, sy = 3.0, 1.7, 0.05, 0.02
    got = propagated(quantities, (x, y), (sx, sy))
    want = textbook(x, y, sx, sy)
    print(f"x = {x} ± {sx}, y = {y} ± {sy}")
    print(f"{'quantity':>10} {'value':>10} {'σ by the Jacobian':>18} {'σ textbook':>12}")
    for name, value, g, w in zip(["x + y", "x y", "x / y", "x^a y^b"], quantities(x, y), got, want):
        print(f"{name:>10} {value:10.4f} {g:18.6f} {w:12.6f}")
    jacobian = np.stack(adjoint.jacobian(quantities, wrt=(0, 1))(x, y), axis=-1)
    step = 1e-6
    central = np.stack([(quantities(x + step, y) - quantities(x - step, y)) / (2 * step),
                        (quantities(x, y + step) - quantities(x, y - step)) / (2 * step)], axis=-1)
    agrees = np.allclose(jacobian, central, rtol=1e-7, atol=1e-8)
    print(f"Jacobian against central differences: {'agrees' if agrees else 'DIFFERS'}")
    ok = agrees and np.allclose(got, want, rtol=1e-12)
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
