"""Property tests: random programs (straight-line code, loops, branches) compiled and checked.

For each generated program, the value adjoint's gradient function returns equals the original
function's, and the gradient matches central differences.
"""
import importlib.util
import math
import pathlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import adjoint
from adjoint.testing import numerical_grad

UNARY = ["math.sin({})", "math.cos({})", "math.tanh({})", "math.exp(math.sin({}))", "({} * {})", "-{}"]
BINARY = ["{} + {}", "{} - {}", "{} * {}", "{} / (1.5 + {} * {})"]


@st.composite
def statements(draw, names, depth):
    """One statement (as lines) assigning a fresh or existing variable from existing ones."""
    kind = draw(st.sampled_from(["unary", "binary", "binary", "if", "loop"] if depth < 2 else ["unary", "binary"]))
    target = draw(st.sampled_from(names + ["v%d" % len(names)]))
    a, b = draw(st.sampled_from(names)), draw(st.sampled_from(names))
    if kind == "unary":
        template = draw(st.sampled_from(UNARY))
        return [f"{target} = " + template.format(*([a] * template.count("{}")))], target
    if kind == "binary":
        template = draw(st.sampled_from(BINARY))
        return [f"{target} = " + template.format(a, b, b)], target
    inner, _ = draw(statements(names, depth + 1))
    other, _ = draw(statements(names, depth + 1))
    if kind == "if":
        lines = [f"if {a} > {b}:"] + ["    " + line for line in inner] + ["else:"] + ["    " + line for line in other]
        defined = [n for n in names if n in (inner[0].split(" = ")[0], other[0].split(" = ")[0])]
        return lines, defined[0] if defined else names[0]
    count = draw(st.integers(0, 3))
    lines = [f"for i in range({count}):"] + ["    " + line for line in inner]
    return lines, names[0]


@st.composite
def programs(draw):
    names = ["x", "y"]
    body = []
    for _ in range(draw(st.integers(1, 6))):
        lines, target = draw(statements(names, 0))
        body += lines
        if target not in names and not lines[0].startswith(("if", "for")):
            names.append(target)
    result = draw(st.sampled_from(names))
    return "import math\n\n\ndef f(x, y):\n" + "".join(f"    {line}\n" for line in body) + \
        f"    return {result} * 1.0 + 0.1 * x\n"


_COUNTER = [0]


def _load(source, tmp):
    _COUNTER[0] += 1
    path = pathlib.Path(tmp) / f"random_program_{_COUNTER[0]}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.f


def _smooth(f, x, y, value, scale, h=1e-6):
    """Whether one-sided differences agree in both arguments (no kink or jump next to the point)."""
    for dx, dy in ((h, 0.0), (0.0, h)):
        ahead = (f(x + dx, y + dy) - value) / h
        behind = (value - f(x - dx, y - dy)) / h
        if abs(ahead - behind) > 1e-3 * scale:
            return False
    return True


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(source=programs(), x=st.floats(-1.5, 1.5), y=st.floats(-1.5, 1.5))
def test_random_programs(tmp_path, source, x, y):
    f = _load(source, tmp_path)
    try:
        expected = f(x, y)
    except (ZeroDivisionError, OverflowError, ValueError):
        return
    if not math.isfinite(expected) or abs(expected) > 1e6:
        return
    value, grads = adjoint.value_and_grad(f, wrt=(0, 1))(x, y)
    assert value == expected or math.isclose(value, expected, rel_tol=1e-12, abs_tol=1e-12), source
    reference = numerical_grad(f, (x, y), (0, 1), eps=1e-6)
    scale = max(1.0, max(abs(r) for r in reference))
    if not _smooth(f, x, y, expected, scale):
        return                     # a branch boundary lies within the difference step
    for got, want in zip(grads, reference):
        assert abs(got - want) <= 1e-5 * scale, f"{source}\ngot {grads}, want {reference}"
    _, tangent = adjoint.jvp(f, (x, y), (1.0, 0.0))
    assert abs(tangent - grads[0]) <= 1e-9 * scale, source
