"""A-normal form: one operation per statement, every operand a name or a constant."""
import gast

from . import ir
from .writes import is_write_call, store_kind

INACTIVE_ROOTS = (gast.Compare, gast.BoolOp, gast.JoinedStr)


class _ANF:
    def __init__(self, namer, locals_):
        self.namer = namer
        self.locals = locals_

    # statements -----------------------------------------------------------
    def block(self, stmts):
        out = []
        for stmt in stmts:
            out += self.stmt(stmt)
        return out

    def stmt(self, node):
        saved, self.pre = getattr(self, "pre", []), []
        handler = getattr(self, "stmt_" + type(node).__name__, None)
        result = handler(node) if handler else [node]
        pre, self.pre = self.pre, saved
        return pre + result

    def stmt_Assign(self, node):
        target, value = node.targets[0], node.value
        if isinstance(target, gast.Name):
            stmt = ir.assign(target.id, self.operation(value, node), node)
            stmt.in_place = getattr(node, "in_place", False)
            return [stmt]
        return self.unpack(target, value, node)

    def unpack(self, target, value, like):
        """a, b = e  ->  one assignment per element (a swap `a, b = b, a` reads before it writes)."""
        if isinstance(target, gast.Name):
            return [ir.assign(target.id, self.operation(value, like), like)]
        if isinstance(value, (gast.Tuple, gast.List)) and len(value.elts) == len(target.elts):
            parts = [self.atom(v, like) for v in value.elts]
            parts = [self.snapshot(p, like) if isinstance(p, gast.Name) and _binds(target, p.id) else p
                     for p in parts]
        else:
            whole = self.atom(value, like)
            parts = [gast.Subscript(ir.clone(whole), ir.const(k), gast.Load()) for k in range(len(target.elts))]
        out = []
        for elt, part in zip(target.elts, parts):
            saved, self.pre = self.pre, []
            assigned = self.unpack(elt, part, like)
            out += self.pre + assigned
            self.pre = saved
        return out

    def snapshot(self, atom, like):
        t = self.namer.temp()
        self.pre.append(ir.assign(t, atom, like))
        return ir.name(t)

    def stmt_Expr(self, node):
        if isinstance(node.value, gast.Constant):
            return []                                   # docstrings and bare constants
        if isinstance(node.value, gast.Call):
            return [ir.at(gast.Expr(self.call(node.value, node)), node)]
        return []

    def stmt_If(self, node):
        node.test = self.condition(node.test, node)
        node.body, node.orelse = self.block(node.body), self.block(node.orelse)
        return [node]

    def stmt_For(self, node):
        node.iter = gast.Call(node.iter.func, [self.atom(a, node) for a in node.iter.args], [])
        node.body = self.block(node.body)
        return [node]

    def stmt_While(self, node):
        node.body = self.block(node.body)     # the test stays whole: it carries no derivative
        return [node]

    def stmt_Return(self, node):
        node.value = self.atom(node.value, node) if node.value is not None else ir.const(None)
        return [node]

    def stmt_Pass(self, node):
        return []

    # expressions ----------------------------------------------------------
    def condition(self, test, like):
        if isinstance(test, gast.Name):
            return test
        cond = self.namer.temporary("cond")
        if not isinstance(test, (gast.Compare, gast.BoolOp, gast.UnaryOp)):      # `if isinstance(xs[0], list):`
            test = self.operation(test, like)
        self.pre.append(ir.assign(cond, test, like))
        return ir.name(cond)

    def atom(self, node, like):
        if isinstance(node, gast.Constant) or isinstance(node, gast.Name):
            return node
        if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub) \
                and isinstance(node.operand, gast.Constant) and isinstance(node.operand.value, (int, float)):
            return ir.const(-node.operand.value)
        t = self.namer.temp()
        self.pre.append(ir.assign(t, self.operation(node, like), like))
        return ir.name(t)

    def operation(self, node, like):
        """node with every operand made atomic; control-flow expressions become statements."""
        if isinstance(node, (gast.Name, gast.Constant)) or isinstance(node, INACTIVE_ROOTS[:1]):
            return node
        if isinstance(node, gast.BinOp):
            return gast.BinOp(self.atom(node.left, like), node.op, self.atom(node.right, like))
        if isinstance(node, gast.UnaryOp):
            if isinstance(node.op, gast.Not):
                return node
            if isinstance(node.op, gast.USub) and isinstance(node.operand, gast.Constant) \
                    and isinstance(node.operand.value, (int, float)):
                return ir.const(-node.operand.value)
            return gast.UnaryOp(node.op, self.atom(node.operand, like))
        if isinstance(node, gast.Call):
            return self.call(node, like)
        if isinstance(node, gast.Attribute):
            if self.is_static(node):
                return node
            return gast.Attribute(self.atom(node.value, like), node.attr, gast.Load())
        if isinstance(node, gast.Subscript):
            new = gast.Subscript(self.atom(node.value, like), self.index(node.slice, like), gast.Load())
            new.loop_item = getattr(node, "loop_item", False)
            return new
        if isinstance(node, (gast.Tuple, gast.List)):
            return type(node)([self.atom(e, like) for e in node.elts], gast.Load())
        if isinstance(node, gast.IfExp):
            return ir.name(self.branch(node.test, node.body, node.orelse, like))
        if isinstance(node, gast.BoolOp):
            return self.boolop(node, like)
        if isinstance(node, gast.Dict):
            return gast.Dict([k if k is None else self.atom(k, like) for k in node.keys],
                             [self.atom(v, like) for v in node.values])
        return node                                    # f-strings and other inactive leaves

    def boolop(self, node, like):
        """`a and b` -> `b if a else a`; `a or b` -> `a if a else b` (left to right, short-circuit)."""
        left = self.atom(node.values[0], like)
        for right in node.values[1:]:
            if isinstance(node.op, gast.And):            # (the left atom stands twice: two nodes)
                left = ir.name(self.branch(left, right, ir.clone(left), like))
            else:
                left = ir.name(self.branch(left, ir.clone(left), right, like))
        return left

    def branch(self, test, then, orelse, like):
        """Statements computing `then if test else orelse`; returns the name holding the value."""
        cond = self.condition(test, like)
        result = self.namer.temp()
        arms = []
        for expr in (then, orelse):
            saved, self.pre = self.pre, []
            value = self.operation(expr, like)
            arms.append(self.pre + [ir.assign(result, value, like)])
            self.pre = saved
        self.pre.append(ir.at(gast.If(cond, arms[0], arms[1]), like))
        return result

    def call(self, node, like):
        if is_write_call(node):         # `rt.write(y[index], v)`: the slot stays a subscript (or `obj.h`)
            slot, value = node.args
            slot = gast.Attribute(slot.value, slot.attr, gast.Load()) if isinstance(slot, gast.Attribute) else \
                gast.Subscript(slot.value, self.index(slot.slice, like), gast.Load())
            new = gast.Call(node.func, [slot, self.atom(value, like)], [])
            new.store = node.store
            return new
        if store_kind(node):             # `rt.append(xs, v)`, `rt.insert(xs, i, v)`, ...: keeps its mark
            new = gast.Call(node.func, [self.atom(a, like) for a in node.args], [])
            new.store = node.store
            return new
        func = node.func
        if not self.is_static(func):
            if isinstance(func, gast.Attribute):
                func = gast.Attribute(self.atom(func.value, like), func.attr, gast.Load())
            else:
                func = self.atom(func, like)
        args = [self.atom(a, like) for a in node.args]
        keywords = [gast.keyword(k.arg, self.atom(k.value, like)) for k in node.keywords]
        return gast.Call(func, args, keywords)

    def index(self, node, like):
        if isinstance(node, gast.Slice):
            return gast.Slice(*(None if part is None else self.atom(part, like)
                                for part in (node.lower, node.upper, node.step)))
        if isinstance(node, gast.Tuple):
            return gast.Tuple([self.index(e, like) for e in node.elts], gast.Load())
        return self.atom(node, like)

    def is_static(self, node):
        """A name or attribute chain rooted at a global (np.linalg.norm): known at compile time."""
        while isinstance(node, gast.Attribute):
            node = node.value
        return isinstance(node, gast.Name) and node.id not in self.locals


def _binds(target, name_):
    return any(isinstance(n, gast.Name) and n.id == name_ for n in ir.walk(target))


def local_names(tree):
    """Parameters and every name the body assigns."""
    names = {a.id for a in tree.args.args}
    for node in ir.walk(tree):
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
            names.add(node.id)
    return names


def to_anf(tree, namer, parsed):
    """Afterwards each statement performs one operation on names and constants; if tests are names.
    A local array namespace is as static as a module (`xp.linalg.outer` stays one chain)."""
    tree.body = _ANF(namer, local_names(tree) - parsed.namespaces).block(tree.body)
    return tree
