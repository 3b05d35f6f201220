"""Code written against the array API standard: `xp = array_namespace(x)` (array-api-compat),
`xp = x.__array_namespace__()`, or a module-level `import array_api_strict as xp`.

The namespace's functions are the standard's, whatever library the arrays belong to, so the
compiler reads `xp.sin` as the standard's `sin` and differentiates it by NumPy's rule for the same
function (`xp.acos` by np.arccos's, `xp.concat` by np.concatenate's: STANDARD below). The rule's
templates are then written with the call's own namespace: `np.cos(x)` becomes `xp.cos(x)`, so the
derivative runs on the user's arrays in their library (written_with). A rule whose derivative needs a
NumPy function the standard lacks is refused when compiling, never run on a silent conversion.
The runtime's helpers take such arrays through their namespace (runtime.own_namespace).
"""
import types

import gast
import numpy as np

from . import ir
from .quoting import quote_expr

NAMESPACES = "__adjoint_namespaces__"   # on generated functions: the local names holding a namespace

# the standard's names that NumPy spells differently
_RENAMED = {"acos": "arccos", "acosh": "arccosh", "asin": "arcsin", "asinh": "arcsinh", "atan": "arctan",
            "atan2": "arctan2", "atanh": "arctanh", "pow": "power", "concat": "concatenate",
            "permute_dims": "transpose", "cumulative_sum": "cumsum", "cumulative_prod": "cumprod",
            "bitwise_invert": "invert", "bitwise_left_shift": "left_shift", "bitwise_right_shift": "right_shift"}
_SAME = """abs add all any arange argmax argmin argsort asarray astype broadcast_arrays broadcast_to ceil clip conj
    copysign cos cosh count_nonzero diff divide empty empty_like equal exp expand_dims expm1 eye flip floor
    floor_divide full full_like greater greater_equal hypot imag isfinite isinf isnan less less_equal linspace log
    log10 log1p log2 logaddexp logical_and logical_not logical_or logical_xor matmul matrix_transpose max maximum
    mean meshgrid min minimum moveaxis multiply negative nonzero not_equal ones ones_like positive prod real
    reciprocal remainder repeat reshape roll round searchsorted sign signbit sin sinh sort sqrt square squeeze
    stack std subtract sum take take_along_axis tan tanh tensordot tile trunc var vecdot where zeros
    zeros_like""".split()
_LINALG = """cholesky cross det diagonal eigh eigvalsh inv matmul matrix_norm matrix_power matrix_rank outer pinv qr
    slogdet solve svd svdvals tensordot trace vecdot vector_norm""".split()
_FFT = "fft ifft fftn ifftn rfft irfft rfftn irfftn hfft ihfft fftfreq rfftfreq fftshift ifftshift".split()

# NumPy functions the templates may call on any array: they read its shape and never convert it
_SHAPE_READERS = {"shape", "ndim", "size"}
# the runtime's helpers that take arrays of any namespace (runtime.own_namespace); a rule whose
# derivative needs another one is refused for code written with the array API
PORTABLE_HELPERS = {"add", "add_at", "add_into", "broadcast_like", "clear", "cleared", "extremum_grad", "field",
                    "get", "item_adjoint", "item_spread", "like", "matmul_grad_a", "matmul_grad_b", "overwritten",
                    "power_exponent", "private", "restore", "scaled_log", "size", "spread_over", "sum_tangents", "tangent_buffer",
                    "tangent_zero", "unbroadcast", "unconcatenate", "unfield", "unindex", "unreduce", "unstack",
                    "unsum", "untranspose", "widen", "written", "zero", "zero_as_one", "zeros_like"}
# and those that only move items of lists and dicts, whatever they hold
PORTABLE_HELPERS |= {"detached", "dict_items", "dict_keys", "dict_values", "drop_last", "inserted", "items_tangent",
                     "key_at", "largest", "last", "position_of_largest", "position_of_smallest", "smallest",
                     "unappend", "undict_items", "undict_values", "uninsert", "unremove", "unrepeat_sequence"}
# the standard's functions whose parameters after the first (two) are keyword-only, which NumPy's
# templates may pass by position: (how many positional, the names of those that follow)
_KEYWORD_ONLY = {**{name: (1, ("axis",)) for name in (
    "argmax", "argmin", "argsort", "concat", "cumulative_prod", "cumulative_sum", "expand_dims", "flip", "max",
    "mean", "min", "prod", "sort", "stack", "std", "sum", "unstack", "var")},
    "roll": (2, ("axis",)), "take": (2, ("axis",)), "repeat": (2, ("axis",)), "tensordot": (2, ("axes",))}
# NumPy functions the standard has in an extension
_EXTENSION = {"outer": "linalg"}


def _namespace(module, names, renamed=None):
    space = types.SimpleNamespace()
    for name in names:
        value = getattr(module, (renamed or {}).get(name, name), None)
        if value is not None:
            setattr(space, name, value)
    return space


# the standard's namespace as the compiler reads it: each function is NumPy's for the same operation
STANDARD = _namespace(np, _SAME + list(_RENAMED), _RENAMED)
STANDARD.linalg = _namespace(np.linalg, _LINALG)
STANDARD.linalg.outer = np.outer         # (np.linalg.outer is differentiated through NumPy code)
for _name in ("matmul", "tensordot", "vecdot", "matrix_transpose", "diagonal", "trace", "outer"):
    if not hasattr(STANDARD.linalg, _name) and hasattr(np, _name):
        setattr(STANDARD.linalg, _name, getattr(np, _name))
STANDARD.fft = _namespace(np.fft, _FFT)
for _dtype in ("float32", "float64", "complex64", "complex128", "int32", "int64", "bool"):
    setattr(STANDARD, _dtype, getattr(np, "bool_" if _dtype == "bool" else _dtype))
STANDARD.pi, STANDARD.e, STANDARD.inf, STANDARD.nan = np.pi, np.e, np.inf, np.nan

# a NumPy name as the standard spells it
STANDARD_NAME = {numpy: standard for standard, numpy in _RENAMED.items()}
STANDARD_NAME.update({name: name for name in _SAME})


def is_namespace_module(value):
    """A module implementing the standard (array_api_strict, array_api_compat.numpy), not NumPy itself:
    its functions are the standard's."""
    return isinstance(value, types.ModuleType) and hasattr(value, "__array_api_version__") and value is not np


def makes_namespace(fn):
    """array-api-compat's array_namespace(*arrays) (and its old name get_namespace)."""
    return getattr(fn, "__name__", None) in ("array_namespace", "get_namespace") and \
        (getattr(fn, "__module__", None) or "").startswith("array_api_compat")


def namespace_names(tree, parsed):
    """The local names bound to an array namespace: `xp = array_namespace(...)` or
    `xp = x.__array_namespace__()`."""
    names = set()
    for stmt in ir.statements(tree.body):
        if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name) \
                and isinstance(stmt.value, gast.Call) and _makes_namespace(stmt.value, parsed):
            names.add(stmt.targets[0].id)
    return names


def _makes_namespace(call, parsed):
    func = call.func
    if isinstance(func, gast.Attribute) and func.attr == "__array_namespace__":
        return True
    return parsed is not None and makes_namespace(parsed.resolve(func))


def mark_namespaces(tree, namer, parsed):
    """The pass: record which local names hold an array namespace (parsed.namespaces), so that
    `xp.sin` resolves to the standard's `sin` (frontend.Parsed.resolve)."""
    parsed.namespaces |= namespace_names(tree, parsed)


def function_namespace(tree, parsed):
    """The name of the array namespace a function's derivative is written with: the first one its
    body binds at its top level (`xp = array_namespace(x)`), else a module-level namespace it reads.
    None: NumPy (the function is written with NumPy, or with no library at all)."""
    for stmt in tree.body:          # (a generated function may unpack its namespace from saved state)
        bound = [n.id for target in getattr(stmt, "targets", ()) for n in ir.walk(target) if isinstance(n, gast.Name)]
        found = [name for name in bound if name in parsed.namespaces]
        if found:
            return found[0]
    return next((name for name, value in parsed.namespace.items() if is_namespace_module(value)), None)


class NotInStandard(Exception):
    """A template calls a NumPy function the array API standard does not have."""


def written_with(expr, namespace, names, refuse):
    """A template quoted with `np` standing for `namespace` (None: NumPy itself, nothing to do), its
    NumPy calls renamed to the standard's (`xp.arccos` -> `xp.acos`); np.shape and its kin, which
    only read a shape, stay NumPy's. names: the generated code's names of NumPy and the runtime.
    A template the standard cannot express raises refuse(why)."""
    if namespace is None:
        return expr
    try:
        return _Translate(namespace, names["np"], names["rt"]).visit(expr)
    except NotInStandard as missing:
        raise refuse(f"the function is written with the array API, and this rule's derivative calls {missing}") \
            from None


NUMPY_DEFINITION = ("the function is written with the array API, and this function is differentiated through "
                    "its definition in NumPy code (adjoint/rules/definitions.py), which takes NumPy's arrays only")


class _Translate(ir.Transformer):
    def __init__(self, namespace, numpy_name, runtime_name):
        self.namespace, self.numpy_name, self.runtime_name = namespace, numpy_name, runtime_name

    def visit_Call(self, node):
        if self._calls(node, "abs_jvp", self.runtime_name) and len(node.args) == 2:
            # the tangent of |x|: the standard's sign is x / |x| for complex x too (NumPy 1's was not, hence
            # rt.abs_jvp), so Re(conj(sign(x)) dx) holds for real and complex x alike
            x, dx = node.args
            node = quote_expr("xp.real(xp.conj(xp.sign(x)) * dx)", xp=self.namespace, x=x, dx=dx)
        # the batched matrix transpose and trace over the last two axes, as the standard spells them
        if self._calls(node, "swapaxes") and len(node.args) == 3 and {_integer(a) for a in node.args[1:]} == {-1, -2}:
            node = gast.Call(gast.Attribute(ir.name(self.namespace), "matrix_transpose", gast.Load()), node.args[:1], [])
        if self._calls(node, "trace") and len(node.args) == 1 and \
                {k.arg: _integer(k.value) for k in node.keywords} == {"axis1": -2, "axis2": -1}:
            linalg = gast.Attribute(ir.name(self.namespace), "linalg", gast.Load())
            node = gast.Call(gast.Attribute(linalg, "trace", gast.Load()), node.args, [])
        self.generic_visit(node)
        func = node.func
        if any(self._calls(node, name) for name in ("broadcast_to", "expand_dims")) and node.args:
            # the standard reshapes arrays only; the adjoint may be a number (the seed 1.0)
            node.args[0] = gast.Call(gast.Attribute(ir.name(self.namespace), "asarray", gast.Load()), [node.args[0]], [])
        if isinstance(func, gast.Attribute) and func.attr in _KEYWORD_ONLY and self._calls(node, func.attr):
            positional, names = _KEYWORD_ONLY[func.attr]
            extra = node.args[positional:]
            if len(extra) > len(names):
                raise NotInStandard(f"{func.attr} with {len(node.args)} positional arguments, which the standard "
                                    f"does not take")
            node.args = node.args[:positional]
            node.keywords = [gast.keyword(name, value) for name, value in zip(names, extra)] + node.keywords
        return node

    def _calls(self, node, name, owner=None):
        """Whether node calls owner.name (owner: the namespace, unless given)."""
        func = node.func
        return isinstance(func, gast.Attribute) and func.attr == name and isinstance(func.value, gast.Name) \
            and func.value.id == (owner or self.namespace)

    def visit_BinOp(self, node):
        # a mask times an adjoint (np.maximum's `g * (x1 >= x2)`): the standard multiplies no booleans
        self.generic_visit(node)
        if isinstance(node.op, gast.Mult):
            for mask, other in ((node.left, node.right), (node.right, node.left)):
                if _is_mask(mask):
                    where = gast.Attribute(ir.name(self.namespace), "where", gast.Load())
                    return gast.Call(where, [mask, other, gast.Constant(0.0, None)], [])
        return node

    def visit_Attribute(self, node):
        if isinstance(node.value, gast.Name) and node.value.id == self.runtime_name:
            if node.attr not in PORTABLE_HELPERS:
                raise NotInStandard(f"the runtime's rt.{node.attr}, which takes NumPy's arrays only so far")
            return node
        if not (isinstance(node.value, gast.Name) and node.value.id == self.namespace):
            return self.generic_visit(node)
        if node.attr in ("linalg", "fft") or node.attr in STANDARD_NAME.values():
            standard = node.attr
        elif node.attr in STANDARD_NAME:
            standard = STANDARD_NAME[node.attr]
        elif node.attr in _EXTENSION:
            return gast.Attribute(gast.Attribute(node.value, _EXTENSION[node.attr], gast.Load()), node.attr, node.ctx)
        elif node.attr in _SHAPE_READERS:
            return gast.Attribute(ir.name(self.numpy_name), node.attr, node.ctx)
        else:
            raise NotInStandard(f"np.{node.attr}, which the standard does not have")
        return gast.Attribute(node.value, standard, node.ctx)


def _is_mask(node):
    """A template's boolean term: a comparison, or comparisons joined by `&`, `|`, `~`."""
    if isinstance(node, gast.Compare):
        return True
    if isinstance(node, gast.BinOp) and isinstance(node.op, (gast.BitAnd, gast.BitOr)):
        return _is_mask(node.left) and _is_mask(node.right)
    return isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.Invert) and _is_mask(node.operand)


def _integer(node):
    """The value of an integer constant written in a template (`-1` is a unary minus), or None."""
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        value = _integer(node.operand)
        return -value if value is not None else None
    return node.value if isinstance(node, gast.Constant) and type(node.value) is int else None
