"""Fence: reject constructs the compiler cannot differentiate, at the user's line."""
import gast

from .errors import UnsupportedSyntax

# node type -> (what it is, what to write instead)
REJECTED = {
    gast.With: ("`with` blocks", "move the body into the function and manage the resource outside it"),
    gast.AsyncWith: ("`async with`", "differentiate a synchronous function"),
    gast.Try: ("`try` statements", "validate inputs before calling the differentiated function"),
    gast.Raise: ("`raise`", "check inputs outside the differentiated function, or use `assert`"),
    gast.Lambda: ("lambda expressions", "define the function with `def` at module level and call it"),
    gast.ListComp: ("list comprehensions", "write an explicit loop that accumulates into an array"),
    gast.SetComp: ("set comprehensions", "write an explicit loop"),
    gast.DictComp: ("dict comprehensions", "write an explicit loop"),
    gast.GeneratorExp: ("generator expressions", "write an explicit `for` loop"),
    gast.Global: ("`global` declarations", "pass the value as an argument and return the new value"),
    gast.Nonlocal: ("`nonlocal` declarations", "pass the value as an argument and return the new value"),
    gast.Yield: ("generators (`yield`)", "return a value instead"),
    gast.YieldFrom: ("generators (`yield from`)", "return a value instead"),
    gast.Await: ("`await`", "differentiate a synchronous function"),
    gast.AsyncFunctionDef: ("async functions", "differentiate a synchronous function"),
    gast.AsyncFor: ("`async for`", "use a plain `for` loop"),
    gast.FunctionDef: ("nested function definitions", "define the helper at module level; adjoint differentiates through calls to it"),
    gast.ClassDef: ("class definitions inside the function", "define the class at module level"),
    gast.Delete: ("`del`", "let the variable go out of scope instead"),
    gast.Import: ("imports inside the function", "import at module level"),
    gast.ImportFrom: ("imports inside the function", "import at module level"),
    gast.NamedExpr: ("assignment expressions (`:=`)", "assign on a separate line"),
    gast.Match: ("`match` statements", "use if / elif / else"),
    gast.Set: ("set displays", "use a tuple or a list"),
    gast.Starred: ("starred expressions (`*args`)", "pass the arguments one by one"),
}

MUTATING_METHODS = {"append", "extend", "insert", "pop", "remove", "update", "setdefault", "clear",
                    "sort", "reverse", "fill", "resize", "itemset", "put", "setfield", "add"}


def fence(parsed):
    """Raise UnsupportedSyntax at the first construct outside the supported subset."""
    fn = parsed.tree
    args = fn.args
    if args.vararg or args.kwarg or args.kwonlyargs or args.posonlyargs:
        _reject(parsed, fn, "`*args`, `**kwargs`, keyword-only and positional-only parameters",
                "give every parameter a name in the signature")
    for stmt in fn.body:
        for node in gast.walk(stmt):
            _check(parsed, node)
    return parsed


def _check(parsed, node):
    kind = REJECTED.get(type(node))
    if kind:
        _reject(parsed, node, kind[0] + " are not supported", kind[1])
    if isinstance(node, (gast.Assign, gast.AugAssign, gast.AnnAssign)):
        for target in getattr(node, "targets", None) or [node.target]:
            _check_target(parsed, target)
    elif isinstance(node, (gast.For, gast.While)) and node.orelse:
        _reject(parsed, node, "`else` clauses on loops are not supported",
                "set a flag before `break` and test it after the loop")
    elif isinstance(node, gast.For):
        _check_target(parsed, node.target)
    elif isinstance(node, gast.Expr) and isinstance(node.value, gast.Call):
        func = node.value.func
        if isinstance(func, gast.Attribute) and func.attr in MUTATING_METHODS:
            _reject(parsed, node, f"in-place mutation (`.{func.attr}(...)`) is not differentiable yet",
                    "build a new value instead, e.g. collect with np.stack / np.concatenate of a tuple")
    elif isinstance(node, gast.Call) and any(k.arg is None for k in node.keywords):
        _reject(parsed, node, "`**kwargs` in calls is not supported", "pass keyword arguments by name")


def _check_target(parsed, target):
    if isinstance(target, (gast.Tuple, gast.List)):
        for elt in target.elts:
            _check_target(parsed, elt)
    elif isinstance(target, gast.Attribute):
        _reject(parsed, target, "assignment to an attribute is not differentiable yet",
                "assign to a local variable instead and return it")
    elif isinstance(target, gast.Subscript):
        _reject(parsed, target, "assignment into an array element or slice (in-place update) is not differentiable yet",
                "build a new array instead, e.g. with np.where, np.concatenate or np.stack")


def _reject(parsed, node, message, hint):
    lineno = getattr(node, "lineno", parsed.tree.lineno)
    col = getattr(node, "col_offset", 0) + parsed.col_offset
    raise UnsupportedSyntax(message, parsed.filename, lineno, col, parsed.line_text(lineno), hint)
