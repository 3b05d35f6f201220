"""Static single assignment over the structured tree.

Every assignment defines a fresh name (`x`, `x_1`, ...). The join after an `if` gets
`x_3 = __phi__(x_1, x_2)` right after the statement (then-value, else-value); a loop gets header phis
as the first statements of its body, `s_1 = __phi__(entry, end, break_1, break_2, ...)`: the value on
entry, at the fall-through end of an iteration and at each `break` in preorder (see `loop_breaks`).
"""
import gast

from . import ir


def loop_breaks(body):
    """The `break` statements that leave this loop, in preorder (nested loops excluded)."""
    for stmt in body:
        if isinstance(stmt, gast.Break):
            yield stmt
        elif isinstance(stmt, gast.If):
            yield from loop_breaks(stmt.body)
            yield from loop_breaks(stmt.orelse)


class _Renamer:
    def __init__(self, namer, params):
        self.namer = namer
        self.defined = set(params)
        self.base = {p: p for p in params}     # SSA name -> the user's variable
        self.exits = []            # per enclosing loop: list of environments at its breaks

    def new(self, var):
        version = var if var not in self.defined else self.namer.fresh(var)
        self.defined.add(version)
        self.base[version] = var
        return version

    def uses(self, node, env):
        for sub in ir.walk(node):
            if isinstance(sub, gast.Name) and isinstance(sub.ctx, gast.Load) and sub.id in env:
                sub.id = env[sub.id]

    def block(self, stmts, env):
        """Rename stmts in place; returns (new statements, environment at the end or None)."""
        out = []
        for stmt in stmts:
            if env is None:
                break
            env = getattr(self, "stmt_" + type(stmt).__name__, self.stmt_other)(stmt, env, out)
        return out, env

    def stmt_Assign(self, stmt, env, out):
        self.uses(stmt.value, env)
        var = ir.target_name(stmt)
        env = dict(env)
        env[var] = stmt.targets[0].id = self.new(var)
        out.append(stmt)
        return env

    def stmt_other(self, stmt, env, out):
        self.uses(stmt, env)
        out.append(stmt)
        return env

    def stmt_Break(self, stmt, env, out):
        self.exits[-1].append(env)
        out.append(stmt)
        return None

    def stmt_Raise(self, stmt, env, out):
        """A raise reads its operands and ends the path: no join after it sees its values."""
        self.uses(stmt, env)
        out.append(stmt)
        return None

    def stmt_If(self, stmt, env, out):
        self.uses(stmt.test, env)
        stmt.body, then_env = self.block(stmt.body, dict(env))
        stmt.orelse, else_env = self.block(stmt.orelse, dict(env))
        out.append(stmt)
        if then_env is None or else_env is None:
            return then_env if else_env is None else else_env
        joined = dict(env)
        for var in sorted(set(then_env) | set(else_env)):
            a, b = then_env.get(var), else_env.get(var)
            if a == b:
                joined[var] = a
            else:
                joined[var] = self.new(var)
                out.append(ir.phi(joined[var], [a, b], stmt))
        return joined

    def stmt_For(self, stmt, env, out):
        return self.loop(stmt, env, out, target=stmt.target)

    def stmt_While(self, stmt, env, out):
        return self.loop(stmt, env, out, target=None)

    def loop(self, stmt, env, out, target):
        if target is None:
            pass
        else:
            self.uses(stmt.iter, env)
        carried = sorted({n.id for s in stmt.body for n in ir.walk(s)
                          if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)})
        body_env = dict(env)
        if target is not None:
            body_env[target.id] = target.id = self.new(target.id)
        headers = {}
        for var in carried:
            if target is not None and var == target.id:
                continue
            headers[var] = body_env[var] = self.new(var)
        if target is None:
            self.uses(stmt.test, body_env)
        self.exits.append([])
        body, end_env = self.block(stmt.body, dict(body_env))
        breaks = self.exits.pop()
        phis = []
        for var, header in headers.items():
            args = [env.get(var), end_env.get(var) if end_env else None]
            args += [brk.get(var) for brk in breaks]
            phis.append(ir.phi(header, args, stmt))
        stmt.body = phis + body
        out.append(stmt)
        after = dict(env)
        after.update(headers)
        if target is not None:
            after[target.id] = target.id
        return after


def to_ssa(tree, namer):
    """Afterwards every name is assigned by exactly one statement; joins are `__phi__` definitions."""
    params = [a.id for a in tree.args.args]
    renamer = _Renamer(namer, params)
    tree.body, end = renamer.block(tree.body, {p: p for p in params})
    if end is None and not isinstance(tree.body[-1], gast.Return):    # every path raises
        tree.body.append(ir.at(gast.Return(ir.const(None)), tree.body[-1]))
    prune_phis(tree)
    return compact_versions(tree, renamer.base, namer)


def compact_versions(tree, base, namer):
    """Renumber surviving versions of each variable densely in order of definition (x, x_1, x_2)."""
    order = [a.id for a in tree.args.args]
    for stmt in ir.statements(tree.body):
        if isinstance(stmt, gast.Assign):
            order.append(ir.target_name(stmt))
        elif isinstance(stmt, gast.For):
            order.append(stmt.target.id)
    taken = set(namer.taken) - set(base)
    rename, count = {}, {}
    for version in order:
        if version in rename:
            continue
        var = base.get(version, version)
        k = count.get(var, 0)
        while True:
            candidate = var if k == 0 else f"{var}_{k}"
            k += 1
            if candidate not in taken:
                break
        count[var] = k
        rename[version] = candidate
        taken.add(candidate)
    for node in ir.walk(tree):
        if isinstance(node, gast.Name) and node.id in rename:
            node.id = rename[node.id]
    namer.taken |= taken
    namer.origin.update((new, base.get(version, version)) for version, new in rename.items())
    return tree


def prune_phis(tree):
    """Delete phi definitions whose value no ordinary statement can observe (pruned SSA)."""
    phis = {}
    roots = set()
    for node in ir.walk(tree):
        if ir.is_phi(node):
            phis[ir.target_name(node)] = ir.phi_args(node)
        elif isinstance(node, (gast.stmt, gast.expr)) and not isinstance(node, gast.Assign):
            continue
    for stmt in ir.statements(tree.body):
        if not ir.is_phi(stmt):
            roots.update(ir.names_read(ir.header(stmt)))
    live, work = set(), [r for r in roots if r in phis]
    while work:
        var = work.pop()
        if var not in live:
            live.add(var)
            work += [a for a in phis[var] if a in phis]
    _filter_blocks(tree, lambda s: not ir.is_phi(s) or ir.target_name(s) in live)
    return tree



def _filter_blocks(node, keep):
    for field in ("body", "orelse"):
        block = getattr(node, field, None)
        if isinstance(block, list):
            block[:] = [s for s in block if keep(s)]
            for s in block:
                _filter_blocks(s, keep)
