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
    stmts = list(ir.statements(tree.body))
    classes = _Classes()
    for stmt in stmts:
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
            target = ir.target_name(stmt)
            sources = [a for a in ir.phi_args(stmt) if a] if ir.is_phi(stmt) else shared_operands(stmt.value, parsed)
            if getattr(stmt, "in_place", False) and isinstance(stmt.value, gast.BinOp) \
                    and isinstance(stmt.value.left, gast.Name):
                sources = [stmt.value.left.id]
            for source in sources:
                classes.union(target, source)
    for position, stmt in enumerate(stmts):
        if getattr(stmt, "in_place", False) and isinstance(stmt.value, gast.BinOp) \
                and isinstance(stmt.value.left, gast.Name):
            _check_one(stmt, position, stmts, classes, shapes, origin, parsed)


def _check_one(stmt, position, stmts, classes, shapes, origin, parsed):
    updated = stmt.value.left.id
    if shapes.get(updated) == ():
        return                  # numbers are immutable: `+=` rebinds
    variable = origin.get(updated, updated)
    root = classes.find(updated)
    for other_position, reader in _reads_after(stmts, position):
        if classes.find(reader) == root and origin.get(reader, reader) != variable:
            other = origin.get(reader, reader)
            raise UnsupportedSyntax(
                f"`{variable} {_op(stmt.value.op)}= ...` updates the array in place, and `{other}` may be "
                f"the same array (or a view of it, or a container holding it) and is read afterwards",
                parsed.filename, stmt.lineno, getattr(stmt, "col_offset", 0) + parsed.col_offset,
                parsed.line_text(stmt.lineno),
                f"write `{variable} = {variable} {_op(stmt.value.op)} ...` to make a new array, "
                f"or copy it first (`{variable} = {other}.copy()`)")


def _reads_after(stmts, position):
    """(position, name) of reads that can run after statement `position`: later statements, and any
    statement of a loop that contains it (the next iteration)."""
    loops = [s for s in stmts if isinstance(s, (gast.For, gast.While))
             and any(inner is stmts[position] for inner in ir.statements(s.body))]
    again = {id(s) for loop in loops for s in ir.statements(loop.body)}
    for k, stmt in enumerate(stmts):
        if k > position or id(stmt) in again:
            for name in ir.names_read(_own_part(stmt)):
                yield k, name


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
