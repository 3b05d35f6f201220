"""Compile generated code once, link generated functions to each other, and remember the result.

Two tables, neither holding the user's function alive:

* a recipe per (code object of the user's function, request): the compiled factories of every
  function of the unit (callees included), shared by all functions with that code — 1,000 closures
  made by one `def` compile once. The code object is the key by identity, not by `==`: two code
  objects compare equal when their bytecode is, and the bytecode leaves out what the compiler
  dropped (code after `if 0.5: break`), which adjoint, reading the source, does compile;
* an instance per (user function, request), kept on the function itself: the recipe's factories run
  with that function's own closure cells, so generated code reads a closure variable when it runs,
  never a frozen copy. The instance lives and dies with its function (a recursive closure's
  instance refers back to it through its cells: a cycle the garbage collector frees).

What the compiler resolved by name at compile time (helpers, modules, rule-registry contents) is
recorded as checks; an instance whose checks fail (a helper redefined in a later notebook cell or
by importlib.reload, a rule registered after the first call) is compiled again.
"""
import ast
import contextlib
import gc
import math
import numbers
import os
import sys
import threading
import time
import types
import weakref

import numpy as np

from . import driver, floats, runtime, shapes
from .emit import compile_source, to_source
from .cleanup import BACKWARD
from .forward import GENERATED, RETURNS_STATE
from .standard import NAMESPACES
from .reverse import COMMENT

_COMPILE_COUNT = [0]
_RULES_VERSION = [0]
_LOCK = threading.RLock()          # one compile at a time: each first call compiles once, whatever the threads
_DEPTH = [0]                       # nesting of builds (a derivative compiled while compiling another)
_RECIPES = {}             # id(user code object) -> (weak reference to it, {request key: _Recipe})
_INSTANCES = "__adjoint_instances__"       # attribute of a user function: {request key: Linked}
_HOLDERS = weakref.WeakSet()               # functions holding instances (to measure the cache)
_MISSING = object()
# names the normalization passes may call although the user's code does not (for-loops over sequences)
_COMPILER_BUILTINS = frozenset(("len", "range", "min", "reversed"))
# values generated code reads when it runs: a change to them needs no new compile
_DATA = (numbers.Number, str, bytes, np.ndarray, np.generic, list, tuple, dict, set, frozenset, slice,
         type(None), type(Ellipsis))


_WATCHERS = weakref.WeakSet()     # objects keeping Linked code for fast calls: told when rules change


def rules_changed():
    """Called when a derivative rule is registered: compiled code made before it is out of date."""
    _RULES_VERSION[0] += 1
    for watcher in list(_WATCHERS):
        watcher.forget()


def watch(holder):
    """holder.forget() will be called when a rule is registered (so its fast path need not check)."""
    _WATCHERS.add(holder)


def cached(fn, key, build):
    """The Linked code stored for (fn, key), made with build() (a driver Generated) on first use.

    `.module[.entry]` is the function to call; `.current()` says whether it is still up to date.
    """
    linked = fn.__dict__.get(_INSTANCES, {}).get(key)
    if linked is not None and linked.current():
        return linked
    with _LOCK:
        linked = fn.__dict__.get(_INSTANCES, {}).get(key)      # another thread may have made it meanwhile
        if linked is None or not linked.current():
            linked = _instance(fn, key, build)
            fn.__dict__.setdefault(_INSTANCES, {})[key] = linked
            _HOLDERS.add(fn)
    return linked


def _instance(fn, key, build):
    """fn's own instance of the recipe for (fn's code, key), compiling the recipe when it has none
    or when what it was compiled against no longer holds for fn."""
    recipes = _recipes_of(fn.__code__)
    recipe = recipes.get(key)
    linked = recipe.instantiate(fn) if recipe is not None and recipe.version == _RULES_VERSION[0] else None
    if linked is None or not linked.current():
        with _reported(fn, outermost=_DEPTH[0] == 0), building():
            recipe = recipes[key] = _Recipe(build())
        linked = recipe.instantiate(fn)
    return linked


ANNOUNCE_AFTER = 1.0        # seconds of compiling after which a line on stderr says what is compiling


@contextlib.contextmanager
def _reported(fn, outermost):
    """Around an outermost compile: a line on stderr if it takes more than ANNOUNCE_AFTER seconds (so a
    long compile is not a silent prompt), and with ADJOINT_TIMING=1 the time of each pass after it."""
    if not outermost:
        yield
        return
    from . import pipeline
    name = _described(fn)
    timer = threading.Timer(ANNOUNCE_AFTER, lambda: print(f"adjoint: compiling the derivative of {name} ...",
                                                          file=sys.stderr, flush=True))
    timer.daemon = True
    timer.start()
    before, start = dict(pipeline.TIMINGS), time.perf_counter()
    try:
        yield
    finally:
        timer.cancel()
        if os.environ.get("ADJOINT_TIMING") == "1":
            total = time.perf_counter() - start
            passes = {stage: pipeline.TIMINGS.get(stage, 0.0) - before.get(stage, 0.0) for stage in pipeline.STAGES}
            rest = total - sum(passes.values())
            print(f"adjoint: compiled the derivative of {name} in {total * 1000:.1f} ms: "
                  + ", ".join(f"{stage} {ms * 1000:.1f}" for stage, ms in passes.items())
                  + f", analyses, generation, cleanup and emission {rest * 1000:.1f} (ms)", file=sys.stderr)


def _described(fn):
    """fn as a compile announcement names it: its name and line, or for a derivative being differentiated
    again what its file name says it derives (`gradient_of_grad_f of model.f (model.py)`), not the
    factory's nested qualified name."""
    filename = fn.__code__.co_filename
    if filename.startswith("<adjoint "):
        return filename[len("<adjoint "):].rsplit(" #", 1)[0]
    return f"{getattr(fn, '__qualname__', fn)} ({os.path.basename(filename)}:{fn.__code__.co_firstlineno})"


def _recipes_of(code):
    """The recipes table of this very code object (made empty on first use, dropped when the code is
    freed). Not a WeakKeyDictionary: that looks keys up by `==`, and code objects from two files are
    `==` when their bytecode is, although their sources (which adjoint compiles) may differ."""
    entry = _RECIPES.get(id(code))
    if entry is None or entry[0]() is not code:
        entry = _RECIPES[id(code)] = (weakref.ref(code, _forget_code(id(code))), {})
    return entry[1]


def _forget_code(ident, recipes=_RECIPES):
    """The weak reference's callback: drop the table of a freed code object (the table is bound
    here, not looked up as a global, which is gone when this runs at interpreter exit)."""
    def forget(ref):
        entry = recipes.get(ident)
        if entry is not None and entry[0] is ref:
            del recipes[ident]
    return forget


@contextlib.contextmanager
def building():
    """Around a use of the driver: one build at a time, and the compiler's tables of callee facts
    (driver's callee code, the shapes callees return), which hold user functions, emptied when the
    outermost build ends."""
    with _LOCK:
        was_enabled = gc.isenabled()
        gc.disable()       # compiling makes many short-lived tree objects: scanning them is wasted work
        _DEPTH[0] += 1
        try:
            yield
        finally:
            _DEPTH[0] -= 1
            if _DEPTH[0] == 0:
                driver._PAIRS.clear()
                driver._JVPS.clear()
                shapes._RETURNS.clear()
                shapes._RETURN_SHAPES.clear()
                floats._RESULTS.clear()
            if was_enabled:
                gc.enable()


def compile_count():
    """How many generated functions have been compiled in this process (for cache tests)."""
    return _COMPILE_COUNT[0]


def size():
    """How many compiled recipes and instances the cache holds (for tests of its bounds)."""
    return sum(len(recipes) for _, recipes in list(_RECIPES.values())) + sum(len(fn.__dict__[_INSTANCES]) for fn in list(_HOLDERS))


class Linked:
    """Generated code instantiated for one user function: `module` maps names to callables."""

    def __init__(self, module, entry, global_checks, cell_checks, version, floats=(False, False)):
        self.module, self.entry = module, entry
        # code compiled for Python numbers: (whether it differs from the unspecialised code, whether
        # it returns a float where the code as written returns an np.float64), see floats.unit_facts
        self.floats = floats
        self.function = module[entry]
        self.global_checks, self.cell_checks, self.version = global_checks, cell_checks, version
        # what a fast path must call before each use (None: nothing to check but the rules, see watch)
        self.guard = self.holds if global_checks or cell_checks else None

    def current(self):
        """Whether no rule was registered since compiling, and the names still hold (see holds)."""
        return self.version == _RULES_VERSION[0] and self.holds()

    def holds(self):
        """Whether every name the compiler resolved still means the same object."""
        for namespace, name, value in self.global_checks:
            if namespace.get(name, _MISSING) is not value:
                return False
        for cell, value in self.cell_checks:
            if _contents(cell) is not value:
                return False
        return True


class _Member:
    """One compiled Generated of a unit, without the user's function: its factory, whose function
    reads its closure cells (`owner`, None meaning the function the unit is instantiated for), the
    names it imports from other members, and the names the compiler resolved statically."""

    def __init__(self, generated, entry_fn, index):
        self.factory, self.arguments = _compile(generated)
        self.owner = None if generated.fn is entry_fn else generated.fn
        self.imports = {alias: (index[id(dep)], name) for alias, (dep, name) in generated.imports.items()}
        self.bindings = _static_bindings(generated)
        self.object_reads = list({(id(n), a): (n, a, v) for n, a, v in generated.parsed.object_reads}.values())
        self.returns_state = generated.returns_state
        self.namespaces = frozenset(generated.parsed.namespaces)     # (standard.NAMESPACES)

    def run(self, owner):
        """The factory run with owner's globals and closure cells: name -> generated function (the same
        code may run in several namespaces, as a cell run in two notebooks)."""
        cells = dict(zip(owner.__code__.co_freevars, owner.__closure__ or ()))
        closure = tuple(cells[name] for name in self.factory.__code__.co_freevars)
        factory = types.FunctionType(self.factory.__code__, owner.__globals__, self.factory.__name__, None, closure)
        return factory(*self.arguments)

    def checks(self, owner):
        """(globals checks, cell checks) of the static bindings, as seen from owner, and of the
        attributes of known objects the compiler read."""
        cells = dict(zip(owner.__code__.co_freevars, owner.__closure__ or ()))
        global_checks, cell_checks = [], []
        for name, value, where in self.bindings:
            if where == "cell":
                cell_checks.append((cells[name], value))
            else:
                global_checks.append((owner.__globals__, name, value if where == "global" else _MISSING))
        global_checks += self.object_reads       # attributes of known objects: a reassigned one recompiles
        return global_checks, cell_checks


class _Recipe:
    """A compiled unit (the entry and every callee it reaches), for any function with its code."""

    def __init__(self, generated):
        members = unit(generated)
        index = {id(g): i for i, g in enumerate(members)}
        self.members = [_Member(g, generated.fn, index) for g in members]
        self.entry = generated.entry
        self.version = _RULES_VERSION[0]
        self.floats = floats.unit_facts(members)

    def instantiate(self, fn):
        """The unit's functions reading fn's closure cells, calls between them linked."""
        modules, global_checks, cell_checks = [], [], []
        for member in self.members:
            owner = fn if member.owner is None else member.owner
            modules.append(member.run(owner))
            more_globals, more_cells = member.checks(owner)
            global_checks += more_globals
            cell_checks += more_cells
        for member, module in zip(self.members, modules):
            for name in member.returns_state:       # read by forward mode over this code (RETURNS_STATE)
                setattr(module[name], RETURNS_STATE, True)
            for function in module.values():
                setattr(function, GENERATED, True)
                if member.namespaces:
                    setattr(function, NAMESPACES, member.namespaces)
            for function in module.values():
                for name, cell in zip(function.__code__.co_freevars, function.__closure__ or ()):
                    if name in member.imports:
                        other, callee = member.imports[name]
                        cell.cell_contents = modules[other][callee]
        return Linked(modules[0], self.entry, tuple(global_checks), tuple(cell_checks), self.version, self.floats)


def _static_bindings(generated):
    """(name, object, "global" | "cell" | "builtin") for each free name of the user's function whose
    object the compiler used at compile time (functions, modules, classes; not data, read at run time).
    The function itself (a recursive call) is left out: recording it would keep it alive."""
    fn = generated.fn
    cells = set(fn.__code__.co_freevars)
    bindings = []
    typed = generated.parsed.floats.globals if generated.parsed.floats is not None else {}
    for name, value in generated.parsed.namespace.items():
        if isinstance(value, _DATA) and name not in typed or value is fn:     # (floats.py: numbers it typed)
            continue
        if name in cells:
            bindings.append((name, value, "cell"))
        elif name in fn.__globals__:
            bindings.append((name, value, "global"))
        elif name not in _COMPILER_BUILTINS:
            bindings.append((name, value, "builtin"))
    return bindings


def _contents(cell):
    try:
        return cell.cell_contents
    except ValueError:          # an empty cell
        return _MISSING


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


def _compile(generated):
    """(factory, its arguments): factory(*arguments) defines the generated functions and returns them
    by name. Its free variables are the user's closure variables, so that it can be rebuilt around any
    function's cells (see _Member.run); the imports from other members are filled in by linking."""
    fn = generated.fn
    names = generated.names
    arguments = {names["np"]: np, names["rt"]: runtime, names["math"]: math}
    arguments.update({name: None for name in generated.imports if name not in arguments})
    # the helpers lifted out of the user's function (nested defs, lambdas), which no global names
    arguments.update({name: f for name, f in generated.parsed.lifted.items() if name not in arguments})
    cell_names = [name for name in fn.__code__.co_freevars if name not in arguments]
    defined = [d.name for d in generated.defs]
    body = "".join(" " * 8 + line + "\n" if line.strip() else "\n" for line in render(generated).splitlines())
    text = ("def __adjoint_cells__():\n"
            + (f"    {' = '.join(cell_names)} = None\n" if cell_names else "")
            + f"    def __adjoint_factory__({', '.join(arguments)}):\n"
            + body
            + f"        return {{{', '.join(f'{n!r}: {n}' for n in defined)}}}\n"
            + "    return __adjoint_factory__\n")
    where = f"{fn.__module__}.{fn.__qualname__}" if hasattr(fn, "__qualname__") else fn.__name__
    # each compiled text gets its own file name: linecache serves it to tracebacks and to the
    # front end when generated code is itself differentiated
    filename = f"<adjoint {generated.entry} of {where} ({os.path.basename(generated.parsed.filename)}) " \
               f"#{_COMPILE_COUNT[0] + 1}>"
    factory = compile_source(text, filename, fn.__globals__, "__adjoint_cells__")()
    _COMPILE_COUNT[0] += 1
    return factory, tuple(arguments.values())
