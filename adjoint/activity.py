"""Activity analysis: which SSA names carry derivatives from the `wrt` inputs to the output."""
import gast

from . import ir, rules



def carries_derivative(value, parsed):
    """Whether an assignment's value can depend differentiably on its operands."""
    if isinstance(value, (gast.Compare, gast.BoolOp, gast.JoinedStr, gast.Constant)):
        return False
    if isinstance(value, gast.UnaryOp) and isinstance(value.op, (gast.Not, gast.Invert)):
        return False
    if isinstance(value, gast.BinOp) and rules.is_constant(type(value.op)):
        return False
    if isinstance(value, gast.Attribute):
        return value.attr not in rules.CONSTANT_ATTRIBUTES
    if isinstance(value, gast.Call):
        func = value.func
        target = parsed.resolve(func)
        if target is not None and rules.is_constant(target):
            return False
        if isinstance(func, gast.Attribute) and target is None and func.attr in rules.CONSTANT_METHODS:
            return False
    return True


def activity(tree, parsed, wrt, output=None):
    """The set of names that depend on a `wrt` parameter and reach the returned value (or `output`)."""
    defs = {}                               # name -> (statement value or None, names read)
    for stmt in ir.statements(tree.body):
        if isinstance(stmt, gast.Assign):
            name = ir.target_name(stmt)
            reads = ir.phi_args(stmt) if ir.is_phi(stmt) else ir.names_read(stmt.value)
            reads = [r for r in reads if r]
            if ir.is_phi(stmt) or carries_derivative(stmt.value, parsed):
                defs[name] = reads
            else:
                defs[name] = []
    pushes = ir.bound_methods(tree.body, "append")      # `push(x)`, push = stack.append: stack holds x
    for stmt in ir.statements(tree.body):
        if isinstance(stmt, gast.Expr) and ir.calls(stmt.value, pushes) and pushes[stmt.value.func.id] in defs:
            stack = pushes[stmt.value.func.id]
            defs[stack] = defs[stack] + [r for a in stmt.value.args for r in ir.names_read(a)]
    varied = set(wrt)
    changed = True
    while changed:
        changed = False
        for name, reads in defs.items():
            if name not in varied and any(r in varied for r in reads):
                varied.add(name)
                changed = True
    returned = [output] if output else \
        [s.value.id for s in tree.body if isinstance(s, gast.Return) and isinstance(s.value, gast.Name)]
    useful = set(r for r in returned if r in varied)
    work = list(useful)
    while work:
        name = work.pop()
        for r in defs.get(name, []):
            if r in varied and r not in useful:
                useful.add(r)
                work.append(r)
    return useful
