"""Emission: gast -> Python source text -> a compiled function whose lines tracebacks can show."""
import linecache

import astor
import gast


def to_source(tree):
    """Python source for a gast tree (blocks left empty by the passes get a `pass`)."""
    tree = _fill_empty(tree)
    return astor.to_source(gast.gast_to_ast(tree), pretty_source="".join)   # no line re-wrapping


def _fill_empty(tree):
    for node in gast.walk(tree):
        if isinstance(getattr(node, "body", None), list) and not node.body:
            node.body = [gast.Pass()]
    return tree


def compile_source(source, filename, globals_, name):
    """exec `source` under `filename`, registered in linecache so tracebacks show generated lines."""
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    code = compile(source, filename, "exec")
    namespace = {}
    exec(code, globals_, namespace)
    return namespace[name]
