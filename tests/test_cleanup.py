"""The cleanup's arithmetic simplification. In the user's own statements it changes no value and no
type: for random expressions over floats, integers and arrays, the simplified expression evaluates to
the same result to the last bit. In a derivative's statements it rewrites the algebra (`g * 1`,
`g * (1 / b)`, constants first), always within rounding of the exact value."""
import ast
import copy
import random

import gast
import numpy as np
import pytest

import adjoint
from adjoint.cleanup import simplify
from adjoint.emit import to_source

ENV = {"a": 0.75, "b": -1.5e-3, "c": 3.25e7, "k": 3, "m": -7,
       "u": np.array([0.5, -2.0, 1e-3]), "v": np.array([3.0, 0.25, -7.5])}
NUMBERS = [2, -2, 4, 0.5, -0.25, 2.0, 3, 1, -1, 0.1, 1.0]
OPS = [gast.Add, gast.Sub, gast.Mult, gast.Mult, gast.Div]


def _expr(rng, depth):
    if depth <= 0 or rng.random() < 0.25:
        if rng.random() < 0.6:
            return gast.Name(rng.choice(list(ENV)), gast.Load(), None, None)
        return gast.Constant(rng.choice(NUMBERS), None)
    if rng.random() < 0.2:
        return gast.UnaryOp(gast.USub(), _expr(rng, depth - 1))
    return gast.BinOp(_expr(rng, depth - 1), rng.choice(OPS)(), _expr(rng, depth - 1))


def _simplified(expr, target="r", derivatives=("dr",)):
    fn = gast.parse(f"def f():\n    {target} = 0\n").body[0]
    fn.body[0].value = expr
    simplify(fn, derivatives={"dr", *derivatives})
    return fn.body[0].value


def _value(expr):
    try:
        with np.errstate(all="ignore"):
            tree = ast.fix_missing_locations(gast.gast_to_ast(gast.Expression(expr)))
            return eval(compile(tree, "<expr>", "eval"), {}, dict(ENV))
    except ZeroDivisionError as e:
        return type(e)


def _same(x, y):
    if isinstance(x, type) or isinstance(y, type):
        return x is y
    return type(x) is type(y) and np.array_equal(x, y, equal_nan=True)


def _expressions(seed, count=300):
    rng = random.Random(seed)
    return [_expr(rng, 4) for _ in range(count)]


@pytest.mark.parametrize("seed", range(8))
def test_simplification_changes_no_value_of_the_users_arithmetic(seed):
    for expr in _expressions(seed):
        after = _simplified(copy.deepcopy(expr))
        assert _same(_value(expr), _value(after)), f"{to_source(expr)} -> {to_source(after)}"


@pytest.mark.parametrize("seed", range(8))
def test_simplification_of_a_derivative_is_within_rounding(seed):
    for expr in _expressions(seed):
        before = _value(expr)
        after = _value(_simplified(copy.deepcopy(expr), target="dr", derivatives=ENV))
        if isinstance(before, type) or isinstance(after, type):
            continue                      # a division by zero may move: x * (1 / 0) -> x / 0
        with np.errstate(all="ignore"):
            assert np.allclose(before, after, rtol=1e-12, atol=0, equal_nan=True), to_source(expr)


def test_the_users_boolean_times_one_stays_an_integer():
    # `(x > 0) * 1` was simplified to the boolean array, whose negation raised in generated code
    def f(x):
        m = (x > 0) * 1
        return np.sum(x * -m)
    x = np.array([1.0, -2.0, 3.0])
    np.testing.assert_array_equal(adjoint.grad(f)(x), [-1.0, 0.0, -1.0])


@pytest.mark.parametrize("before, after", [
    ("2 * (g * x)", "2 * g * x"),                  # the constant meets the first factor
    ("2 * (-g / y / y * d)", "-2 * g / y / y * d"),
    ("3 * (g / x)", "3 * g / x"),
    ("-(1.0 / y)", "-1.0 / y"),
    ("a + -b", "a - b"),
    ("a - -b", "a + b"),
    ("a + -b * c", "a - b * c"),
    ("a - -b / c", "a + b / c"),
    ("-(-g * t / u * v)", "g * t / u * v"),
])
def test_simplification_rewrites_a_derivative(before, after):
    text = to_source(_simplified(gast.parse(before).body[0].value, target="dr", derivatives="gdab"))
    assert ast.dump(ast.parse(text.strip())) == ast.dump(ast.parse(after)), text


def test_a_primal_term_in_a_derivative_keeps_its_type():
    # the mask times one stays an integer array: its negation is defined, a boolean's is not
    expr = gast.parse("g * -((x > 0) * 1)").body[0].value
    text = to_source(_simplified(expr, target="dr"))
    assert ast.dump(ast.parse(text.strip())) == ast.dump(ast.parse("g * -((x > 0) * 1)")), text


def test_adding_a_negation_into_a_derivative_subtracts():
    fn = gast.parse("def f(dx, d):\n    dx[0] += -d\n    dx[1:] += -d * e\n    x[0] += -d\n").body[0]
    simplify(fn, derivatives={"dx"})
    assert [to_source(s).strip() for s in fn.body] == ["dx[0] -= d", "dx[1:] -= d * e", "x[0] += -d"]


def test_the_compilers_walk_visits_nodes_in_gast_walks_order():
    """ir.walk replaced gast.walk in every pass (15% of a compile): the passes that take the first
    node found rely on the same breadth-first order."""
    from adjoint import ir
    tree = gast.parse(open(adjoint.cleanup.__file__).read())
    assert [id(n) for n in ir.walk(tree)] == [id(n) for n in gast.walk(tree)]
