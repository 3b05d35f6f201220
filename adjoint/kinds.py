"""Kind analysis: which names are known to hold scalars (shape ()), given the arguments' kinds.

Knowing a value is a scalar lets reverse mode skip un-broadcasting, the only shape work
elementwise rules need.
"""
import builtins
import math

import gast
import numpy as np

from . import ir
from .activity import _statements

_SCALAR_RESULT = {id(f) for f in (builtins.len, builtins.int, builtins.float, builtins.bool, builtins.round)}
_NUMPY_ELEMENTWISE = np.ufunc


def _scalar_call(value, parsed, scalar):
    fn = parsed.resolve(value.func)
    args = value.args + [k.value for k in value.keywords]
    all_scalar = all(_atom_scalar(a, scalar) for a in args)
    if fn is None:
        return False
    if id(fn) in _SCALAR_RESULT or getattr(fn, "__module__", None) == "math" or fn in vars(math).values():
        return True
    if isinstance(fn, _NUMPY_ELEMENTWISE) or fn in (builtins.abs, builtins.max, builtins.min):
        return all_scalar
    return False


def _atom_scalar(node, scalar):
    if isinstance(node, gast.Constant):
        return isinstance(node.value, (int, float, complex, bool))
    return isinstance(node, gast.Name) and node.id in scalar


def scalar_names(tree, parsed, param_kinds):
    """Names that hold a scalar on every path; param_kinds maps parameter -> 'scalar' or other."""
    scalar = {p for p, k in param_kinds.items() if k == "scalar"}
    stmts = list(_statements(tree.body))
    loop_targets = {s.target.id for s in stmts if isinstance(s, gast.For)}
    scalar |= loop_targets
    candidates = {ir.target_name(s) for s in stmts if isinstance(s, gast.Assign)}
    assumed = scalar | candidates           # optimistic start, refined to a fixpoint
    while True:
        new = set(scalar)
        for stmt in stmts:
            if isinstance(stmt, gast.Assign) and _is_scalar(stmt, parsed, assumed):
                new.add(ir.target_name(stmt))
        if new == assumed:
            return new
        assumed = new


def _is_scalar(stmt, parsed, scalar):
    if ir.is_phi(stmt):
        return all(a is None or a in scalar for a in ir.phi_args(stmt))
    value = stmt.value
    if isinstance(value, (gast.Name, gast.Constant)):
        return _atom_scalar(value, scalar)
    if isinstance(value, gast.BinOp):
        return _atom_scalar(value.left, scalar) and _atom_scalar(value.right, scalar)
    if isinstance(value, gast.UnaryOp):
        return _atom_scalar(value.operand, scalar) if not isinstance(value.op, gast.Not) else True
    if isinstance(value, (gast.Compare, gast.BoolOp)):
        return all(_atom_scalar(n, scalar) or not isinstance(n, (gast.Name, gast.Constant))
                   for n in gast.iter_child_nodes(value) if isinstance(n, gast.expr)) and \
            all(isinstance(n, (gast.Name, gast.Constant)) for n in
                (getattr(value, "comparators", []) + [getattr(value, "left", value)]) if n is not value)
    if isinstance(value, gast.Call):
        return _scalar_call(value, parsed, scalar)
    return False
