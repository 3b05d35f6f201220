"""Shrink a failing program to a small one that still fails the same way.

Greedy: list one-edit variants of the program (delete a statement, unwrap a loop or branch,
replace an expression by a part of it, a constant or a parameter, inline a one-line helper, shorten
a range), keep the first that fails in the same mode with the same outcome, and start again until
no variant fails or the time budget is spent. Larger edits come first: candidates follow a
breadth-first walk of the tree, so whole functions and top-level statements are tried before the
expressions inside them.
"""
import ast
import copy
import dataclasses
import re
import time
import warnings

from . import oracle


def kind_of(result):
    """What must stay the same while shrinking: the outcome and the sort of failure (the exception
    type, or which part was wrong: value, derivative or shape)."""
    if result.outcome == "wrong":
        return ("wrong", result.detail.split(":")[0])
    return (result.outcome, result.error.split(":")[0])


def shrink(program, mode, kind, budget=60.0, timeout=10.0):
    """The smallest variant of `program` found within `budget` seconds whose `mode` fails with
    `kind` (see kind_of); `program` itself (reformatted) if none does."""
    start = time.monotonic()

    def fails(source):
        candidate = dataclasses.replace(program, source=source)
        results = oracle.check(candidate, modes=(mode,), timeout=timeout, plain_timeout=1.0,
                               judging=kind[0] == "wrong")
        return bool(results) and mode in results and kind_of(results[mode]) == kind

    current = ast.unparse(ast.parse(program.source))
    if not fails(current):
        return program
    tried = {current}
    progress = True
    while progress and time.monotonic() - start < budget:
        progress = False
        for candidate in candidates(current):
            if time.monotonic() - start > budget:
                break
            if candidate in tried:
                continue
            tried.add(candidate)
            if fails(candidate):
                current, progress = candidate, True
                break
    return dataclasses.replace(program, source=_with_header(current))


def _with_header(source):
    """ast.unparse drops blank lines: put two back between top-level definitions."""
    return re.sub(r"\n+def ", "\n\n\ndef ", source) + "\n"


# --- candidates --------------------------------------------------------------------------------
def candidates(source):
    """Every one-edit variant of source that still compiles, larger edits first."""
    tree = ast.parse(source)
    for new in _variants(tree):
        ast.fix_missing_locations(new)
        try:
            text = ast.unparse(new)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                compile(text, "<candidate>", "exec")
        except (SyntaxError, ValueError):        # e.g. break left outside its loop
            continue
        yield text


def _variants(tree):
    helpers = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    params = [a.arg for a in helpers["f"].args.args] if "f" in helpers else []
    for path, node, in_list in _walk(tree):
        for replacement in _edits(node, in_list, helpers, params):
            new = copy.deepcopy(tree)
            _put(new, path, replacement)
            yield new
    yield from _propagated(tree)


def _propagated(tree):
    """A name assigned once (`d = E`) replaced by E wherever it is read, the assignment dropped."""
    for f, function in enumerate(tree.body):
        if not isinstance(function, ast.FunctionDef):
            continue
        stores = [n.id for n in ast.walk(function) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)]
        assigns = [n for n in ast.walk(function) if isinstance(n, ast.Assign) and len(n.targets) == 1
                   and isinstance(n.targets[0], ast.Name) and stores.count(n.targets[0].id) == 1]
        for k in range(len(assigns)):
            new = copy.deepcopy(tree)
            target = [n for n in ast.walk(new.body[f]) if isinstance(n, ast.Assign) and len(n.targets) == 1
                      and isinstance(n.targets[0], ast.Name) and stores.count(n.targets[0].id) == 1][k]
            name, value = target.targets[0].id, target.value
            target.targets[0] = ast.Name("_", ast.Store())        # the dead assignment goes next round
            _substitute(new.body[f], {name: value})
            yield new


def _substitute(node, values):
    """Replace reads of the names in values by (copies of) their expressions, in place."""
    class Substitute(ast.NodeTransformer):
        def visit_Name(self, name):
            if name.id in values and isinstance(name.ctx, ast.Load):
                return copy.deepcopy(values[name.id])
            return name
    return Substitute().visit(node)


def _walk(tree):
    """(path, node, whether it sits in a statement list) breadth first; a path is a list of
    (field, index or None) steps from the root."""
    queue = [([], tree, False)]
    while queue:
        path, node, in_list = queue.pop(0)
        yield path, node, in_list
        for field, value in ast.iter_fields(node):
            if field == "func":                  # the callee stays: only arguments are edited
                continue
            if isinstance(value, list):
                for i, child in enumerate(value):
                    if isinstance(child, ast.AST):
                        queue.append((path + [(field, i)], child, isinstance(child, ast.stmt)))
            elif isinstance(value, ast.AST):
                queue.append((path + [(field, None)], value, False))


def _put(tree, path, replacement):
    """Replace the node at path: a statement by a list of statements, an expression by one."""
    parent = tree
    for field, index in path[:-1]:
        parent = getattr(parent, field) if index is None else getattr(parent, field)[index]
    field, index = path[-1]
    if index is None:
        setattr(parent, field, replacement)
        return
    items = getattr(parent, field)
    if isinstance(replacement, list):
        items[index:index + 1] = replacement
    else:
        items[index] = replacement
    if not items and field == "body":
        items.append(ast.Pass())


def _edits(node, in_list, helpers, params):
    """Replacements for one node: lists of statements for a statement, nodes for an expression."""
    if in_list:
        if isinstance(node, (ast.Import, ast.ImportFrom)) or getattr(node, "name", None) == "f":
            return
        yield []                                              # delete it
        if isinstance(node, ast.If):
            yield node.body
            if node.orelse:
                yield node.orelse
        elif isinstance(node, ast.For):
            first = _first_item(node)
            yield ([ast.Assign([node.target], first)] if first is not None else []) + node.body
        elif isinstance(node, ast.While):
            yield node.body
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Tuple) and \
                isinstance(node.value, ast.Tuple) and len(node.targets[0].elts) == len(node.value.elts):
            yield [ast.Assign([t], v) for t, v in zip(node.targets[0].elts, node.value.elts)]
        return
    if not isinstance(node, ast.expr) or isinstance(getattr(node, "ctx", None), (ast.Store, ast.Del)):
        return
    if isinstance(node, ast.Call):
        yield from _inlined(node, helpers)
        if isinstance(node.func, ast.Name) and node.func.id == "range":
            yield from _shorter_range(node)
    for child in _operands(node):
        yield child
    if not (isinstance(node, ast.Constant) or isinstance(node, ast.Name) and node.id in params):
        yield ast.Constant(0.5)
        for name in params:
            yield ast.Name(name, ast.Load())


def _operands(node):
    """The subexpressions that could stand for the whole (the function of a call excluded)."""
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.Call):
        return [a for a in node.args if not isinstance(a, ast.Starred)]
    if isinstance(node, (ast.Subscript,)):
        return [node.value]
    if isinstance(node, ast.BoolOp):
        return list(node.values)
    if isinstance(node, (ast.Tuple, ast.List)):
        return list(node.elts)
    return []


def _first_item(loop):
    """The first value a for loop's target takes, when it is easy to say (range, a plain name)."""
    it = loop.iter
    if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "range":
        return it.args[0] if len(it.args) > 1 else ast.Constant(0)
    if isinstance(it, (ast.Name, ast.List)):
        return ast.Subscript(it, ast.Constant(0), ast.Load())
    return None


def _shorter_range(call):
    stop = call.args[-1]
    if isinstance(stop, ast.Constant) and isinstance(stop.value, int):
        low = call.args[0].value + 1 if len(call.args) > 1 and isinstance(call.args[0], ast.Constant) else 1
        for n in sorted({low, stop.value - 1}):
            if low <= n < stop.value:
                yield ast.Call(call.func, call.args[:-1] + [ast.Constant(n)], [])


def _inlined(call, helpers):
    """A call of a helper whose body is one `return E`, replaced by E with the arguments put in."""
    if not isinstance(call.func, ast.Name) or call.func.id not in helpers or call.keywords:
        return []
    helper = helpers[call.func.id]
    if len(helper.body) != 1 or not isinstance(helper.body[0], ast.Return) or helper.body[0].value is None:
        return []
    names = [a.arg for a in helper.args.args]
    if len(names) != len(call.args):
        return []
    return [_substitute(copy.deepcopy(helper.body[0].value), dict(zip(names, call.args)))]
