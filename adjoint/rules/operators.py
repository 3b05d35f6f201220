"""Python operators: `+ - * / ** @ %`, unary minus and plus. Keyed by the gast operator class."""
import gast

from ..shapes import is_sequence
from .core import defrule, elementwise, exponent_tangent, lookup, nondifferentiable, nonzero_number, partial_variant, variant

elementwise(gast.Add, "a, b", {"a": "1", "b": "1"}, name="+")
elementwise(gast.Sub, "a, b", {"a": "1", "b": "-1"}, name="-")
elementwise(gast.Mult, "a, b", {"a": "b", "b": "a"}, name="*")
# -g * z / b rather than g * (-z / b): where z = 1 / b is recomputed, `-g * (1 / b) / b` simplifies to
# `-g / b / b`, two operations on the operand instead of four
elementwise(gast.Div, "a, b", {"a": "1 / b", "b": "-z / b"}, name="/").reverse["b"] = "-g * z / b"
# the slope of a ** b in a is b * a ** (b - 1), but at a == b == 0 that is 0 * 0 ** -1 (NaN) where the truth is
# 0: rt.power_exponent raises to 1 there (and so does every higher derivative). A constant exponent
# other than 0 cannot meet that case, so its slope is written plainly (and folds: 2 * x ** 1 -> 2 * x).
# The slope in b, z * log(a), is 0 * -inf at a == 0 where the truth is 0: rt.zero_as_one takes log(1).
POWER = {"a": "b * a ** rt.power_exponent(a, b)", "b": "z * np.log(rt.zero_as_one(a))"}
exponent_tangent(elementwise(gast.Pow, "a, b", POWER, name="**"), "b", "a")
partial_variant(gast.Pow, "a", "b * a ** (b - 1)", nonzero_number("b"))
elementwise(gast.Mod, "a, b", {"a": "1", "b": "-np.floor_divide(a, b)"}, name="%")
defrule(gast.MatMult, "a, b", {"a": "rt.matmul_grad_a(g, a, b)", "b": "rt.matmul_grad_b(g, a, b)"},
        forward={"a": "da @ b", "b": "a @ db"}, name="@")
defrule(gast.USub, "a", {"a": "-g"}, forward={"a": "-da"}, name="unary -")
defrule(gast.UAdd, "a", {"a": "g"}, forward={"a": "da"}, name="unary +")
nondifferentiable(gast.FloorDiv, gast.BitAnd, gast.BitOr, gast.BitXor, gast.LShift, gast.RShift,
                  gast.Invert, gast.Not)


def _sequences(shapes, constants):
    return is_sequence(shapes.get("a")) and is_sequence(shapes.get("b"))


variant(gast.Add, _sequences, {"a": "g[:len(a)]", "b": "g[len(a):]"})       # list + list joins them


def _repeated(operand, other):
    """when(): `list * n` (or `n * list`) repeats the list; the sequence is `operand`, n a number. Times
    anything else (an array, or a value whose shape is not known), a list is read as an array: the
    product is elementwise."""
    return lambda shapes, constants: is_sequence(shapes.get(operand)) and (
        shapes.get(other) == () or isinstance(constants.get(other), int))


variant(gast.Mult, _repeated("a", "b"), {"a": "rt.unrepeat_sequence(g, a)"})
variant(gast.Mult, _repeated("b", "a"), {"b": "rt.unrepeat_sequence(g, b)"})


def lists_read_as_arrays(rule, shapes, constants=None):
    """The parameters of a broadcasting operation bound to lists (shapes: parameter -> shape), which
    NumPy reads as arrays; their templates read `np.asarray(x)` (`x1 <= x2` compares no list with a
    number). `list + list` joins the lists and `list * n` repeats one: those stay lists."""
    joins = rule is lookup(gast.Add) and _sequences(shapes, {})
    constants = constants or {}
    repeats = rule is lookup(gast.Mult) and (_repeated("a", "b")(shapes, constants)
                                             or _repeated("b", "a")(shapes, constants))
    if not rule.broadcasting or joins or repeats:
        return []
    return [p for p, shape in shapes.items() if is_sequence(shape)]
