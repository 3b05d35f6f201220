"""Cleanup passes over a generated function. Each returns whether it changed anything.

`optimize` runs them to a fixpoint. They only rely on facts visible in the generated function
itself, so they are safe to run on any generated code:

* coalesce_webs: the copies that replaced phis, joined back into one variable where the backward
  sweep never reads the values (out of SSA: `total_1 = total_3` disappears).
* propagate_copies: `a = b` with a single definition of `a` is removed, later reads use `b`.
* fold_zero_init: `dx = 0.0` directly followed by `dx = dx + e` becomes `dx = e`.
* simplify: constant folding; in derivative statements `x * 1`, `x ** 1`, `a * (1 / b)`, `--x`,
  `a + -b`, `-(c / x)` rewrites and constant factors first.
* remove_dead_stores: assignments nobody reads, whose right-hand side has no effect.
"""
import bisect
import math
import operator
import re

import gast

from . import ir, runtime
from .reverse import COMMENT


def _blocks(node):
    """Every statement list in node (function body, branch bodies, loop bodies), outermost first."""
    for field in ("body", "orelse"):
        block = getattr(node, field, None)
        if isinstance(block, list):
            yield block
            for stmt in block:
                yield from _blocks(stmt)


_name_nodes = ir.name_nodes          # (the only nodes the cleanup passes count)


def _names(node, ctx):
    return [n.id for n in _name_nodes(node) if isinstance(n.ctx, ctx)]


def _count(fn, ctx):
    counts = {}
    for name in _names(fn, ctx):
        counts[name] = counts.get(name, 0) + 1
    return counts


def _is_copy(stmt):
    return isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) \
        and isinstance(stmt.value, gast.Name)


# --- out of SSA ---------------------------------------------------------------------------------
def coalesce_webs(fn, copies, backward_reads):
    """Give every phi web one variable, except members the backward sweep reads (they keep theirs). A copy
    `a = b` whose b is still read afterwards joins nothing: a copy propagated into a phi (`v = x`, then
    `v` and `x` both changed in a branch) would otherwise give two live values one variable."""
    parent = {}

    def find(x):
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    live_after = _LiveAfter(fn)
    for block in _blocks(fn):
        for stmt in block:
            if stmt in copies and _is_copy(stmt) and not live_after(stmt.value.id, stmt):
                a, b = find(ir.target_name(stmt)), find(stmt.value.id)
                if a != b:
                    parent[max(a, b, key=_order)] = min(a, b, key=_order)
    webs = {}
    for member in list(parent):
        webs.setdefault(find(member), set()).add(member)
    for root, members in webs.items():
        members.add(root)
    rename = {}
    params = {a.id for a in fn.args.args}
    for members in webs.values():
        free = sorted((m for m in members if m not in backward_reads), key=_order)
        if len(free) < 2:
            continue
        keep = next((m for m in free if m in params), free[0])
        if any(m in params and m != keep for m in free):
            free = [m for m in free if m not in params or m == keep]
        for m in free:
            rename[m] = keep
    if not rename:
        return False
    for node in ir.walk(fn):
        if isinstance(node, gast.Name) and node.id in rename:
            node.id = rename[node.id]
    for block in _blocks(fn):
        block[:] = [s for s in block if not (_is_copy(s) and ir.target_name(s) == s.value.id)]
    return True


class _LiveAfter:
    """Whether a name may be read after a statement: later in program order, or anywhere in a loop
    around the statement when the loop does not define it (a read in the next iteration)."""

    def __init__(self, fn):
        self.position, self.reads, self.defs, self.loops = {}, [], {}, []
        self._walk(fn.body, [])
        self.read_at = {}               # name -> the positions reading it, in order
        for k, names in enumerate(self.reads):
            for name in names:
                self.read_at.setdefault(name, []).append(k)

    def _walk(self, block, around):
        for stmt in block:
            k = len(self.reads)
            self.position[id(stmt)] = k
            header = stmt if not _is_compound(stmt) else (stmt.test if not isinstance(stmt, gast.For) else stmt.iter)
            self.reads.append(set(_names(header, gast.Load)))
            for name in _names(stmt.targets[0] if isinstance(stmt, gast.Assign) else
                               stmt.target if isinstance(stmt, gast.For) else gast.Pass(), gast.Store):
                self.defs.setdefault(name, []).append(k)
            if _is_compound(stmt):
                inner = around + [stmt] if isinstance(stmt, (gast.For, gast.While)) else around
                self._walk(stmt.body, inner)
                self._walk(getattr(stmt, "orelse", []) or [], inner)
                if isinstance(stmt, (gast.For, gast.While)):
                    self.loops.append((k, len(self.reads)))

    def __call__(self, name, stmt):
        here = self.position[id(stmt)]
        reads = self.read_at.get(name, ())
        if reads and reads[-1] > here:
            return True
        for start, end in self.loops:
            if start < here < end and not any(start < d < end for d in self.defs.get(name, ())) \
                    and bisect.bisect_left(reads, start) < bisect.bisect_left(reads, end):
                return True
        return False


def _order(name):
    match = re.match(r"^(.*?)(?:_(\d+))?$", name)
    return (len(match.group(1)), match.group(1), int(match.group(2) or 0))


# --- copy propagation -------------------------------------------------------------------------
def propagate_copies(fn):
    """Remove `a = b` when `a` is assigned once and `b` is unchanged wherever `a` is read."""
    stores = _count(fn, gast.Store)
    loads = _count(fn, gast.Load)
    changed = False
    for block in _blocks(fn):       # (a store into a's object changes b's too: they stay one object)
        summary = [_summary(s) for s in block]
        i = 0
        while i < len(block):
            stmt = block[i]
            if _is_copy(stmt) and stores.get(ir.target_name(stmt)) == 1 and _propagate(block, summary, i, loads):
                changed = True
                continue
            i += 1
    return changed


def _summary(stmt, sharing=None):
    """(names read with their counts, names written) anywhere inside stmt; a store into an item
    (`y[i] = v`) writes y's object, so it counts as writing y and every name `sharing` says may be
    the same object or a view of it."""
    reads, writes = {}, set()
    for node in _name_nodes(stmt):
        if isinstance(node.ctx, gast.Load):
            reads[node.id] = reads.get(node.id, 0) + 1
        else:
            writes.add(node.id)
    for name in _stored_into(stmt):
        writes |= (sharing or {}).get(name, {name})
    return reads, writes


def _stored_into(stmt):
    """The names whose objects the statement (or a statement inside it) stores into: `y[i] = v`,
    `xs.append(v)`, `xs.insert(i, v)`, `xs.pop(i)`, the runtime's in-place updates, and a call of a
    helper that updates its arguments."""
    if isinstance(stmt, (gast.Assign, gast.AugAssign)):
        for target in stmt.targets if isinstance(stmt, gast.Assign) else [stmt.target]:
            if isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name):
                yield target.value.id
    call = stmt.value if isinstance(stmt, (gast.Expr, gast.Assign)) and isinstance(stmt.value, gast.Call) else None
    if call is not None and getattr(call, "updates_arguments", False):      # (aliases.py marks it)
        yield from (a.id for a in call.args if isinstance(a, gast.Name))
    if isinstance(stmt, gast.Expr) and call is not None and isinstance(call.func, gast.Attribute):
        if call.func.attr in ("append", "insert", "pop") and isinstance(call.func.value, gast.Name):
            yield call.func.value.id
        elif _calls_runtime(call) and call.func.attr in _IN_PLACE and call.args and isinstance(call.args[0], gast.Name):
            yield call.args[0].id                   # `rt.restore(y, index, old)`
    for field in ("body", "orelse"):
        for inner in getattr(stmt, field, None) or ():
            yield from _stored_into(inner)


def _sharing(fn):
    """name -> the names that may be the same object or a view of it: `a = b`, `t = b[1:]`, `t = b.T`,
    `t = b.reshape(...)`, `t = np.reshape(b, ...)`, and the runtime's in-place buffer updates
    (`dy = rt.add_at(dy, ...)`): what a store into one of them may change."""
    from .aliases import VIEW_ATTRIBUTES, VIEW_FUNCTIONS, VIEW_METHODS
    views = VIEW_METHODS | {f.__name__ for f in VIEW_FUNCTIONS} | _IN_PLACE
    parent = {}

    def find(x):
        while parent.get(x, x) != x:
            x = parent[x]
        return x
    for node in ir.walk(fn):
        if not (isinstance(node, gast.Assign) and isinstance(node.targets[0], gast.Name)):
            continue
        value, source = node.value, None
        while isinstance(value, gast.Subscript) or isinstance(value, gast.Attribute) and value.attr in VIEW_ATTRIBUTES:
            value = value.value
        if isinstance(value, gast.Name):
            source = value.id
        elif isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute) and value.func.attr in views:
            first = value.args[0] if value.args and value.func.attr not in VIEW_METHODS else value.func.value
            source = first.id if isinstance(first, gast.Name) else None
        if source is not None and find(source) != find(node.targets[0].id):
            parent[find(node.targets[0].id)] = find(source)
    classes = {}
    for name in list(parent):
        classes.setdefault(find(name), set()).add(name)
    return {name: members | {root} for root, members in classes.items() for name in members | {root}}


def _propagate(block, summary, i, loads):
    a, b = ir.target_name(block[i]), block[i].value.id
    uses, found = [], 0
    for j in range(i + 1, len(block)):
        if found == loads.get(a, 0):
            break
        if a in summary[j][0]:
            uses.append(j)
            found += summary[j][0][a]
    if found != loads.get(a, 0):
        return False                        # read somewhere else (an enclosing loop, another branch)
    last = uses[-1] if uses else i
    for j in range(i + 1, last + 1):
        if b in summary[j][1]:
            stmt = block[j]
            if not (j == last and isinstance(stmt, gast.Assign) and _names(stmt.targets[0], gast.Store) == [b]
                    and b not in _names(stmt.value, gast.Store)):
                return False
    for j in uses:
        for node in ir.walk(block[j]):
            if isinstance(node, gast.Name) and node.id == a and isinstance(node.ctx, gast.Load):
                node.id = b
        summary[j] = _summary(block[j])
    loads[b] = loads.get(b, 0) + loads.pop(a, 0) - 1
    del block[i]
    del summary[i]
    return True


def remove_copy_backs(fn):
    """`a = b` ... `b = a` with neither written in between: the second copy changes nothing."""
    changed = False
    for block in _blocks(fn):
        doomed, next_write = set(), {}       # name -> index of its first write after the scan point
        for i in range(len(block) - 1, -1, -1):
            stmt = block[i]
            if _is_copy(stmt):
                a, b = ir.target_name(stmt), stmt.value.id
                j = min(next_write.get(a, len(block)), next_write.get(b, len(block)))
                if j < len(block) and _is_copy(block[j]) and ir.target_name(block[j]) == b \
                        and block[j].value.id == a:
                    doomed.add(j)
            for name in _summary(stmt)[1]:
                next_write[name] = i
        if doomed:
            block[:] = [s for k, s in enumerate(block) if k not in doomed]
            changed = True
    return changed


def inline_temporaries(fn, temporaries):
    """Put a compiler temporary read exactly once back into the expression that reads it, as the
    user wrote it (`t1 = x * y; z = t1 + 1` -> `z = x * y + 1`), when nothing in between changes
    its inputs and the reader is not inside a loop or branch it would then run in. Calls of the
    runtime keep their own line: nested they would hide the derivative's steps. (Fewer stored
    temporaries is also faster: CPython reuses a float no name holds.) The forward and backward
    sweeps count reads apart: a value the backward sweep recomputes for itself is read there from
    its own definition."""
    if not temporaries:
        return False
    marker = next((k for k, s in enumerate(fn.body) if is_backward_marker(s)), len(fn.body))
    sweeps = [_counts(fn.body[:marker]), _counts(fn.body[marker:])]

    def single_use(name, sweep):
        loads, stores = sweeps[sweep]
        if stores.get(name) != 1:
            return False
        if sweep == 1:
            return loads.get(name) == 1
        later_loads, later_stores = sweeps[1]
        if name in later_stores:          # the backward sweep recomputes or restores its own
            return loads.get(name) == 1
        return loads.get(name, 0) + later_loads.get(name, 0) == 1

    changed = False
    sharing = _sharing(fn)
    for block, sweep in _blocks_in_sweeps(fn, marker):
        # adjoint code (after the first comment or the backward marker) stays in its line's block;
        # in the function's own body that boundary is where the backward sweep begins
        backward = next((k for k, s in enumerate(block) if _is_comment(s) or is_backward_marker(s)), len(block))
        i = 0
        while i < len(block):
            stmt = block[i]
            here = sweep if sweep is not None else int(i > backward)
            if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) \
                    and ir.target_name(stmt) in temporaries and single_use(ir.target_name(stmt), here) \
                    and _pure(stmt.value) and not _calls_runtime(stmt.value) \
                    and _inline_into(block, i, i > backward, sharing):
                changed = True
                backward -= i < backward
                continue
            i += 1
    return changed


def _counts(stmts):
    """(loads, stores): how often each name is read and written in stmts."""
    loads, stores = {}, {}
    for stmt in stmts:
        reads, _ = _summary(stmt)
        for name, k in reads.items():
            loads[name] = loads.get(name, 0) + k
        for name in _names(stmt, gast.Store):
            stores[name] = stores.get(name, 0) + 1
    return loads, stores


def _blocks_in_sweeps(fn, marker):
    """fn's blocks, each with its sweep (0 forward, 1 backward; None for the body itself, which holds
    both, split where its backward marker stands; `marker` is that index, len(body) without one)."""
    yield fn.body, (None if marker < len(fn.body) else 0)
    marker = next((k for k, s in enumerate(fn.body) if is_backward_marker(s)), len(fn.body))
    for k, stmt in enumerate(fn.body):
        for block in _blocks(stmt):
            yield block, int(k > marker)


def _inline_into(block, i, within_comment_block, sharing):
    name, value = ir.target_name(block[i]), block[i].value
    inputs = set(_names(value, gast.Load))
    for j in range(i + 1, len(block)):
        stmt = block[j]
        if within_comment_block and _is_comment(stmt):
            return False
        reads, writes = _summary(stmt, sharing)
        if name in reads:
            header = _header_node(stmt)
            if header is None or name not in _names(header, gast.Load):
                return False
            for node in ir.walk(header):
                for field, child in gast.iter_fields(node):
                    if isinstance(child, gast.Name) and child.id == name and isinstance(child.ctx, gast.Load):
                        setattr(node, field, value)
                        del block[i]
                        return True
                    if isinstance(child, list):
                        for k, item in enumerate(child):
                            if isinstance(item, gast.Name) and item.id == name and isinstance(item.ctx, gast.Load):
                                child[k] = value
                                del block[i]
                                return True
            return False
        if writes & (inputs | {name}):
            return False
    return False


def _header_node(stmt):
    """The part of a statement evaluated once, where an inlined value may go."""
    if isinstance(stmt, (gast.Assign, gast.AugAssign, gast.Expr, gast.Return)):
        return stmt
    if isinstance(stmt, (gast.If, gast.While)):
        return stmt.test if isinstance(stmt, gast.If) else None
    if isinstance(stmt, gast.For):
        return stmt.iter
    return None


# --- zero initialisation ----------------------------------------------------------------------
def fold_zero_init(fn):
    """`d = 0.0` followed by `d = d + e` (nothing in between touching d) becomes `d = e`."""
    changed = False
    for block in _blocks(fn):
        summary = [_summary(s) for s in block]
        i = 0
        while i < len(block):
            stmt = block[i]
            if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) \
                    and isinstance(stmt.value, gast.Constant) and stmt.value.value == 0.0:
                d = ir.target_name(stmt)
                nxt = next((j for j in range(i + 1, len(block)) if d in summary[j][0] or d in summary[j][1]), None)
                if nxt is not None and _is_accumulation(block[nxt], d):
                    block[nxt].value = block[nxt].value.right
                    summary[nxt] = _summary(block[nxt])
                    del block[i]
                    del summary[i]
                    changed = True
                    continue
            i += 1
    return changed


def merge_repeated_adds(fn, derivatives=()):
    """`dx[i] += e` twice in a row (x[i] * x[i] read the item twice: each read adds its adjoint)
    becomes `dx[i] += 2 * e`, for a derivative's buffer and a pure e that does not read it (fill: 20%
    of its backward loop)."""
    changed = False
    for block in _blocks(fn):
        i = 0
        while i + 1 < len(block):
            first, count = block[i], 1
            while i + count < len(block) and _same_add(first, block[i + count], derivatives):
                count += 1
            if count > 1:
                first.value = gast.BinOp(ir.const(count), gast.Mult(), first.value)
                del block[i + 1:i + count]
                changed = True
            i += 1
    return changed


def _same_add(first, other, derivatives):
    if not (isinstance(first, gast.AugAssign) and isinstance(first.op, gast.Add) and isinstance(other, gast.AugAssign)
            and isinstance(other.op, gast.Add)):
        return False
    base = first.target
    while isinstance(base, gast.Subscript):
        base = base.value
    return isinstance(base, gast.Name) and base.id in derivatives and base.id not in _names(first.value, gast.Load) \
        and gast.dump(first.target) == gast.dump(other.target) and gast.dump(first.value) == gast.dump(other.value) \
        and _pure(first.value)


def _is_accumulation(stmt, d):
    return isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and stmt.targets[0].id == d \
        and isinstance(stmt.value, gast.BinOp) and isinstance(stmt.value.op, gast.Add) \
        and isinstance(stmt.value.left, gast.Name) and stmt.value.left.id == d \
        and d not in _names(stmt.value.right, gast.Load)


# --- arithmetic -------------------------------------------------------------------------------
_FOLD = {gast.Add: operator.add, gast.Sub: operator.sub, gast.Mult: operator.mul,
         gast.Div: operator.truediv, gast.Pow: operator.pow}


def _number(node):
    return isinstance(node, gast.Constant) and type(node.value) in (int, float)


def _negated(node):
    return isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub)


def _unsigned(node):
    """-a -> a and -a * b / c -> a * b / c, or None for another expression: what is left when a term's
    sign moves into the + or - that adds it (or cancels a negation around it)."""
    if _negated(node):
        return node.operand
    if isinstance(node, gast.BinOp) and isinstance(node.op, (gast.Mult, gast.Div)):
        left = _unsigned(node.left)
        return None if left is None else gast.BinOp(left, node.op, node.right)
    return None


_OPPOSITE = {gast.Add: gast.Sub, gast.Sub: gast.Add}
_BOOLEAN = (gast.Compare, gast.BoolOp, gast.Not, gast.Invert)


def _boolean_inside(node):
    """Whether node computes with a comparison or a logical operation. The algebra is that of
    numbers: derivatives and the active values they read are floats, but a mask in a derivative
    statement (`g * ((x > 0) * 1)`) is boolean, and `mask * 1` is not `mask` (`-mask` raises)."""
    return any(isinstance(n, _BOOLEAN) for n in ir.walk(node))


class _Simplify(ir.Transformer):
    """Constant folding everywhere; the algebra (`x * 1 -> x`, `a * (1 / b) -> a / b`, reassociating
    a constant factor) only in statements that compute derivatives. The user's own arithmetic keeps
    its values and types to the last bit: `(x > 0) * 1` is an integer array, not the boolean one, and
    `x * (1 / y)` rounds twice."""

    def __init__(self, stored_into=(), derivatives=()):
        self.changed = False
        self.stored_into = stored_into
        self.derivatives = derivatives
        self.algebra = False          # inside a statement that assigns only derivatives

    def visit_Assign(self, node):
        # `y = x * 1.0` makes a new array; `y = x` would make y the same one as x, and a store into y
        # would then write into x (the caller's array, say)
        value = node.value
        self._visit_statement(node, node.targets)
        if isinstance(node.value, gast.Name) and not isinstance(value, gast.Name) \
                and any(n in self.stored_into for n in _names(node.targets[0], gast.Store)):
            node.value = value
        return node

    def visit_AugAssign(self, node):
        self._visit_statement(node, [node.target])
        unsigned = _unsigned(node.value)
        if self.algebra_in(node.target) and isinstance(node.op, (gast.Add, gast.Sub)) and unsigned is not None:
            node.op, node.value = _OPPOSITE[type(node.op)](), unsigned      # x += -y * z -> x -= y * z
            self.changed = True
        return node

    def _visit_statement(self, node, targets):
        outer = self.algebra
        self.algebra = all(self.algebra_in(t) for t in targets)
        self.generic_visit(node)
        self.algebra = outer

    def algebra_in(self, target):
        """Whether target (`dx`, `dxs[j]`, `dx, dy`) stores only into derivatives."""
        if isinstance(target, (gast.Tuple, gast.List)):
            return all(map(self.algebra_in, target.elts))
        while isinstance(target, (gast.Subscript, gast.Attribute, gast.Starred)):
            target = target.value
        return isinstance(target, gast.Name) and target.id in self.derivatives

    def visit_BinOp(self, node):
        self.generic_visit(node)
        left, right, op = node.left, node.right, type(node.op)
        if _number(left) and _number(right) and op in _FOLD:
            try:
                value = _FOLD[op](left.value, right.value)
            except (ZeroDivisionError, OverflowError):
                return node
            if isinstance(value, (int, float)) and math.isfinite(value) and abs(value) < 1e15:
                self.changed = True
                return ir.const(value)
        if not self.algebra or _boolean_inside(node):
            return node
        if op is gast.Pow and _number(right) and right.value == 1:
            return self._done(left)
        if op is gast.Mult and _number(right) and right.value == 1:
            return self._done(left)
        if op is gast.Mult and _number(left) and left.value == 1:
            return self._done(right)
        if op is gast.Mult and _number(right) and right.value == -1:
            return self._done(gast.UnaryOp(gast.USub(), left))
        if op is gast.Mult and isinstance(right, gast.BinOp) and isinstance(right.op, gast.Div) \
                and _number(right.left) and right.left.value == 1:
            return self._done(gast.BinOp(left, gast.Div(), right.right))
        if op is gast.Div and _number(right) and right.value == 1:
            return self._done(left)
        if op in (gast.Add, gast.Sub) and _unsigned(right) is not None:       # a + -b * c -> a - b * c
            return self._done(gast.BinOp(left, _OPPOSITE[op](), _unsigned(right)))
        if op is gast.Mult and _number(left):
            return self._constant_first(node, left, right)
        return node

    def _constant_first(self, node, c, right):
        """c * (a * b) -> c * a * b and c * (a / b) -> c * a / b, c a number: the constant meets the
        first factor, often a number too (`2 * dout`), and an array is scaled once, not twice. A
        negation moves into the constant: c * -a -> (-c) * a."""
        if _negated(right):
            return self._done(self.visit_BinOp(gast.BinOp(ir.const(-c.value), gast.Mult(), right.operand)))
        if isinstance(right, gast.BinOp) and isinstance(right.op, (gast.Mult, gast.Div)):
            scaled = self.visit_BinOp(gast.BinOp(c, gast.Mult(), right.left))
            return self._done(gast.BinOp(scaled, right.op, right.right))
        return node

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, gast.USub) and _number(node.operand):
            return self._done(ir.const(-node.operand.value))
        if not self.algebra:
            return node
        if isinstance(node.op, gast.USub) and _unsigned(node.operand) is not None:     # -(-a * b) -> a * b
            return self._done(_unsigned(node.operand))
        operand = node.operand
        if isinstance(node.op, gast.USub) and isinstance(operand, gast.BinOp) and isinstance(operand.op, gast.Div) \
                and _number(operand.left):                        # -(c / x) -> (-c) / x, exactly
            return self._done(gast.BinOp(ir.const(-operand.left.value), gast.Div(), operand.right))
        return node

    def _done(self, node):
        self.changed = True
        return node


def simplify(fn, derivatives=()):
    """Fold constant arithmetic; in the statements that assign the names in `derivatives`, drop
    multiplications by one and put constant factors first."""
    stored_into = {name for stmt in fn.body for name in _stored_into(stmt)}
    pass_ = _Simplify(stored_into, derivatives)
    pass_.visit(fn)
    return pass_.changed


# --- dead code --------------------------------------------------------------------------------
_PURE_ROOTS = {"np", "math", "rt", "numpy"}
_IN_PLACE = {f.__name__ for f in runtime.IN_PLACE}


def _call_roots(value):
    for node in ir.walk(value):
        if isinstance(node, gast.Call):
            root = node.func
            while isinstance(root, gast.Attribute):
                root = root.value
            yield root.id if isinstance(root, gast.Name) else None


def _calls_runtime(value):
    return "rt" in _call_roots(value)


def _pure(value):
    """Whether evaluating value has no effect but its result (rt.enter, which enters a `with`, has one)."""
    return all(root in _PURE_ROOTS for root in _call_roots(value)) and not any(
        isinstance(n, gast.Call) and isinstance(n.func, gast.Attribute) and n.func.attr in _EFFECTS
        for n in ir.walk(value))


_EFFECTS = {f.__name__ for f in (runtime.enter, runtime.leave)}


def remove_dead_stores(fn):
    """Delete assignments whose value is never read afterwards (liveness) and has no side effect."""
    dead = []
    _live_in(fn.body, set(), dead)
    for block, stmt in dead:
        block[:] = [s for s in block if s is not stmt]
    return bool(dead)


def _live_in(block, live, dead):
    """Names live before block given those live after it; records dead pure assignments."""
    live = set(live)
    for stmt in reversed(block):
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
            target = ir.target_name(stmt)
            if target not in live and _pure(stmt.value):
                if dead is not None:
                    dead.append((block, stmt))
                continue
            live.discard(target)
            live |= set(_names(stmt.value, gast.Load))
        elif isinstance(stmt, gast.If):
            live = _live_in(stmt.body, live, dead) | _live_in(stmt.orelse, live, dead) | \
                set(_names(stmt.test, gast.Load))
        elif isinstance(stmt, (gast.For, gast.While)):
            header = set(_names(stmt.iter if isinstance(stmt, gast.For) else stmt.test, gast.Load))
            after = set(live)
            loop_live = after | header
            while True:                      # what the body needs at its start, iterated to a fixpoint
                start = _live_in(stmt.body, loop_live, None)
                if isinstance(stmt, gast.For):
                    start.discard(stmt.target.id)
                grown = after | header | start
                if grown == loop_live:
                    break
                loop_live = grown
            _live_in(stmt.body, loop_live, dead)
            live = loop_live
        elif isinstance(stmt, gast.Return):
            live |= set(_names(stmt, gast.Load))
        else:
            for name in _names(stmt, gast.Store):
                live.discard(name)
            live |= set(_names(stmt, gast.Load))
    return live


BACKWARD = "@adjoint-backward-sweep@"


def _backward_reads_now(fn):
    """Names the backward sweep reads as the code stands: an earlier round of cleanup may have
    propagated a copy into it (`v2` read as `x1`), and a name it reads must keep its value. (The
    final `return` reads the result, which the generator keeps safe from the backward sweep.)"""
    marker = next((k for k, s in enumerate(fn.body) if is_backward_marker(s)), None)
    if marker is None:
        return set()
    return {n for stmt in fn.body[marker + 1:] if not isinstance(stmt, gast.Return) for n in _names(stmt, gast.Load)}


def backward_marker():
    """The statement separating forward and backward sweeps (rendered as a blank line)."""
    return gast.Expr(gast.Constant(BACKWARD, None))


def is_backward_marker(stmt):
    return isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Constant) and stmt.value.value == BACKWARD


def _is_comment(stmt):
    return isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Constant) \
        and isinstance(stmt.value.value, str) and stmt.value.value.startswith(COMMENT)


def tidy_blocks(fn):
    """Drop empty branches and loops, `y = y`, and comments that no longer precede code."""
    changed = False
    for block in _blocks(fn):
        out = []
        for stmt in block:
            if isinstance(stmt, gast.If) and not _code(stmt.body) and not _code(stmt.orelse) \
                    and isinstance(stmt.test, gast.Name):
                changed = True
                continue
            if isinstance(stmt, gast.If) and isinstance(stmt.test, gast.Name) and stmt.body and \
                    gast.dump(gast.Module(_code(stmt.body), [])) == gast.dump(gast.Module(_code(stmt.orelse), [])):
                out += _code(stmt.body)            # both branches do the same thing
                changed = True
                continue
            if isinstance(stmt, gast.If) and not _code(stmt.body) and _code(stmt.orelse):
                stmt.test = gast.UnaryOp(gast.Not(), stmt.test)
                stmt.body, stmt.orelse = stmt.orelse, []
                changed = True
            if isinstance(stmt, gast.For) and not _code(stmt.body) and _pure(stmt.iter):
                changed = True
                continue
            if _is_copy(stmt) and ir.target_name(stmt) == stmt.value.id:      # `y = y`
                changed = True
                continue
            out.append(stmt)
        kept, last = [], None
        for i, s in enumerate(out):
            if _is_comment(s):
                if s.value.value == last or i + 1 == len(out) or _is_comment(out[i + 1]) \
                        or _is_pop(out[i + 1]):
                    continue
                last = s.value.value
            elif _is_compound(s):
                last = None
            kept.append(s)
        changed |= len(kept) != len(block)
        block[:] = kept
    return changed


def _is_pop(stmt):
    """`x = pop()`: restoring a saved value, which is not the code a comment describes."""
    return isinstance(stmt, gast.Assign) and isinstance(stmt.value, gast.Call) and not stmt.value.args \
        and isinstance(stmt.value.func, gast.Name) and stmt.value.func.id.startswith("pop")


def _is_compound(stmt):
    return isinstance(stmt, (gast.If, gast.For, gast.While))


def _code(block):
    return [s for s in block if not _is_comment(s) and not isinstance(s, gast.Pass)]


# --- batched outer products ------------------------------------------------------------------
def batch_outer_products(fn, derivatives, names):
    """In a loop, `dW = dW + np.outer(a, b)` (the adjoint of a matrix-vector product, accumulated
    per iteration) becomes `dW_outer_a.append(a)` and `dW_outer_b.append(b)`, summed by
    `dW = dW + rt.outer_sum(dW_outer_a, dW_outer_b)` every rt.OUTER_CHUNK iterations and after the
    loop: one matrix product instead of an outer product and a sum per iteration, holding no more
    than a chunk of the values (every iteration's would double the memory of the loop's tape).
    Only for adjoints the loop reads nowhere else, and only where the values appended never change
    afterwards: nothing in the function stores into an object, adjoint buffers included
    (`rt.add_at(dz, ...)` adds into dz), or the only stores into an appended name are its own
    (`dz[a:b] += g`), made in the loop's body between the buffer's making afresh
    (`dz = rt.add_at(rt.zero, ...)`) and the append (lstm's gates)."""
    stores = _stores(fn, names["rt"])
    taken = {n.id for n in _name_nodes(fn)}
    changed = False
    for block in _blocks(fn):
        i = 0
        while i < len(block):
            loop = block[i]
            found = _outer_accumulations(loop, derivatives, names["np"]) if isinstance(loop, gast.For) else []
            found = [stmt for stmt in found if stores is not None and _kept_unchanged(stmt, loop, stores, names["rt"])]
            before, after = [], []
            for stmt in found:
                target = ir.target_name(stmt)
                a, b = stmt.value.right.args
                left, right = _fresh(f"{target}_outer_a", taken), _fresh(f"{target}_outer_b", taken)
                before += [ir.assign(left, gast.List([], gast.Load()), stmt), ir.assign(right, gast.List([], gast.Load()), stmt)]
                position = loop.body.index(stmt)
                loop.body[position:position + 1] = [_append(left, a, stmt), _append(right, b, stmt),
                                                    _flush(target, left, right, names["rt"], stmt)]
                after.append(_summed(target, left, right, names["rt"], stmt))
            start = i - 1 if i and _is_comment(block[i - 1]) else i     # (before the loop's comment)
            block[start:i + 1] = before + block[start:i] + [loop] + after
            i += len(before) + len(after) + 1
            changed |= bool(found)
    return changed


class _Stores(list):
    """[(statement, name stored into)], and .assigned: {name: how many statements assign it}."""


def _stores(fn, rt_name):
    """[(statement, name stored into)] of every store into an object in fn, by the name it is stored
    through; None if a store goes through something other than a name (an alias could not be told)."""
    found = _Stores()
    found.assigned = {}
    for stmt in ir.statements(fn.body):
        if isinstance(stmt, gast.Assign):
            for node in _name_nodes(stmt.targets[0]):
                found.assigned[node.id] = found.assigned.get(node.id, 0) + 1
    for stmt in ir.statements(fn.body):
        if isinstance(stmt, (gast.If, gast.For, gast.While)):
            continue
        if isinstance(stmt, (gast.Assign, gast.AugAssign)):
            targets = stmt.targets if isinstance(stmt, gast.Assign) else [stmt.target]
            if any(not isinstance(t, (gast.Name, gast.Tuple)) and not (isinstance(t, gast.Subscript)
                                                                        and isinstance(t.value, gast.Name)) for t in targets):
                return None
        found += [(stmt, name) for name in _stored_into(stmt)]
        for node in ir.walk(stmt):
            if isinstance(node, gast.Call) and _calls_runtime(node) and node.func.attr in _IN_PLACE and node.args:
                if not isinstance(node.args[0], gast.Name):
                    if not (isinstance(node.args[0], gast.Attribute) and node.args[0].attr == "zero"):
                        return None
                else:
                    found.append((stmt, node.args[0].id))
    return found


def _kept_unchanged(stmt, loop, stores, rt_name):
    """Whether what stmt (in loop's body) appends is never stored into afterwards: every store made
    in the loop is a statement of its body, into a buffer the body makes afresh each iteration
    (`dz = rt.add_at(rt.zero, ...)`, the name's only assignment in the function), between the
    making and stmt. After stmt nothing in the iteration stores, and the next iteration's stores go
    into new buffers. Stores before or after the loop change nothing appended (the last chunk is
    summed right after the loop)."""
    inside = {id(s) for s in ir.statements(loop.body)}
    body = loop.body
    position = body.index(stmt)
    for store, name in stores:
        if id(store) not in inside:
            continue
        if store not in body:
            return False
        makes = [i for i, s in enumerate(body) if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name)
                 and s.targets[0].id == name]
        if len(makes) != 1 or stores.assigned.get(name) != 1 or not _made_afresh(body[makes[0]].value, rt_name) \
                or not makes[0] < body.index(store) < position:
            return False
    return True


def _made_afresh(value, rt_name):
    """`rt.add_at(rt.zero, ...)`: a new buffer (rt.add_at allocates when given rt.zero)."""
    return isinstance(value, gast.Call) and _calls_runtime(value) and value.func.attr == "add_at" and value.args \
        and isinstance(value.args[0], gast.Attribute) and value.args[0].attr == "zero" \
        and isinstance(value.args[0].value, gast.Name) and value.args[0].value.id == rt_name


def _outer_accumulations(loop, derivatives, np_name):
    """The statements `d = d + np.outer(a, b)` directly in the loop's body whose d the loop does
    not otherwise read or write."""
    counts = {}
    for node in _name_nodes(loop):
        counts[node.id] = counts.get(node.id, 0) + 1
    found = []
    for stmt in loop.body:
        if not (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)
                and isinstance(stmt.value, gast.BinOp) and isinstance(stmt.value.op, gast.Add)):
            continue
        target, value = ir.target_name(stmt), stmt.value
        outer = value.right
        if target in derivatives and counts.get(target) == 2 and isinstance(value.left, gast.Name) \
                and value.left.id == target and isinstance(outer, gast.Call) and not outer.keywords \
                and len(outer.args) == 2 and isinstance(outer.func, gast.Attribute) and outer.func.attr == "outer" \
                and isinstance(outer.func.value, gast.Name) and outer.func.value.id == np_name:
            found.append(stmt)
    return found


def _fresh(name, taken):
    k, candidate = 1, name
    while candidate in taken:
        k += 1
        candidate = f"{name}{k}"
    taken.add(candidate)
    return candidate


def _summed(target, left, right, rt_name, like):
    """`d = d + rt.outer_sum(d_outer_a, d_outer_b)`."""
    total = gast.Call(gast.Attribute(ir.name(rt_name), "outer_sum", gast.Load()), [ir.name(left), ir.name(right)], [])
    return ir.assign(target, gast.BinOp(ir.name(target), gast.Add(), total), like)


def _flush(target, left, right, rt_name, like):
    """`if len(d_outer_a) == rt.OUTER_CHUNK:` the chunk summed into d, and new lists."""
    full = gast.Compare(gast.Call(ir.name("len"), [ir.name(left)], []), [gast.Eq()],
                        [gast.Attribute(ir.name(rt_name), "OUTER_CHUNK", gast.Load())])
    body = [_summed(target, left, right, rt_name, like), ir.assign(left, gast.List([], gast.Load()), like),
            ir.assign(right, gast.List([], gast.Load()), like)]
    return ir.at(gast.If(full, body, []), like)


def _append(name, value, like):
    call = gast.Call(gast.Attribute(ir.name(name), "append", gast.Load()), [value], [])
    return ir.at(gast.Expr(call), like)


def remove_unread_saves(defs, stack):
    """Values popped but never read: drop them from both their pushes and their pops. A push and its
    pop carry the same slot (reverse.py), and an entry goes from both by its position in the slot, since
    cleanup may have renamed what the push reads (`xs_1 = xs` propagated); an entry of an untagged
    push goes by name."""
    if not stack:
        return False
    _, push, pop = stack
    pops, read = [], set()
    for fn in defs:
        for node in ir.walk(fn):
            if isinstance(node, gast.Assign) and ir.calls(node.value, (pop,)):
                pops.append(node)
        start = next((i for i, s in enumerate(fn.body) if is_backward_marker(s)), None)
        if start is not None:
            for stmt in fn.body[start:]:
                read |= set(_names(stmt, gast.Load))
    unread, positions = set(), {}       # names; slot -> positions unread in every pop of the slot
    for node in pops:
        entry = node.targets[0]
        names = [e.id for e in (entry.elts if isinstance(entry, gast.Tuple) else [entry])]
        slot = getattr(node.value, "slot", None)
        if slot is None:
            unread |= {n for n in names if n not in read}
        else:
            here = {k for k, n in enumerate(names) if n not in read}
            positions[slot] = positions[slot] & here if slot in positions else here
    if not unread and not any(positions.values()):
        return False
    for fn in defs:
        for block in _blocks(fn):
            block[:] = [s for s in (_without_saves(s, unread, positions, push, pop) for s in block) if s is not None]
    return True


def _without_saves(stmt, names, positions, push, pop):
    """stmt with the saves of `names` (or at the positions of its slot) taken out of its push or pop;
    None when nothing is left."""
    if isinstance(stmt, gast.Assign) and ir.calls(stmt.value, (pop,)):
        entry, call = stmt.targets[0], stmt.value
    elif isinstance(stmt, gast.Expr) and ir.calls(stmt.value, (push,)):
        entry, call = stmt.value.args[0], stmt.value
    else:
        return stmt
    elts = entry.elts if isinstance(entry, gast.Tuple) else [entry]
    slot = getattr(call, "slot", None)
    dropped = positions.get(slot, set()) if slot is not None else \
        {k for k, e in enumerate(elts) if isinstance(e, gast.Name) and e.id in names}
    kept = [e for k, e in enumerate(elts) if k not in dropped]
    if len(kept) == len(elts):
        return stmt
    if not kept:
        return None
    new = kept[0] if len(kept) == 1 else gast.Tuple(kept, type(entry.ctx)())
    if isinstance(stmt, gast.Assign):
        stmt.targets[0] = new
    else:
        stmt.value.args[0] = new
    return stmt


def optimize(fn, copies, backward_reads=(), temporaries=(), derivatives=()):
    """Run the cleanup passes until none changes anything; returns fn. `derivatives` are the names
    of adjoints and tangents, whose statements simplify may rewrite algebraically."""
    coalesce_webs(fn, copies, set(backward_reads) | _backward_reads_now(fn))
    for _ in range(50):
        changed = False
        for run in (propagate_copies, remove_copy_backs, fold_zero_init, remove_dead_stores, tidy_blocks):
            changed |= run(fn)
        changed |= simplify(fn, derivatives)
        changed |= inline_temporaries(fn, temporaries)
        changed |= merge_repeated_adds(fn, derivatives)
        if not changed:
            break
    return fn
