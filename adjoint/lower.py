"""Out of SSA: phi definitions become copies on the edges that reach them."""
import gast

from . import ir
from .ssa import loop_breaks


class StatementSet:
    """Statements by identity; holding them keeps their ids from being reused."""

    def __init__(self):
        self._items = {}

    def add(self, stmt):
        self._items[id(stmt)] = stmt

    def __contains__(self, stmt):
        return self._items.get(id(stmt)) is stmt


def lower_phis(tree):
    """Afterwards no phi remains; returns the StatementSet of copies that replaced them."""
    copies = StatementSet()
    copied = {a for s in ir.statements(tree.body) if ir.is_phi(s) for a in ir.phi_args(s) if a}
    tree.body = _lower_block(tree.body, copies, copied)
    return copies


def _make_copy(target, source, like, copies, copied=()):
    """`target = source` on an edge into a phi; an edge on which the variable is unset gives
    `target = None` where another copy reads target (a copy must never read an unbound name)."""
    if source is None:
        if target not in copied:
            return None
        stmt = ir.assign(target, ir.const(None), like)
    else:
        stmt = ir.assign(target, ir.name(source), like)
    copies.add(stmt)
    return stmt


def _lower_block(block, copies, copied):
    out = []

    def edge(target, source, like):
        return [] if source == target else [c for c in [_make_copy(target, source, like, copies, copied)] if c]

    for stmt in block:
        if ir.is_phi(stmt):
            continue
        if isinstance(stmt, gast.If):
            stmt.body = _lower_block(stmt.body, copies, copied)
            stmt.orelse = _lower_block(stmt.orelse, copies, copied)
            out.append(stmt)
            continue
        if isinstance(stmt, (gast.For, gast.While)):
            n_header = next((i for i, s in enumerate(stmt.body) if not ir.is_phi(s)), len(stmt.body))
            phis = stmt.body[:n_header]
            breaks = list(loop_breaks(stmt.body))
            stmt.body = _lower_block(stmt.body[n_header:], copies, copied)
            for phi in phis:
                target, (entry, _, *at_breaks) = ir.target_name(phi), ir.phi_args(phi)
                out += edge(target, entry, stmt)
                for brk, source in zip(breaks, at_breaks):
                    for copy in edge(target, source, brk):
                        _insert_before(stmt.body, brk, copy)
            tail = [c for p in phis for c in edge(ir.target_name(p), ir.phi_args(p)[1], stmt)]
            _append_fallthrough(stmt.body, tail, copies)
            out.append(stmt)
            continue
        out.append(stmt)
    # phis after an `if` become copies at the end of each branch
    for stmt, phis in _if_phis(block):
        then_copies = [c for p in phis for c in edge(ir.target_name(p), ir.phi_args(p)[0], stmt)]
        else_copies = [c for p in phis for c in edge(ir.target_name(p), ir.phi_args(p)[1], stmt)]
        _append_fallthrough(stmt.body, then_copies, copies)
        _append_fallthrough(stmt.orelse, else_copies, copies)
    return out


def _if_phis(block):
    for i, stmt in enumerate(block):
        if isinstance(stmt, gast.If):
            phis = []
            for nxt in block[i + 1:]:
                if not ir.is_phi(nxt):
                    break
                phis.append(nxt)
            if phis:
                yield stmt, phis


def _append_fallthrough(block, stmts, copies):
    """Append stmts where control falls off the end of block (inside a final exiting `if`, if any)."""
    if not stmts:
        return
    if block and isinstance(block[-1], (gast.Break, gast.Return, gast.Raise)):
        return
    if block and isinstance(block[-1], gast.If) and ir.exits([block[-1]]):
        dup = [ir.clone(s) for s in stmts]
        for copy in dup:
            copies.add(copy)
        _append_fallthrough(block[-1].body, dup, copies)
        _append_fallthrough(block[-1].orelse, stmts, copies)
        return
    block.extend(stmts)


def _insert_before(block, brk, stmt):
    for i, s in enumerate(block):
        if s is brk:
            block.insert(i, stmt)
            return True
        if isinstance(s, gast.If) and (_insert_before(s.body, brk, stmt) or _insert_before(s.orelse, brk, stmt)):
            return True
    return False
