"""The compiler's passes in order: the table of contents of adjoint.

Set ADJOINT_DUMP=ssa (or any stage name, or `all`) to print the program after that stage, and
ADJOINT_CHECK=1 to verify each pass's guarantee as it runs (the test suite does).
"""
import os
import sys
import time

import gast

from . import (anf, check, comprehensions, constants, desugar, exits, fence, floats, frontend, inline, ir, lift,
               methods, runtime, ssa, standard, starred, writes)
from .errors import AdjointError
from .naming import Namer

# (stage name, pass, what it guarantees afterwards)
PASSES = [
    ("lift", lift.lift_functions, "no `def` or `lambda` inside the function: each is a helper taking the "
                                  "variables it reads as leading parameters"),
    ("constants", constants.fold_constants, "a parameter every call binds to a constant reads as that constant, "
                                            "and a test on constants leaves only the branch taken"),
    ("with", desugar.lower_with, "no `with`: its body runs between `rt.enter(manager)` and `rt.leave(manager)`, "
                                 "which every way out of it runs first"),
    ("simplify", desugar.simplify_assignments, "every assignment is a plain `=` with one target"),
    ("comprehensions", comprehensions.lower_comprehensions, "no comprehension or generator expression: each "
                                                            "is the loop that builds it"),
    ("starred", starred.lower_starred_calls, "no `*items` in a call: the items are passed one by one, and a "
                                             "helper taking `*args` is passed them as one tuple"),
    ("inline", inline.inline_calls, "no call makes an object of a user class or runs a method that stores into "
                                    "its object: each is `rt.new(C)` and the call's body, run on the object"),
    ("namespaces", standard.mark_namespaces, "a name bound to an array API namespace (`xp = array_namespace(x)`) "
                                             "is known as one: `xp.sin` is the standard's `sin`"),
    ("writes", writes.lower_writes, "every store into an item, slice or attribute is "
                                     "`y = rt.write(y[index], value)` (`obj = rt.write(obj.h, value)`)"),
    ("loop-else", exits.lower_loop_else, "no `else` on a loop: it runs after the loop, under a flag the "
                                         "loop's `break` sets"),
    ("for-range", desugar.lower_for_iterables, "every `for` loop runs over range(...) with a name target"),
    ("loop-returns", exits.lower_returns_in_loops, "no `return` inside a loop"),
    ("absorb", exits.absorb_exits, "exits end their block; no `continue`"),
    ("single-exit", exits.single_exit, "one `return`, at the end"),
    ("anf", anf.to_anf, "one operation per statement on names and constants"),
    ("ssa", ssa.to_ssa, "every name assigned once; joins are phi definitions"),
    ("methods", lambda program: _resolve_methods(program), "every call of a method of an object whose class is "
                                                           "known names the class's function"),
    ("statics", lambda program: fold_static_calls(program), "a local bound to adjoint's transform of a known "
                                                            "function, or to a function, is known as that function"),
    ("floats", floats.specialise_floats, "in code compiled for Python numbers, NumPy's functions of numbers are "
                                         "math's, and powers of NumPy values math.pow"),
]
READS_PROGRAM = {"methods", "statics"}     # passes given the whole Program


def _resolve_methods(program):
    program.parsed.static_locals[program.namer.runtime_name()] = runtime   # read by IR that calls the runtime
    methods.resolve_methods(program)


def fold_static_calls(program):
    """Record locals computed by adjoint's own transforms from compile-time values, e.g.
    `d = adjoint.grad(inner, wrt=(0, 1))`, so that a later `d(x, y)` is known to be a derivative."""
    from . import api
    transforms = {api.grad, api.value_and_grad}
    parsed = program.parsed
    definitions = {ir.target_name(s): s.value for s in ir.statements(program.tree.body)
                   if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name)}
    for node in ir.walk(program.tree):
        if isinstance(node, gast.Assign) and isinstance(node.value, (gast.Name, gast.Attribute)):
            _record_function_alias(node, parsed)
        if not (isinstance(node, gast.Assign) and isinstance(node.value, gast.Call)):
            continue
        call = node.value
        if parsed.resolve(call.func) not in transforms:
            continue
        try:
            args = [_static_value(a, parsed, definitions) for a in call.args]
            keywords = {k.arg: _static_value(k.value, parsed, definitions) for k in call.keywords}
        except _NotStatic:
            continue
        if args and args[0] is not None:
            parsed.static_locals[ir.target_name(node)] = parsed.resolve(call.func)(*args, **keywords)


def _record_function_alias(node, parsed):
    """`act = np.tanh` (or the temporary ANF makes of `np.tanh` passed to a call) names a function
    known at compile time: a call passing `act` can be specialised on it. (In SSA the name has no
    other definition.)"""
    known = parsed.resolve(node.value)
    if callable(known) and not isinstance(known, type):
        parsed.static_locals[ir.target_name(node)] = known


class _NotStatic(Exception):
    pass


def _static_value(node, parsed, definitions):
    """The compile-time value of an argument: a constant, a resolved name, or a tuple of those (which
    ANF has bound to a temporary)."""
    if isinstance(node, gast.Constant):
        return node.value
    if isinstance(node, (gast.Tuple, gast.List)):
        return tuple(_static_value(e, parsed, definitions) for e in node.elts)
    if isinstance(node, gast.Name):
        value = parsed.resolve(node)
        if value is not None:
            return value
        if isinstance(definitions.get(node.id), (gast.Tuple, gast.List, gast.Constant)):
            return _static_value(definitions[node.id], parsed, definitions)
    raise _NotStatic


STAGES = [name for name, _, _ in PASSES]
READS_FUNCTION = {"lift", "constants", "starred", "inline", "namespaces", "writes", "anf", "floats"}     # passes (and checks) that also read the function's namespace
TIMINGS = {}


class Program:
    """A function on its way through the pipeline."""

    def __init__(self, parsed):
        self.parsed = parsed
        self.tree = parsed.tree
        self.namer = Namer(_all_names(parsed))
        self.objects = None             # aliases.Objects: what the function writes into (set by the driver)


def _all_names(parsed):
    names = set(parsed.namespace) | set(parsed.params)
    names |= {n.id for n in ir.walk(parsed.tree) if isinstance(n, gast.Name)}
    return names


def normalize(fn, upto=STAGES[-1], statics=None):
    """Parse, fence and run the passes up to and including `upto`; returns the Program. statics binds
    parameters to the functions the caller passes (a specialisation, see frontend.static_arguments),
    to classes of objects, to constants, or to Python numbers (floats.Number)."""
    parsed = frontend.parse(fn)
    for param, value in (statics or {}).items():
        if isinstance(value, frontend.ObjectType):
            parsed.static_types[param] = value
        elif isinstance(value, floats.Number):
            parsed.numbers[param] = value
        elif constants.is_literal(value):
            parsed.constants[param] = value
        else:
            parsed.static_locals[param] = value
    fence.fence(parsed)
    program = Program(parsed)
    dump = os.environ.get("ADJOINT_DUMP", "")
    for stage, run, _ in PASSES:
        start = time.perf_counter()
        try:
            if stage in READS_PROGRAM:
                run(program)
            else:
                extra = (parsed,) if stage in READS_FUNCTION else ()
                program.tree = run(program.tree, program.namer, *extra) or program.tree
        except AdjointError:
            raise
        except Exception as exc:
            raise AdjointError(f"internal error in pass `{stage}` on {parsed.name}: {exc!r}") from exc
        TIMINGS[stage] = TIMINGS.get(stage, 0.0) + time.perf_counter() - start
        if os.environ.get("ADJOINT_CHECK") == "1":
            check.CHECKS[stage](program.tree, stage, parsed)
            check.no_shared_nodes(program.tree, stage)
        if dump in (stage, "all"):
            print(f"# --- {parsed.name} after {stage} ---\n{show(program.tree)}", file=sys.stderr)
        if stage == upto:
            break
    parsed.static_locals[program.namer.runtime_name()] = runtime   # read by IR that calls the runtime
    return program


def show(tree):
    """The tree as Python source, with phi definitions written as φ(...)."""
    from .emit import to_source
    return to_source(tree).replace(f"{ssa.ir.PHI}(", "φ(").replace(ssa.ir.UNDEFINED, "⊥")
