"""Targets for tests/test_complex_rules.py: real-valued losses of complex arguments, one small function
per rule (or per family of variants). The compiler reads their source, so they are plain defs.

`cweigh(y)` is Re(sum(W * y)) for fixed complex weights W shaped like y: its gradient conj(W) is uneven
in every element and in both parts, so a wrong conjugation or a swapped real and imaginary part shows.
"""
import numpy as np

import adjoint

CWEIGHTS = ("(np.sin(1.0 + np.reshape(np.arange(np.size(y)), np.shape(y)))"
            " + 1j * np.cos(0.5 + 2.0 * np.reshape(np.arange(np.size(y)), np.shape(y))))")


def cweigh(y):
    """Re(sum(W * y)) with fixed, uneven complex weights W."""
    k = np.reshape(np.arange(np.size(y)), np.shape(y))
    return np.real(np.sum((np.sin(1.0 + k) + 1j * np.cos(0.5 + 2.0 * k)) * y))


# a rule, so that each target's generated code stays one function whatever its shapes
adjoint.defrule(cweigh, "y", reverse={"y": f"g * np.conj({CWEIGHTS})"},
                forward={"y": f"np.real(np.sum({CWEIGHTS} * dy))"})


# --- elementwise: holomorphic functions ------------------------------------------------------------

def u_exp(z):
    return cweigh(np.exp(z))

def u_exp2(z):
    return cweigh(np.exp2(z))

def u_expm1(z):
    return cweigh(np.expm1(z))

def u_log(z):
    return cweigh(np.log(z))

def u_log2(z):
    return cweigh(np.log2(z))

def u_log10(z):
    return cweigh(np.log10(z))

def u_log1p(z):
    return cweigh(np.log1p(z))

def u_sqrt(z):
    return cweigh(np.sqrt(z))

def u_square(z):
    return cweigh(np.square(z))

def u_reciprocal(z):
    return cweigh(np.reciprocal(z))

def u_negative(z):
    return cweigh(np.negative(z))

def u_positive(z):
    return cweigh(np.positive(z))

def u_sin(z):
    return cweigh(np.sin(z))

def u_cos(z):
    return cweigh(np.cos(z))

def u_tan(z):
    return cweigh(np.tan(z))

def u_arcsin(z):
    return cweigh(np.arcsin(z))

def u_arccos(z):
    return cweigh(np.arccos(z))

def u_arctan(z):
    return cweigh(np.arctan(z))

def u_sinh(z):
    return cweigh(np.sinh(z))

def u_cosh(z):
    return cweigh(np.cosh(z))

def u_tanh(z):
    return cweigh(np.tanh(z))

def u_arcsinh(z):
    return cweigh(np.arcsinh(z))

def u_arccosh(z):
    return cweigh(np.arccosh(z))

def u_arctanh(z):
    return cweigh(np.arctanh(z))


# --- elementwise: complex parts (not holomorphic) ---------------------------------------------------

def conj(z):
    return cweigh(np.conj(z) * z[0]) + cweigh(np.conjugate(z) ** 2) + cweigh(z.conj() * 3.0)


def real_imag(z):
    return cweigh(np.real(z) * np.imag(z)) + cweigh(z.real ** 2) + cweigh(z.imag * z)


def modulus(z):
    return cweigh(np.abs(z)) + np.sum(np.abs(z * z[0]) ** 2) + cweigh(np.absolute(z) * z)


def modulus_scalar(z):
    return abs(z) * 2.0 + abs(z * z) ** 2


def phase(z):
    return cweigh(np.angle(z)) + cweigh(np.angle(z * z[1], deg=True) * z)


# --- elementwise: operators and binary functions ----------------------------------------------------

def arithmetic(z, w):
    return (cweigh(z + w) + cweigh(z - 2.0 * w) + cweigh(z * w) + cweigh(z / w) + cweigh(-z * (1 - 2j))
            + cweigh(np.add(z, w) * np.subtract(w, z)) + cweigh(np.multiply(z, w) / np.divide(w, z)))


def powers(z, w):
    return cweigh(z ** 2) + cweigh(z ** w) + cweigh(np.power(z, 3)) + cweigh(np.power(z, w)) + cweigh(2.0 ** z)


def broadcast(z, v):
    return cweigh(z * v) + cweigh(z / v) + cweigh(v - z) + cweigh(np.where(np.real(z) > 0, z * v, v))


def mixed_real(x, z):
    return cweigh(x * z) + cweigh(np.exp(1j * x)) + np.sum(np.abs(x + z) ** 2)


# --- reductions -----------------------------------------------------------------------------------

def reductions(z):
    return (cweigh(np.sum(z, axis=0) ** 2) + cweigh(np.sum(z * z, axis=-1, keepdims=True)) + cweigh(np.mean(z, axis=1) ** 2)
            + cweigh(np.mean(z) * z) + cweigh(z.sum(axis=1) * z.mean(axis=0)[0]))


def products(z):
    return cweigh(np.prod(z, axis=1)) + cweigh(np.prod(z, axis=0, keepdims=True)) + cweigh(np.prod(z) * z) + cweigh(z.prod(axis=-1))


def running(z):
    return (cweigh(np.cumsum(z, axis=1) ** 2) + cweigh(np.cumsum(z)) + cweigh(np.cumprod(z, axis=0))
            + cweigh(np.cumprod(z)) + cweigh(z.cumsum(axis=0) * z.cumprod(axis=1)))


def spreads(z):
    return (cweigh(np.var(z, axis=0)) + np.var(z) + cweigh(np.std(z, axis=1, ddof=1)) + np.std(z) * 2.0
            + cweigh(z.var(axis=1) * z[0, :3]))


def norms(z):
    return (np.linalg.norm(z) + cweigh(np.linalg.norm(z, axis=1)) + np.linalg.norm(z[0], 1) * 2.0
            + np.linalg.norm(z[1], np.inf) + np.linalg.norm(z[2], 3) + np.linalg.norm(z, "fro") * 0.5)


# --- shapes -----------------------------------------------------------------------------------------

def rearranging(z):
    return (cweigh(np.reshape(z, (4, 3)) ** 2) + cweigh(np.ravel(z) * z.flatten()) + cweigh(np.transpose(z) ** 2)
            + cweigh(z.T * z.T) + cweigh(np.swapaxes(z[None], 0, 2) ** 2) + cweigh(np.moveaxis(z[None], 0, -1) ** 2)
            + cweigh(np.squeeze(np.expand_dims(z, 0), 0) ** 3) + cweigh(z.reshape(2, 6) ** 2) + cweigh(z.transpose() ** 2))


def joining(z, w):
    return (cweigh(np.concatenate([z, w], axis=1) ** 2) + cweigh(np.stack([z, w]) ** 2) + cweigh(np.hstack([z, w]) ** 2)
            + cweigh(np.vstack([z, w]) ** 2) + cweigh(np.column_stack([z, w]) ** 2) + cweigh(np.array([z, w * w])))


def splitting(z):
    a, b = np.split(z, 2, axis=1)
    c, d, e = np.array_split(z, 3)
    return cweigh(a * b ** 2) + cweigh(c * d) + cweigh(e ** 2)


def repeating(z):
    return (cweigh(np.tile(z, (2, 1)) ** 2) + cweigh(np.repeat(z, 2, axis=0) ** 2) + cweigh(np.flip(z, 0) * z)
            + cweigh(np.roll(z, 1, axis=1) * z) + cweigh(np.pad(z, 1) ** 2) + cweigh(np.fliplr(z) ** 2))


def triangles(s):
    return (cweigh(np.diag(s) ** 2) + cweigh(np.diag(s[0]) ** 2) + cweigh(np.diagonal(s, 1) ** 2) + cweigh(np.triu(s) ** 2)
            + cweigh(np.tril(s, -1) * s) + cweigh(np.trace(s) * s) + cweigh(s.trace() ** 2 * s[0]))


def indexing(z):
    rows = np.array([0, 2, 2])
    return (cweigh(z[1] ** 2) + cweigh(z[:, 1:3] * z[0, 0]) + cweigh(z[rows] ** 2) + cweigh(z[::-1, ::2] ** 2)
            + cweigh(z[np.real(z) > 0] ** 2) + cweigh(z[..., None][1, 2] * z))


# --- linear algebra -----------------------------------------------------------------------------------

def matrix_products(a, b):
    return (cweigh(a @ b) + cweigh(np.matmul(a, b) ** 2) + cweigh(np.dot(a, b) * 2.0) + cweigh(a.dot(b) ** 2)
            + cweigh(a @ b[:, 0]) + cweigh(a[0] @ b) + cweigh(np.dot(a[0], b[:, 1])))


def vector_products(a, b):
    return (cweigh(np.vdot(a, b)) + cweigh(np.vdot(b, a) * a) + cweigh(np.inner(a[0], b[:, 0]))
            + cweigh(np.inner(a, b.T)) + cweigh(np.outer(a[0], b[:, 1])))


def contractions(a, b):
    return (cweigh(np.tensordot(a, b, axes=1)) + cweigh(np.tensordot(a, b.T, axes=2)) + cweigh(np.einsum("ij,jk->ik", a, b))
            + cweigh(np.einsum("ij,ji->i", a, b) ** 2) + cweigh(np.einsum("ij->j", a) ** 2) + cweigh(np.kron(a, b[:2, :2])))


def inverse(s):
    return cweigh(np.linalg.inv(s)) + cweigh(np.linalg.inv(s) @ s[:, 0])


def solve(s, b, m):
    return cweigh(np.linalg.solve(s, b)) + cweigh(np.linalg.solve(s, m) ** 2)


def determinant(s):
    return cweigh(np.linalg.det(s)) + np.abs(np.linalg.det(s * s)) + cweigh(np.trace(s @ s))


def batched(s, m):
    return cweigh(np.linalg.inv(s)) + cweigh(np.linalg.solve(s, m)) + cweigh(np.linalg.det(s)) + cweigh(s @ m)


# --- FFT ----------------------------------------------------------------------------------------

def fft_1d(z):
    return (cweigh(np.fft.fft(z)) + cweigh(np.fft.ifft(z)) + cweigh(np.fft.fft(z, n=12)) + cweigh(np.fft.fft(z, 2, 0))
            + cweigh(np.fft.ifft(z, norm="ortho")) + cweigh(np.fft.fft(z, norm="forward", axis=0))
            + cweigh(np.fft.ifft(z, n=5, norm="backward")))


def fft_nd(z):
    return (cweigh(np.fft.fft2(z)) + cweigh(np.fft.ifft2(z, norm="ortho")) + cweigh(np.fft.fftn(z))
            + cweigh(np.fft.ifftn(z, s=(3, 10), axes=(0, 1))) + cweigh(np.fft.fftn(z, axes=(0,), norm="forward"))
            + cweigh(np.fft.fft2(z, s=(2, 5))))


def fft_real(z):
    return (cweigh(np.fft.irfft(z)) + cweigh(np.fft.irfft(z, n=9, axis=0) ** 2) + cweigh(np.fft.irfft(z, norm="ortho"))
            + cweigh(np.fft.irfft2(z)) + cweigh(np.fft.irfftn(z, s=(5, 6), axes=(0, 1), norm="forward"))
            + cweigh(np.fft.rfft(np.real(z)) * z[0, 0]) + cweigh(np.fft.rfft2(np.imag(z))) + cweigh(np.fft.rfftn(z.real, norm="ortho")))


def fft_shifts(z):
    return (cweigh(np.fft.fftshift(z) * z) + cweigh(np.fft.ifftshift(z, axes=1) ** 2)
            + cweigh(np.fft.fftshift(z, axes=(0,)) ** 3))


def spectrum_of_real(x):
    """A real argument whose spectrum meets complex constants: the function computes with complex values."""
    w = np.exp(1j * np.arange(4.0))
    return np.real(np.sum(w * np.fft.fft(x))) + np.sum(np.abs(np.fft.rfft(x) * (1 + 2j)) ** 2)


def spectrum_in_a_list(xs):
    """The same with the argument a list item, whose shape (and so its spectrum's) cannot be told."""
    w = np.exp(1j * np.arange(4.0))
    return np.real(np.sum(w * np.fft.fft(xs[0]) * xs[1]))


def eigen(a):
    w, v = np.linalg.eig(a)
    return cweigh(w) + cweigh(v) + cweigh(np.linalg.eigvals(a @ a) ** 2)
