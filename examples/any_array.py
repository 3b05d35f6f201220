"""One model, any array library: the initial temperature of a rod recovered from a later measurement,
with the model written against the array API standard (`xp = u0.__array_namespace__()`, `xp.concat`)
so that it runs on whatever arrays it is given. adjoint differentiates it as written; the gradient is
computed in the arrays' own library: NumPy here, and array_api_strict (the strictest implementation
of the standard) too when it is installed, giving the same numbers.

    python examples/any_array.py
"""
import os
import sys

import numpy as np

try:
    import adjoint
except ImportError:  # running from a checkout without installing
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    import adjoint


def diffuse(u, kappa, steps):
    """Explicit heat steps on a rod whose ends are insulated (no flow through them)."""
    xp = u.__array_namespace__()
    for _ in range(steps):
        inner = u[2:] - 2.0 * u[1:-1] + u[:-2]
        u = u + kappa * xp.concat([u[1:2] - u[0:1], inner, u[-2:-1] - u[-1:]])
    return u


def misfit(u0, kappa, measured, steps):
    """How far the rod's temperature after `steps` is from the measurement, plus a little smoothness."""
    xp = u0.__array_namespace__()
    r = diffuse(u0, kappa, steps) - measured
    return xp.sum(r * r) / r.shape[0] + 1e-4 * xp.sum((u0[1:] - u0[:-1]) ** 2)


def recover(measured, kappa, steps, iterations):
    """Gradient descent on the initial temperature, from a flat guess."""
    slope = adjoint.value_and_grad(misfit)
    u0 = np.full(measured.shape, float(np.mean(measured)))
    rate = 4.0
    value, g = slope(u0, kappa, measured, steps)
    for _ in range(iterations):
        trial = u0 - rate * g
        trial_value, trial_g = slope(trial, kappa, measured, steps)
        if trial_value < value:
            u0, value, g, rate = trial, trial_value, trial_g, rate * 1.2
        else:
            rate *= 0.5
    return u0, value


def central_differences(u0, kappa, measured, steps, eps=1e-6):
    out = np.zeros_like(u0)
    for i in range(u0.size):
        e = np.zeros_like(u0)
        e[i] = eps
        out[i] = (misfit(u0 + e, kappa, measured, steps) - misfit(u0 - e, kappa, measured, steps)) / (2 * eps)
    return out


def main(n=40, steps=20, iterations=300):
    x = np.linspace(0.0, 1.0, n)
    truth = 1.0 + np.exp(-60 * (x - 0.35) ** 2) + 0.5 * np.exp(-80 * (x - 0.7) ** 2)
    kappa = 0.2
    measured = diffuse(truth, kappa, steps)

    guess = np.full(n, float(np.mean(measured)))
    gradient = adjoint.grad(misfit)(guess, kappa, measured, steps)
    error = np.max(np.abs(gradient - central_differences(guess, kappa, measured, steps)))
    print(f"gradient against central differences: largest difference {error:.1e}")
    ok = error < 1e-7

    found, value = recover(measured, kappa, steps, iterations)
    start = misfit(guess, kappa, measured, steps)
    print(f"misfit {start:.2e} -> {value:.2e}; the recovered peak is at x = {x[np.argmax(found)]:.3f} "
          f"(the true one at {x[np.argmax(truth)]:.3f})")
    ok = ok and value < 0.01 * start and abs(x[np.argmax(found)] - x[np.argmax(truth)]) < 0.05

    try:
        import array_api_strict as xps
    except ImportError:
        print("array_api_strict is not installed: the NumPy run only")
    else:
        strict = adjoint.grad(misfit)(xps.asarray(guess), kappa, xps.asarray(measured), steps)
        same = np.max(np.abs(np.asarray(strict) - gradient))
        print(f"the same gradient on array_api_strict arrays is one of them ({type(strict).__module__}."
              f"{type(strict).__name__}); largest difference from NumPy's: {same:.1e}")
        ok = ok and same < 1e-12
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
