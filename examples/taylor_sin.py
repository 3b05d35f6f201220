"""sin(x) by its Taylor series, differentiated through the loop and the early return.

    python examples/taylor_sin.py
    python -m adjoint show examples/taylor_sin.py:taylor_sin

The derivative of the truncated series is the truncated series of cos, so the
gradient must match math.cos(x) to within the truncation error.
"""

import math
import os
import sys

try:
    import adjoint
except ImportError:  # running from a checkout without installing
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    import adjoint


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


def main():
    print(adjoint.source(taylor_sin))
    dsin = adjoint.grad(taylor_sin)
    ok = True
    print("%8s %20s %20s %10s" % ("x", "adjoint.grad", "math.cos", "error"))
    for x in (-2.0, -0.5, 0.3, 1.0, 1.5, 2.5):
        got = dsin(x)
        want = math.cos(x)
        err = abs(got - want)
        ok = ok and err < 1e-6
        print("%8.3f %20.12f %20.12f %10.1e" % (x, got, want, err))
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
