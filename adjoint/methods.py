"""Methods of objects passed as arguments, resolved from their classes when the code is compiled.

An argument that is an object of a user class (a NamedTuple's too) has a known ObjectType: its
class and, for the attributes holding such objects, theirs. After SSA, `model.loss(x)` becomes
`Model.loss(model, x)`, `self.first(x)` (an attribute holding a layer object) becomes
`first = self.first` and `Layer.__call__(first, x)`, a property read `layer.weight` becomes
`Layer.weight.fget(layer)`, a NamedTuple's item `params[0]` its field `params.w`, and
`layer = self.first` (or `for layer in self.layers`) gives `layer` the layer's type: calls of
functions with readable source, which the compiler differentiates like any helper. The classes
are given to the generated code under names of their own (Parsed.lifted); the objects' attributes
are read when the code runs, and differentiated as fields (rules.FIELD).
"""
import inspect

import gast

from . import frontend, ir, runtime, starred, writes
from .errors import UnsupportedSyntax


def resolve_methods(program):
    """Afterwards every call of a method of an object whose type is known names the class's function."""
    resolver = _Resolver(program)
    resolver.versions()
    if program.parsed.static_types:
        program.tree.body = resolver.block(program.tree.body)
    _check_calls_for_effect(program)


def _check_calls_for_effect(program):
    """A method called as a statement is called for what it changes. When what it calls is only
    known when the code runs (an object taken out of a list, a method the class does not define),
    the compiler cannot see that change: say so, rather than differentiate as if nothing changed."""
    parsed = program.parsed
    for stmt in ir.statements(program.tree.body):
        call = stmt.value if isinstance(stmt, gast.Expr) else None
        if not (isinstance(call, gast.Call) and isinstance(call.func, gast.Attribute)
                and isinstance(call.func.value, gast.Name)) or writes.store_kind(call) \
                or parsed.resolve(call.func) is not None:
            continue
        name = program.namer.origin.get(call.func.value.id, call.func.value.id)
        lineno = getattr(stmt, "lineno", parsed.tree.lineno)
        raise UnsupportedSyntax(
            f"`{name}.{call.func.attr}(...)` is called for what it changes, and what `{name}` is (so what the "
            f"method does to it) is only known when the code runs", parsed.filename, lineno,
            getattr(stmt, "col_offset", 0) + parsed.col_offset, parsed.line_text(lineno),
            f"pass the object as an argument of the differentiated function or bind it to a module-level "
            f"name (then its class is known when compiling), or make the method return the new value: "
            f"`{name}_v = {name}.{call.func.attr}(...)`")


class _Resolver:
    def __init__(self, program):
        self.program, self.parsed, self.types = program, program.parsed, program.parsed.static_types
        self.classes = {}              # class -> the name generated code calls it by
        self.plain_copies = {}         # method taking `*args` -> its copy taking a tuple (starred.py)

    def versions(self):
        """The versions of an object have its type: what a store into it defines (`cell_1 =
        rt.write(cell.h, v)`), a copy, a phi joining versions (to a fixpoint: a loop's phi reads a
        version defined later)."""
        assigns = [s for s in ir.statements(self.program.tree.body) if isinstance(s, gast.Assign)]
        changed = True
        while changed:
            changed = False
            for stmt in assigns:
                name = ir.target_name(stmt)
                kinds = {self.types[s] for s in _sources(stmt) if s in self.types} | self._made(stmt)
                if name not in self.types and len(kinds) == 1:
                    self.types[name] = kinds.pop()
                    changed = True

    def block(self, stmts):
        out = []
        for stmt in stmts:
            for field in ("body", "orelse"):
                if isinstance(getattr(stmt, field, None), list):
                    setattr(stmt, field, self.block(getattr(stmt, field)))
            if isinstance(stmt, gast.Assign):
                stmt.value = self._field_read(stmt.value)
                self._note_type(ir.target_name(stmt), stmt.value)
            call = stmt.value if isinstance(stmt, (gast.Assign, gast.Expr)) else None
            if isinstance(call, gast.Call):
                out += self._receiver_of_attribute_object(call, stmt)
                out += self._resolve(call, stmt)
            out.append(stmt)
        return out

    def _made(self, stmt):
        """{the ObjectType of the object `obj = rt.new(C)` makes (inline.py)}, or nothing."""
        call = stmt.value
        if isinstance(call, gast.Call) and self.parsed.resolve(call.func) is runtime.new:
            cls = self.parsed.resolve(call.args[0])
            if isinstance(cls, type):
                return {frontend.ObjectType(cls)}
        return set()

    def _field(self, node):
        """The ObjectType of `t.a` when t's type holds an object in a, else None."""
        if isinstance(node, gast.Attribute) and isinstance(node.value, gast.Name) and node.value.id in self.types:
            return dict(self.types[node.value.id].fields).get(node.attr)
        return None

    def _field_read(self, value):
        """A NamedTuple's item at a constant position (`w, c = params` unpacks by position) is its
        field: `params.w`; a property is its getter called: `Layer.weight.fget(layer)`."""
        base = getattr(value, "value", None)
        kind = self.types.get(getattr(base, "id", None))
        if kind is None or isinstance(kind, frontend.ObjectList):
            return value
        if isinstance(value, gast.Subscript) and isinstance(value.slice, gast.Constant) and \
                hasattr(kind.cls, "_fields") and isinstance(value.slice.value, int):
            return ir.at(gast.Attribute(base, kind.cls._fields[value.slice.value], gast.Load()), value)
        if isinstance(value, gast.Attribute) and \
                isinstance(inspect.getattr_static(kind.cls, value.attr, None), property):
            getter = gast.Attribute(gast.Attribute(ir.name(self._class_name(kind.cls)), value.attr, gast.Load()),
                                    "fget", gast.Load())
            return ir.at(gast.Call(ir.at(getter, value), [base], []), value)
        return value

    def _note_type(self, name, value):
        """`layer = self.first`, `layers = self.layers`, `layer = layers[i]` (also a loop over a
        list of layers, which runs over its indices) give the name a type."""
        kind = self._field(value)
        if isinstance(value, gast.Subscript) and isinstance(value.value, gast.Name) and \
                isinstance(self.types.get(value.value.id), frontend.ObjectList):
            kind = self.types[value.value.id].element
        if kind is not None:
            self.types[name] = kind

    def _receiver_of_attribute_object(self, call, stmt):
        """`self.first(x)`: `first = self.first` before the call, which then calls `first(x)`."""
        kind = self._field(call.func)
        if kind is None or isinstance(kind, frontend.ObjectList):
            return []
        name = self.program.namer.fresh(call.func.attr)
        self.types[name] = kind
        fetch = ir.assign(name, call.func, stmt)
        call.func = ir.at(ir.name(name), stmt)
        return [fetch]

    def _resolve(self, call, stmt):
        """The call of the class's function; the statements to run before it (the tuple a method taking
        `*args` is passed, see starred.pack_star_arguments)."""
        func = call.func
        if isinstance(func, gast.Name) and func.id in self.types:          # an object called: __call__
            receiver, method = func, "__call__"
        elif isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) and func.value.id in self.types:
            receiver, method = func.value, func.attr
        else:
            return []
        cls = self.types[receiver.id].cls
        try:
            attribute = inspect.getattr_static(cls, method)
        except AttributeError:
            return []                   # an attribute of the instance: known only when the code runs
        if not isinstance(attribute, (staticmethod, classmethod)) and not inspect.isfunction(attribute):
            return []
        call.func = ir.at(gast.Attribute(ir.name(self._class_name(cls)), method, gast.Load()), func)
        if inspect.isfunction(attribute):
            call.args = [ir.name(receiver.id)] + call.args
        function = attribute.__func__ if isinstance(attribute, staticmethod) else attribute
        if isinstance(attribute, classmethod) or not starred.takes_star(function):
            return []
        before = []

        def as_tuple(extra, call):
            name = self.program.namer.fresh("items")
            before.append(ir.assign(name, gast.Tuple(extra, gast.Load()), stmt))
            return ir.name(name)
        starred.pack_star_arguments(call, function, self.program.namer, self.parsed, self.plain_copies, as_tuple)
        return before

    def _class_name(self, cls):
        if cls not in self.classes:
            self.classes[cls] = self.program.namer.fresh(cls.__name__)
            self.parsed.static_locals[self.classes[cls]] = self.parsed.lifted[self.classes[cls]] = cls
        return self.classes[cls]


def _sources(stmt):
    """The names whose object an assignment's target is for certain, as a version or a copy of it."""
    if ir.is_phi(stmt):
        return [a for a in ir.phi_args(stmt) if a]
    if writes.is_write(stmt):
        return [writes.parts(stmt)[0]]
    return [stmt.value.id] if isinstance(stmt.value, gast.Name) else []
