"""Desugaring passes: fewer statement forms for the later passes to handle."""
import builtins

import gast

from . import ir, writes
from .errors import UnsupportedSyntax


class _Assignments(ir.Transformer):
    def visit_Global(self, node):       # (reads only, the fence made sure: the names resolve as globals)
        return None

    def visit_AnnAssign(self, node):
        if node.value is None:
            return None
        return ir.assign(node.target, node.value, node)

    def visit_AugAssign(self, node):
        load = ir.clone(node.target)
        load.ctx = gast.Load()
        stmt = ir.assign(node.target, ir.at(gast.BinOp(load, node.op, node.value), node), node)
        stmt.in_place = True          # on an array Python writes into the object (see aliases.py)
        return stmt

    def visit_Assign(self, node):
        if len(node.targets) == 1:
            return node
        # a = b = e  ->  a = e; b = a
        first = node.targets[0]
        out = [ir.assign(first, node.value, node)]
        for target in node.targets[1:]:
            out.append(ir.assign(target, ir.name(first.id) if isinstance(first, gast.Name)
                                 else ir.clone(node.value), node))
        return out


def keyword_dicts(tree):
    """{name: its display} for dicts a function builds once from a display with string keys and never
    changes: what `f(**opts)` passes is known when compiling."""
    displays, bound = {}, {}
    for node in ir.walk(tree):
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
            bound[node.id] = bound.get(node.id, 0) + 1
        if isinstance(node, gast.Assign) and isinstance(node.targets[0], gast.Name) and \
                isinstance(node.value, gast.Dict) and all(isinstance(k, gast.Constant) and isinstance(k.value, str)
                                                          for k in node.value.keys):
            displays[node.targets[0].id] = node.value
    changed = {n.value.id for n in ir.walk(tree) if isinstance(n, (gast.Subscript, gast.Attribute))
               and isinstance(n.value, gast.Name) and (isinstance(n.ctx, gast.Store) or isinstance(n, gast.Attribute))}
    return {name: d for name, d in displays.items() if bound.get(name) == 1 and name not in changed}


class _Keywords(ir.Transformer):
    """`f(x, **opts)` with opts a dict built here from a display: `f(x, k=opts['k'], ...)`."""

    def __init__(self, dicts):
        self.dicts = dicts

    def visit_Call(self, node):
        self.generic_visit(node)
        keywords = []
        for k in node.keywords:
            if k.arg is None and isinstance(k.value, gast.Name) and k.value.id in self.dicts:
                keywords += [gast.keyword(key.value, gast.Subscript(ir.name(k.value.id), ir.const(key.value),
                                                                      gast.Load())) for key in self.dicts[k.value.id].keys]
            else:
                keywords.append(k)
        node.keywords = keywords
        return node


def simplify_assignments(tree, namer):
    """Afterwards every assignment is a plain `=` with one target (augmented and annotated ones rewritten);
    `global` declarations (of names only read) are dropped; `f(**opts)` of a dict built here from a
    display passes its items by name."""
    tree = _Assignments().visit(tree)
    return _Keywords(keyword_dicts(tree)).visit(tree)


class _With(ir.Transformer):
    def __init__(self, namer):
        self.namer = namer

    def visit_With(self, node):
        self.generic_visit(node)                # (blocks inside first: their ways out leave them first)
        out, managers = [], []
        for item in node.items:
            manager = self.namer.fresh(_manager_name(item.context_expr))
            out.append(ir.assign(manager, item.context_expr, node))
            enter = self._runtime("enter", manager)
            out.append(ir.assign(item.optional_vars, enter, node) if item.optional_vars is not None
                       else ir.at(gast.Expr(enter), node))
            managers.insert(0, manager)
        leave = lambda like: [ir.at(gast.Expr(self._runtime("leave", m)), like) for m in managers]  # noqa: E731
        return out + self._leaving(node.body, leave, in_loop=False) + leave(node)

    def _leaving(self, block, leave, in_loop):
        """block with the managers left before each `return`, and before each `break` or `continue`
        of a loop around the `with` (a returned value is computed first, inside the block)."""
        out = []
        for stmt in block:
            if isinstance(stmt, gast.Return):
                if stmt.value is not None and not isinstance(stmt.value, (gast.Name, gast.Constant)):
                    result = self.namer.fresh("result")
                    out.append(ir.assign(result, stmt.value, stmt))
                    stmt.value = ir.name(result)
                out += leave(stmt) + [stmt]
                continue
            if isinstance(stmt, (gast.Break, gast.Continue)) and not in_loop:
                out += leave(stmt) + [stmt]
                continue
            for field in ("body", "orelse"):
                if isinstance(getattr(stmt, field, None), list):
                    inner = in_loop or isinstance(stmt, (gast.For, gast.While)) and field == "body"
                    setattr(stmt, field, self._leaving(getattr(stmt, field), leave, inner))
            out.append(stmt)
        return out

    def _runtime(self, fname, manager):
        return gast.Call(gast.Attribute(ir.name(self.namer.runtime_name()), fname, gast.Load()),
                         [ir.name(manager)], [])


def _manager_name(expr):
    """`errstate` for `np.errstate(...)`, `timer` for `timer()` or `timer`: the manager's name."""
    expr = expr.func if isinstance(expr, gast.Call) else expr
    return expr.attr if isinstance(expr, gast.Attribute) else expr.id if isinstance(expr, gast.Name) else "manager"


def lower_with(tree, namer):
    """Afterwards no `with` is left: its body runs between `rt.enter(manager)` and `rt.leave(manager)`,
    and every way out of it (`return`, a `break` or `continue` of a loop around it) leaves it first.
    A derivative that raises leaves what it entered (runtime.unwind), as Python's `with` would."""
    return _With(namer).visit(tree)


class _ForIterables(ir.Transformer):
    def __init__(self, namer):
        self.namer = namer

    def visit_For(self, node):
        self.generic_visit(node)
        it = node.iter
        if _is_call_to(it, "range"):
            if isinstance(node.target, gast.Name):
                return node
            index = self.namer.fresh("k")
            unpack = [ir.assign(node.target, ir.name(index), node)]
            return self._loop(node, gast.Call(ir.name("range"), it.args, []), index, unpack)
        if _is_call_to(it, "reversed") and len(it.args) == 1:
            # for item in reversed(seq)  ->  for k in range(len(seq) - 1, -1, -1): item = seq[k]
            index = self.namer.fresh("k")
            seq, pre = self._sequence(it.args[0], node)
            last = gast.BinOp(gast.Call(ir.name("len"), [ir.name(seq)], []), gast.Sub(), ir.const(1))
            backwards = gast.Call(ir.name("range"), [last, ir.const(-1), ir.const(-1)], [])
            unpack = [ir.assign(node.target, _item(seq, index), node)]
            return pre + self._loop(node, backwards, index, unpack)
        # for item in sequence  ->  for k in range(len(sequence)): item = sequence[k]; zip and enumerate
        # (nested in each other too) index their sequences with the same k
        index = self.namer.fresh("k")
        pre, length, item = self._iterated(it, index, node)
        return pre + self._loop(node, gast.Call(ir.name("range"), [length], []), index,
                                _unpacked(node.target, item, node))

    def _iterated(self, expr, index, like):
        """(statements before the loop, its number of iterations, the item at `index`) of an iterable."""
        if _is_call_to(expr, "enumerate") and len(expr.args) == 1 and not expr.keywords:
            pre, length, item = self._iterated(expr.args[0], index, like)
            return pre, length, gast.Tuple([ir.name(index), item], gast.Load())
        if _is_call_to(expr, "zip") and expr.args and not expr.keywords:
            parts = [self._iterated(arg, index, like) for arg in expr.args]
            length = parts[0][1] if len(parts) == 1 else gast.Call(ir.name("min"), [p[1] for p in parts], [])
            return [s for p in parts for s in p[0]], length, gast.Tuple([p[2] for p in parts], gast.Load())
        seq, pre = self._sequence(expr, like)
        return pre, gast.Call(ir.name("len"), [ir.name(seq)], []), _item(seq, index)

    def _sequence(self, expr, like):
        # Python iterates the object the loop started with: a name the body rebinds is read
        # through a fresh name bound before the loop
        if isinstance(expr, gast.Name) and expr.id not in ir.names_stored(gast.Module(like.body, [])):
            return expr.id, []
        seq = self.namer.fresh("seq")
        return seq, [ir.assign(seq, expr, like)]

    def _loop(self, node, range_call, index, unpack):
        loop = gast.For(ir.name(index, store=True), ir.at(range_call, node), unpack + node.body, [], None)
        return [ir.at(loop, node)]


def _is_call_to(node, fname):
    return isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and node.func.id == fname


def _unpacked(target, item, like):
    """`target = item`, a tuple target taking a tuple item part by part (`k, (a, b) = (k, (xs[k], ys[k]))`)."""
    if isinstance(target, (gast.Tuple, gast.List)) and isinstance(item, gast.Tuple) and \
            len(target.elts) == len(item.elts):
        return [stmt for t, i in zip(target.elts, item.elts) for stmt in _unpacked(t, i, like)]
    return [ir.assign(target, item, like)]


def _item(seq, index):
    item = gast.Subscript(ir.name(seq), ir.name(index), gast.Load())
    item.loop_item = True           # the k-th item a loop visits: a dict's k-th key (see read_containers)
    return item


def read_containers(tree, shapes, parsed, runtime_name):
    """Reads of containers known once the argument types are (`shapes`): where a loop runs over a dict,
    its k-th item is the k-th key (`rt.key_at(d, k)`); `d.items()`, `d.values()`, `d.keys()` are lists;
    `d.get(k, default)` is `rt.get(d, k, default)`; and `max(xs)`, `min(xs)` of one sequence are
    `rt.largest(xs)`, `rt.smallest(xs)` (the two-argument forms are elementwise rules); `dict(a=x)` is the
    display `{'a': x}`. Rejected here,
    where the kinds are known: `d.pop(k)` on a dict, a store into a slice of a list."""
    from .shapes import MAPPING, is_sequence
    for stmt in ir.statements(tree.body):
        if not isinstance(stmt, gast.Assign):
            continue
        value = stmt.value
        if getattr(value, "loop_item", False) and shapes.get(getattr(value.value, "id", None)) is MAPPING:
            stmt.value = _runtime_call(runtime_name, "key_at", [value.value, value.slice])
        if not isinstance(value, gast.Call):
            continue
        if writes.store_kind(value) in ("insert", "remove") and shapes.get(value.args[0].id) is MAPPING:
            raise _unsupported(parsed, stmt, "`d.pop(k)` on a dict is not supported", "read the value (`v = d[k]`) "
                               "and leave the key in the dict, or build a new dict without it")
        if writes.is_write_call(value) and is_sequence(shapes.get(value.args[0].value.id)) \
                and any(isinstance(n, gast.Slice) for n in ir.walk(value.args[0].slice)):
            raise _unsupported(parsed, stmt, "a store into a slice of a list (which may change its length) is not "
                               "supported", "store item by item (`xs[i] = v`), or keep the values in an array")
        method = value.func.attr if isinstance(value.func, gast.Attribute) and \
            shapes.get(getattr(value.func.value, "id", None)) is MAPPING else None
        if method in _VIEWS and not value.args:
            stmt.value = _runtime_call(runtime_name, _VIEWS[method], [value.func.value])
        elif method == "get" and len(value.args) in (1, 2) and not value.keywords:
            stmt.value = _runtime_call(runtime_name, "get", [value.func.value] + value.args[:1]
                                       + (value.args[1:] or [ir.const(None)]))
        elif len(value.args) == 1 and not value.keywords and parsed.resolve(value.func) in _EXTREMA:
            stmt.value = _runtime_call(runtime_name, _EXTREMA[parsed.resolve(value.func)], value.args)
        elif parsed.resolve(value.func) is dict and not value.args and value.keywords:     # `dict(a=x)`: a display
            stmt.value = ir.at(gast.Dict([ir.const(k.arg) for k in value.keywords], [k.value for k in value.keywords]),
                               stmt)


def _unsupported(parsed, stmt, message, hint):
    return UnsupportedSyntax(message, parsed.filename, stmt.lineno, getattr(stmt, "col_offset", 0) + parsed.col_offset,
                             parsed.line_text(stmt.lineno), hint)


_VIEWS = {"items": "dict_items", "values": "dict_values", "keys": "dict_keys"}
_EXTREMA = {builtins.max: "largest", builtins.min: "smallest"}


def _runtime_call(runtime_name, name, args):
    return gast.Call(gast.Attribute(ir.name(runtime_name), name, gast.Load()), args, [])


def lower_for_iterables(tree, namer):
    """Afterwards every `for` loop runs over `range(...)` with a plain name as its target."""
    return _ForIterables(namer).visit(tree)
