"""Shape analysis: the array shape of each SSA name, given the arguments' shapes.

A shape is a tuple whose entries are sizes or None (size unknown); () is a scalar. Names whose
shape cannot be told are absent. Reverse mode uses the result to sum broadcast operands back with
plain `np.sum(g, axis=...)`, to skip that work where shapes provably agree, and to pick the
matrix-calculus form of a rule (`np.outer(g, b)`, `a.T @ g`) for the operands' number of dimensions.

The shape of a complex value is a ComplexShape. Reverse mode takes the complex form of its rules
(adjoints multiply by conjugates) in a function where any value may be complex; when a complex value's
shape cannot be told (an FFT of an argument of unknown shape, a complex constant times one), the
result holds a ComplexShape under the key COMPLEX_VALUES, which is no variable's name.
"""
import builtins
import collections
import functools
import inspect
import math
import operator

import gast
import numpy as np

from . import ir, runtime
from .frontend import ObjectList
from .writes import RESIZES, is_write_call, store_kind

_UNSET = object()          # not computed yet (optimistic start for loops)


class _Sequence:
    """The shape of a Python container: a list or tuple (of anything, or of numbers), a dict."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return self.name


SEQUENCE = _Sequence("SEQUENCE")
NUMBERS = _Sequence("NUMBERS")      # a list or tuple of real numbers: each item's shape is ()
SIZES = _Sequence("SIZES")          # a tuple of sizes, such as x.shape: its items are numbers
MAPPING = _Sequence("MAPPING")      # a dict
OBJECT = _Sequence("OBJECT")        # an object of a user class: its adjoint is a dict keyed by attribute name


def is_sequence(shape):
    """Whether shape is a list's or tuple's (of anything, or of numbers)."""
    return shape is SEQUENCE or shape is NUMBERS


def is_container(shape):
    return is_sequence(shape) or shape is MAPPING or shape is OBJECT


def sequence_of(items):
    """NUMBERS for a list of items whose shapes are all () (real numbers), else SEQUENCE."""
    return NUMBERS if all(item == () and not is_complex(item) for item in items) else SEQUENCE


_SCALAR_CALLS = {builtins.len, builtins.int, builtins.float, builtins.bool, builtins.round, builtins.abs}
_REDUCTIONS = {np.sum, np.mean, np.max, np.min, np.amax, np.amin, np.prod}
_METHOD_REDUCTIONS = {"sum", "mean", "max", "min", "prod"}


class ComplexShape(tuple):
    """The shape of a complex argument: a shape that is not equal to the real one."""

    def __eq__(self, other):
        return type(other) is ComplexShape and tuple.__eq__(self, other)

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash(("complex", tuple(self)))

    def __repr__(self):
        return f"ComplexShape({tuple(self)!r})"


COMPLEX_VALUES = "<complex values>"     # the key that says "this function computes with complex values"


def is_complex(shape):
    return isinstance(shape, ComplexShape)


def _complex_if(shape, complex_):
    """shape (a tuple, or None, or a container) marked complex or real as complex_ says."""
    if not isinstance(shape, tuple):
        return shape
    return ComplexShape(shape) if complex_ else tuple(shape)


# results that are complex whatever their input: the FFTs but the inverse real ones, eigen-decompositions
# of general matrices, complex constructors
_FFTS = {getattr(np.fft, n) for n in ("fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "rfft", "rfft2", "rfftn")}
_REAL_FFTS = {getattr(np.fft, n) for n in ("irfft", "irfft2", "irfftn", "hfft")}
_TRANSFORMS = _FFTS | _REAL_FFTS
_COMPLEX_SOURCES = _FFTS | {np.linalg.eig, np.linalg.eigvals, complex, np.complex64, np.complex128,
                            np.complexfloating, np.fft.ihfft}
_REAL_PARTS = {np.real, np.imag, np.abs, np.angle}      # real results of complex arguments
# calls that return a list or tuple of arrays; keyword -> the constant values that make them return one array
_SEQUENCE_CALLS = {np.split: {}, np.array_split: {}, np.linalg.slogdet: {}, np.linalg.eigh: {},
                   np.linalg.eig: {}, np.linalg.qr: {"mode": ("r",)}, np.linalg.svd: {"compute_uv": (False,)}}


def shape_of(value):
    """The shape key of a run-time argument: () for numbers, the shape of an array, None otherwise."""
    kind = type(value)
    if kind is float or kind is int:
        return ()
    if kind is np.ndarray:
        return ComplexShape(value.shape) if value.dtype.kind == "c" else value.shape
    if isinstance(value, (complex, np.complexfloating)):
        return ComplexShape(())
    if isinstance(value, (bool, int, float, np.generic)):
        return ()
    if isinstance(value, np.ndarray):
        return value.shape
    if runtime.is_duck_array(value):               # sizes of a lazy array may be unknown (nan)
        return tuple(n if isinstance(n, int) else None for n in value.shape)
    if isinstance(value, (list, tuple)) and not hasattr(kind, "_fields"):    # (a NamedTuple is an object)
        return NUMBERS if all(isinstance(v, (float, int)) for v in value) else SEQUENCE
    if isinstance(value, dict):
        return MAPPING
    return None


def generalize(shape):
    """Keep the number of dimensions (and whether complex), forget the sizes: (3, 4) -> (None, None)."""
    if not isinstance(shape, tuple) or not shape:       # (a number's, or a container's)
        return shape
    return _complex_if(tuple(None for _ in shape), is_complex(shape))



def broadcast(*shapes):
    """NumPy's broadcasting of shape patterns, or None when it cannot be told."""
    if any(s is None or isinstance(s, _Sequence) for s in shapes):
        return None
    ndim = max(len(s) for s in shapes)
    out = []
    for axis in range(ndim):
        dims = {s[axis - ndim + len(s)] for s in shapes if axis - ndim + len(s) >= 0}
        known = {d for d in dims if d is not None and d != 1}
        if len(known) > 1:
            return None
        if known:
            out.append(known.pop())
        elif None in dims:
            out.append(None)
        else:
            out.append(1)
    return tuple(out)


def matmul(a, b):
    if a is None or b is None or isinstance(a, _Sequence) or isinstance(b, _Sequence) or not a or not b:
        return None
    if len(a) == 1 and len(b) == 1:
        return ()
    if len(a) == 1:
        return b[:-2] + b[-1:]
    if len(b) == 1:
        return a[:-1]
    batch = broadcast(a[:-2], b[:-2])
    return None if batch is None else batch + (a[-2], b[-1])


def _join(a, b):
    if a is _UNSET:
        return b
    if b is _UNSET or a == b:
        return a
    if isinstance(a, _Sequence) or isinstance(b, _Sequence):
        return SEQUENCE if is_sequence(a) and is_sequence(b) else None
    if a is None or b is None or len(a) != len(b):
        return None
    return _complex_if(tuple(x if x == y else None for x, y in zip(a, b)), is_complex(a) or is_complex(b))


def _fields_stored(stmts, parsed):
    """({attribute: [values stored into it]}, the names that are objects made in this function): an
    attribute of such an object holds only what the function stored into it."""
    stored, made = {}, set()
    assigns = [s for s in stmts if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name)]
    for stmt in assigns:
        if is_write_call(stmt.value) and isinstance(stmt.value.args[0], gast.Attribute):
            stored.setdefault(stmt.value.args[0].attr, []).append(stmt.value.args[1])
    sources = {}                # name -> the names it is a version of ([] for `rt.new(C)`), for candidates
    for stmt in assigns:
        name, value = ir.target_name(stmt), stmt.value
        if isinstance(value, gast.Call) and parsed.resolve(value.func) is runtime.new:
            sources[name] = []
        elif ir.is_phi(stmt) or is_write_call(value) or isinstance(value, gast.Name):
            sources[name] = [a for a in ir.phi_args(stmt) if a] if ir.is_phi(stmt) else \
                [value.args[0].value.id] if is_write_call(value) else [value.id]
    made = set(sources)         # the greatest fixpoint: a loop's phi reads a version defined later
    changed = True
    while changed:
        changed = False
        for name in list(made):
            if not all(a in made for a in sources[name]):
                made.discard(name)
                changed = True
    return stored, made


class _Shapes:
    def __init__(self, parsed, shapes, fields=({}, set())):
        self.parsed = parsed
        self.shapes = shapes
        self.field_values, self.made_here = fields
        self.sizes = {}         # name -> the integer (or tuple of them) it holds, read off known shapes
        self.items = {}         # name -> the item nodes of the list or tuple display it holds

    def size(self, node):
        """The integer node stands for, when literals and known shapes tell it (`W.shape[0] // 4` for W
        of shape (8, 3) is 2); a tuple of them for `W.shape`; None otherwise. Never read from an
        argument's value: code is specialised on shapes, not on integers passed in."""
        if isinstance(node, gast.Constant):
            return node.value if type(node.value) is int else None
        if isinstance(node, gast.Name):
            return self.sizes.get(node.id)
        if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
            inner = self.size(node.operand)
            return -inner if type(inner) is int else None
        if isinstance(node, gast.Attribute) and node.attr == "shape":
            shape = self.of(node.value)
            known = isinstance(shape, tuple) and not isinstance(shape, _Sequence) and None not in shape
            return tuple(shape) if known else None
        if isinstance(node, gast.Subscript):
            base, index = self.size(node.value), self.size(node.slice)
            if type(base) is tuple and type(index) is int and -len(base) <= index < len(base):
                return base[index]
            return None
        if isinstance(node, gast.BinOp) and type(node.op) in _SIZE_ARITHMETIC:
            left, right = self.size(node.left), self.size(node.right)
            if type(left) is int and type(right) is int and not (right == 0 and isinstance(node.op, (gast.FloorDiv, gast.Mod))):
                return _SIZE_ARITHMETIC[type(node.op)](left, right)
            return None
        if isinstance(node, gast.Call) and len(node.args) == 1 and not node.keywords \
                and self.parsed is not None and self.parsed.resolve(node.func) is builtins.len:
            shape = self.of(node.args[0])
            if isinstance(shape, tuple) and not isinstance(shape, _Sequence) and shape and type(shape[0]) is int:
                return shape[0]
        return None

    def of(self, node):
        if isinstance(node, gast.Constant):
            if isinstance(node.value, complex):
                return ComplexShape(())
            return () if isinstance(node.value, (bool, int, float)) else None
        if isinstance(node, gast.Name):
            shape = self.shapes.get(node.id, None)
            return None if shape is _UNSET else shape
        if isinstance(node, (gast.List, gast.Tuple)):
            return sequence_of([self.of(e) for e in node.elts])
        return None

    def value(self, stmt):
        value = stmt.value
        if ir.is_phi(stmt):
            result = _UNSET
            for arg in ir.phi_args(stmt):
                if arg is not None:
                    result = _join(result, self.shapes.get(arg, None))
            return result
        if isinstance(value, (gast.Name, gast.Constant)):
            return self.of(value)
        if isinstance(value, gast.BinOp):
            left, right = self.of(value.left), self.of(value.right)
            if is_sequence(left) and is_sequence(right) and isinstance(value.op, gast.Add):
                return NUMBERS if left is NUMBERS and right is NUMBERS else SEQUENCE
            if isinstance(value.op, gast.Mult) and (is_sequence(left) and _is_int(value.right)
                                                    or _is_int(value.left) and is_sequence(right)):
                return left if is_sequence(left) else right             # a list repeated n times
            result = matmul(left, right) if isinstance(value.op, gast.MatMult) else broadcast(left, right)
            return _complex_if(result, is_complex(left) or is_complex(right))
        if isinstance(value, (gast.Tuple, gast.List)):
            return sequence_of([self.of(e) for e in value.elts])
        if isinstance(value, gast.Dict):
            return MAPPING
        if isinstance(value, gast.UnaryOp):
            return () if isinstance(value.op, gast.Not) else self.of(value.operand)
        if isinstance(value, gast.Compare) and all(isinstance(n, (gast.Name, gast.Constant))
                                                   for n in [value.left] + value.comparators):
            return broadcast(*(self.of(n) for n in [value.left] + value.comparators))
        if isinstance(value, gast.Attribute):
            if library_constant(value, self.parsed) is not None:
                return ()                       # np.pi, math.tau
            base = self.of(value.value)
            if base is OBJECT:
                return self.field(value)
            if value.attr == "T" and isinstance(base, tuple):
                return _complex_if(base[::-1], is_complex(base))
            if value.attr in ("real", "imag"):
                return _complex_if(base, False)
            if value.attr == "shape":
                return SIZES
            if value.attr in ("ndim", "size"):
                return ()
            return None
        if isinstance(value, gast.Subscript):
            return self.subscript(self.of(value.value), value.slice)
        if is_write_call(value):                    # the same object, written into
            base = self.of(value.args[0].value)
            return self.stored(base, value.args[1])
        if store_kind(value) in RESIZES:           # a list grown or shrunk
            base = self.of(value.args[0])
            return self.stored(base if is_sequence(base) else SEQUENCE, value.args[-1] if store_kind(value) != "remove"
                               else None)
        if isinstance(value, gast.Call):
            return self.call(value)
        return None

    def field(self, value):
        """The shape of an object's attribute: what the function stored into it, joined, for an object
        made here; None for another (its attributes come from elsewhere)."""
        if getattr(value.value, "id", None) not in self.made_here or value.attr not in self.field_values:
            return None
        shape = _UNSET
        for stored in self.field_values[value.attr]:     # (a value not computed yet joins later)
            known = self.shapes.get(stored.id, _UNSET) if isinstance(stored, gast.Name) else self.of(stored)
            shape = _join(shape, known)
        return shape

    def stored(self, base, value):
        """The shape of an object after a store of value (None: a remove) into it: a list of numbers
        stays one while numbers go in."""
        if base is NUMBERS and value is not None and self.of(value) != ():
            return SEQUENCE
        return base

    def subscript(self, base, index):
        if base is NUMBERS:
            return NUMBERS if isinstance(index, gast.Slice) else () if self.of(index) == () else None
        if base is SIZES:
            return () if isinstance(index, (gast.Constant, gast.Name)) and self.of(index) == () else None
        if not isinstance(base, tuple) or not base:
            return None
        parts = index.elts if isinstance(index, gast.Tuple) else [index]
        new_axes = [p for p in parts if isinstance(p, gast.Constant) and p.value is None]
        if len(parts) - len(new_axes) > len(base):
            return None
        out, dims = [], iter(base)
        for part in parts:
            if part in new_axes:
                out.append(1)                              # None (np.newaxis) adds an axis of length 1
            elif isinstance(part, gast.Slice):
                out.append(_sliced(next(dims), [part.lower, part.upper, part.step], self.size))
            elif self.of(part) == () and not (isinstance(part, gast.Constant) and not isinstance(part.value, int)):
                next(dims)                                 # an integer drops the axis
            else:
                return None
        return _complex_if(tuple(out) + tuple(dims), is_complex(base))

    def call(self, call):
        fn = self.parsed.resolve(call.func)
        args = [self.of(a) for a in call.args]
        keywords = {k.arg: k.value for k in call.keywords}
        if fn is None and isinstance(call.func, gast.Attribute):       # a method on a local array
            base = self.of(call.func.value)
            attr = call.func.attr
            if attr in _METHOD_REDUCTIONS:
                return self.reduction(base, call.args[0] if call.args else keywords.get("axis"), keywords)
            if attr == "dot" and args:
                return _complex_if(matmul(base, args[0]), is_complex(base) or is_complex(args[0]))
            if attr == "copy":
                return base
            return None
        if fn is None:
            return None
        if fn is runtime.private:
            return args[0]
        if fn in (runtime.like, runtime.spread_over) and len(args) == 2:    # shaped like their second argument
            return args[1]
        if fn is runtime.size:                                           # (an integer)
            return ()
        if fn is runtime.new:
            return OBJECT
        if args and args[0] is NUMBERS and fn in (builtins.sum, runtime.largest, runtime.smallest):
            return ()
        joined = self.joined(fn, call, keywords)
        if joined is not None:
            return joined
        if args and args[0] is NUMBERS and fn in (np.array, np.asarray) and len(args) == 1:
            return (None,)
        if hasattr(fn, "__code__") and hasattr(fn, "__globals__"):
            return returned_container(fn) or self.returned(fn, call)
        if fn in _SCALAR_CALLS or getattr(fn, "__module__", None) == "math" or fn in vars(math).values():
            return () if fn is not builtins.abs else (_complex_if(args[0], False) if args else None)
        if _key(fn) in _SEQUENCE_CALLS:
            return self.sequence_call(fn, call, keywords)
        if fn in _REDUCTIONS and args:
            axis = call.args[1] if len(call.args) > 1 else keywords.get("axis")
            return self.reduction(args[0], axis, keywords)
        if fn in (np.dot, np.matmul) and len(args) == 2:
            return _complex_if(matmul(args[0], args[1]), any(map(is_complex, args)))
        if fn is np.where and len(args) == 3:
            return _complex_if(broadcast(*args), any(map(is_complex, args[1:])))
        if fn in (np.zeros_like, np.ones_like, np.copy, np.asarray) and args:
            return args[0]
        if fn in (np.zeros, np.ones, np.empty, np.full) and call.args:
            return self.made(call.args[0], call.args[2] if fn is np.full and len(call.args) > 2 else
                             keywords.get("dtype"))
        if _key(fn) in _REAL_PARTS and args:
            return _complex_if(args[0], False)
        if _key(fn) in _TRANSFORMS and args and isinstance(args[0], tuple):
            return _complex_if(generalize(args[0]) or (), fn in _FFTS)    # the transformed axes change size
        if isinstance(fn, np.ufunc) and fn.nout == 1 and args and len(args) == fn.nin:     # (modf, frexp: tuples)
            return _complex_if(broadcast(*args), any(map(is_complex, args)))
        if fn in (builtins.max, builtins.min) and len(args) == 2:
            return broadcast(*args)
        return None

    def joined(self, fn, call, keywords):
        """The shape of np.array, np.stack or np.concatenate of a list display whose items' shapes are
        known and alike (np.array([a * x, b * y]) of numbers is (2,)); None otherwise."""
        if fn not in (np.array, np.asarray, np.stack, np.concatenate) or not call.args:
            return None
        items = self.items.get(getattr(call.args[0], "id", None))
        shapes = [self.of(item) for item in items or ()]
        if not shapes or not all(isinstance(s, tuple) and not isinstance(s, _Sequence) and not is_complex(s)
                                 for s in shapes) or len({len(s) for s in shapes}) != 1:
            return None
        axis = call.args[1] if len(call.args) > 1 else keywords.get("axis", ir.const(0))
        axis = self.size(axis) if fn in (np.stack, np.concatenate) else 0
        rank = len(shapes[0]) + (fn is not np.concatenate)
        if len(call.args) + len(keywords) > (2 if fn is not np.array else 1) or type(axis) is not int \
                or not -rank <= axis < rank or fn is np.concatenate and not shapes[0]:
            return None
        axis %= rank
        if fn is np.concatenate:
            along = [s[axis] for s in shapes]
            total = sum(along) if None not in along else None
            rest = functools.reduce(_join, [s[:axis] + s[axis + 1:] for s in shapes])
            return rest[:axis] + (total,) + rest[axis:]
        alike = functools.reduce(_join, shapes)
        return alike[:axis] + (len(shapes),) + alike[axis:]

    def made(self, size, dtype):
        """The shape of np.zeros(size, dtype): (n,) for a constant n, (None,) for a number n; a real
        dtype or none (a complex one is not followed)."""
        if dtype is not None and not (isinstance(dtype, gast.Constant) and dtype.value in (float, "float64")) \
                and self.parsed is not None and self.parsed.resolve(dtype) not in (float, np.float64):
            return None
        known = self.size(size)
        if type(known) is int:
            return (known,)
        if type(known) is tuple:
            return known
        if isinstance(size, gast.Name) and self.of(size) == ():
            return (None,)
        if isinstance(size, gast.Tuple) and all(self.of(e) == () for e in size.elts):
            return tuple(v if type(v) is int else None for v in map(self.size, size.elts))
        return None

    def returned(self, fn, call):
        """The shape a user function returns when called with arguments of these shapes (None when
        unknown), found by inferring the shapes in its body."""
        try:
            bound = inspect.signature(fn).bind(*call.args, **{k.arg: k.value for k in call.keywords})
            bound.apply_defaults()
        except (TypeError, ValueError):
            return None
        kinds = tuple((p, self.of(v) if isinstance(v, gast.AST) else shape_of(v)) for p, v in bound.arguments.items())
        key = (fn, kinds)
        if key not in _RETURN_SHAPES:
            _RETURN_SHAPES[key] = None                  # a recursive call returns what cannot be told
            try:
                from . import pipeline
                program = pipeline.normalize(fn)
            except Exception:
                return None
            result = program.tree.body[-1].value
            shapes = infer_shapes(program.tree, program.parsed, dict(kinds))
            _RETURN_SHAPES[key] = _Shapes(program.parsed, shapes).of(result) if result is not None else None
        return _RETURN_SHAPES[key]

    def sequence_call(self, fn, call, keywords):
        """SEQUENCE for a call that returns a list or tuple, None when its arguments make it return an
        array (np.linalg.qr(a, mode="r"), np.linalg.svd(a, compute_uv=False))."""
        for keyword, single in _SEQUENCE_CALLS[fn].items():
            position = list(inspect.signature(fn).parameters).index(keyword)
            value = call.args[position] if len(call.args) > position else keywords.get(keyword)
            if value is not None and not (isinstance(value, gast.Constant) and value.value not in single):
                return None                    # returns one array, or cannot be told
        return SEQUENCE

    def reduction(self, base, axis, keywords):
        if not isinstance(base, tuple):
            return None
        keep = keywords.get("keepdims")
        keepdims = isinstance(keep, gast.Constant) and keep.value is True
        if keep is not None and not isinstance(keep, gast.Constant):
            return None
        if axis is None or (isinstance(axis, gast.Constant) and axis.value is None):
            return _complex_if(tuple(1 for _ in base) if keepdims else (), is_complex(base))
        if isinstance(axis, gast.Constant) and isinstance(axis.value, int) and base:
            a = axis.value % len(base)
            return _complex_if(base[:a] + ((1,) if keepdims else ()) + base[a + 1:], is_complex(base))
        return None


def _sliced(dim, bounds, size):
    """The length of an axis of length dim (None: unknown) sliced by [lower, upper, step], when each is
    absent or an integer size() tells (x[1:-1] of 32 items has 30); None otherwise."""
    if all(b is None for b in bounds):
        return dim
    values = [None if b is None else size(b) for b in bounds]
    if dim is None or any(b is not None and type(v) is not int for b, v in zip(bounds, values)):
        return None
    lower, upper, step = values
    if step == 0:
        return None
    return len(range(dim)[lower:upper:step])


_SIZE_ARITHMETIC = {gast.Add: operator.add, gast.Sub: operator.sub, gast.Mult: operator.mul,
                    gast.FloorDiv: operator.floordiv, gast.Mod: operator.mod}


class PositiveInteger:
    """What the rules know of a loop counter over range(start, ...) with start >= 1 and a positive
    step: an integer, never 0 (so `x ** i` has the plain slope i * x ** (i - 1))."""

    def __repr__(self):
        return "a positive integer"


POSITIVE_INTEGER = PositiveInteger()


def positive_counters(tree):
    """The loop variables that count up from 1 or more: `for i in range(1, n)`."""
    found = set()
    for loop in ir.statements(tree.body):
        if isinstance(loop, gast.For) and isinstance(loop.target, gast.Name) and isinstance(loop.iter, gast.Call) \
                and getattr(loop.iter.func, "id", None) == "range" and 2 <= len(loop.iter.args) <= 3 \
                and not loop.iter.keywords:
            start, step = (_int_literal(a) for a in (loop.iter.args[0], (loop.iter.args[2:] or [ir.const(1)])[0]))
            if start is not None and start >= 1 and step is not None and step > 0:
                found.add(loop.target.id)
    return found


def _int_literal(node):
    return node.value if isinstance(node, gast.Constant) and type(node.value) is int else None


def library_constant(node, parsed):
    """The number `np.pi`, `np.e`, `math.tau` (a float of NumPy or math, which never changes) denotes,
    or None."""
    if parsed is None or not (isinstance(node, gast.Attribute) and isinstance(node.value, gast.Name)):
        return None
    module = parsed.resolve(node.value)
    value = getattr(module, node.attr, None) if module is np or module is math else None
    return value if type(value) is float else None


def infer_shapes(tree, parsed, param_shapes):
    """{name: shape} for the names whose shape is known on every path."""
    shapes = {p: s for p, s in param_shapes.items() if s is not None}
    for name, kind in parsed.static_types.items():      # objects of user classes (methods.py)
        shapes[name] = SEQUENCE if isinstance(kind, ObjectList) else OBJECT
    stmts = list(ir.statements(tree.body))
    for stmt in stmts:
        if isinstance(stmt, gast.For):
            shapes[stmt.target.id] = ()
        elif isinstance(stmt, gast.Assign):
            shapes.setdefault(ir.target_name(stmt), _UNSET)
    analysis = _Shapes(parsed, shapes, _fields_stored(stmts, parsed))
    assigned = collections.Counter(ir.target_name(s) for s in stmts if isinstance(s, gast.Assign))
    for _ in range(50):
        changed = False
        for stmt in stmts:
            if isinstance(stmt, gast.Assign):
                name = ir.target_name(stmt)
                new = analysis.value(stmt)
                old = shapes.get(name, _UNSET)
                if old is not _UNSET:
                    new = _join(old, new) if new is not _UNSET else old
                if new is not old and new != old:
                    shapes[name] = new
                    changed = True
            if isinstance(stmt, gast.Assign) and assigned[ir.target_name(stmt)] == 1 \
                    and isinstance(stmt.value, (gast.List, gast.Tuple)):
                analysis.items[ir.target_name(stmt)] = stmt.value.elts
            if isinstance(stmt, gast.Assign) and assigned[ir.target_name(stmt)] == 1 and not ir.is_phi(stmt):
                size = analysis.size(stmt.value)
                if size is not None and analysis.sizes.get(ir.target_name(stmt)) != size:
                    analysis.sizes[ir.target_name(stmt)] = size
                    changed = True
        if not changed:
            break
    known = {n: s for n, s in shapes.items() if s is not _UNSET and s is not None}
    if not any(map(is_complex, known.values())) and _makes_complex(stmts, parsed):
        known[COMPLEX_VALUES] = ComplexShape(())
    return known


def _makes_complex(stmts, parsed):
    """Whether the function makes complex values of its own: a complex constant, an FFT, a general
    eigen-decomposition or a complex constructor."""
    for stmt in stmts:
        if not isinstance(stmt, gast.Assign):
            continue
        for node in ir.walk(stmt.value):
            if isinstance(node, gast.Constant) and isinstance(node.value, complex):
                return True
            if isinstance(node, (gast.Name, gast.Attribute)) and _key(parsed.resolve(node)) in _COMPLEX_SOURCES:
                return True
    return False


def _is_int(node):
    return isinstance(node, gast.Constant) and type(node.value) is int


def _key(obj):
    """obj, or None when it cannot be looked up in a set (unhashable)."""
    try:
        hash(obj)
        return obj
    except TypeError:
        return None


_RETURNS = {}
_RETURN_SHAPES = {}          # (user function, its arguments' shapes) -> the shape it returns; one build long


def returned_container(fn):
    """SEQUENCE or MAPPING when a user function returns a tuple/list/dict display, else None."""
    if fn in _RETURNS:
        return _RETURNS[fn]
    _RETURNS[fn] = None                      # recursion guard
    try:
        from . import pipeline
        tree = pipeline.normalize(fn).tree
    except Exception:
        return None
    result = tree.body[-1].value
    for stmt in ir.statements(tree.body):
        if isinstance(stmt, gast.Assign) and isinstance(result, gast.Name) and ir.target_name(stmt) == result.id:
            if isinstance(stmt.value, (gast.Tuple, gast.List)):
                _RETURNS[fn] = SEQUENCE
            elif isinstance(stmt.value, gast.Dict):
                _RETURNS[fn] = MAPPING
    return _RETURNS[fn]


def item_shape(base, index, shapes):
    """The shape of `y[index]` for a y of shape base (None when not known); shapes gives the index's names'."""
    return _Shapes(None, shapes).subscript(base, index)


def elementwise_shape(node, shape_of, np_name, rt_name):
    """The shape of an expression made of numbers, names (shape_of(name)), arithmetic, and NumPy's
    one-output ufuncs, in the generated code's spelling (`np.exp(z - t3) * g`); `rt.size(x)` is an
    integer. None for anything else, or when a shape is not fully known: an expression whose shape
    this gives computes each item from the items at the same position only."""
    if isinstance(node, gast.Constant):
        return () if type(node.value) in (int, float) else None
    if isinstance(node, gast.Name):
        shape = shape_of(node.id)
        known = type(shape) is tuple and None not in shape
        return shape if known else None
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, (gast.USub, gast.UAdd)):
        return elementwise_shape(node.operand, shape_of, np_name, rt_name)
    if isinstance(node, gast.BinOp) and not isinstance(node.op, gast.MatMult):
        parts = [elementwise_shape(n, shape_of, np_name, rt_name) for n in (node.left, node.right)]
        return None if None in parts else broadcast(*parts)
    if isinstance(node, gast.Call) and not node.keywords and isinstance(node.func, gast.Attribute) \
            and isinstance(node.func.value, gast.Name):
        library, attr = node.func.value.id, node.func.attr
        if library == rt_name and attr == "size":
            return ()
        fn = getattr(np, attr, None) if library == np_name else None
        if isinstance(fn, np.ufunc) and fn.nout == 1 and len(node.args) == fn.nin:
            parts = [elementwise_shape(n, shape_of, np_name, rt_name) for n in node.args]
            return None if None in parts else broadcast(*parts)
    return None
