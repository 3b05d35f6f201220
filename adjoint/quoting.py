"""Build code from code: parse small Python templates and substitute names.

This module and `ir` are the only places that construct gast nodes by hand.
"""
import functools
import textwrap

import gast

from . import ir


@functools.lru_cache(maxsize=None)
def _parse(src):
    return gast.parse(textwrap.dedent(src)).body


def quote(src, **subs):
    """Statements of `src` with each Name in `subs` replaced (str -> name, node -> copy of node)."""
    body = ir.clone(_parse(src))
    return [_Substitute(subs).visit(stmt) for stmt in body]


def quote_expr(src, **subs):
    """The expression `src` with names substituted."""
    (stmt,) = quote(src, **subs)
    return stmt.value


class _Substitute(ir.Transformer):
    def __init__(self, subs):
        self.subs = subs

    def visit_Name(self, node):
        if node.id not in self.subs:
            return node
        new = self.subs[node.id]
        if isinstance(new, str):
            return gast.Name(new, node.ctx, None, None)
        new = ir.clone(new)
        if isinstance(new, gast.Name):
            new.ctx = node.ctx
        return new
