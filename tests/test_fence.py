"""The fence rejects everything outside the supported subset at compile time, at the user's line, with
what to write instead; every kind of rejection it knows has a function in fence_functions.py."""
import importlib
import inspect
import re
import sys

import numpy as np
import pytest

import adjoint
from adjoint import fence

# match statements and except* parse from Python 3.10 / 3.11 on only
MODULES = ["fence_functions"] + (["fence_functions_311"] if sys.version_info >= (3, 11) else [])
MARKED = {}              # tag -> (module, line number)
for _module in map(importlib.import_module, MODULES):
    for _number, _line in enumerate(open(inspect.getsourcefile(_module), encoding="utf-8"), start=1):
        _found = re.search(r"# REJECT (\S+)$", _line.rstrip())
        if _found:
            MARKED[_found.group(1)] = (_module, _number)


def _line(tag):
    module, number = MARKED[tag]
    return open(inspect.getsourcefile(module), encoding="utf-8").read().splitlines()[number - 1]


def _function_at(tag):
    """The module-level function whose source holds the line marked with `tag`."""
    module, number = MARKED[tag]
    for name, fn in vars(module).items():
        if inspect.isfunction(fn) and fn.__module__ == module.__name__ and not name.startswith("_"):
            lines, start = inspect.getsourcelines(fn)
            if start <= number < start + len(lines):
                return fn
    raise LookupError(tag)


@pytest.mark.parametrize("tag", sorted(MARKED))
def test_rejected_at_compile_time_at_the_users_line(tag):
    module, number = MARKED[tag]
    with pytest.raises(adjoint.UnsupportedSyntax) as info:
        adjoint.source(_function_at(tag))
    message = str(info.value)
    assert f"{module.__name__}.py" in message and re.search(rf"line\s+{number}\b", message), message
    assert _line(tag).split("#")[0].strip() in message, message
    assert "hint:" in message, message


@pytest.mark.parametrize("tag", ["np.copyto", "out=sum", "np.fill_diagonal", "ufunc.at", ".sort", "ndarray.fill"])
def test_calling_the_derivative_raises_before_running_anything(tag):
    fn = _function_at(tag)
    with pytest.raises(adjoint.UnsupportedSyntax):
        adjoint.grad(fn)(np.array([1.0, 2.0, 3.0]))
    with pytest.raises(adjoint.UnsupportedSyntax):
        adjoint.jvp(fn, (np.array([1.0, 2.0, 3.0]),), (np.ones(3),))


# async with / async for / await can only be written inside an async function, which is rejected first
INSIDE_ASYNC = {"AsyncWith", "AsyncFor", "Await"}


@pytest.mark.skipif(sys.version_info < (3, 11), reason="match and except* need Python 3.11")
def test_every_rejected_node_type_has_a_function():
    missing = {t.__name__ for t in fence.REJECTED} - set(MARKED)
    assert not missing, f"no function in fence_functions.py for {sorted(missing)}"
    for tag in INSIDE_ASYNC:
        assert "async def" in _line(tag)


def test_every_mutating_function_has_a_function():
    names = {_spelling(fn) for fn in fence.MUTATING_FUNCTIONS}
    assert not names - set(MARKED), f"no function in fence_functions.py for {sorted(names - set(MARKED))}"


def _spelling(fn):
    module = {"numpy": "np", "numpy.random": "np.random", "builtins": "", "random": "random",
              "_operator": "operator", "operator": "operator"}
    prefix = module.get(getattr(fn, "__module__", None) or "", "np.random" if "shuffle" in fn.__name__ else "")
    return f"{prefix}.{fn.__name__}" if prefix else fn.__name__



@pytest.mark.parametrize("tag, words", [
    ("np.copyto", ["np.copyto", "dst[...] = src"]),
    ("out=sum", ["out=", "assign the result", "as a statement"]),
    ("np.fill_diagonal", ["fill_diagonal", "as a statement"]),
    ("ufunc.at", ["np.multiply.at", "np.add.at(a, index, v)"]),
    ("ndarray.fill", ["fill", "x.fill(v)"]),
    (".sort", [".sort(", "np.sort(x)"]),
    (".resize", [".resize(", "np.resize"]),
])
def test_the_message_names_the_construct_and_what_to_write_instead(tag, words):
    with pytest.raises(adjoint.UnsupportedSyntax) as info:
        adjoint.source(_function_at(tag))
    for word in words:
        assert word in str(info.value), str(info.value)


def calls_like_mutators_but_pure(x):
    y = np.add(x, 1.0)                 # `add` is a mutating method name, but np.add is a function
    z = np.sort(y)                     # np.sort returns a new array
    w = np.sum(z, out=None)
    return np.sum(w + np.fill_diagonal.__name__.count("x"))


def test_pure_functions_with_mutator_names_pass():
    np.testing.assert_allclose(adjoint.grad(calls_like_mutators_but_pure)(np.array([3.0, 1.0])), [1.0, 1.0])
