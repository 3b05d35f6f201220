"""Compile generated code once, link generated functions to each other, and remember the result."""
import ast
import contextlib
import gc
import math
import os
import weakref

import numpy as np

from . import runtime
from .emit import compile_source, to_source
from .cleanup import BACKWARD
from .reverse import COMMENT

_COMPILE_COUNT = [0]
_FUNCTIONS = weakref.WeakKeyDictionary()   # user function -> {(code, wrt, mode, kinds, optimize): callable}


def cached(fn, key, build):
    """The linked Generated stored for (fn, key), made with build() on first use.

    Its compiled functions are in `.module`; `.module[.entry]` is the one to call.
    """
    table = _FUNCTIONS.setdefault(fn, {})
    full_key = (fn.__code__,) + key
    generated = table.get(full_key)
    if generated is None:
        with _collector_paused():
            generated = build()
            link(generated)
        table[full_key] = generated
    return generated


@contextlib.contextmanager
def _collector_paused():
    """Compiling allocates many small syntax-tree objects that live until it ends; the cyclic garbage
    collector would scan them (and the rest of the heap) over and over, for nothing."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def compile_count():
    """How many generated functions have been compiled in this process (for cache tests)."""
    return _COMPILE_COUNT[0]


def render(generated):
    """The generated definitions as readable Python source."""
    return "\n\n".join(_with_comments(to_source(d)) for d in generated.defs)


def _with_comments(source):
    """Turn the generator's comment markers (string statements) into `#` comments."""
    lines = []
    for line in source.splitlines():
        stripped = line.strip()
        if BACKWARD in stripped and stripped[:1] in "'\"":
            lines.append("")
        elif COMMENT in stripped and stripped[:1] in "'\"":
            text = ast.literal_eval(stripped)[len(COMMENT):]
            lines.append(line[:len(line) - len(line.lstrip())] + "# " + text)
        else:
            lines.append(line)
    return "\n".join(lines) + "\n"


def unit(generated):
    """generated and every Generated it calls, transitively, each once (callers first)."""
    order, seen, work = [], set(), [generated]
    while work:
        g = work.pop(0)
        if id(g) in seen:
            continue
        seen.add(id(g))
        order.append(g)
        work += g.deps
    return order


def link(generated):
    """Compile every function of the unit (once per process) and connect calls between them."""
    members = unit(generated)
    for g in members:
        if g.module is None:
            g.module = _compile(g)
    for g in members:
        for fn in g.module.values():
            for name, cell in zip(fn.__code__.co_freevars, fn.__closure__ or ()):
                if name in g.imports:
                    dep, function = g.imports[name]
                    cell.cell_contents = dep.module[function]
    return generated.module[generated.entry]


def _compile(generated):
    fn = generated.fn
    source = render(generated)
    deps = list(generated.imports)
    closure = dict(zip(fn.__code__.co_freevars, [c.cell_contents for c in fn.__closure__ or ()]))
    names = generated.names
    params = {names["np"]: np, names["rt"]: runtime, names["math"]: math}
    params.update({k: v for k, v in closure.items() if k not in params})
    params.update({d: None for d in deps if d not in params})
    defined = [d.name for d in generated.defs]
    header = f"def __adjoint_factory__({', '.join(params)}):\n"
    body = "".join("    " + line + "\n" if line.strip() else "\n" for line in source.splitlines())
    footer = f"    return {{{', '.join(f'{n!r}: {n}' for n in defined)}}}\n"
    where = f"{fn.__module__}.{fn.__qualname__}" if hasattr(fn, "__qualname__") else fn.__name__
    # each compiled text gets its own file name: linecache serves it to tracebacks and to the
    # front end when generated code is itself differentiated
    filename = f"<adjoint {generated.entry} of {where} ({os.path.basename(generated.parsed.filename)}) " \
               f"#{_COMPILE_COUNT[0] + 1}>"
    factory = compile_source(header + body + footer, filename, fn.__globals__, "__adjoint_factory__")
    _COMPILE_COUNT[0] += 1
    return factory(*params.values())
