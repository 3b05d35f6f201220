"""Control-flow exits: returns in loops become flags, code after an exit moves into `else`."""

import gast

from . import ir


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
                first_return = next((n for n in gast.walk(stmt) if isinstance(n, gast.Return)), stmt)
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
    return any(isinstance(n, gast.Return) for n in gast.walk(loop))


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
    returns = [n for n in gast.walk(tree) if isinstance(n, gast.Return)]
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
