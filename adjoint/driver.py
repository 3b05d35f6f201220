"""Drive a function through the pipeline to generated reverse-mode functions.

A request produces a `Generated`: gast function definitions plus what they need at run time
(the callee pairs they call). Every Generated is compiled on its own, against its user's module
globals; `cache.link` wires them together.
"""
import math
from dataclasses import dataclass, field

import gast
import numpy as np

from . import aliases, cleanup, desugar, forward, ir, pipeline
from .activity import activity
from .errors import AdjointError
from .floats import Number
from .frontend import ObjectType, function_name, unwrap
from .shapes import infer_shapes
from .lower import lower_phis
from .quoting import quote_expr
from .reverse import generate
from .forward import GENERATED


@dataclass(eq=False)
class Generated:
    key: tuple
    fn: object                 # the user's function
    parsed: object
    defs: list                 # gast.FunctionDef, in the order they are shown
    entry: str                 # the function callers use first (grad function or *_fwd)
    names: dict                # np / rt / math -> name used in the generated code
    deps: list = field(default_factory=list)     # Generated this code calls
    imports: dict = field(default_factory=dict)  # name used in this code -> (Generated, its function's name)
    tangent_params: list = field(default_factory=list)   # forward mode: names of the tangent parameters
    temporaries: set = field(default_factory=set)        # compiler-made names cleanup may inline
    derivatives: set = field(default_factory=set)        # adjoints and tangents, which cleanup may rewrite
    returns_state: set = field(default_factory=set)      # defs returning (value, saved state): a pair's fwd
    module: object = None      # filled by cache.link: name -> compiled function


_PAIRS = {}                    # callee key -> Generated holding its fwd/bwd pair, for one build: emptied by
                               # cache.building() when it ends (it holds user functions)


def _global_names(program):
    """Names for numpy, the runtime and math that do not clash with the user's."""
    names = {}
    for short, module in (("np", np), ("math", math)):
        existing = program.parsed.namespace.get(short)
        chosen = [name for name, value in program.parsed.static_locals.items() if value is module]   # (floats.py)
        names[short] = chosen[0] if chosen else short if existing is None or existing is module else \
            program.namer.fresh("numpy" if short == "np" else "math_")
        program.namer.reserve(names[short])
    names["rt"] = program.namer.runtime_name()
    return names


def _prepare(fn, wrt, statics=None):
    """The function through the pipeline: (program, SSA tree, parameter names, global names)."""
    program = pipeline.normalize(fn, statics=statics)
    params = program.parsed.params
    for name in wrt:
        if name not in params:
            raise ValueError(f"{fn.__name__} has no parameter {name!r}")
    return program, program.tree, params, _global_names(program)


def _kinds_key(fn, kinds):
    return tuple(sorted(kinds.items())) if kinds else ()


def statics_key(statics):
    """Specialisations on the functions passed (see frontend.static_arguments) and on constants
    (frontend.constant_arguments) are told apart."""
    from .constants import is_literal
    return tuple(sorted((p, f if isinstance(f, (ObjectType, Number)) else ("=", f) if is_literal(f) else id(f))
                        for p, f in statics.items())) if statics else ()


def _object_kinds(kinds, statics):
    """(kinds without the classes of object arguments, statics with them): an object's class is what
    the code is compiled for, as a function passed is (see pipeline.resolve_methods)."""
    objects = {p: k for p, k in (kinds or {}).items() if isinstance(k, ObjectType)}
    if not objects:
        return kinds, statics
    return {p: k for p, k in kinds.items() if p not in objects}, {**(statics or {}), **objects}


def _auxiliary_output(tree):
    """For has_aux: the name of the first element of the returned pair (`return loss, aux`)."""
    result = tree.body[-1].value
    for stmt in reversed(tree.body):
        if isinstance(stmt, gast.Assign) and isinstance(result, gast.Name) and ir.target_name(stmt) == result.id \
                and isinstance(stmt.value, (gast.Tuple, gast.List)) and len(stmt.value.elts) == 2 \
                and isinstance(stmt.value.elts[0], gast.Name):
            return stmt.value.elts[0].id
    raise AdjointError("has_aux=True needs the function to end with `return value, aux`")


def build_reverse(fn, wrt, kinds, split=False, stack=None, optimize=True, has_aux=False, statics=None,
                  keep_value=True):
    """Generated reverse-mode code for fn w.r.t. the parameter names `wrt`.

    kinds maps a parameter name to the shape of its argument (() for a number, None if unknown);
    statics maps a parameter to the function every call passes it (the code is specialised on it).
    split=False gives one function `grad_f(*params, dout=1.0) -> (value, gradients)`;
    split=True gives the pair `f_fwd(*params) -> (value, saved)`, `f_bwd(saved, dout) -> gradients`.
    keep_value=False: the caller discards the value; when f's output is known to be a number, grad_f
    returns rt.value_not_computed in its place, and what only computed it is dead code.
    """
    fn = unwrap(fn)
    stack = stack if stack is not None else []
    kinds, statics = _object_kinds(kinds, statics)
    key = (fn, fn.__code__, tuple(wrt), "split" if split else "grad", _kinds_key(fn, kinds), optimize, has_aux,
           statics_key(statics), keep_value)
    if split and key in _PAIRS:
        return _PAIRS[key]
    program, tree, params, names = _prepare(fn, wrt, statics)
    shapes = infer_shapes(tree, program.parsed, dict(kinds or {}))
    desugar.read_containers(tree, shapes, program.parsed, names["rt"])
    program.objects = aliases.check_in_place(tree, program.parsed, shapes, program.namer, names["rt"],
                                             generated=getattr(fn, GENERATED, False))
    output = _auxiliary_output(tree) if has_aux else None
    active = activity(tree, program.parsed, wrt, output)
    active |= {w for w in wrt}
    copies = lower_phis(tree)
    generated = Generated(key, fn, program.parsed, [], "", names)
    generated.temporaries = program.namer.temporaries
    generated.derivatives = program.namer.derivatives
    if split:
        generated.entry = _pair_base(fn, wrt, params, statics) + "_fwd"
        _PAIRS[key] = generated          # registered before generation so recursion finds it
    try:
        return _fill_reverse(generated, program, wrt, kinds, split, stack, optimize, names, shapes, active, copies,
                             output, keep_value)
    except BaseException:
        _PAIRS.pop(key, None)
        raise


def _fill_reverse(generated, program, wrt, kinds, split, stack, optimize, names, shapes, active, copies, output,
                  keep_value=True):
    tree, params = program.tree, program.parsed.params
    if split:
        base = generated.entry[:-4]
        fwd_name, bwd_name = base + "_fwd", base + "_bwd"
        # a callee's pair may have the same names (a wrapper of a method calls the method): it is
        # imported under another name
        program.namer.reserve(fwd_name)
        program.namer.reserve(bwd_name)

    def callees(callee, active_params, arg_shapes, statics=None):
        """Names of the fwd/bwd pair for a call; generates it on first use."""
        pair = build_reverse(unwrap(callee), active_params, arg_shapes, split=True, stack=stack,
                             optimize=optimize, statics=statics)
        return (_import(generated, pair, pair.entry, program.namer),
                _import(generated, pair, pair.entry[:-4] + "_bwd", program.namer))

    gen, forward, backward, grads, result = generate(program, list(wrt), active, shapes, copies, callees, names,
                                                     output)
    seed = gen.seed
    if not keep_value and not split and output is None and _a_number(result, shapes):
        result = quote_expr("rt.value_not_computed", rt=names["rt"])
    if isinstance(result, gast.Name) and gen.restores(result.id):
        value = program.namer.fresh("value")            # a copy: the backward sweep puts back what stores
        copy = gast.Call(gast.Attribute(ir.name(names["rt"]), "private", gast.Load()), [result], [])
        forward = forward + [ir.assign(value, copy)]    # into the returned object overwrote
        result = ir.name(value)
    elif isinstance(result, gast.Name) and any(result.id in ir.names_stored(s) for s in backward):
        value = program.namer.fresh("value")            # the backward sweep restores loop values
        forward = forward + [ir.assign(value, result)]
        result = ir.name(value)
    stack_setup = []
    if gen.stack:
        stack_name, push, pop = gen.stack
        stack_setup = [ir.assign(stack_name, gast.List([], gast.Load())),
                       ir.assign(push, gast.Attribute(ir.name(stack_name), "append", gast.Load())),
                       ir.assign(pop, gast.Attribute(ir.name(stack_name), "pop", gast.Load()))]
    grad_value = grads[0] if len(grads) == 1 else gast.Tuple(grads, gast.Load())
    if not split:
        args = ir.clone(tree.args)
        args.args.append(ir.name(seed, store=True))
        args.defaults.append(ir.const(1.0))
        ret = gast.Return(gast.Tuple([ir.clone(result), grad_value], gast.Load()))
        body = stack_setup + forward + ([] if ir.raises(forward) else      # it always raises
                                        [cleanup.backward_marker()] + backward + [ret])
        generated.entry = f"grad_{program.parsed.name}"
        generated.defs = [_funcdef(generated.entry, args, body, tree)]
        _finish(generated, optimize, copies, backward, gen.stack)
        return generated
    saved = _residuals(gen, backward)
    if gen.stack:
        stack_setup = stack_setup[:2] if any(gen.stack[1] in ir.names_read(s) for s in forward) else stack_setup[:1]
    saved_tuple = gast.Tuple([ir.name(s) for s in saved], gast.Load())
    top_level = {ir.target_name(s) for s in forward if isinstance(s, gast.Assign)
                 and isinstance(s.targets[0], gast.Name)} | set(params)
    top_level |= {e.id for s in forward if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Tuple)
                  for e in s.targets[0].elts}
    # values saved from inside a branch may be unset on the other path
    stack_setup += [ir.assign(s, ir.const(None)) for s in saved if s not in top_level and s != (gen.stack or ("",))[0]]
    fwd_body = stack_setup + forward + \
        ([] if ir.raises(forward) else [gast.Return(gast.Tuple([ir.clone(result), saved_tuple], gast.Load()))])
    saved_name = program.namer.fresh("saved")
    unpack = [ir.assign(gast.Tuple([ir.name(s, store=True) for s in saved], gast.Store()), ir.name(saved_name))] \
        if saved else []
    if gen.stack:    # pop from a copy, so the backward sweep can run again (a pullback called twice)
        stack_copy = gast.Call(ir.name("list"), [ir.name(gen.stack[0])], [])
        unpack.append(ir.assign(gen.stack[2], gast.Attribute(stack_copy, "pop", gast.Load())))
    bwd_args = gast.arguments([ir.name(saved_name, store=True), ir.name(seed, store=True)], [], None, [], [], None, [])
    bwd_body = unpack + [cleanup.backward_marker()] + backward + [gast.Return(grad_value)]
    generated.defs = [_funcdef(fwd_name, ir.clone(tree.args), fwd_body, tree),
                      _funcdef(bwd_name, bwd_args, bwd_body, tree)]
    generated.returns_state = {fwd_name}
    _finish(generated, optimize, copies, backward, gen.stack)
    return generated


def _finish(generated, optimize, copies, backward, stack):
    """Run the cleanup passes on every generated definition."""
    if not optimize:
        return
    reads = set()
    for stmt in backward:
        reads.update(ir.names_read(stmt))
    for _ in range(5):
        for definition in generated.defs:
            cleanup.optimize(definition, copies, reads, generated.temporaries, generated.derivatives)
        if not cleanup.remove_unread_saves(generated.defs, stack):
            break
    for definition in generated.defs:
        cleanup.batch_outer_products(definition, generated.derivatives, generated.names)


def _a_number(result, shapes):
    """Whether the returned expression is known to be a number (its shape is ())."""
    if isinstance(result, gast.Constant):
        return type(result.value) in (int, float, complex)
    return isinstance(result, gast.Name) and shapes.get(result.id) == ()


def _pair_base(fn, wrt, params, statics=None):
    """A readable name for generated code of fn: `helper`, `helper_dx` (w.r.t. x only), `rk4_rhs`
    (specialised on the function `rhs` passed to it)."""
    name = "_".join([function_name(fn)] + [function_name(f) for f in (statics or {}).values() if hasattr(f, "__name__")])
    fixed = {p for p, f in (statics or {}).items() if not isinstance(f, Number)}     # (a number is still a variable)
    return name if list(wrt) == [p for p in params if p not in fixed] else f"{name}_d{'_'.join(wrt)}"


def _import(generated, dep, function, namer):
    """The name `generated` calls dep's `function` by (its own name, unless this code already uses
    that name for another specialisation)."""
    if dep is generated:
        return function
    for alias, (other, name_) in generated.imports.items():
        if other is dep and name_ == function:
            return alias
    alias = function
    if alias in generated.imports or alias in namer.taken:
        alias = namer.fresh(function)         # another specialisation (or a user name) has it
    namer.reserve(alias)
    generated.imports[alias] = (dep, function)
    if dep not in generated.deps:
        generated.deps.append(dep)
    return alias


def _funcdef(name, args, body, like):
    node = gast.FunctionDef(name, args, body or [gast.Pass()], [], None, None)
    return ir.at(node, like)


def _residuals(gen, backward):
    """Forward values the backward sweep reads, in order of first use."""
    wanted = set(gen.primal) | set(gen.residual.values()) | set(gen.overwritten.values())
    if gen.stack:
        wanted.add(gen.stack[0])
    order = []
    for stmt in backward:
        restored = set()
        if gen.stack and isinstance(stmt, (gast.For, gast.While)):     # values a backward loop pops
            restored = {n for s in ir.walk(stmt) if isinstance(s, gast.Assign) and ir.calls(s.value, (gen.stack[2],))
                        for n in ir.names_stored(s.targets[0])}
        for n in ir.names_read(stmt):
            if n in wanted and n not in order and n not in restored:
                order.append(n)
    if gen.stack and gen.stack[0] not in order:
        order.append(gen.stack[0])
    return order


_JVPS = {}                     # callee key -> Generated holding its jvp function, for one build (as _PAIRS)


def build_forward(fn, wrt, kinds=None, optimize=True, entry=None, statics=None):
    """Generated forward-mode code: `jvp_f(*params, *tangents) -> (value, tangent of value)`.

    There is one tangent parameter per name in `wrt` (`dx` for `x`); other parameters are constants.
    """
    fn = unwrap(fn)
    kinds, statics = _object_kinds(kinds, statics)
    key = (fn, fn.__code__, tuple(wrt), "forward", _kinds_key(fn, kinds), optimize, entry, statics_key(statics))
    if key in _JVPS:
        return _JVPS[key]
    program, tree, params, names = _prepare(fn, wrt, statics)
    shapes = infer_shapes(tree, program.parsed, dict(kinds or {}))
    desugar.read_containers(tree, shapes, program.parsed, names["rt"])
    program.objects = aliases.check_in_place(tree, program.parsed, shapes, program.namer, names["rt"],
                                             generated=getattr(fn, GENERATED, False))
    varied = forward.varied_names(tree, program.parsed, list(wrt), program.objects)
    copies = lower_phis(tree)
    jvp_name = entry or f"{_pair_base(fn, wrt, params, statics)}_jvp"
    generated = Generated(key, fn, program.parsed, [], jvp_name, names)
    _JVPS[key] = generated          # registered first, so that recursion finds it
    try:
        return _fill_forward(generated, program, tree, wrt, varied, shapes, copies, optimize)
    except BaseException:
        del _JVPS[key]
        raise


def _fill_forward(generated, program, tree, wrt, varied, shapes, copies, optimize):
    names = generated.names

    def callees(callee, varied_params, arg_shapes, statics=None):
        dep = build_forward(unwrap(callee), varied_params, arg_shapes, optimize, statics=statics)
        return _import(generated, dep, dep.entry, program.namer), dep.tangent_params

    program.namer.reserve(generated.entry)        # a callee's jvp of the same name is imported as another
    gen = forward.Forward(program, wrt, varied, shapes, names, callees)
    tangent_params = generated.tangent_params = [gen.d(w) for w in wrt]
    body = gen.block(tree.body[:-1])
    result = tree.body[-1].value
    tangent = gen.tangent_of(result) or gen._zeros_like(result)
    args = ir.clone(tree.args)
    args.args += [ir.name(t, store=True) for t in tangent_params]
    defaults = list(args.defaults)
    if defaults:      # parameters with defaults must stay last: tangents get no default then
        args.defaults = defaults + [ir.const(0.0)] * len(tangent_params)
    ret = gast.Return(gast.Tuple([ir.clone(result), tangent], gast.Load()))
    generated.defs = [_funcdef(generated.entry, args, body + ([] if ir.raises(body) else [ret]), tree)]
    if optimize:
        for definition in generated.defs:
            cleanup.optimize(definition, copies, _tangent_reads(body, gen), program.namer.temporaries,
                             program.namer.derivatives)
    return generated


def _tangent_reads(body, gen):
    """Primal names the tangent statements read: they must keep their own variables, since a
    tangent statement runs after its primal one (out-of-SSA coalescing would clobber them)."""
    tangents = set(gen.tangents.values())
    reads = set()
    for stmt in ir.statements(body):
        if isinstance(stmt, gast.Assign) and any(n in tangents for n in ir.names_stored(stmt)):
            reads |= {n for n in ir.names_read(stmt.value) if n not in tangents}
    return reads


def build_selector(inner, params, kind, wrt=()):
    """A plain function with readable source that computes one output of generated code, so that a
    derivative can itself be differentiated (forward mode reads this source like any user function).

    kind "gradient": `value, gradient = grad_f(*params); return rt.like(gradient, x)`
    kind "tangent":  `value, tangent = f_jvp(*params, 1.0, ...); return tangent` (unit tangents)
    kind "elementwise": `value, elementwise = f_jvp(*params, np.ones_like(x + 0.0)); return elementwise`

    A gradient is given the type and shape of its argument, as adjoint.grad gives it at the top level:
    the generated code leaves rt.zero for a parameter nothing reached (`(x, 0.0)[1]` w.r.t. x), which
    is no value to differentiate further (wrt names the gradient's parameters).
    """
    fn = inner.fn
    call_args = [ir.name(p) for p in params]
    if kind == "tangent":
        call_args += [ir.const(1.0)] * (len(inner.defs[0].args.args) - len(params))
    if kind == "elementwise":
        call_args += [quote_expr("np.ones_like(x + 0.0)", np=inner.names["np"], x=ir.name(w)) for w in wrt]
    name = f"{kind}_of_{inner.entry}"
    pick = gast.Assign([gast.Tuple([ir.name("value", store=True), ir.name(kind, store=True)], gast.Store())],
                       gast.Call(ir.name(inner.entry), call_args, []), None)
    result = ir.name(kind)
    if kind == "gradient":
        items = ["gradient"] if len(wrt) == 1 else [f"gradient[{i}]" for i in range(len(wrt))]
        result = quote_expr(", ".join(f"rt.like({g}, {x})" for g, x in zip(items, wrt)), rt=inner.names["rt"])
    # the function's defaults, so that a derivative of the selector is called as the function is
    defaults = ir.clone(inner.parsed.tree.args.defaults) if list(params) == inner.parsed.params else []
    args = gast.arguments([ir.name(p, store=True) for p in params], [], None, [], [], None, defaults)
    definition = gast.FunctionDef(name, args, [pick, gast.Return(result)], [], None, None)
    gast.fix_missing_locations(definition)
    selector = Generated(("selector", inner.key, kind), fn, inner.parsed, [definition], name, inner.names, [inner],
                         {inner.entry: (inner, inner.entry)})
    return selector
