"""adjoint: a source-to-source differentiating compiler for Python and NumPy.

    import adjoint
    dloss = adjoint.grad(loss, wrt=("W", "b"))
    print(adjoint.source(loss, wrt=("W", "b")))     # the generated derivative, as Python

Complex inputs with a real-valued output get the gradient dL/dx + i dL/dy (PyTorch's and
Zygote's convention), so `z -= lr * g` descends.
"""
from . import rules
from .api import (Differentiable, defrule, differentiate, elementwise_grad, grad, hessian, hvp, jacobian, jvp, source, stop_gradient,
                  value_and_grad, vjp)
from .errors import AdjointError, ArgumentError, NonDifferentiable, NoSource, ShapeError, UnsupportedSyntax
from .trees import tree_map

rules.nondifferentiable(stop_gradient)

__all__ = ["grad", "elementwise_grad", "value_and_grad", "vjp", "jvp", "jacobian", "hessian", "hvp", "source", "differentiate", "Differentiable", "stop_gradient",
           "tree_map",
           "defrule", "rules", "AdjointError", "UnsupportedSyntax", "NonDifferentiable", "NoSource",
           "ArgumentError", "ShapeError"]
__version__ = "0.1.0"
