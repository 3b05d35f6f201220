"""Gradients of CuPy arrays on a GPU (issue 15): CuPy takes part in NumPy's dispatch
(`__array_function__`, `__array_ufunc__`) and names its array API namespace, so the same compiled
gradient runs on the device, and comes back as a CuPy array, with no transfer to host memory on the
way (CuPy refuses implicit transfers: `cupy.ndarray.__array__` raises). Skipped without CuPy or
without a GPU; the same mechanisms are exercised on every machine by tests/test_dask.py (dispatch)
and tests/test_array_api.py (namespaces)."""
import numpy as np
import pytest

import adjoint
from adjoint.testing import numerical_grad

cp = pytest.importorskip("cupy")
try:
    _devices = cp.cuda.runtime.getDeviceCount()
except Exception:                   # (CuPy installed, no driver or no device)
    _devices = 0
if not _devices:
    pytest.skip("no GPU: the CuPy tests need a CUDA device", allow_module_level=True)

from duck_array_functions import elementwise, layer, looped, rosenbrock, scaled, stencil  # noqa: E402


CASES = [
    (elementwise, 0, lambda: (np.linspace(-1.0, 1.0, 10),)),
    (scaled, 0, lambda: (np.linspace(-1.0, 1.0, 10), 0.5)),
    (layer, 0, lambda: (np.linspace(-1, 1, 12).reshape(4, 3), np.linspace(0.5, 1.0, 3))),
    (rosenbrock, 0, lambda: (np.linspace(-1.0, 1.5, 10),)),
    (looped, 0, lambda: (np.linspace(-1.0, 1.0, 10),)),
    (stencil, 0, lambda: (np.linspace(-1.0, 1.0, 10),)),
]


@pytest.mark.parametrize("fn, wrt, make", CASES, ids=[c[0].__name__ for c in CASES])
def test_the_gradient_of_a_cupy_array_stays_on_the_gpu(fn, wrt, make):
    arrays = make()
    on_device = tuple(cp.asarray(a) if isinstance(a, np.ndarray) else a for a in arrays)
    gradient = adjoint.grad(fn, wrt)(*on_device)
    assert isinstance(gradient, cp.ndarray)
    np.testing.assert_allclose(cp.asnumpy(gradient), numerical_grad(fn, arrays, wrt), rtol=1e-6, atol=1e-8)
