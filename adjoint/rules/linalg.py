"""Linear algebra: dot and matmul (any of 1-D and n-D operands)."""
import numpy as np

from .core import defrule, method

defrule(np.dot, "a, b", {"a": "rt.dot_grad_a(g, a, b)", "b": "rt.dot_grad_b(g, a, b)"},
        forward={"a": "np.dot(da, b)", "b": "np.dot(a, db)"})
defrule(np.matmul, "a, b", {"a": "rt.matmul_grad_a(g, a, b)", "b": "rt.matmul_grad_b(g, a, b)"},
        forward={"a": "da @ b", "b": "a @ db"})
method("dot", "a, b", {"a": "rt.dot_grad_a(g, a, b)", "b": "rt.dot_grad_b(g, a, b)"},
       forward={"a": "np.dot(da, b)", "b": "np.dot(a, db)"})
