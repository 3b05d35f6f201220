"""Functions written against the array API standard (issue 15): the namespace comes from the arrays
(`array_namespace(x)` of array-api-compat, or `x.__array_namespace__()`), so one function runs on
NumPy, array_api_strict, CuPy or any library with a namespace. tests/test_array_api.py differentiates
each on array_api_strict arrays and compares with NumPy and finite differences; module_namespace
reads the library's own namespace, imported at module level."""
import array_api_strict as xps
from array_api_compat import array_namespace


def elementwise(x):
    xp = array_namespace(x)
    return xp.sum(xp.sin(x) * xp.exp(-x) + xp.tanh(x) ** 2 + xp.sqrt(x + 2.0) - xp.log1p(x * x))


def inverse_trig(x):
    xp = x.__array_namespace__()
    return xp.sum(xp.acos(x / 2) + xp.asin(x / 3) * xp.atan(x) + xp.atan2(x, 1.5 + x * x))


def hyperbolic(x):
    xp = array_namespace(x)
    return xp.sum(xp.sinh(x) * xp.cosh(x / 2) + xp.expm1(x) + xp.square(x))


def absolute(x):
    xp = array_namespace(x)
    return xp.sum(xp.abs(x - 0.05) * x)


def arithmetic(x, y):
    xp = array_namespace(x, y)
    return xp.sum((x * y - x / (y + 3.0)) ** 2 + xp.pow(y + 2.0, x) + xp.maximum(x, y) - xp.minimum(x, 0.25))


def power_of_arrays(x, y):
    xp = array_namespace(x)
    return xp.sum((y + 2.0) ** x)


def layer(W, x):
    xp = array_namespace(W, x)
    h = xp.tanh(W @ x + 1.0)
    return xp.sum(h * h) / xp.sum(x * x)


def matrices(A, B):
    xp = array_namespace(A)
    C = xp.matmul(A, xp.permute_dims(B, (1, 0)))
    return xp.sum(xp.mean(C ** 2, axis=0)) + xp.sum(xp.max(A, axis=1))


def reductions(A):
    xp = array_namespace(A)
    return xp.mean(xp.sum(A, axis=0, keepdims=True)) + xp.min(A) * xp.max(A)


def shapes(A):
    xp = array_namespace(A)
    flat = xp.reshape(A, (-1,))
    both = xp.concat([flat, flat * 2.0])
    rows = xp.stack([A[0, :], A[1, :]], axis=0)
    return xp.sum(both ** 2) + xp.sum(xp.expand_dims(rows, axis=0) * 3.0) + xp.sum(xp.flip(A, axis=1) * A)


def slices(x):
    xp = array_namespace(x)
    return xp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def selection(x):
    xp = array_namespace(x)
    return xp.sum(xp.where(x > 0.2, x ** 3, -x)) + xp.sum(xp.clip(x, 0.0, 0.5) * x)


def loop(x, a):
    xp = array_namespace(x)
    total = 0.0
    for k in range(4):
        x = x - a * xp.sin(x) / (k + 1)
        total = total + xp.sum(x * x)
    return total


def branch(x):
    xp = array_namespace(x)
    s = xp.sum(x)
    if s > 0.5:
        y = xp.exp(x) * s
    else:
        y = xp.cos(x) - s
    return xp.sum(y * y)


def _energy(h):
    xp = array_namespace(h)
    return xp.sum(xp.tanh(h) ** 2)


def with_helper(W, x):
    xp = array_namespace(x)
    return _energy(W @ x) + xp.sum(x ** 2)


def store(x):
    xp = array_namespace(x)
    out = xp.zeros(x.shape, dtype=x.dtype)
    out[1:] = x[:-1] * x[1:]
    return xp.sum(out * out)


def product(A):
    xp = array_namespace(A)
    return xp.sum(xp.prod(A + 2.0, axis=1))


def module_namespace(x):
    return xps.sum(xps.sin(x) * xps.exp(-x) + xps.tanh(x) ** 2)


def linear_algebra(M, b):
    xp = array_namespace(M, b)
    A = M @ M.mT + 3.0 * xp.eye(M.shape[0], dtype=M.dtype)
    return xp.sum(xp.linalg.inv(A) ** 2) + xp.linalg.det(A) + xp.sum(xp.linalg.solve(A, b[:, None]) ** 2)


def spread(x):
    xp = array_namespace(x)
    return xp.std(x) + xp.var(x * x) + xp.linalg.vector_norm(x * x - 0.1)


def projections(X, y):
    xp = array_namespace(X, y)
    return xp.sum(xp.vecdot(X, y) ** 2) + xp.linalg.vecdot(X[0, :], y)


def damp_in_place(x):
    xp = array_namespace(x)
    x[0] = 0.0                      # a store into the argument: the caller's array must stay as it was
    x[1:] = x[1:] * 0.5
    return xp.sum(x * x * x)
