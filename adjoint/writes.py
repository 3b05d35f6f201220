"""Writes into arrays, lists and dicts: `y[index] = value` becomes `y = rt.write(y[index], value)`.

This is how the IR models state. Python's store writes into the object `y` names; the IR keeps the
write a statement that defines a new version of `y` (SSA gives it a name of its own), so every
analysis sees an ordinary definition reading the old version and the value, while the object stays
one object: `rt.write` writes in place and returns it. The alias analysis (aliases.py) then knows
which statements write which object and which names may be the same object, rejects a read of a
version the write made stale, copies a parameter before its first write (the caller's array is never
changed), and records, per written object, what the generators need (aliases.Objects).

The call is marked (`call.writes = True`): ANF keeps its first argument the subscript it is, with
each index part made atomic, rather than reading the slot into a temporary.

`xs.append(v)` is a store too, at the end of a list that grows: `xs_2 = rt.append(xs_1, v)` (marked
`call.appends = True`), with the same analysis and the same generators.
"""
import gast

from . import ir


def is_write(stmt):
    """Whether stmt is a store: `y2 = rt.write(y1[index], value)` or `xs2 = rt.append(xs1, value)`."""
    return isinstance(stmt, gast.Assign) and (is_write_call(stmt.value) or is_append_call(stmt.value))


def is_append(stmt):
    return isinstance(stmt, gast.Assign) and is_append_call(stmt.value)


def is_write_call(node):
    return isinstance(node, gast.Call) and getattr(node, "writes", False)


def is_append_call(node):
    return isinstance(node, gast.Call) and getattr(node, "appends", False)


def parts(stmt):
    """(the name stored into, its index node (None for an append), the value node) of a store."""
    if is_append_call(stmt.value):
        base, value = stmt.value.args
        return base.id, None, value
    slot, value = stmt.value.args
    return slot.value.id, slot.slice, value


def is_statement_append(node):
    """`xs.append(v)` called as a statement on a name, with one argument: a store."""
    return isinstance(node, gast.Expr) and isinstance(node.value, gast.Call) \
        and isinstance(node.value.func, gast.Attribute) and node.value.func.attr == "append" \
        and isinstance(node.value.func.value, gast.Name) and len(node.value.args) == 1 and not node.value.keywords


def write_call(runtime_name, slot, value):
    call = gast.Call(gast.Attribute(ir.name(runtime_name), "write", gast.Load()), [slot, value], [])
    call.writes = True
    return call


class _Writes(gast.NodeTransformer):
    def __init__(self, namer):
        self.namer = namer

    def visit_Assign(self, node):
        target = node.targets[0]
        if isinstance(target, (gast.Tuple, gast.List)) and _stores_into_items(target):
            return self._unpack(target, node.value, node)
        if not (isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name)):
            return node                 # (the fence rejected other stores)
        slot = gast.Subscript(ir.name(target.value.id), target.slice, gast.Load())
        return ir.assign(target.value.id, write_call(self.namer.runtime_name(), slot, node.value), node)

    def visit_Expr(self, node):
        if not is_statement_append(node):
            return node
        name = node.value.func.value.id
        call = gast.Call(gast.Attribute(ir.name(self.namer.runtime_name()), "append", gast.Load()),
                         [ir.name(name), node.value.args[0]], [])
        call.appends = True
        return ir.assign(name, call, node)

    def _unpack(self, target, value, like):
        """`y[0], b = e`  ->  `t = e; y[0] = t[0]; b = t[1]` (each item's store then lowered)."""
        whole = self.namer.temp()
        out = [ir.assign(whole, value, like)]
        for k, elt in enumerate(target.elts):
            item = gast.Subscript(ir.name(whole), ir.const(k), gast.Load())
            lowered = self.visit_Assign(ir.assign(elt, item, like))
            out += lowered if isinstance(lowered, list) else [lowered]
        return out


def _stores_into_items(target):
    return any(isinstance(n, gast.Subscript) for n in gast.walk(target))


def lower_writes(tree, namer):
    """Afterwards every store into an item or slice is `y = rt.write(y[index], value)`, and every
    `xs.append(v)` is `xs = rt.append(xs, v)`."""
    return _Writes(namer).visit(tree)
