"""The runtime of generated code: the only part of adjoint that generated functions call.

Everything here is small, pure (never mutates its arguments) and cheap on the fast path.
"""
import copy
import dataclasses
import inspect
import itertools
import math
import threading

import numpy as np

_shape = np.shape


_NUMBERS = (float, int)


def unbroadcast(g, x):
    """Sum g down to the shape of x, undoing NumPy broadcasting."""
    if type(g) in _NUMBERS and type(x) in _NUMBERS:
        return g                     # the common case where nothing told the compiler they were numbers
    if g is zero:
        return zero                  # the adjoint of a container's item nothing contributed to
    shape = _shape(x)
    gshape = _shape(g)
    if gshape == shape:
        return g
    extra = len(gshape) - len(shape)
    if extra < 0:           # g is a number standing for a broadcast adjoint (a zero nothing reached)
        return g
    axes = tuple(range(extra)) + tuple(i + extra for i, n in enumerate(shape) if n == 1 and gshape[i + extra] != 1)
    lib = own_namespace(g) or np
    g = lib.sum(g, axis=axes, keepdims=True) if axes else g
    return lib.reshape(g, shape)


def unreduce(g, x, axis=None, keepdims=False):
    """Spread the adjoint of a reduction of x over x's shape."""
    shape = _shape(x)
    lib = own_namespace(x)
    if lib is None:
        lib = np
    elif own_namespace(g) is None:        # a number (the output's seed): an array of x's library
        g = lib.asarray(g, dtype=zeros_shaped(x, None).dtype, device=x.device)
    if axis is not None and not keepdims:
        axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
        g = lib.expand_dims(g, axis=tuple(a % len(shape) for a in axes))
    return lib.broadcast_to(g, shape)          # a read-only view: nothing is copied


def untranspose(g, axes=None):
    """The adjoint of a transpose with `axes` (None or () meaning reversed axes)."""
    if isinstance(axes, tuple) and len(axes) == 1 and isinstance(axes[0], (tuple, list)):
        axes = axes[0]
    xp = own_namespace(g)
    if xp is not None:              # (the standard's permute_dims takes the permutation as a tuple)
        return xp.permute_dims(g, tuple(int(i) for i in np.argsort(axes)) if axes else tuple(range(g.ndim))[::-1])
    if not axes:
        return np.transpose(g)
    return np.transpose(g, np.argsort(axes))


class _Zero:
    """The adjoint of a container nothing has contributed to yet: indexing it gives itself, adding
    to it gives the other operand, and in arithmetic it is 0.0."""

    dtype = np.dtype(np.float16)     # the narrowest float: np.result_type(zero, x) is x's own type

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
        # zero times a number is zero, even a NaN or an infinity (a slope nothing reaches: the
        # exponent's slope z * log(a) at a < 0); times an array, zeros of its shape
        return self if np.ndim(other) == 0 else zeros_shaped(other)

    __rmul__ = __mul__
    __truediv__ = __mul__

    def __neg__(self):
        return self

    def __float__(self):
        return 0.0

    def __array__(self, dtype=None, copy=None):
        return np.zeros((), dtype=dtype or float)

    def __repr__(self):
        return "rt.zero"


zero = _Zero()


class _NotComputed:
    """What a gradient function returns in place of the value when its caller (`grad`) discards it:
    the function's output is known to be a number, and the statements that computed only it are gone."""

    def __repr__(self):
        return "rt.value_not_computed"


value_not_computed = _NotComputed()


def add(a, b):
    """a + b for adjoints that may be containers (lists, tuples, dicts of adjoints) or rt.zero."""
    if a is zero:
        return b
    if b is zero:
        return a
    if isinstance(a, (list, tuple, dict)) != isinstance(b, (list, tuple, dict)):
        # a container's adjoint and the 0.0 of a variable that held a number on another path
        # (`p = xs` in a loop, p a number before it): nothing reached that one
        number = b if isinstance(a, (list, tuple, dict)) else a
        if isinstance(number, (int, float)) and number == 0:
            return a if number is b else b
    if isinstance(a, dict):
        return {k: add(a[k], b[k]) if k in b else a[k] for k in a} | {k: v for k, v in b.items() if k not in a}
    if isinstance(a, (list, tuple)):
        return type(a)(add(x, y) for x, y in zip(a, b))
    return a + b


def key_at(d, k):
    """The k-th key of a dict, which a loop over it visits k-th."""
    return list(d)[k]


def field(t, name):
    """The tangent of `obj.name` given obj's tangent: a dict keyed by attribute name, or an object of
    obj's class holding tangents in its attributes (what a caller of jvp may pass)."""
    if t is zero:
        return zero
    if isinstance(t, dict):
        return t.get(name, zero)
    value = getattr(t, name)
    return value if differentiable(value) else zero        # (an int or a string field carries none)


def unfield(g, name):
    """The adjoint of `obj.name` as an adjoint of obj: a dict keyed by attribute name."""
    return zero if g is zero else {name: g}


def get(d, k, default):
    """d.get(k, default)."""
    return d[k] if k in d else default


def largest(xs):
    """max(xs): the first largest item, as Python's max."""
    return xs[position_of_largest(xs)]


def smallest(xs):
    """min(xs): the first smallest item, as Python's min."""
    return xs[position_of_smallest(xs)]


def position_of_largest(xs):
    return max(range(len(xs)), key=xs.__getitem__)


def position_of_smallest(xs):
    return min(range(len(xs)), key=xs.__getitem__)


def diagonal(a):
    """The index of a's main diagonal: where np.fill_diagonal(a, v) writes (without wrapping)."""
    return (np.arange(min(_shape(a))),) * np.ndim(a)


def added_at(a, index, v):
    """A copy of a with v added at a[index], repeated indices adding up: what np.add.at(a, index, v)
    makes of a."""
    out = np.array(a, dtype=np.result_type(a, v), copy=True)
    np.add.at(out, index, v)
    return out


def dict_items(d):
    """d.items() as a list of (key, value) pairs."""
    return list(d.items())


def dict_values(d):
    return list(d.values())


def dict_keys(d):
    return list(d)


def undict_items(g, d):
    """The adjoint of dict_items(d): each pair's value adjoint under its key."""
    if g is zero:
        return zero
    return {k: (pair[1] if pair is not zero else zero) for k, pair in zip(d, g)}


def undict_values(g, d):
    if g is zero:
        return zero
    return dict(zip(d, g))


def items_tangent(dd, d):
    """The tangent of dict_items(d): keys carry none."""
    return [(zero, dd[k] if dd is not zero else zero) for k in d]


def unsum(g, xs):
    """The adjoint of Python's sum(xs): every item gets g (summed to its shape); for an array, every
    row along the first axis."""
    if isinstance(xs, (list, tuple)):
        return type(xs)(unbroadcast(g, item) for item in xs)
    xp = own_namespace(xs)
    if xp is not None:
        return xp.broadcast_to(g if own_namespace(g) else xp.asarray(g, device=xs.device), _shape(xs))
    return np.broadcast_to(g, _shape(xs))


def sum_tangents(dxs):
    """The tangent of Python's sum(xs): the tangents of the items added up (a list's may hold rt.zero)."""
    if isinstance(dxs, (list, tuple)):
        total = zero
        for t in dxs:
            total = add(total, t)
        return 0.0 if total is zero else total
    return (own_namespace(dxs) or np).sum(dxs, axis=0)


def unrepeat_sequence(g, x):
    """The adjoint of `x * n` for a list or tuple x (n copies of x one after another): the adjoints of
    the copies added item by item."""
    size = len(x)
    total = list(g[:size])
    for start in range(size, len(g), size):
        total = add(total, list(g[start:start + size]))
    return type(x)(total) if isinstance(x, (list, tuple)) else total


def unindex(g, x, index):
    """An array shaped like x holding g at x[index] (repeated indices accumulate); for a list, tuple
    or dict x, the same container holding g at index and zeros elsewhere."""
    if g is zero:                 # an element of a container adjoint nothing has reached
        return zero
    if isinstance(x, dict):
        return {k: (g if k == index else zero) for k in x}
    if isinstance(x, (list, tuple)) and isinstance(index, (int, np.integer)):
        index = index % len(x)
        return [g if i == index else zero for i in range(len(x))]
    if isinstance(x, (list, tuple)) and isinstance(index, slice):      # g: the slice's adjoint, a list
        out = [zero] * len(x)
        for position, item in zip(range(len(x))[index], g):
            out[position] = item
        return out
    if is_duck_array(x):                             # zeros of x's own library (a lazy Dask array)
        out = zeros_shaped(x, None if own_namespace(x) else np.result_type(_dtype(g), x.dtype, float))
        if _is_basic(index):
            index, g = _without_new_axes(index, g)
            out[index] = g
            return out
        return _scattered(out, index, g)
    dtype = np.result_type(g, x.dtype, float) if isinstance(x, np.ndarray) else np.result_type(g, float)
    out = np.zeros(_shape(x), dtype=dtype)
    if _is_basic(index):
        out[index] = g
    else:
        np.add.at(out, index, g)
    return out


def _scattered(out, index, g):
    """out with g's rows added at the rows index names along the first axis, repeated ones adding up:
    np.add.at for arrays of a library that has none (Dask's, the array API's), one row at a time."""
    positions = np.asarray(index) if isinstance(index, (list, tuple, range, np.ndarray)) else None
    if positions is None or positions.ndim != 1 or positions.dtype.kind not in "iu":
        from .errors import AdjointError
        raise AdjointError(f"the derivative of reading a {type(out).__module__.split('.')[0]} array at an index "
                           f"other than slices and integers needs a list of integer positions along its first "
                           f"axis, not {type(index).__name__}; index it with `x[[0, 2, 2]]` or slices")
    for row, position in enumerate(positions.tolist()):
        out[position] = out[position] + g[row]
    return out


def _without_new_axes(index, g):
    """(index, g) with the new axes of `x[:, None]` taken out of both: the array API stores into no
    new axis (g, the read's adjoint, has length one there)."""
    parts = index if isinstance(index, tuple) else (index,)
    if None not in parts or Ellipsis in parts or own_namespace(g) is None:
        return index, g
    new_axes, axis = [], 0
    for part in parts:
        if part is None:
            new_axes.append(axis)
        if not isinstance(part, (int, np.integer)):          # (an integer index leaves no axis)
            axis += 1
    xp = own_namespace(g)
    return tuple(p for p in parts if p is not None), xp.squeeze(g, axis=tuple(new_axes))


def _dtype(x):
    """x's dtype, or x itself for a number (np.result_type reads either)."""
    return getattr(x, "dtype", x)


def _is_basic(index):
    parts = index if isinstance(index, tuple) else (index,)
    return all(isinstance(p, (int, np.integer, slice)) or p is None or p is Ellipsis for p in parts)


def _matmul_shape(a, b):
    """The shape of a @ b."""
    sa, sb = np.shape(a), np.shape(b)
    if len(sb) == 1:
        return sa[:-1]
    if len(sa) == 1:
        return sb[:-2] + sb[-1:]
    return np.broadcast_shapes(sa[:-2], sb[:-2]) + (sa[-2], sb[-1])


def _full_adjoint(g, a, b, lib):
    """g as an array of a @ b's shape: an adjoint nothing reached yet may be the number 0.0 (a
    gradient differentiated again starts its adjoints so). One ndim on the common path."""
    if np.ndim(g) or np.ndim(a) == 1 and np.ndim(b) == 1:
        return g
    return lib.broadcast_to(lib.asarray(g), _matmul_shape(a, b))


def matmul_grad_a(g, a, b):
    """Adjoint of a in a @ b."""
    lib = own_namespace(a) or own_namespace(b) or np
    g = _full_adjoint(g, a, b, lib)
    if np.ndim(b) == 1:
        return unbroadcast(g[..., None] * b if np.ndim(a) > 1 else g * b, a)
    if np.ndim(a) == 1:
        return _sum_to(lib.matmul(b, lib.expand_dims(g, axis=-1))[..., 0], a, lib)
    return _sum_to(lib.matmul(g, _transposed(b, lib)), a, lib)


def matmul_grad_b(g, a, b):
    """Adjoint of b in a @ b."""
    lib = own_namespace(a) or own_namespace(b) or np
    g = _full_adjoint(g, a, b, lib)
    if np.ndim(a) == 1:
        if np.ndim(b) == 1:
            return g * a
        return _sum_to(lib.matmul(a[:, None], lib.expand_dims(g, axis=-2)), b, lib)
    if np.ndim(b) == 1:
        return _sum_to(lib.matmul(_transposed(a, lib), lib.expand_dims(g, axis=-1))[..., 0], b, lib)
    return _sum_to(lib.matmul(_transposed(a, lib), g), b, lib)


def _transposed(a, lib):
    """a with its last two axes swapped."""
    return np.swapaxes(a, -1, -2) if lib is np else lib.matrix_transpose(a)


def _sum_to(g, x, lib=np):
    extra = np.ndim(g) - np.ndim(x)
    return lib.sum(g, axis=tuple(range(extra))) if extra > 0 else g


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
    fast = like_fast(g, x)
    if fast is not None:
        return fast
    if g is zero:
        g = 0.0
    if isinstance(x, (float, int, complex)) and own_namespace(g) is not None:     # a 0-d array of the array API
        return complex(g) if isinstance(x, complex) else float(g)
    if isinstance(x, (float, int, np.ndarray, np.generic)) and np.iscomplexobj(g) and not np.iscomplexobj(x):
        g = np.real(g)                        # a real argument's gradient is real
    if isinstance(x, dict):
        return {k: like(g[k] if isinstance(g, dict) and k in g else 0.0, v) for k, v in x.items()}
    if isinstance(x, (list, tuple)) and not hasattr(x, "_fields"):
        if not isinstance(g, (list, tuple)) and np.ndim(g) == 0:
            return type(x)(like(g, item) for item in x)
        return type(x)(like(g[i], item) for i, item in enumerate(x))
    if isinstance(x, np.ndarray):
        dtype = gradient_dtype(x)
        if isinstance(g, np.ndarray) and g.shape == x.shape:
            if g.dtype != dtype:
                return g.astype(dtype)
            return g if g.flags.writeable else g.copy()
        return np.zeros(x.shape, dtype=dtype) + g
    if isinstance(x, complex):
        return complex(g)
    if isinstance(x, (float, int)) and not isinstance(x, bool):
        return float(np.real(g)) if np.ndim(g) == 0 else g
    if isinstance(x, np.generic):
        return np.asarray(g, dtype=gradient_dtype(x))[()]
    xp = own_namespace(x)
    if xp is not None:
        return _array_api_like(g, x, xp)
    if is_object(x):
        return _object_like(g, x)
    return g


def _array_api_like(g, x, xp):
    """g as an array of x's namespace, shape and (inexact) dtype."""
    out = zeros_shaped(x)
    if isinstance(g, (np.ndarray, np.generic)):     # a function written with NumPy, given x: it computed in NumPy
        g = xp.asarray(g, device=x.device)
    elif own_namespace(g) is None:                  # a number
        return out + g
    if g.dtype != out.dtype:
        g = xp.astype(g, out.dtype)
    return g if g.shape == x.shape else out + g


def like_fast(g, x):
    """like(g, x) for the common cases, in a few type checks, or None: a float's gradient that is a
    real number, a float64 scalar's, and an array's that already has its shape and dtype."""
    tx, tg = type(x), type(g)
    if tx is float and (tg is float or tg is np.float64):
        return float(g)
    if tx is np.float64 and (tg is float or tg is np.float64):
        return np.float64(g)
    if tx is np.ndarray and tg is np.ndarray:
        dtype = x.dtype           # (float64's dtype object is one object: `is` settles the common case)
        if (g.dtype is dtype and dtype is _FLOAT64 or g.dtype == dtype and dtype.kind in "fc") \
                and g.shape == x.shape and g.flags.writeable:
            return g
    return None


_FLOAT64 = np.dtype(np.float64)


def gradient_dtype(x):
    """The dtype of a derivative with respect to x: x's own when it is floating or complex (float32
    stays float32), float64 for integers and booleans."""
    dtype = np.result_type(x)
    return dtype if np.issubdtype(dtype, np.inexact) else np.dtype(float)


def _object_like(g, x):
    """The gradient with respect to a user object, given its adjoint g: a dict keyed by attribute name
    (or an object of x's class). Attributes nothing can flow through get None (see trees.py)."""
    grads = {name: like(_attribute(g, name), value) if differentiable(value) else None
             for name, value in attributes(x).items()}
    return gradient_object(x, grads)


def _attribute(g, name):
    if isinstance(g, dict):
        return g.get(name, zero)
    return zero if g is zero or g is None else getattr(g, name, zero)


def is_object(x):
    """An instance of a user class: a NamedTuple, a dataclass, or an object with attributes (not a
    number, an array, a builtin container, a function, a class or a module)."""
    if is_named_tuple(x):
        return True
    if is_duck_array(x):
        return False
    kind = type(x)
    return kind.__module__ not in ("builtins", "numpy") and hasattr(x, "__dict__") and \
        not isinstance(x, (type, _Zero, _Absent)) and not inspect.ismodule(x) and not inspect.isroutine(x)


def is_duck_array(x):
    """An array of another library (Dask, CuPy, array_api_strict): it has a shape and a dtype, and
    NumPy's functions dispatch to it (`__array_function__`) or it names its own array API namespace
    (`__array_namespace__`). NumPy's own arrays and scalars are not."""
    kind = type(x)
    return not isinstance(x, (np.ndarray, np.generic)) and (
        hasattr(kind, "__array_function__") or hasattr(kind, "__array_namespace__")) \
        and hasattr(x, "shape") and hasattr(x, "dtype")


def own_namespace(x):
    """The array API namespace whose functions must be called on x: that of an array NumPy's
    functions do not dispatch to (array_api_strict's). None for everything NumPy's functions take:
    its arrays and numbers, and arrays that dispatch (Dask, CuPy)."""
    kind = type(x)
    if kind is np.ndarray or kind in _NUMBERS or hasattr(kind, "__array_function__") \
            or isinstance(x, np.generic) or not hasattr(kind, "__array_namespace__"):
        return None
    return x.__array_namespace__()


def zeros_shaped(like, dtype=None):
    """Zeros of like's shape in like's own library: a NumPy array for NumPy arrays and numbers, a lazy
    Dask array for a Dask array (CuPy's on the GPU), an array of like's namespace for the array API.
    dtype None: like's own when it is inexact, else float64."""
    xp = own_namespace(like)
    if xp is not None:
        if dtype is None:
            inexact = xp.isdtype(like.dtype, ("real floating", "complex floating"))
            dtype = like.dtype if inexact else xp.float64
        return xp.zeros(like.shape, dtype=dtype, device=like.device)
    if dtype is None:
        dtype = np.result_type(_dtype(like), float)
    if is_duck_array(like):
        return np.zeros_like(like, dtype=dtype)
    return np.zeros(_shape(like), dtype=dtype)


def is_named_tuple(x):
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def attributes(x):
    """An object's data attributes by name: a NamedTuple's or a dataclass's fields, else its instance
    attributes."""
    if is_named_tuple(x):
        return x._asdict()
    if dataclasses.is_dataclass(x):
        return {f.name: getattr(x, f.name) for f in dataclasses.fields(x)}
    return vars(x)


def differentiable(x):
    """Whether a derivative can flow through x: a real or complex float, a float or complex array,
    or a container or object holding one."""
    if isinstance(x, (float, complex, np.floating, np.complexfloating)):
        return True
    if isinstance(x, np.ndarray):
        return x.dtype.kind in "fc"
    if is_duck_array(x):
        xp = own_namespace(x)
        return xp.isdtype(x.dtype, ("real floating", "complex floating")) if xp is not None \
            else np.dtype(x.dtype).kind in "fc"
    if isinstance(x, (list, tuple)) and not is_named_tuple(x):
        return any(map(differentiable, x))
    if isinstance(x, dict):
        return any(map(differentiable, x.values()))
    return is_object(x) and any(map(differentiable, attributes(x).values()))


def gradient_object(x, grads):
    """The gradient with respect to the object x, given its attributes' gradients by name."""
    cls = type(x)
    if is_named_tuple(x):
        return cls(**grads)
    if dataclasses.is_dataclass(x):
        out = cls.__new__(cls)                      # not __init__: it may check or compute from its inputs
        for name, value in grads.items():
            object.__setattr__(out, name, value)
        return out
    return grads


def extremum_grad(g, a, z, axis=None, keepdims=False):
    """Adjoint of max/min: g shared evenly by the elements equal to the extremum."""
    lib = own_namespace(a) or np
    mask = a == (z if keepdims or axis is None else lib.expand_dims(z, axis=axis))
    if lib is not np:                       # (the standard divides no booleans)
        mask = lib.astype(mask, zeros_shaped(a).dtype)
    share = mask / lib.sum(mask, axis=axis, keepdims=True)
    return unreduce(g, a, axis, keepdims) * share


def expect_number(x):
    """Check that x is a number: an in-place update (`x += e`) of it was compiled as a rebinding,
    which is what Python does for numbers. For an array that another name shares, Python would
    change that name too: say so instead of computing something else."""
    if isinstance(x, (np.ndarray, list, dict)):
        from .errors import UnsupportedSyntax
        raise UnsupportedSyntax(
            "an in-place update (`+=`, `-=`, `*=`, ...) changes an array here that another name, read "
            "afterwards, shares (Python changes both); the compiler could not tell it was an array",
            hint="write `x = x + ...` instead of `x += ...` to make a new array, or copy the array first")
    return x


def tangent_zero(x):
    """The tangent of a value that does not vary: rt.zero for a number (an integer or a flag the
    reverse sweep saved), so that no slope at it is ever evaluated into a NaN; else zeros like x."""
    if isinstance(x, (list, tuple)):
        return type(x)(tangent_zero(item) for item in x)     # a saved tuple's integer gets rt.zero too
    if isinstance(x, dict):
        return {k: tangent_zero(v) for k, v in x.items()}
    return zero if np.ndim(x) == 0 else zeros_like(x)


def zeros_like(x):
    """A zero shaped like x: 0.0 for numbers, an array of zeros, or the same container of zeros."""
    if x is zero:                 # the tangent of a container adjoint nothing has reached yet
        return zero
    if isinstance(x, np.ndarray) or is_duck_array(x):
        return zeros_shaped(x)
    if isinstance(x, (list, tuple)):
        return type(x)(zeros_like(item) for item in x)
    if isinstance(x, dict):
        return {k: zeros_like(v) for k, v in x.items()}
    if isinstance(x, complex):
        return 0j
    return 0.0


def power_exponent(a, b):
    """b - 1, the exponent in the slope b * a ** (b - 1) of a ** b; but 1 where a == 0 and b == 0.
    There the slope is 0 * 0 ** -1 (NaN, or ZeroDivisionError for Python floats) while its true value
    is 0; with exponent 1 it is 0 * 0 = 0. Every higher derivative goes through this again (the slope
    of a ** 0 is 0 * a ** power_exponent(a, 0)), so they are finite too. Elsewhere it is b - 1."""
    if type(b) in _NUMBERS and b != 0:              # (np.ndim costs more than the rest)
        return b - 1
    if np.ndim(a) == 0 and np.ndim(b) == 0 and own_namespace(a) is None:
        return 1 if a == 0 and b == 0 else b - 1
    xp = own_namespace(a) or own_namespace(b)
    if xp is not None:
        return xp.where((a == 0) & (b == 0), 1.0, b - 1.0)
    return np.where((np.asarray(a) == 0) & (np.asarray(b) == 0), 1, b - 1)


def zero_as_one(a):
    """a with its zeros replaced by ones: the slope of a ** b in b is a ** b * log(a), which at a == 0
    (b > 0) is 0 * -inf (NaN) where the truth is 0; with log(1) it is 0."""
    if type(a) in _NUMBERS or np.ndim(a) == 0 and own_namespace(a) is None:
        return 1 if a == 0 else a
    xp = own_namespace(a)
    if xp is not None:
        return xp.where(a == 0, 1.0, a)
    return np.where(np.asarray(a) == 0, 1, a)


def scaled_log(v, a):
    """v * log(a), but 0 where v is 0, even where log(a) is not real: the tangent of a ** b in b along
    db, where an exponent that does not move (db is 0: a constant integer's tangent) adds nothing at
    a negative base."""
    if v is zero:
        return zero
    if np.ndim(v) == 0 and v == 0:
        return 0.0 if np.ndim(a) == 0 else np.zeros(np.shape(a), np.result_type(a, float))
    xp = own_namespace(v) or own_namespace(a)
    if xp is not None:
        with np.errstate(invalid="ignore", divide="ignore"):
            return xp.where(v == 0, 0.0, v * xp.log(a))
    if np.ndim(v) == 0:
        return v * np.log(a)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(np.asarray(v) == 0, 0.0, v * np.log(a))


def widen(t, z):
    """The tangent t spread over the shape of z, the output it is the tangent of (t itself when it has
    that shape): `a - x` with only a scalar x varying has the tangent -dx, whose sum is not the sum of
    the output's tangent."""
    if isinstance(z, (list, tuple, dict)) or t is zero or z is zero:
        return t                          # containers' tangents are containers, item by item (and an
                                          # adjoint nothing reached has no shape to spread over)
    shape = _shape(z)
    if _shape(t) == shape:
        return t
    if own_namespace(z) is not None:
        return zeros_shaped(z) + t
    return np.array(np.broadcast_to(t, shape))


def broadcast_like(g, x):
    """g spread over the shape of x (the adjoint of unbroadcast)."""
    if is_duck_array(x):                    # (zeros of x's library: a lazy Dask array, say)
        return zeros_shaped(x, None if own_namespace(x) else np.result_type(_dtype(g), float)) + g
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
    if type(g) is np.ndarray and all(type(a) is np.ndarray for a in arrays):     # the common case: slices
        before, start, pieces = (slice(None),) * (axis % g.ndim), 0, []
        for a in arrays:
            end = start + a.shape[axis]
            pieces.append(g[before + (slice(start, end),)])
            start = end
        return pieces
    sizes = [_shape(a)[axis] if np.ndim(a) else 1 for a in arrays]
    if is_duck_array(g):          # slices along the axis (the standard has no split, Dask's computes sizes)
        ends = list(itertools.accumulate(sizes))
        before = (slice(None),) * (axis % g.ndim)
        return [g[before + (slice(end - n, end), ...)] for n, end in zip(sizes, ends)]
    return np.split(g, np.cumsum(sizes)[:-1], axis=axis)


def unstack(g, axis=0):
    """The adjoint of np.stack(arrays, axis): one slice of g per input."""
    xp = own_namespace(g)
    return list(xp.unstack(g, axis=axis)) if xp is not None else list(np.moveaxis(g, axis, 0))


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


def _last_axis(v, like, axis):
    """v spread over like's shape, then like np.cumprod(like, axis) sees it: flat, or that axis last."""
    if axis is None and np.size(v) == np.size(like):      # (g of a flattening cumprod is flat already)
        return np.ravel(v)
    v = np.broadcast_to(v, np.shape(like))
    return np.ravel(v) if axis is None else np.moveaxis(v, axis, -1)


def _prefix_rows(x, t):
    """For x along its last axis (size n): the (n, n) rows holding x[m] where m <= j and 1 elsewhere, the
    same rows of the tangent t (0 elsewhere), and the mask m <= j. The product of the others in row j
    at column i <= j is the product of x[m] over m <= j, m != i: the slope of cumprod(x)[j] in x[i]."""
    lower = np.tril(np.ones((x.shape[-1],) * 2, dtype=bool))
    return np.where(lower, x[..., None, :], 1.0), np.where(lower, t[..., None, :], 0.0), lower


def cumprod_grad_tangent(g, a, t, axis=None):
    """The tangent of cumprod_grad(g, a, axis) along t (g held fixed), without dividing by a."""
    x, tx, gx = _last_axis(a, a, axis), _last_axis(t, a, axis), _last_axis(g, a, axis)
    rows, drows, lower = _prefix_rows(x, tx)
    out = np.sum(gx[..., :, None] * np.where(lower, prod_others_jvp(rows, drows, -1), 0.0), axis=-2)
    return np.reshape(out, np.shape(a)) if axis is None else np.moveaxis(out, -1, axis)


def cumprod_jvp_tangent(a, t, s, axis=None):
    """The tangent of cumprod_jvp(a, t, axis) along s in a (t held fixed), without dividing by a."""
    x, tx, sx = _last_axis(a, a, axis), _last_axis(t, a, axis), _last_axis(s, a, axis)
    rows, srows, lower = _prefix_rows(x, sx)
    out = np.sum(np.where(lower, tx[..., None, :] * prod_others_jvp(rows, srows, -1), 0.0), axis=-1)
    return out if axis is None else np.moveaxis(out, -1, axis)


def uncumsum(g, x, axis=None):
    """Adjoint of np.cumsum(x, axis): sums from each position to the end."""
    if axis is None:
        return np.reshape(np.flip(np.cumsum(np.flip(np.ravel(g)))), _shape(x))
    return np.flip(np.cumsum(np.flip(g, axis), axis), axis)


def norm_grad(g, x, z, ord=None, axis=None, keepdims=False):
    """Adjoint of x in z = np.linalg.norm(x, ord, axis, keepdims): vector norms and 'fro'."""
    if _is_matrix_norm(x, ord, axis):
        return _matrix_norm_grad(g, x, ord, axis, keepdims)
    if ord is None or ord == "fro" or ord == 2:
        return x * unreduce(g / z, x, axis, keepdims)
    if ord == 0:
        return np.zeros(_shape(x))
    if np.isinf(ord):
        return direction(x) * extremum_grad(g, np.abs(x), z, axis, keepdims)
    if ord == 1:
        return direction(x) * unreduce(g, x, axis, keepdims)
    return x * np.abs(x) ** (ord - 2) * unreduce(g / z ** (ord - 1), x, axis, keepdims)


def _is_matrix_norm(x, ord, axis):
    """Whether np.linalg.norm(x, ord, axis) is a matrix norm other than Frobenius's."""
    matrix = (axis is None and np.ndim(x) == 2 and ord is not None) or (np.ndim(axis) == 1 and len(axis) == 2)
    return matrix and ord not in (None, "fro")


def _matrix_norm_grad_tangent(g, x, dx, ord, axis=None, keepdims=False):
    """The tangent of _matrix_norm_grad(g, x, ...) along dx: of g u₁v₁ᵀ (ord 2; -2: the last pair) or
    g U Vᵀ ('nuc') through the singular vectors' tangents; zero for 1, -1, inf, -inf (piecewise
    constant); zero along the norm's own tangent, which a matrix norm's slope does not read (dx = 0.0)."""
    if ord not in (2, -2, "nuc") or np.ndim(dx) < 2:
        return np.zeros(np.shape(x))
    rows, cols = (-2, -1) if axis is None else axis
    moved, dmoved = np.moveaxis(x, (rows, cols), (-2, -1)), np.moveaxis(dx, (rows, cols), (-2, -1))
    g = np.asarray(g)
    if keepdims:
        g = np.squeeze(g, axis=(rows, cols))
    g = g[..., None, None]
    z = np.linalg.svd(moved, full_matrices=False)
    du, _, dvh = svd_jvp(moved, dmoved, z, False, True)
    u, vh = z[0], z[2]
    if ord == "nuc":
        out = g * (du @ vh + u @ dvh)
    else:
        which = slice(0, 1) if ord == 2 else slice(-1, None)
        out = g * (du[..., :, which] @ vh[..., which, :] + u[..., :, which] @ dvh[..., which, :])
    return np.moveaxis(out, (-2, -1), (rows, cols))


def _matrix_norm_grad(g, x, ord, axis=None, keepdims=False):
    """Adjoint of x in np.linalg.norm(x, ord, axis) for matrices of ord 2, -2, 'nuc' (from the singular
    vectors: u v^H for the largest or smallest singular value, U V^H for the sum) and 1, -1, inf, -inf
    (the signs of the column or row with the largest or smallest absolute sum, ties split evenly)."""
    rows, cols = (-2, -1) if axis is None else axis
    moved = np.moveaxis(x, (rows, cols), (-2, -1))
    g = np.asarray(g)
    if keepdims:
        g = np.squeeze(g, axis=(rows, cols))
    g = g[..., None, None]
    if ord in (2, -2, "nuc"):
        u, s, vh = np.linalg.svd(moved, full_matrices=False)
        if ord == "nuc":
            out = g * (u @ vh)
        else:
            which = slice(0, 1) if ord == 2 else slice(-1, None)      # the largest or the smallest
            out = g * (u[..., :, which] @ vh[..., which, :])
    elif ord in (1, -1, np.inf, -np.inf):
        along = -2 if ord in (1, -1) else -1          # 1: column sums; inf: row sums
        sums = np.sum(np.abs(moved), axis=along, keepdims=True)
        chosen = np.max(sums, axis=-1 if along == -2 else -2, keepdims=True) if ord > 0 else \
            np.min(sums, axis=-1 if along == -2 else -2, keepdims=True)
        mask = (sums == chosen)
        out = g * direction(moved) * mask / np.sum(mask, axis=(-2, -1), keepdims=True)
    else:
        raise NotImplementedError(f"the derivative of np.linalg.norm with matrix ord={ord!r} is not implemented")
    return np.moveaxis(out, (-2, -1), (rows, cols))


def real_norm_order(x, dx, ord):
    """Stop at a second derivative of a complex p-norm, which norm_grad_tangent does not compute."""
    if np.iscomplexobj(x) or np.iscomplexobj(dx):
        raise NotImplementedError(f"the second derivative of np.linalg.norm with ord={ord!r} of complex "
                                  "values is not implemented")


def norm_grad_tangent(g, x, z, dx, dz, ord=None, axis=None, keepdims=False):
    """The tangent of norm_grad(g, x, z, ord, axis, keepdims) along dx and dz (g held fixed). Written
    with differentiable operations only, so that adjoint can differentiate it from its source again."""
    if _is_matrix_norm(x, ord, axis):
        return _matrix_norm_grad_tangent(g, x, dx, ord, axis, keepdims)
    if ord is None or ord == "fro" or ord == 2:
        return dx * unreduce(g / z, x, axis, keepdims) - x * unreduce(g * dz / z ** 2, x, axis, keepdims)
    real_norm_order(x, dx, ord)
    if ord == 0 or ord == 1 or np.isinf(ord):
        return np.zeros(np.shape(x))        # the slope is piecewise constant in x and z
    slope = (ord - 1) * np.abs(x) ** (ord - 2)
    return slope * (dx * unreduce(g / z ** (ord - 1), x, axis, keepdims)
                    - x * unreduce(g * dz / z ** ord, x, axis, keepdims))


def unsplit(g, parts, axis=0):
    """Adjoint of np.split / np.array_split: the pieces' adjoints joined (a missing one is zero)."""
    return np.concatenate([_dense(g[i], part) for i, part in enumerate(parts)], axis)


def _dense(piece, like):
    """An adjoint piece as an array shaped like `like` (None and rt.zero are zeros)."""
    if piece is None or piece is zero:
        return zeros_shaped(like) if is_duck_array(like) else np.zeros(_shape(like))
    return piece


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
    """Adjoint of np.pad(x, pad_width, mode): in constant mode the interior of g; in a mode where every
    padded element copies one of x's (edge, reflect, symmetric, wrap), g added up by the position of
    x each came from (x's positions, padded the same way, say where)."""
    if mode in ("edge", "reflect", "symmetric", "wrap"):
        size = int(np.prod(_shape(x)))
        sources = np.ravel(np.pad(np.reshape(np.arange(size), _shape(x)), pad_width, mode))

        def added(weights):
            return np.bincount(sources, weights=np.ravel(weights), minlength=size)
        total = added(np.real(g)) + 1j * added(np.imag(g)) if np.iscomplexobj(g) else added(g)
        return np.reshape(total, _shape(x))
    if mode != "constant":
        raise NotImplementedError(f"the derivative of np.pad with mode={mode!r} is not implemented (constant, "
                                  "edge, reflect, symmetric and wrap are)")
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


def _inverse_nonzero(gap):
    """1 / gap, and 0 where gap is 0 (written without `out=`, so that its source can be differentiated)."""
    nonzero = gap != 0
    return np.where(nonzero, 1.0 / np.where(nonzero, gap, 1.0), 0.0)


def eigh_vectors_jvp(a, t):
    """The tangent of eigh_vectors(a) along t (distinct eigenvalues)."""
    w, v = np.linalg.eigh(a)
    gap = w[..., None, :] - w[..., :, None]
    f = _inverse_nonzero(gap)
    return v @ (f * (np.swapaxes(v, -1, -2) @ sym_lower(t) @ v))


def eigh_vectors_vjp(g, a):
    """The adjoint of eigh_vectors at a (distinct eigenvalues)."""
    w, v = np.linalg.eigh(a)
    gap = w[..., None, :] - w[..., :, None]
    f = _inverse_nonzero(gap)
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
        g = np.real(g)             # the output is real: an imaginary part on its adjoint means nothing
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


def polygamma(n, x):
    """scipy.special.polygamma(n, x): the n-th derivative of digamma, the derivative of log Γ. SciPy is
    optional: it is imported here, on the first call, by the rules for its gamma functions."""
    from scipy.special import polygamma
    return polygamma(n, x)


def direction(x):
    """x / |x|, and 0 where x is 0: np.sign(x) for real x, the unit phase of complex x."""
    if not np.iscomplexobj(x):
        return np.sign(x)
    modulus = np.abs(x)
    return x / np.where(modulus == 0, 1.0, modulus)


def abs_jvp(x, dx):
    """The tangent of |x| along dx: sign(x) dx for real x, Re(conj(x) dx) / |x| for complex x."""
    if not np.iscomplexobj(x):
        return np.sign(x) * dx
    return np.real(np.conj(direction(x)) * dx)


def angle_jvp(x, dx, deg=False):
    """The tangent of np.angle(x, deg) along dx: Im(conj(x) dx) / |x|², zero for real x."""
    if not np.iscomplexobj(x):
        return np.zeros(np.shape(dx))
    slope = np.imag(np.conj(x) * dx) / (np.real(x) ** 2 + np.imag(x) ** 2)
    return slope * (180 / np.pi) if deg else slope


def angle_grad(g, x, deg=False):
    """The adjoint of np.angle(x, deg): i Re(g) x / |x|², zero for real x."""
    if not np.iscomplexobj(x):
        return np.zeros(np.shape(x))
    adjoint = 1j * np.real(g) * x / (np.real(x) ** 2 + np.imag(x) ** 2)
    return adjoint * (180 / np.pi) if deg else adjoint


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


def size(x):
    """The number of items of x, read off its shape: np.size would compute a lazy (Dask) array."""
    return math.prod(np.shape(x))


def spread(g, x):
    """g, the adjoint of an array made from x (a list, say), as x's adjoint: g itself when it is an
    array, already of the shape; a number standing for a broadcast adjoint (a zero nothing reached)
    spread over x's shape, so that x's items can be read from it."""
    if type(g) is np.ndarray and g.ndim:
        return g
    return np.broadcast_to(g, np.shape(x))


def spread_over(g, x):
    """g, the adjoint of a reduction of all of x to a number, spread over x's shape as an array of x's
    library: NumPy's broadcast view of a number, or a lazy Dask array for a Dask array (never a
    NumPy array as large as x inside its graph)."""
    if type(x) is np.ndarray or not is_duck_array(x):
        return np.broadcast_to(g, np.shape(x))
    xp = own_namespace(x)
    if not is_duck_array(g):                # a number (the output's seed): an array of x's library
        g = xp.asarray(g, device=x.device) if xp is not None else np.asarray(g, like=x)
    return (xp or np).broadcast_to(g, x.shape)


def item_adjoint(g, i, z):
    """The adjoint of item i of a rule's tuple output z (zeros when nothing reached it)."""
    return _dense(zero if g is None else g[i], z[i])


def item_spread(g, i, z):
    """The adjoint of item_adjoint: a list like z holding g at i and rt.zero elsewhere."""
    return [g if k == i else zero for k in range(len(z))]


def eigh_gaps(w):
    """F[i, j] = 1 / (w[j] - w[i]) off the diagonal, 0 on it (distinct eigenvalues w)."""
    gap = np.expand_dims(w, -2) - np.expand_dims(w, -1)
    return np.divide(1.0, gap, out=np.zeros(np.shape(gap)), where=gap != 0)


# --- sorting and decompositions (rules/shape.py, rules/linalg.py) ---


def sorted_like(v, a, axis=-1):
    """v in the order that sorts a along axis (the tangent of np.sort(a, axis) along v; axis=None flattens)."""
    return np.take_along_axis(v, np.argsort(a, axis=axis, kind="stable"), axis=axis)


def unsort(g, a, axis=-1):
    """Adjoint of np.sort(a, axis): each element of g goes back to where its sorted element came from."""
    order = np.argsort(a, axis=axis, kind="stable")
    return np.reshape(np.take_along_axis(g, np.argsort(order, axis=axis), axis=axis), _shape(a))


def untake(g, a, indices, axis=None, mode="raise"):
    """Adjoint of np.take(a, indices, axis, mode=mode): g added back at the positions taken (repeated
    positions add up)."""
    if axis is None:
        return np.reshape(untake(g, np.ravel(a), indices, 0, mode), _shape(a))
    length = _shape(a)[axis]
    positions = np.asarray(indices)
    positions = np.clip(positions, 0, length - 1) if mode == "clip" else positions % length
    out = np.zeros(_shape(a), dtype=np.result_type(g, a, float))
    moved, g_moved = np.moveaxis(out, axis, 0), np.moveaxis(np.asarray(g), tuple(range(axis, axis + positions.ndim)),
                                                          tuple(range(positions.ndim)))
    np.add.at(moved, positions, g_moved)
    return out


def untake_along_axis(g, arr, indices, axis=-1):
    """Adjoint of np.take_along_axis(arr, indices, axis): g added back where each element was taken."""
    if axis is None:
        return np.reshape(untake_along_axis(g, np.ravel(arr), indices, 0), _shape(arr))
    out = np.zeros(_shape(arr), dtype=np.result_type(g, arr, float))
    axis = axis % out.ndim
    grid = np.ogrid[tuple(slice(n) for n in np.shape(indices))]
    index = tuple(np.asarray(indices) % out.shape[axis] if k == axis else grid[k] for k in range(out.ndim))
    np.add.at(out, index, np.broadcast_to(g, np.shape(indices)))
    return out


def unmeshgrid(g, z, xi, indexing="xy"):
    """Adjoint of np.meshgrid(*xi, indexing=indexing): each grid's adjoint summed over the axes its
    vector does not lie along."""
    out = []
    for i, x in enumerate(xi):
        along = 1 - i if indexing == "xy" and len(xi) > 1 and i < 2 else i
        piece = item_adjoint(g, i, z)
        others = tuple(k for k in range(np.ndim(piece)) if k != along)
        out.append(np.reshape(np.sum(piece, axis=others), _shape(x)))
    return out


def meshgrid_tangent(dxi, xi, sparse=False, indexing="xy"):
    """Tangent of np.meshgrid(*xi): the grids of the tangents (zeros for a constant vector)."""
    return np.meshgrid(*[np.zeros(_shape(x)) if t is zero else t for t, x in zip(dxi, xi)],
                       sparse=sparse, indexing=indexing)


def unbroadcast_arrays(g, z, arrays):
    """Adjoint of np.broadcast_arrays(*arrays): each output's adjoint summed back to its input's shape."""
    return [unbroadcast(item_adjoint(g, i, z), a) for i, a in enumerate(arrays)]


def broadcast_tangents(darrays, arrays):
    """Tangent of np.broadcast_arrays(*arrays) (zeros for a constant input)."""
    shape = np.broadcast_shapes(*[_shape(a) for a in arrays])
    return tuple(np.broadcast_to(np.zeros(_shape(a)) if t is zero else t, shape) for t, a in zip(darrays, arrays))


def ungradient(g, f, spacing, axis=None, edge_order=1):
    """Adjoint of np.gradient(f, *spacing, axis=axis, edge_order=edge_order): np.gradient is linear in f,
    and along each axis each output reads inputs at most two places away, so its transpose is five
    weighted shifts of g. The weights are NumPy's own, read off np.gradient applied to five combs."""
    axes, steps = _gradient_axes(f, spacing, axis)
    out = np.zeros(_shape(f), dtype=np.result_type(f, float))
    for k, (a, step) in enumerate(zip(axes, steps)):
        piece = g if len(axes) == 1 else g[k]
        if piece is zero or piece is None:
            continue
        n = np.shape(f)[a]
        moved, adjoint = np.moveaxis(np.asarray(piece), a, -1), np.moveaxis(out, a, -1)
        for j, band in enumerate(_gradient_bands(n, step, edge_order)):
            shift, weighted = j - 2, band * moved     # weighted[..., i] feeds input i + shift
            if shift >= 0:
                adjoint[..., shift:] += weighted[..., :n - shift]
            else:
                adjoint[..., :n + shift] += weighted[..., -shift:]
    return out


def regradient(g, spacing, axis=None, edge_order=1):
    """np.gradient(g, *spacing, axis=axis, edge_order=edge_order): the adjoint of ungradient."""
    return np.gradient(g, *spacing, axis=axis, edge_order=edge_order)


def _gradient_axes(f, spacing, axis):
    """The axes np.gradient differentiates along and the spacing along each."""
    ndim = np.ndim(f)
    axes = list(range(ndim)) if axis is None else [a % ndim for a in np.atleast_1d(axis)]
    steps = list(spacing) if len(spacing) == len(axes) else [spacing[0] if spacing else 1.0] * len(axes)
    return axes, steps


def _gradient_bands(n, step, edge_order):
    """bands[j, i]: the weight of input i + j - 2 in output i of np.gradient along an axis of length n.
    Comb r holds ones at the positions congruent to r mod 5; output i reads exactly one of them within
    two places."""
    bands = np.zeros((5, n))
    positions = np.arange(n)
    for r in range(5):
        comb = (positions % 5 == r).astype(float)
        bands[(r - positions + 2) % 5, positions] = np.gradient(comb, step, edge_order=edge_order)
    return bands


def unlist(g, v):
    """Adjoint of list(v) or tuple(v): the items' adjoints, stacked back into rows for an array v."""
    if isinstance(v, np.ndarray):
        return np.stack([_dense(item, row) for item, row in zip(g, v)]) if len(v) else np.zeros(v.shape)
    return g


def detached(x):
    """x, read as a constant: no derivative flows through (rules/definitions.py adds a piecewise constant
    correction computed from it)."""
    return x


def bessel_i1(x):
    """The modified Bessel function I1 (the derivative of np.i0): its power series up to |x| = 30, the
    asymptotic series beyond."""
    x = np.asarray(x, dtype=float)
    small = np.abs(x) <= 30
    half = np.where(small, x, 0.0) / 2
    term, series = half, half
    for k in range(1, 80):
        term = term * half * half / (k * (k + 1))
        series = series + term
    large = np.where(small, 30.0, np.abs(x))
    correction, factor = 1.0, 1.0
    for k in range(1, 12):
        factor = -factor * (4 - (2 * k - 1) ** 2) / (k * 8 * large)
        correction = correction + factor
    asymptotic = np.sign(x) * np.exp(large) / np.sqrt(2 * np.pi * large) * correction
    return np.where(small, series, asymptotic)


def bessel_i1_slope(x):
    """I1'(x) = I0(x) - I1(x) / x (1/2 at 0)."""
    x = np.asarray(x, dtype=float)
    away = np.where(x == 0, 1.0, x)
    return np.where(x == 0, 0.5, np.i0(x) - bessel_i1(x) / away)


def convolve_grad(g, a, v, mode="full"):
    """Adjoint of a in np.convolve(a, v, mode): g placed where its mode cuts it from the full convolution,
    correlated with v."""
    full = len(a) + len(v) - 1
    start = {"full": 0, "same": (min(len(a), len(v)) - 1) // 2, "valid": min(len(a), len(v)) - 1}[mode]
    placed = np.zeros(full, dtype=np.result_type(g, float))
    placed[start:start + len(g)] = g
    return np.correlate(placed, v, "valid")


def cast_adjoint(g, a, dtype):
    """Adjoint of a.astype(dtype): g in a's kind (real for a real a), zero through a cast to integers
    or booleans (piecewise constant)."""
    if not np.issubdtype(np.dtype(dtype), np.inexact):
        return np.zeros(_shape(a))
    return match_real(g, a)


def cast_tangent(da, dtype):
    """Tangent of a.astype(dtype): the cast tangent, zero where the cast lands on integers or booleans."""
    if not np.issubdtype(np.dtype(dtype), np.inexact):
        return np.zeros(np.shape(da))
    return np.asarray(da).astype(dtype)


def _mT(x):
    """The transpose of each matrix in a stack."""
    return np.swapaxes(x, -1, -2)


def _reduced_qr(q, r, mode):
    if mode not in ("reduced", "complete") or (mode == "complete" and q.shape[-2] != r.shape[-1]):
        raise NotImplementedError(f"the derivative of np.linalg.qr with mode={mode!r} is not implemented")
    if r.shape[-2] < r.shape[-1]:
        raise NotImplementedError("the derivative of np.linalg.qr of a matrix with more columns than rows "
                                  "is not implemented")


def qr_jvp(da, q, r, mode="reduced"):
    """The tangents (dQ, dR) of the reduced QR decomposition a = q r (as many rows as columns or more, full
    rank) along da. With C = qᵀ da r⁻¹ and Ω = tril(C, -1) - tril(C, -1)ᵀ: dR = (C - Ω) r, dQ = da r⁻¹ - q (C - Ω)."""
    _reduced_qr(q, r, mode)
    da_rinv = _mT(np.linalg.solve(_mT(r), _mT(da)))
    c = _mT(q) @ da_rinv
    upper = np.triu(c) + _mT(np.tril(c, -1))            # C - Ω, upper triangular
    return da_rinv - q @ upper, upper @ r


def qr_grad(gq, gr, q, r, mode="reduced"):
    """The adjoint of a in q, r = np.linalg.qr(a) (reduced, as many rows as columns or more, full rank):
    (gq + q S) r⁻ᵀ with M = gr rᵀ - qᵀ gq and S = triu(M) + triu(M, 1)ᵀ (the transpose of qr_jvp)."""
    _reduced_qr(q, r, mode)
    m = gr @ _mT(r) - _mT(q) @ gq
    s = np.triu(m) + _mT(np.triu(m, 1))
    return _mT(np.linalg.solve(r, _mT(gq + q @ s)))


def _thin_svd(a, z, full_matrices, compute_uv):
    """Refuse full_matrices=True for a matrix that is not square (the extra columns of u or v are arbitrary)."""
    if compute_uv and full_matrices and np.shape(a)[-1] != np.shape(a)[-2]:
        raise NotImplementedError("the derivative of np.linalg.svd with full_matrices=True is implemented for "
                                  "square matrices only: pass full_matrices=False")


def _svd_parts(a, z, compute_uv):
    """u, s, vh of the thin SVD of a (z when the call computed them)."""
    return (z[0], z[1], z[2]) if compute_uv else np.linalg.svd(a, full_matrices=False)


def svd_jvp(a, da, z, full_matrices=True, compute_uv=True):
    """The tangent of np.linalg.svd(a, full_matrices, compute_uv) along da (real a, distinct nonzero singular
    values): ds = diag(uᵀ da v); du, dv rotate u and v by F * (...) with F[i, j] = 1 / (s[j]² - s[i]²), plus
    the parts of da outside their spans (zero at a zero singular value, see _over)."""
    _thin_svd(a, z, full_matrices, compute_uv)
    u, s, vh = _svd_parts(a, z, compute_uv)
    v = _mT(vh)
    dp = _mT(u) @ da @ v
    ds = np.diagonal(dp, axis1=-2, axis2=-1)
    if not compute_uv:
        return ds
    f = eigh_gaps(s ** 2)
    rows, cols = np.expand_dims(s, -1), np.expand_dims(s, -2)      # S X scales rows, X S columns
    du = u @ (f * (dp * cols + rows * _mT(dp))) + _over(da @ v - u @ dp, cols)
    dv = v @ (f * (rows * dp + _mT(dp) * cols)) + _over(_mT(da) @ u - v @ _mT(dp), cols)
    return du, ds, _mT(dv)


def _over(x, s):
    """x / s, and 0 where s is 0: at a zero singular value the singular vectors have no derivative, and
    their terms are taken as zero (as np.abs's slope at 0 is), so that a product with a zero tangent
    stays zero. Written with differentiable operations (adjoint differentiates it again)."""
    nonzero = s != 0
    return x / np.where(nonzero, s, 1.0) * nonzero


def svd_grad(g, a, z, full_matrices=True, compute_uv=True):
    """The adjoint of a in np.linalg.svd(a, full_matrices, compute_uv) (real a, distinct nonzero singular
    values): u [(J + Jᵀ) S + diag(gs) + S (K + Kᵀ)] vᵀ + (I - u uᵀ) gu S⁻¹ vᵀ + u S⁻¹ gvᵀ (I - v vᵀ), with
    J = F * (uᵀ gu), K = F * (vᵀ gv) (the transpose of svd_jvp)."""
    _thin_svd(a, z, full_matrices, compute_uv)
    u, s, vh = _svd_parts(a, z, compute_uv)
    if not compute_uv:
        return u @ (np.expand_dims(g, -1) * vh)
    gu, gs, gvh = item_adjoint(g, 0, z), item_adjoint(g, 1, z), item_adjoint(g, 2, z)
    v, gv = _mT(vh), _mT(gvh)
    f = eigh_gaps(s ** 2)
    j, k = f * (_mT(u) @ gu), f * (vh @ gv)
    rows, cols = np.expand_dims(s, -1), np.expand_dims(s, -2)
    core = (j + _mT(j)) * cols + np.expand_dims(gs, -1) * np.eye(np.shape(s)[-1]) + rows * (k + _mT(k))
    outside_u = _over(gu - u @ (_mT(u) @ gu), cols) @ vh
    outside_v = u @ _over(gvh - (gvh @ v) @ vh, rows)
    return u @ core @ vh + outside_u + outside_v


# (the helpers below select entries with masks and permutation matrices, so that adjoint can differentiate
# their source again: the Hessian of code that calls np.linalg.eig)


def _inverse_gaps(w):
    """F[i, j] = 1 / (w[j] - w[i]) off the diagonal, 0 on it (real or complex, distinct w)."""
    gap = np.expand_dims(w, -2) - np.expand_dims(w, -1)
    off = gap != 0
    return off / np.where(off, gap, 1.0)


def _eigenvectors_of(a, w):
    """The eigenvectors of a in the order of the eigenvalues w (np.linalg.eigvals may order them differently
    from np.linalg.eig)."""
    found, v = np.linalg.eig(a)
    if np.array_equal(found, w):
        return v
    order = np.argmin(np.abs(np.expand_dims(w, -1) - np.expand_dims(found, -2)), axis=-1)
    return v @ (np.expand_dims(np.arange(np.shape(w)[-1]), -1) == np.expand_dims(order, -2))


def eigvals_jvp(a, da, w):
    """The tangent of w = np.linalg.eigvals(a) along da (distinct eigenvalues): diag(V⁻¹ da V)."""
    v = _eigenvectors_of(a, w)
    return np.diagonal(np.linalg.solve(v, da @ v), axis1=-2, axis2=-1)


def eigvals_grad(g, a, w):
    """The adjoint of a in w = np.linalg.eigvals(a) (distinct eigenvalues): V⁻ᴴ diag(g) Vᴴ, real for a real a."""
    vh = np.conj(_mT(_eigenvectors_of(a, w)))
    return match_real(np.linalg.solve(vh, np.expand_dims(g, -1) * vh), a)


def _largest_entries(v):
    """A mask shaped like v that marks each column's largest entry (by modulus). LAPACK makes that entry
    real: with the unit norm it fixes each eigenvector's free complex factor."""
    rows = np.argmax(np.abs(v), axis=-2)
    return np.expand_dims(np.arange(np.shape(v)[-2]), -1) == np.expand_dims(rows, -2)


def eig_jvp(a, da, z):
    """The tangents (dw, dV) of (w, V) = np.linalg.eig(a) along da (distinct eigenvalues): with P = V⁻¹ da V,
    dw = diag(P) and dV = V (F * P) + V diag(c), where c keeps each column of unit norm and its largest entry
    real, as LAPACK returns them."""
    w, v = z
    p = np.linalg.solve(v, da @ v)
    dv = v @ (_inverse_gaps(w) * p)
    mask = _largest_entries(v)
    largest, dlargest = np.sum(mask * v, axis=-2, keepdims=True), np.sum(mask * dv, axis=-2, keepdims=True)
    c = -np.real(np.sum(np.conj(v) * dv, axis=-2, keepdims=True)) - 1j * np.imag(dlargest / largest)
    return np.diagonal(p, axis1=-2, axis2=-1), dv + v * c


def eig_grad(gw, gv, a, z):
    """The adjoint of a in (w, V) = np.linalg.eig(a) (distinct eigenvalues): V⁻ᴴ (diag(gw) + conj(F) * (Vᴴ X)) Vᴴ,
    where X is gv less what the normalisation of eig_jvp takes away; real for a real a."""
    w, v = z
    s = np.sum(np.conj(v) * gv, axis=-2, keepdims=True)
    mask = _largest_entries(v)
    largest = np.sum(mask * v, axis=-2, keepdims=True)
    x = gv - v * np.real(s) - mask * (1j * np.imag(s) / np.conj(largest))
    vh = np.conj(_mT(v))
    inner = np.expand_dims(gw, -1) * np.eye(np.shape(w)[-1]) + np.conj(_inverse_gaps(w)) * (vh @ x)
    return match_real(np.linalg.solve(vh, inner @ vh), a)


# --- writes into arrays, lists and dicts (the state model: see writes.py) ------------------------
# Unlike the rest of the runtime, these change an argument in place: the object a store writes into
# (as the user's own code does), or an adjoint or tangent buffer that the generated code made itself
# and shares with nothing (a buffer starts as rt.zero; the first contribution allocates it).

# --- `with` blocks (desugar.lower_with): the context managers entered and not yet left, per thread;
# a derivative that raises leaves them (the API calls unwind), as Python's `with` would
_ENTERED = threading.local()


def enter(manager):
    """`with manager as v:` entered: v."""
    value = manager.__enter__()
    _entered().append(manager)
    return value


def leave(manager):
    """The end of the `with` block (or a `return`, `break` or `continue` leaving it)."""
    _entered().pop()
    manager.__exit__(None, None, None)


def unwind(exc):
    """Leave every block a derivative entered and did not leave, innermost first, telling each
    manager the exception (what it returns is not honoured: the derivative cannot go on)."""
    entered = _entered()
    while entered:
        entered.pop().__exit__(type(exc), exc, exc.__traceback__)


def _entered():
    stack = getattr(_ENTERED, "stack", None)
    if stack is None:
        stack = _ENTERED.stack = []
    return stack


def new(cls):
    """A new object of a user class, before its `__init__` (which inline.py runs as stores into it)."""
    return object.__new__(cls)


def write(slot, value):
    """The IR's form of `y[index] = value` (`y_2 = rt.write(y_1[index], value)`, see writes.py); the
    generators emit the store itself, so generated code never calls this."""
    raise TypeError("rt.write is the compiler's form of a store and is not called")


def append(xs, value):
    """The IR's form of `xs.append(value)` (`xs_2 = rt.append(xs_1, value)`, see writes.py)."""
    raise TypeError("rt.append is the compiler's form of a store and is not called")


def insert(xs, position, value):
    """The IR's form of `xs.insert(position, value)` (see writes.py)."""
    raise TypeError("rt.insert is the compiler's form of a store and is not called")


def remove(xs, position):
    """The IR's form of `xs.pop(position)` (see writes.py)."""
    raise TypeError("rt.remove is the compiler's form of a store and is not called")


def _inserted_at(length_before, position):
    """Where `xs.insert(position, v)` puts v in a list that held length_before items."""
    if position < 0:
        return max(0, length_before + position)
    return min(position, length_before)


def inserted(dxs, position):
    """The adjoint of the value `xs.insert(position, v)` stored, from the buffer of the list's adjoint."""
    return zero if dxs is zero else dxs[_inserted_at(len(dxs) - 1, position)]


def uninsert(xs, position):
    """Undo `xs.insert(position, v)` in place (on a list, or on the buffer of its adjoint)."""
    if xs is not zero:
        del xs[_inserted_at(len(xs) - 1, position)]
    return xs


def unremove(xs, position, old):
    """Undo `xs.pop(position)` in place: old back where it was (on a list, or zero on the buffer of its
    adjoint)."""
    if xs is not zero:
        xs.insert(position if position >= 0 else len(xs) + 1 + position, old)
    return xs


def unshared(t, buffer):
    """t, or a copy of it where it shares memory with buffer (a tangent buffer that stores change)."""
    if isinstance(t, np.ndarray) and isinstance(buffer, np.ndarray) and np.may_share_memory(t, buffer):
        return t.copy()
    return t


def unappend(xs):
    """Undo `xs.append(v)` (the backward sweep runs the program backwards)."""
    xs.pop()
    return xs


def last(dxs):
    """The adjoint of the value the last append stored, from the buffer of the list's adjoint."""
    return zero if dxs is zero or len(dxs) == 0 else dxs[-1]


def drop_last(dxs):
    """The buffer of a list's adjoint before its last append: its last item dropped, in place."""
    if dxs is not zero and len(dxs):
        dxs.pop()
    return dxs


def private(x):
    """A copy of a parameter the function writes into: the caller's object is never changed (an
    object of a user class: a shallow copy, whose attributes stores rebind)."""
    if isinstance(x, np.ndarray) or is_duck_array(x):
        return copied(x)
    if isinstance(x, list):
        return list(x)
    if isinstance(x, dict):
        return dict(x)
    if is_object(x):
        return copy.copy(x)
    return x


def copied(x):
    """A copy of an array of any library (a Dask array's stores change the object they are made on)."""
    if isinstance(x, np.ndarray):
        return x.copy()
    xp = own_namespace(x)
    return xp.asarray(x, copy=True) if xp is not None else x.copy()


def private_deep(x):
    """A copy of a parameter the function updates inside (an array one of its attributes holds):
    arrays, lists, dicts and objects copied all the way down, numbers shared."""
    if isinstance(x, np.ndarray) or is_duck_array(x):
        return copied(x)
    if isinstance(x, list):
        return [private_deep(v) for v in x]
    if isinstance(x, dict):
        return {k: private_deep(v) for k, v in x.items()}
    if isinstance(x, tuple):
        items = [private_deep(v) for v in x]
        return type(x)(*items) if hasattr(x, "_fields") else tuple(items)
    if is_object(x):
        out = copy.copy(x)
        for name, value in attributes(x).items():
            object.__setattr__(out, name, private_deep(value))
        return out
    return x


class _Absent:
    """What `overwritten` saves for a dict key a store adds: restoring it deletes the key."""

    def __repr__(self):
        return "rt.absent"


absent = _Absent()


def overwritten(y, index):
    """What y[index] (or the attribute y.index of an object) holds before a store replaces it (a copy:
    a slice of an array is a view)."""
    if isinstance(y, dict) and index not in y:
        return absent
    if type(index) is str and not isinstance(y, dict):
        return getattr(y, index, absent)
    old = y[index]
    return copied(old) if isinstance(old, np.ndarray) or is_duck_array(old) else old


def restore(y, index, old):
    """Undo a store into a dict or an attribute (the backward sweep runs the program backwards): put
    back what `overwritten` saved, or delete a key or an attribute the store added."""
    if type(index) is str and not isinstance(y, dict):
        if old is absent:
            delattr(y, index)
        else:
            object.__setattr__(y, index, old)
    elif old is absent:
        del y[index]
    else:
        y[index] = old
    return y


def written(dy, index, shape):
    """The adjoint of the value a store `y[index] = value` wrote, from the buffer dy of y's adjoint: a copy
    of dy[index] summed to the value's shape. An index array naming a slot twice wrote only its last
    value there (as NumPy does), so the earlier ones get zero."""
    if type(dy) is np.ndarray and _is_basic(index):     # the common case: a slice of an array, as stored
        g = dy[index].copy()
        if g.shape == shape:
            return g
        return _sum_to_shape(g, shape) if g.ndim else g[()]
    if dy is zero:
        return zero
    if isinstance(dy, dict):            # (an object's adjoint: an attribute nothing reached is missing)
        return dy.get(index, zero)
    if isinstance(dy, list):
        return dy[index]
    if is_duck_array(dy) and _is_basic(index):    # another library's array (a lazy Dask array): its own copy
        return _sum_to_shape(copied(dy[index]), shape)
    g = np.array(dy[index], copy=True)
    positions = np.asarray(index) if isinstance(index, (list, np.ndarray)) else None
    if positions is not None and positions.dtype.kind in "iu" and positions.ndim == 1 and positions.size > 1:
        _, last = np.unique(positions[::-1] % np.shape(dy)[0], return_index=True)
        kept = np.zeros(positions.size, dtype=bool)
        kept[positions.size - 1 - last] = True
        g[~kept] = 0
    return _sum_to_shape(g, shape) if np.ndim(g) else g[()]


def _sum_to_shape(g, shape):
    extra = np.ndim(g) - len(shape)
    axes = tuple(range(extra)) + tuple(i + extra for i, n in enumerate(shape) if n == 1 and g.shape[i + extra] != 1)
    lib = own_namespace(g) or np
    g = lib.sum(g, axis=axes, keepdims=True) if axes else g
    return lib.reshape(g, shape) if shape or lib is not np else g.reshape(())[()]


def clear(dy, index):
    """dy with dy[index] set to zero, in place: before the store, y[index] held a value the store
    replaced, which the output does not depend on."""
    if dy is zero:
        return zero
    if isinstance(dy, (list, dict)):
        if isinstance(dy, dict) and index not in dy:
            return dy
        dy[index] = [zero] * len(range(len(dy))[index]) if isinstance(index, slice) else zero
        return dy
    dy[index] = 0
    return dy


def cleared(g, index):
    """A copy of g with g[index] zero (clear, for an adjoint the caller does not own)."""
    if g is zero:
        return zero
    return clear(g.copy() if isinstance(g, (np.ndarray, list, dict)) else copied(g) if is_duck_array(g) else g, index)


def add_into(dy, e, like):
    """dy + e, added into the buffer dy in place; dy is rt.zero until the first contribution, which
    allocates it shaped like the object `like` (e may be smaller: a broadcast adjoint)."""
    if type(dy) is np.ndarray and type(e) is np.ndarray and e.dtype == dy.dtype:    # the common case
        dy += e
        return dy
    if isinstance(like, (list, tuple, dict)) or not isinstance(like, np.ndarray) and is_object(like):
        if isinstance(e, np.ndarray):           # a list read as an array (np.sum(xs)): its items' adjoints
            e = list(np.array(e, copy=True))
        if isinstance(like, (list, tuple)) and (_numbers(like) or e is zero):
            # the buffer of a list of numbers holds numbers, made here (it is added into with `dy[i] += g`,
            # which must change no array an adjoint holds): zeros, then each contribution added
            return add(buffer(like) if dy is zero else dy, e)
        return private(e) if dy is zero else add(dy, e)     # (a buffer shares no list with an adjoint)
    if dy is zero:
        dy = buffer(like) if e is zero or own_namespace(like) else \
            zeros_shaped(like, np.result_type(_dtype(like), _dtype(e), float))
    if e is zero:
        return dy
    if type(dy) is not np.ndarray or is_duck_array(e) or np.result_type(dy, e) != dy.dtype:
        return dy + e       # another library's array (Dask's, which no NumPy buffer holds), or a complex
                            # contribution to a real buffer: a new array
    dy += e
    return dy


def _numbers(items):
    """Whether a list or tuple holds numbers only (its adjoint buffer is a list of floats)."""
    return all(isinstance(v, (int, float, complex, np.number)) and not isinstance(v, bool) for v in items)


def buffer(like):
    """The adjoint buffer of an array before anything reached it: zeros (real ones for a real array);
    of a list of numbers, a list of zeros."""
    if isinstance(like, (list, tuple)):
        return [0.0] * len(like)
    return zeros_shaped(like)


def add_at(dy, index, g, like):
    """dy with g added at dy[index], in place (repeated indices add up): the adjoint of reading an item
    or slice of a written object, without an array of zeros per read."""
    if type(dy) is np.ndarray and (type(g) is float or type(g) is np.ndarray and g.dtype == dy.dtype) \
            and _is_basic(index):                      # the common case, in few checks
        dy[index] += g
        return dy
    if dy is zero and type(like) is np.ndarray and like.dtype == _FLOAT64 \
            and (type(g) is float or type(g) is np.ndarray and g.dtype == _FLOAT64) and _is_basic(index):
        dy = np.zeros(like.shape)                     # the first add into a float64 array's buffer
        dy[index] = g                                 # (a basic index names each item once)
        return dy
    if isinstance(like, (list, tuple, dict)):         # (a tuple's buffer is a list: it is written into)
        if dy is zero:
            dy = zeros_like(like) if isinstance(like, dict) else buffer(like) if _numbers(like) else [zero] * len(like)
        dy[index] = add(dy[index], g)
        return dy
    if not isinstance(like, np.ndarray) and is_object(like):    # an attribute: a dict keyed by its name
        dy = {} if dy is zero else dy
        dy[index] = add(dy.get(index, zero), g)
        return dy
    if is_duck_array(like):                           # a lazy array's buffer: a new graph per add
        dy = buffer(like) if dy is zero else dy
        if g is not zero and _is_basic(index):
            dy[index] = dy[index] + g
        elif g is not zero:
            dy = _scattered(dy, index, g)
        return dy
    if dy is zero:
        dy = buffer(like) if g is zero else np.zeros(_shape(like), dtype=np.result_type(like, g, float))
    if g is zero:
        return dy
    elif np.result_type(dy, g) != dy.dtype:
        dy = dy.astype(np.result_type(dy, g))
    if _is_basic(index):
        dy[index] += g
    else:
        np.add.at(dy, index, g)
    return dy


def tangent_buffer(t, like):
    """A tangent of the object `like` that stores may write into: a copy of t (or zeros for rt.zero),
    shaped like the object (an object's: a dict keyed by attribute name)."""
    if isinstance(like, (list, tuple, dict)):
        return private(zeros_like(like) if t is zero else t)
    if not isinstance(like, np.ndarray) and is_object(like):
        return {} if t is zero else dict(t) if isinstance(t, dict) else \
            {name: value for name, value in attributes(t).items() if differentiable(value)}
    if is_duck_array(like):
        return zeros_shaped(like) + (0.0 if t is zero else t)
    out = np.zeros(_shape(like), dtype=np.result_type(like, t, float))
    if t is not zero:
        out += t
    return out


# the arguments (by position) these read only for their shape and type, never their values
# what updates its first argument in place (and returns it): generated code reads the object after
IN_PLACE = {add_into, add_at, clear, restore, unappend, drop_last, uninsert, unremove}

SHAPE_ONLY = {unbroadcast: (1,), unreduce: (1,), like: (1,), unindex: (1,), broadcast_like: (1,),
              reduce_like: (1,), add_into: (2,), add_at: (3,), tangent_buffer: (1,), zeros_like: (0,), buffer: (0,)}


OUTER_CHUNK = 16       # iterations whose outer products are summed at once (measured on the benchmark's
                       # RNNs: the time of summing all at once within 20%, the memory of the tape)


def outer_sum(rows, cols):
    """The sum of np.outer(rows[k], cols[k]) over k, as one matrix product: a backward loop's
    adjoint of a matrix-vector product, collected per iteration and summed after the loop
    (cleanup.batch_outer_products). Pairs holding a zero adjoint add nothing."""
    pairs = [(a, b) for a, b in zip(rows, cols) if a is not zero and b is not zero]
    if not pairs:
        return zero
    left = np.reshape(np.stack([a for a, _ in pairs]), (len(pairs), -1))
    right = np.reshape(np.stack([b for _, b in pairs]), (len(pairs), -1))
    return left.T @ right


def outer_sum_adjoint(g, others, like):
    """The adjoints of outer_sum's items `like` (its rows, given g; or its columns, given g.T), where
    `others` are the items each was multiplied by."""
    return [zero if g is zero or o is zero else np.reshape(g @ np.ravel(o), np.shape(item))
            for o, item in zip(others, like)]
