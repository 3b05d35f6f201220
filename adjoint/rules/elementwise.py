"""Elementwise functions: NumPy ufuncs, `math` and the builtins that act on numbers."""
import builtins
import math

import numpy as np

from .core import defrule, elementwise, unary

unary([np.sin], "np.cos(x)")
unary([np.cos], "-np.sin(x)")
unary([np.tan], "1 + z * z")
unary([np.exp], "z")
unary([np.log], "1 / x")
unary([np.sqrt], "0.5 / z")
unary([np.tanh], "1 - z * z")
unary([np.abs, builtins.abs], "np.sign(x)")
unary([np.negative], "-1")
unary([np.square], "2 * x")
unary([np.reciprocal], "-z ** 2")
unary([np.arcsin], "1 / np.sqrt(1 - x ** 2)")
unary([np.arccos], "-1 / np.sqrt(1 - x ** 2)")
unary([np.arctan], "1 / (1 + x ** 2)")
unary([np.sinh], "np.cosh(x)")
unary([np.cosh], "np.sinh(x)")
unary([np.log2], "1 / (x * np.log(2))")
unary([np.log10], "1 / (x * np.log(10))")
unary([np.log1p], "1 / (1 + x)")
unary([np.expm1], "z + 1")

unary([math.sin], "math.cos(x)")
unary([math.cos], "-math.sin(x)")
unary([math.tan], "1 + z * z")
unary([math.exp], "z")
unary([math.log], "1 / x")
unary([math.sqrt], "0.5 / z")
unary([math.tanh], "1 - z * z")
unary([math.atan], "1 / (1 + x ** 2)")
unary([math.sinh], "math.cosh(x)")
unary([math.cosh], "math.sinh(x)")
unary([math.fabs], "math.copysign(1.0, x)")
defrule(builtins.float, "x", {"x": "g"}, forward={"x": "dx"}, name="float")

elementwise(np.add, "x1, x2", {"x1": "1", "x2": "1"})
elementwise(np.subtract, "x1, x2", {"x1": "1", "x2": "-1"})
elementwise(np.multiply, "x1, x2", {"x1": "x2", "x2": "x1"})
elementwise(np.divide, "x1, x2", {"x1": "1 / x2", "x2": "-z / x2"})
elementwise(np.power, "x1, x2", {"x1": "x2 * x1 ** (x2 - 1)", "x2": "z * np.log(x1)"})
elementwise(math.pow, "x, y", {"x": "y * x ** (y - 1)", "y": "z * math.log(x)"})
# ties send the whole gradient to the first argument, as in the subgradient max(a, b) = a when a == b
elementwise(np.maximum, "x1, x2", {"x1": "x1 >= x2", "x2": "x1 < x2"})
elementwise(np.minimum, "x1, x2", {"x1": "x1 <= x2", "x2": "x1 > x2"})
elementwise(builtins.max, "x1, x2", {"x1": "x1 >= x2", "x2": "x1 < x2"}, name="max")
elementwise(builtins.min, "x1, x2", {"x1": "x1 <= x2", "x2": "x1 > x2"}, name="min")
defrule(np.where, "condition, x, y",
        {"x": "np.where(condition, g, 0.0)", "y": "np.where(condition, 0.0, g)"},
        forward={"x": "np.where(condition, dx, 0.0)", "y": "np.where(condition, 0.0, dy)"},
        broadcasting=True)
