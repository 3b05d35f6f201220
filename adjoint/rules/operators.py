"""Python operators: `+ - * / ** @ %`, unary minus and plus. Keyed by the gast operator class."""
import gast

from ..shapes import SEQUENCE
from .core import defrule, elementwise, nondifferentiable, variant

elementwise(gast.Add, "a, b", {"a": "1", "b": "1"}, name="+")
elementwise(gast.Sub, "a, b", {"a": "1", "b": "-1"}, name="-")
elementwise(gast.Mult, "a, b", {"a": "b", "b": "a"}, name="*")
elementwise(gast.Div, "a, b", {"a": "1 / b", "b": "-z / b"}, name="/")
elementwise(gast.Pow, "a, b", {"a": "b * a ** (b - 1)", "b": "z * np.log(a)"}, name="**")
elementwise(gast.Mod, "a, b", {"a": "1", "b": "-np.floor_divide(a, b)"}, name="%")
defrule(gast.MatMult, "a, b", {"a": "rt.matmul_grad_a(g, a, b)", "b": "rt.matmul_grad_b(g, a, b)"},
        forward={"a": "da @ b", "b": "a @ db"}, name="@")
defrule(gast.USub, "a", {"a": "-g"}, forward={"a": "-da"}, name="unary -")
defrule(gast.UAdd, "a", {"a": "g"}, forward={"a": "da"}, name="unary +")
nondifferentiable(gast.FloorDiv, gast.BitAnd, gast.BitOr, gast.BitXor, gast.LShift, gast.RShift,
                  gast.Invert, gast.Not)


def _sequences(shapes, constants):
    return shapes.get("a") is SEQUENCE and shapes.get("b") is SEQUENCE


variant(gast.Add, _sequences, {"a": "g[:len(a)]", "b": "g[len(a):]"})       # list + list joins them
