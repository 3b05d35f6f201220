"""Discrete Fourier transforms (numpy.fft). Each is linear: its adjoint is the transform in the other
direction with the adjoint normalisation ("backward" <-> "forward"), cut or padded back to the input's
shape, and real for a real input (rt.fft_grad)."""
import numpy as np

from .core import defrule, linear

for name in ("fft", "ifft", "rfft", "irfft"):
    defrule(getattr(np.fft, name), "a, n=None, axis=-1, norm=None",
            {"a": f"rt.fft_grad(g, a, '{name}', n, axis, norm)"}, forward={"a": "LINEAR"})
for name in ("fft2", "ifft2", "rfft2", "irfft2"):
    defrule(getattr(np.fft, name), "a, s=None, axes=(-2, -1), norm=None",
            {"a": f"rt.fft_grad(g, a, '{name}', s, axes, norm)"}, forward={"a": "LINEAR"})
for name in ("fftn", "ifftn", "rfftn", "irfftn"):
    defrule(getattr(np.fft, name), "a, s=None, axes=None, norm=None",
            {"a": f"rt.fft_grad(g, a, '{name}', s, axes, norm)"}, forward={"a": "LINEAR"})
linear(np.fft.fftshift, "x, axes=None", "np.fft.ifftshift(g, axes)")
linear(np.fft.ifftshift, "x, axes=None", "np.fft.fftshift(g, axes)")
