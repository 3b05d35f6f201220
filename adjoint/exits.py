"""Control-flow exits: a loop's `else` and returns in loops become flags, code after an exit moves into `else`."""

import gast

from . import ir


def lower_loop_else(tree, namer):
    """Afterwards no loop has an `else`: it runs after the loop, under `if not broke:` when the loop
    has a `break` of its own (which sets `broke = True` first), as Python runs it only when the loop
    ends without one."""
    tree.body = _without_loop_else(tree.body, namer)
    return tree


def _without_loop_else(block, namer):
    out = []
    for stmt in block:
        for field in ("body", "orelse"):
            if isinstance(getattr(stmt, field, None), list):
                setattr(stmt, field, _without_loop_else(getattr(stmt, field), namer))
        if not (isinstance(stmt, (gast.For, gast.While)) and stmt.orelse):
            out.append(stmt)
            continue
        orelse, stmt.orelse = stmt.orelse, []
        if not _own_breaks(stmt.body):
            out += [stmt] + orelse
            continue
        broke = namer.fresh("broke")
        for body in _blocks_with_own_breaks(stmt.body):
            at = next(k for k, s in enumerate(body) if isinstance(s, gast.Break))
            body.insert(at, ir.assign(broke, ir.const(True), body[at]))
        not_broke = ir.at(gast.UnaryOp(gast.Not(), ir.name(broke)), stmt)
        out += [ir.assign(broke, ir.const(False), stmt), stmt, ir.at(gast.If(not_broke, orelse, []), orelse[0])]
    return out


def _blocks_with_own_breaks(block):
    """The blocks inside a loop body holding a `break` of that loop (not of a loop nested in it)."""
    if any(isinstance(s, gast.Break) for s in block):
        yield block
    for stmt in block:
        if isinstance(stmt, gast.If):
            yield from _blocks_with_own_breaks(stmt.body)
            yield from _blocks_with_own_breaks(stmt.orelse)


def _own_breaks(block):
    return any(True for _ in _blocks_with_own_breaks(block))


def lower_returns_in_loops(tree, namer):
    """Afterwards no `return` stands inside a loop: it sets `result`, a flag, and breaks."""
    if not any(_returns_inside(loop) for loop in _loops(tree.body)):
        return tree
    result, flag = namer.fresh("result"), namer.fresh("returned")

    def rewrite(block, depth):
        out = []
        for stmt in block:
            if isinstance(stmt, gast.Return) and depth > 0:
                value = stmt.value or ir.const(None)
                out += [ir.assign(result, value, stmt), ir.assign(flag, ir.const(True), stmt),
                        ir.at(gast.Break(), stmt)]
                continue
            if isinstance(stmt, gast.If):
                stmt.body, stmt.orelse = rewrite(stmt.body, depth), rewrite(stmt.orelse, depth)
            elif isinstance(stmt, (gast.For, gast.While)):
                had_return = _returns_inside(stmt)
                first_return = next((n for n in ir.walk(stmt) if isinstance(n, gast.Return)), stmt)
                stmt.body = rewrite(stmt.body, depth + 1)
                out.append(stmt)
                if had_return:
                    leave = gast.Break() if depth > 0 else gast.Return(ir.name(result))
                    out.append(ir.at(gast.If(ir.name(flag), [ir.at(leave, stmt)], []), first_return))
                continue
            out.append(stmt)
        return out

    tree.body = [ir.assign(flag, ir.const(False), tree.body[0])] + rewrite(tree.body, 0)
    return tree


def _loops(block):
    for stmt in block:
        if isinstance(stmt, (gast.For, gast.While)):
            yield stmt
        elif isinstance(stmt, gast.If):
            yield from _loops(stmt.body)
            yield from _loops(stmt.orelse)


def _returns_inside(loop):
    return any(isinstance(n, gast.Return) for n in ir.walk(loop))


def absorb_exits(tree, namer):
    """Afterwards an exit (break, return) or a `raise` ends its block, whatever followed an exiting `if`
    sits in its fall-through branches, and no `continue` is left. An `if` whose branch raises is no
    exit: what follows it stays after it, where only the other branch arrives."""
    tree.body = _absorb(tree.body)
    return tree


def _absorb(block):
    out = []
    for i, stmt in enumerate(block):
        if isinstance(stmt, gast.Continue):
            return out            # after absorption a continue always ends the iteration
        if isinstance(stmt, (gast.Break, gast.Return, gast.Raise)):
            return out + [stmt]   # anything after it is dead
        if isinstance(stmt, (gast.For, gast.While)):
            stmt.body = _absorb(stmt.body)
        if isinstance(stmt, gast.If):
            rest = block[i + 1:]
            if rest and ir.exits([stmt]):
                stmt.body = _absorb(stmt.body + ir.clone(rest)) if ir.falls_through(stmt.body) \
                    else _absorb(stmt.body)
                stmt.orelse = _absorb(stmt.orelse + rest) if ir.falls_through(stmt.orelse) \
                    else _absorb(stmt.orelse)
                return out + [stmt]
            stmt.body, stmt.orelse = _absorb(stmt.body), _absorb(stmt.orelse)
        out.append(stmt)
    return out


def single_exit(tree, namer):
    """Afterwards the function has exactly one `return`, its last statement, returning a name or constant."""
    returns = [n for n in ir.walk(tree) if isinstance(n, gast.Return)]
    if len(returns) == 1 and tree.body and tree.body[-1] is returns[0]:
        return tree
    if not returns:
        tree.body.append(ir.at(gast.Return(ir.const(None)), tree.body[-1] if tree.body else tree))
        return tree
    result = next((r.value.id for r in returns if isinstance(r.value, gast.Name)
                   and r.value.id.startswith("result")), None) or namer.fresh("result")

    def rewrite(block):
        out = []
        for stmt in block:
            if isinstance(stmt, gast.Return):
                value = stmt.value or ir.const(None)
                if not (isinstance(value, gast.Name) and value.id == result):
                    out.append(ir.assign(result, value, stmt))
            elif isinstance(stmt, gast.If):
                stmt.body, stmt.orelse = rewrite(stmt.body), rewrite(stmt.orelse)
                out.append(stmt)
            else:
                out.append(stmt)
        return out

    tree.body = rewrite(tree.body) + [ir.at(gast.Return(ir.name(result)), returns[-1])]
    return tree
