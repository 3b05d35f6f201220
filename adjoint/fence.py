"""Fence: reject constructs the compiler cannot differentiate, at the user's line."""
import builtins
import inspect
import operator
import random

import gast
import numpy as np

from . import frontend, ir
from .emit import to_source
from .errors import UnsupportedSyntax
from .comprehensions import BUILT
from .desugar import keyword_dicts
from .writes import is_statement_append, store_call

# node type -> (what it is, what to write instead)
REJECTED = {
    gast.AsyncWith: ("`async with`", "differentiate a synchronous function"),
    gast.Try: ("`try` statements", "validate inputs before calling the differentiated function"),
    gast.SetComp: ("set comprehensions", "write an explicit loop"),
    gast.Nonlocal: ("`nonlocal` declarations", "pass the value as an argument and return the new value"),
    gast.Yield: ("generators (`yield`)", "return a value instead"),
    gast.YieldFrom: ("generators (`yield from`)", "return a value instead"),
    gast.Await: ("`await`", "differentiate a synchronous function"),
    gast.AsyncFunctionDef: ("async functions", "differentiate a synchronous function"),
    gast.AsyncFor: ("`async for`", "use a plain `for` loop"),
    gast.ClassDef: ("class definitions inside the function", "define the class at module level"),
    gast.Delete: ("`del`", "let the variable go out of scope instead"),
    gast.Import: ("imports inside the function", "import at module level"),
    gast.ImportFrom: ("imports inside the function", "import at module level"),
    gast.NamedExpr: ("assignment expressions (`:=`)", "assign on a separate line"),
    gast.Match: ("`match` statements", "use if / elif / else"),
    gast.Set: ("set displays", "use a tuple or a list"),
    gast.Starred: ("starred expressions outside a call (`[*xs, y]`, `a, *rest = xs`)", "index the items"),
}
if hasattr(gast, "TryStar"):            # `except*`, Python 3.11
    REJECTED[gast.TryStar] = REJECTED[gast.Try]

# functions that write into an argument: the compiler sees a call whose result is unused, so the
# write would be lost and its derivative silently zero. (what it does, what to write instead)
MUTATING_FUNCTIONS = {
    np.copyto: ("np.copyto(dst, src) with `where=` or `casting=`, or read as a value, writes into dst in place",
                "write `dst[...] = src` (or `dst[mask] = src[mask]`), or call `np.copyto(dst, src)` as a statement"),
    np.fill_diagonal: ("np.fill_diagonal(a, v) with `wrap=`, or read as a value, writes the diagonal of a in place",
                       "call `np.fill_diagonal(a, v)` as a statement, or store `a[i, i] = v` in a loop"),
    np.put: ("np.put(a, ind, v) writes into a in place",
             "build a new array, e.g. `a = np.where(mask, v, a)` with a boolean mask of the positions"),
    np.place: ("np.place(a, mask, v) writes into a in place", "write `a = np.where(mask, v, a)`"),
    np.putmask: ("np.putmask(a, mask, v) writes into a in place", "write `a = np.where(mask, v, a)`"),
    np.put_along_axis: ("np.put_along_axis(a, ind, v, axis) writes into a in place",
                        "build a new array, e.g. with np.where on a boolean mask"),
    np.random.shuffle: ("np.random.shuffle(x) permutes x in place", "write `x = x[np.random.permutation(len(x))]`"),
    random.shuffle: ("random.shuffle(x) permutes x in place", "write `x = [x[i] for i in order]` with a permutation"),
    builtins.setattr: ("setattr(obj, name, v) writes an attribute", "assign to a local variable and return it"),
    builtins.delattr: ("delattr(obj, name) deletes an attribute", "leave the object alone"),
    builtins.exec: ("exec(...) runs code the compiler cannot see", "write the code in the function"),
    builtins.eval: ("eval(...) runs code the compiler cannot see", "write the expression in the function"),
    operator.setitem: ("operator.setitem(a, i, v) writes into a in place", "build a new array, e.g. with np.where"),
    operator.delitem: ("operator.delitem(a, i) deletes from a in place", "build a new value instead"),
}
# operator.iadd(a, b) and its kin update an array in place (and return it)
MUTATING_FUNCTIONS.update({
    getattr(operator, name): (f"operator.{name}(a, b) updates the array a in place",
                              f"write `a = a {symbol} b`")
    for name, symbol in [("iadd", "+"), ("isub", "-"), ("imul", "*"), ("itruediv", "/"), ("ipow", "**"),
                         ("imatmul", "@"), ("imod", "%"), ("ifloordiv", "//")]
})

MUTATING_METHODS = {"append", "extend", "insert", "pop", "remove", "update", "setdefault", "clear",
                    "sort", "reverse", "fill", "resize", "itemset", "put", "setfield", "add", "partition",
                    "shuffle", "setflags", "popitem", "discard", "__setitem__", "__delitem__", "__setattr__",
                    "__delattr__", "__iadd__", "__isub__", "__imul__", "__itruediv__", "__ifloordiv__",
                    "__ipow__", "__imatmul__", "__imod__"}
# what to write instead of an array method that works in place
METHOD_HINTS = {
    "fill": "call `x.fill(v)` as a statement, or write `x[...] = v`",
    "sort": "write `x = np.sort(x)`",
    "resize": "write `x = np.resize(x, shape)` (or x.reshape)",
    "partition": "write `x = np.partition(x, k)`",
    "put": "build a new array, e.g. `x = np.where(mask, v, x)`",
    "itemset": "build a new array, e.g. `x = np.where(mask, v, x)`",
    "shuffle": "index with a permutation: `x = x[rng.permutation(len(x))]`",
}


def fence(parsed):
    """Raise UnsupportedSyntax at the first construct outside the supported subset."""
    fn = parsed.tree
    args = fn.args
    if args.kwarg or args.posonlyargs:
        _reject(parsed, fn, "`**kwargs` and positional-only parameters are not supported",
                "give every parameter a name in the signature")
    from .inline import classes_known
    classes = classes_known(fn, parsed)        # a method of one of these is the class's, not a list's
    passed = {id(a) for node in ir.walk(fn) if isinstance(node, gast.Call) for a in node.args
              if isinstance(a, gast.Starred)}   # `f(*items)`: the starred pass passes them one by one
    for stmt in fn.body:
        for node in ir.walk(stmt):
            if id(node) not in passed:
                _check(parsed, node, classes)
    return parsed


def _check(parsed, node, classes):
    if isinstance(node, (gast.While, gast.IfExp, gast.BoolOp, gast.Lambda)):
        _check_no_comprehension(parsed, node)
    if isinstance(node, BUILT) and any(g.is_async for g in node.generators):
        _reject(parsed, node, "async comprehensions are not supported", "write an explicit loop")
    if is_statement_append(node) or store_call(node, parsed):
        node.value.statement_store = True       # (its call is checked next: gast.walk goes parent first)
    if isinstance(node, gast.Global) and set(node.names) & set(ir.names_stored(parsed.tree)):
        _reject(parsed, node, "assigning a module-level variable (`global` and then `=`) is not supported",
                "pass the value as an argument and return the new value")
    kind = REJECTED.get(type(node))
    if kind:
        _reject(parsed, node, kind[0] + " are not supported", kind[1])
    if isinstance(node, (gast.Assign, gast.AugAssign, gast.AnnAssign)):
        for target in getattr(node, "targets", None) or [node.target]:
            _check_target(parsed, target)
    elif isinstance(node, gast.For):
        _check_target(parsed, node.target, loop=True)
        _check_iterable(parsed, node.iter)
    elif isinstance(node, gast.Call):
        _check_call(parsed, node, classes)


def _check_no_comprehension(parsed, node):
    """A comprehension is built before the statement that reads it (comprehensions.py): not where it
    would be evaluated again (a `while` test) or only on one side (`a if c else [...]`, `and`, `or`)."""
    parts = [node.test] if isinstance(node, gast.While) else \
        [node.body, node.orelse] if isinstance(node, gast.IfExp) else \
        node.values[1:] if isinstance(node, gast.BoolOp) else [node.body]
    for part in parts:
        for inner in ir.walk(part):
            if isinstance(inner, BUILT):
                _reject(parsed, inner, "a comprehension here would be evaluated where Python would not (in a "
                        "`while` test, one branch of a conditional expression, or after `and`/`or`)",
                        "build it on a line of its own and use the variable")


def _check_iterable(parsed, iterable):
    """Loops run over range, sequences, enumerate(sequence) and zip(...); enumerate's start is not read."""
    if isinstance(iterable, gast.Call) and parsed.resolve(iterable.func) is builtins.enumerate and \
            (len(iterable.args) > 1 or iterable.keywords):
        _reject(parsed, iterable, "`enumerate` with a start value is not supported",
                "write `for i, v in enumerate(xs):` and use `i + start` in the body")


def _check_call(parsed, call, classes):
    """Calls that write into their arguments (or run code the compiler cannot see) are rejected."""
    passed = [getattr(k.value, "id", None) for k in call.keywords if k.arg is None]     # `**opts`
    if passed and not set(passed) <= set(keyword_dicts(parsed.tree)):
        _reject(parsed, call, "`**kwargs` in calls is supported for a dict built once in the function from a "
                "display with string keys (`opts = {'k': 3.0}`) and not changed after", "pass keyword arguments "
                "by name, or build the dict in the function: `opts = {'k': 3.0}; f(x, **opts)`")
    if getattr(call, "statement_store", False):
        return                          # `xs.append(v)`, `y.fill(v)`, `f(a, out=y)`, ...: a store (writes.py)
    if any(k.arg == "out" and not _is_none(k.value) for k in call.keywords):
        _reject(parsed, call, "`out=` arguments write the result into an existing array in place, which is "
                "not differentiable in an expression", "call it as a statement of its own (`np.add(a, b, out=y)`), "
                "or drop `out=` and assign the result: `y = np.add(a, b)`")
    fn = parsed.resolve(call.func)
    if inspect.isfunction(fn) and any(p.kind == p.VAR_KEYWORD for p in inspect.signature(fn).parameters.values()) \
            and not frontend.in_library(fn):
        _reject(parsed, call, f"a call of `{fn.__name__}`, which takes `**kwargs`, from differentiated code is not "
                "supported", f"give `{fn.__name__}` the keyword parameters it reads by name")
    if _hashable(fn) and fn in MUTATING_FUNCTIONS:
        what, hint = MUTATING_FUNCTIONS[fn]
        _reject(parsed, call, f"{what}, which is not differentiable", hint)
    if isinstance(fn, np.ufunc) and len(call.args) > fn.nin:
        _reject(parsed, call, f"np.{fn.__name__} with {len(call.args)} positional arguments writes into the "
                f"last {len(call.args) - fn.nin} (its `out`) in place, which is not differentiable",
                f"pass {fn.nin} operands and assign the result")
    if _ufunc_method(fn) == "at":
        _reject(parsed, call, f"np.{fn.__self__.__name__}.at(a, indices, ...) updates a in place, which is not "
                "differentiable (but for np.add.at as a statement)", "for sums per index call "
                "`np.add.at(a, index, v)` as a statement; else build the update with np.where")
    method = _mutating_method(fn, call.func)
    held = isinstance(call.func, gast.Attribute) and isinstance(call.func.value, (gast.Attribute, gast.Subscript))
    if method and held and method in ("append", "extend", "insert", "pop"):
        what = to_source(call.func.value).strip()
        _reject(parsed, call, f"`{what}.{method}(...)` changes a list that another object holds, which is not "
                "supported", f"rebind it to a new list, e.g. `{what} = {what} + [value]`, or keep the list in a "
                "variable of this function and store it when done")
    if method and not _user_method(call.func, classes):
        _reject(parsed, call, f"in-place mutation (`.{method}(...)`) is not differentiable yet",
                METHOD_HINTS.get(method, "build a new value instead, e.g. collect with np.stack / np.concatenate "
                                         "of a tuple"))


def _mutating_method(fn, func):
    """The name of the in-place method a call invokes: `x.sort()` on a value, or `np.ndarray.fill(x, 0)`,
    `list.append(xs, v)` through the class."""
    if fn is None and isinstance(func, gast.Attribute) and func.attr in MUTATING_METHODS:
        return func.attr
    if type(fn).__name__ in ("method_descriptor", "builtin_function_or_method") and \
            isinstance(getattr(fn, "__objclass__", None), type) and fn.__name__ in MUTATING_METHODS:
        return fn.__name__
    return None


def _user_method(func, classes):
    """Whether `obj.m(...)` calls a method obj's class defines (`acc.add(t)`), its class known here."""
    cls = classes.get(func.value.id) if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) \
        else None
    return cls is not None and inspect.isfunction(inspect.getattr_static(cls, func.attr, None))


def _ufunc_method(fn):
    owner = getattr(fn, "__self__", None)
    return fn.__name__ if isinstance(owner, np.ufunc) else None


def _is_none(node):
    return isinstance(node, gast.Constant) and node.value is None


def _hashable(fn):
    try:
        hash(fn)
        return fn is not None
    except TypeError:
        return False


_ARRAY_ATTRIBUTES = {"shape", "dtype", "real", "imag", "flat", "T", "mT", "strides", "data", "base", "flags", "size",
                     "ndim"}


def _check_target(parsed, target, loop=False):
    if isinstance(target, (gast.Tuple, gast.List)):
        for elt in target.elts:
            _check_target(parsed, elt, loop)
    elif isinstance(target, gast.Attribute) and not isinstance(target.value, gast.Name):
        _reject(parsed, target, "a store into an attribute of an expression is not supported",
                "bind the object to a name first: `layer = self.layers[i]; layer.W = ...`")
    elif isinstance(target, gast.Attribute) and target.attr in _ARRAY_ATTRIBUTES:
        _reject(parsed, target, f"setting an array's `.{target.attr}` changes the array in place, which is not "
                "supported", "make a new array: `y = x.reshape(shape)`, `y = x.astype(dtype)`")
    elif isinstance(target, gast.Attribute) and loop:
        _reject(parsed, target, "a loop target that stores into an attribute is not supported",
                "loop over a plain name and assign the attribute in the body")
    elif isinstance(target, gast.Subscript) and loop:
        _reject(parsed, target, "a loop target that stores into an item or slice is not supported",
                "loop over a plain name and assign the item in the body: `for v in xs: y[i] = v`")
    elif isinstance(target, gast.Subscript) and isinstance(target.value, gast.Subscript):
        _reject(parsed, target, "a store through two subscripts (`x[i][j] = v`) is not supported: the first one "
                "may make a copy or a view", "write `x[i, j] = v` for an array, or `row = x[i]; row[j] = v`")
    elif isinstance(target, gast.Subscript) and not isinstance(target.value, gast.Name):
        _reject(parsed, target, "a store into an item of an expression is not supported",
                "bind the object to a name first: `y = ...; y[i] = v`")


def _reject(parsed, node, message, hint):
    lineno = getattr(node, "lineno", parsed.tree.lineno)
    col = getattr(node, "col_offset", 0) + parsed.col_offset
    raise UnsupportedSyntax(message, parsed.filename, lineno, col, parsed.line_text(lineno), hint)
