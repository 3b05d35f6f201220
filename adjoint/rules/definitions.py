"""NumPy functions written in NumPy: the compiler differentiates these definitions from their source,
as it does a user's helper, so each has both modes and derivatives of every order from the rules of
the operations it is made of. Generated code calls them by these names (`np_cross_fwd`), with comments
pointing at the lines below.

A definition computes what NumPy computes, for the arguments it accepts; where it accepts less than
NumPy, it raises a ValueError saying what it does not cover. A definition is used only where a call
needs a derivative: elsewhere the NumPy function itself runs.

Piecewise functions follow one convention, the one of Autograd and JAX: a value chosen by position
(a sort, a partition, a median, a quantile) passes its derivative to the element that lands in that
position, ties broken by NumPy's stable order; a maximum or minimum (rules/reductions.py) splits it
evenly among the tied elements.
"""
import numpy as np

from ..runtime import detached
from ..shapes import is_complex
from .core import defined_by


# --- differences, integrals, products of vectors -------------------------------------------------

@defined_by(np.diff)
def np_diff(a, n=1, axis=-1, prepend=None, append=None):
    a = np.moveaxis(np.asarray(a), axis, -1)
    if prepend is not None or append is not None:
        a = np.concatenate(_ends(a, prepend, append), axis=-1)
    for _ in range(n):
        a = a[..., 1:] - a[..., :-1]
    return np.moveaxis(a, -1, axis)


def _ends(a, prepend, append):
    """[prepend, a, append] along the last axis, a number spread over a slab of one."""
    parts = [a]
    if prepend is not None:
        parts = [_slab(prepend, a)] + parts
    if append is not None:
        parts = parts + [_slab(append, a)]
    return parts


def _slab(end, a):
    if np.ndim(end) == 0:
        return np.broadcast_to(end, np.shape(a)[:-1] + (1,))
    return end


@defined_by(np.ediff1d)
def np_ediff1d(ary, to_end=None, to_begin=None):
    d = np.ravel(ary)
    d = d[1:] - d[:-1]
    if to_begin is not None:
        d = np.concatenate([np.ravel(to_begin), d])
    if to_end is not None:
        d = np.concatenate([d, np.ravel(to_end)])
    return d


@defined_by(getattr(np, "trapezoid", None))
@defined_by(getattr(np, "trapz", None))
def np_trapezoid(y, x=None, dx=1.0, axis=-1):
    y = np.moveaxis(np.asarray(y), axis, -1)
    if x is None:
        return np.sum(dx * (y[..., 1:] + y[..., :-1]) / 2.0, axis=-1)
    if np.ndim(x) == 1:
        width = x[1:] - x[:-1]
    else:
        x = np.moveaxis(np.asarray(x), axis, -1)
        width = x[..., 1:] - x[..., :-1]
    return np.sum(width * (y[..., 1:] + y[..., :-1]) / 2.0, axis=-1)


@defined_by(np.cross)
def np_cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    if axis is not None:
        axisa, axisb, axisc = axis, axis, axis
    a = np.moveaxis(np.asarray(a), axisa, -1)
    b = np.moveaxis(np.asarray(b), axisb, -1)
    if np.shape(a)[-1] != 3 or np.shape(b)[-1] != 3:
        if np.shape(a)[-1] == 2 and np.shape(b)[-1] == 2:
            return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
        raise ValueError("adjoint differentiates np.cross of two 3-vectors or two 2-vectors")
    c = np.stack([a[..., 1] * b[..., 2] - a[..., 2] * b[..., 1],
                  a[..., 2] * b[..., 0] - a[..., 0] * b[..., 2],
                  a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]], axis=-1)
    return np.moveaxis(c, -1, axisc)


# --- rearranging ---------------------------------------------------------------------------------

@defined_by(np.append)
def np_append(arr, values, axis=None):
    if axis is None:
        return np.concatenate([np.ravel(arr), np.ravel(values)])
    return np.concatenate([arr, values], axis=axis)


@defined_by(np.rot90)
def np_rot90(m, k=1, axes=(0, 1)):
    k = k % 4
    if k == 0:
        return m[...]
    if k == 2:
        return np.flip(np.flip(m, axes[0]), axes[1])
    if k == 1:
        return np.swapaxes(np.flip(m, axes[1]), axes[0], axes[1])
    return np.flip(np.swapaxes(m, axes[0], axes[1]), axes[1])


@defined_by(np.rollaxis)
def np_rollaxis(a, axis, start=0):
    n = np.ndim(a)
    axis = axis % n
    if start < 0:
        start = start + n
    if axis < start:
        start = start - 1
    if axis == start:
        return a[...]
    return np.moveaxis(a, axis, start)


@defined_by(np.dstack)
def np_dstack(tup):
    return np.concatenate([np.atleast_3d(a) for a in tup], axis=2)


@defined_by(getattr(np, "row_stack", None))
def np_row_stack(tup):
    return np.vstack(tup)


@defined_by(np.hsplit)
def np_hsplit(ary, indices_or_sections):
    if np.ndim(ary) == 1:
        return np.split(ary, indices_or_sections, axis=0)
    return np.split(ary, indices_or_sections, axis=1)


@defined_by(np.vsplit)
def np_vsplit(ary, indices_or_sections):
    return np.split(ary, indices_or_sections, axis=0)


@defined_by(np.dsplit)
def np_dsplit(ary, indices_or_sections):
    return np.split(ary, indices_or_sections, axis=2)


def _statistic_pad(shapes, constants):
    """np.pad in a mode whose padding is computed from the edges (the rule covers the copying modes)."""
    return constants.get("mode") in ("maximum", "minimum", "mean", "median", "linear_ramp")


@defined_by(np.pad, when=_statistic_pad)
def np_pad(array, pad_width, mode="constant", stat_length=None, end_values=0):
    """Each axis in turn, as NumPy pads: the ends are a statistic of the values next to them (of all of
    them, or of `stat_length`), or ramps from `end_values` to the edge."""
    ndim = np.ndim(array)
    widths = np.broadcast_to(np.asarray(pad_width, dtype=int), (ndim, 2))
    for axis in range(ndim):
        before, after = int(widths[axis, 0]), int(widths[axis, 1])
        moved = np.moveaxis(array, axis, -1)
        if mode == "linear_ramp":
            start, stop = _sides(end_values, axis, ndim)
            left = start + np.arange(before) * ((moved[..., :1] - start) / max(before, 1))
            right = stop + np.arange(after - 1, -1, -1) * ((moved[..., -1:] - stop) / max(after, 1))
        else:
            n = np.shape(moved)[-1]
            first, last = (n, n) if stat_length is None else _sides(stat_length, axis, ndim)
            left = np.broadcast_to(_edge_statistic(moved[..., :int(first)], mode), np.shape(moved)[:-1] + (before,))
            right = np.broadcast_to(_edge_statistic(moved[..., n - int(last):], mode), np.shape(moved)[:-1] + (after,))
        array = np.moveaxis(np.concatenate([left, moved, right], axis=-1), -1, axis)
    return array


def _sides(value, axis, ndim):
    """(before, after) of a pad option given as a number, a pair, or a pair per axis."""
    both = np.broadcast_to(np.asarray(value, dtype=float), (ndim, 2))
    return both[axis, 0], both[axis, 1]


def _edge_statistic(values, mode):
    if mode == "maximum":
        return np.max(values, axis=-1, keepdims=True)
    if mode == "minimum":
        return np.min(values, axis=-1, keepdims=True)
    if mode == "mean":
        return np.mean(values, axis=-1, keepdims=True)
    return np.median(values, axis=-1, keepdims=True)


@defined_by(np.partition)
def np_partition(a, kth, axis=-1, kind="introselect", order=None):
    if axis is None:
        a, axis = np.ravel(a), 0
    return np.take_along_axis(a, np.argpartition(a, kth, axis=axis), axis=axis)


# --- values chosen by position: medians and quantiles --------------------------------------------

@defined_by(np.median)
def np_median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    return np_quantile(a, 0.5, axis=axis, keepdims=keepdims)


@defined_by(np.percentile, requires={"method": ("linear",)})
def np_percentile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False):
    return np_quantile(a, np.true_divide(q, 100), axis=axis, method=method, keepdims=keepdims)


@defined_by(np.quantile, requires={"method": ("linear",)})
def np_quantile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False):
    """The linear interpolation between the sorted values around position q (n - 1) (NumPy's default
    method), NaN where a slice holds a NaN."""
    if method != "linear":
        raise ValueError("adjoint differentiates np.quantile and np.percentile with method='linear'")
    ordered = _sorted(a, axis)
    count = np.full(np.shape(ordered)[:-1] + (1,), np.shape(ordered)[-1])
    value = np.where(np.isnan(ordered[..., -1:]), np.nan, _interpolated(ordered, q, count))
    return _quantile_result(value, a, q, axis, keepdims)


def _sorted(a, axis):
    """a sorted along axis, moved last (all of a, flattened, for None; several axes, merged into one
    last); NumPy sorts NaN last."""
    if axis is None:
        return np.sort(np.ravel(a))
    if isinstance(axis, tuple):
        moved = np.moveaxis(np.asarray(a), axis, tuple(range(-len(axis), 0)))
        return np.sort(np.reshape(moved, np.shape(moved)[:-len(axis)] + (-1,)), axis=-1)
    return np.sort(np.moveaxis(np.asarray(a), axis, -1), axis=-1)


def _interpolated(ordered, q, count):
    """Along the last axis of the sorted slices, each holding `count` values that count: the value at
    position q (count - 1), between the two around it (q's positions along the last axis)."""
    position = np.multiply(np.ravel(q), count - 1)
    below = np.clip(np.floor(position), 0, np.maximum(count - 1, 0)).astype(int)
    above = np.minimum(below + 1, np.maximum(count - 1, 0))
    low = np.take_along_axis(ordered, below, axis=-1)
    high = np.take_along_axis(ordered, above, axis=-1)
    return low + (high - low) * (position - below)


def _quantile_result(value, a, q, axis, keepdims):
    """The interpolated values (q's positions last) as NumPy returns them: q's axes first."""
    value = np.moveaxis(value, -1, 0) if np.ndim(q) > 0 else value[..., 0]
    if keepdims:
        value = _kept(value, a, axis, np.ndim(q))
    return value


def _kept(value, a, axis, lead):
    """A reduction's result with the reduced axes kept as ones (after `lead` axes of q)."""
    shape = list(np.shape(a))
    for k in (range(len(shape)) if axis is None else [axis] if isinstance(axis, int) else axis):
        shape[k % len(shape)] = 1
    return np.reshape(value, np.shape(value)[:lead] + tuple(shape))


# --- the NaN-ignoring family ---------------------------------------------------------------------

@defined_by(np.nansum)
def np_nansum(a, axis=None, dtype=None, out=None, keepdims=False):
    return np.sum(np.where(np.isnan(a), 0.0, a), axis=axis, keepdims=keepdims)


@defined_by(np.nanprod)
def np_nanprod(a, axis=None, dtype=None, out=None, keepdims=False):
    return np.prod(np.where(np.isnan(a), 1.0, a), axis=axis, keepdims=keepdims)


@defined_by(np.nancumsum)
def np_nancumsum(a, axis=None, dtype=None, out=None):
    return np.cumsum(np.where(np.isnan(a), 0.0, a), axis=axis)


@defined_by(np.nancumprod)
def np_nancumprod(a, axis=None, dtype=None, out=None):
    return np.cumprod(np.where(np.isnan(a), 1.0, a), axis=axis)


@defined_by(np.nanmean)
def np_nanmean(a, axis=None, dtype=None, out=None, keepdims=False):
    present = ~np.isnan(a)
    total = np.sum(np.where(present, a, 0.0), axis=axis, keepdims=keepdims)
    return total / np.sum(present, axis=axis, keepdims=keepdims)


@defined_by(np.nanvar)
def np_nanvar(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    present = ~np.isnan(a)
    count = np.sum(present, axis=axis, keepdims=True)
    centred = np.where(present, a - np.sum(np.where(present, a, 0.0), axis=axis, keepdims=True) / count, 0.0)
    squares = np.sum(np.real(centred * np.conj(centred)), axis=axis, keepdims=keepdims)
    return squares / (np.sum(present, axis=axis, keepdims=keepdims) - ddof)


@defined_by(np.nanstd)
def np_nanstd(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    return np.sqrt(np_nanvar(a, axis=axis, ddof=ddof, keepdims=keepdims))


@defined_by(np.nanmax)
def np_nanmax(a, axis=None, out=None, keepdims=False):
    largest = np.max(np.where(np.isnan(a), -np.inf, a), axis=axis, keepdims=keepdims)
    return np.where(np.all(np.isnan(a), axis=axis, keepdims=keepdims), np.nan, largest)


@defined_by(np.nanmin)
def np_nanmin(a, axis=None, out=None, keepdims=False):
    smallest = np.min(np.where(np.isnan(a), np.inf, a), axis=axis, keepdims=keepdims)
    return np.where(np.all(np.isnan(a), axis=axis, keepdims=keepdims), np.nan, smallest)


@defined_by(np.nanmedian)
def np_nanmedian(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    return np_nanquantile(a, 0.5, axis=axis, keepdims=keepdims)


@defined_by(np.nanpercentile, requires={"method": ("linear",)})
def np_nanpercentile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False):
    return np_nanquantile(a, np.true_divide(q, 100), axis=axis, method=method, keepdims=keepdims)


@defined_by(np.nanquantile, requires={"method": ("linear",)})
def np_nanquantile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False):
    """np_quantile of each slice's values that are not NaN."""
    if method != "linear":
        raise ValueError("adjoint differentiates np.nanquantile and np.nanpercentile with method='linear'")
    ordered = _sorted(a, axis)
    count = np.sum(~np.isnan(ordered), axis=-1, keepdims=True)
    return _quantile_result(_interpolated(ordered, q, count), a, q, axis, keepdims)


# --- elementwise functions written with others ---------------------------------------------------

@defined_by(np.nan_to_num)
def np_nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    if np.iscomplexobj(x):
        return np_nan_to_num(np.real(x), nan=nan, posinf=posinf, neginf=neginf) \
            + 1j * np_nan_to_num(np.imag(x), nan=nan, posinf=posinf, neginf=neginf)
    largest = np.finfo(np.result_type(x, 1.0)).max
    high = largest if posinf is None else posinf
    low = -largest if neginf is None else neginf
    return np.where(np.isnan(x), nan, np.where(np.isposinf(x), high, np.where(np.isneginf(x), low, x)))


@defined_by(np.real_if_close)
def np_real_if_close(a, tol=100):
    if not np.iscomplexobj(a):
        return a
    if np.all(np.abs(np.imag(a)) < tol * np.finfo(np.real(a).dtype).eps):
        return np.real(a)
    return a


@defined_by(np.angle)
def np_angle(z, deg=False):
    angle = np.arctan2(np.imag(z), np.real(z))
    if deg:
        return angle * (180 / np.pi)
    return angle


# --- linear algebra ------------------------------------------------------------------------------

@defined_by(np.linalg.multi_dot)
def np_linalg_multi_dot(arrays, out=None):
    product = arrays[0]
    for k in range(1, len(arrays)):
        product = np.dot(product, arrays[k])
    return product


@defined_by(np.linalg.matrix_power)
def np_linalg_matrix_power(a, n):
    """NumPy's binary powering (the same products in the same order)."""
    if n == 0:
        return np.broadcast_to(np.eye(np.shape(a)[-1]), np.shape(a)) + 0.0 * a
    if n < 0:
        a, n = np.linalg.inv(a), -n
    z = a
    while n % 2 == 0:
        z = z @ z
        n = n // 2
    product = z
    n = n // 2
    while n > 0:
        z = z @ z
        if n % 2 == 1:
            product = product @ z
        n = n // 2
    return product


def _matrix_order(shapes, constants):
    """np.linalg.norm of a matrix with an order the rule does not give (2, -2, 'nuc', 1, -1, inf, -inf),
    or with an order only known when the code runs (`np.inf` is a variable of the compiled code)."""
    axis = constants.get("axis", 0)
    matrix = (axis is None and len(shapes.get("x") or ()) == 2) or (isinstance(axis, tuple) and len(axis) == 2)
    return matrix and ("ord" not in constants or constants["ord"] in (2, -2, "nuc", 1, -1, np.inf, -np.inf))


@defined_by(np.linalg.norm, when=_matrix_order)
def np_linalg_norm(x, ord=None, axis=None, keepdims=False):
    """Matrix norms from singular values (2, -2, 'nuc') or from sums of absolute values (1, inf)."""
    rows, cols = (-2, -1) if axis is None else axis
    x = np.moveaxis(x, (rows, cols), (-2, -1))
    if ord is None or ord == "fro":
        value = np.sqrt(np.sum(np.real(x * np.conj(x)), axis=(-2, -1)))
    elif ord == 2 or ord == -2 or ord == "nuc":
        values = np.linalg.svd(x, compute_uv=False)
        if ord == 2:
            value = np.max(values, axis=-1)
        elif ord == -2:
            value = np.min(values, axis=-1)
        else:
            value = np.sum(values, axis=-1)
    elif ord == 1 or ord == -1:
        sums = np.sum(np.abs(x), axis=-2)
        value = np.max(sums, axis=-1) if ord == 1 else np.min(sums, axis=-1)
    elif ord == np.inf or ord == -np.inf:
        sums = np.sum(np.abs(x), axis=-1)
        value = np.max(sums, axis=-1) if ord > 0 else np.min(sums, axis=-1)
    else:
        raise ValueError(f"invalid norm order {ord!r} for matrices")
    if keepdims:
        value = np.expand_dims(value, (rows, cols) if rows % np.ndim(x) < cols % np.ndim(x) else (cols, rows))
    return value


@defined_by(np.linalg.cond)
def np_linalg_cond(x, p=None):
    if p is None or p == 2 or p == -2:
        values = np.linalg.svd(x, compute_uv=False)
        if p == -2:
            return values[..., -1] / values[..., 0]
        return values[..., 0] / values[..., -1]
    return np.linalg.norm(x, p, axis=(-2, -1)) * np.linalg.norm(np.linalg.inv(x), p, axis=(-2, -1))


@defined_by(np.linalg.lstsq)
def np_linalg_lstsq(a, b, rcond=None):
    """(solution, residuals, rank, singular values), the solution through the pseudo-inverse (a matrix
    of full rank: the derivative holds where the rank does not change)."""
    solution = np.linalg.pinv(a) @ b
    values = np.linalg.svd(a, compute_uv=False)
    rank = np.linalg.matrix_rank(a)
    m, n = np.shape(a)
    if rank == n and m > n:
        residuals = np.sum(np.abs(b - a @ solution) ** 2, axis=0)
        if np.ndim(b) == 1:
            residuals = np.reshape(residuals, (1,))
    else:
        residuals = np.zeros((0,))
    return solution, residuals, rank, values


@defined_by(getattr(np.linalg, "matrix_norm", None))
def np_linalg_matrix_norm(x, keepdims=False, ord="fro"):
    return np.linalg.norm(x, ord, axis=(-2, -1), keepdims=keepdims)


@defined_by(getattr(np.linalg, "vector_norm", None), when=lambda shapes, constants: constants.get("ord") != 2)
def np_linalg_vector_norm(x, axis=None, keepdims=False, ord=2):
    if axis is None:
        value = np.linalg.norm(np.ravel(x), ord)
        if keepdims:
            value = np.reshape(value, (1,) * np.ndim(x))
        return value
    if not isinstance(axis, int):
        raise ValueError("adjoint differentiates np.linalg.vector_norm over one axis or all of them")
    return np.linalg.norm(x, ord, axis=axis, keepdims=keepdims)


@defined_by(getattr(np.linalg, "svdvals", None))
def np_linalg_svdvals(x):
    return np.linalg.svd(x, compute_uv=False)


@defined_by(getattr(np.linalg, "diagonal", None))
def np_linalg_diagonal(x, offset=0):
    return np.diagonal(x, offset, axis1=-2, axis2=-1)


@defined_by(getattr(np.linalg, "trace", None))
def np_linalg_trace(x, offset=0, dtype=None):
    return np.trace(x, offset, axis1=-2, axis2=-1)


@defined_by(getattr(np.linalg, "matmul", None))
def np_linalg_matmul(x1, x2):
    return np.matmul(x1, x2)


@defined_by(getattr(np.linalg, "outer", None))
def np_linalg_outer(x1, x2):
    return np.outer(x1, x2)


@defined_by(getattr(np.linalg, "tensordot", None))
def np_linalg_tensordot(x1, x2, axes=2):
    return np.tensordot(x1, x2, axes)


@defined_by(getattr(np.linalg, "cross", None))
def np_linalg_cross(x1, x2, axis=-1):
    return np_cross(x1, x2, axis=axis)


def _complex_or_unknown(shapes, constants):
    """Operands that may be complex: conj(x1) matters (real ones have a rule, rules/linalg.py)."""
    return any(shape is None or is_complex(shape) for shape in (shapes.get("x1"), shapes.get("x2")))


@defined_by(getattr(np, "vecdot", None), when=_complex_or_unknown)
@defined_by(getattr(np.linalg, "vecdot", None), when=_complex_or_unknown)
def np_vecdot(x1, x2, axis=-1):
    return np.sum(np.conj(x1) * x2, axis=axis)


@defined_by(getattr(np, "matvec", None))
def np_matvec(x1, x2):
    return np.matmul(x1, x2[..., None])[..., 0]


@defined_by(getattr(np, "vecmat", None))
def np_vecmat(x1, x2):
    return np.matmul(np.conj(x1)[..., None, :], x2)[..., 0, :]


@defined_by(np.linalg.tensorinv)
def np_linalg_tensorinv(a, ind=2):
    rows, cols = np.shape(a)[:ind], np.shape(a)[ind:]
    inverse = np.linalg.inv(np.reshape(a, (int(np.prod(rows)), -1)))
    return np.reshape(inverse, cols + rows)


@defined_by(np.linalg.tensorsolve, requires={"axes": (None,)})
def np_linalg_tensorsolve(a, b, axes=None):
    if axes is not None:
        raise ValueError("adjoint differentiates np.linalg.tensorsolve with axes=None")
    unknowns = np.shape(a)[np.ndim(b):]
    solution = np.linalg.solve(np.reshape(a, (int(np.prod(np.shape(b))), -1)), np.ravel(b))
    return np.reshape(solution, unknowns)


# --- more of the main namespace ------------------------------------------------------------------

@defined_by(np.asanyarray)
@defined_by(np.ascontiguousarray)
@defined_by(np.asfortranarray)
@defined_by(np.asarray_chkfinite)
def np_asarray(a, dtype=None):
    return np.asarray(a, dtype)


@defined_by(np.require)
def np_require(a, dtype=None, requirements=None):
    return np.asarray(a, dtype)


@defined_by(np.block)
def np_block(arrays):
    """Blocks in a list (joined along the last axis) or a list of lists (rows joined along the one before)."""
    if isinstance(arrays[0], list):
        rows = [np.concatenate([np.atleast_2d(a) for a in row], axis=-1) for row in arrays]
        return np.concatenate(rows, axis=-2)
    return np.concatenate([np.atleast_1d(a) for a in arrays], axis=-1)


@defined_by(np.choose)
def np_choose(a, choices, out=None, mode="raise"):
    if mode == "clip":
        a = np.clip(a, 0, len(choices) - 1)
    elif mode == "wrap":
        a = np.mod(a, len(choices))
    chosen = np.where(a == 0, choices[0], 0.0 * choices[0])
    for k in range(1, len(choices)):
        chosen = np.where(a == k, choices[k], chosen)
    return chosen


@defined_by(np.select)
def np_select(condlist, choicelist, default=0):
    chosen = np.where(condlist[len(condlist) - 1], choicelist[len(condlist) - 1], default)
    for k in range(len(condlist) - 2, -1, -1):          # the first condition that holds wins
        chosen = np.where(condlist[k], choicelist[k], chosen)
    return chosen


@defined_by(np.compress)
def np_compress(condition, a, axis=None):
    if axis is None:
        return np.take(np.ravel(a), np.flatnonzero(condition))
    return np.take(a, np.flatnonzero(condition), axis=axis)


@defined_by(np.extract)
def np_extract(condition, arr):
    return np.take(np.ravel(arr), np.flatnonzero(condition))


@defined_by(np.delete)
def np_delete(arr, obj, axis=None):
    if axis is None:
        arr, axis = np.ravel(arr), 0
    kept = np.ones(np.shape(arr)[axis], dtype=bool)
    kept[obj] = False
    return np.take(arr, np.flatnonzero(kept), axis=axis)


@defined_by(np.insert)
def np_insert(arr, obj, values, axis=None):
    if axis is None:
        arr, axis = np.ravel(arr), 0
    if np.ndim(arr) != 1 or np.ndim(obj) != 0:
        raise ValueError("adjoint differentiates np.insert of values at one position of a vector (or flattened array)")
    return np.concatenate([arr[:obj], np.ravel(values), arr[obj:]])


@defined_by(np.diagflat)
def np_diagflat(v, k=0):
    return np.diag(np.ravel(v), k)


@defined_by(np.resize)
def np_resize(a, new_shape):
    flat = np.ravel(a)
    size = int(np.prod(new_shape))
    repeats = -(-size // np.size(flat))
    return np.reshape(np.tile(flat, repeats)[:size], new_shape)


@defined_by(np.sort_complex)
def np_sort_complex(a):
    return np.sort(np.asarray(a) + 0j)


@defined_by(np.trim_zeros)
def np_trim_zeros(filt, trim="fb"):
    nonzero = np.flatnonzero(filt)
    first = nonzero[0] if len(nonzero) and "f" in trim.lower() else 0
    last = nonzero[-1] + 1 if len(nonzero) and "b" in trim.lower() else len(filt)
    if not len(nonzero):
        first, last = 0, 0
    return filt[first:last]


@defined_by(getattr(np, "unstack", None))
def np_unstack(x, axis=0):
    return tuple([np.take(x, k, axis=axis) for k in range(np.shape(x)[axis])])


@defined_by(getattr(np, "cumulative_sum", None))
def np_cumulative_sum(x, axis=None, dtype=None, out=None, include_initial=False):
    total = np.cumsum(x, axis=0 if axis is None else axis)
    if include_initial:
        total = np.concatenate([np.zeros_like(np.take(total, [0], axis=0 if axis is None else axis)), total],
                               axis=0 if axis is None else axis)
    return total


@defined_by(getattr(np, "cumulative_prod", None))
def np_cumulative_prod(x, axis=None, dtype=None, out=None, include_initial=False):
    product = np.cumprod(x, axis=0 if axis is None else axis)
    if include_initial:
        product = np.concatenate([np.ones_like(np.take(product, [0], axis=0 if axis is None else axis)), product],
                                 axis=0 if axis is None else axis)
    return product


@defined_by(np.unwrap)
def np_unwrap(p, discont=None, axis=-1, period=2 * np.pi):
    """p plus piecewise constant multiples of the period: its derivative is p's."""
    return p + (np.unwrap(detached(p), discont, axis, period=period) - detached(p))


@defined_by(np.frexp)
def np_frexp(x):
    exponent = np.frexp(detached(x))[1]
    return x / np.ldexp(1.0, exponent), exponent


@defined_by(np.modf)
def np_modf(x):
    whole = np.trunc(x)
    return np.where(np.isinf(x), np.copysign(0.0, x), x - whole), whole


@defined_by(np.vander)
def np_vander(x, N=None, increasing=False):
    """Columns x**0, x**1, ... as running products (as NumPy computes them)."""
    count = len(x) if N is None else N
    columns = [np.ones_like(x)]
    for _ in range(1, count):
        columns.append(columns[-1] * x)
    powers = np.stack(columns, axis=1)
    return powers if increasing else powers[:, ::-1]


@defined_by(np.interp, requires={"period": (None,)})
def np_interp(x, xp, fp, left=None, right=None, period=None):
    """The line through the two points around x (the one to the right at a point), the end values outside."""
    if period is not None:
        raise ValueError("adjoint differentiates np.interp with period=None")
    k = np.clip(np.searchsorted(xp, x, side="right") - 1, 0, len(xp) - 2)
    slope = (fp[k + 1] - fp[k]) / (xp[k + 1] - xp[k])
    value = slope * (x - xp[k]) + fp[k]
    value = np.where(x == xp[len(xp) - 1], fp[len(fp) - 1], value)
    value = np.where(x < xp[0], fp[0] if left is None else left, value)
    return np.where(x > xp[len(xp) - 1], fp[len(fp) - 1] if right is None else right, value)


@defined_by(np.linspace, requires={"retstep": (False,)})
def np_linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    if retstep or np.ndim(start) or np.ndim(stop):
        raise ValueError("adjoint differentiates np.linspace of numbers without retstep")
    divisions = num - 1 if endpoint else num
    values = np.arange(num) * ((stop - start) / divisions) + start
    if endpoint and num > 1:
        values = np.concatenate([values[:-1], np.reshape(stop, (1,))])
    return values


@defined_by(np.arange)
def np_arange(start, stop=None, step=1, dtype=None):
    """start + i * step (the stop only decides how many)."""
    count = len(np.arange(detached(start), detached(stop), detached(step)) if stop is not None
                else np.arange(detached(start)))
    if stop is None:
        return np.arange(count) * step
    return start + np.arange(count) * step


@defined_by(np.logspace)
def np_logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0):
    return np.power(base, np_linspace(start, stop, num, endpoint))


@defined_by(np.geomspace)
def np_geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    values = np.power(10.0, np_linspace(np.log10(start), np.log10(stop), num, endpoint))
    values = np.concatenate([np.reshape(start, (1,)), values[1:]])
    if endpoint and num > 1:
        values = np.concatenate([values[:-1], np.reshape(stop, (1,))])
    return values


# --- polynomials (coefficients highest power first) ----------------------------------------------

@defined_by(np.polyval)
def np_polyval(p, x):
    """Horner's scheme, as NumPy computes it."""
    value = np.zeros_like(x + 0.0)
    for k in range(len(p)):
        value = value * x + p[k]
    return value


@defined_by(np.polyadd)
def np_polyadd(a1, a2):
    a1, a2 = np.atleast_1d(a1), np.atleast_1d(a2)
    gap = len(a2) - len(a1)
    if gap > 0:
        return np.concatenate([np.zeros(gap), a1]) + a2
    return a1 + np.concatenate([np.zeros(-gap), a2])


@defined_by(np.polysub)
def np_polysub(a1, a2):
    return np_polyadd(a1, -np.atleast_1d(a2))


@defined_by(np.polymul)
def np_polymul(a1, a2):
    return np.convolve(np.atleast_1d(a1), np.atleast_1d(a2))


@defined_by(np.polyder)
def np_polyder(p, m=1):
    p = np.atleast_1d(p)
    for _ in range(m):
        p = p[:-1] * np.arange(len(p) - 1, 0, -1)
    return p


@defined_by(np.polyint)
def np_polyint(p, m=1, k=None):
    p = np.atleast_1d(p)
    constants = np.zeros(m) if k is None else np.ravel(np.broadcast_to(k, (m,)))
    for j in range(m):
        p = np.concatenate([p / np.arange(len(p), 0, -1), constants[j:j + 1]])
    return p


@defined_by(np.poly)
def np_poly(seq_of_zeros):
    """The monic polynomial with these roots (of a vector; a matrix's characteristic polynomial is not
    differentiated)."""
    if np.ndim(seq_of_zeros) != 1:
        raise ValueError("adjoint differentiates np.poly of a vector of roots")
    coefficients = np.ones(1)
    for k in range(len(seq_of_zeros)):
        coefficients = np.convolve(coefficients, np.stack([np.ones(()), -seq_of_zeros[k]]))
    return coefficients


@defined_by(np.roots)
def np_roots(p):
    """The eigenvalues of the companion matrix (leading and trailing zero coefficients dropped)."""
    nonzero = np.flatnonzero(p)
    trailing = len(p) - 1 - nonzero[-1]
    p = p[nonzero[0]:nonzero[-1] + 1]
    degree = len(p) - 1
    if degree < 1:
        return np.zeros(trailing)
    companion = np.concatenate([np.reshape(-p[1:] / p[0], (1, degree)), np.eye(degree - 1, degree)], axis=0)
    return np.concatenate([np.linalg.eigvals(companion), np.zeros(trailing)])


@defined_by(np.polyfit, requires={"full": (False,), "cov": (False,)})
def np_polyfit(x, y, deg, rcond=None, full=False, w=None, cov=False):
    if full or cov:
        raise ValueError("adjoint differentiates np.polyfit's coefficients (full=False, cov=False)")
    design = np.vander(x, deg + 1)
    if w is not None:
        design, y = design * w[:, None], (y * w if np.ndim(y) == 1 else y * w[:, None])
    return np.linalg.lstsq(design, y, rcond)[0]


@defined_by(np.polydiv)
def np_polydiv(u, v):
    """Long division: (quotient, remainder), the remainder's leading zeros dropped as NumPy does."""
    u, v = np.atleast_1d(u) + 0.0, np.atleast_1d(v) + 0.0
    m, n = len(u) - 1, len(v) - 1
    quotient = []
    remainder = u
    for k in range(max(m - n + 1, 0)):
        d = remainder[k] / v[0]
        quotient.append(d)
        remainder = np.concatenate([remainder[:k], remainder[k:k + n + 1] - d * v, remainder[k + n + 1:]])
    remainder = remainder[max(m - n + 1, 0):] if m >= n else remainder
    while len(remainder) > 1 and np.allclose(detached(remainder[0]), 0, rtol=1e-14):
        remainder = remainder[1:]
    return (np.stack(quotient) if quotient else np.zeros(1)), remainder


# --- signals and statistics ----------------------------------------------------------------------

@defined_by(np.correlate)
def np_correlate(a, v, mode="valid"):
    """The convolution with v reversed and conjugated (np.correlate's definition, the shorter
    operand's order too)."""
    if len(v) > len(a):
        return np.conj(np.convolve(v, np.conj(a[::-1]), mode))[::-1]
    return np.convolve(a, np.conj(v[::-1]), mode)


@defined_by(np.cov, requires={"fweights": (None,), "aweights": (None,)})
def np_cov(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None, dtype=None):
    if fweights is not None or aweights is not None:
        raise ValueError("adjoint differentiates np.cov without fweights and aweights")
    x = np.atleast_2d(m)
    if not rowvar and np.shape(x)[0] != 1:
        x = x.T
    if y is not None:
        other = np.atleast_2d(y)
        if not rowvar and np.shape(other)[0] != 1:
            other = other.T
        x = np.concatenate([x, other], axis=0)
    if ddof is None:
        ddof = 0 if bias else 1
    centred = x - np.mean(x, axis=1, keepdims=True)
    return np.squeeze(centred @ np.conj(centred.T) / (np.shape(x)[1] - ddof))


@defined_by(np.corrcoef)
def np_corrcoef(x, y=None, rowvar=True, dtype=None):
    c = np_cov(x, y, rowvar)
    if np.ndim(c) == 0:
        return c / c
    scale = np.sqrt(np.real(np.diag(c)))
    c = c / scale[:, None] / scale[None, :]
    return np.clip(c, -1, 1) if not np.iscomplexobj(c) else np.clip(np.real(c), -1, 1) + 1j * np.clip(np.imag(c), -1, 1)


# --- the Hermitian FFTs, from the real ones ------------------------------------------------------

_SWAPPED = {None: "forward", "backward": "forward", "ortho": "ortho", "forward": "backward"}


@defined_by(np.fft.hfft)
def np_fft_hfft(a, n=None, axis=-1, norm=None):
    return np.fft.irfft(np.conj(a), n, axis, norm=_SWAPPED[norm])


@defined_by(np.fft.ihfft)
def np_fft_ihfft(a, n=None, axis=-1, norm=None):
    return np.conj(np.fft.rfft(a, n, axis, norm=_SWAPPED[norm]))
