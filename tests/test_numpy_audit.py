"""Every public function of numpy, numpy.linalg and numpy.fft is classified: it has a derivative rule,
a definition in NumPy code (rules/definitions.py), is declared to carry no derivative, is lowered to
array writes, or is named unsupported with what to write instead. A function a later NumPy adds shows
up here as unclassified instead of silently missing."""
import inspect

import numpy as np
import pytest

import adjoint
from adjoint import rules
from adjoint.rules.core import _key
from adjoint.rules.no_derivative import WRITES

MODULES = {"np": np, "np.linalg": np.linalg, "np.fft": np.fft}


def public_functions(module):
    return {name: getattr(module, name) for name in dir(module)
            if not name.startswith("_") and callable(getattr(module, name)) and not inspect.isclass(getattr(module, name))}


def classification(fn):
    key = _key(fn)
    if rules.lookup(fn) is not None:
        return "rule"
    if key in rules.DEFINITIONS:
        return "definition"
    if rules.is_constant(fn):
        return "no derivative"
    if fn in WRITES:
        return "write"
    if key in rules.UNSUPPORTED:
        return "unsupported"
    return None


@pytest.mark.parametrize("module", list(MODULES))
def test_every_function_is_classified(module):
    unclassified = sorted(name for name, fn in public_functions(MODULES[module]).items() if classification(fn) is None)
    assert not unclassified, f"unclassified functions of {module}: {unclassified}"


def test_most_functions_have_derivatives():
    counts = {}
    for module in MODULES.values():
        for fn in public_functions(module).values():
            counts[classification(fn)] = counts.get(classification(fn), 0) + 1
    assert counts["rule"] + counts["definition"] >= 300 or len(rules.all_rules()) >= 300, counts


def test_unsupported_functions_say_what_to_write():
    x = np.linspace(0.1, 1.0, 5)

    def smooth(x):
        return np.sum(np.apply_along_axis(np.sin, 0, x))
    with pytest.raises(adjoint.NonDifferentiable, match="write the loop"):
        adjoint.grad(smooth)(x)


def test_functions_without_derivative_pass_through_inactive_code():
    def count_and_scale(x):
        order = np.argpartition(x, 2)
        return np.sum(x[order[:3]] ** 2) + np.sum(np.isposinf(x))
    x = np.array([0.5, -0.2, 1.5, 0.1, 2.0])
    expected = np.zeros(5)
    expected[[1, 3, 0]] = 2 * x[[1, 3, 0]]
    np.testing.assert_allclose(adjoint.grad(count_and_scale)(x), expected)


def test_rules_listing_names_definitions():
    table = dict(rules.all_rules())
    assert table["np.median"] == "defined by NumPy code"
    assert table["np.take"] == "reverse+forward"
