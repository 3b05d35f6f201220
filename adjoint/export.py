"""Write a derivative as a standalone Python module that imports NumPy (and math), not adjoint.

The module holds the user's function and the helpers, constants and imports it reads, the runtime
functions the generated code calls (copied from adjoint/runtime.py), the generated code exactly as
`adjoint.source` prints it, and small `grad` / `value_and_grad` (or `jvp`) entry points.

Limitations: a name is copied only if it is bound at the top level of its module (by `def`,
`class`, `import` or an assignment) or holds a plain literal; functions you wrote are copied from
their source without decorators; a module of your own used as `helpers.f(x)` is not copied (import
the function by name instead); all copied names share one namespace, so a name that means different
things in two of your modules is refused; the only adjoint function the code may call at run time
is `stop_gradient`.
"""
import ast
import builtins
import copy
import inspect
import io
import math
import os
import symtable
import sysconfig
import tokenize

import numpy as np

from . import api, cache, callables, driver, frontend, runtime
from .emit import to_source
from .errors import AdjointError
from .frontend import unwrap
from .shapes import shape_of

_LIBRARY_DIRS = tuple(os.path.realpath(sysconfig.get_paths()[key]) + os.sep
                      for key in ("stdlib", "platstdlib", "purelib", "platlib"))
_ADJOINT_STUB = "class {name}:\n    \"\"\"Stands in for the adjoint package: the code only calls stop_gradient.\"\"\"\n\n" \
                "    @staticmethod\n    def stop_gradient(x):\n        return x\n"
_STOP_GRADIENT_STUB = "def {name}(x):\n    \"\"\"adjoint.stop_gradient: x itself.\"\"\"\n    return x\n"


class ExportError(AdjointError):
    """The derivative cannot be written as a module that runs without adjoint."""


def export(f, path=None, wrt=0, mode="reverse", args=None, optimize=True, command=None):
    """The standalone module's source for the derivative of f; also written to `path` if given."""
    text = _Exporter(f, wrt, mode, args, optimize, command).module()
    if path is not None:
        with open(path, "w", encoding="utf-8") as out:
            out.write(text)
    return text


class _Exporter:
    """Collects what the generated code needs, then writes it out in dependency order."""

    def __init__(self, f, wrt, mode, args, optimize, command):
        if mode not in ("reverse", "forward"):
            raise AdjointError(f"mode must be 'reverse' or 'forward', not {mode!r}")
        self.fn, self.mode, self.command = unwrap(f), mode, command
        if callables.plain(self.fn) is not self.fn:
            raise ExportError(f"cannot export {api._name(self.fn)}: a bound method, callable object or partial "
                              "holds objects that an exported module cannot copy; export a function that "
                              "takes what it reads as arguments")
        self.wrt, _ = api._wrt_names(self.fn, wrt)
        params = list(inspect.signature(self.fn).parameters)
        kinds = dict(zip(params, (shape_of(a) for a in args))) if args is not None else {}
        build = driver.build_forward if mode == "forward" else driver.build_reverse
        self.generated = build(self.fn, self.wrt, kinds, optimize=optimize)
        self.units = cache.unit(self.generated)
        self.names = self.generated.names           # np / math / rt as the exported code spells them
        self.defined = {}      # name -> the value it holds in the user's code
        self.imports = {}      # name -> import statement
        self.statements = {}   # (module rank, line, name) -> source of a copied definition
        self.modules = []      # globals dicts of the user's modules, in order of discovery
        self.attributes = {}   # name -> attributes read from it (rt.like, adjoint.stop_gradient)
        self.adjoint_names = set()   # names bound to the adjoint package (replaced by a stand-in)

    def module(self):
        """The text of the exported module."""
        self._need(self.fn.__name__, self.fn.__globals__, _closure(self.fn))
        texts = [cache.render(g) for g in self.units]
        for g, text in zip(self.units, texts):
            own = {d.name for d in g.defs} | set(g.imports)
            specials = {g.names["np"]: "np", g.names["math"]: "math"}
            for name in self._free_names(text) - own - {g.names["rt"]}:
                if name in specials:
                    exported = self.names[specials[name]]
                    self._need(exported, {exported: np if specials[name] == "np" else math})
                else:       # (a function lifted out of the user's, which no global names, included)
                    self._need(name, g.fn.__globals__, {**_closure(g.fn), **g.parsed.lifted})
        generated = self._generated_code(texts)
        wanted = set()
        for g, text in zip(self.units, texts):
            wanted |= _attributes_of(text, g.names["rt"])
        entry_points = self._entry_points(generated)
        if entry_points:
            wanted.add("like")
        rt_code = ""
        if wanted:
            self._need(self.names["np"], {self.names["np"]: np})
            rt_code = _runtime_factory(sorted(wanted), self.names["rt"])
        stop = set().union(*(self.attributes.get(n, set()) for n in self.adjoint_names)) - {"stop_gradient"}
        if stop:
            raise ExportError(f"the code calls adjoint.{sorted(stop)[0]} at run time; an exported module "
                              "cannot use adjoint")
        parts = [self._docstring(entry_points), self._import_block()]
        if self.statements:
            parts.append(f"# --- {self.fn.__name__} and what it reads, copied from your code ---\n\n"
                         + _join([self.statements[k] for k in sorted(self.statements)]))
        if rt_code:
            parts.append("# --- the adjoint runtime functions the generated code calls ---\n\n" + rt_code)
        parts.append("# --- generated by adjoint ---\n\n" + generated)
        if entry_points:
            parts.append("# --- entry points ---\n\n" + entry_points)
        return "\n\n".join(part.rstrip("\n") + "\n" for part in parts)

    # -- what the code needs ------------------------------------------------------------------

    def _need(self, name, namespace, closure=None):
        """Define `name`, as code running in `namespace` sees it, in the exported module."""
        closure = closure or {}
        if name in closure:
            value = closure[name]
        elif name in namespace:
            value = namespace[name]
        elif hasattr(builtins, name):
            return
        else:
            raise ExportError(f"{name!r} is not defined in {_where(namespace)}")
        value = unwrap(value)
        if name in self.defined:
            if self.defined[name] is not value:
                raise ExportError(f"{name!r} means different things in two places of the exported code; "
                                  "rename one of them")
            return
        self.defined[name] = value
        if inspect.ismodule(value):
            self._need_module(name, value, namespace)
        elif value in frontend.LIFTED or getattr(value, "__name__", None) == "<lambda>":
            self._copy_definition(name, value)
        elif inspect.isfunction(value) and _is_user_code(value):
            self._copy_function(name, value)
        elif inspect.isfunction(value) and _is_adjoint(value):
            if value is not api.stop_gradient:
                raise ExportError(f"the code calls adjoint.{value.__name__} at run time; an exported module "
                                  "cannot use adjoint")
            self.imports[name] = _STOP_GRADIENT_STUB.format(name=name)
        else:
            self._copy_binding(name, value, namespace)

    def _need_module(self, name, value, namespace):
        """An import for a library module, a stand-in for adjoint; your own modules are refused."""
        if _is_adjoint(value):
            self.adjoint_names.add(name)
            self.imports[name] = _ADJOINT_STUB.format(name=name)
        elif _is_user_code(value):
            raise ExportError(f"the code reads your module {value.__name__} as {name!r}; export copies "
                              f"functions, not modules: write `from {value.__name__} import ...` instead")
        else:
            self.imports[name] = _import_statement(name, value, _top_level(namespace).get(name))

    def _copy_function(self, name, fn):
        """Copy a function you wrote (without decorators) and what it reads."""
        try:
            lines, start = inspect.getsourcelines(fn)
        except OSError as exc:
            raise ExportError(f"cannot copy {fn.__qualname__}: {exc}") from None
        text = _dedent("".join(lines))
        node = ast.parse(text).body[0]
        text = "".join(text.splitlines(True)[node.lineno - 1:])     # drop the decorators
        if name != fn.__name__:
            self._need(fn.__name__, {fn.__name__: fn})
            text, start = f"{name} = {fn.__name__}\n", start + 1
        self._add(text, fn.__globals__, start, name, _closure(fn))

    def _copy_definition(self, name, fn):
        """Copy a function the compiler reads as a `def` it made: one lifted out of the user's
        (a nested function or lambda, with its captured variables as parameters) or a lambda."""
        tree = copy.deepcopy(frontend.parse(fn).tree)
        tree.name = name
        self._add(to_source(tree), fn.__globals__, tree.lineno, name, _closure(fn))

    def _copy_binding(self, name, value, namespace):
        """Copy the top-level statement that binds `name`, or write a literal's value."""
        binding = _top_level(namespace).get(name)
        if isinstance(binding, (ast.Import, ast.ImportFrom)):
            self.imports[name] = _import_statement(name, value, binding)
        elif binding is not None:
            text = _source(namespace)
            first = min([binding.lineno] + [d.lineno for d in getattr(binding, "decorator_list", [])])
            segment = "".join(text.splitlines(True)[first - 1:binding.end_lineno])
            for other in _bound_names(binding):
                self.defined.setdefault(other, namespace.get(other))
            self._add(segment, namespace, first, name)
        elif _is_literal(value):
            self._add(f"{name} = {value!r}\n", namespace, 0, name)
        else:
            raise ExportError(f"cannot copy {name!r} from {_where(namespace)}: it is not bound by a top-level "
                              f"statement there and is not a literal ({type(value).__name__})")

    def _add(self, text, namespace, line, name, closure=None):
        """Emit `text`, copied from `namespace`'s module at `line`, and what it reads."""
        if not any(m is namespace for m in self.modules):
            self.modules.append(namespace)
        rank = 1 if namespace is self.fn.__globals__ else -self.modules.index(namespace) - 1
        self.statements[(rank, line, name)] = text
        for free in self._free_names(text):
            self._need(free, namespace, closure)

    def _free_names(self, text):
        """Global names the code reads; remembers the attributes read from each (`rt.like`)."""
        for base, attributes in _attribute_reads(text).items():
            self.attributes.setdefault(base, set()).update(attributes)
        return _free_names(text)

    # -- writing ----------------------------------------------------------------------------------

    def _generated_code(self, texts):
        """The rendered units, renamed where two of them (or your code) use the same name."""
        taken = set(self.defined) | set(self.names.values()) | {"grad", "value_and_grad", "jvp",
                                                                  "_adjoint_runtime"}
        final = {}
        for g in self.units:
            for d in g.defs:
                name, k = d.name, 1
                while name in taken:
                    name, k = f"{d.name}_{k}", k + 1
                taken.add(name)
                final[(id(g), d.name)] = name
        out = []
        for g, text in zip(self.units, texts):
            renames = {d.name: final[(id(g), d.name)] for d in g.defs}
            renames.update({alias: final[(id(dep), function)] for alias, (dep, function) in g.imports.items()})
            renames.update({g.names[k]: self.names[k] for k in ("np", "math", "rt")})
            out.append(_rename(text, renames))
        self.entry = final[(id(self.generated), self.generated.entry)]
        return "\n".join(out)

    def _entry_points(self, generated):
        """`grad` and `value_and_grad` (reverse mode) or `jvp` (forward mode) around the entry."""
        entry = next(node for node in ast.parse(generated).body
                     if isinstance(node, ast.FunctionDef) and node.name == self.entry)
        arguments = entry.args
        if arguments.vararg or arguments.kwarg or arguments.posonlyargs or \
                any(name in self.defined for name in ("grad", "value_and_grad", "jvp")):
            return ""
        rt, name = self.names["rt"], self.fn.__name__
        if self.mode == "forward":
            call = _call(arguments)
            return (f"def jvp({ast.unparse(arguments)}):\n"
                    f"    \"\"\"{name}'s value and its derivative along the tangents, as adjoint.jvp gives them.\"\"\"\n"
                    f"    value, tangent = {self.entry}({call})\n"
                    f"    return value, {rt}.like(tangent, value)\n")
        arguments.args = arguments.args[:-1]          # the output seed dout
        arguments.defaults = arguments.defaults[:-1]
        wrt = self.wrt[0] if len(self.wrt) == 1 else self.wrt
        if len(self.wrt) == 1:
            gradient = f"{rt}.like(gradient, {self.wrt[0]})"
        else:
            gradient = "(" + ", ".join(f"{rt}.like(gradient[{i}], {w})" for i, w in enumerate(self.wrt)) + ")"
        return (f"def value_and_grad({ast.unparse(arguments)}):\n"
                f"    \"\"\"{name}(...) and its gradient, as adjoint.value_and_grad({name}, wrt={wrt!r}) gives them.\"\"\"\n"
                f"    value, gradient = {self.entry}({_call(arguments)})\n"
                f"    return value, {gradient}\n\n\n"
                f"def grad({ast.unparse(arguments)}):\n"
                f"    \"\"\"The gradient of {name}, as adjoint.grad({name}, wrt={wrt!r}) gives it.\"\"\"\n"
                f"    return value_and_grad({_call(arguments)})[1]\n")

    def _docstring(self, entry_points):
        """The module docstring: what was differentiated, how, and what to call."""
        from . import __version__
        filename = os.path.basename(inspect.getsourcefile(self.fn) or "?")
        lines = [f"{self.mode.capitalize()}-mode derivative of {self.fn.__name__} ({filename}) with respect to "
                 f"{', '.join(self.wrt)}, generated by adjoint {__version__}."]
        if self.command:
            lines += ["", "    " + self.command]
        modules = sorted({line.split()[1].split(".")[0] for line in self.imports.values()
                          if line.startswith(("import ", "from "))})
        lines += ["", f"Standalone: imports {', '.join(modules) or 'nothing'}, not adjoint."]
        if entry_points:
            what = "jvp(...) gives (value, tangent)" if self.mode == "forward" else \
                "grad(...) gives the gradient, value_and_grad(...) the value too"
            lines += [f"{what}; {self.entry} is the generated function."]
        return '"""' + "\n".join(lines) + '\n"""'

    def _import_block(self):
        """Sorted import lines, then the stand-ins for adjoint names."""
        plain = sorted(s for s in self.imports.values() if s.startswith(("import ", "from ")))
        stubs = [s for s in self.imports.values() if not s.startswith(("import ", "from "))]
        return "\n".join(plain) + ("\n\n\n" + "\n\n".join(stubs) if stubs else "")


# -- helpers ------------------------------------------------------------------------------------

def _closure(fn):
    """fn's closure variables: name -> value."""
    return dict(zip(fn.__code__.co_freevars, (c.cell_contents for c in fn.__closure__ or ())))


def _is_adjoint(value):
    """True for the adjoint package, its modules and what they define."""
    module = value.__name__ if inspect.ismodule(value) else getattr(value, "__module__", "") or ""
    return module.split(".")[0] == "adjoint"


def _is_user_code(value):
    """True for functions and modules from your files (not the standard library or installed packages)."""
    if _is_adjoint(value):
        return False
    try:
        path = inspect.getsourcefile(value) or inspect.getfile(value)
    except TypeError:                 # builtin modules and functions
        return False
    return not os.path.realpath(path).startswith(_LIBRARY_DIRS)


def _is_literal(value):
    """True if repr(value) is a Python literal that rebuilds value."""
    try:
        return ast.literal_eval(repr(value)) == value and not isinstance(value, (set, dict))
    except (ValueError, SyntaxError, TypeError):
        return False


def _where(namespace):
    """A module's file name, for messages."""
    return os.path.basename(namespace.get("__file__") or namespace.get("__name__", "your module"))


_PARSED = {}      # module source -> its table of top-level bindings


def _source(namespace):
    """The source of the module whose globals are namespace ('' if it has no file)."""
    path = namespace.get("__file__")
    if not path or not os.path.isfile(path):
        return ""
    with open(path, encoding="utf-8") as f:
        return f.read()


def _top_level(namespace):
    """name -> the last top-level statement of namespace's module that binds it."""
    text = _source(namespace)
    if text not in _PARSED:
        table = {}
        for node in ast.parse(text).body if text else []:
            for name in _bound_names(node):
                table[name] = node
        _PARSED[text] = table
    return _PARSED[text]


def _bound_names(node):
    """The names a top-level statement binds."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return [a.asname or a.name.split(".")[0] for a in node.names if a.name != "*"]
    targets = node.targets if isinstance(node, ast.Assign) else \
        [node.target] if isinstance(node, ast.AnnAssign) and node.value is not None else []
    return [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]


def _import_statement(name, value, binding):
    """`import numpy as np` / `from math import pi`: the import that binds `name` to value."""
    if isinstance(binding, ast.Import):
        alias = next(a for a in binding.names if (a.asname or a.name.split(".")[0]) == name)
        return f"import {alias.name}" + (f" as {alias.asname}" if alias.asname else "")
    if isinstance(binding, ast.ImportFrom) and binding.level == 0:
        alias = next(a for a in binding.names if (a.asname or a.name) == name)
        return f"from {binding.module} import {alias.name}" + (f" as {alias.asname}" if alias.asname else "")
    if inspect.ismodule(value):
        return f"import {value.__name__}" + (f" as {name}" if name != value.__name__ else "")
    module, own = getattr(value, "__module__", None), getattr(value, "__name__", None)
    if module and own and getattr(__import__(module, fromlist=["_"]), own, None) is value:
        return f"from {module} import {own}" + (f" as {name}" if name != own else "")
    raise ExportError(f"cannot tell how to import {name!r} ({type(value).__name__}); bind it with a "
                      "top-level import statement")


def _free_names(text):
    """The global names code reads (builtins included)."""
    names = set()

    def visit(table):
        for symbol in table.get_symbols():
            if symbol.is_referenced() and (table.get_type() == "module" or symbol.is_global()):
                names.add(symbol.get_name())
        for child in table.get_children():
            visit(child)
    visit(symtable.symtable(text, "<export>", "exec"))
    return names


def _attribute_reads(text):
    """name -> the attributes read from it: {'rt': {'like', 'unbroadcast'}}."""
    reads = {}
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            reads.setdefault(node.value.id, set()).add(node.attr)
    return reads


def _attributes_of(text, name):
    """The attributes code reads from `name`."""
    return _attribute_reads(text).get(name, set())


def _dedent(text):
    """A method's or nested function's source moved to the top level."""
    lines = text.splitlines(True)
    indent = len(lines[0]) - len(lines[0].lstrip())
    return "".join(line[indent:] if line[:indent].isspace() else line for line in lines)


def _rename(text, renames):
    """text with the names (not attributes, strings or comments) in `renames` replaced."""
    renames = {old: new for old, new in renames.items() if old != new}
    if not renames:
        return text
    lines = text.splitlines(True)
    edits, previous = [], None
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.NAME and token.string in renames and previous != ".":
            edits.append(token)
        previous = token.string if token.type == tokenize.OP else None
    for token in reversed(edits):
        (row, start), (_, end) = token.start, token.end
        line = lines[row - 1]
        lines[row - 1] = line[:start] + renames[token.string] + line[end:]
    return "".join(lines)


def _join(chunks):
    """Top-level code: two blank lines around definitions, none between one-line statements."""
    out = chunks[:1]
    for before, chunk in zip(chunks, chunks[1:]):
        one_liners = before.count("\n") == 1 and chunk.count("\n") == 1
        out.append(chunk if one_liners else "\n\n" + chunk)
    return "".join(out)


def _call(arguments):
    """The call passing a function's own parameters on: `x, y, k=k`."""
    return ", ".join([a.arg for a in arguments.args] + [f"{a.arg}={a.arg}" for a in arguments.kwonlyargs])


def _runtime_factory(wanted, rt_name):
    """Source of a function that defines the runtime functions in `wanted` (and what they call),
    copied from adjoint/runtime.py, and returns them as a namespace; then `rt = ...` calling it."""
    text = inspect.getsource(runtime)
    tree = ast.parse(text)
    table = {name: node for node in tree.body for name in _bound_names(node)}
    keep, work = set(), list(wanted)
    while work:
        node = table.get(work.pop())
        if node is None or id(node) in keep:
            continue
        if isinstance(node, ast.ImportFrom) and node.level:
            raise ExportError("adjoint/runtime.py imports from adjoint; its functions cannot be copied")
        keep.add(id(node))
        work += [n.id for n in ast.walk(node) if isinstance(n, ast.Name) and n.id in table]
    missing = [name for name in wanted if name not in table]
    if missing:
        raise ExportError(f"adjoint/runtime.py has no function {missing[0]!r}")
    lines = text.splitlines(True)
    chunks = ["".join(lines[node.lineno - 1:node.end_lineno]) for node in tree.body if id(node) in keep]
    body = "\n".join(chunks)
    body = "".join("    " + line if line.strip() else line for line in body.splitlines(True))
    namespace = "".join(f"        {name!r}: staticmethod({name}),\n" for name in wanted)
    return ("def _adjoint_runtime():\n"
            "    \"\"\"The functions of adjoint/runtime.py the generated code calls, as rt.<name>.\"\"\"\n"
            f"{body}\n"
            f"    return type(\"rt\", (), {{\n{namespace}    }})\n\n\n"
            f"{rt_name} = _adjoint_runtime()\n")
