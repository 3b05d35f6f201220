"""The derivative of x², then a minimum found by gradient descent and by Newton's method (the
TensorFlow eager article's first example), with the second derivative from `grad(grad(f))`.

    python examples/extremum.py
"""
import math
import os
import sys

try:
    import adjoint
except ImportError:  # running from a checkout without installing
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    import adjoint


def square(x):
    return x ** 2


def landscape(x):
    """A valley with ripples: one minimum, near x = 1.31."""
    return (x - 1.0) ** 2 + 0.3 * math.sin(3.0 * x)


def gradient_descent(f, x, rate=0.1, tolerance=1e-10, steps=10_000):
    slope = adjoint.grad(f)
    for step in range(steps):
        g = slope(x)
        if abs(g) < tolerance:
            return x, step
        x -= rate * g
    return x, steps


def newton(f, x, tolerance=1e-12, steps=100):
    slope = adjoint.grad(f)
    curvature = adjoint.grad(slope)
    for step in range(steps):
        g = slope(x)
        if abs(g) < tolerance:
            return x, step
        x -= g / curvature(x)
    return x, steps


def main():
    print("d(x²)/dx at 3:", adjoint.grad(square)(3.0))
    by_descent, descent_steps = gradient_descent(landscape, 0.0)
    by_newton, newton_steps = newton(landscape, 0.8)
    print(f"gradient descent: x = {by_descent:.12f} after {descent_steps} steps")
    print(f"Newton's method:  x = {by_newton:.12f} after {newton_steps} steps")
    slope_there = 2.0 * (by_newton - 1.0) + 0.9 * math.cos(3.0 * by_newton)       # by hand
    step = 1e-6
    central = (landscape(0.4 + step) - landscape(0.4 - step)) / (2 * step)
    print(f"slope at 0.4: {adjoint.grad(landscape)(0.4):.10f}, central difference {central:.10f}")
    ok = adjoint.grad(square)(3.0) == 6.0 and abs(by_descent - by_newton) < 1e-8 and abs(slope_there) < 1e-10 \
        and abs(adjoint.grad(landscape)(0.4) - central) < 1e-8
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
