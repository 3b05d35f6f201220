"""Parameters bound to constants: a NumPy definition (rules/definitions.py) is compiled for the
constant arguments of its call (`axis=-1`, `prepend=None`, `method="linear"`), which are read as
those constants until the function assigns the name; tests on constants are decided, and only the
branch taken is left. So the generated code of `np.diff(x)` has no trace of `prepend` or `append`."""
import operator

import gast

from . import ir

LITERALS = (type(None), bool, int, float, complex, str)

_COMPARE = {gast.Eq: operator.eq, gast.NotEq: operator.ne, gast.Lt: operator.lt, gast.LtE: operator.le,
            gast.Gt: operator.gt, gast.GtE: operator.ge, gast.Is: operator.is_, gast.IsNot: operator.is_not,
            gast.In: lambda a, b: a in b, gast.NotIn: lambda a, b: a not in b}
_ARITHMETIC = {gast.Add: operator.add, gast.Sub: operator.sub, gast.Mult: operator.mul,
               gast.FloorDiv: operator.floordiv, gast.Mod: operator.mod}


def is_literal(value):
    """A value generated code can hold as a constant: None, a number, a string, or a tuple of them."""
    if isinstance(value, tuple):
        return all(is_literal(v) for v in value)
    return isinstance(value, LITERALS)


def fold_constants(tree, namer, parsed):
    tree.body = _block(tree.body, dict(parsed.constants))
    return tree


def _block(stmts, live):
    """stmts with the constants in `live` (a dict, updated as names are assigned) read as constants
    where they still hold, and decided tests replaced by the branch taken."""
    out = []
    for stmt in stmts:
        if isinstance(stmt, gast.If):
            stmt.test = _Fold(live).visit(stmt.test)
            if isinstance(stmt.test, gast.Constant):
                out += _block(stmt.body if stmt.test.value else stmt.orelse, live)
                continue
            then, otherwise = dict(live), dict(live)
            stmt.body, stmt.orelse = _block(stmt.body, then), _block(stmt.orelse, otherwise)
            for name in set(live) - (set(then) & set(otherwise)):
                del live[name]
        elif isinstance(stmt, (gast.For, gast.While, gast.With)):
            if isinstance(stmt, gast.For):          # (evaluated once, before the loop)
                stmt.iter = _Fold(live).visit(stmt.iter)
            _forget(live, stmt)
            if isinstance(stmt, gast.While):
                stmt.test = _Fold(live).visit(stmt.test)
            if isinstance(stmt, gast.With):
                stmt.items = [_Fold(live).visit(item) for item in stmt.items]
            stmt.body = _block(stmt.body, dict(live))
            if getattr(stmt, "orelse", None):
                stmt.orelse = _block(stmt.orelse, dict(live))
        else:
            stmt = _Fold(live).visit(stmt)
            _forget(live, stmt)
        out.append(stmt)
    return out


def _forget(live, stmt):
    for name in ir.names_stored(stmt):
        live.pop(name, None)


class _Fold(ir.Transformer):
    """An expression (or a simple statement) with the live constants read and constant parts computed."""

    def __init__(self, constants):
        self.constants = constants

    # expressions
    def visit_Name(self, node):
        if isinstance(node.ctx, gast.Load) and node.id in self.constants:
            return ir.at(_constant(self.constants[node.id]), node)
        return node

    def visit_Compare(self, node):
        self.generic_visit(node)
        operands = [node.left] + node.comparators
        if not all(_is_constant(o) for o in operands) or not all(type(op) in _COMPARE for op in node.ops):
            return node
        values = [_value(o) for o in operands]
        try:
            result = all(_COMPARE[type(op)](a, b) for op, a, b in zip(node.ops, values, values[1:]))
        except Exception:       # (`ord > 0` with ord "nuc": a line that never runs; left as it is)
            return node
        return ir.at(gast.Constant(bool(result), None), node)

    def visit_BoolOp(self, node):
        self.generic_visit(node)
        if not all(_is_constant(v) for v in node.values):
            return node
        values = [_value(v) for v in node.values]
        result = values[0]
        for value in values[1:]:
            result = (result and value) if isinstance(node.op, gast.And) else (result or value)
        return ir.at(_constant(result), node)

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, gast.Not) and _is_constant(node.operand):
            return ir.at(gast.Constant(not _value(node.operand), None), node)
        return node

    def visit_IfExp(self, node):
        self.generic_visit(node)
        if isinstance(node.test, gast.Constant):
            return node.body if node.test.value else node.orelse
        return node

    def visit_BinOp(self, node):
        self.generic_visit(node)
        if type(node.op) in _ARITHMETIC and _is_number(node.left) and _is_number(node.right):
            try:
                return ir.at(gast.Constant(_ARITHMETIC[type(node.op)](node.left.value, node.right.value), None), node)
            except Exception:
                return node
        return node

    def visit_Subscript(self, node):
        self.generic_visit(node)
        if isinstance(node.value, gast.Tuple) and _is_constant(node.value) and isinstance(node.slice, gast.Constant) \
                and isinstance(node.slice.value, int) and -len(node.value.elts) <= node.slice.value < len(node.value.elts):
            return node.value.elts[node.slice.value]
        return node


def _constant(value):
    if isinstance(value, tuple):
        return gast.Tuple([_constant(v) for v in value], gast.Load())
    return gast.Constant(value, None)


def _is_constant(node):
    if isinstance(node, gast.Tuple):
        return all(_is_constant(e) for e in node.elts)
    return isinstance(node, gast.Constant)


def _value(node):
    if isinstance(node, gast.Tuple):
        return tuple(_value(e) for e in node.elts)
    return node.value


def _is_number(node):
    return isinstance(node, gast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
