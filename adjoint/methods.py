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

from . import frontend, ir


def resolve_methods(program):
    """Afterwards every call of a method of an object whose type is known names the class's function."""
    parsed = program.parsed
    if not parsed.static_types:
        return
    program.tree.body = _Resolver(program).block(program.tree.body)


class _Resolver:
    def __init__(self, program):
        self.program, self.parsed, self.types = program, program.parsed, program.parsed.static_types
        self.classes = {}              # class -> the name generated code calls it by

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
                self._resolve(call)
            out.append(stmt)
        return out

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

    def _resolve(self, call):
        func = call.func
        if isinstance(func, gast.Name) and func.id in self.types:          # an object called: __call__
            receiver, method = func, "__call__"
        elif isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) and func.value.id in self.types:
            receiver, method = func.value, func.attr
        else:
            return
        cls = self.types[receiver.id].cls
        try:
            attribute = inspect.getattr_static(cls, method)
        except AttributeError:
            return                      # an attribute of the instance: known only when the code runs
        if not isinstance(attribute, (staticmethod, classmethod)) and not inspect.isfunction(attribute):
            return
        call.func = ir.at(gast.Attribute(ir.name(self._class_name(cls)), method, gast.Load()), func)
        if inspect.isfunction(attribute):
            call.args = [ir.name(receiver.id)] + call.args

    def _class_name(self, cls):
        if cls not in self.classes:
            self.classes[cls] = self.program.namer.fresh(cls.__name__)
            self.parsed.static_locals[self.classes[cls]] = self.parsed.lifted[self.classes[cls]] = cls
        return self.classes[cls]
