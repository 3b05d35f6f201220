"""Functions written against the array API standard that take their namespace from their arrays
(`xp = x.__array_namespace__()`): on NumPy 2 arrays that namespace is NumPy itself, so these run
wherever the tests run, with no optional package (tests/test_standard.py)."""


def elementwise(x):
    xp = x.__array_namespace__()
    return xp.sum(xp.sin(x) * xp.exp(-x) + xp.acos(x / 2) + xp.atan2(x, 1.5 + x * x) + xp.pow(x + 2.0, 1.5))


def matrices(A, B):
    xp = A.__array_namespace__()
    C = xp.matmul(A, xp.permute_dims(B, (1, 0))) + A @ B.mT
    return xp.sum(xp.mean(C ** 2, axis=0)) + xp.sum(xp.max(A, axis=1)) + xp.sum(xp.maximum(A, 0.1) * B)


def shapes(A):
    xp = A.__array_namespace__()
    flat = xp.reshape(A, (-1,))
    both = xp.concat([flat, flat * 2.0])
    rows = xp.stack([A[0, :], A[1, :]], axis=0)
    return xp.sum(both ** 2) + xp.sum(xp.expand_dims(rows, axis=0) * 3.0) + xp.sum(xp.flip(A, axis=1) * A)


def linear_algebra(M, b):
    xp = M.__array_namespace__()
    A = M @ M.mT + 3.0 * xp.eye(M.shape[0], dtype=M.dtype)
    return xp.sum(xp.linalg.inv(A) ** 2) + xp.linalg.det(A) + xp.sum(xp.linalg.solve(A, b[:, None]) ** 2)


def _energy(h):
    xp = h.__array_namespace__()
    return xp.sum(xp.tanh(h) ** 2)


def loop_branch_helper(W, x):
    xp = x.__array_namespace__()
    total = 0.0
    for k in range(3):
        x = x - 0.3 * xp.sin(x) / (k + 1)
        if xp.sum(x) > 0.5:
            total = total + _energy(W @ x)
        else:
            total = total + xp.sum(xp.where(x > 0.2, x ** 3, -x))
    return total


def store(x):
    xp = x.__array_namespace__()
    out = xp.zeros(x.shape, dtype=x.dtype)
    out[1:] = x[:-1] * x[1:]
    return xp.sum(out * out) + xp.std(x) + xp.linalg.vector_norm(out - 0.1)


def projections(X, y):
    xp = X.__array_namespace__()
    return xp.sum(xp.vecdot(X, y) ** 2) + xp.linalg.vecdot(X[0], y)
