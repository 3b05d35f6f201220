"""Shape analysis: the array shape of each SSA name, given the arguments' shapes.

A shape is a tuple whose entries are sizes or None (size unknown); () is a scalar. Names whose
shape cannot be told are absent. Reverse mode uses the result to sum broadcast operands back with
plain `np.sum(g, axis=...)`, to skip that work where shapes provably agree, and to pick the
matrix-calculus form of a rule (`np.outer(g, b)`, `a.T @ g`) for the operands' number of dimensions.
"""
import builtins
import math

import gast
import numpy as np

from . import ir

_UNSET = object()          # not computed yet (optimistic start for loops)


class _Sequence:
    """The shape of a Python list or tuple (of anything)."""

    def __repr__(self):
        return "SEQUENCE"


SEQUENCE = _Sequence()
SIZES = _Sequence()        # a tuple of sizes, such as x.shape: its items are numbers
MAPPING = _Sequence()      # a dict


def is_container(shape):
    return shape is SEQUENCE or shape is MAPPING
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
    if isinstance(value, (list, tuple)):
        return SEQUENCE
    if isinstance(value, dict):
        return MAPPING
    return None


def generalize(shape):
    """Keep the number of dimensions, forget the sizes: (3, 4) -> (None, None)."""
    return shape if not shape else tuple(None for _ in shape)



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
    if a is None or b is None or isinstance(a, _Sequence) or isinstance(b, _Sequence) or len(a) != len(b):
        return None
    return tuple(x if x == y else None for x, y in zip(a, b))


class _Shapes:
    def __init__(self, parsed, shapes):
        self.parsed = parsed
        self.shapes = shapes

    def of(self, node):
        if isinstance(node, gast.Constant):
            return () if isinstance(node.value, (bool, int, float, complex)) else None
        if isinstance(node, gast.Name):
            shape = self.shapes.get(node.id, None)
            return None if shape is _UNSET else shape
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
            if left is SEQUENCE and right is SEQUENCE and isinstance(value.op, gast.Add):
                return SEQUENCE
            return matmul(left, right) if isinstance(value.op, gast.MatMult) else broadcast(left, right)
        if isinstance(value, (gast.Tuple, gast.List)):
            return SEQUENCE
        if isinstance(value, gast.Dict):
            return MAPPING
        if isinstance(value, gast.UnaryOp):
            return () if isinstance(value.op, gast.Not) else self.of(value.operand)
        if isinstance(value, gast.Compare) and all(isinstance(n, (gast.Name, gast.Constant))
                                                   for n in [value.left] + value.comparators):
            return broadcast(*(self.of(n) for n in [value.left] + value.comparators))
        if isinstance(value, gast.Attribute):
            base = self.of(value.value)
            if value.attr == "T" and isinstance(base, tuple):
                return base[::-1]
            if value.attr in ("real", "imag"):
                return base
            if value.attr == "shape":
                return SIZES
            if value.attr in ("ndim", "size"):
                return ()
            return None
        if isinstance(value, gast.Subscript):
            return self.subscript(self.of(value.value), value.slice)
        if isinstance(value, gast.Call):
            return self.call(value)
        return None

    def subscript(self, base, index):
        if base is SIZES:
            return () if isinstance(index, (gast.Constant, gast.Name)) and self.of(index) == () else None
        if not isinstance(base, tuple) or not base:
            return None
        parts = index.elts if isinstance(index, gast.Tuple) else [index]
        if len(parts) > len(base):
            return None
        out = []
        for dim, part in zip(base, parts):
            if isinstance(part, gast.Slice):
                whole = part.lower is None and part.upper is None and part.step is None
                out.append(dim if whole else None)
            elif self.of(part) == () and not (isinstance(part, gast.Constant) and not isinstance(part.value, int)):
                continue                                   # an integer drops the axis
            else:
                return None
        return tuple(out) + tuple(base[len(parts):])

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
                return matmul(base, args[0])
            if attr == "copy":
                return base
            return None
        if fn is None:
            return None
        if hasattr(fn, "__code__") and hasattr(fn, "__globals__"):
            return returned_container(fn)
        if fn in _SCALAR_CALLS or getattr(fn, "__module__", None) == "math" or fn in vars(math).values():
            return () if fn is not builtins.abs else (args[0] if args else None)
        if fn in _REDUCTIONS and args:
            axis = call.args[1] if len(call.args) > 1 else keywords.get("axis")
            return self.reduction(args[0], axis, keywords)
        if fn in (np.dot, np.matmul) and len(args) == 2:
            return matmul(args[0], args[1])
        if fn is np.where and len(args) == 3:
            return broadcast(*args)
        if fn in (np.zeros_like, np.ones_like, np.copy, np.asarray) and args:
            return args[0]
        if isinstance(fn, np.ufunc) and args and len(args) == fn.nin:
            return broadcast(*args)
        if fn in (builtins.max, builtins.min) and len(args) == 2:
            return broadcast(*args)
        return None

    def reduction(self, base, axis, keywords):
        if not isinstance(base, tuple):
            return None
        keep = keywords.get("keepdims")
        keepdims = isinstance(keep, gast.Constant) and keep.value is True
        if keep is not None and not isinstance(keep, gast.Constant):
            return None
        if axis is None or (isinstance(axis, gast.Constant) and axis.value is None):
            return tuple(1 for _ in base) if keepdims else ()
        if isinstance(axis, gast.Constant) and isinstance(axis.value, int) and base:
            a = axis.value % len(base)
            return base[:a] + ((1,) if keepdims else ()) + base[a + 1:]
        return None


def infer_shapes(tree, parsed, param_shapes):
    """{name: shape} for the names whose shape is known on every path."""
    shapes = {p: s for p, s in param_shapes.items() if s is not None}
    stmts = list(ir.statements(tree.body))
    for stmt in stmts:
        if isinstance(stmt, gast.For):
            shapes[stmt.target.id] = ()
        elif isinstance(stmt, gast.Assign):
            shapes.setdefault(ir.target_name(stmt), _UNSET)
    analysis = _Shapes(parsed, shapes)
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
        if not changed:
            break
    return {n: s for n, s in shapes.items() if s is not _UNSET and s is not None}


_RETURNS = {}


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
