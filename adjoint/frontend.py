"""Front end: a live function object -> its gast tree, source location and free names."""
import ast
import builtins
import functools
import inspect
import linecache
import textwrap
from dataclasses import dataclass, field

import gast

from .errors import NoSource


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
    @property
    def name(self):
        return self.tree.name

    @property
    def params(self):
        return [a.id for a in self.tree.args.args]

    def resolve(self, node):
        """The object a static name or attribute chain (np.linalg.norm) denotes, or None."""
        if isinstance(node, gast.Name):
            return self.namespace.get(node.id, self.static_locals.get(node.id))
        if isinstance(node, gast.Attribute):
            base = self.resolve(node.value)
            return getattr(base, node.attr, None) if base is not None else None
        return None

    def line_text(self, lineno):
        return self.lines[lineno - 1] if 0 < lineno <= len(self.lines) else ""


def unwrap(fn):
    """The plain Python function behind decorators that adjoint knows about."""
    while hasattr(fn, "__adjoint_wrapped__"):
        fn = fn.__adjoint_wrapped__
    return fn


def parse(fn):
    """Read fn's source, parse it with gast and resolve its free names."""
    fn = unwrap(fn)
    code = getattr(fn, "__code__", None)
    if code is None:
        raise NoSource(f"{_describe(fn)} has no Python source: it is a builtin or C function. "
                       "Register a derivative rule for it instead (adjoint.defrule).")
    if fn.__name__ == "<lambda>":
        raise NoSource(f"{_describe(fn)} is a lambda: adjoint reads the source of whole function "
                       "definitions. Write it with `def` in a file or notebook cell.")
    found = _definition_in_file(code)
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
    for node in gast.walk(tree):
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


def _indent(text):
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    return len(first) - len(first.lstrip())


def _describe(fn):
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn)
    module = getattr(fn, "__module__", None)
    return f"`{module}.{name}`" if module and module != "builtins" else f"`{name}`"
