"""Calls with `*items` (`flight(*controller(w, t), wind)`): the items passed one by one, when how many
there are is known when compiling. The starred value is a tuple or list display, a name bound once to
one, or a call of a helper each of whose `return`s is a display of the same length (that call is made
once, before the statement, into a name whose items are passed).

A helper that takes `*args` is compiled with `args` a plain parameter (frontend.parse), so its calls
pass the extra items as one tuple, to a copy of the helper with that signature: `total(x, y, x * y)`
becomes `total_1((x, y, x * y))`, and the tuple's adjoint is the items' adjoints."""
import builtins
import inspect

import gast

from . import frontend, ir
from .errors import UnsupportedSyntax

_HINT = "pass the items one by one, or `*` a tuple whose length the code shows (a display, or a helper " \
        "returning `a, b`)"


def lower_starred_calls(tree, namer, parsed):
    displays = _displays_bound_once(tree)
    tree.body = _block(tree.body, namer, parsed, displays, {})
    return tree


def _block(block, namer, parsed, displays, plain_copies):
    out = []
    for stmt in block:
        for field in ("body", "orelse"):
            if getattr(stmt, field, None):
                setattr(stmt, field, _block(getattr(stmt, field), namer, parsed, displays, plain_copies))
        calls = [sub for sub in ir.walk(ir.header(stmt)) if isinstance(sub, gast.Call)]
        taking_star = {id(call): found for call in calls for found in [_function_taking_star(call, parsed)] if found}
        hoisted = []
        for call in _starred_calls(stmt, parsed):
            if not _starred_into_star(call, *taking_star.get(id(call), (None, None))):
                call.args = [item for arg in call.args
                             for item in (_items(arg.value, stmt, namer, parsed, displays, hoisted)
                                          if isinstance(arg, gast.Starred) else [arg])]
        for call in calls:
            if id(call) in taking_star:
                fn, receiver = taking_star[id(call)]
                pack_star_arguments(call, fn, namer, parsed, plain_copies,
                                    lambda extra, call: _joined_items(extra, call, namer, parsed), receiver)
        out += hoisted + [stmt]
    return out


def _function_taking_star(call, parsed):
    """(the helper taking `*args` that the call runs, the object passed first or None), or None. A
    method of an object the compiler knows (`s.total(x, y)`, s a global or a closure's) is its
    class's function, passed the object first."""
    fn = parsed.resolve(call.func)
    if inspect.ismethod(fn) and isinstance(call.func, gast.Attribute) and takes_star(fn.__func__):
        return fn.__func__, call.func.value
    return (fn, None) if takes_star(fn) else None


def takes_star(fn):
    """Whether fn is a helper (compiled from its source) that takes `*args` (and no `**kwargs`)."""
    if not inspect.isfunction(fn) or frontend.in_library(fn):
        return False
    kinds = {p.kind for p in inspect.signature(fn).parameters.values()}
    return inspect.Parameter.VAR_POSITIONAL in kinds and inspect.Parameter.VAR_KEYWORD not in kinds


def _named(fn):
    return [p.name for p in inspect.signature(fn).parameters.values() if p.kind == p.POSITIONAL_OR_KEYWORD]


def _starred_into_star(call, fn, receiver):
    """Whether every `*items` of the call lands in fn's `*args` (the named parameters are given before
    it): then the items are passed on as they are, however many there are."""
    if fn is None:
        return False
    first = next(k for k, arg in enumerate(call.args) if isinstance(arg, gast.Starred))
    return first + (receiver is not None) >= len(_named(fn))


def late_call_refusal(fn):
    """Why a call of fn that reached the generators is refused: a helper taking `*args` called through
    a name resolved after the starred pass (`g = total; g(x, y)`), which therefore passed no tuple."""
    return f"it takes `*args`, and is called here through a name the compiler resolves late; " \
        f"call `{fn.__name__}` by its own name" if takes_star(fn) else None


def pack_star_arguments(call, fn, namer, parsed, plain_copies, as_tuple, receiver=None):
    """A call of a helper taking `*args` becomes the call of its copy whose `args` is a plain parameter,
    passed `as_tuple(extra arguments)` (the named parameters first, by position while they are; the
    receiver of a bound method first of all)."""
    named = _named(fn)
    args = ([receiver] if receiver is not None else []) + call.args
    heads, extra = args[:len(named)], args[len(named):]
    keywords = {k.arg: k.value for k in call.keywords}
    try:
        inspect.signature(fn).bind(*heads, *extra, **keywords)
    except TypeError as exc:
        raise UnsupportedSyntax(f"the call of `{fn.__name__}` does not match its signature ({exc})",
                                parsed.filename, call.lineno, call.col_offset + parsed.col_offset,
                                parsed.line_text(call.lineno), "pass the arguments its signature takes") from None
    star = next(p.name for p in inspect.signature(fn).parameters.values() if p.kind == p.VAR_POSITIONAL)
    bound = {**dict(zip(named, heads)), **({star: as_tuple(extra, call)} if extra else {}), **keywords}
    order = [p.name for p in inspect.signature(fn).parameters.values()]
    passed = [name for name in order if name in bound]
    positional = passed[:next((k for k, name in enumerate(passed) if name != order[k]), len(passed))]
    if fn not in plain_copies:
        plain_copies[fn] = _with_plain_star(fn, namer, parsed)
    call.func = ir.at(ir.name(frontend.function_name(plain_copies[fn])), call.func)
    call.args = [bound[name] for name in positional]
    call.keywords = [gast.keyword(name, bound[name]) for name in passed[len(positional):]]


def _joined_items(extra, call, namer, parsed):
    """The tuple of a call's extra arguments: a display, with `tuple(items)` added for each `*items`."""
    pieces, run = [], []
    for arg in extra:
        if isinstance(arg, gast.Starred):
            pieces += ([gast.Tuple(run, gast.Load())] if run else []) + \
                [gast.Call(ir.name(_builtin_tuple(namer, parsed)), [arg.value], [])]
            run = []
        else:
            run.append(arg)
    pieces += [gast.Tuple(run, gast.Load())] if run or not pieces else []
    joined = pieces[0]
    for piece in pieces[1:]:
        joined = gast.BinOp(joined, gast.Add(), piece)
    return ir.at(joined, call)


def _builtin_tuple(namer, parsed):
    """The name the function reads the builtin `tuple` by (`tuple`, unless it binds that name itself)."""
    if parsed.resolve(ir.name("tuple")) is not builtins.tuple:
        name = namer.fresh("tuple")
        parsed.static_locals[name] = builtins.tuple
        return name
    return "tuple"


def _with_plain_star(fn, namer, parsed):
    """fn compiled from its own lines with `*args` a plain parameter (default `()`); a helper of
    the function being compiled, as a lifted function is."""
    from .specialise import compile_clone
    helper = frontend.parse(fn)
    helper.tree.name = namer.fresh(frontend.function_name(fn))
    plain = compile_clone(helper.tree, helper, {})
    parsed.lifted[helper.tree.name] = parsed.static_locals[helper.tree.name] = plain
    return plain


def _starred_calls(stmt, parsed):
    """The calls with a starred argument that the statement itself evaluates, once each time it runs."""
    found = [sub for sub in ir.walk(ir.header(stmt))
             if isinstance(sub, gast.Call) and any(isinstance(a, gast.Starred) for a in sub.args)]
    found.reverse()             # inner calls first: `f(*g(*h(x)))` hoists h's items before g's call
    if found and (isinstance(stmt, gast.While) or _conditional(stmt)):
        raise _unsupported(parsed, found[0], "a call with `*items` in a `while` test, a conditional expression, "
                                             "`and`/`or` or a lambda")
    return found


def _conditional(stmt):
    return any(isinstance(n, (gast.IfExp, gast.BoolOp, gast.Lambda)) and
               any(isinstance(s, gast.Starred) for s in ir.walk(n)) for n in ir.walk(ir.header(stmt)))


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
    for node in ir.walk(tree):
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
