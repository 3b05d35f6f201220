"""Forward mode: every statement that carries a derivative is followed by its tangent statement.

Works on the same lowered SSA program as reverse mode; control flow is kept as it is, so no value
needs saving. Tangents follow names: the tangent of `h_1` is `dh_1`.
"""
import gast

from . import ir, rules, runtime, standard, writes
from .aliases import Objects, shared_operands
from .writes import is_write
from .errors import NonDifferentiable
from .frontend import UNKNOWN_METHOD, constant_arguments, made_here_reason, static_arguments, unknown_callee
from .quoting import quote_expr
from .shapes import OBJECT, POSITIVE_INTEGER, is_container, positive_counters
from .starred import late_call_refusal

# The attribute marking a generated function that returns (value, saved state), a helper's fwd. Forward
# mode over reverse code always runs it in forward mode, so that every saved state carries tangents
# on its stack (see varied_names).
RETURNS_STATE = "__adjoint_returns_state__"
GENERATED = "__adjoint_generated__"     # on every function adjoint generated



class Forward:
    def __init__(self, program, wrt, varied, shapes, names, callees):
        self.program = program
        self.parsed = program.parsed
        self.namer = program.namer
        self.varied = varied
        self.names = names
        # the array library templates call: NumPy, or the array API namespace the function is written with
        self.namespace = standard.function_namespace(program.tree, self.parsed)
        self.np = self.namespace or names["np"]
        self.callees = callees          # (fn, varied param names, their shapes) -> name of its jvp function
        self.tangents = {}
        self.pushes, self.pops = _stack_ops(program.tree, wrt)
        self.stacks = _stack_lists(program.tree, self.pushes, self.pops)
        self.pushed = {n.id for s in ir.statements(program.tree.body) if isinstance(s, gast.Expr)
                       and ir.calls(s.value, self.pushes) for n in s.value.args if isinstance(n, gast.Name)}
        self.shapes = shapes            # what is known of the values' shapes (scalars, lists, ...)
        self.positive = positive_counters(program.tree)     # loop counters from 1 up: never 0
        self.objects = program.objects or Objects()     # what the function writes into, see writes.py

    def d(self, var):
        """The tangent of var. A version of an object stored into has the object's tangent buffer: the
        copies and phis between versions alias it as they alias the object."""
        if var not in self.tangents:
            self.tangents[var] = self.namer.tangent(var)
        return self.tangents[var]

    def tangent_of(self, node):
        """The tangent expression of an operand, or None when it carries no derivative."""
        if isinstance(node, gast.Name) and node.id in self.varied:
            return ir.name(self.d(node.id))
        return None

    def block(self, stmts):
        out = []
        for stmt in stmts:
            if isinstance(stmt, gast.Assign):
                out += self.assign(stmt)
            elif isinstance(stmt, gast.If):
                new = gast.If(stmt.test, self.block(stmt.body), self.block(stmt.orelse))
                out.append(ir.at(new, stmt))
            elif isinstance(stmt, gast.For):
                out.append(ir.at(gast.For(stmt.target, stmt.iter, self.block(stmt.body), [], None), stmt))
            elif isinstance(stmt, gast.While):
                out.append(ir.at(gast.While(stmt.test, self.block(stmt.body), []), stmt))
            elif isinstance(stmt, gast.Expr) and self._is_push(stmt):
                out += self.push(stmt)
            else:
                out.append(stmt)
        return out

    # the save stack of generated reverse code: every entry travels with its tangent, so that a push
    # and its pop agree even when they are in different functions (a helper's fwd and bwd)
    def _is_push(self, stmt):
        return ir.calls(stmt.value, self.pushes) and len(stmt.value.args) == 1

    def push(self, stmt):
        value = stmt.value.args[0]
        tangent = self.tangent_of(value) or self._constant_tangent(value, saved=True)
        return [stmt, ir.at(gast.Expr(gast.Call(stmt.value.func, [tangent], [])), stmt)]

    def assign(self, stmt):
        z = ir.target_name(stmt)
        value = stmt.value
        if ir.calls(value, self.pops):        # pushed as value then tangent: the tangent comes off first
            return [ir.assign(self.d(z), gast.Call(value.func, [], []), stmt), stmt]
        if is_write(stmt):
            return self.write(stmt)
        if z not in self.varied:
            return [stmt]
        if z in self.objects.made:
            return self.make_object(stmt)       # (a received object's tangent came with it, stores and all)
        pre, tangent, primal = self.tangent(stmt, z, value)
        if primal is not None:             # a call that returns its own tangent
            return pre + [primal]
        if tangent is None:
            tangent = self._zeros_like(ir.name(z))
        return pre + [stmt, ir.assign(self.d(z), self._unshared(tangent, z, value), stmt)]

    def _unshared(self, tangent, z, value):
        """The tangent, copied where it may be the tangent buffer of a written object while the value is a
        new object: `t = y + c` has tangent `dy`, which a later store into y would change under dt."""
        # (arithmetic makes a new array; a name, or a call given one, such as rt.unbroadcast(dy, x), may not)
        exposed = [tangent] if isinstance(tangent, gast.Name) else \
            tangent.args if isinstance(tangent, gast.Call) else []
        tangent_buffers = {self.d(m) for m in self.objects.of}
        buffers = [n.id for n in exposed if isinstance(n, gast.Name) and n.id in tangent_buffers]
        if not buffers or z in self.objects.of or shared_operands(value, self.parsed):
            return tangent
        for buffer in buffers:
            tangent = quote_expr("rt.unshared(t, buffer)", rt=self.names["rt"], t=tangent, buffer=buffer)
        return tangent

    # objects written in place (writes.py): the tangent is a buffer of the object's own, written with it
    def make_object(self, stmt):
        """The statement making an object that stores write into, then its tangent buffer: a copy of
        the value's tangent that the stores may write into (`dy = rt.tangent_buffer(t, y)`)."""
        z = ir.target_name(stmt)
        value = stmt.value
        if isinstance(value, gast.Call) and self.parsed.resolve(value.func) is runtime.private:
            pre, tangent, primal = [], self.tangent_of(value.args[0]), None      # (a parameter's copy)
        elif not any(r in self.varied for r in _differentiable_reads(value, self.parsed)):
            pre, tangent, primal = [], None, None                             # (np.zeros(n): a constant)
        else:
            pre, tangent, primal = self.tangent(stmt, z, value)
        out = pre + [primal if primal is not None else stmt]
        if primal is not None:
            tangent = ir.name(self.d(z))
        tangent = tangent or quote_expr("rt.zero", rt=self.names["rt"])
        return out + [ir.assign(self.d(z), quote_expr("rt.tangent_buffer(t, y)", rt=self.names["rt"], t=tangent,
                                                      y=ir.name(z)), stmt)]

    def write(self, stmt):
        """`y_1[index] = v` and, when y varies, `dy[index] = dv` (0.0 for a v that does not vary)."""
        from .reverse import store_statements
        out = store_statements(stmt)
        target = ir.target_name(stmt)
        if target not in self.varied:
            return out
        base, index, value = writes.parts(stmt)
        tangent = self.tangent_of(value) if isinstance(value, gast.Name) else None
        if writes.resizes(stmt):    # `dxs.append(dv)`, `dxs.insert(i, dv)` (a zero like v when v does not
            if value is not None:   # vary), `dxs.pop(i)`
                tangent = tangent or quote_expr("rt.tangent_zero(v)", rt=self.names["rt"], v=value)
            method, args = {"append": ("append", [tangent]), "insert": ("insert", [ir.clone(index), tangent]),
                            "remove": ("pop", [ir.clone(index)])}[writes.kind(stmt)]
            store = ir.at(gast.Expr(gast.Call(gast.Attribute(ir.name(self.d(base)), method, gast.Load()), args, [])),
                          stmt)
        else:
            if tangent is None:     # (an object's attribute or a container's item holds zeros of its own shape)
                tangent = self._zeros_like(value) if isinstance(value, gast.Name) and \
                    (writes.is_attribute_store(stmt) or is_container(self.shapes.get(base))) else ir.const(0.0)
            target_slot = gast.Subscript(ir.name(self.d(base)), ir.clone(index), gast.Store())
            store = ir.at(gast.Assign([target_slot], tangent, None), stmt)
        return out[:1] + [store] + out[1:] + [ir.assign(self.d(target), ir.name(self.d(base)), stmt)]

    def _constant_tangent(self, node, saved):
        """The tangent of an item that does not vary: none for the save stack itself (its entries carry
        their own); rt.tangent_zero for what is saved on it (a saved integer gets the zero that no slope
        turns into a NaN); else zeros like it."""
        if getattr(node, "id", None) in self.stacks:
            return ir.const(None)
        if saved:
            return quote_expr("rt.tangent_zero(x)", rt=self.names["rt"], x=node)
        return self._zeros_like(node)

    def _zeros_like(self, node):
        """A zero tangent for node's value: `0.0` for a value known to be a real number."""
        known = self.shapes.get(node.id) if isinstance(node, gast.Name) else None
        if type(known) is tuple and known == () or isinstance(node, gast.Constant) and type(node.value) in (int, float):
            return ir.const(0.0)
        return quote_expr("rt.zeros_like(x)", rt=self.names["rt"], x=node)

    def tangent(self, stmt, z, value):
        """(statements before, tangent expression, replacement primal statement or None)."""
        if isinstance(value, gast.Name):
            return [], self.tangent_of(value), None
        if isinstance(value, gast.Constant):
            return [], None, None
        if isinstance(value, gast.BinOp):
            return [], self._apply(rules.lookup(type(value.op)), [value.left, value.right], [], z, stmt, None), None
        if isinstance(value, gast.UnaryOp):
            return [], self._apply(rules.lookup(type(value.op)), [value.operand], [], z, stmt, None), None
        if isinstance(value, gast.Attribute):
            if self.shapes.get(getattr(value.value, "id", None)) is OBJECT:     # a user object's attribute
                return [], self._apply(rules.FIELD, [value.value, ir.const(value.attr)], [], z, stmt, None), None
            rule = rules.ATTRIBUTES.get(value.attr)
            if rule is None:
                raise self._no_rule(f"the attribute `.{value.attr}`", stmt)
            return [], self._apply(rule, [value.value], [], z, stmt, None), None
        if isinstance(value, gast.Subscript):
            t = self.tangent_of(value.value)
            return [], (gast.Subscript(t, value.slice, gast.Load()) if t is not None else None), None
        if isinstance(value, (gast.Tuple, gast.List)):
            elts = [self.tangent_of(e) or self._constant_tangent(e, saved=z in self.pushed) for e in value.elts]
            return [], type(value)(elts, gast.Load()), None
        if isinstance(value, gast.Dict):      # (a number that does not vary: rt.zero, which no NaN slope turns into NaN)
            return [], gast.Dict(value.keys, [self.tangent_of(v) or quote_expr("rt.tangent_zero(x)", rt=self.names["rt"], x=v)
                                              for v in value.values]), None
        if isinstance(value, gast.Call):
            return self._call(stmt, value, z)
        raise self._no_rule(type(value).__name__, stmt)

    def _call(self, stmt, call, z):
        func = call.func
        fn = self.parsed.resolve(func)
        keywords = [(k.arg, k.value) for k in call.keywords]
        if fn is None and isinstance(func, gast.Attribute):
            rule = rules.METHODS.get(func.attr)
            if rule is None:
                raise self._no_rule(f"the method `.{func.attr}()`", stmt, reason=UNKNOWN_METHOD)
            return [], self._apply(rule, [func.value] + call.args, keywords, z, stmt, func), None
        if fn is None:
            from .reverse import _spell
            raise unknown_callee(self.parsed, func, stmt, self._no_rule(
                "the function called here" if getattr(func, "id", None) in self.namer.temporaries else _spell(func),
                stmt, reason="it is only known when the code runs"))
        from .reverse import callee_function, why_unsupported
        fn = callee_function(fn)
        defined, refused = rules.definition(fn, call.args, keywords, self.shapes.get)
        if refused or defined is not None and self.namespace:
            raise self._no_rule(getattr(fn, "__name__", "this callable"), stmt,
                                reason=refused or standard.NUMPY_DEFINITION)
        if defined is not None:
            return self._callee(stmt, call, defined, z)
        rule = rules.lookup(fn)
        if rule is not None:
            return [], self._apply(rule, call.args, keywords, z, stmt, func), None
        if callable(fn) and hasattr(fn, "__code__"):
            return self._callee(stmt, call, fn, z)
        if isinstance(fn, type):
            raise self._no_rule(fn.__name__, stmt, reason=made_here_reason(fn))
        raise self._no_rule(getattr(fn, "__name__", "this callable"), stmt, **why_unsupported(fn))

    def _callee(self, stmt, call, fn, z):
        import inspect
        if late_call_refusal(fn):
            raise self._no_rule(fn.__name__, stmt, reason=late_call_refusal(fn))
        try:
            bound = inspect.signature(fn).bind(*call.args, **{k.arg: k.value for k in call.keywords})
        except TypeError as exc:
            raise self._no_rule(fn.__name__, stmt, reason=f"the call does not match its signature ({exc})")
        varied = [p for p, v in bound.arguments.items() if isinstance(v, gast.Name) and v.id in self.varied]
        shapes = {p: self.shapes.get(v.id) if isinstance(v, gast.Name) else () if isinstance(v, gast.Constant) else None
                  for p, v in bound.arguments.items()}
        jvp_name, tangent_params = self.callees(fn, varied, shapes, {**static_arguments(self.parsed, bound.arguments),
                                                                     **constant_arguments(fn, bound.arguments)})
        tangents = [gast.keyword(t, self.tangent_of(bound.arguments[p])) for p, t in zip(varied, tangent_params)]
        new_call = gast.Call(ir.name(jvp_name), list(call.args), list(call.keywords) + tangents)
        target = gast.Tuple([ir.name(z, store=True), ir.name(self.d(z), store=True)], gast.Store())
        return [], None, ir.assign(target, new_call, stmt)

    def _apply(self, rule, args, keywords, z, stmt, callee):
        if rule is None:
            raise self._no_rule("this operation", stmt)
        if rule.forward is None:
            raise self._no_rule(rule.name, stmt, reason="its rule has no forward-mode template yet")
        try:
            bound = rule.bind(args, keywords)
        except TypeError as exc:
            raise self._no_rule(rule.name, stmt, reason=str(exc))
        from .reverse import _bound_node
        subs = {"z": z, "np": self.np, "rt": self.names["rt"], "math": self.names["math"]}
        constants = {}
        for param, value in bound.items():
            subs[param] = _bound_node(value)
            tangent = self.tangent_of(value) if isinstance(value, gast.Name) else self._tangents_of_items(value)
            if tangent is not None:
                subs["d" + param] = tangent
            if isinstance(value, gast.Constant):
                constants[param] = value.value
            elif isinstance(value, tuple) and value[0] == "default":
                constants[param] = value[1]
            elif isinstance(value, gast.Name) and value.id in self.positive:
                constants[param] = POSITIVE_INTEGER
        shapes = {p: self.shapes.get(v.id) for p, v in bound.items() if isinstance(v, gast.Name)}
        for param in rules.lists_read_as_arrays(rule, shapes, constants):      # and so does the list's tangent
            for name in [param, "d" + param]:
                if name in subs:
                    subs[name] = quote_expr("np.asarray(t)", np=self.np, t=subs[name])
        terms = []
        forward = rule.forward_for({}, constants)
        forward = forward if isinstance(forward, dict) else {None: forward}
        for param in bound:
            if None not in forward and "d" + param in subs and param not in forward \
                    and param not in rule.no_derivative:
                raise self._no_rule(rule.name, stmt, reason=f"its rule gives no tangent for `{param}`, which "
                                    "depends on the differentiated arguments here")
        for param, template in forward.items():
            if param is not None and "d" + param not in subs:
                continue
            if template == "LINEAR":
                terms.append(self._linear_call(rule, bound, args, keywords, callee, param, subs))
            elif param is None:        # one template for the whole call: an inactive parameter's tangent is zero
                zeros = {"d" + p: quote_expr("rt.zero", rt=self.names["rt"]) for p in bound if "d" + p not in subs}
                terms.append(self._in_library(quote_expr(template, **subs, **zeros), rule, stmt))
            else:
                terms.append(self._in_library(quote_expr(template, **subs), rule, stmt))
        if not terms:
            return None
        total = terms[0]
        for term in terms[1:]:
            total = gast.BinOp(total, gast.Add(), term)
        if rule.broadcasting and self._may_be_narrower(total, bound, z):
            total = quote_expr("rt.widen(t, z)", rt=self.names["rt"], t=total, z=z)
        return total

    def _in_library(self, expr, rule, stmt):
        """A quoted template as the function's array library spells it (standard.written_with)."""
        return standard.written_with(expr, self.namespace, self.names,
                                     lambda why: self._no_rule(rule.name, stmt, reason=why))

    def _tangents_of_items(self, value):
        """For the items of *args of which one varies: the tuple of their tangents (rt.zero for the others)."""
        if not (isinstance(value, tuple) and value[0] == "tuple"):
            return None
        tangents = [self.tangent_of(v) if isinstance(v, gast.Name) else None for v in value[1]]
        if all(t is None for t in tangents):
            return None
        return gast.Tuple([quote_expr("rt.zero", rt=self.names["rt"]) if t is None else t for t in tangents],
                          gast.Load())

    def _may_be_narrower(self, tangent, bound, z):
        """Whether a broadcasting operation's tangent may have fewer elements than its output: a tangent
        has its primal's shape (a reduction of it counts every element), but `a - x` with only the scalar
        x varying has the tangent `-dx`. It is wide enough when it reads z or every operand that may be
        an array (or its tangent)."""
        reads = set(ir.names_read(tangent))
        if z in reads:
            return False
        operands = [v.id for v in bound.values() if isinstance(v, gast.Name)]
        return any(v not in reads and self.tangents.get(v) not in reads and self.shapes.get(v) != ()
                   for v in operands)

    def _linear_call(self, rule, bound, args, keywords, callee, param, subs):
        """The same call with the tangent in place of the (linear) first argument."""
        tangent = subs["d" + param]
        if callee is not None and isinstance(callee, gast.Attribute) and rule.name.startswith("ndarray."):
            method_args = [a for a in args[1:]]
            return gast.Call(gast.Attribute(tangent, callee.attr, gast.Load()), method_args,
                             [gast.keyword(k, v) for k, v in keywords])
        new_args = [tangent if (isinstance(a, gast.Name) and a is bound.get(param)) else a for a in args]
        if not any(a is tangent for a in new_args):
            new_args = [tangent] + list(args[1:])
        return gast.Call(callee, new_args, [gast.keyword(k, v) for k, v in keywords])

    def _no_rule(self, what, stmt, reason="it has no derivative rule and its source cannot be read"):
        line = getattr(stmt, "lineno", 0)
        where = f' ({self.parsed.filename}, line {line}: "{self.parsed.line_text(line).strip()}")'
        return NonDifferentiable(what, where, reason)


def _stack_ops(tree, wrt):
    """(names bound to `<list>.append`, names bound to `<list>.pop` whose entries carry tangents):
    the save stack of generated reverse code. A stack built in this function carries them (its
    pushes are transformed here too); one unpacked from a helper's saved state carries them when
    that state varies, since then the helper's fwd ran in forward mode, and not when it does not."""
    sources = {ir.target_name(s): s.value for s in ir.statements(tree.body) if isinstance(s, gast.Assign)}
    pops = ir.bound_methods(tree.body, "pop")
    return set(ir.bound_methods(tree.body, "append")), {p for p, stack in pops.items()
                                                         if _filled_with_tangents(stack, sources, wrt)}


def _filled_with_tangents(stack, sources, wrt):
    """Follow a stack list back to where it was made: `[]` here, or an item of a parameter."""
    while True:
        value = sources.get(stack)
        if isinstance(value, gast.Call) and value.args and isinstance(value.args[0], gast.Name):
            stack = value.args[0].id                    # list(stack): a copy to pop from
        elif isinstance(value, gast.Subscript) and isinstance(value.value, gast.Name):
            stack = value.value.id                      # saved[k]
        elif isinstance(value, gast.Name):
            stack = value.id
        else:
            return value is not None or stack in wrt    # a list built here, or a varying parameter


def _stack_lists(tree, pushes, pops):
    """Names holding the save stack itself (`stack`, `list(stack)` in a bwd function): its entries
    carry their tangents, so the list has none of its own."""
    lists = set()
    for stmt in ir.statements(tree.body):
        if isinstance(stmt, gast.Assign) and ir.target_name(stmt) in pushes | pops:
            lists.add(stmt.value.value.id)
    changed = True
    while changed:
        changed = False
        for stmt in ir.statements(tree.body):
            if isinstance(stmt, gast.Assign) and ir.target_name(stmt) in lists:
                value = stmt.value
                source = value.args[0] if isinstance(value, gast.Call) and value.args else value
                if isinstance(source, gast.Name) and source.id not in lists:
                    lists.add(source.id)
                    changed = True
    return lists


def varied_names(tree, parsed, wrt, objects=None):
    """Names that depend differentiably on the `wrt` parameters (forward activity). A value popped
    off the save stack always has a tangent (see Forward.push); the stack list itself never does.

    A helper's saved state varies whatever its inputs: the helper's bwd pops tangents from the state's
    stack when the state varies, and a state that went through the save stack or another saved state
    always does, so the stack inside must have been filled in forward mode, by the helper's fwd_jvp."""
    from .activity import carries_derivative
    varied = set(wrt) | _helper_states(tree, parsed)
    pushes, pops = _stack_ops(tree, wrt)
    stacks = _stack_lists(tree, pushes, pops)
    defs = []
    for stmt in ir.statements(tree.body):
        if isinstance(stmt, gast.Assign) and ir.target_name(stmt) not in stacks:
            value = stmt.value
            if ir.calls(value, pops):
                varied.add(ir.target_name(stmt))
            elif ir.is_phi(stmt):
                defs.append((ir.target_name(stmt), [a for a in ir.phi_args(stmt) if a]))
            elif carries_derivative(value, parsed):
                defs.append((ir.target_name(stmt), _differentiable_reads(value, parsed)))
    if objects:         # the versions of a written object vary together: they share one tangent buffer
        for name, obj in objects.of.items():
            defs.append((name, list(objects.members(obj))))
    changed = True
    while changed:
        changed = False
        for name, reads in defs:
            if name not in varied and any(r in varied for r in reads):
                varied.add(name)
                changed = True
    return varied


def _helper_states(tree, parsed):
    """Names bound to what a helper's generated fwd returns: (value, saved state)."""
    return {ir.target_name(stmt) for stmt in ir.statements(tree.body)
            if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)
            and isinstance(stmt.value, gast.Call) and getattr(parsed.resolve(stmt.value.func), RETURNS_STATE, False)}


def _differentiable_reads(value, parsed):
    """The names a value reads, but for the arguments its rule reads only for their shape or sign
    (`no_derivative`): `rt.power_exponent(h, n)` does not vary with h, so its tangent is not a zero
    that a NaN elsewhere could turn into a NaN."""
    if isinstance(value, gast.Subscript):           # an index carries no derivative into the item
        return ir.names_read(value.value)
    reads = ir.names_read(value)
    fn = parsed.resolve(value.func) if isinstance(value, gast.Call) else None
    if fn is not None and rules.is_constant(fn):     # (rt.buffer(x): zeros shaped like x, whatever x is)
        return set()
    rule = rules.lookup(fn) if fn is not None else None
    if rule is None or not rule.no_derivative:
        return reads
    try:
        bound = rule.bind(value.args, [(k.arg, k.value) for k in value.keywords])
    except TypeError:
        return reads
    kept = set()
    for param, arg in bound.items():
        if param not in rule.no_derivative:
            for node in arg[1] if isinstance(arg, tuple) and arg[0] == "tuple" else [arg]:
                kept.update(ir.names_read(node) if isinstance(node, gast.AST) else ())
    return [n for n in reads if n in kept]
