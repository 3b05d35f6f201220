"""Code written against the array API standard, run on NumPy 2 arrays, whose namespace is NumPy
itself: every derivative is checked against central differences in reverse and forward mode and
under the Hessian, and the generated code is written with the function's own `xp`, spelled as the
standard spells it. tests/test_array_api.py runs the same machinery on array_api_strict arrays."""
import numpy as np
import pytest

import adjoint
from adjoint import standard
from adjoint.errors import NonDifferentiable
from adjoint.testing import check_derivatives

import standard_functions as S

if not hasattr(np.ndarray, "__array_namespace__"):
    pytest.skip("NumPy's arrays name their array API namespace from NumPy 2.0 on", allow_module_level=True)

X = np.linspace(0.1, 0.6, 5)
_rng = np.random.default_rng(1)
A = _rng.standard_normal((3, 4)) * 0.5
B = _rng.standard_normal((3, 4)) * 0.5
W = _rng.standard_normal((4, 5)) * 0.5

CASES = [(S.elementwise, (X,), 0), (S.matrices, (A, B), 0), (S.matrices, (A, B), 1), (S.shapes, (A,), 0),
         (S.linear_algebra, (A, X[:3]), 0), (S.linear_algebra, (A, X[:3]), 1), (S.loop_branch_helper, (W, X), 0),
         (S.loop_branch_helper, (W, X), 1), (S.loop_branch_helper, (W, X * 3), 1), (S.store, (X,), 0),
         (S.projections, (A, X[:4]), 0), (S.projections, (A, X[:4]), 1)]


@pytest.mark.parametrize("fn, args, wrt", CASES, ids=[f"{c[0].__name__}-{c[2]}" for c in CASES])
def test_array_api_code_on_numpy_arrays_in_every_mode(fn, args, wrt):
    check_derivatives(fn, *args, wrt=wrt)


def test_the_derivative_is_written_with_the_namespace_as_the_standard_spells_it():
    text = adjoint.source(S.elementwise, args=(X,))
    assert "xp = x.__array_namespace__()" in text
    assert "xp.sqrt(1 - " in text                        # np.arccos's rule, in the standard's names
    assert "np." not in text.replace("np.shape(", "")


def test_every_portable_helper_is_in_the_runtime():
    from adjoint import runtime
    assert all(callable(getattr(runtime, name, None)) or name == "zero" for name in standard.PORTABLE_HELPERS)


def test_a_rule_needing_more_than_the_standard_is_refused_when_compiling():
    def product(A):
        xp = A.__array_namespace__()
        return xp.sum(xp.prod(A + 2.0, axis=1))
    with pytest.raises(NonDifferentiable, match=r"written with the array API.*rt\.prod_others"):
        adjoint.grad(product)(A)
