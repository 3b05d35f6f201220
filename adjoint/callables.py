"""Callables that are not plain functions, as plain functions with readable source.

`adjoint.grad(model.loss)`, `adjoint.grad(layer)`, `adjoint.jvp(functools.partial(f, w), ...)`: a
bound method (also a classmethod, bound to its class; an object's `__call__`) or a partial becomes
a small function calling what it wraps with the bound arguments, which it holds in closure cells:

    def loss(x):
        return method(self, x)

Every transform then handles it as any function: `method` is read from its cell at compile time
and differentiated from its source, `self` is a value the derivative does not flow into. The text
of each shape of wrapper is compiled once (the compile cache keys on the code object); each
wrapped callable gets its own cells.
"""
import functools
import hashlib
import inspect
import linecache
import re
import weakref

from . import frontend
from .errors import NoSource
from .naming import fresh_in

_FACTORIES = {}                            # wrapper text -> the compiled factory making such wrappers
_WRAPPERS = weakref.WeakKeyDictionary()    # partial, or a method's self -> {function: wrapper}
_CONSTANT_DEFAULTS = (int, float, complex, bool, str, type(None))


def plain(fn):
    """fn itself, or for a bound method, an object with `__call__` or a functools.partial the wrapper
    function (memoized per callable); a callable whose signature the wrapper cannot spell is returned
    as it is."""
    if _callable_object(fn):
        fn = fn.__call__                   # its __call__, bound to it
    if inspect.ismethod(fn) and inspect.isfunction(fn.__func__):
        owner, inner, bound, keywords, name = fn.__self__, fn.__func__, (fn.__self__,), {}, _method_name(fn)
    elif isinstance(fn, functools.partial) and callable(fn.func):
        owner, inner, bound, keywords = fn, fn.func, fn.args, dict(fn.keywords)
        name = _name(plain(fn.func))
    else:
        return fn
    try:
        known = _WRAPPERS.get(owner, {})
    except TypeError:                      # not weakly referenceable: made anew each time
        known = {}
    if inner in known:
        return known[inner]
    wrapper = _wrap(fn, inner, bound, keywords, name)
    if wrapper is not fn:
        try:
            _WRAPPERS.setdefault(owner, {})[inner] = wrapper
        except TypeError:
            pass
    return wrapper


def _callable_object(fn):
    """An instance of a user class defining `__call__` in Python (not a derivative adjoint made)."""
    return not isinstance(fn, type) and not inspect.isroutine(fn) and not hasattr(fn, "__adjoint_function__") \
        and inspect.isfunction(getattr(type(fn), "__call__", None))


def _wrap(fn, inner, bound, keywords, name):
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return fn
    params = [p for p in signature.parameters.values() if p.name not in keywords]    # (the partial's own)
    if any(p.kind is not p.POSITIONAL_OR_KEYWORD or
           (p.default is not p.empty and not isinstance(p.default, _CONSTANT_DEFAULTS)) for p in params):
        return fn
    taken = {p.name for p in params} | {name}
    callee = fresh_in("method" if inspect.ismethod(fn) else "function", taken)
    cells = [callee] + [fresh_in("self" if inspect.ismethod(fn) else f"arg{i}", taken) for i in range(len(bound))]
    keyword_cells = {k: fresh_in(k, taken) for k in keywords}
    spelled = [p.name if p.default is p.empty else f"{p.name}={p.default!r}" for p in params]
    arguments = cells[1:] + [p.name for p in params] + [f"{k}={v}" for k, v in keyword_cells.items()]
    text = (f"def __adjoint_wrapper__({', '.join(cells + list(keyword_cells.values()))}):\n"
            f"    def {name}({', '.join(spelled)}):\n"
            f"        return {callee}({', '.join(arguments)})\n"
            f"    return {name}\n")
    return _factory(text, name)(inner, *bound, *keywords.values())


def _factory(text, name):
    """The compiled factory for a wrapper text, its source registered for the front end to read
    under a name that depends on the text only (generated code's comments cite it)."""
    if text not in _FACTORIES:
        filename = f"<adjoint wrapper {name} {hashlib.sha1(text.encode()).hexdigest()[:6]}>"
        lines = text.splitlines(True)
        linecache.cache[filename] = (len(text), None, lines, filename)
        namespace = {}
        exec(compile(text, filename, "exec"), {"__name__": "adjoint.callables"}, namespace)
        _FACTORIES[text] = namespace["__adjoint_wrapper__"]
    return _FACTORIES[text]


def _method_name(method):
    """`model.loss` -> `loss`; a callable object -> its class's name (`Energy` -> `energy`)."""
    name = method.__func__.__name__
    if name != "__call__":
        return name
    owner = method.__self__ if isinstance(method.__self__, type) else type(method.__self__)
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", owner.__name__).lower()


def _name(fn):
    """The wrapped function's name, which the wrapper takes (a lambda's: the name it is bound to)."""
    try:
        return frontend.function_name(fn)
    except (AttributeError, NoSource):
        return "function"
