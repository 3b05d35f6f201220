"""Emission parenthesises by precedence: emitted source means what the tree means.

The oracle for the round trip is Python's own compiler run on the tree itself (no text in between):
for random expression trees, evaluating the emitted text gives what evaluating the tree gives.
"""
import ast
import math
import random

import gast
import numpy as np
import pytest

import adjoint
from adjoint.emit import to_source
from adjoint.testing import check_grads, check_jvp, numerical_jacobian

ENV = {"a": 0.75, "b": -1.5, "c": 2.0, "k": 3, "m": -2}
NUMBERS = [-1, -2, 0, 1, 2, 3, -0.5, 0.5, -0.0, 2.5, -1j, 1j, complex(1, -2), -math.inf, math.inf]
BINOPS = [gast.Add, gast.Sub, gast.Mult, gast.Div, gast.Pow, gast.Mod, gast.FloorDiv]
COMPARES = [gast.Lt, gast.LtE, gast.Gt, gast.Eq, gast.NotEq, gast.GtE]


def _expr(rng, depth):
    """A random gast expression over the names of ENV."""
    if depth <= 0 or rng.random() < 0.2:
        if rng.random() < 0.5:
            return gast.Name(rng.choice(list(ENV)), gast.Load(), None, None)
        return gast.Constant(rng.choice(NUMBERS), None)
    kind = rng.choice(["bin", "bin", "bin", "unary", "not", "compare", "boolop", "ifexp", "lambda", "subscript",
                       "attribute"])
    sub = lambda: _expr(rng, depth - 1)         # noqa: E731
    if kind == "bin":
        return gast.BinOp(sub(), rng.choice(BINOPS)(), sub())
    if kind == "unary":
        return gast.UnaryOp(rng.choice([gast.USub, gast.UAdd])(), sub())
    if kind == "not":
        return gast.UnaryOp(gast.Not(), sub())
    if kind == "compare":
        n = rng.choice([1, 1, 2])
        return gast.Compare(sub(), [rng.choice(COMPARES)() for _ in range(n)], [sub() for _ in range(n)])
    if kind == "boolop":
        return gast.BoolOp(rng.choice([gast.And, gast.Or])(), [sub(), sub()])
    if kind == "ifexp":
        return gast.IfExp(sub(), sub(), sub())
    if kind == "lambda":
        arg = gast.Name("v", gast.Param(), None, None)
        args = gast.arguments([arg], [], None, [], [], None, [])
        body = gast.BinOp(gast.Name("v", gast.Load(), None, None), rng.choice(BINOPS)(), sub())
        return gast.Call(gast.Lambda(args, body), [sub()], [])
    if kind == "subscript":
        pair = gast.Tuple([sub(), sub()], gast.Load())
        return gast.Subscript(pair, gast.Constant(rng.choice([0, 1, -1]), None), gast.Load())
    return gast.Attribute(sub(), "real", gast.Load())


def _evaluate(code):
    try:
        with np.errstate(all="ignore"):
            return "value", eval(code, {}, dict(ENV))
    except Exception as exc:            # the emitted text must fail the same way
        return "error", type(exc)


def _same(left, right):
    if left[0] != right[0] or left[0] == "error":
        return left == right
    x, y = left[1], right[1]
    if isinstance(x, complex) or isinstance(y, complex):
        x, y = complex(x), complex(y)
        return _same(("value", x.real), ("value", y.real)) and _same(("value", x.imag), ("value", y.imag))
    if isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y):
        return True
    return type(x) is type(y) and x == y and (not isinstance(x, float) or math.copysign(1, x) == math.copysign(1, y))


def _round_trip(tree):
    expression = gast.Expression(tree)
    direct = compile(ast.fix_missing_locations(gast.gast_to_ast(expression)), "<tree>", "eval")
    text = to_source(gast.Module([gast.Expr(tree)], [])).strip()
    return text, _evaluate(direct), _evaluate(text)


@pytest.mark.parametrize("seed", range(20))
def test_emitted_expressions_mean_what_their_trees_mean(seed):
    rng = random.Random(seed)
    for _ in range(150):
        tree = _expr(rng, 4)
        text, want, got = _round_trip(tree)
        assert _same(want, got), f"{text!r}: tree gives {want}, emitted text gives {got}"


def _pow(left, right):
    return gast.BinOp(left, gast.Pow(), right)


def _name(id_):
    return gast.Name(id_, gast.Load(), None, None)


@pytest.mark.parametrize("tree, text", [
    (_pow(gast.Constant(-1, None), _name("k")), "(-1) ** k"),
    (_pow(gast.Constant(-0.5, None), _name("k")), "(-0.5) ** k"),
    (_pow(gast.Constant(-0.0, None), _name("m")), "(-0.0) ** m"),
    (_pow(gast.Constant(-math.inf, None), _name("m")), "(-1e1000) ** m"),
    (_pow(gast.Constant(-1j, None), _name("k")), "(-1.0j) ** k"),
    (gast.Attribute(gast.Constant(-1, None), "real", gast.Load()), "(-1).real"),
    (_pow(_name("a"), gast.Constant(-1, None)), "a ** -1"),
    (gast.BinOp(_name("a"), gast.Sub(), gast.Constant(-1, None)), "a - -1"),
])
def test_negative_constants_are_written_with_their_parentheses(tree, text):
    emitted, want, got = _round_trip(tree)
    assert emitted == text and _same(want, got)


# --- the alternating series, the program that showed it (class 4 of issue 10) ---------------------
def alternating_series(x):
    s = 0.0
    for k in range(5):
        s += (-1) ** k * x ** k
    return s


def alternating_series_array(x):
    s = np.zeros_like(x)
    for k in range(4):
        s = s + (-1) ** k * x ** (k + 1) / (k + 1)
    return np.sum(s)


def _series_slope(x):
    return sum((-1) ** k * k * x ** (k - 1) for k in range(1, 5))


def test_alternating_series_value_and_gradient():
    value, slope = adjoint.value_and_grad(alternating_series)(0.7)
    assert value == pytest.approx(alternating_series(0.7))
    assert slope == pytest.approx(_series_slope(0.7))
    check_grads(alternating_series, 0.7)
    check_grads(alternating_series_array, np.array([0.3, -0.4, 0.9]))


def test_alternating_series_forward():
    value, tangent = adjoint.jvp(alternating_series, (0.7,), (1.0,))
    assert value == pytest.approx(alternating_series(0.7))
    assert tangent == pytest.approx(_series_slope(0.7))
    check_jvp(alternating_series, 0.7)
    check_jvp(alternating_series_array, np.array([0.3, -0.4, 0.9]))


def test_alternating_series_second_derivatives():
    x = 0.7
    curvature = sum((-1) ** k * k * (k - 1) * x ** (k - 2) for k in range(2, 5))
    assert adjoint.grad(adjoint.grad(alternating_series))(x) == pytest.approx(curvature)
    assert adjoint.hessian(alternating_series)(x) == pytest.approx(curvature)
    xs = np.array([0.3, -0.4, 0.9])
    want = numerical_jacobian(adjoint.grad(alternating_series_array), [xs], 0)
    np.testing.assert_allclose(adjoint.hessian(alternating_series_array)(xs), want, rtol=1e-6, atol=1e-8)


def test_alternating_series_source_keeps_the_parentheses():
    assert "(-1) ** k" in adjoint.source(alternating_series)


WITHOUT_OLD_AST_NAMES = '''
import ast, sys
# Python 3.14 removed these deprecated aliases of ast.Constant; astor reads ast.Str for f-strings
for name in ("Num", "Str", "Bytes", "NameConstant", "Ellipsis"):
    ast.__dict__.pop(name, None)
def _missing(name):
    raise AttributeError(f"module 'ast' has no attribute {name!r}")
ast.__getattr__ = _missing
sys.path.insert(0, sys.argv[1])
import numpy as np
import adjoint
import raise_functions as R
x = np.linspace(0.5, 1.5, 3)
print(adjoint.grad(R.check_ndim)(x).tolist())
print(adjoint.source(R.check_ndim))
'''


def test_generated_code_is_written_without_the_ast_names_python_3_14_removed(tmp_path):
    """astor wrote f-strings through ast.Str; on Python 3.14 that name is gone (emulated here on the
    Python this runs on), and the emitted f-string must keep its braces and format."""
    import os
    import subprocess
    import sys
    script = tmp_path / "emit_314.py"
    script.write_text(WITHOUT_OLD_AST_NAMES)
    here = os.path.dirname(__file__)
    done = subprocess.run([sys.executable, str(script), here], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join([os.path.dirname(here), here])})
    assert done.returncode == 0, done.stderr
    assert 'f"x must be 1-D, got {x.ndim} dimensions"' in done.stdout or \
        "f'x must be 1-D, got {x.ndim} dimensions'" in done.stdout
