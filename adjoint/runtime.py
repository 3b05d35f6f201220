"""The runtime of generated code: the only part of adjoint that generated functions call.

Everything here is small, pure (never mutates its arguments) and cheap on the fast path.
"""
import numpy as np

_shape = np.shape


def unbroadcast(g, x):
    """Sum g down to the shape of x, undoing NumPy broadcasting."""
    shape = _shape(x)
    gshape = _shape(g)
    if gshape == shape:
        return g
    extra = len(gshape) - len(shape)
    axes = tuple(range(extra)) + tuple(i + extra for i, n in enumerate(shape) if n == 1 and gshape[i + extra] != 1)
    g = np.sum(g, axis=axes, keepdims=True) if axes else g
    return np.reshape(g, shape)


def unreduce(g, x, axis=None, keepdims=False):
    """Spread the adjoint of a reduction of x over x's shape."""
    shape = _shape(x)
    if axis is not None and not keepdims:
        axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
        g = np.expand_dims(g, tuple(a % len(shape) for a in axes))
    return np.broadcast_to(g, shape)          # a read-only view: nothing is copied


def untranspose(g, axes=None):
    """The adjoint of a transpose with `axes` (None or () meaning reversed axes)."""
    if isinstance(axes, tuple) and len(axes) == 1 and isinstance(axes[0], (tuple, list)):
        axes = axes[0]
    if not axes:
        return np.transpose(g)
    return np.transpose(g, np.argsort(axes))


class _Zero:
    """The adjoint of a container nothing has contributed to yet: indexing it gives itself, adding
    to it gives the other operand, and in arithmetic it is 0.0."""

    def __getitem__(self, key):
        return self

    def __add__(self, other):
        return other

    __radd__ = __add__

    def __sub__(self, other):
        return -other

    def __rsub__(self, other):
        return other

    def __mul__(self, other):
        return 0.0 * other

    __rmul__ = __mul__

    def __truediv__(self, other):
        return 0.0 / other

    def __neg__(self):
        return self

    def __float__(self):
        return 0.0

    def __array__(self, dtype=None, copy=None):
        return np.zeros((), dtype=dtype or float)

    def __repr__(self):
        return "rt.zero"


zero = _Zero()


def add(a, b):
    """a + b for adjoints that may be containers (lists, tuples, dicts of adjoints) or rt.zero."""
    if a is zero:
        return b
    if b is zero:
        return a
    if isinstance(a, dict):
        return {k: add(a[k], b[k]) if k in b else a[k] for k in a} | {k: v for k, v in b.items() if k not in a}
    if isinstance(a, (list, tuple)):
        return type(a)(add(x, y) for x, y in zip(a, b))
    return a + b


def unindex(g, x, index):
    """An array shaped like x holding g at x[index] (repeated indices accumulate); for a list, tuple
    or dict x, the same container holding g at index and zeros elsewhere."""
    if isinstance(x, dict):
        return {k: (g if k == index else zero) for k in x}
    if isinstance(x, (list, tuple)) and isinstance(index, (int, np.integer)):
        index = index % len(x)
        return [g if i == index else zero for i in range(len(x))]
    dtype = np.result_type(g, x.dtype, float) if isinstance(x, np.ndarray) else np.result_type(g, float)
    out = np.zeros(_shape(x), dtype=dtype)
    if _is_basic(index):
        out[index] = g
    else:
        np.add.at(out, index, g)
    return out


def _is_basic(index):
    parts = index if isinstance(index, tuple) else (index,)
    return all(isinstance(p, (int, np.integer, slice)) or p is None or p is Ellipsis for p in parts)


def matmul_grad_a(g, a, b):
    """Adjoint of a in a @ b."""
    if np.ndim(b) == 1:
        return unbroadcast(np.multiply.outer(g, b) if np.ndim(a) > 1 else g * b, a)
    if np.ndim(a) == 1:
        return _sum_to(np.matmul(b, np.expand_dims(g, -1))[..., 0], a)
    return _sum_to(np.matmul(g, np.swapaxes(b, -1, -2)), a)


def matmul_grad_b(g, a, b):
    """Adjoint of b in a @ b."""
    if np.ndim(a) == 1:
        if np.ndim(b) == 1:
            return g * a
        return _sum_to(np.matmul(a[:, None], np.expand_dims(g, -2)), b)
    if np.ndim(b) == 1:
        return _sum_to(np.matmul(np.swapaxes(a, -1, -2), np.expand_dims(g, -1))[..., 0], b)
    return _sum_to(np.matmul(np.swapaxes(a, -1, -2), g), b)


def _sum_to(g, x):
    extra = np.ndim(g) - np.ndim(x)
    return np.sum(g, axis=tuple(range(extra))) if extra > 0 else g


def dot_grad_a(g, a, b):
    """Adjoint of a in np.dot(a, b)."""
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * b, a)
    if np.ndim(b) == 1:
        return np.multiply.outer(g, b)
    return np.tensordot(g, b, axes=(list(range(np.ndim(a) - 1, np.ndim(g))),
                                   [i for i in range(np.ndim(b)) if i != np.ndim(b) - 2]))


def dot_grad_b(g, a, b):
    """Adjoint of b in np.dot(a, b)."""
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * a, b)
    na = np.ndim(a)
    if np.ndim(b) == 1:
        return np.tensordot(a, g, axes=(list(range(na - 1)), list(range(na - 1))))
    # g has axes a[:-1] + b[:-2] + b[-1:]; result must have b's axes
    gb = np.tensordot(a, g, axes=(list(range(na - 1)), list(range(na - 1))))
    return np.moveaxis(gb, 0, -2)


def like(g, x):
    """g given the type and shape of x (a float for a Python number, zeros for a missing adjoint)."""
    if g is zero:
        g = 0.0
    if np.iscomplexobj(g) and not np.iscomplexobj(x) and isinstance(x, (float, int, np.ndarray, np.generic)):
        g = np.real(g)                        # a real argument's gradient is real
    if isinstance(x, dict):
        return {k: like(g[k] if isinstance(g, dict) and k in g else 0.0, v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        if np.ndim(g) == 0 and not isinstance(g, (list, tuple)):
            return type(x)(like(g, item) for item in x)
        return type(x)(like(g[i], item) for i, item in enumerate(x))
    if isinstance(x, np.ndarray):
        if isinstance(g, np.ndarray) and g.shape == x.shape:
            return g if g.flags.writeable else g.copy()
        return np.zeros(x.shape, dtype=np.result_type(x, float)) + g
    if isinstance(x, complex):
        return complex(g)
    if isinstance(x, (float, int)) and not isinstance(x, bool):
        return float(np.real(g)) if np.ndim(g) == 0 else g
    if isinstance(x, np.generic):
        return np.asarray(g, dtype=np.result_type(x, float))[()]
    return g


def extremum_grad(g, a, z, axis=None, keepdims=False):
    """Adjoint of max/min: g shared evenly by the elements equal to the extremum."""
    mask = a == (z if keepdims or axis is None else np.expand_dims(z, axis))
    share = mask / np.sum(mask, axis=axis, keepdims=True)
    return unreduce(g, a, axis, keepdims) * share


def zeros_like(x):
    """A zero shaped like x: 0.0 for numbers, an array of zeros, or the same container of zeros."""
    if isinstance(x, np.ndarray):
        return np.zeros(x.shape, dtype=np.result_type(x, float))
    if isinstance(x, (list, tuple)):
        return type(x)(zeros_like(item) for item in x)
    if isinstance(x, dict):
        return {k: zeros_like(v) for k, v in x.items()}
    if isinstance(x, complex):
        return 0j
    return 0.0


def broadcast_like(g, x):
    """g spread over the shape of x (the adjoint of unbroadcast)."""
    return np.zeros(_shape(x), dtype=np.result_type(g, float)) + g


def reduce_like(g, x, axis=None, keepdims=False):
    """Sum g back to the shape of a reduction's output (the adjoint of unreduce)."""
    return np.sum(g, axis=axis, keepdims=keepdims)


def untranspose_adjoint(g, axes=None):
    """The adjoint of untranspose: the transpose itself."""
    if isinstance(axes, tuple) and len(axes) == 1 and isinstance(axes[0], (tuple, list)):
        axes = axes[0]
    return np.transpose(g, axes or None)


def unconcatenate(g, arrays, axis=0):
    """The adjoint of np.concatenate(arrays, axis): g cut back into pieces shaped like the inputs."""
    if axis is None:
        sizes = [np.size(a) for a in arrays]
        return [np.reshape(piece, _shape(a)) for piece, a in zip(np.split(np.ravel(g), np.cumsum(sizes)[:-1]), arrays)]
    sizes = [_shape(a)[axis] if np.ndim(a) else 1 for a in arrays]
    return np.split(g, np.cumsum(sizes)[:-1], axis=axis)


def unstack(g, axis=0):
    """The adjoint of np.stack(arrays, axis): one slice of g per input."""
    return list(np.moveaxis(g, axis, 0))


# --- helpers of the rules for reductions, shapes, linear algebra and FFT (rules/runtime_rules.py) ---


def _axes_last(x, axis):
    """x with the reduced axes moved last and merged into one, and what _axes_back needs to undo it."""
    x = np.asarray(x)
    nd = x.ndim
    axes = tuple(range(nd)) if axis is None else tuple(a % nd for a in ((axis,) if np.ndim(axis) == 0 else axis))
    order = [i for i in range(nd) if i not in axes] + list(axes)
    moved = np.transpose(x, order)
    return moved.reshape(moved.shape[:nd - len(axes)] + (-1,)), (order, moved.shape)


def _axes_back(y, info):
    """Undo _axes_last."""
    order, shape = info
    return np.transpose(np.reshape(y, shape), np.argsort(order))


def _exclusive_products(x, t=None):
    """Products of the elements before and after each one along the last axis (and tangents along t), no division."""
    n = x.shape[-1]
    left, right = np.ones_like(x, dtype=np.result_type(x, float)), np.ones_like(x, dtype=np.result_type(x, float))
    dleft, dright = np.zeros_like(left), np.zeros_like(right)
    for i in range(1, n):
        left[..., i] = left[..., i - 1] * x[..., i - 1]
        right[..., n - 1 - i] = right[..., n - i] * x[..., n - i]
        if t is not None:
            dleft[..., i] = dleft[..., i - 1] * x[..., i - 1] + left[..., i - 1] * t[..., i - 1]
            dright[..., n - 1 - i] = dright[..., n - i] * x[..., n - i] + right[..., n - i] * t[..., n - i]
    return left, right, dleft, dright


def prod_others(x, axis=None):
    """For each element of x, the product of the other elements of its np.prod(x, axis) group."""
    flat, info = _axes_last(x, axis)
    left, right, _, _ = _exclusive_products(flat)
    return _axes_back(left * right, info)


def prod_others_jvp(x, t, axis=None):
    """The tangent of prod_others(x, axis) along t (also its own transpose in t)."""
    flat, info = _axes_last(x, axis)
    tflat, _ = _axes_last(t, axis)
    left, right, dleft, dright = _exclusive_products(flat, tflat)
    return _axes_back(dleft * right + left * dright, info)


def cumprod_grad(g, a, axis=None):
    """Adjoint of a in np.cumprod(a, axis), without dividing by a."""
    x = np.ravel(a) if axis is None else np.moveaxis(np.asarray(a), axis, -1)
    gx = np.reshape(g, x.shape) if axis is None else np.moveaxis(np.asarray(g), axis, -1)
    left, _, _, _ = _exclusive_products(x)
    r = np.array(gx, dtype=np.result_type(gx, x, float))
    for i in range(x.shape[-1] - 2, -1, -1):
        r[..., i] = gx[..., i] + x[..., i + 1] * r[..., i + 1]
    out = left * r
    return np.reshape(out, np.shape(a)) if axis is None else np.moveaxis(out, -1, axis)


def cumprod_jvp(a, t, axis=None):
    """The tangent of np.cumprod(a, axis) along t, without dividing by a."""
    x = np.ravel(a) if axis is None else np.moveaxis(np.asarray(a), axis, -1)
    tx = np.ravel(t) if axis is None else np.moveaxis(np.asarray(t), axis, -1)
    y = np.cumprod(x, axis=-1)
    dy = np.array(tx, dtype=np.result_type(tx, x, float))
    for i in range(1, x.shape[-1]):
        dy[..., i] = dy[..., i - 1] * x[..., i] + y[..., i - 1] * tx[..., i]
    return dy if axis is None else np.moveaxis(dy, -1, axis)


def uncumsum(g, x, axis=None):
    """Adjoint of np.cumsum(x, axis): sums from each position to the end."""
    if axis is None:
        return np.reshape(np.flip(np.cumsum(np.flip(np.ravel(g)))), _shape(x))
    return np.flip(np.cumsum(np.flip(g, axis), axis), axis)


def norm_grad(g, x, z, ord=None, axis=None, keepdims=False):
    """Adjoint of x in z = np.linalg.norm(x, ord, axis, keepdims): vector norms and 'fro'."""
    matrix = (axis is None and np.ndim(x) == 2 and ord is not None) or (np.ndim(axis) == 1 and len(axis) == 2)
    if matrix and ord not in (None, "fro"):
        raise NotImplementedError(f"the derivative of np.linalg.norm with matrix ord={ord!r} is not implemented")
    if ord is None or ord == "fro" or ord == 2:
        return x * unreduce(g / z, x, axis, keepdims)
    if ord == 0:
        return np.zeros(_shape(x))
    if np.isinf(ord):
        return np.sign(x) * extremum_grad(g, np.abs(x), z, axis, keepdims)
    if ord == 1:
        return np.sign(x) * unreduce(g, x, axis, keepdims)
    return x * np.abs(x) ** (ord - 2) * unreduce(g / z ** (ord - 1), x, axis, keepdims)


def unsplit(g, parts, axis=0):
    """Adjoint of np.split / np.array_split: the pieces' adjoints joined (a missing one is zero)."""
    g, n = list(g), len(parts)
    # contributions the compiler added with `+` arrive concatenated (one list per use): sum them
    chunks = [g[i:i + n] for i in range(0, len(g), n)] if len(g) > n and len(g) % n == 0 else [g]
    pieces = [sum((_dense(chunk[i], p) for chunk in chunks), np.zeros(_shape(p))) for i, p in enumerate(parts)]
    return np.concatenate(pieces, axis)


def _dense(piece, like):
    """An adjoint piece as an array shaped like `like` (None and rt.zero are zeros)."""
    return np.zeros(_shape(like)) if piece is None or piece is zero else piece


def _joined_axis(arrays, how):
    """The arrays as np.hstack / np.vstack / np.column_stack see them, and the axis they are joined on."""
    if how == "vstack":
        return [np.atleast_2d(a) for a in arrays], 0
    if how == "column_stack":
        return [np.reshape(a, (-1, 1)) if np.ndim(a) < 2 else a for a in arrays], 1
    lifted = [np.atleast_1d(a) for a in arrays]
    return lifted, 0 if lifted[0].ndim == 1 else 1


def unjoin(g, arrays, how):
    """Adjoint of np.hstack / np.vstack / np.column_stack (how) of arrays: g cut into their shapes."""
    lifted, axis = _joined_axis(arrays, how)
    pieces = np.split(g, np.cumsum([np.shape(a)[axis] for a in lifted])[:-1], axis=axis)
    return [np.reshape(piece, _shape(a)) for piece, a in zip(pieces, arrays)]


def join(pieces, how):
    """np.hstack / np.vstack / np.column_stack (how) of pieces: the adjoint of unjoin."""
    return getattr(np, how)(pieces)


def untile(g, x, reps):
    """Adjoint of np.tile(x, reps): the tiles summed."""
    reps = (reps,) if np.ndim(reps) == 0 else tuple(reps)
    nd = max(np.ndim(x), len(reps))
    shape = (1,) * (nd - np.ndim(x)) + _shape(x)
    reps = (1,) * (nd - len(reps)) + reps
    split = np.reshape(g, [n for pair in zip(reps, shape) for n in pair])
    return np.reshape(np.sum(split, axis=tuple(range(0, 2 * nd, 2))), _shape(x))


def unrepeat(g, x, repeats, axis=None):
    """Adjoint of np.repeat(x, repeats, axis): the copies of each element summed."""
    if axis is None:
        return np.reshape(unrepeat(g, np.ravel(x), repeats, 0), _shape(x))
    n = _shape(x)[axis]
    owner = np.repeat(np.arange(n), repeats)
    moved = np.moveaxis(np.asarray(g), axis, 0)
    out = np.zeros((n,) + moved.shape[1:], dtype=np.result_type(g, float))
    np.add.at(out, owner, moved)
    return np.moveaxis(out, 0, axis)


def unpad(g, x, pad_width, mode="constant"):
    """Adjoint of np.pad(x, pad_width) in constant mode: the interior of g."""
    if mode != "constant":
        raise NotImplementedError(f"the derivative of np.pad with mode={mode!r} is not implemented")
    widths = np.broadcast_to(np.asarray(pad_width, dtype=int), (np.ndim(x), 2))
    return g[tuple(slice(int(lo), int(lo) + n) for (lo, _), n in zip(widths, _shape(x)))]


def undiag(g, x, k=0):
    """Adjoint of np.diag(x, k): the k-th diagonal of g, or g placed on the k-th diagonal of zeros like x."""
    if np.ndim(x) == 1:
        return np.diagonal(g, k)
    return undiagonal(g, x, k, 0, 1)


def undiagonal(g, x, offset=0, axis1=0, axis2=1):
    """Adjoint of np.diagonal(x, offset, axis1, axis2): g written on that diagonal of zeros like x."""
    out = np.zeros(_shape(x), dtype=np.result_type(g, float))
    moved = np.moveaxis(out, (axis1, axis2), (-2, -1))
    rows, cols = moved.shape[-2:]
    i = np.arange(max(0, -offset), min(rows, cols - offset))
    moved[..., i, i + offset] = g
    return out


def einsum_grad(g, subscripts, k, a, b=None, c=None):
    """Adjoint of operand k of np.einsum(subscripts, a, b, c), itself an einsum (no ellipsis)."""
    operands = [o for o in (a, b, c) if o is not None]
    inputs, output = _einsum_parts(subscripts, len(operands))
    target, others = inputs[k], [s for i, s in enumerate(inputs) if i != k]
    known = set(output).union(*others)
    unique = "".join(dict.fromkeys(target))
    keep = "".join(ch for ch in unique if ch in known)
    grad = np.einsum(",".join([output] + others) + "->" + keep, g, *(o for i, o in enumerate(operands) if i != k))
    sizes = dict(zip(target, _shape(operands[k])))
    if keep != unique:           # letters summed in operand k alone: the adjoint is spread along them
        grad = np.expand_dims(grad, tuple(i for i, ch in enumerate(unique) if ch not in keep))
        grad = np.broadcast_to(grad, [sizes[ch] for ch in unique]).copy()
    if unique != target:         # a repeated letter reads a diagonal: write the adjoint back onto it
        out = np.zeros(_shape(operands[k]), dtype=grad.dtype)
        np.einsum(target + "->" + unique, out)[...] = grad
        return out
    return grad


def _einsum_parts(subscripts, n):
    """'ij,jk->ik' -> (['ij', 'jk'], 'ik'); the implicit output is the letters used once, sorted."""
    spec = subscripts.replace(" ", "")
    if "." in spec:
        raise NotImplementedError("the derivative of np.einsum with an ellipsis is not implemented")
    if "->" in spec:
        lhs, output = spec.split("->")
    else:
        lhs = spec
        output = "".join(sorted(ch for ch in set(lhs) if ch != "," and lhs.count(ch) == 1))
    return lhs.split(","), output


def einsum_operands(subscripts, k, v, a, b=None, c=None):
    """np.einsum(subscripts, a, b, c) with operand k replaced by v (the adjoint of einsum_grad in g)."""
    operands = [o for o in (a, b, c) if o is not None]
    operands[k] = v
    return np.einsum(subscripts, *operands)


def tensordot_subscripts(a, b, axes=2):
    """The einsum subscripts of np.tensordot(a, b, axes)."""
    na, nb = np.ndim(a), np.ndim(b)
    if np.ndim(axes) == 0:
        axes = (list(range(na - axes, na)), list(range(axes)))
    axes_a, axes_b = ([x] if np.ndim(x) == 0 else list(x) for x in axes)
    letters = iter("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    sa = [next(letters) for _ in range(na)]
    sb = [next(letters) for _ in range(nb)]
    for i, j in zip(axes_a, axes_b):
        sb[j % nb] = sa[i % na]
    contracted_a = {i % na for i in axes_a}
    contracted_b = {j % nb for j in axes_b}
    out = [s for i, s in enumerate(sa) if i not in contracted_a] + [s for j, s in enumerate(sb) if j not in contracted_b]
    return "".join(sa) + "," + "".join(sb) + "->" + "".join(out)


def inner_subscripts(a, b):
    """The einsum subscripts of np.inner(a, b) (a product when either is a scalar)."""
    na, nb = np.ndim(a), np.ndim(b)
    if na == 0 or nb == 0:
        sa, sb = "abcdefgh"[:na], "ijklmnop"[:nb]
        return f"{sa},{sb}->{sa}{sb}"
    sa, sb = "abcdefgh"[:na - 1] + "z", "ijklmnop"[:nb - 1] + "z"
    return f"{sa},{sb}->{sa[:-1]}{sb[:-1]}"


def kron_grad_a(g, a, b):
    """Adjoint of a in np.kron(a, b)."""
    nd = max(np.ndim(a), np.ndim(b))
    sa = (1,) * (nd - np.ndim(a)) + _shape(a)
    sb = (1,) * (nd - np.ndim(b)) + _shape(b)
    blocks = np.reshape(g, [n for pair in zip(sa, sb) for n in pair])
    return np.reshape(np.tensordot(blocks, np.reshape(b, sb), axes=(list(range(1, 2 * nd, 2)), list(range(nd)))),
                      _shape(a))


def kron_grad_b(g, a, b):
    """Adjoint of b in np.kron(a, b)."""
    nd = max(np.ndim(a), np.ndim(b))
    sa = (1,) * (nd - np.ndim(a)) + _shape(a)
    sb = (1,) * (nd - np.ndim(b)) + _shape(b)
    blocks = np.reshape(g, [n for pair in zip(sa, sb) for n in pair])
    return np.reshape(np.tensordot(blocks, np.reshape(a, sa), axes=(list(range(0, 2 * nd, 2)), list(range(nd)))),
                      _shape(b))


def tril_half(x):
    """The strictly lower triangle of x plus half its diagonal (self-adjoint)."""
    return np.tril(x, -1) + 0.5 * np.tril(np.triu(x))


def sym_lower(x):
    """The symmetric matrix that x's lower triangle stands for (what cholesky/eigvalsh read)."""
    return np.tril(x) + np.swapaxes(np.tril(x, -1), -1, -2)


def sym_lower_adjoint(x):
    """The adjoint of sym_lower."""
    return np.tril(x) + np.tril(np.swapaxes(x, -1, -2), -1)


def eigh_vectors(a):
    """The eigenvectors of the symmetric matrix whose lower triangle is a (columns)."""
    return np.linalg.eigh(a)[1]


def eigh_vectors_jvp(a, t):
    """The tangent of eigh_vectors(a) along t (distinct eigenvalues)."""
    w, v = np.linalg.eigh(a)
    gap = w[..., None, :] - w[..., :, None]
    f = np.divide(1.0, gap, out=np.zeros_like(gap), where=gap != 0)
    return v @ (f * (np.swapaxes(v, -1, -2) @ sym_lower(t) @ v))


def eigh_vectors_vjp(g, a):
    """The adjoint of eigh_vectors at a (distinct eigenvalues)."""
    w, v = np.linalg.eigh(a)
    gap = w[..., None, :] - w[..., :, None]
    f = np.divide(1.0, gap, out=np.zeros_like(gap), where=gap != 0)
    return sym_lower_adjoint(v @ (f * (np.swapaxes(v, -1, -2) @ g)) @ np.swapaxes(v, -1, -2))


_ADJOINT_NORM = {None: "forward", "backward": "forward", "forward": "backward", "ortho": "ortho"}
_FFT_ADJOINT = {"fft": "ifft", "ifft": "fft", "fft2": "ifft2", "ifft2": "fft2", "fftn": "ifftn", "ifftn": "fftn",
                "rfft": "ifft", "rfft2": "ifft2", "rfftn": "ifftn", "irfft": "rfft", "irfft2": "rfft2",
                "irfftn": "rfftn"}


def _fft_axes(name, ndim, s, axes):
    """The axes a transform acts on and the sizes it pads or cuts them to (None: unchanged)."""
    if name in ("fft", "ifft", "rfft", "irfft"):
        return [axes if axes is not None else -1], [s]
    if axes is None:
        axes = (-2, -1) if name.endswith("2") else tuple(range(-(len(s) if s is not None else ndim), 0))
    return list(axes), list(s) if s is not None else [None] * len(axes)


def fft_apply(x, name, s=None, axes=None, norm=None):
    """np.fft.<name>(x, s or n, axes or axis, norm)."""
    if name in ("fft", "ifft", "rfft", "irfft"):
        return getattr(np.fft, name)(x, s, -1 if axes is None else axes, norm)
    return getattr(np.fft, name)(x, s, axes, norm)


def fft_grad(g, x, name, s=None, axes=None, norm=None):
    """Adjoint of x in np.fft.<name>(x, s or n, axes or axis, norm): the other direction, adjoint norm, x's shape."""
    axes, sizes = _fft_axes(name, np.ndim(x), s, axes)
    shape = _shape(x)
    n_in = [n if n is not None else shape[ax] for ax, n in zip(axes, sizes)]     # lengths after pad/cut
    adjoint = _FFT_ADJOINT[name]
    norm = _ADJOINT_NORM[norm]
    single = name in ("fft", "ifft", "rfft", "irfft")
    along = axes[0] if single else axes
    if name.startswith("irfft"):
        n_out = np.shape(g)[axes[-1]]
        out = fft_apply(g, adjoint, None, along, norm)
        last = axes[-1] % np.ndim(g)
        weight = np.full(np.shape(out)[last], 2.0)       # the spectrum's interior stands for two terms
        weight[0] = 1.0
        if n_out % 2 == 0:
            weight[-1] = 1.0
        out = out * np.reshape(weight, (-1,) + (1,) * (np.ndim(g) - 1 - last))
    elif name.startswith("rfft"):
        out = fft_apply(g, adjoint, n_in[0] if single else n_in, along, norm)
    else:
        out = fft_apply(g, adjoint, None, along, norm)
    for ax in axes:                                  # undo the pad or cut of the input
        have, want = out.shape[ax], shape[ax]
        if have > want:
            out = np.take(out, np.arange(want), axis=ax)
        elif have < want:
            pad = [(0, 0)] * out.ndim
            pad[ax] = (0, want - have)
            out = np.pad(out, pad)
    return match_real(out, x)


def match_real(v, x):
    """v, or its real part when x is real (the adjoint of a real input is real)."""
    return v if np.iscomplexobj(x) else np.real(v)


def lift_weights(weights, a, axis=None):
    """np.average's weights spread over a's shape (ones for None; 1-D weights lie along axis)."""
    if weights is None:
        return np.ones(_shape(a))
    if np.ndim(weights) == np.ndim(a) or axis is None:
        return np.zeros(_shape(a)) + weights
    shape = [1] * np.ndim(a)
    shape[axis] = -1
    return np.zeros(_shape(a)) + np.reshape(weights, shape)


def unlift_weights(g, weights, axis=None):
    """The adjoint of lift_weights: g summed back to the weights' shape."""
    if np.ndim(weights) == np.ndim(g) or axis is None:
        return unbroadcast(g, weights)
    axis = axis % np.ndim(g)
    return np.sum(g, axis=tuple(i for i in range(np.ndim(g)) if i != axis))


def average_weights(a, axis=None, weights=None):
    """np.average's weights over a's shape, normalised to sum to one along axis."""
    lifted = lift_weights(weights, a, axis)
    return lifted / np.sum(lifted, axis=axis, keepdims=True)


def item_adjoint(g, i, z):
    """The adjoint of item i of a rule's tuple output z (contributions added with + arrive concatenated)."""
    items = [] if g is zero or g is None else list(g)[i::len(z)]
    return sum((item for item in items if item is not zero and item is not None), np.zeros(_shape(z[i])))


def item_spread(g, i, z):
    """The adjoint of item_adjoint: a list like z holding g at i and rt.zero elsewhere."""
    return [g if k == i else zero for k in range(len(z))]


def eigh_gaps(w):
    """F[i, j] = 1 / (w[j] - w[i]) off the diagonal, 0 on it (distinct eigenvalues w)."""
    gap = np.expand_dims(w, -2) - np.expand_dims(w, -1)
    return np.divide(1.0, gap, out=np.zeros(np.shape(gap)), where=gap != 0)
