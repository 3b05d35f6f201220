"""tanh and its first six derivatives over a grid (Autograd's classic picture).

    python examples/tanh_derivatives.py          # the table; examples/output/tanh.png with matplotlib

Each derivative is `adjoint.elementwise_grad` of the one before: one call per order, nested.
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
import pictures  # noqa: E402


def tanh(x):
    y = np.exp(-2.0 * x)
    return (1.0 - y) / (1.0 + y)


def derivatives(f, orders):
    """[f, f', f'', ...]: each the elementwise derivative of the one before."""
    found = [f]
    for _ in range(orders):
        found.append(adjoint.elementwise_grad(found[-1]))
    return found


def central_difference(f, x, step=1e-5):
    return (f(x + step) - f(x - step)) / (2 * step)


def main(points=200, orders=6, picture=True):
    x = np.linspace(-7.0, 7.0, points)
    curves = derivatives(tanh, orders)
    values = [f(x) for f in curves]
    t = np.tanh(x)
    ok = np.allclose(values[1], 1 - t ** 2, atol=1e-12) and np.allclose(values[2], -2 * t * (1 - t ** 2), atol=1e-12)
    print("order   max |value|   max |error| against central differences of the order below")
    for order in range(1, len(curves)):
        error = np.max(np.abs(values[order] - central_difference(curves[order - 1], x)))
        scale = np.max(np.abs(values[order]))
        ok = ok and error < 1e-6 * max(1.0, scale)
        print(f"{order:5d} {scale:13.4f} {error:14.2e}")
    if picture:
        _curves(x, values)
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


def _curves(x, values):
    def draw(plt):
        figure = plt.figure(figsize=(7, 4))
        for order, y in enumerate(values):
            plt.plot(x, y, label="tanh" if order == 0 else f"order {order}")
        plt.axis("off")
        plt.legend(loc="lower right", fontsize="small")
        return figure
    pictures.save("tanh", draw)


if __name__ == "__main__":
    sys.exit(main())
