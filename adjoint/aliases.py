"""Aliases: an in-place update (`z += e`) on an array that another live name also refers to.

Python runs `z += e` on an array by writing into the object, so every other name bound to that
object (`z = y`, a view such as `y[1:]`, `y.T`, `y.reshape(...)`, a list holding it) sees the new
value. The compiler reads `z += e` as `z = z + e`, which is the same thing unless such a name is
read afterwards. That case is rejected here, at the user's line, until state is modelled; it is never
compiled as a rebinding.
"""
import gast
import numpy as np

from . import ir
from .errors import UnsupportedSyntax

# methods and NumPy functions whose result may share memory with their first operand
VIEW_METHODS = {"reshape", "ravel", "view", "transpose", "swapaxes", "squeeze", "diagonal", "flatten"}
VIEW_ATTRIBUTES = {"T", "real", "imag", "mT", "flat"}
VIEW_FUNCTIONS = {np.asarray, np.asanyarray, np.reshape, np.ravel, np.transpose, np.squeeze,
                  np.expand_dims, np.swapaxes, np.moveaxis, np.atleast_1d, np.atleast_2d, np.atleast_3d,
                  np.broadcast_to, np.real, np.imag, np.diagonal}


def shared_operands(value, parsed):
    """Names whose object the value of this expression may be (or hold, or view)."""
    if isinstance(value, gast.Name):
        return [value.id]
    if isinstance(value, gast.Subscript) or (isinstance(value, gast.Attribute) and value.attr in VIEW_ATTRIBUTES):
        return [value.value.id] if isinstance(value.value, gast.Name) else []
    if isinstance(value, (gast.Tuple, gast.List)):
        return [e.id for e in value.elts if isinstance(e, gast.Name)]
    if isinstance(value, gast.Dict):
        return [v.id for v in value.values if isinstance(v, gast.Name)]
    if isinstance(value, gast.Call) and value.args and isinstance(value.args[0], gast.Name):
        func = value.func
        if parsed.resolve(func) in VIEW_FUNCTIONS:
            return [value.args[0].id]
    if isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute) \
            and value.func.attr in VIEW_METHODS and isinstance(value.func.value, gast.Name) \
            and parsed.resolve(value.func) is None:
        return [value.func.value.id]
    return []


class _Classes:
    """Union-find over SSA names: names that may refer to one object."""

    def __init__(self):
        self.parent = {}

    def find(self, name):
        self.parent.setdefault(name, name)
        while self.parent[name] != name:
            self.parent[name] = self.parent[self.parent[name]]
            name = self.parent[name]
        return name

    def union(self, a, b):
        self.parent[self.find(a)] = self.find(b)


def check_in_place(tree, parsed, shapes, origin):
    """Raise UnsupportedSyntax at an in-place update of a possible array whose object another
    variable, read later, shares. `origin` maps SSA versions to the user's variables."""
    order = _Order(tree)
    classes = _Classes()
    for stmt in order.stmts:
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
            target = ir.target_name(stmt)
            if shapes.get(target) == ():
                continue        # numbers share nothing: an element read out of an array is a copy
            sources = [a for a in ir.phi_args(stmt) if a] if ir.is_phi(stmt) else shared_operands(stmt.value, parsed)
            if _in_place(stmt):
                sources = [stmt.value.left.id]
            for source in sources:
                classes.union(target, source)
    for stmt in order.stmts:
        if _in_place(stmt) and shapes.get(stmt.value.left.id) != ():      # numbers: `+=` rebinds
            _check_one(stmt, order, classes, origin, parsed)


def _in_place(stmt):
    return getattr(stmt, "in_place", False) and isinstance(stmt.value, gast.BinOp) \
        and isinstance(stmt.value.left, gast.Name)


def _check_one(stmt, order, classes, origin, parsed):
    updated = stmt.value.left.id
    variable = origin.get(updated, updated)
    root = classes.find(updated)
    for name, read_at in order.reads():
        if classes.find(name) == root and origin.get(name, name) != variable and order.between(name, stmt, read_at):
            other = origin.get(name, name)
            raise UnsupportedSyntax(
                f"`{variable} {_op(stmt.value.op)}= ...` updates the array in place, and `{other}` may be "
                f"the same array (or a view of it, or a container holding it) and is read afterwards",
                parsed.filename, stmt.lineno, getattr(stmt, "col_offset", 0) + parsed.col_offset,
                parsed.line_text(stmt.lineno),
                f"write `{variable} = {variable} {_op(stmt.value.op)} ...` to make a new array, "
                f"or copy it first (`{variable} = {other}.copy()`)")


class _Order:
    """Statements in program order, with the loops around each, to ask whether a statement can run
    while a name holds the value it was bound to (after its definition, before a read of it)."""

    def __init__(self, tree):
        self.stmts = list(ir.statements(tree.body))
        self.position = {id(s): k for k, s in enumerate(self.stmts)}
        self.loops = {id(s): [] for s in self.stmts}
        for loop in self.stmts:
            if isinstance(loop, (gast.For, gast.While)):
                for inner in ir.statements(loop.body):
                    self.loops[id(inner)].append(loop)
        self.defined = {a.id: -1 for a in tree.args.args}
        for k, s in enumerate(self.stmts):
            if isinstance(s, gast.Assign):
                for name in ir.names_stored(s.targets[0]):
                    self.defined[name] = k
            elif isinstance(s, gast.For):
                self.defined[s.target.id] = k

    def reads(self):
        """(name, position of the read): a loop phi reads its entry value where the loop starts
        and its other values where an iteration ends."""
        for k, s in enumerate(self.stmts):
            if ir.is_phi(s) and self.loops[id(s)] and s in self.loops[id(s)][-1].body:
                loop = self.loops[id(s)][-1]
                entry, *others = ir.phi_args(s)
                if entry:
                    yield entry, self.position[id(loop)]
                end = max(self.position[id(inner)] for inner in ir.statements(loop.body)) + 0.5
                yield from ((name, end) for name in others if name)
            else:
                yield from ((name, k) for name in ir.names_read(_own_part(s)))

    def between(self, name, stmt, read_at):
        """Whether stmt can run after `name` is bound and before this read of it."""
        bound_at, here = self.defined.get(name, -1), self.position[id(stmt)]
        if bound_at < here < read_at:
            return True
        reader = self.stmts[int(read_at)] if read_at == int(read_at) else None
        around = self.loops[id(stmt)]
        inside_reader = self.loops[id(reader)] if reader is not None else around
        # a loop around the update and the read but not the binding: a later iteration reads
        return any(loop in inside_reader and (bound_at < 0 or loop not in self.loops[id(self.stmts[bound_at])])
                   for loop in around)


def _own_part(stmt):
    if isinstance(stmt, gast.If):
        return stmt.test
    if isinstance(stmt, gast.For):
        return stmt.iter
    if isinstance(stmt, gast.While):
        return stmt.test
    return stmt


_SYMBOLS = {gast.Add: "+", gast.Sub: "-", gast.Mult: "*", gast.Div: "/", gast.FloorDiv: "//", gast.Mod: "%",
            gast.Pow: "**", gast.MatMult: "@", gast.BitAnd: "&", gast.BitOr: "|", gast.BitXor: "^",
            gast.LShift: "<<", gast.RShift: ">>"}


def _op(op):
    return _SYMBOLS.get(type(op), "?")
