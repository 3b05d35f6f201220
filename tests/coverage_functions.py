"""Targets for tests/test_rules_coverage.py: one small function per rule, each reducing to a scalar
with fixed weights (the compiler reads their source, so they are plain defs)."""
import math

import numpy as np

import adjoint

try:
    import scipy.special as sp
except ImportError:          # SciPy is optional
    sp = None


def weigh(y):
    """A fixed, uneven weighting of every element of y, summed."""
    return np.sum(y * np.sin(1.0 + np.reshape(np.arange(np.size(y)), np.shape(y))))


def parts(z):
    """weigh of a complex array's real part and half its imaginary part."""
    return weigh(np.real(z)) + weigh(np.imag(z)) * 0.5


# weigh and parts get rules (so each target's generated code stays one function, whatever its shapes)
WEIGHTS = "np.sin(1.0 + np.reshape(np.arange(np.size(y)), np.shape(y)))"
adjoint.defrule(weigh, "y", reverse={"y": f"g * {WEIGHTS}"}, forward={"y": f"np.sum(dy * {WEIGHTS})"})
adjoint.defrule(parts, "y", reverse={"y": f"g * (1 + 0.5j) * {WEIGHTS}"},
                forward={"y": f"np.sum((np.real(dy) + 0.5 * np.imag(dy)) * {WEIGHTS})"})


def u_sin(x):
    return weigh(np.sin(x))

def u_cos(x):
    return weigh(np.cos(x))

def u_tan(x):
    return weigh(np.tan(x))

def u_arcsin(x):
    return weigh(np.arcsin(x))

def u_arccos(x):
    return weigh(np.arccos(x))

def u_arctan(x):
    return weigh(np.arctan(x))

def u_sinh(x):
    return weigh(np.sinh(x))

def u_cosh(x):
    return weigh(np.cosh(x))

def u_tanh(x):
    return weigh(np.tanh(x))

def u_arcsinh(x):
    return weigh(np.arcsinh(x))

def u_arccosh(x):
    return weigh(np.arccosh(x))

def u_arctanh(x):
    return weigh(np.arctanh(x))

def u_exp(x):
    return weigh(np.exp(x))

def u_exp2(x):
    return weigh(np.exp2(x))

def u_expm1(x):
    return weigh(np.expm1(x))

def u_log(x):
    return weigh(np.log(x))

def u_log2(x):
    return weigh(np.log2(x))

def u_log10(x):
    return weigh(np.log10(x))

def u_log1p(x):
    return weigh(np.log1p(x))

def u_sqrt(x):
    return weigh(np.sqrt(x))

def u_cbrt(x):
    return weigh(np.cbrt(x))

def u_square(x):
    return weigh(np.square(x))

def u_reciprocal(x):
    return weigh(np.reciprocal(x))

def u_abs(x):
    return weigh(np.abs(x))

def u_absolute(x):
    return weigh(np.absolute(x))

def u_fabs(x):
    return weigh(np.fabs(x))

def u_negative(x):
    return weigh(np.negative(x))

def u_positive(x):
    return weigh(np.positive(x))

def u_sinc(x):
    return weigh(np.sinc(x))

def u_deg2rad(x):
    return weigh(np.deg2rad(x))

def u_rad2deg(x):
    return weigh(np.rad2deg(x))

def u_radians(x):
    return weigh(np.radians(x))

def u_degrees(x):
    return weigh(np.degrees(x))

def u_real(x):
    return weigh(np.real(x))

def u_conj(x):
    return weigh(np.conj(x))

def u_fft_fftshift(x):
    return weigh(np.fft.fftshift(x))

def u_fft_ifftshift(x):
    return weigh(np.fft.ifftshift(x))

def b_add(x, y):
    return weigh(np.add(x, y))

def b_subtract(x, y):
    return weigh(np.subtract(x, y))

def b_multiply(x, y):
    return weigh(np.multiply(x, y))

def b_divide(x, y):
    return weigh(np.divide(x, y))

def b_true_divide(x, y):
    return weigh(np.true_divide(x, y))

def b_power(x, y):
    return weigh(np.power(x, y))

def b_float_power(x, y):
    return weigh(np.float_power(x, y))

def b_maximum(x, y):
    return weigh(np.maximum(x, y))

def b_minimum(x, y):
    return weigh(np.minimum(x, y))

def b_fmax(x, y):
    return weigh(np.fmax(x, y))

def b_fmin(x, y):
    return weigh(np.fmin(x, y))

def b_logaddexp(x, y):
    return weigh(np.logaddexp(x, y))

def b_logaddexp2(x, y):
    return weigh(np.logaddexp2(x, y))

def b_hypot(x, y):
    return weigh(np.hypot(x, y))

def b_arctan2(x, y):
    return weigh(np.arctan2(x, y))

def b_mod(x, y):
    return weigh(np.mod(x, y))

def b_remainder(x, y):
    return weigh(np.remainder(x, y))

def b_fmod(x, y):
    return weigh(np.fmod(x, y))

def b_copysign(x, y):
    return weigh(np.copysign(x, y))

# --- elementwise, continued ---------------------------------------------------------------------

def clip_scalars(x):
    return weigh(np.clip(x, -0.5, 0.5))


def clip_arrays(x, lo, hi):
    return weigh(np.clip(x, lo, hi))


def clip_lower_only(x):
    return weigh(np.clip(x, 0.0, None))


def clip_method(x, lo):
    return weigh(x.clip(lo, 0.7))


def where_both(x, y):
    return weigh(np.where(x > 0, x * y, y))


def imag_part(x):
    return weigh(np.imag(np.fft.ifft(x)) ** 2) + weigh(np.conjugate(np.fft.fft(x)).imag)


def attributes_real_imag(x):
    z = np.fft.fft(x)
    return weigh(z.real) + weigh(z.imag * 2.0)


def math_unary(x):
    return (math.sin(x) + math.cos(x) + math.tan(x) + math.exp(x) + math.log(x) + math.sqrt(x) + math.tanh(x)
            + math.asin(x) + math.acos(x) + math.atan(x) + math.sinh(x) + math.cosh(x))


def math_more(x):
    return (math.log10(x) * 2 + math.log2(x) + math.log1p(x) * 3 + math.expm1(x) + math.erf(x) * 5 + math.erfc(x)
            + math.asinh(x) + math.atanh(x) + math.degrees(x) + math.radians(x) + math.acosh(x + 1.0))


def math_binary(x, y):
    return math.pow(x, y) + math.hypot(x, y) * 2 + math.atan2(x, y) * 3 + math.log(x, y) + math.fmod(x, y)


def builtins_numbers(x, y):
    return abs(x - 3.0 * y) + max(x, y) * 2 + min(x, y) * 3 + float(x) * y


# --- reductions ---------------------------------------------------------------------------------

def r_sum(x):
    return weigh(np.sum(x, axis=-1)) + weigh(np.sum(x, axis=(0, 2), keepdims=True)) + np.sum(x) * 0.3


def r_mean(x):
    return weigh(np.mean(x, axis=1)) + weigh(np.mean(x, axis=-2, keepdims=True)) + np.mean(x) * 0.7


def r_prod(x):
    return weigh(np.prod(x, axis=1)) + weigh(np.prod(x, axis=-1, keepdims=True)) + np.prod(x[0]) * 0.5


def r_prod_all(x):
    return np.prod(x)


def r_var(x):
    return weigh(np.var(x, axis=0)) + weigh(np.var(x, axis=-1, ddof=1, keepdims=True)) + np.var(x)


def r_std(x):
    return weigh(np.std(x, axis=1)) + weigh(np.std(x, axis=-1, ddof=1)) + np.std(x) * 2


def r_extrema(x):
    return (weigh(np.max(x, axis=0)) + weigh(np.min(x, axis=-1, keepdims=True)) + weigh(np.amax(x, axis=1))
            + np.amin(x) * 2)


def r_ptp(x):
    return weigh(np.ptp(x, axis=1)) + np.ptp(x) * 0.5


def r_cumsum(x):
    return weigh(np.cumsum(x, axis=1)) + weigh(np.cumsum(x, axis=-1)) + weigh(np.cumsum(x))


def r_cumprod(x):
    return weigh(np.cumprod(x, axis=0)) + weigh(np.cumprod(x, axis=-1)) + weigh(np.cumprod(x))


def r_average(x):
    return weigh(np.average(x, axis=1)) + np.average(x) * 2


def r_average_weights(x, w):
    return weigh(np.average(x, axis=-1, weights=w))


def r_average_full_weights(x, w):
    return np.average(x, weights=w)


def r_norm_vector(x):
    return (np.linalg.norm(x) + np.linalg.norm(x, 1) * 0.5 + np.linalg.norm(x, np.inf) * 2
            + np.linalg.norm(x, 3) + np.linalg.norm(x, ord=2))


def r_norm_matrix(x):
    return (np.linalg.norm(x) + np.linalg.norm(x, "fro") * 2 + weigh(np.linalg.norm(x, axis=1))
            + weigh(np.linalg.norm(x, 1, axis=0)) + weigh(np.linalg.norm(x, axis=-1, keepdims=True)))


def r_methods(x):
    return (weigh(x.sum(axis=0)) + weigh(x.mean(axis=-1)) + weigh(x.prod(axis=1)) + weigh(x.max(axis=0))
            + x.min() + weigh(x.var(axis=0)) + weigh(x.std(axis=1, ddof=1)) + weigh(x.cumsum(axis=1))
            + weigh(x.cumprod(axis=0)))


# --- shapes ---------------------------------------------------------------------------------------

def s_reshape(x):
    return weigh(np.reshape(x, (4, 3)) ** 2) + weigh(np.ravel(x) ** 3) + weigh(x.flatten() * x.ravel())


def s_transpose(x):
    return (weigh(np.transpose(x, (2, 0, 1)) ** 2) + weigh(np.swapaxes(x, 0, 2) * 3)
            + weigh(np.moveaxis(x, 0, -1) ** 3) + weigh(x.swapaxes(1, 2) ** 2) + weigh(x.transpose(1, 0, 2) ** 2))


def s_dims(x):
    return (weigh(np.expand_dims(x, 1) ** 2) + weigh(np.squeeze(np.expand_dims(x, 0), 0) ** 3)
            + weigh(np.atleast_2d(x[0, 0]) ** 2) + weigh(np.atleast_1d(x) ** 2) + weigh(np.atleast_3d(x[0]) ** 2)
            + weigh(x[:, :1].squeeze() ** 2))


def s_broadcast_to(v):
    return weigh(np.broadcast_to(v, (3, 4)) ** 2)


def s_joins(x, y):
    return (weigh(np.concatenate([x, y], axis=0) ** 2) + weigh(np.stack([x, y], axis=-1) ** 2)
            + weigh(np.hstack([x, y]) ** 2) + weigh(np.vstack([x, y]) ** 2) + weigh(np.column_stack([x, y]) ** 2))


def s_joins_1d(a, b):
    return weigh(np.hstack([a, b]) ** 2) + weigh(np.vstack([a, b]) ** 2) + weigh(np.column_stack([a, b]) ** 2)


def s_split(x):
    parts = np.split(x, 3)
    return weigh(parts[0] * parts[2]) + weigh(parts[1] ** 2)


def s_split_axis(x):
    a, b = np.split(x, 2, axis=1)
    return weigh(a * b ** 2)


def s_array_split(x):
    a, b, c = np.array_split(x, 3, axis=-1)
    return weigh(a ** 2) + weigh(b * 3.0) + weigh(c ** 3)


def s_tile_repeat(x):
    return (weigh(np.tile(x, (2, 1)) ** 2) + weigh(np.tile(x, 3) ** 2) + weigh(np.repeat(x, 2, axis=0) ** 2)
            + weigh(np.repeat(x, [1, 0, 2, 1], axis=1) ** 2) + weigh(np.repeat(x, 2) ** 2) + weigh(x.repeat(3, axis=1) ** 2))


def s_flips(x):
    return (weigh(np.flip(x, 0) ** 2) + weigh(np.flip(x) * x) + weigh(np.fliplr(x) * x) + weigh(np.flipud(x) ** 3)
            + weigh(np.roll(x, 1, axis=1) * x) + weigh(np.roll(x, 5) * x) + weigh(np.roll(x, (1, 2), axis=(0, 1)) * x))


def s_pad(x):
    return weigh(np.pad(x, 1) ** 2) + weigh(np.pad(x, ((1, 0), (2, 3)), constant_values=2.0) ** 2)


def s_diag(x, v):
    return (weigh(np.diag(x) ** 2) + weigh(np.diag(x, 1) ** 2) + weigh(np.diag(v) ** 2) + weigh(np.diag(v, -1) ** 2)
            + weigh(np.diagonal(x) ** 2) + weigh(x.diagonal(1) ** 2) + np.trace(x) ** 2 + x.trace(-1) * 3)


def s_diagonal_3d(x):
    return weigh(np.diagonal(x, 0, 1, 2) ** 2) + weigh(np.trace(x, axis1=0, axis2=2) ** 2)


def s_triangles(x):
    return weigh(np.triu(x) ** 2) + weigh(np.tril(x, -1) ** 3) + weigh(np.triu(x, 1) * x)


def s_copies(x):
    return weigh(np.copy(x) * x) + weigh(x.copy() ** 2) + weigh(np.asarray(x) * 2.0) + weigh(np.array(x) ** 3)


def s_constants(x):
    n = np.shape(x)[0] + np.ndim(x) + np.size(x) + len(x)
    i = np.argmax(x[0]) + np.argmin(x[1])
    order = np.argsort(x[2])
    mask = np.isfinite(x) & (x > 0.1)
    return (np.sum(x[i] * n) + weigh(x[2][order] ** 2) + np.sum(np.where(mask, x, 0.0) ** 2)
            + np.sum(x * np.floor(x) + x * np.round(x) + np.ceil(x) * np.trunc(x) * x)
            + np.sum(np.zeros_like(x) + np.ones(np.shape(x)) * x + np.eye(3, 4) * x) + np.sum(np.sign(x) * x))


# --- linear algebra -----------------------------------------------------------------------------

def l_products(a, b):
    return (weigh(np.dot(a, b)) + weigh(np.matmul(a, b) ** 2) + weigh(a @ b) + np.vdot(a, a) + weigh(np.outer(a[0], b[:, 1]))
            + weigh(np.inner(a, b.T)) + weigh(np.inner(a[0], b[:, 0]) * a) + weigh(a.dot(b) ** 2))


def l_tensordot(a, b):
    return weigh(np.tensordot(a, b)) + weigh(np.tensordot(a, b, axes=([2, 1], [1, 0]))) + weigh(np.tensordot(a, b, 0) ** 2)


def l_einsum(a, b):
    return (weigh(np.einsum("ij,jk->ik", a, b)) + weigh(np.einsum("ij,ij->i", a, b.T) ** 2) + np.einsum("ij,ji", a, b)
            + weigh(np.einsum("ij->j", a) ** 2) + weigh(np.einsum("ij,kl->ijkl", a, b) ** 2)
            + weigh(np.einsum("ij,jk,kl->il", a, b, a) ** 2) + weigh(np.einsum("ij", a) ** 3))


def l_einsum_diagonal(s):
    return np.einsum("ii", s) ** 2 + weigh(np.einsum("ii->i", s) ** 2) + weigh(np.einsum("ij,i->j", s, s[0]))


def l_kron(a, b):
    return weigh(np.kron(a, b) ** 2) + weigh(np.kron(a[0], b[1]) ** 2)


def l_inv(s):
    return weigh(np.linalg.inv(s))


def l_inv_batched(s):
    return weigh(np.linalg.inv(s))


def l_solve(s, b, m):
    return weigh(np.linalg.solve(s, b)) + weigh(np.linalg.solve(s, m) ** 2)


def l_solve_batched(s, m):
    return weigh(np.linalg.solve(s, m))


def l_det(s):
    return np.linalg.det(s) + weigh(np.linalg.det(np.stack([s, s * s])))


def l_cholesky(s):
    return weigh(np.linalg.cholesky(s @ s.T + 4.0 * np.eye(3)))


def l_cholesky_raw(s):
    return weigh(np.linalg.cholesky(s))


def l_cholesky_batched(s):
    return weigh(np.linalg.cholesky(s))


def l_eigvalsh(s):
    return weigh(np.linalg.eigvalsh(s + s.T) ** 2)


def l_pinv(a):
    return weigh(np.linalg.pinv(a))


# --- fft ----------------------------------------------------------------------------------------

def f_fft(x):
    return (parts(np.fft.fft(x)) + parts(np.fft.ifft(x)) + parts(np.fft.fft(x, n=12)) + parts(np.fft.fft(x, 4, 0))
            + parts(np.fft.ifft(x, norm="ortho")) + parts(np.fft.fft(x, norm="forward", axis=0)))


def f_fft2(x):
    return (parts(np.fft.fft2(x)) + parts(np.fft.ifft2(x, norm="ortho")) + parts(np.fft.fftn(x))
            + parts(np.fft.ifftn(x, s=(3, 10), axes=(0, 1))) + parts(np.fft.fftn(x, axes=(0,))))


def f_rfft(x):
    return (parts(np.fft.rfft(x)) + parts(np.fft.rfft(x, n=7, axis=0)) + parts(np.fft.rfft2(x))
            + parts(np.fft.rfftn(x, norm="ortho")) + parts(np.fft.rfft(x, 6, norm="forward")))


def f_irfft(x):
    w = np.cos(np.arange(5.0))
    return (weigh(np.fft.irfft(np.fft.rfft(x) * w)) + weigh(np.fft.irfft(np.fft.rfft(x) * w, n=9) ** 2)
            + weigh(np.fft.irfft(np.fft.fft(x), axis=0, norm="ortho")) + weigh(np.fft.irfft2(np.fft.fft2(x)) ** 2)
            + weigh(np.fft.irfftn(np.fft.fftn(x), s=(5, 6), axes=(0, 1), norm="forward")))


def f_shift(x):
    return weigh(np.fft.fftshift(x) * x) + weigh(np.fft.ifftshift(x, axes=1) ** 2) + weigh(np.fft.fftshift(x, axes=(0,)) ** 3)


# --- scipy.special (optional) ---------------------------------------------------------------------

def sp_unary(x):
    return (weigh(sp.erf(x)) + weigh(sp.erfc(x)) + weigh(sp.ndtr(x)) + weigh(sp.log_ndtr(x)) + weigh(sp.expit(x))
            + weigh(sp.log_expit(x)) + weigh(sp.erfinv(x * 0.5)))


def sp_positive(p, y):
    return weigh(sp.logit(p)) + weigh(sp.entr(p)) + weigh(sp.xlogy(p, y)) + weigh(sp.xlog1py(y, p))


def sp_reductions(x):
    return (sp.logsumexp(x) + weigh(sp.logsumexp(x, axis=1)) + weigh(sp.logsumexp(x, axis=0, keepdims=True))
            + weigh(sp.softmax(x, axis=1)) + weigh(sp.log_softmax(x, axis=-1)))


def l_slogdet(s):
    sign, logdet = np.linalg.slogdet(s)
    return logdet * 2.0 + sign * logdet


def l_eigh(s):
    w, v = np.linalg.eigh(s)
    return weigh(w) + weigh(v[:, 1] * v[:, 0]) + weigh(v[:, 2] ** 2 * w[0])


def l_eigh_values(s):
    w, v = np.linalg.eigh(s)
    return weigh(w ** 2)


# --- sorting and decompositions -------------------------------------------------------------------

def s_sort(x):
    return weigh(np.sort(x) ** 2) + weigh(np.sort(x, axis=0) * x) + weigh(np.sort(x, axis=None) ** 3)


def l_qr(a):
    q, r = np.linalg.qr(a)
    return weigh(q) + weigh(r ** 2) + weigh(q @ r[:, :1])


def l_qr_r_only(a):
    q, r = np.linalg.qr(a)
    return weigh(r)


def l_svd(a):
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    return weigh(u) + weigh(s ** 2) + weigh(vh * 2.0) + weigh(u[:, 0] * vh[1, 0])


def l_svd_square(a):
    u, s, vh = np.linalg.svd(a)
    return weigh(u) + weigh(s) + weigh(vh)


def l_singular_values(a):
    return weigh(np.linalg.svd(a, compute_uv=False) ** 2) + np.linalg.svd(a.T, full_matrices=False, compute_uv=False)[0]


def l_eigvals(a):
    return parts(np.linalg.eigvals(a)) + parts(np.linalg.eigvals(a @ a) ** 2)


def l_eig(a):
    w, v = np.linalg.eig(a)
    return parts(w) + parts(v) + parts(v[0] * w)


def sp_gamma(x):
    return (weigh(sp.gammaln(x)) + weigh(sp.digamma(x) * x) + weigh(sp.psi(x) ** 2) + weigh(sp.polygamma(1, x))
            + weigh(sp.polygamma(2, x * 2.0)))


def sp_gammaln_scalar(x):
    return sp.gammaln(x)
