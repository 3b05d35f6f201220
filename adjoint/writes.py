"""Writes into arrays, lists, dicts and objects: `y[index] = value` becomes `y = rt.write(y[index], value)`
and `obj.h = value` becomes `obj = rt.write(obj.h, value)`.

This is how the IR models state. Python's store writes into the object `y` names; the IR keeps the
write a statement that defines a new version of `y` (SSA gives it a name of its own), so every
analysis sees an ordinary definition reading the old version and the value, while the object stays
one object: `rt.write` writes in place and returns it. The alias analysis (aliases.py) then knows
which statements write which object and which names may be the same object, rejects a read of a
version the write made stale, copies a parameter before its first write (the caller's array is never
changed), and records, per written object, what the generators need (aliases.Objects).

The call carries its kind of store (`call.store`). For a "write", ANF keeps its first argument the
subscript it is, with each index part made atomic, rather than reading the slot into a temporary.
A list changes length by the other kinds, with the same analysis and the same generators:

    xs.append(v)                      ->  xs = rt.append(xs, v)          ("append")
    xs.insert(i, v)                   ->  xs = rt.insert(xs, i, v)       ("insert")
    v = xs.pop(i)                     ->  v = xs[i]; xs = rt.remove(xs, i)   ("remove"; i is -1 for pop())

Calls that store, written as statements, are the stores they make (STORE_CALLS):

    y.fill(v)                         ->  y[...] = v
    np.copyto(y, v)                   ->  y[...] = v
    np.exp(a, out=y)                  ->  y[...] = np.exp(a)
    np.fill_diagonal(y, v)            ->  y[rt.diagonal(y)] = v
    np.add.at(y, index, v)            ->  y[...] = rt.added_at(y, index, v)   (repeated indices add up)
    xs.extend([a, b])                 ->  xs.append(a); xs.append(b)
    xs.extend(items)                  ->  for item in items: xs.append(item)
"""
import gast
import numpy as np

from . import ir

RESIZES = ("append", "insert", "remove")        # the kinds of store that change a list's length


def store_kind(node):
    """The kind of store a call of the IR makes ("write" or one of RESIZES), or None."""
    return getattr(node, "store", None) if isinstance(node, gast.Call) else None


def is_write(stmt):
    """Whether stmt is a store: `y2 = rt.write(y1[index], value)`, `xs2 = rt.append(xs1, value)`, ..."""
    return isinstance(stmt, gast.Assign) and store_kind(stmt.value) is not None


def kind(stmt):
    return store_kind(stmt.value) if isinstance(stmt, gast.Assign) else None


def resizes(stmt):
    """Whether the store changes the length of a list (the positions of the items after it)."""
    return kind(stmt) in RESIZES


def is_write_call(node):
    return store_kind(node) == "write"


def parts(stmt):
    """(the name stored into, its index node, the value node) of a store: the index is the position for
    an insert or a remove, None for an append and the attribute's name (a constant) for a store into
    an attribute; the value is None for a remove."""
    args = stmt.value.args
    if store_kind(stmt.value) == "write":
        slot, value = args
        if isinstance(slot, gast.Attribute):
            return slot.value.id, ir.const(slot.attr), value
        return slot.value.id, slot.slice, value
    if store_kind(stmt.value) == "append":
        return args[0].id, None, args[1]
    if store_kind(stmt.value) == "insert":
        return args[0].id, args[1], args[2]
    return args[0].id, args[1], None


def is_attribute_store(stmt):
    """Whether the store writes an attribute of an object: `obj_2 = rt.write(obj_1.h, value)`."""
    return kind(stmt) == "write" and isinstance(stmt.value.args[0], gast.Attribute)


def target(stmt, base):
    """The target of the store as Python runs it, on the object named base: `base[index]` or `base.h`."""
    slot = stmt.value.args[0]
    if isinstance(slot, gast.Attribute):
        return gast.Attribute(ir.name(base), slot.attr, gast.Store())
    return gast.Subscript(ir.name(base), ir.clone(slot.slice), gast.Store())


def store_call_node(runtime_name, kind_, args):
    call = gast.Call(gast.Attribute(ir.name(runtime_name), kind_, gast.Load()), args, [])
    call.store = kind_
    return call


def write_call(runtime_name, slot, value):
    return store_call_node(runtime_name, "write", [slot, value])


def is_statement_append(node):
    """`xs.append(v)` called as a statement on a name, with one argument: a store."""
    return isinstance(node, gast.Expr) and _list_method(node, "append", (1,)) is not None


def _list_method(node, method, arities):
    """The call `xs.<method>(...)` on a name with as many arguments as one of arities, making up a
    statement (`xs.pop()`) or the value of an assignment (`v = xs.pop()`), or None."""
    call = node.value if isinstance(node, (gast.Expr, gast.Assign)) else None
    if isinstance(call, gast.Call) and isinstance(call.func, gast.Attribute) and call.func.attr == method \
            and isinstance(call.func.value, gast.Name) and len(call.args) in arities and not call.keywords:
        return call
    return None


def store_call(stmt, parsed):
    """The kind of store a call statement makes (a key of STORE_CALLS), or None. `v = xs.pop()` is one
    too: the read of the item, then the store that removes it."""
    if isinstance(stmt, gast.Assign):
        return "pop" if _list_method(stmt, "pop", (0, 1)) and parsed.resolve(stmt.value.func) is None else None
    if not (isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call)):
        return None
    call = stmt.value
    func, args, keywords = call.func, call.args, {k.arg: k.value for k in call.keywords}
    if _out_name(keywords) is not None:
        return "out"
    fn = parsed.resolve(func)
    if fn is None:
        for method, arities in _LIST_METHODS.items():
            if _list_method(stmt, method, arities):
                return method
        return None
    if fn is np.copyto and len(args) == 2 and not keywords and isinstance(args[0], gast.Name):
        return "copyto"
    if fn is np.fill_diagonal and len(args) == 2 and not keywords and isinstance(args[0], gast.Name):
        return "diagonal"
    if getattr(fn, "__self__", None) is np.add and getattr(fn, "__name__", "") == "at" and len(args) == 3 \
            and not keywords and isinstance(args[0], gast.Name):
        return "add_at"
    return None


_LIST_METHODS = {"fill": (1,), "extend": (1,), "insert": (2,), "pop": (0, 1)}     # (and numbers of arguments)


def _out_name(keywords):
    """The name an `out=` keyword writes into (`out=y` or `out=(y,)`), or None."""
    out = keywords.get("out")
    if isinstance(out, gast.Tuple) and len(out.elts) == 1:
        out = out.elts[0]
    return out.id if isinstance(out, gast.Name) else None


class _Writes(ir.Transformer):
    def __init__(self, namer, parsed):
        self.namer, self.parsed = namer, parsed

    def visit_block(self, stmts):
        out = []
        for stmt in stmts:
            lowered = self.visit(stmt)
            out += lowered if isinstance(lowered, list) else [lowered]
        return out

    def visit_Assign(self, node):
        target = node.targets[0]
        if store_call(node, self.parsed) == "pop":
            return self.visit_block(self.pop(node.value, node, target))
        if isinstance(target, (gast.Tuple, gast.List)) and _stores_into_items(target):
            return self._unpack(target, node.value, node)
        if isinstance(target, gast.Attribute) and getattr(node, "in_place", False):
            return self._update_attribute(target, node)
        if isinstance(target, gast.Attribute) and isinstance(target.value, gast.Name):
            slot = gast.Attribute(ir.name(target.value.id), target.attr, gast.Load())
        elif isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name):
            slot = gast.Subscript(ir.name(target.value.id), target.slice, gast.Load())
        else:
            return node                 # (the fence rejected other stores)
        return ir.assign(target.value.id, write_call(self.namer.runtime_name(), slot, node.value), node)

    def _update_attribute(self, target, node):
        """`obj.h += v`: Python updates the array obj.h holds in place, then stores it back. So:
        `h = obj.h; h += v; obj.h = h`, where the alias analysis sees the update of what obj holds."""
        held = self.namer.fresh(target.attr)
        read = ir.assign(held, gast.Attribute(ir.clone(target.value), target.attr, gast.Load()), node)
        update = ir.assign(held, gast.BinOp(ir.name(held), node.value.op, node.value.right), node)
        update.in_place = True
        store = gast.Attribute(ir.clone(target.value), target.attr, gast.Store())
        return [read, update, self.visit_Assign(ir.assign(store, ir.name(held), node))]

    def visit_Expr(self, node):
        kind_ = store_call(node, self.parsed)
        if kind_:
            return self.visit_block(STORE_CALLS[kind_](self, node.value, node))
        if not is_statement_append(node):
            return node
        name = node.value.func.value.id
        call = store_call_node(self.namer.runtime_name(), "append", [ir.name(name), node.value.args[0]])
        return ir.assign(name, call, node)

    def store(self, base, index, value, like):
        """`base[index] = value`, before it is lowered."""
        target = gast.Subscript(ir.name(base), index, gast.Store())
        return ir.assign(target, value, like)

    def runtime(self, fname, args):
        return gast.Call(gast.Attribute(ir.name(self.namer.runtime_name()), fname, gast.Load()), args, [])

    def fill(self, call, like):
        return [self.store(call.func.value.id, ir.const(Ellipsis), call.args[0], like)]

    def copyto(self, call, like):
        base, value = call.args
        return [self.store(base.id, ir.const(Ellipsis), value, like)]

    def out(self, call, like):
        keywords = {k.arg: k.value for k in call.keywords}
        base = _out_name(keywords)
        result = gast.Call(call.func, call.args, [k for k in call.keywords if k.arg != "out"])
        return [self.store(base, ir.const(Ellipsis), result, like)]

    def diagonal(self, call, like):
        base, value = call.args
        return [self.store(base.id, self.runtime("diagonal", [ir.name(base.id)]), value, like)]

    def add_at(self, call, like):
        base, index, value = call.args
        return [self.store(base.id, ir.const(Ellipsis), self.runtime("added_at", [ir.name(base.id), index, value]),
                           like)]

    def extend(self, call, like):
        xs, items = call.func.value.id, call.args[0]

        def append(value):
            return ir.at(gast.Expr(gast.Call(gast.Attribute(ir.name(xs), "append", gast.Load()), [value], [])),
                         like)
        if isinstance(items, (gast.List, gast.Tuple)):
            return [append(item) for item in items.elts]
        item = self.namer.fresh("item")
        return [ir.at(gast.For(ir.name(item, store=True), items, [append(ir.name(item))], [], None), like)]

    def insert(self, call, like):
        xs = call.func.value.id
        position, value = call.args
        return [ir.assign(xs, store_call_node(self.namer.runtime_name(), "insert", [ir.name(xs), position, value]),
                          like)]

    def pop(self, call, like, target=None):
        """`target = xs.pop(i)`: the read of the item (when its value is used), then the store removing it."""
        xs = call.func.value.id
        position = call.args[0] if call.args else ir.const(-1)
        out = []
        if not isinstance(position, (gast.Name, gast.Constant)):        # (read once, used twice)
            out.append(ir.assign(self.namer.temp(), position, like))
            position = ir.name(out[-1].targets[0].id)
        if target is not None:
            out.append(ir.assign(target, gast.Subscript(ir.name(xs), ir.clone(position), gast.Load()), like))
        remove = store_call_node(self.namer.runtime_name(), "remove", [ir.name(xs), ir.clone(position)])
        return out + [ir.assign(xs, remove, like)]

    def _unpack(self, target, value, like):
        """`y[0], b = e`  ->  `t = e; y[0] = t[0]; b = t[1]` (each item's store then lowered)."""
        whole = self.namer.temp()
        out = [ir.assign(whole, value, like)]
        for k, elt in enumerate(target.elts):
            item = gast.Subscript(ir.name(whole), ir.const(k), gast.Load())
            lowered = self.visit_Assign(ir.assign(elt, item, like))
            out += lowered if isinstance(lowered, list) else [lowered]
        return out


STORE_CALLS = {"fill": _Writes.fill, "copyto": _Writes.copyto, "out": _Writes.out, "diagonal": _Writes.diagonal,
               "add_at": _Writes.add_at, "extend": _Writes.extend, "insert": _Writes.insert, "pop": _Writes.pop}


def _stores_into_items(target):
    return any(isinstance(n, gast.Subscript) for n in ir.walk(target))


def lower_writes(tree, namer, parsed):
    """Afterwards every store into an item or slice is `y = rt.write(y[index], value)`, every
    `xs.append(v)` is `xs = rt.append(xs, v)` (and so on for insert and pop); calls that store are the
    stores they make."""
    return _Writes(namer, parsed).visit(tree)
