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
    tree.body = _lower_block(tree.body, copies)
    return copies


def _make_copy(target, source, like, copies):
    stmt = ir.assign(target, ir.name(source), like)
    copies.add(stmt)
    return stmt


def _lower_block(block, copies):
    out = []
    for stmt in block:
        if ir.is_phi(stmt):
            continue
        if isinstance(stmt, gast.If):
            stmt.body = _lower_block(stmt.body, copies)
            stmt.orelse = _lower_block(stmt.orelse, copies)
            out.append(stmt)
            continue
        if isinstance(stmt, (gast.For, gast.While)):
            n_header = next((i for i, s in enumerate(stmt.body) if not ir.is_phi(s)), len(stmt.body))
            phis = stmt.body[:n_header]
            breaks = list(loop_breaks(stmt.body))
            stmt.body = _lower_block(stmt.body[n_header:], copies)
            for phi in phis:
                target, (entry, _, *at_breaks) = ir.target_name(phi), ir.phi_args(phi)
                if entry is not None and entry != target:
                    out.append(_make_copy(target, entry, stmt, copies))
                for brk, source in zip(breaks, at_breaks):
                    if source is not None and source != target:
                        _insert_before(stmt.body, brk, _make_copy(target, source, brk, copies))
            tail = [_make_copy(ir.target_name(p), ir.phi_args(p)[1], stmt, copies) for p in phis
                    if ir.phi_args(p)[1] not in (None, ir.target_name(p))]
            _append_fallthrough(stmt.body, tail, copies)
            out.append(stmt)
            continue
        out.append(stmt)
    # phis after an `if` become copies at the end of each branch
    for stmt, phis in _if_phis(block):
        then_copies = [_make_copy(ir.target_name(p), ir.phi_args(p)[0], stmt, copies)
                       for p in phis if ir.phi_args(p)[0] is not None]
        else_copies = [_make_copy(ir.target_name(p), ir.phi_args(p)[1], stmt, copies)
                       for p in phis if ir.phi_args(p)[1] is not None]
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
    if block and isinstance(block[-1], (gast.Break, gast.Return)):
        return
    if block and isinstance(block[-1], gast.If) and ir.exits([block[-1]]):
        dup = [_make_copy(ir.target_name(s), s.value.id, s, copies) for s in stmts]
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
