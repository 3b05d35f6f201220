"""Invariant checks run after each pass when ADJOINT_CHECK=1 (the test suite turns them on). Each
takes the tree, the stage's name and the function's Parsed (which the checks of passes that read
the function's namespace use)."""
import inspect

import gast

from . import ir
from .errors import AdjointError



def _fail(stage, message, node):
    raise AdjointError(f"internal check failed after pass `{stage}`: {message} (line {getattr(node, 'lineno', '?')})")


def check_lift(tree, stage, parsed=None):
    for node in ir.walk(tree):
        if node is not tree and isinstance(node, (gast.FunctionDef, gast.Lambda)):
            _fail(stage, "a nested function or lambda left", node)


def check_inline(tree, stage, parsed):
    from .inline import classes_known, made_class, stores_into_self
    classes = classes_known(tree, parsed)
    for stmt in ir.statements(tree.body):
        for call in ir.walk(stmt):
            if made_class(call, parsed) is not None:
                _fail(stage, "a call making an object of a user class left", stmt)
            func = getattr(call, "func", None)
            if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) and func.value.id in classes:
                method = inspect.getattr_static(classes[func.value.id], func.attr, None)
                if inspect.isfunction(method) and stores_into_self(method):
                    _fail(stage, "a call of a method that stores into its object left", stmt)


def check_with(tree, stage, parsed=None):
    for node in ir.walk(tree):
        if isinstance(node, gast.With):
            _fail(stage, "a `with` left", node)


def check_simplify(tree, stage, parsed=None):
    for stmt in ir.statements(tree.body):
        if isinstance(stmt, (gast.AugAssign, gast.AnnAssign)) or \
                (isinstance(stmt, gast.Assign) and len(stmt.targets) != 1):
            _fail(stage, "augmented, annotated or multiple-target assignment left", stmt)
        if isinstance(stmt, gast.Global):
            _fail(stage, "a `global` declaration left", stmt)


def check_comprehensions(tree, stage, parsed=None):
    from .comprehensions import BUILT
    for node in ir.walk(tree):
        if isinstance(node, BUILT):
            _fail(stage, "a comprehension left", node)


def check_constants(tree, stage, parsed=None):
    for node in ir.walk(tree):
        if isinstance(node, (gast.If, gast.IfExp)) and isinstance(node.test, gast.Constant):
            _fail(stage, "a test on a constant left", node)


def check_starred(tree, stage, parsed=None):
    from .starred import takes_star
    for node in ir.walk(tree):
        if isinstance(node, gast.Starred):
            _fail(stage, "a starred argument left", node)
        if isinstance(node, gast.Call) and parsed is not None and takes_star(parsed.resolve(node.func)):
            _fail(stage, "a call of a helper taking `*args` left unpacked", node)


def check_namespaces(tree, stage, parsed=None):
    from .standard import namespace_names
    missing = namespace_names(tree, parsed) - (parsed.namespaces if parsed is not None else set())
    if missing:
        _fail(stage, f"a name bound to an array namespace is not known as one: {sorted(missing)}", tree)


def check_writes(tree, stage, parsed=None):
    from . import writes
    from .writes import is_write_call
    for stmt in ir.statements(tree.body):
        if isinstance(stmt, gast.Assign) and any(isinstance(n, (gast.Subscript, gast.Attribute))
                                                 for n in ir.walk(stmt.targets[0])):
            _fail(stage, "a store into an item, slice or attribute left", stmt)
        for node in ir.walk(stmt):
            if is_write_call(node) and not (len(node.args) == 2 and isinstance(node.args[0], (gast.Subscript,
                                                                                             gast.Attribute))
                                            and isinstance(node.args[0].value, gast.Name)):
                _fail(stage, "a write whose first argument is not `name[index]` or `name.attribute`", stmt)
        if writes.is_statement_append(stmt):
            _fail(stage, "`xs.append(v)` left", stmt)
        if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call) and \
                any(k.arg == "out" for k in stmt.value.keywords):
            _fail(stage, "a call writing into `out=` left", stmt)


def check_loop_else(tree, stage, parsed=None):
    for stmt in ir.statements(tree.body):
        if isinstance(stmt, (gast.For, gast.While)) and stmt.orelse:
            _fail(stage, "a loop with an `else` left", stmt)


def check_for_range(tree, stage, parsed=None):
    for stmt in ir.statements(tree.body):
        if isinstance(stmt, gast.For) and not (isinstance(stmt.target, gast.Name) and isinstance(stmt.iter, gast.Call)
                                               and getattr(stmt.iter.func, "id", None) == "range"):
            _fail(stage, "a for loop not over range(...)", stmt)


def check_loop_returns(tree, stage, parsed=None):
    def walk(block, in_loop):
        for stmt in block:
            if isinstance(stmt, gast.Return) and in_loop:
                _fail(stage, "return inside a loop", stmt)
            if isinstance(stmt, (gast.For, gast.While)):
                walk(stmt.body, True)
            elif isinstance(stmt, gast.If):
                walk(stmt.body, in_loop)
                walk(stmt.orelse, in_loop)
    walk(tree.body, False)


def check_absorb(tree, stage, parsed=None):
    def walk(block):
        for i, stmt in enumerate(block):
            if isinstance(stmt, gast.Continue):
                _fail(stage, "continue left", stmt)
            if isinstance(stmt, (gast.Break, gast.Return, gast.Raise)) and i != len(block) - 1:
                _fail(stage, "statements after an exit", stmt)
            if isinstance(stmt, gast.If) and ir.exits([stmt]) and i != len(block) - 1:
                _fail(stage, "statements after an exiting if", stmt)
            for field in ("body", "orelse"):
                walk(getattr(stmt, field, []) or [])
    walk(tree.body)


def check_single_exit(tree, stage, parsed=None):
    returns = [n for n in ir.walk(tree) if isinstance(n, gast.Return)]
    if len(returns) != 1 or tree.body[-1] is not returns[0]:
        _fail(stage, "not exactly one return at the end", tree)


_OPERATIONS = (gast.BinOp, gast.Call, gast.Subscript, gast.IfExp)


def check_anf(tree, stage, parsed=None):
    from .writes import is_write_call
    for stmt in ir.statements(tree.body):
        if isinstance(stmt, gast.Assign) and not isinstance(stmt.targets[0], gast.Name):
            _fail(stage, "an assignment to something other than one name", stmt)
        if isinstance(stmt, gast.Assign) and not isinstance(stmt.value, (gast.Compare, gast.BoolOp, gast.UnaryOp)):
            operands = list(gast.iter_child_nodes(stmt.value))
            operands += [k.value for k in operands if isinstance(k, gast.keyword)]
            for child in operands:
                if isinstance(child, _OPERATIONS) and not isinstance(stmt.value, gast.Attribute) \
                        and not (is_write_call(stmt.value) and child is stmt.value.args[0]):
                    _fail(stage, f"nested operation in `{type(stmt.value).__name__}`", stmt)
        if isinstance(stmt, gast.Assign) and isinstance(stmt.value, gast.UnaryOp) and \
                not isinstance(stmt.value.op, gast.Not) and isinstance(stmt.value.operand, _OPERATIONS):
            _fail(stage, "nested operation under a unary operator", stmt)
        if isinstance(stmt, gast.If) and not isinstance(stmt.test, gast.Name):
            _fail(stage, "if test is not a name", stmt)


def check_floats(tree, stage, parsed=None):
    from .floats import left_to_rewrite
    check_ssa(tree, stage, parsed)
    left = left_to_rewrite(tree, parsed)
    if left is not None:
        _fail(stage, "a NumPy function of Python numbers left", left)


def check_ssa(tree, stage, parsed=None):
    seen = {a.id for a in tree.args.args}
    for stmt in ir.statements(tree.body):
        names = [ir.target_name(stmt)] if isinstance(stmt, gast.Assign) else \
            [stmt.target.id] if isinstance(stmt, gast.For) else []
        for name in names:
            if name in seen:
                _fail(stage, f"`{name}` assigned twice", stmt)
            seen.add(name)


def no_shared_nodes(tree, stage):
    """Every pass: no node stands in two places. A shared node is renamed (SSA) or rewritten once for
    both, so the copy of a block an exit was absorbed into read the other copy's names."""
    seen = set()
    for node in ir.walk(tree):
        if isinstance(node, (gast.expr_context, gast.operator, gast.unaryop, gast.cmpop, gast.boolop)):
            continue                    # (context and operator nodes carry no names)
        if id(node) in seen:
            _fail(stage, f"a `{type(node).__name__}` node stands in two places", node)
        seen.add(id(node))


CHECKS = {"lift": check_lift, "constants": check_constants, "with": check_with, "simplify": check_simplify, "comprehensions": check_comprehensions,
          "starred": check_starred, "inline": check_inline, "namespaces": check_namespaces,
          "writes": check_writes, "loop-else": check_loop_else, "for-range": check_for_range, "loop-returns": check_loop_returns,
          "absorb": check_absorb, "single-exit": check_single_exit, "anf": check_anf, "ssa": check_ssa,
          "methods": check_ssa, "statics": check_ssa, "floats": check_floats}
