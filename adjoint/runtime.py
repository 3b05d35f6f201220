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


def unindex(g, x, index):
    """An array shaped like x holding g at x[index] (repeated indices accumulate)."""
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
    if isinstance(x, (list, tuple)):
        if np.ndim(g) == 0:
            return type(x)(like(g, item) for item in x)
        return type(x)(like(g[i], item) for i, item in enumerate(x))
    if isinstance(x, np.ndarray):
        if isinstance(g, np.ndarray) and g.shape == x.shape:
            return g if g.flags.writeable else g.copy()
        return np.zeros(x.shape, dtype=np.result_type(x, float)) + g
    if isinstance(x, (float, int)) and not isinstance(x, bool):
        if isinstance(x, complex):
            return complex(g)
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
