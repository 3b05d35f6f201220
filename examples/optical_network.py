"""An optical neural network (the Autograd article's example): a plane wave passes through phase
plates, light propagating between them by the angular-spectrum method (FFTs of complex fields); the
plates' phases are fitted so that the intensity on the screen forms a target image.

    python examples/optical_network.py          # examples/output/optical.png with matplotlib
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
import pictures  # noqa: E402
from optim import Adam  # noqa: E402

WAVELENGTH = 0.5e-6       # metres
PIXEL = 2e-6
DISTANCE = 2e-4           # between plates, and from the last plate to the screen


def transfer_function(n, distance=DISTANCE, wavelength=WAVELENGTH, pixel=PIXEL):
    """The angular spectrum's propagator exp(i kz d) on an n x n grid (evanescent waves dropped)."""
    frequencies = np.fft.fftfreq(n, pixel)
    fx, fy = np.meshgrid(frequencies, frequencies)
    kz_squared = (1.0 / wavelength) ** 2 - fx ** 2 - fy ** 2
    kz = 2 * np.pi * np.sqrt(np.maximum(kz_squared, 0.0))
    return np.where(kz_squared > 0, np.exp(1j * kz * distance), 0.0)


def propagate(field, transfer):
    return np.fft.ifft2(np.fft.fft2(field) * transfer)


def screen(phases, source, transfer):
    """The intensity after every plate and its propagation."""
    field = source
    for phase in phases:
        field = propagate(field * np.exp(1j * phase), transfer)
    return np.abs(field) ** 2


def mismatch(phases, source, transfer, target):
    intensity = screen(phases, source, transfer)
    intensity = intensity / np.sum(intensity)
    return np.sum((intensity - target) ** 2) * 1e4


def ring(n, radius, width):
    y, x = np.mgrid[0:n, 0:n] - (n - 1) / 2
    image = np.exp(-((np.hypot(x, y) - radius) / width) ** 2)
    return image / np.sum(image)


def main(n=32, plates=3, steps=150, picture=True):
    rng = np.random.default_rng(2)
    transfer = transfer_function(n)
    source = np.ones((n, n), dtype=complex)
    target = ring(n, radius=n / 4, width=n / 16)
    phases = [rng.uniform(0, 2 * np.pi, (n, n)) for _ in range(plates)]

    # one entry of the gradient against a central difference
    gradient = adjoint.grad(mismatch)(phases, source, transfer, target)
    step = 1e-6
    moved = [p.copy() for p in phases]
    moved[1][5, 7] += step
    up = mismatch(moved, source, transfer, target)
    moved[1][5, 7] -= 2 * step
    central = (up - mismatch(moved, source, transfer, target)) / (2 * step)
    agrees = abs(gradient[1][5, 7] - central) <= 1e-5 * max(1.0, abs(central))

    value_and_slope = adjoint.value_and_grad(mismatch)
    optimizer, first = Adam(rate=0.1), None
    for _ in range(steps):
        value, slopes = value_and_slope(phases, source, transfer, target)
        first = value if first is None else first
        phases = optimizer.step(phases, slopes)
    last = mismatch(phases, source, transfer, target)
    print(f"mismatch with the target ring: {first:.4f} -> {last:.4f} after {steps} steps")
    print(f"one gradient entry {gradient[1][5, 7]:.6g}, central difference {central:.6g}: "
          f"{'agrees' if agrees else 'DIFFERS'}")
    print(compare(mismatch, (phases, source, transfer, target)))
    if picture:
        pictures.images("optical", [("screen", screen(phases, source, transfer)), ("target", target)], cmap="inferno")
    ok = agrees and last < 0.5 * first
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
