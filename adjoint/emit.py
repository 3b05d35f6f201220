"""Emission: gast -> Python source text -> a compiled function whose lines tracebacks can show."""
import ast
import linecache
import math

import astor
import astor.code_gen
import gast

from . import ir


def to_source(tree):
    """Python source for a gast tree (blocks left empty by the passes get a `pass`)."""
    tree = _fill_empty(tree)
    python = _SignedConstants().visit(gast.gast_to_ast(tree))
    return astor.to_source(python, pretty_source="".join,   # no line re-wrapping
                           source_generator_class=_SourceGenerator)


class _SourceGenerator(astor.code_gen.SourceGenerator):
    def visit_JoinedStr(self, node):
        # astor writes f-strings through ast.Str, which Python 3.14 removed; ast.unparse (Python 3.9+)
        # writes them on every Python adjoint supports
        self.write(ast.unparse(node))


def _fill_empty(tree):
    for node in ir.walk(tree):
        if isinstance(getattr(node, "body", None), list) and not node.body:
            node.body = [gast.Pass()]
    return tree


class _SignedConstants(ast.NodeTransformer):
    """A negative number held in one Constant (the passes fold `-1` into one) is written `-1`, which
    Python reads as a unary minus: as the base of `**` it binds looser than the power (`-1 ** k` is
    `-(1 ** k)`). Spelled as the unary minus it is, it gets the parentheses its precedence needs."""

    def visit_Constant(self, node):
        value = node.value
        if not _negative(value):
            return node
        operand = ast.copy_location(ast.Constant(-value), node)
        return ast.copy_location(ast.UnaryOp(ast.USub(), operand), node)


def _negative(value):
    """Whether a number's written form starts with a minus sign (-1, -0.0, -inf, -2j)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, complex)):
        return False
    if isinstance(value, complex):        # astor parenthesises a complex with a real part: (1-2j)
        return value.real == 0 and math.copysign(1.0, value.imag) < 0
    return math.copysign(1.0, value) < 0 if isinstance(value, float) else value < 0


def compile_source(source, filename, globals_, name):
    """exec `source` under `filename`, registered in linecache so tracebacks show generated lines."""
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    code = compile(source, filename, "exec")
    namespace = {}
    exec(code, globals_, namespace)
    return namespace[name]
