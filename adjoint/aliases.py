"""Aliases: an in-place update (`z += e`) of an array that another name, read later, also reaches.

Python runs `z += e` on an array by writing into the object, so every other name bound to that
object (`z = y`, a view such as `y[1:]`, `y.T`, `y.reshape(...)`) or to a container holding it sees
the new value. The compiler reads `z += e` as `z = z + e`, which is the same thing unless such a name
is read afterwards. That case is rejected here, at the user's line, until state is modelled; it is
never compiled as a rebinding.

The analysis is a small points-to analysis over the SSA function: each name may be one of a set of
abstract objects (one per statement that makes a new object, one per parameter), and a container
object may hold others. Numbers are immutable and make no object worth tracking.
"""
import inspect
import weakref

import gast
import numpy as np

from . import ir, runtime, writes
from .errors import AdjointError, UnsupportedSyntax
from .writes import is_write

# methods and NumPy functions whose result may share memory with their first operand
VIEW_METHODS = {"reshape", "ravel", "view", "transpose", "swapaxes", "squeeze", "diagonal", "flatten"}
VIEW_ATTRIBUTES = {"T", "real", "imag", "mT", "flat"}
VIEW_FUNCTIONS = {np.asarray, np.asanyarray, np.reshape, np.ravel, np.transpose, np.squeeze,
                  np.expand_dims, np.swapaxes, np.moveaxis, np.atleast_1d, np.atleast_2d, np.atleast_3d,
                  np.broadcast_to, np.real, np.imag, np.diagonal}


ARRAY_CONSTRUCTORS = {np.array, np.zeros, np.ones, np.empty, np.full, np.arange, np.linspace, np.eye,
                      np.identity, np.zeros_like, np.ones_like, np.empty_like, np.full_like, np.copy,
                      np.stack, np.concatenate, np.vstack, np.hstack}


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


def check_in_place(tree, parsed, shapes, namer, runtime_name, generated=False):
    """Check every in-place update and return the objects written in place (Objects).

    A parameter written into (`x[i] = v`, directly or through another name) is copied first, so the
    caller's array is never changed. An update of an object another variable, read later, shares is
    rejected with UnsupportedSyntax: `z += e` directly, a write `z[i] = v`, or a call of a helper that
    updates its parameter in place. Where the value may be a number or an array (its shape is
    unknown), `z += e` is compiled as a rebinding after `rt.expect_number(z)`, which raises if it is
    an array after all.

    Code adjoint generated (a derivative differentiated again) is not checked for stale reads: its
    backward sweep reads views made before a store after putting back what the store overwrote."""
    if not generated:           # (generated code writes only into objects it made or was handed to restore)
        _copy_written_parameters(tree, parsed, shapes, namer, runtime_name)
    analysis = _Analysis(tree, parsed, shapes)
    guards = []
    for stmt, updated, helper in [] if generated else analysis.updates:
        if shapes.get(updated) == () and not is_write(stmt):    # numbers are immutable: `+=` rebinds
            continue
        stale = _stale_reader(stmt, updated, helper, analysis, namer.origin)
        if stale is None:
            continue
        if is_write(stmt) or shapes.get(updated) is not None or analysis.is_array(updated):
            raise _stale(stmt, namer.origin.get(updated, updated), stale, helper, parsed)
        guards.append((stmt, updated))
    objects = _written_objects(analysis, parsed, namer.origin, generated)
    for stmt, updated in guards:               # (after the analysis, which they would invalidate)
        _guard(tree, stmt, updated, runtime_name)
        parsed.static_locals[runtime_name] = runtime
    return objects


class Objects:
    """The objects the function writes into (`y[i] = v`), for the generators. Each is named by the
    variable that makes it (`y = np.zeros(n)`, or a parameter's private copy); `of` maps each SSA
    name that is the object itself (the name that made it, the versions its writes define, the
    copies and phis joining them; not a view or an item of it) to that object's name."""

    def __init__(self, of=None, reach=None, received=(), made=()):
        self.of = of or {}
        self.reach = reach or {}        # name -> the written objects it may be, view or hold
        self.received = set(received)   # objects generated code was handed (a saved state's), not made
        self.made = set(made)           # the names that make a written object (`y = np.zeros(n)`)
    def reached_by(self, name):
        return self.reach.get(name, frozenset())

    def members(self, obj):
        return {n for n, o in self.of.items() if o == obj}

    def __bool__(self):
        return bool(self.of)


def joins_versions(stmt, objects):
    """Whether stmt defines a version of a written object without computing it: `y_3 = y_2` (a phi's
    copy between versions) or `y_3 = None` (a version unset on some path, see lower.py)."""
    target = ir.target_name(stmt)
    if target not in objects.of:
        return False
    value = stmt.value
    if isinstance(value, gast.Constant) and value.value is None:
        return True
    return isinstance(value, gast.Name) and objects.of.get(value.id) == objects.of[target]


def _copy_written_parameters(tree, parsed, shapes, namer, runtime_name):
    """`p_1 = rt.private(p)` first in the body for each parameter whose object a write may reach,
    the body reading p_1 after it: a derivative call never changes the caller's data."""
    analysis = _Analysis(tree, parsed, shapes)
    params = [a.id for a in tree.args.args]
    written, deep = set(), set()
    for stmt, updated, helper in analysis.updates:
        reached = analysis.points.get(updated, set())
        if is_write(stmt) or helper is not None:        # (a helper run as written updates the caller's)
            written |= reached & set(params)
        inside = {place.split(".")[0] for place in reached if "." in place} & set(params)
        written |= inside                               # an array an object parameter holds (`held.w`)
        deep |= inside
    if not written:
        return
    rename = {p: namer.fresh(p) for p in params if p in written}
    for node in ir.walk(gast.Module(tree.body, [])):
        if isinstance(node, gast.Name) and node.id in rename:
            node.id = rename[node.id]
    copies = []
    for param, private in rename.items():
        namer.origin[private] = namer.origin.get(param, param)
        shapes[private] = shapes.get(param)
        copy = "private_deep" if param in deep else "private"
        call = gast.Call(gast.Attribute(ir.name(runtime_name), copy, gast.Load()), [ir.name(param)], [])
        copies.append(ir.at(ir.assign(private, call), tree.body[0]))
    tree.body[:0] = copies
    parsed.static_locals[runtime_name] = runtime


def _field_read(value):
    """An attribute of an object read (not a view of an array, like `.T`, nor a number, like `.shape`)."""
    from .rules import CONSTANT_ATTRIBUTES
    return isinstance(value, gast.Attribute) and isinstance(value.value, gast.Name) \
        and value.attr not in CONSTANT_ATTRIBUTES and value.attr not in VIEW_ATTRIBUTES


def _written_objects(analysis, parsed, origin, generated=False):
    """Objects: the objects stores write into and the names that are them. A store must go into an
    object made in this function (a parameter was copied first), under a name that is the object
    itself (not a view). One variable may hold objects made on different paths (`y = np.zeros(n)`,
    then `y = np.ones(n)` in a branch): they form one object as far as stores go, since the variable
    holds one at a time. In generated code a store may go into an object popped off the save stack
    or unpacked from a saved state: that name is an object of its own, received with its tangent."""
    sources = {}                    # version -> the names it joins: writes, copies and phis
    for stmt in analysis.order.stmts:
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
            if is_write(stmt):
                sources[ir.target_name(stmt)] = [writes.parts(stmt)[0]]
            elif ir.is_phi(stmt):
                sources[ir.target_name(stmt)] = [a for a in ir.phi_args(stmt) if a]
            elif isinstance(stmt.value, gast.Name):
                sources[ir.target_name(stmt)] = [stmt.value.id]
    classes, received = [], set()       # [(objects made, names that are them)]
    for stmt in analysis.order.stmts:
        if not is_write(stmt):
            continue
        base = writes.parts(stmt)[0]
        if any(base in names for _, names in classes):
            continue
        made = frozenset(analysis.points.get(base, set()))
        names = _versions(made, sources, analysis)
        variable = origin.get(base, base)
        if base not in names and generated:
            made, names = frozenset({base}), _versions(frozenset(analysis.points.get(base, set())), sources,
                                                          analysis, base)
            received.add(base)
        elif base not in names:
            whole = ", ".join(f"`{origin.get(o, o)}`" for o in sorted(made))
            raise _unsupported_write(stmt, parsed, variable, f"is a view or an item of {whole}",
                                     "write into the array itself (`a[i, j] = v` rather than `row = a[i]; "
                                     "row[j] = v`)")
        elif len(made) > 1 and len({origin.get(n, n) for n in names | made}) > 1 and not generated:
            raise _unsupported_write(stmt, parsed, variable, "may be one of several arrays that other "
                                     "variables hold too", f"copy it before storing into it: "
                                     f"`{variable} = {variable}.copy()`")
        classes.append((made, names))
    of = {}
    for made, names in classes:
        key = min(made, key=lambda n: (len(n), n)) if made else None
        for name in names | made:
            of[name] = key
    reach = {}
    for name, objects in analysis.points.items():
        found = {of[o] for o in (objects | analysis.reachable(objects)) if o in of}
        if found:
            reach[name] = frozenset(found)
    made_here = {m for made, _ in classes for m in made if m not in received}
    return Objects(of, reach, received, made_here)


def _versions(made, sources, analysis, start=None):
    """The names that are the objects `made` (or, for a received object, `start` and its versions):
    the writes, copies and phis joining only such names (the greatest such set: a loop phi reads a
    write that comes after it)."""
    first = {start} if start else set(made)
    names = first | {n for n in sources if n in made or (analysis.points.get(n) and analysis.points[n] <= made)}
    changed = True
    while changed:
        changed = False
        for name in list(names - first):
            if name in sources and not all(s in names for s in sources[name]):
                names.discard(name)
                changed = True
    return names


def _unsupported_write(stmt, parsed, variable, what, hint):
    line = parsed.line_text(stmt.lineno)
    return UnsupportedSyntax(f"a store into `{variable}`, which {what}", parsed.filename, stmt.lineno,
                             getattr(stmt, "col_offset", 0) + parsed.col_offset, line, hint)


def _guard(tree, stmt, updated, runtime_name):
    """`rt.expect_number(updated)` before stmt: a statement of its own, which no cleanup removes even
    where the update's result is never read (Python's in-place update would still show elsewhere)."""
    def guard():
        call = gast.Call(gast.Attribute(ir.name(runtime_name), "expect_number", gast.Load()), [ir.name(updated)], [])
        return ir.at(gast.Expr(call), stmt)
    if isinstance(stmt, gast.While):        # the update is in the test, which reads the loop's header version:
        phis = next((k for k, s in enumerate(stmt.body) if not ir.is_phi(s)), len(stmt.body))
        stmt.body.insert(phis, guard())     # checked where that version is defined: in the body, and after
        _insert_at(tree.body, stmt, guard(), after=True)
    else:
        _insert_at(tree.body, stmt, guard())


def _insert_at(block, stmt, new, after=False):
    """Insert new before (or after) stmt, wherever in block it is."""
    for k, s in enumerate(block):
        if s is stmt:
            block.insert(k + 1 if after else k, new)
            return True
        if any(_insert_at(getattr(s, field, None) or [], stmt, new, after) for field in ("body", "orelse")):
            return True
    return False


def effects(fn):
    """(parameters fn may update in place, parameters whose object fn may return), for a helper;
    remembered per function and its code. Raises the AdjointError that keeps fn from compiling."""
    known = _EFFECTS.get(fn)
    if known is not None and known[0] is fn.__code__:
        if isinstance(known[1], AdjointError):
            raise known[1]
        return known[1]
    _EFFECTS[fn] = (fn.__code__, (frozenset(), frozenset()))     # a recursive call sees no effects
    from .pipeline import normalize
    try:
        program = normalize(fn)
    except AdjointError as exc:
        _EFFECTS[fn] = (fn.__code__, exc)
        raise
    analysis = _Analysis(program.tree, program.parsed, {})
    params = [a.id for a in program.tree.args.args]
    updated = set().union(*(analysis.points.get(name, ()) for _, name, _ in analysis.updates))
    result = program.tree.body[-1].value
    returned = analysis.reachable(set().union(*(analysis.points.get(n, ()) for n in ir.names_read(result)))) \
        if result is not None else set()
    found = (frozenset(p for p in params if p in updated), frozenset(p for p in params if p in returned))
    _EFFECTS[fn] = (fn.__code__, found)
    return found


_EFFECTS = weakref.WeakKeyDictionary()


class _Analysis:
    """What objects each name of one SSA function may be (`points`), what each container object may
    hold (`holds`), and which statements update an object in place: (statement, name updated,
    helper doing it or None)."""

    def __init__(self, tree, parsed, shapes):
        self.order = _Order(tree)
        self.parsed, self.shapes = parsed, shapes
        self.points = {a.id: {a.id} for a in tree.args.args}     # a parameter is an object of its own
        self.holds = {}
        self.arrays = set()             # objects made by np.array, np.zeros, ...
        self.displays = set()           # lists, tuples and dicts made by a display (`[a, b]`, `{}`)
        self.updates = []
        assigns = [s for s in self.order.stmts if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name)]
        for stmt in self.order.stmts:
            if _in_place(stmt):
                self.updates.append((stmt, stmt.value.left.id, None))
            elif is_write(stmt):
                self.updates.append((stmt, writes.parts(stmt)[0], None))
            elif isinstance(stmt, (gast.Assign, gast.Expr)):        # (a helper called for its effect)
                self._note_helper_updates(stmt, stmt.value)
            elif isinstance(stmt, gast.While):                      # (a test ANF leaves as it is)
                for call in ir.walk(stmt.test):
                    self._note_helper_updates(stmt, call)
        changed = True
        while changed:              # loop phis read values defined later: iterate to a fixpoint
            changed = False
            for stmt in assigns:
                target = ir.target_name(stmt)
                objects = self._objects(stmt, target)
                if not objects <= self.points.setdefault(target, set()):
                    self.points[target] |= objects
                    changed = True

    def _objects(self, stmt, target):
        """The objects the statement's target may be; a new container records what it holds."""
        value = stmt.value
        if self.shapes.get(target) == ():
            return {target}                 # a number: nothing another name could see change
        if ir.is_phi(stmt):
            return self._of(a for a in ir.phi_args(stmt) if a)
        if _in_place(stmt):
            return self._of([value.left.id])
        if is_write(stmt):
            base, _, item = writes.parts(stmt)
            if isinstance(item, gast.Name) and not isinstance(self.shapes.get(base), tuple):
                # a list or dict now holds the stored object (an array copies the values in)
                for obj in self._of([base]):
                    self.holds.setdefault(obj, set()).update(self._of([item]))
            return self._of([base])
        if isinstance(value, (gast.Tuple, gast.List, gast.Dict)):
            items = value.values if isinstance(value, gast.Dict) else value.elts
            self.holds.setdefault(target, set()).update(self._of(e.id for e in items if isinstance(e, gast.Name)))
            self.displays.add(target)
            return {target}
        if isinstance(value, gast.Subscript) and isinstance(value.value, gast.Name):
            whole = self._of([value.value.id])
            if whole and whole <= self.displays and not isinstance(value.slice, gast.Slice):
                return self.reachable(whole)            # an item of a list or dict made here: what it holds
            return whole | self.reachable(whole)        # an array's item or slice may be a view of it
        if isinstance(value, gast.Call) and self.parsed.resolve(value.func) in ARRAY_CONSTRUCTORS:
            self.arrays.add(target)
        if _field_read(value):              # `w = held.w`: the object held at that attribute, whoever reads it
            return {f"{obj}.{value.attr}" for obj in self._of([value.value.id]) or {value.value.id}}
        shared = shared_operands(value, self.parsed)
        if shared:                          # the same object, or a view of it
            return self._of(shared)
        return {target} | self._of(self._returned_arguments(stmt))

    def is_array(self, name):
        """Whether name is an array for certain: every object it may be was made by an array constructor."""
        objects = self.points.get(name, set())
        return bool(objects) and objects <= self.arrays

    def _of(self, names):
        return set().union(*(self.points.get(n, set()) for n in names))

    def reachable(self, objects):
        """The objects held, directly or through other containers, by these."""
        found, work = set(), list(objects)
        while work:
            for inner in self.holds.get(work.pop(), ()):
                if inner not in found:
                    found.add(inner)
                    work.append(inner)
        return found

    def _helper(self, call):
        """(the user function a call calls, its arguments bound to its parameters), or None."""
        if not isinstance(call, gast.Call):
            return None
        fn = _user_function(self.parsed.resolve(call.func))
        if fn is None:
            return None
        try:
            return fn, inspect.signature(fn).bind(*call.args, **{k.arg: k.value for k in call.keywords}).arguments
        except TypeError:
            return None

    def _note_helper_updates(self, stmt, call):
        """A helper that updates a parameter in place: the update, and the fact on its call (for cleanup,
        which must not take the argument for a copy of another name: `y = x * 1.0` stays)."""
        called = self._helper(call)
        if called is not None:
            fn, arguments = called
            try:
                updated = effects(fn)[0]
            except AdjointError:
                if isinstance(stmt, gast.Expr):     # called for its effects, which cannot be told: say why
                    raise
                return                              # (said where it is differentiated, if it is)
            for param in updated:
                if isinstance(arguments.get(param), gast.Name):
                    self.updates.append((stmt, arguments[param].id, fn))
                    call.updates_arguments = True

    def _returned_arguments(self, stmt):
        """Names whose object a helper call may return (a helper returning its parameter)."""
        called = self._helper(stmt.value)
        if called is None:
            return []
        fn, arguments = called
        try:
            returns = effects(fn)[1]
        except AdjointError:        # not compiled from source (said where it is differentiated, if it is)
            return []
        return [v.id for p, v in arguments.items() if p in returns and isinstance(v, gast.Name)]

    def stale(self, name, updated):
        """Whether name may reach (be, or hold) an object of `updated`."""
        mine = self.points.get(name, set())
        changed = self.points.get(updated, set())
        return bool((mine | self.reachable(mine)) & changed)


def _user_function(fn):
    """The Python function behind a callable the compiler differentiates from source, else None."""
    from . import rules
    from .frontend import in_library, unwrap
    fn = unwrap(fn) if fn is not None else None
    if fn is None or not hasattr(fn, "__code__") or rules.lookup(fn) is not None or rules.is_constant(fn) \
            or in_library(fn):
        return None
    return fn


def _in_place(stmt):
    return getattr(stmt, "in_place", False) and isinstance(stmt.value, gast.BinOp) \
        and isinstance(stmt.value.left, gast.Name)


def _stale_reader(stmt, updated, helper, analysis, origin):
    """The variable that reads the updated object after the update without seeing it under the
    rebinding reading, or None. A direct update rebinds its own variable, so only other variables
    go stale; a helper's update leaves the caller's variable itself stale too."""
    variable = origin.get(updated, updated)
    for name, read_at in analysis.order.reads():
        other = origin.get(name, name)
        if (helper is not None or other != variable) and analysis.stale(name, updated) \
                and analysis.order.between(name, stmt, read_at):
            return other
    if helper is not None:          # an attribute read again after a helper updated it: the compiled
        return _field_read_after(stmt, updated, analysis, origin)      # helper rebinds, Python mutates
    return None


def _field_read_after(stmt, updated, analysis, origin):
    """A variable bound, after stmt (or in a loop around it), to an attribute read whose object stmt
    updates, or None."""
    order, here = analysis.order, analysis.order.position[id(stmt)]
    locations = {o for o in analysis.points.get(updated, set()) if "." in o}
    for k, s in enumerate(order.stmts):
        if not (isinstance(s, gast.Assign) and _field_read(s.value) and isinstance(s.targets[0], gast.Name)):
            continue
        later = k > here or set(map(id, order.loops[id(stmt)])) & set(map(id, order.loops[id(s)]))
        if later and analysis.points.get(ir.target_name(s), set()) & locations:
            name = ir.target_name(s)
            return origin.get(name, name)
    return None


def _stale(stmt, variable, other, helper, parsed):
    where = (parsed.filename, stmt.lineno, getattr(stmt, "col_offset", 0) + parsed.col_offset,
             parsed.line_text(stmt.lineno))
    if helper is not None:
        return UnsupportedSyntax(
            f"`{helper.__name__}` updates its argument `{variable}` in place (an augmented assignment to "
            f"its parameter, or a store into it), and `{other}` is read afterwards", *where,
            f"in `{helper.__name__}`, make a new array (`p = p + ...`, or `p = p.copy()` before storing "
            f"into it) and return it, or pass a copy (`{variable}.copy()`)")
    if is_write(stmt):
        return UnsupportedSyntax(
            f"this store writes into the array `{variable}`, and `{other}` may be the same array (or a view "
            f"of it, or a container holding it) and is read afterwards; adjoint does not follow a write "
            f"through a second name", *where,
            f"copy where the two names part (`{other} = {variable}.copy()` or `{variable} = {other}.copy()`), "
            f"or read `{variable}` after the store")
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
                yield from ((name, k) for name in ir.names_read(ir.header(s)))

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


_SYMBOLS = {gast.Add: "+", gast.Sub: "-", gast.Mult: "*", gast.Div: "/", gast.FloorDiv: "//", gast.Mod: "%",
            gast.Pow: "**", gast.MatMult: "@", gast.BitAnd: "&", gast.BitOr: "|", gast.BitXor: "^",
            gast.LShift: "<<", gast.RShift: ">>"}


def _op(op):
    return _SYMBOLS.get(type(op), "?")
