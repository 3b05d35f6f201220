"""Elementwise functions: NumPy ufuncs, `math` and the builtins that act on numbers."""
import builtins
import math

import numpy as np

from .core import (RULES, complex_form, defrule, elementwise, exponent_tangent, nondifferentiable, nonzero_number,
                   partial_variant, unary)

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
# powers: finite slopes at 0 ** 0 to any order (see the rule for `**` in operators.py)
POWER = {"x1": "x2 * x1 ** rt.power_exponent(x1, x2)", "x2": "z * np.log(rt.zero_as_one(x1))"}
exponent_tangent(elementwise(np.power, "x1, x2", POWER), "x2", "x1")
partial_variant(np.power, "x1", "x2 * x1 ** (x2 - 1)", nonzero_number("x2"))
# (math.pow in the slope too: a negative float to a fractional power raises there, as in the value, where
# `**` would make a complex number: code compiled for floats relies on it, see floats.py)
exponent_tangent(elementwise(math.pow, "x, y", {"x": "y * math.pow(x, rt.power_exponent(x, y))",
                                                "y": "z * math.log(rt.zero_as_one(x))"}), "y", "x")
partial_variant(math.pow, "x", "y * math.pow(x, y - 1)", nonzero_number("y"))
exponent_tangent(elementwise(builtins.pow, "base, exp", {"base": "exp * base ** rt.power_exponent(base, exp)",
                                                         "exp": "z * np.log(rt.zero_as_one(base))"}, name="pow"),
                 "exp", "base")
partial_variant(builtins.pow, "base", "exp * base ** (exp - 1)", nonzero_number("exp"))
# divmod(a, b) = (a // b, a % b): the quotient is piecewise constant, the remainder a - b * (a // b)
for _divmod in (builtins.divmod, np.divmod):
    defrule(_divmod, "a, b", {"a": "rt.item_adjoint(g, 1, z)", "b": "-rt.item_adjoint(g, 1, z) * z[0]"},
            forward="(rt.zeros_like(z[0]), da - db * z[0])", broadcasting=True, name=_divmod.__name__)
# ties send the whole gradient to the first argument, as in the subgradient max(a, b) = a when a == b
elementwise(np.maximum, "x1, x2", {"x1": "x1 >= x2", "x2": "x1 < x2"})
elementwise(np.minimum, "x1, x2", {"x1": "x1 <= x2", "x2": "x1 > x2"})
elementwise(builtins.max, "x1, x2", {"x1": "x1 >= x2", "x2": "x1 < x2"}, name="max")
elementwise(builtins.min, "x1, x2", {"x1": "x1 <= x2", "x2": "x1 > x2"}, name="min")
defrule(np.where, "condition, x, y",
        {"x": "np.where(condition, g, 0.0)", "y": "np.where(condition, 0.0, g)"},
        forward={"x": "np.where(condition, dx, 0.0)", "y": "np.where(condition, 0.0, dy)"},
        broadcasting=True, no_derivative=("condition",))     # a mask: piecewise constant

# --- the rest of the differentiable ufuncs -----------------------------------------------------
unary([np.arcsinh], "1 / np.sqrt(x ** 2 + 1)")
unary([np.arccosh], "1 / np.sqrt(x ** 2 - 1)")
unary([np.arctanh], "1 / (1 - x ** 2)")
unary([np.exp2], "z * np.log(2)")
unary([np.cbrt], "1 / (3 * z ** 2)")
unary([np.fabs], "np.sign(x)")
unary([np.positive], "1")
unary([np.deg2rad, np.radians], "np.pi / 180")
unary([np.rad2deg, np.degrees], "180 / np.pi")
# sinc(x) = sin(pi x) / (pi x); its slope (cos(pi x) - sinc(x)) / x is 0 at x = 0
unary([np.sinc], "np.where(x == 0, 0.0, (np.cos(np.pi * x) - z) / np.where(x == 0, 1.0, x))")
exponent_tangent(elementwise(np.float_power, "x1, x2", POWER), "x2", "x1")
partial_variant(np.float_power, "x1", "x2 * x1 ** (x2 - 1)", nonzero_number("x2"))
elementwise(np.remainder, "x1, x2", {"x1": "1", "x2": "-np.floor_divide(x1, x2)"})     # also np.mod
elementwise(np.fmod, "x1, x2", {"x1": "1", "x2": "-np.trunc(x1 / x2)"})
elementwise(np.fmax, "x1, x2", {"x1": "x1 >= x2", "x2": "x1 < x2"})
elementwise(np.fmin, "x1, x2", {"x1": "x1 <= x2", "x2": "x1 > x2"})
elementwise(np.logaddexp, "x1, x2", {"x1": "np.exp(x1 - z)", "x2": "np.exp(x2 - z)"})
elementwise(np.logaddexp2, "x1, x2", {"x1": "np.exp2(x1 - z)", "x2": "np.exp2(x2 - z)"})
elementwise(np.hypot, "x1, x2", {"x1": "x1 / z", "x2": "x2 / z"})
elementwise(np.arctan2, "x1, x2", {"x1": "x2 / (x1 ** 2 + x2 ** 2)", "x2": "-x1 / (x1 ** 2 + x2 ** 2)"})
elementwise(np.copysign, "x1, x2", {"x1": "np.sign(x1) * np.sign(z)"}).no_derivative = ("x2",)
# clip passes the derivative where a is inside [a_min, a_max], and to a bound where a is past it
elementwise(np.clip, "a, a_min=None, a_max=None", {"a": "np.clip(a, a_min, a_max) == a", "a_min": "a < a_min",
                                                  "a_max": "a > a_max"})
# real, imag and angle have real outputs: their adjoints read the real part of g (for a real operand,
# a complex function's reverse sweep may leave an imaginary part on g, which means nothing)
defrule(np.real, "val", {"val": "np.real(g)"}, forward={"val": "LINEAR"})
defrule(np.imag, "val", {"val": "rt.match_real(1j * np.real(g), val)"}, forward={"val": "LINEAR"})
defrule(np.conjugate, "x", {"x": "np.conj(g)"}, forward={"x": "LINEAR"})
# the angle of a real number is piecewise constant (no reverse template: no contribution)
defrule(np.angle, "x, deg=False", {}, forward={"x": "rt.angle_jvp(x, dx, deg)"})
complex_form(np.angle, {"x": "rt.angle_grad(g, x, deg)"})

unary([math.asin], "1 / math.sqrt(1 - x ** 2)")
unary([math.acos], "-1 / math.sqrt(1 - x ** 2)")
unary([math.asinh], "1 / math.sqrt(x ** 2 + 1)")
unary([math.acosh], "1 / math.sqrt(x ** 2 - 1)")
unary([math.atanh], "1 / (1 - x ** 2)")
unary([math.log2], "1 / (x * math.log(2))")
unary([math.log10], "1 / (x * math.log(10))")
unary([math.log1p], "1 / (1 + x)")
unary([math.expm1], "z + 1")
unary([math.erf], "2 / math.sqrt(math.pi) * math.exp(-x ** 2)")
unary([math.erfc], "-2 / math.sqrt(math.pi) * math.exp(-x ** 2)")
unary([math.degrees], "180 / math.pi")
unary([math.radians], "math.pi / 180")
elementwise(math.log, "x, base=2.718281828459045", {"x": "1 / (x * math.log(base))", "base": "-z / (base * math.log(base))"})
elementwise(math.hypot, "x, y", {"x": "x / z", "y": "y / z"})
elementwise(math.atan2, "y, x", {"y": "x / (x ** 2 + y ** 2)", "x": "-y / (x ** 2 + y ** 2)"})
elementwise(math.fmod, "x, y", {"x": "1", "y": "-math.trunc(x / y)"})
nondifferentiable(np.heaviside, np.signbit, np.greater_equal, np.less_equal, np.not_equal, np.isclose,
                  np.allclose, np.array_equal, np.logical_xor, np.fix, np.around, np.iscomplexobj, np.isreal)

# |x| of a complex x is not holomorphic: d|x| = Re(conj(x) dx) / |x|, so its adjoint is Re(g) x / |x|.
# Forward code is compiled once for real and complex arguments alike: rt.abs_jvp tells them apart.
for modulus in (np.abs, builtins.abs):
    complex_form(modulus, {"x": "np.real(g) * rt.direction(x)"})
    RULES[modulus].forward = {"x": "rt.abs_jvp(x, dx)"}

# the modified Bessel function I0 (I0' = I1), scaling by powers of two, the next float
unary([np.i0], "rt.bessel_i1(x)")
defrule(np.ldexp, "x1, x2", {"x1": "g * np.ldexp(1.0, x2)"}, forward={"x1": "dx1 * np.ldexp(1.0, x2)"},
        broadcasting=True)
defrule(np.nextafter, "x1, x2", {"x1": "g"}, forward={"x1": "dx1"}, broadcasting=True, no_derivative=("x2",))
