"""Comprehensions become the loops they stand for, before the statement that reads them.

    ys = [f(v) for v in xs if v > 0]     ->     t1 = []
                                                for v_1 in xs:
                                                    if v_1 > 0:
                                                        t1.append(f(v_1))
                                                ys = t1

A generator expression passed to a call (`sum(v * v for v in xs)`) is built as a list the same way,
and a dict comprehension with stores (`t1[k] = v`). The comprehension's own variables get fresh names,
as Python gives them a scope of their own. The appends and stores are then lowered by the `writes` pass
like any others, so a comprehension is differentiated as the loop is.
"""
import gast

from . import ir

BUILT = (gast.ListComp, gast.GeneratorExp, gast.DictComp)     # (the fence says where they may stand)


class _Comprehensions:
    def __init__(self, namer):
        self.namer = namer

    def block(self, stmts):
        out = []
        for stmt in stmts:
            for field in ("body", "orelse"):
                if isinstance(getattr(stmt, field, None), list):
                    setattr(stmt, field, self.block(getattr(stmt, field)))
            header = [stmt] if not isinstance(stmt, (gast.If, gast.For, gast.While)) else \
                [stmt.test] if isinstance(stmt, gast.If) else [stmt.iter] if isinstance(stmt, gast.For) else []
            before = []
            for node in header:
                before += self.hoist(node, stmt)
            out += before + [stmt]
        return out

    def hoist(self, node, stmt):
        """Statements building each comprehension in node (outermost first), which is replaced by the
        name holding the result."""
        out = []
        for parent in list(_outside_comprehensions(node)):
            for field, child in gast.iter_fields(parent):
                if isinstance(child, BUILT):
                    name, built = self.build(child, stmt)
                    setattr(parent, field, ir.name(name))
                    out += built
                elif isinstance(child, list):
                    for k, item in enumerate(child):
                        if isinstance(item, BUILT):
                            name, built = self.build(item, stmt)
                            child[k] = ir.name(name)
                            out += built
        return out

    def build(self, comp, stmt):
        """(name, statements): the loops filling a fresh list (or dict) named name."""
        result = self.namer.temporary("items" if not isinstance(comp, gast.DictComp) else "entries")
        renames = {}
        for generator in comp.generators:
            for target in ir.walk(generator.target):
                if isinstance(target, gast.Name):
                    renames[target.id] = self.namer.fresh(target.id)
        for k, generator in enumerate(comp.generators):     # (the first iterable is read outside)
            for node in [generator.target, *generator.ifs] + comp.generators[k + 1:]:
                _rename(node, renames)
        for node in ([comp.key, comp.value] if isinstance(comp, gast.DictComp) else [comp.elt]):
            _rename(node, renames)
        if isinstance(comp, gast.DictComp):
            store = gast.Subscript(ir.name(result), comp.key, gast.Store())
            innermost = [ir.at(gast.Assign([store], comp.value, None), stmt)]
        else:
            append = gast.Call(gast.Attribute(ir.name(result), "append", gast.Load()), [comp.elt], [])
            innermost = [ir.at(gast.Expr(append), stmt)]
        body = innermost
        for generator in reversed(comp.generators):
            for test in reversed(generator.ifs):
                body = [ir.at(gast.If(test, body, []), stmt)]
            body = [ir.at(gast.For(generator.target, generator.iter, body, [], None), stmt)]
        start = gast.Dict([], []) if isinstance(comp, gast.DictComp) else gast.List([], gast.Load())
        # the loops may hold comprehensions of their own
        return result, self.block([ir.assign(result, start, stmt)] + body)


def _outside_comprehensions(node):
    """The nodes under node, not descending into comprehensions (their insides are built with them)."""
    yield node
    for child in gast.iter_child_nodes(node):
        if not isinstance(child, BUILT):
            yield from _outside_comprehensions(child)


def _rename(node, renames):
    for sub in ir.walk(node):
        if isinstance(sub, gast.Name) and sub.id in renames:
            sub.id = renames[sub.id]


def lower_comprehensions(tree, namer):
    """Afterwards no list or dict comprehension or generator expression is left: each is the loop
    that builds it."""
    tree.body = _Comprehensions(namer).block(tree.body)
    return tree
