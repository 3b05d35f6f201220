"""Targets for tests/test_numpy_coverage.py: one small function per NumPy function of the second
coverage round (definitions in adjoint/rules/definitions.py and the rules added with them), each
reducing to a scalar with fixed, uneven weights (coverage_functions.weigh)."""
import numpy as np

from coverage_functions import weigh, parts


# differences, integrals, products of vectors
def diff_twice(x):
    return weigh(np.diff(x, n=2, axis=0))

def diff_ends(x, y):
    return weigh(np.diff(x, prepend=2.0, append=y[:, :1]))

def ediff1d_ends(x, y):
    return weigh(np.ediff1d(x, to_begin=y[:2], to_end=y[2]))

def trapezoid_x(y, x):
    return weigh(np.trapezoid(y, x))

def trapezoid_dx(y):
    return weigh(np.trapezoid(y, dx=0.5, axis=0))

def cross_3(a, b):
    return weigh(np.cross(a, b))

def cross_2(a, b):
    return weigh(np.cross(a[:, :2], b[:, :2]))

def cross_axis(a, b):
    return weigh(np.cross(a.T, b.T, axis=0))

def gradient_1d(x):
    return weigh(np.gradient(x))

def gradient_2d(x):
    gy, gx = np.gradient(x, 0.5, 2.0)
    return weigh(gy) + weigh(gx * gx)

def gradient_coordinates(x):
    return weigh(np.gradient(x, np.array([0.0, 0.3, 1.0, 1.2, 2.0, 2.9]), edge_order=2))

def gradient_axis(x):
    return weigh(np.gradient(x, axis=1))


# rearranging and picking elements
def append_flat(x, y):
    return weigh(np.append(x, y))

def append_axis(x, y):
    return weigh(np.append(x, y, axis=0))

def rotations(m):
    return weigh(np.rot90(m)) + weigh(np.rot90(m, 2)) + weigh(np.rot90(m, 3, axes=(1, 0)))

def rollaxis_3d(x):
    return weigh(np.rollaxis(x, 2)) + weigh(np.rollaxis(x, 0, 3))

def splits(x):
    left, right = np.hsplit(x, 2)
    top, bottom = np.vsplit(x, [1])
    return weigh(left * right) + weigh(top) + weigh(bottom * bottom)

def dsplit_dstack(x, y):
    a, b = np.dsplit(np.dstack([x, y, x * y]), [1])
    return weigh(a) + weigh(b * b)

def take_repeated(x):
    return weigh(np.take(x, [0, 2, 2, -1])) + weigh(np.take(x, [[1, 0], [1, 2]], axis=1))

def take_along(x):
    return weigh(np.take_along_axis(x, np.array([[0, 0, 3], [2, 1, 1], [3, 3, 3]]), axis=1))

def partition_low(x):
    return weigh(np.partition(x, 2)[:, :3])

def block_2x2(a, b):
    return weigh(np.block([[a, b], [b, a]])) + weigh(np.block([a[0], b[1]]))

def choose_select(x, y):
    picked = np.choose(np.array([[0, 1, 1, 0]] * 3), [x, y])
    chosen = np.select([x > 0.5, x < -0.5], [x * y, y], default=x)
    return weigh(picked) + weigh(chosen)

def compress_extract(x):
    return weigh(np.compress([True, False, True], x, axis=0)) + weigh(np.extract(x > 0, x))

def delete_insert(x, y):
    return weigh(np.delete(x, [0, 2], axis=1)) + weigh(np.insert(x, 3, y[0]))

def diagflat_resize(x):
    return weigh(np.diagflat(x[0], 1)) + weigh(np.resize(x, (5, 3)))

def unstack_trim(x):
    a, b, c = np.unstack(x)
    return weigh(a * b) + weigh(c) + weigh(np.trim_zeros(np.concatenate([[0.0], x[0], [0.0, 0.0]])))

def cumulative(x):
    return weigh(np.cumulative_sum(x, axis=1, include_initial=True)) + weigh(np.cumulative_prod(x, axis=0))

def meshgrids(x, y):
    a, b = np.meshgrid(x, y)
    c, d = np.meshgrid(x, y, indexing="ij", sparse=True)
    return weigh(a * b) + weigh(c * d)

def broadcast_pair(x, y):
    a, b = np.broadcast_arrays(x, y[:, None])
    return weigh(a * b)

def full_like_array(x, y):
    return weigh(np.full_like(x, 2.0) * x + np.full_like(x, y[0]))

def pads(x):
    return sum(weigh(np.pad(x, ((1, 2), (2, 1)), mode=m)) for m in ("edge", "reflect", "symmetric", "wrap"))

def statistic_pads(x):
    return (weigh(np.pad(x, ((1, 2), (2, 1)), mode="mean")) + weigh(np.pad(x, 2, mode="maximum", stat_length=2))
            + weigh(np.pad(x, (1, 1), mode="minimum")) + weigh(np.pad(x, ((0, 1), (1, 0)), mode="median"))
            + weigh(np.pad(x, (2, 1), mode="linear_ramp", end_values=(0.5, -1.0))))


def casts(x):
    return weigh(x.astype(float) + x.astype(int) + x.round() + np.astype(x, np.float64))

def asarrays(x):
    return weigh(np.asanyarray(x) + np.ascontiguousarray(x) * np.asfortranarray(x) + np.require(x))

def bincount_weights(w):
    return weigh(np.bincount(np.array([0, 3, 3, 1, 0, 0]), weights=w, minlength=5))


# values chosen by position and the NaN-ignoring family
def medians(x):
    return weigh(np.median(x)) + weigh(np.median(x, axis=0)) + weigh(np.median(x, axis=1, keepdims=True))


def medians_over_axes(x):
    return (weigh(np.median(x, axis=(0, 2))) + weigh(np.percentile(x, 30.0, axis=(1, 2), keepdims=True))
            + weigh(np.nanmedian(x, axis=(0, 1))))

def quantiles(x, q):
    return weigh(np.quantile(x, q[0])) + weigh(np.percentile(x, 100 * q, axis=1)) + weigh(np.quantile(x, q, axis=0))

NAN_AT = np.array([[1, 0, 0, 0, 0], [0, 0, 1, 0, 1], [0, 1, 0, 0, 0], [0, 0, 0, 1, 0]], dtype=bool)


def nan_reductions(x):
    y = np.where(NAN_AT, np.nan, x)
    return (weigh(np.nansum(y, axis=0)) + weigh(np.nanmean(y, axis=1)) + weigh(np.nanprod(y)) +
            weigh(np.nanmax(y, axis=0)) + weigh(np.nanmin(y)) + weigh(np.nanvar(y, axis=1)) + weigh(np.nanstd(y)) +
            weigh(np.nancumsum(y, axis=1)) + weigh(np.nancumprod(y)))

def nan_quantiles(x):
    y = np.where(NAN_AT, np.nan, x)
    return weigh(np.nanmedian(y)) + weigh(np.nanmedian(y, axis=1)) + weigh(np.nanpercentile(y, [30.0, 80.0], axis=0))

def nan_to_num_inf(x):
    y = np.where(x > 1.2, np.inf, np.where(x < -1.2, np.nan, x))
    return weigh(np.nan_to_num(y, posinf=3.0, neginf=-2.0)) + weigh(np.nan_to_num(y * 2.0, nan=1.0, posinf=5.0, neginf=-5.0))


# elementwise functions written with others, and complex values
def angle_of(z):
    return weigh(np.angle(z)) + weigh(np.angle(z, deg=True))

def real_if_close_of(z):
    return parts(np.real_if_close(z)) + weigh(np.real_if_close(np.real(z)))

def bessel_ldexp(x):
    return weigh(np.i0(x)) + weigh(np.i0(2 * x + 3)) * 0.01 + weigh(np.ldexp(x, 3)) + weigh(np.nextafter(x, 0.0))

def frexp_modf(x):
    mantissa, _ = np.frexp(3 * x)
    fraction, whole = np.modf(3 * x)
    return weigh(mantissa) + weigh(fraction) + weigh(whole)

def unwrap_phase(x):
    return weigh(np.unwrap(np.cumsum(x) * 3.0))

def spaces(a):
    return (weigh(np.linspace(a[0], a[1], 7)) + weigh(np.arange(a[0], 5.0, a[1] + 2.0)) +
            weigh(np.logspace(a[0], a[1], 4)) + weigh(np.geomspace(a[2] + 2.0, a[3] + 5.0, 5)))

def interpolated(x, xp, fp):
    return weigh(np.interp(x, xp, fp)) + weigh(np.interp(x, xp, fp, left=-1.0, right=fp[0] * 2.0))

def sorted_complex(z):
    return parts(np.sort_complex(z))


# linear algebra
def multi_dot_3(a, b, c):
    return weigh(np.linalg.multi_dot([a, b, c]))

def matrix_powers(a):
    return weigh(np.linalg.matrix_power(a, 3)) + weigh(np.linalg.matrix_power(a, 6)) + \
        weigh(np.linalg.matrix_power(a, -2)) + weigh(np.linalg.matrix_power(a, 0))

def matrix_norms(a):
    return (np.linalg.norm(a, 2) + np.linalg.norm(a, -2) * 0.5 + np.linalg.norm(a, "nuc") * 0.25 +
            np.linalg.norm(a, 1) * 0.125 + np.linalg.norm(a, np.inf) * 0.0625 + np.linalg.norm(a, -1) * 2.0)

def conditions(a):
    return np.linalg.cond(a) + np.linalg.cond(a, "fro") * 0.5

def least_squares(a, b):
    solution, residuals, rank, values = np.linalg.lstsq(a, b, rcond=None)
    return weigh(solution) + weigh(residuals) + weigh(values)

def linalg_namespace(a, b):
    return (weigh(np.linalg.matrix_norm(a)) + weigh(np.linalg.vector_norm(a, axis=1)) + weigh(np.linalg.vector_norm(a))
            + weigh(np.linalg.svdvals(a)) + weigh(np.linalg.diagonal(a, offset=1)) + weigh(np.linalg.trace(a))
            + weigh(np.linalg.matmul(a, b)) + weigh(np.linalg.outer(a[0], b[1])) + weigh(np.linalg.tensordot(a, b, axes=1))
            + weigh(np.linalg.cross(a, b)) + weigh(np.linalg.matrix_transpose(a) * b) + weigh(np.linalg.vecdot(a, b))
            + weigh(np.matvec(a, b[0])) + weigh(np.vecmat(a[0], b)))

def tensor_inverses(a, b):
    return weigh(np.linalg.tensorinv(np.reshape(a, (2, 2, 4)), ind=2)) + \
        weigh(np.linalg.tensorsolve(np.reshape(a, (2, 2, 2, 2)), np.reshape(b[:4], (2, 2))))


# polynomials, signals, statistics, FFTs
def polynomials(p, x):
    quotient, remainder = np.polydiv(p, p[:2])
    return (weigh(np.polyval(p, x)) + weigh(np.polyder(p, 2)) + weigh(np.polyint(p, 2, k=[1.0, p[0]])) +
            weigh(np.polyadd(p, x[:2])) + weigh(np.polysub(x[:2], p)) + weigh(np.polymul(p, x)) +
            weigh(np.vander(x, 4)) + weigh(quotient) + weigh(remainder))

def polynomial_roots(p):
    return weigh(np.poly(p)) + weigh(np.real(np.roots(np.poly(p))) ** 2)

def polynomial_fit(x, y):
    return weigh(np.polyfit(x, y, 2)) + weigh(np.polyfit(x, y, 1, w=np.linspace(1.0, 2.0, 8)))

def convolutions(a, v):
    return sum(weigh(np.convolve(a, v, m)) + weigh(np.convolve(v, a, m)) + weigh(np.correlate(a, v, m))
               + weigh(np.correlate(v, a, m)) for m in ("full", "same", "valid"))

def covariances(x, y):
    return weigh(np.cov(x)) + weigh(np.cov(x, y, rowvar=False)) + weigh(np.corrcoef(x)) + \
        weigh(np.cov(x[0], bias=True))

def hermitian_ffts(z):
    return weigh(np.fft.hfft(z)) + parts(np.fft.ihfft(np.real(z) * 2.0, n=6, norm="ortho"))
