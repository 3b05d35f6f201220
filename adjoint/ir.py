"""Small constructors and queries over the normalized gast tree."""
import collections

import gast


def name(id_, store=False):
    return gast.Name(id_, gast.Store() if store else gast.Load(), None, None)


def const(value):
    return gast.Constant(value, None)


def assign(target, value, like=None):
    """`target = value`, carrying the source position of `like`."""
    node = gast.Assign([name(target, store=True) if isinstance(target, str) else target], value, None)
    return at(node, like)


def at(node, like):
    """Copy the line number of `like` onto node (and its children without one)."""
    if like is not None and hasattr(like, "lineno"):
        for sub in walk(node):
            if hasattr(sub, "lineno") or isinstance(sub, (gast.stmt, gast.expr)):
                if getattr(sub, "lineno", None) is None:
                    sub.lineno = like.lineno
                    sub.col_offset = getattr(like, "col_offset", 0)
                    sub.end_lineno = getattr(like, "end_lineno", like.lineno)
                    sub.end_col_offset = getattr(like, "end_col_offset", 0)
    return node


def clone(node):
    """A deep copy of a gast tree (several times faster than copy.deepcopy, which memoizes)."""
    if isinstance(node, list):
        return [clone(n) for n in node]
    if not isinstance(node, gast.AST):
        return node
    new = type(node).__new__(type(node))
    new.__dict__.update({k: clone(v) for k, v in node.__dict__.items()})
    return new


def calls(value, names):
    """Whether value is a call of a plain name in `names` (`pop()`, `push(x)`)."""
    return isinstance(value, gast.Call) and isinstance(value.func, gast.Name) and value.func.id in names


def is_atom(node):
    return isinstance(node, (gast.Name, gast.Constant))


def target_name(stmt):
    """The single name an Assign defines."""
    return stmt.targets[0].id


_LEAF_FIELDS = {"ctx", "id", "type_comment", "kind", "annotation"}
_CHILD_FIELDS = {}


def _fields(cls):
    """cls._fields, remembered (read per node by walk and Transformer)."""
    _FIELDS[cls] = cls._fields
    return cls._fields


_FIELDS = {}


def walk(node):
    """Every node under node (node included), in gast.walk's order, without its per-node generator
    of fields (a compile walks the function about a hundred times: this is 15% of a compile)."""
    todo = collections.deque([node])
    AST = gast.AST
    while todo:
        node = todo.popleft()
        for field in _FIELDS.get(type(node)) or _fields(type(node)):
            child = getattr(node, field, None)
            if type(child) is list:
                todo.extend([c for c in child if isinstance(c, AST)])
            elif isinstance(child, AST):
                todo.append(child)
        yield node


class Transformer(gast.NodeTransformer):
    """gast.NodeTransformer, with its dispatch and field walk cached per node class (the passes
    transform the function tens of times per compile)."""
    _methods = {}

    def visit(self, node):
        key = (type(self), type(node))
        method = self._methods.get(key)
        if method is None:
            method = self._methods[key] = getattr(type(self), "visit_" + type(node).__name__, type(self).generic_visit)
        return method(self, node)

    def generic_visit(self, node):
        for field in _FIELDS.get(type(node)) or _fields(type(node)):
            old = getattr(node, field, None)
            if type(old) is list:
                new_values, changed = [], False
                for value in old:
                    if isinstance(value, gast.AST):
                        new = self.visit(value)
                        changed |= new is not value
                        if new is None:
                            continue
                        if not isinstance(new, gast.AST):       # a list of nodes in place of one
                            new_values.extend(new)
                            continue
                        value = new
                    new_values.append(value)
                if changed:
                    old[:] = new_values
            elif isinstance(old, gast.AST):
                new = self.visit(old)
                if new is None:
                    delattr(node, field)
                elif new is not old:
                    setattr(node, field, new)
        return node


def name_nodes(node):
    """Every Name under node (node included), found faster than by gast.walk (which visits every
    field of every node)."""
    out, stack = [], [node]
    AST, Name = gast.AST, gast.Name
    while stack:
        current = stack.pop()
        cls = type(current)
        if cls is Name:
            out.append(current)
            continue
        fields = _CHILD_FIELDS.get(cls)
        if fields is None:
            fields = _CHILD_FIELDS[cls] = tuple(f for f in cls._fields if f not in _LEAF_FIELDS)
        for field in fields:
            child = getattr(current, field, None)
            if type(child) is list:
                stack.extend(c for c in child if isinstance(c, AST))
            elif isinstance(child, AST):
                stack.append(child)
    return out


def bound_methods(block, method):
    """{name: the object's name} for each `name = obj.<method>` in block (`push = stack.append`: how
    generated reverse code saves its values)."""
    return {s.targets[0].id: s.value.value.id for s in statements(block)
            if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name) and isinstance(s.value, gast.Attribute)
            and s.value.attr == method and isinstance(s.value.value, gast.Name)}


def names_read(node):
    """Names loaded anywhere inside node, in order, without duplicates."""
    seen = []
    for sub in walk(node):
        if isinstance(sub, gast.Name) and isinstance(sub.ctx, gast.Load) and sub.id not in seen:
            seen.append(sub.id)
    return seen


def statements(block):
    """Every statement in block and, recursively, in the blocks nested in it, in order."""
    for stmt in block:
        yield stmt
        for field in ("body", "orelse"):
            yield from statements(getattr(stmt, field, []) or [])


def enclosing_loops(block, around=frozenset()):
    """{id(statement): the ids of the loops around it} for every statement in block, nested ones too."""
    found = {}
    for stmt in block:
        found[id(stmt)] = around
        inner = around | {id(stmt)} if isinstance(stmt, (gast.For, gast.While)) else around
        for field in ("body", "orelse"):
            found.update(enclosing_loops(getattr(stmt, field, []) or [], inner))
    return found


def names_stored(node):
    """Names assigned anywhere inside node."""
    return [n.id for n in walk(node) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)]


def header(stmt):
    """The part of a statement evaluated by the statement itself (not its nested blocks)."""
    if isinstance(stmt, (gast.If, gast.While)):
        return stmt.test
    if isinstance(stmt, gast.For):
        return stmt.iter
    return stmt


def is_phi(stmt):
    return (isinstance(stmt, gast.Assign) and isinstance(stmt.value, gast.Call)
            and isinstance(stmt.value.func, gast.Name) and stmt.value.func.id == PHI)


PHI = "__phi__"
UNDEFINED = "__undefined__"


def phi(target, args, like=None):
    return assign(target, gast.Call(name(PHI), [name(a or UNDEFINED) for a in args], []), like)


def phi_args(stmt):
    return [None if a.id == UNDEFINED else a.id for a in stmt.value.args]


def exits(block):
    """Whether control can leave `block` by break/continue/return (not counting nested loops)."""
    for stmt in block:
        if isinstance(stmt, (gast.Break, gast.Continue, gast.Return)):
            return True
        if isinstance(stmt, gast.If) and (exits(stmt.body) or exits(stmt.orelse)):
            return True
    return False


def raises(block):
    """Whether `block` ends by raising: control never reaches its end nor joins anything after it
    (a raise is not an exit in the sense of `exits`: nothing after its `if` moves into a branch)."""
    return bool(block) and isinstance(block[-1], gast.Raise)


def falls_through(block):
    """Whether control can reach the end of `block`."""
    if not block:
        return True
    last = block[-1]
    if isinstance(last, (gast.Break, gast.Continue, gast.Return, gast.Raise)):
        return False
    if isinstance(last, gast.If):
        return falls_through(last.body) or falls_through(last.orelse)
    return True
