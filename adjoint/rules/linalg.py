"""Linear algebra: dot and matmul (any of 1-D and n-D operands)."""
import gast
import numpy as np

from .core import METHODS, defrule, method, variant
from . import operators  # noqa: F401  (the @ rule must exist before its variants)

defrule(np.dot, "a, b", {"a": "rt.dot_grad_a(g, a, b)", "b": "rt.dot_grad_b(g, a, b)"},
        forward={"a": "np.dot(da, b)", "b": "np.dot(a, db)"})
defrule(np.matmul, "a, b", {"a": "rt.matmul_grad_a(g, a, b)", "b": "rt.matmul_grad_b(g, a, b)"},
        forward={"a": "da @ b", "b": "a @ db"})
defrule(np.outer, "a, b", {"a": "np.reshape(g @ np.ravel(b), np.shape(a))",
                           "b": "np.reshape(np.ravel(a) @ g, np.shape(b))"},
        forward={"a": "np.outer(da, b)", "b": "np.outer(a, db)"})
method("dot", "a, b", {"a": "rt.dot_grad_a(g, a, b)", "b": "rt.dot_grad_b(g, a, b)"},
       forward={"a": "np.dot(da, b)", "b": "np.dot(a, db)"})


# With the operands' dimensions known, the same rules read as matrix calculus.
def _ndims(a, b):
    return lambda shapes, constants: isinstance(shapes.get("a"), tuple) and isinstance(shapes.get("b"), tuple) \
        and (len(shapes["a"]), len(shapes["b"])) == (a, b)


for product in (gast.MatMult, np.matmul, np.dot):
    variant(product, _ndims(2, 2), {"a": "g @ b.T", "b": "a.T @ g"})
    variant(product, _ndims(2, 1), {"a": "np.outer(g, b)", "b": "a.T @ g"})
    variant(product, _ndims(1, 2), {"a": "b @ g", "b": "np.outer(a, g)"})
    variant(product, _ndims(1, 1), {"a": "g * b", "b": "g * a"})
variant(METHODS["dot"], _ndims(2, 2), {"a": "g @ b.T", "b": "a.T @ g"})
variant(METHODS["dot"], _ndims(2, 1), {"a": "np.outer(g, b)", "b": "a.T @ g"})
variant(METHODS["dot"], _ndims(1, 1), {"a": "g * b", "b": "g * a"})
