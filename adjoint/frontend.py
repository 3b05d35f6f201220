"""Front end: a live function object -> its gast tree, source location and free names."""
import ast
import builtins
import copy
import functools
import inspect
import linecache
import sys
import textwrap
import weakref
from dataclasses import dataclass, field

import gast

from . import ir, standard, trees
from .errors import NoSource, UnsupportedSyntax


@dataclass
class Parsed:
    """A user function as the compiler sees it."""
    fn: object
    tree: gast.FunctionDef          # decorators stripped, line numbers as in the file
    filename: str
    lines: list                     # the file's lines, for error messages
    col_offset: int                 # indentation removed by dedent
    namespace: dict = field(default_factory=dict)   # free name -> object
    static_locals: dict = field(default_factory=dict)   # local -> object known at compile time
    # names the compiler made that generated code must be given: a nested function's name -> its lifted
    # function; the name given to an object argument's class -> the class (pipeline.resolve_methods)
    lifted: dict = field(default_factory=dict)
    # (an object's __dict__, attribute, value) for each attribute of a user object that compile-time
    # resolution read (`self.first` of a known `self`): the compile cache checks they still hold
    object_reads: list = field(default_factory=list)
    static_types: dict = field(default_factory=dict)    # name -> the ObjectType of its object (methods.py)
    constants: dict = field(default_factory=dict)       # parameter -> the constant every call passes (constants.py)
    namespaces: set = field(default_factory=set)        # locals holding an array API namespace (standard.py)
    numbers: dict = field(default_factory=dict)         # parameter -> the floats.Number every call passes
    floats: object = None                               # floats.Facts, for code compiled for numbers
    @property
    def name(self):
        return self.tree.name

    @property
    def params(self):
        return [a.id for a in self.tree.args.args]

    def resolve(self, node):
        """The object a static name or attribute chain (np.linalg.norm) denotes, or None."""
        if isinstance(node, gast.Name):
            if node.id in self.namespaces:
                return standard.STANDARD
            value = self.namespace.get(node.id, self.static_locals.get(node.id))
            return standard.STANDARD if standard.is_namespace_module(value) else value
        if isinstance(node, gast.Attribute):
            base = self.resolve(node.value)
            value = getattr(base, node.attr, None) if base is not None else None
            if _user_object(base) and not trees.is_named_tuple(base) and node.attr in vars(base):
                self.object_reads.append((vars(base), node.attr, value))
            return value
        return None

    def line_text(self, lineno):
        return self.lines[lineno - 1] if 0 < lineno <= len(self.lines) else ""


def unwrap(fn):
    """The plain Python function behind decorators that adjoint knows about: its own, and those that
    use functools.wraps and return what the wrapped function returns (see forwards_its_call)."""
    while True:
        if hasattr(fn, "__adjoint_wrapped__"):
            fn = fn.__adjoint_wrapped__
        elif inspect.isfunction(fn) and inspect.isfunction(getattr(fn, "__wrapped__", None)) and forwards_its_call(fn):
            fn = fn.__wrapped__
        else:
            return fn


_FORWARDING = weakref.WeakKeyDictionary()     # code object of a wrapper -> whether it forwards its call


def forwards_its_call(wrapper):
    """Whether a functools.wraps wrapper `def w(*args, **kwargs)` returns `f(*args, **kwargs)` of the
    function it wraps unchanged: as its last statement, or through a variable it returns then (other
    statements, a timer or a log line, may run around the call; they do not change the value, so the
    derivative is the wrapped function's)."""
    code = wrapper.__code__
    if code not in _FORWARDING:
        _FORWARDING[code] = _forwards(wrapper)
    return _FORWARDING[code]


def _forwards(wrapper):
    found = _definition_in_file(wrapper.__code__)
    if found is None:
        return False
    tree = found[0]
    args = tree.args
    if not (args.vararg and args.kwarg and not args.args and not args.kwonlyargs and not args.posonlyargs):
        return False
    star, double = args.vararg.id, args.kwarg.id
    cells = dict(zip(wrapper.__code__.co_freevars, wrapper.__closure__ or ()))

    def is_forwarding_call(node):
        if not (isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and len(node.args) == 1
                and isinstance(node.args[0], gast.Starred) and getattr(node.args[0].value, "id", None) == star
                and len(node.keywords) == 1 and node.keywords[0].arg is None
                and getattr(node.keywords[0].value, "id", None) == double):
            return False
        cell = cells.get(node.func.id)
        return cell is not None and cell.cell_contents is wrapper.__wrapped__

    last = tree.body[-1] if tree.body else None
    if not isinstance(last, gast.Return) or last.value is None:
        return False
    returns = [n for n in ir.walk(tree) if isinstance(n, gast.Return)]
    if len(returns) != 1:
        return False
    if is_forwarding_call(last.value):
        return True
    if not isinstance(last.value, gast.Name):
        return False
    result = last.value.id
    assigned = [n for n in ir.walk(tree) if isinstance(n, gast.Assign)
                and any(isinstance(t, gast.Name) and t.id == result for t in n.targets)]
    stores = [n for n in ir.walk(tree) if isinstance(n, gast.Name) and n.id == result
              and not isinstance(n.ctx, gast.Load)]
    return len(assigned) == 1 == len(stores) and assigned[0] in tree.body and \
        is_forwarding_call(assigned[0].value)


# functions lifted out of others (adjoint/lift.py) -> (tree, file name, file lines, column offset)
LIFTED = weakref.WeakKeyDictionary()


def parse(fn):
    """The Parsed function (see _parse), its parameters all plain ones: `*rest` becomes the parameter
    `rest` (a tuple) after the positional ones, keyword-only ones follow, which is how derivatives
    take them (the API binds a call's arguments in that order)."""
    parsed = _parse(fn)
    # the names holding an array namespace, known before the fence reads `xp.sort(x)` as a call (the
    # namespaces pass adds those of inlined code); a generated function may unpack one from saved state
    parsed.namespaces = set(getattr(fn, standard.NAMESPACES, ())) | standard.namespace_names(parsed.tree, parsed)
    arguments = parsed.tree.args
    if not (arguments.kwonlyargs or arguments.vararg):
        return parsed
    names = arguments.args + ([arguments.vararg] if arguments.vararg else []) + arguments.kwonlyargs
    defaults = [None] * (len(arguments.args) - len(arguments.defaults)) + list(arguments.defaults) + \
        ([gast.Tuple([], gast.Load())] if arguments.vararg else []) + list(arguments.kw_defaults)
    given = [d is not None for d in defaults]
    if given != sorted(given):          # (a parameter without a default after one with a default)
        raise UnsupportedSyntax("a keyword-only parameter without a default after parameters with defaults "
                                "is not supported", parsed.filename, parsed.tree.lineno, parsed.col_offset,
                                parsed.line_text(parsed.tree.lineno), "give it a default, or make it positional")
    tree = parsed.tree = copy.copy(parsed.tree)
    tree.args = copy.copy(arguments)
    if arguments.vararg:
        arguments.vararg.ctx = gast.Param()
    tree.args.args, tree.args.defaults = names, [d for d in defaults if d is not None]
    tree.args.vararg, tree.args.kwonlyargs, tree.args.kw_defaults = None, [], []
    return parsed


def _parse(fn):
    """Read fn's source, parse it with gast and resolve its free names."""
    fn = unwrap(fn)
    if fn in LIFTED:
        tree, filename, lines, col_offset = LIFTED[fn]
        parsed = Parsed(fn, copy.deepcopy(tree), filename, lines, col_offset)
        parsed.namespace = resolve_free_names(fn, parsed.tree)
        return parsed
    code = getattr(fn, "__code__", None)
    if code is None:
        raise NoSource(f"{_describe(fn)} has no Python source: it is a builtin or C function. "
                       "Register a derivative rule for it instead (adjoint.defrule).")
    found = _lambda_in_file(fn) if fn.__name__ == "<lambda>" else _definition_in_file(code)
    if found is not None:
        tree, all_lines = found
        parsed = Parsed(fn, tree, code.co_filename, all_lines, 0)
        parsed.namespace = resolve_free_names(fn, tree)
        return parsed
    try:
        lines, start = inspect.getsourcelines(fn)
    except (OSError, TypeError) as exc:
        raise NoSource(f"the source of {_describe(fn)} is unavailable ({exc}). Define it in a "
                       "file or a notebook cell (not typed at an interactive prompt or built with exec).") from None
    text = "".join(lines)
    dedented = textwrap.dedent(text)
    col_offset = _indent(text) - _indent(dedented)
    module = gast.parse(dedented)
    tree = module.body[0]
    if not isinstance(tree, gast.FunctionDef):
        raise NoSource(f"the source of {_describe(fn)} does not start with `def`.")
    tree.decorator_list = []
    gast.increment_lineno(tree, start - 1)
    filename = code.co_filename
    all_lines = linecache.getlines(filename) or dedented.splitlines(True)
    if not linecache.getlines(filename):
        col_offset, all_lines = 0, [""] * (start - 1) + dedented.splitlines(True)
    parsed = Parsed(fn, tree, filename, all_lines, col_offset)
    parsed.namespace = resolve_free_names(fn, tree)
    return parsed


def _definition_in_file(code):
    """(gast tree, file lines) of the `def` that compiled to `code`, found in its file's syntax tree
    (parsed once per file text), or None when the file is unavailable or not plain Python."""
    linecache.checkcache(code.co_filename)      # a file edited since (importlib.reload) is read again
    lines = linecache.getlines(code.co_filename)
    module = _parse_file(code.co_filename, "".join(lines)) if lines else None
    blocks = [module.body] if module is not None else []
    while blocks:
        for node in blocks.pop():
            if isinstance(node, ast.FunctionDef) and node.name == code.co_name and \
                    (node.decorator_list[0] if node.decorator_list else node).lineno == code.co_firstlineno:
                tree = gast.ast_to_gast(node)
                tree.decorator_list = []
                return tree, lines
            for block in ("body", "orelse", "finalbody", "handlers", "cases"):
                inner = getattr(node, block, None)
                if isinstance(inner, list) and inner and isinstance(inner[0], ast.AST):
                    blocks.append(inner)
    return None


def _lambda_in_file(fn):
    """(gast tree, file lines) of a lambda as the `def` it stands for, `name = lambda z: e` giving
    `def name(z): return e` (`lambda<line>` when it is not bound to a name); None when the file is
    unavailable. The lambda is the one on its line with its parameters."""
    code = fn.__code__
    linecache.checkcache(code.co_filename)
    lines = linecache.getlines(code.co_filename)
    module = _parse_file(code.co_filename, "".join(lines)) if lines else None
    if module is None:
        return None
    params = list(code.co_varnames[:code.co_argcount])
    names = {}
    for node in ast.walk(module):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Lambda) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name):
            names[node.value] = node.targets[0].id
    found = [node for node in ast.walk(module) if isinstance(node, ast.Lambda) and node.lineno == code.co_firstlineno
             and [a.arg for a in node.args.args] == params]
    if len(found) != 1:
        raise NoSource(f"{_describe(fn)} is one of several lambdas with the same parameters on line "
                       f"{code.co_firstlineno} of {code.co_filename}: write them on separate lines, or with `def`.")
    lam = found[0]
    definition = ast.FunctionDef(name=names.get(lam, f"lambda{lam.lineno}"), args=lam.args,
                                 body=[ast.copy_location(ast.Return(lam.body), lam.body)], decorator_list=[])
    tree = gast.ast_to_gast(ast.fix_missing_locations(ast.copy_location(definition, lam)))
    return tree, lines


def function_name(fn):
    """The name generated code uses for fn: its own, or for a lambda the name it is bound to."""
    fn = unwrap(fn)
    if fn in LIFTED:
        return LIFTED[fn][0].name
    if getattr(fn, "__name__", None) == "<lambda>" and hasattr(fn, "__code__"):
        found = _lambda_in_file(fn)
        return found[0].name if found else "anonymous"
    name = fn.__name__
    owner = getattr(fn, "__qualname__", "").rpartition(".")[0].rpartition(".")[2]
    if name.startswith("__") and name.endswith("__") and owner.isidentifier():
        return f"{owner.lower()}_{name.strip('_')}"          # Layer.__call__ -> layer_call
    return name


@functools.lru_cache(maxsize=16)
def _parse_file(filename, text):
    try:
        return ast.parse(text, filename)
    except (SyntaxError, ValueError):
        return None


def resolve_free_names(fn, tree):
    """Map every name the body reads but never binds to its object (closure, globals, builtins)."""
    bound = {a.id for a in tree.args.args}
    loaded = set()
    for node in ir.walk(tree):
        if isinstance(node, gast.Name):
            (bound if isinstance(node.ctx, (gast.Store, gast.Del)) else loaded).add(node.id)
    cells = dict(zip(fn.__code__.co_freevars, fn.__closure__ or ()))
    namespace = {}
    # builtins the normalization passes introduce (for-loops over sequences use len and range)
    loaded |= {"len", "range", "min", "reversed"} - bound
    for name in sorted(loaded - bound):
        if name in cells:
            try:
                namespace[name] = cells[name].cell_contents
            except ValueError:
                pass
        elif name in fn.__globals__:
            namespace[name] = fn.__globals__[name]
        elif hasattr(builtins, name):
            namespace[name] = getattr(builtins, name)
    return namespace


def static_arguments(parsed, arguments):
    """{parameter: object} for the arguments of a call that are functions known at compile time
    (`rk4(rhs, y, dt)`, `rk4(np.tanh, ...)`, a nested function or lambda), or objects of user classes
    (a method's `self`, so that `self.penalty(x)` is known): the callee is compiled for them, as if
    its parameter were that object."""
    statics = {}
    for param, value in arguments.items():
        known = parsed.resolve(value) if isinstance(value, (gast.Name, gast.Attribute)) else None
        if (callable(known) and not isinstance(known, type)) or _user_object(known):
            statics[param] = known
        elif isinstance(value, gast.Name) and value.id in parsed.static_types:
            statics[param] = parsed.static_types[value.id]        # an object argument's type
    return statics


def constant_arguments(fn, arguments):
    """{parameter: value} for the parameters of a NumPy definition (rules/definitions.py) that the call
    binds to a constant or leaves at its default: the definition is compiled for them (constants.py)."""
    from .constants import is_literal
    from .rules import definitions
    if getattr(fn, "__module__", None) != definitions.__name__:
        return {}
    found = {}
    for param in inspect.signature(fn).parameters.values():
        value = arguments.get(param.name, param.default)
        value = value.value if isinstance(value, gast.Constant) else value
        if value is not inspect.Parameter.empty and not isinstance(value, gast.AST) and is_literal(value):
            found[param.name] = value
    return found


def unknown_callee(parsed, func, stmt, error):
    """The error for a call of something only known when the code runs: for a parameter called as a
    function, UnsupportedSyntax saying how to make the function known; else `error`."""
    name = getattr(func, "id", None)
    if name is None or name not in parsed.params:
        return error
    lineno = getattr(stmt, "lineno", parsed.tree.lineno)
    return UnsupportedSyntax(
        f"`{name}` is a parameter of {parsed.name} called as a function; the function passed is not known "
        "when the derivative is compiled", parsed.filename, lineno, getattr(func, "col_offset", 0) + parsed.col_offset,
        parsed.line_text(lineno), f"differentiate a function that passes it, e.g. "
        f"adjoint.grad(functools.partial({parsed.name}, the_function)), or "
        f"`def loss(y): return {parsed.name}(the_function, y, ...)`")


def made_here_reason(cls):
    """Why a call making an object of cls carries no derivative (inline.py makes the others)."""
    kind = "a NamedTuple" if issubclass(cls, tuple) and hasattr(cls, "_fields") else \
        "a frozen dataclass" if getattr(getattr(cls, "__dataclass_params__", None), "frozen", False) else \
        "a class of Python's library or NumPy" if in_library(cls) else "a class with its own `__new__` or a " \
        "builtin base"
    return (f"`{cls.__name__}` is {kind}, whose objects made in differentiated code carry no derivative: pass "
            f"the object in as an argument, or make the class a plain (not frozen) class or dataclass")


UNKNOWN_METHOD = ("no array method of that name has a rule, and what it is called on is only known when the "
                  "code runs (methods of objects passed as arguments are not followed yet: pass the arrays "
                  "the method reads as arguments, or call the method of an object bound to a module-level name)")


@dataclass(frozen=True)
class ObjectType:
    """The kind of an argument that is an object of a user class: its methods are resolved from the
    class when the code is compiled, its attributes read when it runs. fields: (attribute, ObjectType)
    for the attributes holding such objects (a network's layers), so that their methods resolve too."""
    cls: type
    fields: tuple = ()


@dataclass(frozen=True)
class ObjectList(ObjectType):
    """The kind of an attribute holding a list (or tuple) of objects of one kind: `self.layers`."""
    element: ObjectType = None


def kind_of_object(value, depth=3):
    """ObjectType of a user object, else None (the argument's shape says what it is)."""
    if not _user_object(value):
        return None
    fields = () if depth == 0 else tuple((k, kind) for k, v in sorted(trees.attributes(value).items())
                                         for kind in [_kind_of_field(v, depth - 1)] if kind is not None)
    return ObjectType(type(value), fields)


def _kind_of_field(value, depth):
    if isinstance(value, (list, tuple)) and value:
        kinds = {kind_of_object(v, depth) for v in value}
        element = kinds.pop() if len(kinds) == 1 else None
        return ObjectList(type(value), (), element) if element is not None else None
    return kind_of_object(value, depth)


def in_library(obj):
    """Whether obj (a class or a function) belongs to Python's own library or NumPy: called as it is
    (`warnings.simplefilter("ignore")`, `warnings.catch_warnings()`), never compiled from its source."""
    return (getattr(obj, "__module__", None) or "").split(".")[0] in _LIBRARIES


_LIBRARIES = set(sys.stdlib_module_names) | {"numpy", "array_api_compat", "array_api_strict", "cupy", "dask"}


def _user_object(value):
    """An instance of a class defined in Python by the user (a NamedTuple's included)."""
    return trees.is_object(value)          # (which excludes functions, classes and modules)


def _indent(text):
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    return len(first) - len(first.lstrip())


def _describe(fn):
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn)
    module = getattr(fn, "__module__", None)
    return f"`{module}.{name}`" if module and module != "builtins" else f"`{name}`"
