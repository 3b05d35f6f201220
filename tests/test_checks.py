"""Each pass-invariant checker (ADJOINT_CHECK=1) fails on a tree that breaks its invariant, and passes
the pass's real output."""
import textwrap

import gast
import pytest

import numpy as np

from adjoint import check, floats, frontend, pipeline
from adjoint.errors import AdjointError


def _tree(src):
    return gast.parse(textwrap.dedent(src)).body[0]


class Counter:
    def __init__(self, start):
        self.count = start

    def bump(self, k):
        self.count = self.count + k


def makes_an_object(x):
    counter = Counter(x)
    return counter.count


def bumps_an_object(x):
    counter = Counter(x)
    counter.bump(x)
    return counter.count


def total_of(*terms):
    return sum(terms)


def calls_a_helper_taking_args(x):
    return total_of(x, x)


def sine_left_for_a_float(x):
    t = np.sin(x)
    return t


def _for_a_float(fn):
    """fn as compiled for a float argument (floats.py), before its pass ran: a NumPy function of a
    number is left."""
    def parse(f):
        parsed = frontend.parse(f)
        parsed.numbers = {"x": floats.Number(float)}
        parsed.floats = floats.Facts({"x": float}, set())
        return parsed
    parse.checked = fn
    return parse


# stage -> functions (as source) that break what the stage guarantees
BROKEN = {
    "lift": [
        "def f(x):\n    def g(y):\n        return y\n    return g(x)",
        "def f(x):\n    return (lambda y: y)(x)",
    ],
    "constants": [
        "def f(x):\n    if True:\n        x = 2 * x\n    return x",
    ],
    "inline": [makes_an_object, bumps_an_object],     # (functions: the check reads their namespace)
    "namespaces": [       # (a namespace made by inlined code, which the pass did not mark)
        "def f(x):\n    xp = x.__array_namespace__()\n    return xp.sum(x)",
    ],
    "with": [
        "def f(x):\n    with open(x) as handle:\n        y = handle.read()\n    return y",
    ],
    "simplify": [
        "def f(x):\n    global SCALE\n    return SCALE * x",
        "def f(x):\n    x += 1.0\n    return x",
        "def f(x):\n    y: float = x\n    return y",
        "def f(x):\n    a = b = x\n    return a",
    ],
    "comprehensions": [
        "def f(x):\n    return sum([v * v for v in x])",
        "def f(x):\n    return sum(v for v in x)",
    ],
    "starred": [
        "def f(x):\n    return g(*x)",
        calls_a_helper_taking_args,     # (a function: the check resolves the helper in its namespace)
    ],
    "writes": [
        "def f(x):\n    x[0] = 1.0\n    return x",
        "def f(x):\n    x[0], y = 1.0, x\n    return y",
        "def f(x):\n    x.append(1.0)\n    return x",
        "def f(x):\n    np.exp(x, out=x)\n    return x",
    ],
    "loop-else": [
        "def f(x):\n    for i in range(3):\n        x = x * 2.0\n    else:\n        x = -x\n    return x",
        "def f(x):\n    while x < 1.0:\n        x = x * 2.0\n    else:\n        x = -x\n    return x",
    ],
    "for-range": [
        "def f(x):\n    for v in x:\n        x = v\n    return x",
        "def f(x):\n    for i, v in range(3):\n        x = v\n    return x",
    ],
    "loop-returns": [
        "def f(x):\n    for i in range(3):\n        return x\n    return x",
        "def f(x):\n    while x:\n        if x:\n            return x\n    return x",
    ],
    "absorb": [
        "def f(x):\n    raise ValueError(x)\n    return x",
        "def f(x):\n    for i in range(3):\n        continue\n    return x",
        "def f(x):\n    for i in range(3):\n        break\n        x = i\n    return x",
        "def f(x):\n    if x:\n        return x\n    y = x\n    return y",
    ],
    "single-exit": [
        "def f(x):\n    if x:\n        return x\n    else:\n        return x",
        "def f(x):\n    return x\n    x = 1",
    ],
    "anf": [
        "def f(x):\n    y = (x + 1) * x\n    return y",
        "def f(x):\n    y = np.sin(x * 2)\n    return y",
        "def f(x):\n    y = np.sum(x, axis=x + 1)\n    return y",
        "def f(x):\n    y = -(x + 1)\n    return y",
        "def f(x):\n    if x > 1:\n        x = 2\n    return x",
        "def f(x):\n    a, b = x\n    return a",
    ],
    "ssa": [
        "def f(x):\n    y = x\n    y = y\n    return y",
        "def f(x):\n    x = x\n    return x",
        "def f(x):\n    for i in range(2):\n        i = x\n    return x",
    ],
    # (methods and statics keep SSA: what they resolve is checked by their tests, test_methods and test_nested)
    "methods": ["def f(x):\n    y = x\n    y = y\n    return y"],
    "statics": ["def f(x):\n    x = x\n    return x"],
    "floats": [_for_a_float(sine_left_for_a_float)],
}


def test_every_stage_has_a_checker_and_broken_examples():
    assert list(check.CHECKS) == pipeline.STAGES
    assert set(BROKEN) == set(pipeline.STAGES)


@pytest.mark.parametrize("stage, src", [(s, src) for s, srcs in BROKEN.items() for src in srcs])
def test_checker_fails_when_its_invariant_is_broken(stage, src):
    with pytest.raises(AdjointError, match=f"internal check failed after pass `{stage}`"):
        if hasattr(src, "checked"):             # (a parse of its own)
            parsed = src(src.checked)
            check.CHECKS[stage](parsed.tree, stage, parsed)
        elif callable(src):
            parsed = frontend.parse(src)
            check.CHECKS[stage](parsed.tree, stage, parsed)
        else:
            check.CHECKS[stage](_tree(src), stage)


def loops_and_branches(x, n):
    total = 0.0
    for i in range(n):
        if x > i:
            total += x * i
            continue
        total -= 1.0
    k = 0
    while k < 3:
        k += 1
        if total > 100:
            return total
    return total * x


@pytest.mark.parametrize("stage", pipeline.STAGES)
def test_checker_accepts_the_output_of_its_pass(stage):
    program = pipeline.normalize(loops_and_branches, upto=stage)
    check.CHECKS[stage](program.tree, stage, program.parsed)
    made = pipeline.normalize(bumps_an_object, upto=stage)          # (objects made and changed: inline.py)
    check.CHECKS[stage](made.tree, stage, made.parsed)


def test_the_shared_node_check_fails_when_a_node_stands_in_two_places():
    tree = _tree("def f(x):\n    y = x\n    return y")
    tree.body[1].value = tree.body[0].value                 # one Name node read by two statements
    with pytest.raises(AdjointError, match="a `Name` node stands in two places"):
        check.no_shared_nodes(tree, "anf")
    check.no_shared_nodes(_tree("def f(x):\n    y = x\n    return x"), "anf")
