"""Aliases: an in-place update (`z += e`) on an array that another live name also refers to.

Python runs `z += e` on an array by writing into the object, so every other name bound to that
object (`z = y`, a view such as `y[1:]`, `y.T`, `y.reshape(...)`, a list holding it) sees the new
value. The compiler reads `z += e` as `z = z + e`, which is the same thing unless such a name is
read afterwards. That case is rejected here, at the user's line, until state is modelled; it is never
compiled as a rebinding.
"""
import inspect
import weakref

import gast
import numpy as np

from . import ir
from .errors import AdjointError, UnsupportedSyntax

# methods and NumPy functions whose result may share memory with their first operand
VIEW_METHODS = {"reshape", "ravel", "view", "transpose", "swapaxes", "squeeze", "diagonal", "flatten"}
VIEW_ATTRIBUTES = {"T", "real", "imag", "mT", "flat"}
VIEW_FUNCTIONS = {np.asarray, np.asanyarray, np.reshape, np.ravel, np.transpose, np.squeeze,
                  np.expand_dims, np.swapaxes, np.moveaxis, np.atleast_1d, np.atleast_2d, np.atleast_3d,
                  np.broadcast_to, np.real, np.imag, np.diagonal}


def shared_operands(value, parsed):
    """Names whose object the value of this expression may be (or hold, or view)."""
    if isinstance(value, gast.Name):
        return [value.id]
    if isinstance(value, gast.Subscript) or (isinstance(value, gast.Attribute) and value.attr in VIEW_ATTRIBUTES):
        return [value.value.id] if isinstance(value.value, gast.Name) else []
    if isinstance(value, (gast.Tuple, gast.List)):
        return [e.id for e in value.elts if isinstance(e, gast.Name)]
    if isinstance(value, gast.Dict):
        return [v.id for v in value.values if isinstance(v, gast.Name)]
    if isinstance(value, gast.Call) and value.args and isinstance(value.args[0], gast.Name):
        func = value.func
        if parsed.resolve(func) in VIEW_FUNCTIONS:
            return [value.args[0].id]
    if isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute) \
            and value.func.attr in VIEW_METHODS and isinstance(value.func.value, gast.Name) \
            and parsed.resolve(value.func) is None:
        return [value.func.value.id]
    return []


class _Classes:
    """Union-find over SSA names: names that may refer to one object."""

    def __init__(self):
        self.parent = {}

    def find(self, name):
        self.parent.setdefault(name, name)
        while self.parent[name] != name:
            self.parent[name] = self.parent[self.parent[name]]
            name = self.parent[name]
        return name

    def union(self, a, b):
        self.parent[self.find(a)] = self.find(b)


def check_in_place(tree, parsed, shapes, origin):
    """Raise UnsupportedSyntax at an in-place update of a possible array whose object another
    variable, read later, shares: `z += e` directly, or a call of a helper that updates its
    parameter in place. `origin` maps SSA versions to the user's variables."""
    analysis = _Analysis(tree, parsed, shapes)
    for stmt, updated, helper in analysis.updates:
        if shapes.get(updated) != ():          # numbers are immutable: `+=` rebinds
            _check_one(stmt, updated, helper, analysis, origin, parsed)


def effects(fn):
    """(parameters fn may update in place, parameters whose object fn may return), for a helper;
    remembered per function and its code."""
    known = _EFFECTS.get(fn)
    if known is not None and known[0] is fn.__code__:
        return known[1]
    _EFFECTS[fn] = (fn.__code__, (frozenset(), frozenset()))     # a recursive call sees no effects
    from .pipeline import normalize
    try:
        program = normalize(fn)
    except AdjointError:        # not compiled from source (said where it is differentiated, if it is)
        return _EFFECTS[fn][1]
    analysis = _Analysis(program.tree, program.parsed, {})
    params = [a.id for a in program.tree.args.args]
    updated = {analysis.classes.find(name) for _, name, _ in analysis.updates}
    result = program.tree.body[-1].value
    returned = {analysis.classes.find(n) for n in ir.names_read(result)} if result is not None else set()
    found = (frozenset(p for p in params if analysis.classes.find(p) in updated),
             frozenset(p for p in params if analysis.classes.find(p) in returned))
    _EFFECTS[fn] = (fn.__code__, found)
    return found


_EFFECTS = weakref.WeakKeyDictionary()


class _Analysis:
    """Which names of one SSA function may refer to one object, and which statements update an
    object in place: (statement, name updated, helper doing it or None)."""

    def __init__(self, tree, parsed, shapes):
        self.order = _Order(tree)
        self.classes = _Classes()
        self.updates = []
        for stmt in self.order.stmts:
            if not (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)):
                continue
            target = ir.target_name(stmt)
            if ir.is_phi(stmt):
                sources = [a for a in ir.phi_args(stmt) if a]
            elif _in_place(stmt):
                sources = [stmt.value.left.id]
                self.updates.append((stmt, stmt.value.left.id, None))
            else:
                sources = shared_operands(stmt.value, parsed) + self._helper_call(stmt, parsed)
            if shapes.get(target) == ():
                continue        # numbers share nothing: an element read out of an array is a copy
            for source in sources:
                self.classes.union(target, source)

    def _helper_call(self, stmt, parsed):
        """For a call of a user function: note the arguments it updates in place; return those
        whose object it may return."""
        call = stmt.value
        if not isinstance(call, gast.Call):
            return []
        fn = _user_function(parsed.resolve(call.func))
        if fn is None:
            return []
        try:
            bound = inspect.signature(fn).bind(*call.args, **{k.arg: k.value for k in call.keywords})
        except TypeError:
            return []
        updates, returns = effects(fn)
        for param in updates:
            value = bound.arguments.get(param)
            if isinstance(value, gast.Name):
                self.updates.append((stmt, value.id, fn))
        return [v.id for p, v in bound.arguments.items() if p in returns and isinstance(v, gast.Name)]


def _user_function(fn):
    """The Python function behind a callable the compiler differentiates from source, else None."""
    from . import rules
    from .frontend import unwrap
    fn = unwrap(fn) if fn is not None else None
    if fn is None or not hasattr(fn, "__code__") or rules.lookup(fn) is not None or rules.is_constant(fn):
        return None
    return fn


def _in_place(stmt):
    return getattr(stmt, "in_place", False) and isinstance(stmt.value, gast.BinOp) \
        and isinstance(stmt.value.left, gast.Name)


def _check_one(stmt, updated, helper, analysis, origin, parsed):
    """A direct update rebinds its own variable, so only other variables go stale; a helper's
    update leaves the caller's variable itself stale too."""
    variable = origin.get(updated, updated)
    root = analysis.classes.find(updated)
    for name, read_at in analysis.order.reads():
        other = origin.get(name, name)
        if analysis.classes.find(name) == root and (helper is not None or other != variable) \
                and analysis.order.between(name, stmt, read_at):
            raise _stale(stmt, variable, other, helper, parsed)


def _stale(stmt, variable, other, helper, parsed):
    where = (parsed.filename, stmt.lineno, getattr(stmt, "col_offset", 0) + parsed.col_offset,
             parsed.line_text(stmt.lineno))
    if helper is not None:
        return UnsupportedSyntax(
            f"`{helper.__name__}` updates its argument `{variable}` in place (an augmented assignment to "
            f"its parameter), and `{other}` is read afterwards", *where,
            f"in `{helper.__name__}`, write `p = p + ...` instead of `p += ...` so that it makes a new "
            f"array, or pass a copy (`{variable}.copy()`)")
    symbol = _op(stmt.value.op)
    return UnsupportedSyntax(
        f"`{variable} {symbol}= ...` updates the array in place, and `{other}` may be "
        f"the same array (or a view of it, or a container holding it) and is read afterwards", *where,
        f"write `{variable} = {variable} {symbol} ...` to make a new array, "
        f"or copy it first (`{variable} = {other}.copy()`)")


class _Order:
    """Statements in program order, with the loops around each, to ask whether a statement can run
    while a name holds the value it was bound to (after its definition, before a read of it)."""

    def __init__(self, tree):
        self.stmts = list(ir.statements(tree.body))
        self.position = {id(s): k for k, s in enumerate(self.stmts)}
        self.loops = {id(s): [] for s in self.stmts}
        for loop in self.stmts:
            if isinstance(loop, (gast.For, gast.While)):
                for inner in ir.statements(loop.body):
                    self.loops[id(inner)].append(loop)
        self.defined = {a.id: -1 for a in tree.args.args}
        for k, s in enumerate(self.stmts):
            if isinstance(s, gast.Assign):
                for name in ir.names_stored(s.targets[0]):
                    self.defined[name] = k
            elif isinstance(s, gast.For):
                self.defined[s.target.id] = k

    def reads(self):
        """(name, position of the read): a loop phi reads its entry value where the loop starts
        and its other values where an iteration ends."""
        for k, s in enumerate(self.stmts):
            if ir.is_phi(s) and self.loops[id(s)] and s in self.loops[id(s)][-1].body:
                loop = self.loops[id(s)][-1]
                entry, *others = ir.phi_args(s)
                if entry:
                    yield entry, self.position[id(loop)]
                end = max(self.position[id(inner)] for inner in ir.statements(loop.body)) + 0.5
                yield from ((name, end) for name in others if name)
            else:
                yield from ((name, k) for name in ir.names_read(_own_part(s)))

    def between(self, name, stmt, read_at):
        """Whether stmt can run after `name` is bound and before this read of it."""
        bound_at, here = self.defined.get(name, -1), self.position[id(stmt)]
        if bound_at < here < read_at:
            return True
        reader = self.stmts[int(read_at)] if read_at == int(read_at) else None
        around = self.loops[id(stmt)]
        inside_reader = self.loops[id(reader)] if reader is not None else around
        # a loop around the update and the read but not the binding: a later iteration reads
        return any(loop in inside_reader and (bound_at < 0 or loop not in self.loops[id(self.stmts[bound_at])])
                   for loop in around)


def _own_part(stmt):
    if isinstance(stmt, gast.If):
        return stmt.test
    if isinstance(stmt, gast.For):
        return stmt.iter
    if isinstance(stmt, gast.While):
        return stmt.test
    return stmt


_SYMBOLS = {gast.Add: "+", gast.Sub: "-", gast.Mult: "*", gast.Div: "/", gast.FloorDiv: "//", gast.Mod: "%",
            gast.Pow: "**", gast.MatMult: "@", gast.BitAnd: "&", gast.BitOr: "|", gast.BitXor: "^",
            gast.LShift: "<<", gast.RShift: ">>"}


def _op(op):
    return _SYMBOLS.get(type(op), "?")
