"""Regressions of the compile cache found by the fuzzer (seed 1, program 187).

The program's reverse gradient was NaN: `v3 = a0` propagated into the backward sweep, then
out-of-SSA coalescing gave a0 to v3's later version, so np.max's backward saw a0 overwritten by
0.5 and its mask was empty (0 / 0). That was fixed in cleanup.py; the shrinker, though, wrote a
program that passes, because the cache served one function the recipe compiled for another: two
functions whose source differs only in code Python drops as unreachable (after `if 0.5: break`)
have equal code objects, and recipes were looked up by `==` on code objects.
"""
import importlib.util
import textwrap

import numpy as np

import adjoint
from adjoint import cache
from adjoint.testing import check_grads

ARG = np.array([1.126621755409456, 1.088710379505808, -0.9841284996007632])

# the shrunk program: what follows `if 0.5: break` never runs, and Python drops it from the bytecode
PROGRAM = """
import numpy as np


def f(a0):
    v3 = a0
    v4 = np.max(v3)
    for item6 in a0:
        v3 = 0.5
    while True:
        v4 += 0.5
        if 0.5:
            break
        if np.sum({dead}) < 0.0:
            break
    return v4
"""


def _load(tmp_path, name, text):
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(text))
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gradient_of_max_is_not_nan_when_a_copy_of_the_argument_is_overwritten(tmp_path):
    f = _load(tmp_path, "cache_regression_max_copy", PROGRAM.format(dead="v3")).f
    grad = adjoint.grad(f)(ARG.copy())
    assert not np.any(np.isnan(grad))
    np.testing.assert_allclose(grad, [1.0, 0.0, 0.0])
    check_grads(f, ARG.copy())


def test_functions_with_equal_code_objects_but_different_sources_are_compiled_each_from_its_own(tmp_path):
    first = _load(tmp_path, "cache_regression_dead_code_a", PROGRAM.format(dead="v3")).f
    second = _load(tmp_path, "cache_regression_dead_code_b", PROGRAM.format(dead="0.5")).f
    # the precondition of the bug: `==` on code objects ignores the file and the dropped code
    assert first.__code__ == second.__code__ and first.__code__ is not second.__code__
    for f, name in ((first, "cache_regression_dead_code_a"), (second, "cache_regression_dead_code_b")):
        before = cache.compile_count()
        check_grads(f, ARG.copy())
        assert cache.compile_count() > before, f"{name}.f was served another function's compiled code"
        linked = f.__dict__[cache._INSTANCES]
        assert all(name in fn.__code__.co_filename for entry in linked.values() for fn in entry.module.values())
    np.testing.assert_allclose(adjoint.grad(second)(ARG.copy()), [1.0, 0.0, 0.0])


def test_one_code_object_shared_by_many_functions_still_compiles_once():
    def make(k):
        def f(x):
            return k * x * x
        return f
    adjoint.grad(make(1.0))(1.0)
    before = cache.compile_count()
    for k in (2.0, 3.0, 4.0):
        assert adjoint.grad(make(k))(1.5) == 3.0 * k
    assert cache.compile_count() == before
