"""Calls that change an object, inlined: a class called to make an object, and a method that stores
into its object's attributes (`self.h = ...`), become their bodies run on the object.

Python runs `cell.step(x)` by changing the object `cell` names. Inlined, that change is a store into
an attribute of `cell` in this function (`cell.h = np.tanh(cell.W @ x_1 + cell.U @ cell.h)`), which
the state model follows like a store into an array (writes.py, aliases.py): versions, aliases,
restores, adjoint buffers. A class called to make an object (`cell = Cell(W, U)`) becomes
`cell = rt.new(Cell)` and the body of its `__init__`; a dataclass's generated `__init__` is its
fields stored in order (then its `__post_init__`).

A method is inlined where its object's class is known here: a parameter's (from the object passed),
or the class that made it in this function. Its statements carry the line of the call, so errors and
comments point there. A method that cannot be inlined (a `return` before its end, `*args`, a nested
function) is rejected at the call, naming the method and what to write instead. Methods that do not
store into their object stay calls, differentiated as helpers (methods.py).
"""
import builtins
import copy
import dataclasses
import inspect
import weakref

import gast
import numpy as np

from . import fence, frontend, ir, runtime
from .errors import AdjointError, UnsupportedSyntax

_DEPTH = 8      # methods inlined inside inlined methods, at most


def inline_calls(tree, namer, parsed):
    """Afterwards no statement calls a class of the user's to make an object, nor a method that stores
    into its object, on a name whose class is known here: each is `rt.new(C)` and the call's body."""
    classes = classes_known(tree, parsed)
    if not classes and not any(made_class(n, parsed) for n in ir.walk(tree)):
        return tree
    tree.body = _Inliner(namer, parsed, classes).block(tree.body, 0)
    return tree


def stores_into_self(fn):
    """Whether the method fn stores into an attribute of its first parameter (or calls a method of it
    that does), so that calling it changes the object."""
    known = _STORES.get(fn)
    if known is not None and known[0] is fn.__code__:
        return known[1]
    _STORES[fn] = (fn.__code__, False)      # (a recursive method sees no store of its own yet)
    try:
        tree = frontend.parse(fn).tree
    except AdjointError:                    # (no source: said where it is differentiated, if it is)
        return False
    params = tree.args.args
    found = bool(params) and _stores_into(tree, params[0].id, fn)
    _STORES[fn] = (fn.__code__, found)
    return found


_STORES = weakref.WeakKeyDictionary()       # method -> (its code, whether it stores into its object)


def _stores_into(tree, me, fn):
    """Whether the function tree stores into an attribute of `me` or calls a method of it that does."""
    owner = _owner_class(fn)
    for node in ir.walk(tree):
        targets = node.targets if isinstance(node, gast.Assign) else [node.target] \
            if isinstance(node, (gast.AugAssign, gast.AnnAssign)) else []
        for target in targets:
            if any(isinstance(t, gast.Attribute) and isinstance(t.value, gast.Name) and t.value.id == me
                   for t in ir.walk(target)):
                return True
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and \
                isinstance(node.func.value, gast.Name) and node.func.value.id == me and owner is not None:
            method = inspect.getattr_static(owner, node.func.attr, None)
            if inspect.isfunction(method) and stores_into_self(method):
                return True
    return False


def _owner_class(fn):
    """The class a function was defined in (from its qualified name), or None."""
    parts = getattr(fn, "__qualname__", "").split(".")
    owner = inspect.getmodule(fn)
    for part in parts[:-1]:
        owner = getattr(owner, part, None)
    return owner if isinstance(owner, type) else None


def made_class(call, parsed):
    """The class a call makes an object of, when inline_calls makes it `rt.new(C)` and the body of
    its `__init__` (a user class with no `__new__` of its own, not frozen), else None."""
    if not isinstance(call, gast.Call):
        return None
    cls = parsed.resolve(call.func)
    if not isinstance(cls, type) or frontend.in_library(cls) or \
            issubclass(cls, (tuple, list, dict, set, np.ndarray, BaseException)) or \
            cls.__new__ is not object.__new__:
        return None
    if dataclasses.is_dataclass(cls):
        frozen = cls.__dataclass_params__.frozen
        init = cls.__dataclass_params__.init
        return cls if init and not frozen else None
    if cls.__init__ is object.__init__ or inspect.isfunction(cls.__init__) and _plain_parameters(cls.__init__):
        return cls
    return None


def _plain_parameters(fn):
    """Whether fn takes plain parameters only (no `*args`, `**kwargs`, keyword-only ones)."""
    kinds = {p.kind for p in inspect.signature(fn).parameters.values()}
    return kinds <= {inspect.Parameter.POSITIONAL_OR_KEYWORD}


def classes_known(tree, parsed):
    """name -> the class of the object it names on every path: a parameter whose object's class is
    known and that is never rebound, or a name bound only to new objects of one class."""
    bound = {}
    for node in ir.walk(tree):
        if isinstance(node, gast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], gast.Name):
            bound.setdefault(node.targets[0].id, []).append(made_class(node.value, parsed))
        elif isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
            bound.setdefault(node.id, [])
    for node in ir.walk(tree):            # (a name rebound by a loop, a tuple target, `+=`: unknown)
        if isinstance(node, (gast.For, gast.AugAssign)) or \
                isinstance(node, gast.Assign) and not isinstance(node.targets[0], gast.Name):
            target = node.target if not isinstance(node, gast.Assign) else node.targets[0]
            for name in ir.walk(target):
                if isinstance(name, gast.Name) and isinstance(name.ctx, gast.Store):
                    bound[name.id] = [None]
    classes = {p: kind.cls for p, kind in parsed.static_types.items()
               if p not in bound and not isinstance(kind, frontend.ObjectList)}
    for name, made in bound.items():
        if made and None not in made and len(set(made)) == 1 and name not in parsed.params:
            classes[name] = made[0]
    return classes


class _Inliner:
    def __init__(self, namer, parsed, classes):
        self.namer, self.parsed, self.classes = namer, parsed, classes

    def block(self, stmts, depth):
        out = []
        for stmt in stmts:
            for field in ("body", "orelse"):
                if isinstance(getattr(stmt, field, None), list):
                    setattr(stmt, field, self.block(getattr(stmt, field), depth))
            inlined = self.statement(stmt)
            if inlined is None:
                out.append(stmt)
            elif depth >= _DEPTH:
                raise self._reject(stmt, "methods that store into their object call each other too deeply to "
                                         "inline", "call fewer methods that store into `self` from one another")
            else:
                out += self.block(inlined, depth + 1)
        return out

    def statement(self, stmt):
        """The statements stmt becomes, or None when it is kept. A call to inline inside an expression
        (`outputs.append(cell.step(x))`, `y = 2 * cell.step(x)`) is first hoisted into a statement of
        its own, when nothing else in the statement reads its object (which the call changes)."""
        call = stmt.value if isinstance(stmt, (gast.Assign, gast.Expr)) else None
        target = stmt.targets[0] if isinstance(stmt, gast.Assign) else None
        if isinstance(call, gast.Call) and (target is None or isinstance(target, gast.Name)) and self._inlined(call):
            return self._inline(call, target.id if target is not None else None, stmt)
        calls = [c for c in _calls(stmt) if self._inlined(c)]
        if not calls:
            return None
        if len(calls) > 1 or not isinstance(stmt, (gast.Assign, gast.Expr, gast.Return)) or _conditional(stmt, calls[0]):
            raise self._reject(stmt, "a call that changes an object is part of a larger expression here, where "
                                     "adjoint cannot tell what runs first", "call it in a statement of its own: "
                                     "`result = obj.method(...)`, then use `result`")
        receiver = getattr(getattr(calls[0].func, "value", None), "id", None)
        if receiver is not None and sum(isinstance(n, gast.Name) and n.id == receiver for n in ir.walk(stmt)) > 1:
            raise self._reject(stmt, f"`{receiver}` is read in the same statement as a call that changes it",
                               "call the method in a statement of its own first")
        temp = self.namer.fresh(getattr(calls[0].func, "attr", None) or "made")
        _replace(stmt, calls[0], ir.name(temp))
        return self._inline(calls[0], temp, stmt) + [stmt]

    def _inlined(self, call):
        """Whether the call is inlined: it makes an object of a user class, or calls a method that
        stores into its object, on a name whose class is known."""
        if made_class(call, self.parsed) is not None:
            return True
        func = call.func
        if not (isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) and func.value.id in self.classes):
            return False
        method = inspect.getattr_static(self.classes[func.value.id], func.attr, None)
        return inspect.isfunction(method) and stores_into_self(method)

    def _inline(self, call, target, stmt):
        cls = made_class(call, self.parsed)
        if cls is not None:
            if target is None:
                raise self._reject(stmt, f"an object of `{cls.__name__}` made and dropped",
                                   f"bind it to a name: `obj = {cls.__name__}(...)`")
            return self._construct(cls, call, target, stmt)
        receiver, cls = call.func.value.id, self.classes[call.func.value.id]
        method = inspect.getattr_static(cls, call.func.attr)
        self._remember(cls, call.func.attr, method)
        return self._body(method, receiver, call.args, call.keywords, stmt,
                          ir.name(target, store=True) if target is not None else None)

    def _construct(self, cls, call, name, stmt):
        """`name = rt.new(C)`, then the body of C's `__init__` on it."""
        made = gast.Call(gast.Attribute(ir.name(self.namer.runtime_name()), "new", gast.Load()),
                         [ir.clone(call.func)], [])
        self.parsed.static_locals[self.namer.runtime_name()] = runtime
        out = [ir.assign(name, made, stmt)]
        if dataclasses.is_dataclass(cls):
            out += self._fields(cls, call, name, stmt)
            post = getattr(cls, "__post_init__", None)
            if inspect.isfunction(post):
                out += self._body(post, name, [], [], stmt, None)
        elif cls.__init__ is not object.__init__:
            self._remember(cls, "__init__", cls.__init__)
            out += self._body(cls.__init__, name, call.args, call.keywords, stmt, None)
        elif call.args or call.keywords:
            raise self._reject(stmt, f"`{cls.__name__}()` takes no arguments", f"call `{cls.__name__}()`")
        return out

    def _fields(self, cls, call, name, stmt):
        """A dataclass's `__init__`: each field stored in order, from its argument or its default."""
        try:
            bound = inspect.signature(cls).bind(*call.args, **{k.arg: k.value for k in call.keywords}).arguments
        except TypeError as exc:
            raise self._reject(stmt, f"`{cls.__name__}(...)`: {exc}", "pass one argument per field") from None
        out = []
        for f in dataclasses.fields(cls):
            if not f.init:
                continue
            if f.name in bound:
                value = bound[f.name]
            elif f.default is not dataclasses.MISSING:
                value = self._static(f.default, f.name)
            elif f.default_factory in (list, dict):        # (as a display: `[]`, `{}`)
                value = gast.List([], gast.Load()) if f.default_factory is list else gast.Dict([], [])
            else:
                value = gast.Call(self._static(f.default_factory, f"{f.name}_factory"), [], [])
            out.append(ir.assign(gast.Attribute(ir.name(name), f.name, gast.Store()), value, stmt))
        return out

    def _static(self, value, base):
        """A node for a value known when compiling: a constant, or a name generated code is given."""
        if value is None or isinstance(value, (bool, int, float, str)):
            return ir.const(value)
        name = self.namer.fresh(base)
        self.parsed.static_locals[name] = self.parsed.lifted[name] = value
        return ir.name(name)

    def _body(self, fn, receiver, args, keywords, stmt, target):
        """The statements of the method fn run on the object named receiver: its parameters bound to
        the call's arguments (each read once, in order), its locals renamed, its return value
        assigned to target."""
        name = fn.__qualname__
        method = fence.fence(frontend.parse(fn))
        tree = method.tree
        arguments = tree.args
        if arguments.vararg or arguments.kwarg or not arguments.args:
            raise self._reject(stmt, f"`{name}` stores into its object and takes `*args` or `**kwargs`, which "
                                     "adjoint does not inline", "give it plain parameters")
        body = copy.deepcopy(tree.body)
        returns = [n for n in ir.walk(gast.Module(body, [])) if isinstance(n, gast.Return)]
        if returns and not (len(returns) == 1 and body[-1] is returns[0]):
            raise self._reject(stmt, f"`{name}` stores into its object and returns before its end, which adjoint "
                                     "does not inline", "return once, at the end of the method")
        if any(isinstance(n, (gast.FunctionDef, gast.Lambda)) for n in ir.walk(gast.Module(body, []))):
            raise self._reject(stmt, f"`{name}` stores into its object and defines a function inside, which "
                                     "adjoint does not inline", "define the function at module level")
        me, params = arguments.args[0].id, [a.id for a in arguments.args[1:]]
        stored = {n.id for n in ir.walk(gast.Module(body, [])) if isinstance(n, gast.Name)
                  and isinstance(n.ctx, gast.Store)}
        if me in stored:
            raise self._reject(stmt, f"`{name}` rebinds `{me}`", f"use another name than `{me}` for the new value")
        try:
            bound = inspect.signature(fn).bind(None, *args, **{k.arg: k.value for k in keywords}).arguments
        except TypeError as exc:
            raise self._reject(stmt, f"`{name}(...)`: {exc}", "pass the arguments the method takes") from None
        signature = inspect.signature(fn).parameters
        rename, out = {me: receiver}, []
        for param in params:
            value = bound[param] if param in bound else self._static(signature[param].default, param)
            if isinstance(value, gast.Name) and param not in stored:
                rename[param] = value.id        # (read, never rebound: the caller's variable itself)
            else:
                rename[param] = self.namer.fresh(param)
                out.append(ir.assign(rename[param], value, stmt))
        rename.update({local: self.namer.fresh(local) for local in sorted(stored - set(params))})
        rename.update(self._free_names(method, body, set(rename) | set(params)))
        body = [_renamed(s, rename) for s in _earlier_passes(body, self.namer, method)]
        if returns:
            result = body.pop().value
            if target is not None:
                body.append(ir.assign(target, result if result is not None else ir.const(None), stmt))
        elif target is not None:
            body.append(ir.assign(target, ir.const(None), stmt))
        for node in ir.walk(gast.Module(body, [])):
            if hasattr(node, "lineno"):     # (the method's lines are in another file: point at the call)
                node.lineno, node.col_offset = stmt.lineno, getattr(stmt, "col_offset", 0)
        return out + body

    def _free_names(self, method, body, local):
        """{name: name here} for the globals the method reads: the same name where it means the same
        object here (or nothing yet), else a fresh name generated code is given."""
        rename = {}
        for node in ir.walk(gast.Module(body, [])):
            if not isinstance(node, gast.Name) or node.id in local or node.id in rename:
                continue
            value = method.namespace.get(node.id, getattr(builtins, node.id, None))
            mine = self.parsed.namespace.get(node.id, self.parsed.static_locals.get(node.id))
            if mine is value:
                continue
            if mine is None and node.id not in self.namer.taken:
                self.parsed.namespace[node.id] = self.parsed.lifted[node.id] = value
                self.namer.reserve(node.id)
                continue
            fresh = self.namer.fresh(node.id)
            self.parsed.static_locals[fresh] = self.parsed.lifted[fresh] = value
            rename[node.id] = fresh
        return rename

    def _remember(self, cls, attribute, fn):
        """The compiled code holds the method's body: redefining the method must compile again."""
        owner = next((c for c in cls.__mro__ if attribute in vars(c)), cls)
        self.parsed.object_reads.append((vars(owner), attribute, vars(owner).get(attribute, fn)))

    def _reject(self, stmt, message, hint):
        lineno = getattr(stmt, "lineno", self.parsed.tree.lineno)
        return UnsupportedSyntax(message, self.parsed.filename, lineno,
                                 getattr(stmt, "col_offset", 0) + self.parsed.col_offset,
                                 self.parsed.line_text(lineno), hint)


def _earlier_passes(body, namer, method):
    """A method's body after the passes that run before this one (but lift: a nested function was
    rejected), as the function's own body is; method is its Parsed function."""
    from .pipeline import PASSES, READS_FUNCTION
    module = gast.Module(body, [])
    for stage, run, _ in PASSES:
        if stage == "inline":
            return module.body
        if stage != "lift":
            module = run(module, namer, *((method,) if stage in READS_FUNCTION else ())) or module
    raise AssertionError("no inline pass in the pass table")


def _renamed(node, rename):
    for sub in ir.walk(node):
        if isinstance(sub, gast.Name) and sub.id in rename:
            sub.id = rename[sub.id]
    return node


def _calls(stmt):
    """The calls in the expressions a simple statement evaluates (not in nested statements)."""
    parts = [stmt.value] if isinstance(stmt, (gast.Assign, gast.Expr, gast.Return)) and stmt.value is not None \
        else [getattr(stmt, "test", None), getattr(stmt, "iter", None)]
    return [n for part in parts if part is not None for n in ir.walk(part) if isinstance(n, gast.Call)]


def _conditional(stmt, call):
    """Whether the call may not run, or run more than once, when the statement runs: inside one arm
    of `a if c else b`, `and`/`or`, a lambda or a comprehension."""
    for node in ir.walk(stmt):
        if isinstance(node, (gast.IfExp, gast.BoolOp, gast.Lambda, gast.ListComp, gast.SetComp, gast.DictComp,
                             gast.GeneratorExp)) and any(n is call for n in ir.walk(node)):
            return True
    return False


def _replace(tree, old, new):
    """Put new where old is in tree (one node)."""
    for node in ir.walk(tree):
        for field, value in gast.iter_fields(node):
            if value is old:
                setattr(node, field, new)
                return
            if isinstance(value, list):
                for k, item in enumerate(value):
                    if item is old:
                        value[k] = new
                        return
