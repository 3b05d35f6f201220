"""A helper called with a closure (a nested function that reads local variables) is cloned for it.

`rk4(rhs, y0, dt)`, where the nested `rhs` reads `rate`, becomes `rk4_rhs(rate, y0, dt)`: a copy of
rk4 whose parameter `f` is gone, whose calls `f(u)` are `rhs(rate, u)` (the lifted closure), and
which takes `rate` as its first parameter, so that the derivative flows back into it like into
any argument. The clone is compiled from rk4's lines in rk4's globals, with the lifted function
in a cell; the front end reads its tree from `frontend.LIFTED`.
"""
import ast
import copy
import inspect

import gast

from . import frontend, ir
from .errors import UnsupportedSyntax
from .naming import fresh_in


class Request:
    """A clone to make: `callee` with the parameters in `closures` ({param: nested name}) bound."""

    def __init__(self, name, callee, closures, captured):
        self.name, self.callee, self.closures = name, callee, closures
        self.captured_by = {nested: captured[nested] for nested in closures.values()}
        self.captured = list(dict.fromkeys(v for nested in closures.values() for v in captured[nested]))

    def call(self, call, bound, like):
        """The call of the clone: captured variables, then the callee's other arguments in order."""
        values = [ir.name(v) for v in self.captured]
        for param, value in bound.items():
            if param not in self.closures:
                values.append(value)
        return ir.at(gast.Call(ir.name(self.name), values, []), like)


def request(call, callee, nested_args, captured, namer, reject):
    """The Request for a call passing closures to `callee`, and the call of the clone; `reject`
    reports what cannot be cloned."""
    if not inspect.isfunction(callee) or callee.__code__.co_freevars:
        reject("a nested function that reads local variables can be passed to a function defined at "
               "module level (not to a builtin or a closure)")
    try:
        bound = inspect.signature(callee).bind(*call.args, **{k.arg: k.value for k in call.keywords})
    except TypeError as exc:
        reject(f"the call does not match the signature of {callee.__name__} ({exc})")
    bound.apply_defaults()
    arguments = {}
    for param, value in bound.arguments.items():
        if not isinstance(value, gast.AST):
            if not isinstance(value, (int, float, complex, bool, str, type(None))):
                reject(f"the default of `{param}` is not a constant")
            value = ir.const(value)
        arguments[param] = value
    closures = {p: v.id for p, v in arguments.items() if isinstance(v, gast.Name) and v.id in nested_args}
    name = namer.fresh("_".join([frontend.function_name(callee)] + list(closures.values())))
    made = Request(name, callee, closures, captured)
    return made, made.call(call, arguments, call)


def make(req, lifted):
    """The clone's function object (registered in frontend.LIFTED)."""
    parsed = frontend.parse(req.callee)
    tree = parsed.tree
    taken = {n.id for n in ir.walk(tree) if isinstance(n, gast.Name)} | set(parsed.params) | set(parsed.namespace)
    # the clone's names for the captured values and the closures, clear of the callee's own names
    renamed = {v: fresh_in(v, taken) for v in req.captured}
    cells = {n: fresh_in(n, taken) for n in req.closures.values()}
    calls = _CallsOfParameters(req, parsed, renamed, cells)
    tree.body = [calls.visit(stmt) for stmt in tree.body]
    kept = [a for a in tree.args.args if a.id not in req.closures]
    tree.args = gast.arguments([gast.Name(renamed[v], gast.Param(), None, None) for v in req.captured] + kept,
                               [], None, [], [], None, [])
    tree.name = req.name
    return compile_clone(tree, parsed, {cells[n]: lifted[n] for n in req.closures.values()})


def compile_clone(tree, parsed, cells):
    """A function object made from a changed tree of a helper (registered in frontend.LIFTED: the front
    end reads its tree from there, tracebacks point at the helper's lines)."""
    function = _compile(tree, parsed, cells)
    frontend.LIFTED[function] = (tree, parsed.filename, parsed.lines, parsed.col_offset)
    return function


class _CallsOfParameters(ir.Transformer):
    """`f(u)` -> `rhs(rate, u)` for a parameter f bound to the closure rhs; other uses are rejected."""

    def __init__(self, req, parsed, renamed, cells):
        self.req, self.parsed, self.cells = req, parsed, cells
        self.captured = {p: [renamed[v] for v in req.captured_by[n]] for p, n in req.closures.items()}

    def visit_Call(self, node):
        if isinstance(node.func, gast.Name) and node.func.id in self.req.closures:
            param = node.func.id
            node.func = ir.at(ir.name(self.cells[self.req.closures[param]]), node.func)
            node.args = [ir.at(ir.name(v), node) for v in self.captured[param]] + node.args
            node.args = [self.visit(a) for a in node.args]
            node.keywords = [self.visit(k) for k in node.keywords]
            return node
        return self.generic_visit(node)

    def visit_Name(self, node):
        if node.id in self.req.closures:
            _reject(self.parsed, node, f"`{node.id}` is a function that reads local variables of its caller; "
                    "it can be called here but not passed on, stored or rebound",
                    f"call `{node.id}` here, or define the function passed at module level")
        return node


def _compile(tree, parsed, cells):
    """The clone as a function of the callee's globals, the closures it calls in cells."""
    factory = gast.FunctionDef("__adjoint_specialised__",
                               gast.arguments([gast.Name(n, gast.Param(), None, None) for n in cells],
                                              [], None, [], [], None, []),
                               [copy.deepcopy(tree), ir.at(gast.Return(ir.name(tree.name)), tree)], [], None, None, [])
    ir.at(factory, tree)
    module = ast.fix_missing_locations(gast.gast_to_ast(gast.Module([factory], [])))
    namespace = {}
    exec(compile(module, parsed.filename, "exec"), parsed.fn.__globals__, namespace)
    return namespace["__adjoint_specialised__"](*cells.values())


def _reject(parsed, node, message, hint):
    lineno = getattr(node, "lineno", parsed.tree.lineno)
    col = getattr(node, "col_offset", 0) + parsed.col_offset
    raise UnsupportedSyntax(message, parsed.filename, lineno, col, parsed.line_text(lineno), hint)
