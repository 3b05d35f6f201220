"""Lambda lifting: functions defined inside the differentiated function become helpers.

A nested `def g(...)` or `g = lambda ...:` that reads variables of the enclosing function is lifted
to a function of its own that takes those variables as leading parameters, and every call `g(a)`
becomes `g(captured..., a)`. A call passes the captured variables' values at the time of the call,
which is what the closure would read. The lifted functions are real function objects, compiled
from the user's lines (tracebacks point there) in the user's globals; the front end reads their
trees from `frontend.LIFTED`, so the rest of the compiler differentiates them like any helper.
A lambda written elsewhere (an argument, `rk4(lambda y: -y, ...)`) is lifted the same way under the
name `lambda<line>`.
"""
import ast

import gast

from . import frontend, ir, specialise
from .errors import UnsupportedSyntax


def lift_functions(tree, namer, parsed):
    """Afterwards no `def` or `lambda` is left in the function's body: each is a helper in
    `parsed.lifted` (name -> function object), called with its captured variables first."""
    nested = _take_nested_functions(tree, namer, parsed)
    if not nested:
        return tree
    enclosing = _bound_here(tree) | set(parsed.fn.__code__.co_freevars)
    for name, definition in nested.items():
        if name in enclosing:
            _reject(parsed, definition, f"`{name}` names a nested function and is also assigned in "
                    f"{parsed.name}", "give the function and the variable different names")
    captured = _captured_variables(nested, enclosing)
    for definition in nested.values():
        calls = _CallsPassCaptured(nested, captured, parsed, _bound_here(definition))
        definition.body = [calls.visit(stmt) for stmt in definition.body]
    requests = []              # helpers called with closures, to clone (see specialise.py)
    calls = _CallsPassCaptured(nested, captured, parsed, set(), namer, requests)
    tree.body = [calls.visit(stmt) for stmt in tree.body]
    lifted = _compile(nested, captured, parsed)
    lifted.update({req.name: specialise.make(req, lifted) for req in requests})
    parsed.lifted.update(lifted)
    parsed.static_locals.update(lifted)
    for name in lifted:                       # a global of the same name is shadowed here
        parsed.namespace.pop(name, None)
    return tree


def _take_nested_functions(tree, namer, parsed):
    """Remove the nested definitions from the body (a lambda bound to a name is one; another lambda
    becomes a name for its lifted function): {name: FunctionDef}, in the order they appear."""
    nested = {}

    def define(name, definition):
        if name in nested:
            _reject(parsed, definition, f"the nested function `{name}` is defined twice",
                    "give each definition its own name")
        if definition.decorator_list:
            _reject(parsed, definition, "decorators on nested functions are not supported",
                    "define the decorated function at module level")
        if any(not isinstance(d, gast.Constant) for d in definition.args.defaults):
            _reject(parsed, definition, "a nested function's default values are computed where it is defined, "
                    "which is not supported unless they are constants",
                    "pass the value as an argument, or read it from the enclosing function")
        nested[name] = definition

    def block(stmts):
        out = []
        for stmt in stmts:
            if isinstance(stmt, gast.FunctionDef):
                define(stmt.name, stmt)
                continue
            if isinstance(stmt, gast.Assign) and isinstance(stmt.value, gast.Lambda) and \
                    len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name):
                define(stmt.targets[0].id, _as_definition(stmt.targets[0].id, stmt.value))
                continue
            for field in ("body", "orelse"):
                if isinstance(getattr(stmt, field, None), list):
                    setattr(stmt, field, block(getattr(stmt, field)))
            _Lambdas(namer, define).visit(stmt)
            out.append(stmt)
        return out

    tree.body = block(tree.body) or [ir.at(gast.Pass(), tree)]
    return nested


class _Lambdas(ir.Transformer):
    """A lambda in an expression becomes the name of its lifted function."""

    def __init__(self, namer, define):
        self.namer, self.define = namer, define

    def visit_Lambda(self, node):
        name = self.namer.fresh(f"lambda{node.lineno}")
        self.define(name, _as_definition(name, node))
        return ir.at(ir.name(name), node)

    def visit_FunctionDef(self, node):     # a nested function's own lambdas are lifted with it
        return node


def _as_definition(name, lam):
    definition = gast.FunctionDef(name, lam.args, [ir.at(gast.Return(lam.body), lam)], [], None, None, [])
    return ir.at(definition, lam)


def _bound_here(function):
    """Names a function binds in its own scope: parameters, assignment and loop targets (not inside
    functions nested in it)."""
    bound = {a.id for a in function.args.args}
    for node in _own_nodes(function.body):
        if isinstance(node, gast.Name) and isinstance(node.ctx, (gast.Store, gast.Del)):
            bound.add(node.id)
        elif isinstance(node, gast.FunctionDef):
            bound.add(node.name)
    return bound


def _own_nodes(nodes):
    """The nodes of a function body, without descending into functions defined in it."""
    work = list(nodes)
    while work:
        node = work.pop()
        yield node
        if not isinstance(node, (gast.FunctionDef, gast.Lambda)):
            work.extend(gast.iter_child_nodes(node))


def _free_names(function):
    """Names a function (or lambda) reads from enclosing scopes, its own nested functions included."""
    loads = set()
    for node in _own_nodes(function.body if isinstance(function.body, list) else [function.body]):
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load):
            loads.add(node.id)
        elif isinstance(node, (gast.FunctionDef, gast.Lambda)):
            loads |= _free_names(node)
    bound = _bound_here(function) if isinstance(function, gast.FunctionDef) else {a.id for a in function.args.args}
    return loads - bound


def _captured_variables(nested, enclosing):
    """{function: sorted variables of the enclosing function it reads}, a function calling another
    one reading what that one reads."""
    reads = {name: _free_names(definition) for name, definition in nested.items()}
    captured = {name: reads[name] & enclosing for name in nested}
    changed = True
    while changed:
        changed = False
        for name in nested:
            for other in reads[name] & set(nested):
                if not captured[other] <= captured[name]:
                    captured[name] |= captured[other]
                    changed = True
    return {name: sorted(names) for name, names in captured.items()}


class _CallsPassCaptured(ir.Transformer):
    """`g(a)` -> `g(captured..., a)` for the nested functions not shadowed by `bound`; passing one
    that captures nothing to a call is fine (the callee is specialised on it), any other use of one
    (returned, stored, passed while it captures) is rejected."""

    def __init__(self, nested, captured, parsed, bound, namer=None, requests=None):
        self.visible = {n for n in nested if n not in bound}
        self.captured, self.parsed = captured, parsed
        self.namer, self.requests = namer, requests      # given where closures may be passed on

    def _nested(self, node):
        return isinstance(node, gast.Name) and node.id in self.visible

    def _closure(self, node):
        return self._nested(node) and bool(self.captured[node.id])

    def visit_Call(self, node):
        if self._nested(node.func):
            node.args = [ir.at(ir.name(v), node) for v in self.captured[node.func.id]] + node.args
        else:
            node.func = self.visit(node.func)
        passed = [a for a in node.args + [k.value for k in node.keywords] if self._closure(a)]
        node.args = [a if a in passed else self._argument(a) for a in node.args]
        for keyword in node.keywords:
            keyword.value = keyword.value if keyword.value in passed else self._argument(keyword.value)
        if passed:
            return self._call_with_closures(node, {a.id for a in passed})
        return node

    def _call_with_closures(self, node, closures):
        """`rk4(rhs, y, dt)` with rhs reading locals -> `rk4_rhs(rate, y, dt)`, a clone of rk4 for rhs."""
        def reject(reason):
            _reject(self.parsed, node, f"{_listing(sorted(closures))} reads local variables "
                    f"({_listing(sorted({v for c in closures for v in self.captured[c]}))}); {reason}",
                    "give the function passed those values as parameters, or define it at module level")
        if self.requests is None or self._nested(node.func):
            reject("passing it to another function is supported in the differentiated function's own body, "
                   "to a function defined at module level")
        req, call = specialise.request(node, self.parsed.resolve(node.func), closures, self.captured, self.namer,
                                       reject)
        self.requests.append(req)
        return call

    def _argument(self, arg):
        if not self._nested(arg):
            return self.visit(arg)
        if self.captured[arg.id]:
            _reject(self.parsed, arg, f"`{arg.id}` reads {_listing(self.captured[arg.id])} of the enclosing "
                    "function, and a nested function that reads local variables cannot be passed to another "
                    "function yet", f"give `{arg.id}` those values as parameters and pass them along, or "
                    "call it here")
        return arg

    def visit_Name(self, node):
        if self._nested(node) and isinstance(node.ctx, gast.Load):
            _reject(self.parsed, node, f"the nested function `{node.id}` is used as a value (returned, stored "
                    "or assigned); adjoint differentiates nested functions that are called or passed to a call",
                    f"call `{node.id}` where its result is needed, or define it at module level")
        return node

    def visit_FunctionDef(self, node):
        return node        # its own calls are rewritten when it is lifted

    def visit_Lambda(self, node):
        return node


def _listing(names):
    return ", ".join(f"`{n}`" for n in names)


def _compile(nested, captured, parsed):
    """The lifted functions as function objects: defined together in one factory, so that they call
    each other through its cells, compiled from the user's lines in the user's globals."""
    definitions = []
    for name, definition in nested.items():
        definition.args.args = [gast.Name(v, gast.Param(), None, None) for v in captured[name]] + definition.args.args
        definitions.append(definition)
    first = definitions[0]
    factory = gast.FunctionDef("__adjoint_lifted__", gast.arguments([], [], None, [], [], None, []),
                               [ir.clone(d) for d in definitions] +
                               [gast.Return(gast.Dict([ir.const(n) for n in nested],
                                                      [ir.name(n) for n in nested]))], [], None, None, [])
    module = ast.fix_missing_locations(gast.gast_to_ast(
        gast.Module([_located(factory, first)], [])))
    namespace = {}
    exec(compile(module, parsed.filename, "exec"), parsed.fn.__globals__, namespace)
    functions = namespace["__adjoint_lifted__"]()
    for name, definition in nested.items():
        frontend.LIFTED[functions[name]] = (definition, parsed.filename, parsed.lines, parsed.col_offset)
    return functions


def _located(node, like):
    """node with like's position on every part that has none (the factory's own statements)."""
    for sub in ir.walk(node):
        if isinstance(sub, (gast.stmt, gast.expr)) and getattr(sub, "lineno", None) is None:
            sub.lineno, sub.col_offset = like.lineno, like.col_offset
            sub.end_lineno, sub.end_col_offset = like.lineno, like.col_offset
    return node


def _reject(parsed, node, message, hint):
    lineno = getattr(node, "lineno", parsed.tree.lineno)
    col = getattr(node, "col_offset", 0) + parsed.col_offset
    raise UnsupportedSyntax(message, parsed.filename, lineno, col, parsed.line_text(lineno), hint)
