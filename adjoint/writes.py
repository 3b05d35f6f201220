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
"""
import gast

from . import ir


def is_write(stmt):
    """Whether stmt is `y2 = rt.write(y1[index], value)`."""
    return isinstance(stmt, gast.Assign) and is_write_call(stmt.value)


def is_write_call(node):
    return isinstance(node, gast.Call) and getattr(node, "writes", False)


def parts(stmt):
    """(the name written into, its index node, the value node) of a write statement."""
    slot, value = stmt.value.args
    return slot.value.id, slot.slice, value


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
    """Afterwards every store into an item or slice is `y = rt.write(y[index], value)`."""
    return _Writes(namer).visit(tree)
