"""The `adjoint` command: print generated derivative code, or export it as a standalone module.

    adjoint show path/to/file.py:function [--wrt a,b] [--mode reverse] [--no-optimize] [--stage NAME]
    adjoint export path/to/file.py:function -o grad_module.py [--wrt a,b] [--mode reverse] [--no-optimize]
    adjoint rules
"""
import argparse
import importlib.util
import os
import sys

from . import api, pipeline, rules
from .errors import AdjointError

STAGES = ["normalized"] + pipeline.STAGES + ["reverse", "optimized"]


class UserError(Exception):
    """A mistake in the command line: reported in one line, exit status 2."""


def load_function(spec):
    """'path/to/file.py:function' -> the function object."""
    path, sep, name = spec.rpartition(":")
    if not sep or not path or not name:
        raise UserError(f"expected FILE.py:FUNCTION, got {spec!r}")
    if not os.path.isfile(path):
        raise UserError(f"no such file: {path}")
    module_name = "_adjoint_cli_" + os.path.splitext(os.path.basename(path))[0]
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    module_spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[module_name] = module
    try:
        module_spec.loader.exec_module(module)
    except Exception as exc:
        raise UserError(f"importing {path} failed: {type(exc).__name__}: {exc}") from None
    fn = getattr(module, name, None)
    if fn is None:
        raise UserError(f"{path} has no function {name!r}")
    return fn


def _show(args):
    fn = load_function(args.target)
    wrt = tuple(args.wrt.split(",")) if args.wrt else 0
    if isinstance(wrt, tuple) and len(wrt) == 1:
        wrt = wrt[0]
    if args.stage in (None, "optimized", "reverse"):
        text = api.source(fn, wrt=wrt, mode=args.mode, optimize=args.stage != "reverse" and not args.no_optimize)
    else:
        upto = "anf" if args.stage == "normalized" else args.stage
        text = pipeline.show(pipeline.normalize(fn, upto=upto).tree)
    _print_code(text)


def _export(args):
    from . import export
    fn = load_function(args.target)
    wrt = tuple(args.wrt.split(",")) if args.wrt else 0
    if isinstance(wrt, tuple) and len(wrt) == 1:
        wrt = wrt[0]
    command = " ".join(["adjoint export", args.target] + (["-o", args.output] if args.output != "-" else [])
                       + (["--wrt", args.wrt] if args.wrt else []) + (["--mode", args.mode] if args.mode != "reverse" else [])
                       + (["--no-optimize"] if args.no_optimize else []))
    text = export.export(fn, wrt=wrt, mode=args.mode, optimize=not args.no_optimize, command=command)
    if args.output == "-":
        sys.stdout.write(text)
        return
    try:
        with open(args.output, "w", encoding="utf-8") as out:
            out.write(text)
    except OSError as exc:
        raise UserError(f"cannot write {args.output}: {exc.strerror}") from None


def _print_code(text):
    """Syntax-highlighted on a terminal when Pygments is installed, plain otherwise."""
    if sys.stdout.isatty():
        try:
            from pygments import highlight
            from pygments.formatters import TerminalFormatter
            from pygments.lexers import PythonLexer
            text = highlight(text, PythonLexer(), TerminalFormatter())
        except ImportError:
            pass
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _rules(args):
    rows = rules.all_rules()
    width = max(len(name) for name, _ in rows)
    for name, modes in rows:
        print(f"{name:<{width}}  {modes}")
    print(f"\n{len(rows)} functions with derivative rules")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="adjoint", description="Print or export generated derivative code.")
    sub = parser.add_subparsers(dest="command", required=True)
    show = sub.add_parser("show", help="print the derivative of FILE.py:FUNCTION")
    show.add_argument("target", metavar="FILE.py:FUNCTION")
    show.add_argument("--wrt", help="comma-separated parameter names (default: the first parameter)")
    show.add_argument("--mode", default="reverse", choices=["reverse", "forward"])
    show.add_argument("--no-optimize", action="store_true", help="skip the cleanup passes")
    show.add_argument("--stage", choices=STAGES, help="print the program after this compiler stage")
    show.set_defaults(run=_show)
    export = sub.add_parser("export", help="write the derivative of FILE.py:FUNCTION as a module that needs only NumPy")
    export.add_argument("target", metavar="FILE.py:FUNCTION")
    export.add_argument("-o", "--output", default="-", help="the module to write (default: standard output)")
    export.add_argument("--wrt", help="comma-separated parameter names (default: the first parameter)")
    export.add_argument("--mode", default="reverse", choices=["reverse", "forward"])
    export.add_argument("--no-optimize", action="store_true", help="skip the cleanup passes")
    export.set_defaults(run=_export)
    listing = sub.add_parser("rules", help="list the functions that have derivative rules")
    listing.set_defaults(run=_rules)
    args = parser.parse_args(argv)
    try:
        args.run(args)
    except (UserError, AdjointError) as exc:
        print(f"adjoint: {exc}", file=sys.stderr)
        return 2
    return 0
