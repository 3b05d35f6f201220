"""Reverse mode: a forward sweep that saves what the backward sweep reads, then the backward sweep.

Saving follows one rule. A value the backward sweep reads is saved only if a loop overwrites it
before the backward sweep gets there: the innermost loop that both contains the reader and assigns
the value. Inside that loop's iteration, a block is cut into segments by its compound statements;
values read in (or inside the compound just before) segment k are pushed at the end of segment k
and popped at the start of segment k's backward. Pushes and pops therefore nest like the blocks
themselves, and an exit (`break`) pushes whatever the blocks it leaves would have pushed.
"""
import copy
import os

import gast

from . import callables, floats, ir, rules, standard
from .forward import GENERATED
from .errors import NonDifferentiable
from .frontend import (UNKNOWN_METHOD, constant_arguments, function_name, made_here_reason, static_arguments,
                       unknown_callee, unwrap)
from .quoting import quote, quote_expr
from . import runtime, writes
from .aliases import Objects, joins_versions
from .shapes import (MAPPING, NUMBERS, OBJECT, POSITIVE_INTEGER, ComplexShape, elementwise_shape, is_container,
                     is_sequence, positive_counters)
from .writes import is_write
from .ssa import loop_breaks
from .starred import late_call_refusal


def _is_compound(stmt):
    return isinstance(stmt, (gast.If, gast.For, gast.While))


def _readers_and_definers(tree):
    """{name: the statements reading it, once per read}, {name: the assignments to it}; a compound
    statement reads the names of its header."""
    readers, definers = {}, {}
    for stmt in ir.statements(tree.body):
        if isinstance(stmt, gast.Assign):
            definers.setdefault(ir.target_name(stmt), []).append(stmt)
        header = [getattr(stmt, f) for f in ("test", "iter") if hasattr(stmt, f)] if _is_compound(stmt) else [stmt]
        for node in header:
            for sub in ir.walk(node):
                if isinstance(sub, gast.Name) and isinstance(sub.ctx, gast.Load):
                    readers.setdefault(sub.id, []).append(stmt)
    return readers, definers


def _is_spread_of(expr, name, rt_name):
    """Whether expr is `rt.spread_over(e, name)`."""
    return isinstance(expr, gast.Call) and len(expr.args) == 2 and isinstance(expr.func, gast.Attribute) \
        and expr.func.attr == "spread_over" and isinstance(expr.func.value, gast.Name) \
        and expr.func.value.id == rt_name and isinstance(expr.args[1], gast.Name) and expr.args[1].id == name


def _joining_blocks(stmt):
    """The blocks of a compound statement after which the backward sweep can run: not those ending in
    `raise` (the exception leaves the function, no backward sweep follows)."""
    return [b for b in (stmt.body, getattr(stmt, "orelse", [])) if not ir.raises(b)]


def _one_branch_raises(stmt):
    return isinstance(stmt, gast.If) and (ir.raises(stmt.body) or ir.raises(stmt.orelse))



class Reverse:
    """Generates the forward and backward sweeps of one lowered SSA function."""

    def __init__(self, program, wrt, active, shapes, copies, callees, names):
        self.program = program
        self.parsed = program.parsed
        self.namer = program.namer
        self.tree = program.tree
        self.wrt = wrt
        self.active = active
        self.shapes = shapes
        self.complex = any(isinstance(s, ComplexShape) for s in shapes.values())
        self.scalars = {n for n, s in shapes.items() if s == ()}
        self.positive = positive_counters(program.tree)     # loop counters from 1 up: never 0
        self.copies = copies
        self.callees = callees          # (fn, call node, active param names) -> (fwd name, bwd name)
        self.names = names              # global names generated code uses: np, rt, math
        # the array library templates call: NumPy, or the array API namespace the function is written with
        self.namespace = standard.function_namespace(self.tree, self.parsed)
        self.np = self.namespace or names["np"]
        self.adjoints = {}
        self.residual = {}              # id(stmt) -> name of the callee's saved state
        self.callee_names = {}          # id(stmt) -> (fwd, bwd) names of the callee's generated pair
        self.counts = {}                # id(loop) -> name of its iteration counter
        self.slots = {}                 # (id(block), segment) -> the number tagging its push and its pop
        self.stack = None
        self.primal = {a.id for a in self.tree.args.args}
        for stmt in ir.statements(self.tree.body):
            if isinstance(stmt, gast.Assign):
                self.primal.add(ir.target_name(stmt))
            elif isinstance(stmt, gast.For):
                self.primal.add(stmt.target.id)
        self._adjoint_code = {}
        self.indexed = {n.value.id for n in ir.walk(self.tree) if isinstance(n, gast.Subscript)
                        and isinstance(n.value, gast.Name)}
        self.objects = program.objects or Objects()     # what the function writes into, see writes.py
        # names whose adjoint is a buffer the backward sweep adds into in place: the versions of a written
        # object share one; an array read item by item in a loop has its own (an add per item read,
        # not an array of zeros)
        self.buffers = dict(self.objects.of)
        self.buffers.update({n: n for n in _read_by_item(self.tree, shapes) if n not in self.buffers})
        # buffers that are arrays (or lists of numbers) from their first definition on, written with plain
        # stores (`dy[i] = 0.0`, `dx[i] += g`): real arrays of a known rank and lists of numbers, made
        # outside loops (so of one shape)
        in_loops = {id(s) for L in ir.statements(self.tree.body) if isinstance(L, (gast.For, gast.While))
                    for s in ir.statements(L.body)}
        self.dense = {b for b in set(self.buffers.values()) if not self.complex
                      and (isinstance(shapes.get(b), tuple) and len(shapes[b]) > 0
                           or all(shapes.get(n) is NUMBERS for n in self.objects.members(b) | {b}))
                      and not isinstance(shapes[b], ComplexShape)
                      and not any(id(s) in in_loops for s in ir.statements(self.tree.body)
                                  if isinstance(s, gast.Assign) and ir.target_name(s) in self.sites(b))}
        self.readers, self.definers = _readers_and_definers(self.tree)
        self.numbers_given = set()      # (id(stmt), operand): the statement's adjoint gives the operand a number
        # adjoint buffers the straight-line code just made as arrays of one known shape (`dz = rt.add_at(rt.zero,
        # ...)`): later reads of items add in place (`dz[a:b] += g`), as into a dense buffer
        self.arrays_made_here = set()
        self._uniform = {}              # name -> whether its adjoint is a number standing for an array of its shape
        self.overwritten = {}           # id(write) -> name of what it overwrote, restored by the backward sweep
        self.restored_stores = set()    # id(store) of the stores the backward sweep undoes
        self.clears = {}                # id(write) -> `dy = rt.clear(dy, index)`, after v's adjoint is read
        self.emitted_clears = []

    # names ---------------------------------------------------------------
    def d(self, var):
        """The adjoint of var; every version of an object written in place shares one buffer."""
        var = self.buffers.get(var, var)
        if var not in self.adjoints:
            self.adjoints[var] = self.namer.adjoint(var)
        return self.adjoints[var]

    def stack_names(self):
        if self.stack is None:
            self.stack = tuple(self.namer.fresh(n) for n in ("stack", "push", "pop"))
        return self.stack

    # adjoints kept as numbers -------------------------------------------------
    # The adjoint of a full reduction `s = np.sum(a)` is the number ds spread over a's shape. Spread at
    # once, as an array, every elementwise step back from it pays for a broadcast view (2 us each on a
    # thousand items); kept a number, it stays one through sums and scalings and becomes an array in
    # its first product with one (`dz = dt2 * np.exp(z - t3)`), where NumPy broadcasts it for free.
    def _may_be_number(self, a):
        """Whether a's adjoint may be a number standing for an array of a's shape: a has a fully known
        shape of one dimension or more, is made once by a rule's operation and is read once, by a
        rule's operation (nothing else sees the adjoint that reader gives it)."""
        shape = self.shapes.get(a)
        if self.complex or type(shape) is not tuple or not shape or None in shape or a in self.buffers \
                or a in self.objects.made:
            return False
        made, read = self.definers.get(a, ()), self.readers.get(a, ())
        return len(made) == 1 and len(read) == 1 and all(self._applies_rule(s) for s in made + read)

    def _applies_rule(self, stmt):
        """Whether the statement's adjoint is a derivative rule's (computed by _apply)."""
        if not isinstance(stmt, gast.Assign) or is_write(stmt) or stmt in self.copies:
            return False
        value = stmt.value
        if isinstance(value, (gast.BinOp, gast.UnaryOp)):
            return True
        if not isinstance(value, gast.Call):
            return False
        fn = self.parsed.resolve(value.func)
        if fn is None:
            return False
        fn = callee_function(fn)
        keywords = [(k.arg, k.value) for k in value.keywords]
        defined, refused = rules.definition(fn, value.args, keywords, self.shapes.get)
        return defined is None and not refused and rules.lookup(fn) is not None

    def is_number(self, a):
        """Whether a's adjoint is a number standing for an array of a's shape (see _may_be_number): its
        one reader's adjoint gives it one. Decided from the reader on, along the chain of such readers,
        without recursion (chains of elementwise operations can be long)."""
        chain = [a]
        while chain[-1] not in self._uniform and self._may_be_number(chain[-1]):
            chain.append(ir.target_name(self.readers[chain[-1]][0]))
        for name in reversed(chain):
            if name not in self._uniform:
                if self._may_be_number(name):
                    reader = self.readers[name][0]
                    self.adjoint_code(reader)
                    self._uniform[name] = (id(reader), name) in self.numbers_given
                else:
                    self._uniform[name] = False
        return self._uniform[a]

    def _as_number(self, value, template, subs, z, g_is_number, rule, stmt):
        """The contribution of a rule's template to `value` when it may be left a number, else None: a
        full reduction's spread `rt.spread_over(e, a)` (as e), or, from a number adjoint g, a
        contribution that is still a number (`-g`, `g * 100.0`) to an operand shaped like the output."""
        if not self._may_be_number(value.id):
            return None
        expr = self._in_library(quote_expr(template, **subs), rule, stmt)
        if _is_spread_of(expr, value.id, self.names["rt"]):
            expr = expr.args[0]
        elif not (g_is_number and self.shapes.get(value.id) == self.shapes.get(z)):
            return None
        return expr if self._elementwise_shape(expr, subs["g"], g_is_number, z) == () else None

    def _elementwise_shape(self, expr, g, g_is_number, z):
        return elementwise_shape(expr, lambda n: (() if g_is_number else self.shapes.get(z)) if n == g
                                 else self.shapes.get(n), self.np, self.names["rt"])

    # per-statement adjoints -------------------------------------------------
    def adjoint_code(self, stmt):
        """(statements, [(operand, contribution expr)]) for an active simple statement, memoized."""
        key = id(stmt)
        if key not in self._adjoint_code:
            self._adjoint_code[key] = self._make_adjoint(stmt)
        return self._adjoint_code[key]

    def has_backward(self, stmt):
        # an active target has a backward step even when nothing flows to its operands: the
        # assignment kills the adjoint of the value it overwrites
        if is_write(stmt):
            return ir.target_name(stmt) in self.active or id(stmt) in self.restored_stores
        if self._joins_versions(stmt):
            return False
        if isinstance(stmt, gast.Assign):       # (making an object ends its buffer, active or not)
            return ir.target_name(stmt) in self.active or ir.target_name(stmt) in self.objects.made
        if _is_compound(stmt):
            return any(self.has_backward(s) for block in _joining_blocks(stmt) for s in block)
        return False

    def _joins_versions(self, stmt):
        """`y_3 = y_2` (a phi's copy) between versions of one written object, which share their buffer,
        or `y_3 = None` (a version unset on some path): nothing for the buffer to do."""
        return isinstance(stmt, gast.Assign) and joins_versions(stmt, self.objects)

    def _plan_restores(self):
        """Which writes put back what they overwrote: those that can run after a statement whose adjoint
        reads the object's contents (Tapenade's rule), so that its adjoint sees the object as it was
        when it ran. A write saves what it overwrites; the backward sweep puts it back."""
        readers = {}                    # object -> statements whose adjoint reads its contents
        item_readers = {}               # object -> statements whose adjoint adds at an item of its buffer
        for stmt in ir.statements(self.tree.body):
            if isinstance(stmt, gast.Assign) and not is_write(stmt) and self.has_backward(stmt):
                pre, contribs = self.adjoint_code(stmt)
                item_read = isinstance(stmt.value, gast.Subscript)      # adds into the buffer at the item
                if item_read and isinstance(stmt.value.value, gast.Name):
                    for obj in self.objects.reached_by(stmt.value.value.id):
                        item_readers.setdefault(obj, []).append(stmt)
                read = [n for node in pre + [c for v, c in contribs if not (item_read and v in self.objects.of)]
                        for n in self._contents_read(node)]
                if id(stmt) in self.callee_names:       # a helper's bwd reads its arguments through its state,
                    read += ir.names_read(stmt.value) + [ir.target_name(stmt)]     # and its result may be in it
                for name in read:
                    for obj in self.objects.reached_by(name):
                        readers.setdefault(obj, []).append(stmt)
        order = list(ir.statements(self.tree.body))
        position = {id(s): k for k, s in enumerate(order)}
        loops = self._loops_around()
        for stmt in order:
            if not is_write(stmt):
                continue
            obj = self.objects.of[ir.target_name(stmt)]
            # an item read's adjoint needs the list as long as it was (`xs[-1]`, a buffer made then)
            read = readers.get(obj, []) + (item_readers.get(obj, []) if writes.resizes(stmt) else [])
            if any(position[id(r)] < position[id(stmt)] or loops[id(r)] & loops[id(stmt)] for r in read):
                self.restored_stores.add(id(stmt))
                base = writes.parts(stmt)[0]
                if writes.kind(stmt) in ("write", "remove"):   # (an insert is undone by removing the item)
                    self.overwritten[id(stmt)] = self.namer.fresh(f"{self.namer.origin.get(base, base)}_old")

    def restores(self, name):
        """Whether the backward sweep puts back what stores into the object `name` may be overwrote."""
        objects = self.objects.reached_by(name)
        return any(self.objects.of[ir.target_name(s)] in objects for s in ir.statements(self.tree.body)
                   if id(s) in self.restored_stores)

    def _contents_read(self, node):
        """Names whose values (not only shapes) an adjoint expression reads."""
        skipped = set()
        for call in ir.walk(node):
            if isinstance(call, gast.Call):
                for k in runtime.SHAPE_ONLY.get(self.parsed.resolve(call.func), ()):
                    if k < len(call.args):
                        skipped.add(id(call.args[k]))
        return {n.id for n in _walk_skipping(node, skipped) if isinstance(n, gast.Name)}

    def _write_adjoint(self, stmt):
        """`y_2 = rt.write(y_1[index], v)` backwards: the object gets back what the store overwrote,
        v's adjoint is the slot of y's buffer, and the slot is cleared (before the store, the output
        did not depend on what it held)."""
        base, index, value = writes.parts(stmt)
        target = ir.target_name(stmt)
        out = []
        if id(stmt) in self.restored_stores:
            out.append(self._restore(stmt, base, index, self.overwritten.get(id(stmt)), stmt))
        if target not in self.active:
            return out, []
        dy = self.d(target)
        if writes.resizes(stmt):
            return out, self._resize_adjoint(stmt, dy)
        index_expr = _index_expr(index, self.names["np"])
        contribs = []
        if isinstance(value, gast.Name) and value.id in self.active:
            contribs.append((value.id, self._written(dy, index, index_expr, base, value)))
        if self.objects.of[target] in self.dense and not (self.shapes.get(target) is NUMBERS and _has_slice(index)):
            store = gast.Subscript(ir.name(dy), ir.clone(index), gast.Store())
            self.clears[id(stmt)] = ir.at(gast.Assign([store], ir.const(0.0), None), stmt)
        else:
            self.clears[id(stmt)] = ir.assign(dy, quote_expr("rt.clear(dy, index)", rt=self.names["rt"], dy=dy,
                                                             index=ir.clone(index_expr)), stmt)
        return out, contribs

    def _resize_adjoint(self, stmt, dy):
        """The contributions of a store that changes a list's length, and (in self.clears) the buffer
        before it: an append's value gets the buffer's last item, dropped; an insert's, the item at
        its position, removed; a removed item's slot comes back holding zero."""
        _, position, value = writes.parts(stmt)
        kind, rt = writes.kind(stmt), self.names["rt"]
        before = {"append": quote_expr("rt.drop_last(dy)", rt=rt, dy=dy),
                  "insert": quote_expr("rt.uninsert(dy, i)", rt=rt, dy=dy, i=position),
                  "remove": quote_expr("rt.unremove(dy, i, rt.zero)", rt=rt, dy=dy, i=position)}[kind]
        self.clears[id(stmt)] = ir.assign(dy, before, stmt)
        if not (isinstance(value, gast.Name) and value.id in self.active):
            return []
        stored = quote_expr("rt.last(dy)", rt=rt, dy=dy) if kind == "append" else \
            quote_expr("rt.inserted(dy, i)", rt=rt, dy=dy, i=position)
        return [(value.id, stored)]

    def _written(self, dy, index, index_expr, base, value):
        """The adjoint of a stored value: `dy[i]` for a number stored at an item of a vector, else
        rt.written, told the value's shape (read from the value only when it is not known)."""
        shape = self.shapes.get(value.id)
        if shape == () and self.subscript_shape(base, index) == ():
            return gast.Subscript(ir.name(dy), ir.clone(index), gast.Load())
        known = isinstance(shape, tuple) and not isinstance(shape, ComplexShape) and None not in shape
        size = quote_expr(repr(tuple(shape)), ) if known else quote_expr("np.shape(v)", np=self.names["np"], v=value)
        return quote_expr("rt.written(dy, index, shape)", rt=self.names["rt"], dy=dy, index=index_expr, shape=size)

    def subscript_shape(self, base, index):
        from .shapes import item_shape
        return item_shape(self.shapes.get(base), index, self.shapes)

    def _restore(self, stmt, base, index, old, like):
        kind, rt = writes.kind(stmt), self.names["rt"]
        if kind == "append":
            return ir.assign(base, quote_expr("rt.unappend(xs)", rt=rt, xs=base), like)
        if kind == "insert":
            return ir.assign(base, quote_expr("rt.uninsert(xs, i)", rt=rt, xs=base, i=index), like)
        if kind == "remove":
            return ir.assign(base, quote_expr("rt.unremove(xs, i, old)", rt=rt, xs=base, i=index, old=old), like)
        if self.shapes.get(base) is MAPPING or writes.is_attribute_store(stmt):   # it may have added the key
            call = quote_expr("rt.restore(y, index, old)", rt=self.names["rt"], y=base, old=old,
                              index=_index_expr(index, self.names["np"]))
            return ir.at(gast.Expr(call), like)
        store = gast.Subscript(ir.name(base), ir.clone(index), gast.Store())
        return ir.at(gast.Assign([store], ir.name(old), None), like)

    def _make_adjoint(self, stmt):
        if is_write(stmt):
            return self._write_adjoint(stmt)
        z = ir.target_name(stmt)
        if z not in self.active:            # (an object made of constants: its backward only ends its buffer)
            return [], []
        value = stmt.value
        g = self.d(z)
        if isinstance(value, gast.Name):
            return [], [(value.id, ir.name(g))] if value.id in self.active else []
        if isinstance(value, gast.Constant):
            return [], []
        if isinstance(value, gast.BinOp):
            return [], self._apply(rules.lookup(type(value.op)), [value.left, value.right], [], z, g, stmt,
                                   callee=None)
        if isinstance(value, gast.UnaryOp):
            return [], self._apply(rules.lookup(type(value.op)), [value.operand], [], z, g, stmt, callee=None)
        if isinstance(value, gast.Attribute):
            if self.shapes.get(getattr(value.value, "id", None)) is OBJECT:     # a user object's attribute
                return [], self._apply(rules.FIELD, [value.value, ir.const(value.attr)], [], z, g, stmt, callee=None)
            rule = rules.ATTRIBUTES.get(value.attr)
            if rule is None and value.attr in ("append", "pop") and getattr(self.parsed.fn, GENERATED, False):
                raise self._no_rule(f"the save stack `.{value.attr}`", stmt, reason=SAVE_STACK)
            if rule is None:
                raise self._no_rule(f"the attribute `.{value.attr}`", stmt)
            return [], self._apply(rule, [value.value], [], z, g, stmt, callee=None)
        if isinstance(value, gast.Subscript):
            index = _index_expr(value.slice, self.names["np"])
            contrib = quote_expr("rt.unindex(g, x, index)", rt=self.names["rt"], g=g, x=value.value, index=index)
            return [], [(value.value.id, contrib)] if getattr(value.value, "id", None) in self.active else []
        if isinstance(value, gast.Call):
            return self._call_adjoint(stmt, value, z, g)
        if isinstance(value, (gast.Tuple, gast.List)):
            # the adjoint of a sequence of values is indexable like it: element i gets g[i]
            return [], [(e.id, gast.Subscript(ir.name(g), ir.const(i), gast.Load()))
                        for i, e in enumerate(value.elts) if isinstance(e, gast.Name) and e.id in self.active]
        if isinstance(value, gast.Dict):
            return [], [(v.id, gast.Subscript(ir.name(g), k, gast.Load()))
                        for k, v in zip(value.keys, value.values) if isinstance(v, gast.Name) and v.id in self.active]
        raise self._no_rule(type(value).__name__, stmt)

    def _call_adjoint(self, stmt, call, z, g):
        func = call.func
        fn = self.parsed.resolve(func)
        keywords = [(k.arg, k.value) for k in call.keywords]
        if fn is None and isinstance(func, gast.Attribute):          # a method on a local value
            rule = rules.METHODS.get(func.attr)
            if rule is None:
                raise self._no_rule(f"the method `.{func.attr}()`", stmt, reason=UNKNOWN_METHOD)
            return [], self._apply(rule, [func.value] + call.args, keywords, z, g, stmt, callee=func)
        if fn is None:
            raise unknown_callee(self.parsed, func, stmt, self._no_rule(
                "the function called here" if getattr(func, "id", None) in self.namer.temporaries else _spell(func),
                stmt, reason="it is only known when the code runs"))
        fn = callee_function(fn)
        defined, refused = rules.definition(fn, call.args, keywords, self.shapes.get)
        if refused or defined is not None and self.namespace:
            raise self._no_rule(_spell(func), stmt, reason=refused or standard.NUMPY_DEFINITION)
        if defined is not None:
            return self._callee_adjoint(stmt, call, defined, z, g)
        rule = rules.lookup(fn)
        if rule is not None:
            return [], self._apply(rule, call.args, keywords, z, g, stmt, callee=func)
        if callable(fn) and hasattr(fn, "__code__"):
            return self._callee_adjoint(stmt, call, fn, z, g)
        if isinstance(fn, type):
            raise self._no_rule(_spell(func), stmt, reason=made_here_reason(fn))
        raise self._no_rule(_spell(func), stmt, **why_unsupported(fn))

    def _callee_adjoint(self, stmt, call, fn, z, g):
        import inspect
        if late_call_refusal(fn):
            raise self._no_rule(_spell(call.func), stmt, reason=late_call_refusal(fn))
        try:
            bound = inspect.signature(fn).bind(*call.args, **{k.arg: k.value for k in call.keywords})
        except TypeError as exc:
            raise self._no_rule(_spell(call.func), stmt, reason=f"the call does not match its signature ({exc})")
        active_params = [p for p, v in bound.arguments.items() if isinstance(v, gast.Name) and v.id in self.active]
        if self.parsed.floats is not None and not floats.is_helper(fn) and floats.passes_numpy_value(stmt, self.parsed):
            raise floats.NotSpecialised(f"{self.parsed.name} passes a NumPy value to NumPy's code for {_spell(call.func)}")
        fwd, bwd = self.callees(fn, active_params, {p: (self.shapes.get(v.id) if isinstance(v, gast.Name)
                                                         else () if isinstance(v, gast.Constant) else None)
                                                     for p, v in bound.arguments.items()},
                                {**static_arguments(self.parsed, bound.arguments),
                                 **constant_arguments(fn, bound.arguments),
                                 **(self.parsed.floats.arguments(bound.arguments) if self.parsed.floats else {})})
        self.callee_names[id(stmt)] = (fwd, bwd)
        name = function_name(fn)
        saved = self.residual.setdefault(id(stmt), self.namer.fresh(f"{name}_state"))
        targets = [self.namer.fresh(f"d{bound.arguments[p].id}_{name}") for p in active_params]
        unpack = gast.Tuple([ir.name(t, store=True) for t in targets], gast.Store()) if len(targets) != 1 \
            else ir.name(targets[0], store=True)
        pre = [ir.assign(unpack, gast.Call(ir.name(bwd), [ir.name(saved), ir.name(g)], []), stmt)]
        contribs = [(bound.arguments[p].id, ir.name(t)) for p, t in zip(active_params, targets)]
        return pre, contribs

    def forward_stmt(self, stmt):
        """The statement as the forward sweep runs it (calls to differentiated helpers save state)."""
        if is_write(stmt):
            return self.forward_write(stmt)
        if id(stmt) in self.residual and ir.target_name(stmt) in self.active:
            call = stmt.value
            fwd, _ = self.callee_names[id(stmt)]
            target = gast.Tuple([ir.name(ir.target_name(stmt), store=True),
                                 ir.name(self.residual[id(stmt)], store=True)], gast.Store())
            return [ir.assign(target, gast.Call(ir.name(fwd), call.args, call.keywords), stmt)]
        if floats.passes_numpy_value(stmt, self.parsed) and floats.is_helper(self.parsed.resolve(stmt.value.func)):
            raise floats.NotSpecialised(f"{self.parsed.name} passes a NumPy value to a helper it does not compile")
        return [stmt]

    def forward_write(self, stmt):
        """`y_1[index] = v` (then `y_2 = y_1`), after saving what it overwrites when it is restored."""
        base, index, value = writes.parts(stmt)
        out = []
        if id(stmt) in self.overwritten:            # (what an index store overwrites; an append none)
            old = quote_expr("rt.overwritten(y, index)", rt=self.names["rt"], y=base,
                             index=_index_expr(index, self.names["np"]))
            out.append(ir.assign(self.overwritten[id(stmt)], old, stmt))
        return out + store_statements(stmt)

    def _apply(self, rule, args, keywords, z, g, stmt, callee):
        if rule is None:
            raise self._no_rule("this operation", stmt)
        try:
            bound = rule.bind(args, keywords)
        except TypeError as exc:
            raise self._no_rule(rule.name, stmt, reason=str(exc))
        subs = {"g": g, "z": z, "np": self.np, "rt": self.names["rt"], "math": self.names["math"]}
        shapes, constants = {}, {}
        for param, value in bound.items():
            subs[param] = _bound_node(value)
            if isinstance(value, gast.Name):
                shapes[param] = self.shapes.get(value.id)
            elif isinstance(value, gast.Constant):
                constants[param] = value.value
            elif isinstance(value, tuple) and value[0] == "default":
                constants[param] = value[1]
            if isinstance(value, gast.Name) and value.id in self.positive:
                constants[param] = POSITIVE_INTEGER
        for param in rules.lists_read_as_arrays(rule, shapes, constants):
            subs[param] = quote_expr("np.asarray(x)", np=self.np, x=subs[param])
        g_is_number = self.is_number(z)
        spread = dict(subs, g=quote_expr("rt.spread_over(g, z)", rt=self.names["rt"], g=g, z=z)) if g_is_number else subs
        contribs = []
        reverse = rule.reverse_for(shapes, constants) if not self.complex else \
            rules.complex_reverse(rule) or rule.reverse
        for param, value in bound.items():
            if param not in reverse and param not in rule.no_derivative and self._active_operands(value):
                raise self._no_rule(rule.name, stmt, reason=f"its rule gives no derivative with respect to "
                                    f"`{param}`, which depends on the differentiated arguments here")
        for param, template in reverse.items():
            value = bound.get(param)
            if isinstance(value, tuple) and value[0] == "tuple":       # *args: the template gives one adjoint each
                expr = self._in_library(quote_expr(template, **spread), rule, stmt)
                contribs += [(item.id, gast.Subscript(expr, ir.const(i), gast.Load()))
                             for i, item in enumerate(value[1]) if self._active_operands(item)]
                continue
            if not (isinstance(value, gast.Name) and value.id in self.active):
                continue
            number = self._as_number(value, template, subs, z, g_is_number, rule, stmt)
            if number is not None:
                self.numbers_given.add((id(stmt), value.id))
                contribs.append((value.id, number))
                continue
            expr = self._in_library(quote_expr(template, **subs), rule, stmt)
            if g_is_number and self._elementwise_shape(expr, g, True, z) != self.shapes[z]:
                expr = self._in_library(quote_expr(template, **spread), rule, stmt)     # (not an array by itself)
            if rule.broadcasting:
                expr = self._sum_to(expr, value, bound, param, z)
            contribs.append((value.id, expr))
        return contribs

    def _active_operands(self, value):
        """The active variables a bound argument (a name, or the items of *args) passes."""
        items = value[1] if isinstance(value, tuple) and value[0] == "tuple" else [value]
        return [v.id for v in items if isinstance(v, gast.Name) and v.id in self.active]

    def _sum_to(self, expr, operand, bound, param, z):
        """expr (shaped like the output z) summed back to the operand's shape, where that can differ."""
        others = [v for p, v in bound.items() if p != param and isinstance(v, (gast.Name, gast.Constant))]
        if all(not isinstance(v, gast.Name) or v.id in self.scalars for v in others):
            return expr                  # the other operands are scalars: the output has this shape
        mine, out = self.shapes.get(operand.id), self.shapes.get(z)
        if not isinstance(mine, (tuple, type(None))) or not isinstance(out, (tuple, type(None))):
            return expr
        known = mine is not None and out is not None and None not in mine and None not in out
        if not known:
            return quote_expr("rt.unbroadcast(e, x)", rt=self.names["rt"], e=expr, x=operand)
        if mine == out:
            return expr
        lead = len(out) - len(mine)
        ones = tuple(lead + i for i, n in enumerate(mine) if n == 1 and out[lead + i] != 1)
        if ones:
            expr = quote_expr(f"np.sum(e, axis={_axes(ones)}, keepdims=True)", np=self.np, e=expr)
        if lead:
            expr = quote_expr(f"np.sum(e, axis={_axes(tuple(range(lead)))})", np=self.np, e=expr)
        return expr

    def _in_library(self, expr, rule, stmt):
        """A quoted template as the function's array library spells it (standard.written_with)."""
        return standard.written_with(expr, self.namespace, self.names,
                                     lambda why: self._no_rule(rule.name, stmt, reason=why))

    def _no_rule(self, what, stmt, reason="it has no derivative rule and its source cannot be read"):
        line = getattr(stmt, "lineno", 0)
        where = f' ({self.parsed.filename}, line {line}: "{self.parsed.line_text(line).strip()}")'
        return NonDifferentiable(what, where, reason)

    def reads(self, stmt):
        """Primal names the backward sweep of this statement (not its nested blocks) reads."""
        if isinstance(stmt, gast.Assign):
            if not self.has_backward(stmt):
                return []
            pre, contribs = self.adjoint_code(stmt)
            clear = [self.clears[id(stmt)]] if id(stmt) in self.clears else []    # (a store's index: `dy[k] = 0.0`)
            names = []
            for node in pre + [c for _, c in contribs] + clear:
                names += [n for n in ir.names_read(node) if n in self.primal or n in self.residual.values()
                          or n in self.overwritten.values()]
            names += [self._like(v) for v, _ in contribs if v in self.buffers]     # a buffer's shape (rt.add_into)
            return list(dict.fromkeys(names))
        if isinstance(stmt, gast.If):
            return [stmt.test.id] if self.has_backward(stmt) and not _one_branch_raises(stmt) else []
        if isinstance(stmt, gast.For) and self.has_backward(stmt):
            ranged = [n for n in ir.names_read(stmt.iter) if n in self.primal]
            return ranged + [self.counts[id(stmt)]] if id(stmt) in self.counts else ranged
        if isinstance(stmt, gast.While) and self.has_backward(stmt):
            return [self.counts[id(stmt)]]
        return []

    # planning ---------------------------------------------------------------
    def plan(self):
        """Decide loop counters and, per block and segment, which values to push."""
        self._plan_restores()
        for stmt in ir.statements(self.tree.body):     # names the residuals of callees first
            if isinstance(stmt, gast.Assign) and ir.target_name(stmt) in self.active:
                self.adjoint_code(stmt)
        for stmt in ir.statements(self.tree.body):
            if isinstance(stmt, (gast.For, gast.While)) and self.has_backward(stmt):
                if isinstance(stmt, gast.While) or any(True for _ in loop_breaks(stmt.body)):
                    self.counts[id(stmt)] = self.namer.fresh("n_iter")
                    self.primal.add(self.counts[id(stmt)])
        self.assigned = {}
        for stmt in ir.statements(self.tree.body):
            if isinstance(stmt, (gast.For, gast.While)):
                names = {ir.target_name(s) for s in ir.statements(stmt.body) if isinstance(s, gast.Assign)}
                names |= set(self.residual[id(s)] for s in ir.statements(stmt.body) if id(s) in self.residual)
                names |= set(self.overwritten[id(s)] for s in ir.statements(stmt.body) if id(s) in self.overwritten)
                names |= {self.counts[id(s)] for s in ir.statements(stmt.body) if id(s) in self.counts}
                # a for loop's target is not saved: the backward loop header runs the range backwards
                self.assigned[id(stmt)] = names
        self.saves, self.recompute = {}, {}
        self.definitions = {ir.target_name(s): s for s in ir.statements(self.tree.body)
                            if isinstance(s, gast.Assign) and not ir.is_phi(s)}
        self.top_level = {a.id for a in self.tree.args.args} | \
            {ir.target_name(s) for s in self.tree.body if isinstance(s, gast.Assign)}
        self._plan(self.tree.body, loops=[], path=[], loop=None)
        for segments in self.recompute.values():      # a value recomputed earlier in the backward
            done = []                                  # sweep of the block stays valid after it
            for k in sorted(segments, reverse=True):
                segments[k] = [s for s in segments[k] if s not in done]
                done += segments[k]

    def _plan(self, block, loops, path, loop):
        k = 0
        for stmt in block:
            if _is_compound(stmt):
                k += 1
                here = path + [(block, k, loop)]
                self._record(self.reads(stmt), loops, here)
                if isinstance(stmt, gast.If):
                    self._plan(stmt.body, loops, here, loop)
                    self._plan(stmt.orelse, loops, here, loop)
                else:
                    self._plan(stmt.body, loops + [stmt], here, stmt)
            else:
                self._record(self.reads(stmt), loops, path + [(block, k, loop)])

    def _record(self, names, loops, path):
        for var in names:
            # the innermost loop whose iterations change what var is (a version of a written object names
            # one object in every iteration of a loop inside the one that makes it)
            owner = next((L for L in reversed(loops) if var in self.assigned[id(L)]
                          and not self._same_object_each_iteration(var, L)), None)
            if owner is None:
                continue
            block, k, _ = next(entry for entry in reversed(path) if entry[2] is owner)
            recipe = self._recompute_recipe(var, loops[:loops.index(owner) + 1],
                                            self.saves.get(id(block), {}).get(k, []))
            if recipe is not None:       # cheaper to recompute than to save
                redo = self.recompute.setdefault(id(block), {}).setdefault(k, [])
                redo += [s for s in recipe if s not in redo]
                continue
            pushes = self.saves.setdefault(id(block), {}).setdefault(k, [])
            if var not in pushes:
                pushes.append(var)

    def sites(self, key):
        """The names that make the objects a buffer is the adjoint of (`y = np.zeros(n)`, ...)."""
        return {n for n in self.objects.made if self.objects.of.get(n) == key} or {key}

    def _cheap_item(self, value):
        """`x[i]`, an item read again more cheaply than saved, of an array no store writes into."""
        return isinstance(value, gast.Subscript) and isinstance(value.value, gast.Name) \
            and not self.objects.reached_by(value.value.id) and self._basic(value.slice) \
            and self.subscript_shape(value.value.id, value.slice) == ()

    def _same_object_each_iteration(self, var, loop):
        """Whether var, a version of a written object, names the same object in every iteration of
        loop (the object was made before it): nothing to save, the backward sweep restores it."""
        obj = self.objects.of.get(var)
        inside = {id(s) for s in ir.statements(loop.body)}
        return obj is not None and not any(id(self.definitions.get(site)) in inside for site in self.sites(obj))

    def _recompute_recipe(self, var, loops, saved=()):
        """The statements recomputing var in the backward sweep from values it has anyway (loop
        counters, values no loop changes, values saved for this segment), dependencies first;
        None when var must be saved. Inactive values may use `math`; others must be one arithmetic
        operation or one `math` function of names, which costs about what saving and restoring them
        does, and keeps a loop's tape to the values it cannot recompute."""
        stmt = self.definitions.get(var)
        if stmt is None or stmt in self.copies or not (_cheap(stmt.value, self.parsed) or self._cheap_item(stmt.value)):
            return None
        if self.objects.reached_by(var):
            return None         # an object stores write into: made again, it is not the one its views see
        if any(self.objects.reached_by(n) for n in ir.names_read(stmt.value)):
            return None         # it reads an array stores change: what it read is gone where it would run
        if var in self.active and not self._cheap_item(stmt.value) and not _one_operation(stmt.value):
            return None
        restored = {L.target.id for L in loops if isinstance(L, gast.For)}
        recipe = []
        for name in ir.names_read(stmt.value):
            if name not in self.primal or name in restored or name in saved:
                continue
            if not any(name in self.assigned[id(L)] for L in loops) and name in self.top_level:
                continue
            if name in self.active:          # recomputing a chain of derivatives costs more than a save
                return None
            inner = self._recompute_recipe(name, loops, saved)
            if inner is None:
                return None
            recipe += [s for s in inner if s not in recipe]
        return recipe + [stmt]

    # forward sweep ------------------------------------------------------------
    def forward_block(self, block, inherited=()):
        out, k = [], 0
        saves = self.saves.get(id(block), {})
        last = block[-1] if block else None
        terminal = isinstance(last, gast.If) and ir.exits([last])
        for stmt in block:
            if _is_compound(stmt):
                out += self._pushes(saves.get(k, []), (block, k))
                k += 1
                tail = list(self._pushes(saves.get(k, []), (block, k))) + list(inherited) \
                    if stmt is last and terminal else []
                out += self.forward_compound(stmt, tail)
            else:
                out += self.forward_stmt(stmt)
        if terminal:
            return out
        tail = self._pushes(saves.get(k, []), (block, k)) + list(inherited)
        cut = len(out)
        if out and isinstance(out[-1], (gast.Break, gast.Return)):
            cut -= 1
        while cut > 0 and out[cut - 1] in self.copies:
            cut -= 1
        # the saves go before the copies that end the block (a loop phi's copy overwrites what they
        # read), but after a copy that defines what they save, a name the block before does not read
        # (`a_4 = a_2`, a join at the loop's end after a `continue`)
        saved = {n for push in tail for n in ir.names_read(push)}
        before = {n for stmt in out[:cut] for n in ir.names_read(stmt)}
        for j in range(cut, len(out)):
            if out[j] in self.copies and ir.target_name(out[j]) in saved - before:
                cut = j + 1
        return out[:cut] + tail + out[cut:]

    def forward_compound(self, stmt, tail):
        new = copy.copy(stmt)
        if isinstance(stmt, gast.If):
            new.body = self.forward_block(stmt.body, tail)
            new.orelse = self.forward_block(stmt.orelse, tail)
            return [new]
        count = self.counts.get(id(stmt))
        new.body = self.forward_block(stmt.body)
        if count is None:
            return [new]
        new.body = quote("n = n + 1", n=count) + new.body
        return quote("n = 0", n=count) + [new]

    def _pushes(self, names, segment):
        """One push per segment: a tuple when it saves several values (one call instead of many). The
        push and the pop of a segment carry the same `slot`, so that cleanup, which may rename what a
        push reads, still drops the same entries from both (cleanup.remove_unread_saves)."""
        if not names:
            return []
        push = self.stack_names()[1]
        call = gast.Call(ir.name(push), [_bundle(names, gast.Load)], [])
        call.slot = self._slot(segment)
        return [ir.at(gast.Expr(call), None)]

    def _pops(self, names, segment):
        if not names:
            return []
        pop = self.stack_names()[2]
        call = gast.Call(ir.name(pop), [], [])
        call.slot = self._slot(segment)
        return [ir.assign(_bundle(names, gast.Store), call)]

    def _slot(self, segment):
        block, k = segment
        return self.slots.setdefault((id(block), k), len(self.slots))

    # backward sweep -----------------------------------------------------------
    def backward_block(self, block, defined):
        saves = self.saves.get(id(block), {})
        redo = self.recompute.get(id(block), {})
        k = sum(1 for s in block if _is_compound(s))
        out = self._pops(saves.get(k, []), (block, k)) + [ir.clone(s) for s in redo.get(k, [])]
        for stmt in reversed(block):
            if _is_compound(stmt):
                code, defined = self.backward_compound(stmt, defined)
                out += code
                k -= 1
                out += self._pops(saves.get(k, []), (block, k)) + [ir.clone(s) for s in redo.get(k, [])]
            elif isinstance(stmt, gast.Assign):
                out += self.backward_assign(stmt, defined)
        return out, defined

    def backward_assign(self, stmt, defined):
        z = ir.target_name(stmt)
        if is_write(stmt):
            return self.backward_write(stmt, defined)
        if z in self.objects.made and z not in self.active:
            defined.discard(self.d(z))      # the object is made here: its buffer starts again before
            return []
        if z not in self.active or self.d(z) not in defined or self._joins_versions(stmt):
            return []
        pre, contribs = self.adjoint_code(stmt)
        out = [self._comment(stmt)] if (pre or contribs) and stmt not in self.copies else []
        out += list(pre)
        defined.discard(self.d(z))
        for var, expr in _combine(contribs):
            out += self.accumulate(var, expr, defined, stmt)
        return out

    def backward_write(self, stmt, defined):
        """A store backwards: the restore whenever the object is restored; the rest when its buffer holds
        something (the buffer stays defined: it goes on as the adjoint of the version before)."""
        pre, contribs = self.adjoint_code(stmt)
        target = ir.target_name(stmt)
        reached = target in self.active and self.d(target) in defined
        out = list(pre)
        if reached:
            clear = ir.clone(self.clears[id(stmt)])
            self.emitted_clears.append(clear)
            # a value stored into its own object (`y[...] = y`) gets its adjoint after the clear, read before it
            own = [(var, expr) for var, expr in contribs if self.buffers.get(var, var) == self.buffers.get(target)]
            for var, expr in contribs:
                if (var, expr) in own:
                    held = self.namer.temporary(f"{self.d(var)}_stored")
                    out.append(ir.assign(held, expr, stmt))
                else:
                    out += self.accumulate(var, expr, defined, stmt)
            out.append(clear)
            for var, _ in own:
                out += self.accumulate(var, ir.name(held), defined, stmt)
        return [self._comment(stmt)] + out if out else []

    def accumulate(self, var, expr, defined, like):
        if var not in self.active:
            return []
        dv = self.d(var)
        if var in self.buffers:
            return [self._add_into_buffer(var, expr, defined, like)]
        if dv in defined:
            if self.may_be_container(var):
                expr = quote_expr("rt.add(a, e)", rt=self.names["rt"], a=dv, e=expr)
            else:
                expr = gast.BinOp(ir.name(dv), gast.Add(), expr)
        defined.add(dv)
        return [ir.assign(dv, expr, like)]

    def _add_into_buffer(self, var, expr, defined, like):
        """`dy = rt.add_into(dy, e, y)`: a contribution to a written object's adjoint is added into its
        buffer in place; reading an item adds at the item (`rt.add_at`), with no array of zeros."""
        dv = self.d(var)
        buffer = ir.name(dv) if dv in defined else quote_expr("rt.zero", rt=self.names["rt"])
        defined.add(dv)
        value = like.value if isinstance(like, gast.Assign) else None
        if isinstance(value, gast.Subscript) and getattr(value.value, "id", None) == var:
            g = ir.name(self.d(ir.target_name(like)))
            if isinstance(buffer, gast.Name) and (self.buffers[var] in self.dense or dv in self.arrays_made_here) \
                    and self._basic(value.slice) \
                    and not (self.shapes.get(var) is NUMBERS and _has_slice(value.slice)):    # (list += list joins)
                store = gast.Subscript(ir.name(dv), ir.clone(value.slice), gast.Store())
                return ir.at(gast.AugAssign(store, gast.Add(), g), like)         # `dy[i] += g`
            if not isinstance(buffer, gast.Name) and self._one_shape(var):
                self.arrays_made_here.add(dv)       # an array from here on, up to the next compound statement
            return ir.assign(dv, quote_expr("rt.add_at(dy, index, g, y)", rt=self.names["rt"], dy=buffer, g=g, y=var,
                                            index=_index_expr(value.slice, self.names["np"])), like)
        return ir.assign(dv, quote_expr("rt.add_into(dy, e, y)", rt=self.names["rt"], dy=buffer, e=expr,
                                        y=self._like(var)), like)

    def _one_shape(self, var):
        """Whether var is a real array of a fully known shape (its buffer, once made, is an array of it)."""
        shape = self.shapes.get(var)
        return type(shape) is tuple and len(shape) > 0 and None not in shape and not self.complex

    def _like(self, var):
        """What a buffer's contributions are shaped like: var, or for an object (whose buffer is a dict
        keyed by attribute name, the same for all its versions) the name that made it."""
        return self.buffers[var] if self.shapes.get(var) is OBJECT else var

    def _basic(self, index):
        """Whether an index picks items or slices without index arrays (repeats could not add up)."""
        parts = index.elts if isinstance(index, gast.Tuple) else [index]
        return all(isinstance(p, gast.Slice) or (isinstance(p, (gast.Name, gast.Constant)) and self.shapes.get(
            getattr(p, "id", None), () if isinstance(p, gast.Constant) else None) == ()) for p in parts)

    def backward_compound(self, stmt, defined):
        if not self.has_backward(stmt):
            return [], defined
        self.arrays_made_here.clear()       # (a block may start a buffer again, or leave it rt.zero)
        out, defined = self._backward_compound(stmt, defined)
        self.arrays_made_here.clear()
        return out, defined

    def _backward_compound(self, stmt, defined):
        if isinstance(stmt, gast.If) and _one_branch_raises(stmt):   # the backward sweep runs after the other
            taken = _joining_blocks(stmt)
            body, defined = self.backward_block(taken[0] if taken else [], defined)
            return ([self._comment(stmt)] + body if body else []), defined
        if isinstance(stmt, gast.If):
            then, d1 = self.backward_block(stmt.body, set(defined))
            orelse, d2 = self.backward_block(stmt.orelse, set(defined))
            union = d1 | d2
            then += self._zeros(sorted(union - d1))
            orelse += self._zeros(sorted(union - d2))
            if not then and not orelse:
                return [], union
            return [self._comment(stmt), gast.If(ir.name(stmt.test.id), then, orelse)], union
        carried = self._carried(stmt, defined)
        before = self._zeros(sorted(self.d(v) for v in carried if self.d(v) not in defined))
        entry = set(defined) | {self.d(v) for v in carried}
        body, after = self.backward_block(stmt.body, set(entry))
        body += self._zeros(sorted(dv for dv in entry - after if dv in {self.d(v) for v in carried}))
        count = self.counts.get(id(stmt))
        if count is not None and isinstance(stmt, gast.While):
            loop = gast.For(ir.name(self.namer.fresh("_"), store=True),
                            gast.Call(ir.name("range"), [ir.name(count)], []), body, [], None)
        elif count is not None:        # a for loop left by break: its first n_iter values, backwards
            ran = gast.Subscript(ir.clone(stmt.iter), gast.Slice(None, ir.name(count), None), gast.Load())
            loop = gast.For(ir.name(stmt.target.id, store=True),
                            gast.Call(ir.name("reversed"), [ran], []), body, [], None)
        else:
            loop = gast.For(ir.name(stmt.target.id, store=True),
                            gast.Call(ir.name("reversed"), [ir.clone(stmt.iter)], []), body, [], None)
        return before + [self._comment(stmt), loop], entry

    def _carried(self, loop, defined):
        """Active names whose adjoint lives across iterations of the backward loop: those defined
        before the loop, and those defined only inside it whose adjoint is live after it (a value of
        the last iteration read after the loop)."""
        inside = self.assigned[id(loop)]
        touched, remade = set(), set()
        for stmt in ir.statements(loop.body):
            if isinstance(stmt, gast.Assign) and ir.target_name(stmt) in self.active and self.has_backward(stmt):
                touched.add(ir.target_name(stmt))
                touched |= {v for v, _ in self.adjoint_code(stmt)[1]}
            if isinstance(stmt, gast.Assign) and ir.target_name(stmt) in self.objects.made \
                    and self.d(ir.target_name(stmt)) in defined:
                remade.add(ir.target_name(stmt))    # a new object in the loop: the buffer starts again
        only_inside = {v for v in inside if not self._defined_outside(v, loop) and self.d(v) not in defined}
        return {v for v in touched if v in self.active and v not in only_inside} | remade

    def _defined_outside(self, var, loop):
        if var in self.objects.of and var not in self.objects.made:     # a version of an object: its buffer
            return any(self._defined_outside(site, loop) for site in self.sites(self.objects.of[var]))  # lives on
        if var in {a.id for a in self.tree.args.args}:
            return True
        loops = self._loops_around()
        return any(id(loop) not in loops[site] for site in self._assignments().get(var, ()))

    def _loops_around(self):
        """{id(statement): ids of the loops around it} of the primal (built once: the primal is fixed)."""
        if not hasattr(self, "_loops_index"):
            self._loops_index = ir.enclosing_loops(self.tree.body)
        return self._loops_index

    def _assignments(self):
        """{name: ids of the assignments to it} in the primal."""
        if not hasattr(self, "_assignments_index"):
            self._assignments_index = {}
            for s in ir.statements(self.tree.body):
                if isinstance(s, gast.Assign):
                    self._assignments_index.setdefault(ir.target_name(s), []).append(id(s))
        return self._assignments_index

    def _zeros(self, adjoint_names):
        primal = {d: v for v, d in self.adjoints.items()}
        return [ir.assign(dv, self.zero(primal.get(dv))) for dv in adjoint_names]

    def may_be_container(self, var):
        """Whether var's adjoint may be a list, tuple or dict (added item by item, with rt.add): its
        shape says so (a user object's is a dict keyed by attribute name), or it is unknown and var is
        indexed (a number cannot be)."""
        shape = self.shapes.get(var)
        return is_container(shape) or (shape is None and var in self.indexed)

    def zero(self, var):
        """The adjoint of var before anything reached it: rt.zero where it may be indexed (a container's,
        or an array's that the backward sweep reads item by item: indexing rt.zero gives zero again),
        else 0.0."""
        if self.buffers.get(var) in self.dense:
            return quote_expr("rt.buffer(y)", rt=self.names["rt"], y=self.buffers[var])
        if self.may_be_container(var) or self.d(var) in self._indexed_adjoints() or var in self.buffers:
            return quote_expr("rt.zero", rt=self.names["rt"])
        return ir.const(0.0)

    def unreached(self, param):
        """The gradient of a parameter nothing reached (read from no value: a bwd function has none)."""
        if param in self.buffers:
            return quote_expr("rt.zero", rt=self.names["rt"])
        return self.zero(param)

    def _indexed_adjoints(self):
        """Adjoint names the backward code indexes (`dv2[0]` for `v2 = np.array([x0, ...])`)."""
        if not hasattr(self, "_indexed"):
            codes = [node for pre, contribs in self._adjoint_code.values() for node in pre + [c for _, c in contribs]]
            self._indexed = {n.value.id for code in codes for n in ir.walk(code)
                             if isinstance(n, gast.Subscript) and isinstance(n.value, gast.Name)}
        return self._indexed

    def _comment(self, stmt):
        """A marker the emitter turns into `# <original line>  [file:line]`."""
        line = getattr(stmt, "lineno", None) or 0
        text = self.parsed.line_text(line).strip()
        return gast.Expr(gast.Constant(f"{COMMENT}{text}  [{_short(self.parsed.filename)}:{line}]", None))


COMMENT = "@adjoint-comment@ "


def _short(filename):
    """The file a comment points at: its name, or for generated code (a derivative of a derivative)
    the generated function's (`<adjoint grad_f of ...>` -> `grad_f`)."""
    return filename.split()[1] if filename.startswith("<adjoint ") else os.path.basename(filename)


def _walk_skipping(node, skipped):
    if id(node) in skipped:
        return
    yield node
    for child in gast.iter_child_nodes(node):
        yield from _walk_skipping(child, skipped)


def _read_by_item(tree, shapes):
    """Arrays and lists (known to be) read item by item or by slices inside a loop, and arrays read so
    at two places or more (`x[1:] - x[:-1] ** 2`): one buffer takes every read's adjoint in place."""
    in_loops = {id(s) for loop in ir.statements(tree.body) if isinstance(loop, (gast.For, gast.While))
                for s in ir.statements(loop.body)}
    found, seen = set(), set()
    for stmt in ir.statements(tree.body):
        if isinstance(stmt, gast.Assign) and isinstance(stmt.value, gast.Subscript) \
                and isinstance(stmt.value.value, gast.Name):
            name = stmt.value.value.id
            shape = shapes.get(name)
            array = isinstance(shape, tuple) and len(shape) > 0
            if id(stmt) in in_loops and (array or is_sequence(shape) and _item_index(stmt.value)) \
                    or array and name in seen:
                found.add(name)
            seen.add(name)
    return found


def _has_slice(index):
    return any(isinstance(p, gast.Slice) for p in (index.elts if isinstance(index, gast.Tuple) else [index]))


def _item_index(subscript):
    """Whether a list is read at one item (not a slice: its adjoint would be a list of its own)."""
    return not isinstance(subscript.slice, (gast.Slice, gast.Tuple))


def store_statements(stmt):
    """`y_2 = rt.write(y_1[index], v)` as Python runs it: `y_1[index] = v`, then `y_2 = y_1` (and
    `xs_1.append(v)`, `xs_1.insert(i, v)`, `xs_1.pop(i)` for the stores that change a list's length)."""
    base, index, value = writes.parts(stmt)
    if writes.resizes(stmt):
        method, args = {"append": ("append", [value]), "insert": ("insert", [index, value]),
                        "remove": ("pop", [index])}[writes.kind(stmt)]
        call = gast.Call(gast.Attribute(ir.name(base), method, gast.Load()), [ir.clone(a) for a in args], [])
        store = ir.at(gast.Expr(call), stmt)
    else:
        store = ir.at(gast.Assign([writes.target(stmt, base)], ir.clone(value), None), stmt)
    return [store, ir.assign(ir.target_name(stmt), ir.name(base), stmt)]


def _bundle(names, ctx):
    """`a` for one name, `(a, b)` for several: what a segment pushes and pops as one stack entry."""
    if len(names) == 1:
        return ir.name(names[0], store=ctx is gast.Store)
    return gast.Tuple([ir.name(v, store=ctx is gast.Store) for v in names], ctx())


def _axes(axes):
    return str(axes[0]) if len(axes) == 1 else str(axes)


_CHEAP_NODES = (gast.BinOp, gast.Compare, gast.UnaryOp, gast.BoolOp, gast.Name, gast.Constant,
                gast.operator, gast.unaryop, gast.cmpop, gast.boolop, gast.expr_context)


def _cheap(value, parsed):
    """An expression quick to evaluate again: arithmetic and comparisons, `math` functions."""
    for node in ir.walk(value):
        if isinstance(node, gast.Call):
            fn = parsed.resolve(node.func)
            if getattr(fn, "__module__", None) != "math" and fn not in (abs, min, max, int, float, len, round):
                return False
        elif isinstance(node, gast.Attribute):
            if parsed.resolve(node) is None:
                return False
        elif not isinstance(node, _CHEAP_NODES + (gast.keyword,)):
            return False
    return True


SAVE_STACK = ("reverse mode over a derivative whose code saves values in a loop (its save stack) is not "
              "supported; differentiate the derivative in forward mode instead: adjoint.hessian(f), "
              "adjoint.hvp(f), adjoint.jacobian(adjoint.grad(f)) or adjoint.vjp(adjoint.grad(f), ...), "
              "which run forward mode over a gradient")


def _one_operation(value):
    """An arithmetic operation, or a call of a function `_cheap` allows, on names and constants."""
    operands = value.args if isinstance(value, gast.Call) and not value.keywords else \
        [n for n in gast.iter_child_nodes(value) if isinstance(n, gast.expr)] \
        if isinstance(value, (gast.BinOp, gast.UnaryOp)) else None
    return operands is not None and all(ir.is_atom(n) for n in operands)


def _combine(contribs):
    """One contribution per operand: `x * x` gives `2 * (g * x)` to dx, not two updates."""
    grouped = {}
    for var, expr in contribs:
        grouped.setdefault(var, []).append(expr)
    out = []
    for var, exprs in grouped.items():
        if len(exprs) > 1 and all(gast.dump(e) == gast.dump(exprs[0]) for e in exprs):
            out.append((var, gast.BinOp(ir.const(len(exprs)), gast.Mult(), exprs[0])))
        else:
            out += [(var, e) for e in exprs]
    return out


def why_unsupported(fn):
    """The reason adjoint gives for not differentiating a library function, as _no_rule's keyword."""
    reason = rules.unsupported_reason(fn)
    return {"reason": reason} if reason else {}


def callee_function(fn):
    """What a call to fn differentiates through: the plain function behind decorators, or for a
    derivative object (adjoint.grad(g) called inside the code), the generated code computing it."""
    fn = callables.plain(unwrap(fn))       # a bound method (`model.loss`) or partial: its wrapper
    if hasattr(fn, "__adjoint_function__"):
        fn = fn.__adjoint_function__(None)
    return fn


def _bound_node(value):
    if isinstance(value, tuple) and value[0] == "default":
        return ir.const(value[1])
    if isinstance(value, tuple) and value[0] == "tuple":
        return gast.Tuple(list(value[1]), gast.Load())
    return value


def _index_expr(index, np_name):
    """An index as an expression: `x[:, j]` reads `np.s_[:, j]` in the backward sweep."""
    if isinstance(index, (gast.Name, gast.Constant)):
        return index
    return gast.Subscript(gast.Attribute(ir.name(np_name), "s_", gast.Load()), index, gast.Load())


def _spell(func):
    if isinstance(func, gast.Name):
        return func.id
    if isinstance(func, gast.Attribute):
        return f"{_spell(func.value)}.{func.attr}"
    return "this callable"


def _without_last_clears(backward, clears, returned):
    """The backward sweep without the clears of a buffer that nothing reads afterwards (the last
    statements of the sweep zeroing a slot of an adjoint that is then dropped)."""
    read_after = set(returned)
    kept = []
    for stmt in reversed(backward):
        if id(stmt) in clears and _cleared_buffer(stmt) not in read_after:
            continue
        read_after.update(ir.names_read(stmt))
        kept.append(stmt)
    return kept[::-1]


def _cleared_buffer(clear):
    target = clear.targets[0]
    return target.value.id if isinstance(target, gast.Subscript) else target.id


def generate(program, wrt, active, shapes, copies, callees, names, output=None):
    """(forward statements, backward statements, gradient expressions, generator) for the function.

    output names the value to differentiate when it is not the returned one (has_aux)."""
    gen = Reverse(program, wrt, active, shapes, copies, callees, names)
    body = program.tree.body
    result = ir.name(output) if output else body[-1].value
    defined = set()
    seed = gen.namer.fresh("dout")
    gen.plan()
    forward = gen.forward_block(body[:-1])
    start = []
    if isinstance(result, gast.Name) and result.id in active and result.id in gen.buffers:
        start = [gen._add_into_buffer(result.id, ir.name(seed), defined, None)]     # (never the caller's array)
    elif isinstance(result, gast.Name) and result.id in active:
        defined.add(gen.d(result.id))
        start = [ir.assign(gen.d(result.id), ir.name(seed))]
    backward, defined = gen.backward_block(body[:-1], defined)
    gen.seed = seed
    grads = [ir.name(gen.d(p)) if gen.d(p) in defined else gen.unreached(p) for p in wrt]
    backward = _without_last_clears(start + backward, {id(c) for c in gen.emitted_clears},
                                    {n for g in grads for n in ir.names_read(g)})
    return gen, forward, backward, grads, body[-1].value
