"""Calls with `*items` (`flight(*controller(w, t), wind)`): the items passed one by one, when how many
there are is known when compiling. The starred value is a tuple or list display, a name bound once to
one, or a call of a helper each of whose `return`s is a display of the same length (that call is made
once, before the statement, into a name whose items are passed)."""
import gast

from . import ir
from .errors import UnsupportedSyntax

_HINT = "pass the items one by one, or `*` a tuple whose length the code shows (a display, or a helper " \
        "returning `a, b`)"


def lower_starred_calls(tree, namer, parsed):
    displays = _displays_bound_once(tree)
    tree.body = _block(tree.body, namer, parsed, displays)
    return tree


def _block(block, namer, parsed, displays):
    out = []
    for stmt in block:
        for field in ("body", "orelse"):
            if getattr(stmt, field, None):
                setattr(stmt, field, _block(getattr(stmt, field), namer, parsed, displays))
        hoisted = []
        for call in _starred_calls(stmt, parsed):
            call.args = [item for arg in call.args
                         for item in (_items(arg.value, stmt, namer, parsed, displays, hoisted)
                                      if isinstance(arg, gast.Starred) else [arg])]
        out += hoisted + [stmt]
    return out


def _starred_calls(stmt, parsed):
    """The calls with a starred argument that the statement itself evaluates, once each time it runs."""
    found = [sub for sub in gast.walk(ir.header(stmt))
             if isinstance(sub, gast.Call) and any(isinstance(a, gast.Starred) for a in sub.args)]
    found.reverse()             # inner calls first: `f(*g(*h(x)))` hoists h's items before g's call
    if found and (isinstance(stmt, gast.While) or _conditional(stmt)):
        raise _unsupported(parsed, found[0], "a call with `*items` in a `while` test, a conditional expression, "
                                             "`and`/`or` or a lambda")
    return found


def _conditional(stmt):
    return any(isinstance(n, (gast.IfExp, gast.BoolOp, gast.Lambda)) and
               any(isinstance(s, gast.Starred) for s in gast.walk(n)) for n in gast.walk(ir.header(stmt)))


def _items(value, stmt, namer, parsed, displays, hoisted):
    if isinstance(value, (gast.Tuple, gast.List)) and not any(isinstance(e, gast.Starred) for e in value.elts):
        return list(value.elts)
    if isinstance(value, gast.Name) and value.id in displays:
        return [_item(value.id, k) for k in range(len(displays[value.id].elts))]
    length = _returned_length(value, parsed)
    if length is None:
        raise _unsupported(parsed, value, "`*items` of a value whose number of items is not known when compiling")
    name = namer.fresh("items")
    hoisted.append(ir.assign(name, value, stmt))
    return [_item(name, k) for k in range(length)]


def _item(name, k):
    return gast.Subscript(ir.name(name), ir.const(k), gast.Load())


def _returned_length(value, parsed):
    """For a call of a helper whose every `return` is a tuple display of one length: that length."""
    if not isinstance(value, gast.Call):
        return None
    fn = parsed.resolve(value.func)
    if not hasattr(fn, "__code__"):
        return None
    from .frontend import parse
    try:
        helper = parse(fn).tree
    except Exception:           # no source: the length cannot be read
        return None
    lengths = {len(r.value.elts) if isinstance(r.value, gast.Tuple) else None for r in _returns(helper.body)}
    return lengths.pop() if len(lengths) == 1 else None


def _returns(block):
    for stmt in block:
        if isinstance(stmt, gast.Return):
            yield stmt
        if isinstance(stmt, (gast.FunctionDef, gast.ClassDef)):
            continue
        for field in ("body", "orelse", "finalbody", "handlers"):
            yield from _returns(getattr(stmt, field, None) or [])


def _displays_bound_once(tree):
    """{name: its tuple or list display} for names the function binds once, to a display."""
    bound, displays = {}, {}
    for node in gast.walk(tree):
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
            bound[node.id] = bound.get(node.id, 0) + 1
        if isinstance(node, gast.Assign) and isinstance(node.targets[0], gast.Name) and \
                isinstance(node.value, gast.Tuple) and not any(isinstance(e, gast.Starred) for e in node.value.elts):
            displays[node.targets[0].id] = node.value
    return {name: d for name, d in displays.items() if bound.get(name) == 1}


def _unsupported(parsed, node, what):
    lineno = getattr(node, "lineno", parsed.tree.lineno)
    return UnsupportedSyntax(f"{what} is not supported", parsed.filename, lineno,
                             getattr(node, "col_offset", 0) + parsed.col_offset, parsed.line_text(lineno), _HINT)
