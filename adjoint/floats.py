"""Float specialisation: code compiled for Python numbers calls `math` where the user wrote NumPy.

NumPy on a Python float returns an `np.float64`, and every later operation on it is ten to twenty
times slower than the same operation on a float. A function called with Python numbers only is
compiled a second time, for them: `np.sin(x)` of a number becomes `math.sin(x)`, and so its result
is a float, and so is everything computed from it, in the forward and in the backward sweep.

The variant must give NumPy's answer. Where `math` and NumPy differ, `math` raises (overflow,
`math.log(0)`, `math.sqrt(-1)`, a float divided by zero where NumPy gives inf or nan) and the call
runs the unspecialised code instead (api.py). One difference is silent: a negative float to a
fractional power is complex in Python and nan in NumPy, so a power of a value that NumPy computed
is `math.pow`, which raises there. And a float is not an `np.float64` to code that asks: every use
of a value NumPy would have computed (a "NumPy value" below) is checked to be one where the two
agree (arithmetic with numbers, comparisons, `math` and NumPy functions of numbers, helpers compiled
for numbers in turn); anything else (`t.item()`, a list holding it, a float32 array times it, which
NumPy 2 computes in float64 for an np.float64 but in float32 for a float) leaves the function to
the unspecialised code (NotSpecialised).
"""
import builtins
import inspect
import math
from dataclasses import dataclass, field

import gast
import numpy as np

from . import ir
from .errors import AdjointError
from .shapes import library_constant

ENABLED = [True]        # the fuzzer's oracle turns it off to compare the variant with the unspecialised code

# NumPy functions of numbers and the `math` function computing the same (rules/elementwise.py has a
# rule for each, with the same derivative)
MATH = {np.sin: math.sin, np.cos: math.cos, np.tan: math.tan, np.arcsin: math.asin, np.arccos: math.acos,
        np.arctan: math.atan, np.sinh: math.sinh, np.cosh: math.cosh, np.tanh: math.tanh, np.arcsinh: math.asinh,
        np.arccosh: math.acosh, np.arctanh: math.atanh, np.exp: math.exp, np.expm1: math.expm1, np.log: math.log,
        np.log2: math.log2, np.log10: math.log10, np.log1p: math.log1p, np.sqrt: math.sqrt, np.hypot: math.hypot,
        np.arctan2: math.atan2, np.deg2rad: math.radians, np.radians: math.radians, np.rad2deg: math.degrees,
        np.degrees: math.degrees}
_ABS = (np.abs, np.fabs)                         # abs(x) of a float (np.fabs of an int is a float: kept)
_INT_RESULTS = {math.floor, math.ceil, math.trunc, math.factorial, math.comb, math.perm, math.isqrt, math.gcd}
_SAME_TYPE = {builtins.abs, builtins.min, builtins.max}     # the type of their operands
_NUMBER_RESULTS = {builtins.float: float, builtins.int: int, builtins.bool: int}


@dataclass(frozen=True)
class Number:
    """A parameter every call binds to a Python number (a static argument of the compile, see
    pipeline.normalize): `type` is int or float (a number of either: float); `numpy`: in the code as
    written the caller's value is a NumPy scalar, so the parameter's uses are checked as a NumPy value's."""
    type: type
    numpy: bool = False


class NotSpecialised(AdjointError):
    """The function does something with a NumPy value that a float would do differently: it is
    compiled for NumPy's scalars only (api.py catches this and compiles the unspecialised code)."""


@dataclass
class Facts:
    """What the pass found, read by the reverse and forward generators (the arguments a helper is
    compiled for) and by api.py (whether the variant differs from the unspecialised code)."""
    types: dict             # name -> int or float: a Python number in the specialised code
    numpy: set              # names NumPy computes in the code as written (floats here)
    rewritten: int = 0      # calls and powers rewritten
    abs_free: bool = True   # `abs` is the builtin here (np.abs of a float may be written abs(x))
    returns_numpy: bool = False     # what the function returns is a NumPy value in the code as written
    globals: dict = field(default_factory=dict)     # module-level name -> the number it held (the compiled
                                                    # code is used while it holds the same: cache.py checks)

    def arguments(self, bound):
        """{parameter: Number} for the arguments of a helper's call that are numbers: the helper is
        compiled for them, its float parameters checked as NumPy values (helper_result sees the same;
        an int is never a NumPy value here: comparisons are not numbers, see _value_type)."""
        return {p: Number(t, numpy=t is float) for p, v in bound.items() if (t := _type(v, self.types)) in (int, float)}


def specialise_floats(tree, namer, parsed):
    """The pass: for a function compiled for Python numbers (parsed.numbers), NumPy's functions of
    numbers become `math`'s and powers of NumPy values `math.pow`; parsed.floats holds the facts."""
    if not parsed.numbers:
        return tree
    facts = parsed.floats = Facts({}, set(), abs_free="abs" not in namer.taken and
                                  parsed.resolve(ir.name("abs")) in (None, builtins.abs))
    facts.types = _number_types(tree, parsed, facts.globals)
    facts.numpy = _numpy_values(tree, parsed, facts.types)
    _check_uses(tree, parsed, facts)
    facts.rewritten = _rewrite(tree, parsed, facts, _math_name(namer, parsed))
    returned = tree.body[-1].value
    facts.returns_numpy = isinstance(returned, gast.Name) and returned.id in facts.numpy
    return tree


def unit_facts(members):
    """(whether a unit of generated code compiled for numbers differs from the unspecialised code,
    whether its entry returns a float where the code as written returns an np.float64)."""
    facts = [g.parsed.floats for g in members if g.parsed.floats is not None]
    entry = members[0].parsed.floats
    return any(f.rewritten for f in facts), bool(entry and entry.returns_numpy)


def _math_name(namer, parsed):
    """The name generated code calls `math` by (the user's own `math`, else a fresh one)."""
    existing = parsed.namespace.get("math", parsed.static_locals.get("math"))
    name = "math" if existing is None or existing is math else namer.fresh("math_")
    namer.reserve(name)
    parsed.static_locals[name] = math
    return name


# --- which names hold Python numbers --------------------------------------------------------------

def _join(a, b):
    return a if a == b else float            # an int on one path and a float on another: a number


def _number_types(tree, parsed, constants):
    """{name: int or float} for the names holding Python numbers in the specialised code. Optimistic
    over loops: a phi's arguments not reached yet are left out; a type only widens (int, float, not
    a number) until nothing changes. A name the function does not define is a number if it is a
    module-level name holding one (recorded in `constants`: the code is used while it holds the same
    object), else not (a closure's variable, or anything else, may change when the code runs)."""
    types = {p: n.type for p, n in parsed.numbers.items()}
    every = ir.name_nodes(tree)
    local = set(parsed.params) | {n.id for n in every if isinstance(n.ctx, gast.Store)}
    module = getattr(parsed.fn, "__globals__", {})
    for name in {n.id for n in every} - local:
        value = parsed.namespace.get(name, _MISSING)
        if type(value) in (int, float) and module.get(name, _MISSING) is value:
            constants[name] = value
            types[name] = type(value)
        else:
            types[name] = None
    changed = True
    while changed:
        changed = False
        for stmt in ir.statements(tree.body):
            for name, found in _defined(stmt, parsed, types):
                old = types.get(name, UNSET)
                new = found if old is UNSET else None if None in (old, found) else _join(old, found)
                if new is not UNSET and new != old:
                    types[name] = new
                    changed = True
    return {n: t for n, t in types.items() if t is not None}


UNSET = "unset"             # a name whose definition the fixpoint has not reached yet
_MISSING = object()


def _defined(stmt, parsed, types):
    """(name, int, float, None for not a number, or UNSET) for the names stmt defines."""
    if isinstance(stmt, gast.For):
        counts = _is_call_of(stmt.iter, parsed, builtins.range) and all(_type(a, types) is int for a in stmt.iter.args)
        return [(n, int if counts and isinstance(stmt.target, gast.Name) else None) for n in ir.names_stored(stmt.target)]
    if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
        return [(stmt.targets[0].id, _value_type(stmt.value, parsed, types))]
    if isinstance(stmt, (gast.If, gast.While)):
        return []
    return [(n, None) for n in ir.names_stored(stmt)]


def _type(node, types):
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, (gast.USub, gast.UAdd)) \
            and isinstance(node.operand, gast.Constant):
        node = node.operand                     # (-0.1 is an atom in the normal form)
    if isinstance(node, gast.Constant):
        return int if type(node.value) in (int, bool) else float if type(node.value) is float else None
    if isinstance(node, gast.Name):
        return types.get(node.id, UNSET)
    return None


def _joined(kinds):
    """The join of the reached operands' types: None if one is not a number, UNSET if none is reached."""
    reached = [k for k in kinds if k is not UNSET]
    if None in reached:
        return None
    if not reached:
        return UNSET
    found = reached[0]
    for k in reached[1:]:
        found = _join(found, k)
    return found


def _value_type(value, parsed, types):
    if isinstance(value, (gast.Name, gast.Constant)):
        return _type(value, types)
    if _is_phi(value):
        return _joined([_type(a, types) for a in value.args if a.id != ir.UNDEFINED])
    if isinstance(value, gast.BinOp):
        operands = _joined([_type(value.left, types), _type(value.right, types)])
        if operands in (None, UNSET):
            return operands
        if isinstance(value.op, gast.Div) or isinstance(value.op, gast.Pow) and operands is int:
            return float                # ((-1) ** k is an int, 2 ** -1 a float: a number of either)
        return operands if isinstance(value.op, (gast.Add, gast.Sub, gast.Mult, gast.FloorDiv, gast.Mod, gast.Pow)) \
            else None
    if isinstance(value, gast.UnaryOp):
        operand = _type(value.operand, types)
        if operand in (None, UNSET):
            return operand
        return int if isinstance(value.op, gast.Not) else operand if isinstance(value.op, (gast.USub, gast.UAdd)) \
            else None
    if isinstance(value, gast.Compare):
        return None     # (a test: np.bool_ and bool differ as numbers, ~np.True_ is False, ~True is -2)
    if isinstance(value, gast.IfExp):
        return _joined([_type(value.body, types), _type(value.orelse, types)])
    if isinstance(value, gast.Call):
        return _call_type(value, parsed, types)
    if library_constant(value, parsed) is not None:
        return float                            # np.pi, math.tau
    return None


def _call_type(call, parsed, types):
    fn = parsed.resolve(call.func)
    kinds = [_type(a, types) for a in call.args]
    if UNSET in kinds:
        return UNSET
    if fn is None or call.keywords or not kinds or None in kinds:
        return None
    if _rewritable(call, fn, types, parsed):
        return float
    if getattr(fn, "__module__", None) == "math":
        return int if fn in _INT_RESULTS else None if fn in _NOT_FLOATS else float
    if fn in _SAME_TYPE:
        return _joined(kinds)
    if fn is builtins.round:
        return int if len(kinds) == 1 else None
    if fn in _NUMBER_RESULTS:
        return _NUMBER_RESULTS[fn]
    if is_helper(fn):
        return helper_result(fn, call, parsed, types)
    return None


_NOT_FLOATS = {math.isnan, math.isinf, math.isfinite, math.isclose, math.frexp, math.modf, math.prod, math.fsum,
               math.dist}


def _is_phi(value):
    return isinstance(value, gast.Call) and isinstance(value.func, gast.Name) and value.func.id == ir.PHI


def is_helper(fn):
    """A function differentiated from its source (the user's, or a library's written in Python), not
    NumPy's or adjoint's runtime: the reverse generator compiles it for the numbers it is given."""
    module = getattr(fn, "__module__", None) or ""
    return callable(fn) and hasattr(fn, "__code__") and module.split(".")[0] not in ("numpy", "adjoint")


def _is_call_of(node, parsed, fn):
    return isinstance(node, gast.Call) and parsed.resolve(node.func) is fn


_RESULTS = {}           # (helper, what it is compiled for) -> the type it returns, for one build
_IN_PROGRESS = object()


def helper_result(fn, call, parsed, types):
    """The type a helper of the user's returns when compiled for these numbers (normalizing it to see),
    None for not a number (or a helper calling itself). The reverse generator compiles it for the
    same numbers (Facts.arguments); what it returns is a NumPy value to the caller (Facts.numpy)."""
    from . import driver, frontend, pipeline
    try:
        bound = inspect.signature(fn).bind(*call.args).arguments
    except (TypeError, ValueError):
        return None
    statics = {**frontend.static_arguments(parsed, bound), **Facts(types, set()).arguments(bound)}
    key = (fn, driver.statics_key(statics))
    found = _RESULTS.get(key)
    if found is _IN_PROGRESS:
        return None
    if key not in _RESULTS:
        _RESULTS[key] = _IN_PROGRESS
        try:
            program = pipeline.normalize(fn, statics=statics)
        except NotSpecialised:
            del _RESULTS[key]
            raise
        except AdjointError:
            found = None            # (said where the helper is differentiated)
        else:
            returned = program.tree.body[-1].value
            found = _type(returned, program.parsed.floats.types) if program.parsed.floats else None
        _RESULTS[key] = found = None if found is UNSET else found
    return found


# --- which of them NumPy computes in the code as written ------------------------------------------

def _numpy_values(tree, parsed, types):
    """The names holding a value NumPy computes in the code as written: the results of the calls the
    pass rewrites, the parameters marked so, and what arithmetic makes of them."""
    numpy = {p for p, n in parsed.numbers.items() if n.numpy}
    changed = True
    while changed:
        changed = False
        for stmt in ir.statements(tree.body):
            if not (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)):
                continue
            name = stmt.targets[0].id
            if name not in numpy and _computes_numpy(stmt.value, parsed, types, numpy):
                numpy.add(name)
                changed = True
    return numpy


def _computes_numpy(value, parsed, types, numpy):
    if isinstance(value, gast.Call):
        fn = parsed.resolve(value.func)
        if _rewritable(value, fn, types, parsed) or is_helper(fn):
            return True             # (a helper's result: compiled for numbers, it may return a NumPy value)
        if fn in _SAME_TYPE or _is_phi(value):
            return any(isinstance(a, gast.Name) and a.id in numpy for a in value.args)
        return False
    if isinstance(value, (gast.BinOp, gast.UnaryOp, gast.Compare, gast.IfExp, gast.BoolOp, gast.Name)):
        return _reads_numpy(value, numpy)
    return False


def _rewritable(call, fn, types, parsed):
    """Whether the call is a NumPy function of numbers the pass writes with math (or abs)."""
    kinds = [_type(a, types) for a in call.args]
    if call.keywords or not kinds or not all(k in (int, float) for k in kinds):
        return False
    return fn in MATH or fn in _ABS and kinds == [float] and parsed.floats.abs_free


# --- where a float would not do -------------------------------------------------------------------

def passes_numpy_value(stmt, parsed):
    """Whether stmt calls a function written in Python with a NumPy value, where that function is not
    compiled for numbers (a helper run as written, or a NumPy function differentiated through its
    definition in rules/definitions.py): it would be given a float where the code as written gives
    it an np.float64."""
    facts = parsed.floats
    return facts is not None and isinstance(stmt, gast.Assign) and isinstance(stmt.value, gast.Call) \
        and _reads_numpy(stmt.value, facts.numpy)


def _check_uses(tree, parsed, facts):
    """Raise NotSpecialised where a NumPy value is used where a float could behave differently."""
    readers = _readers(tree)
    for stmt in ir.statements(tree.body):
        node = ir.header(stmt)
        if isinstance(node, gast.Assign):
            if isinstance(node.value, (gast.List, gast.Tuple)) and _into_numpy(node, parsed, facts, readers):
                continue
            node = node.value
        elif isinstance(node, gast.Return) and node.value is not None:
            node = node.value if isinstance(node.value, gast.Name) else node
        if isinstance(node, gast.Name) or not _reads_numpy(node, facts.numpy) or _agrees(node, parsed, facts):
            continue
        lineno = getattr(stmt, "lineno", parsed.tree.lineno)
        raise NotSpecialised(f"line {lineno} of {parsed.name} uses a NumPy scalar where a float may differ")


def _readers(tree):
    """{name: the statements' expressions reading it}."""
    found = {}
    for stmt in ir.statements(tree.body):
        node = ir.header(stmt)
        node = node.value if isinstance(node, gast.Assign) else node
        for n in ir.name_nodes(node):
            if isinstance(n.ctx, gast.Load):
                found.setdefault(n.id, []).append(node)
    return found


def _into_numpy(stmt, parsed, facts, readers):
    """Whether stmt makes a list or tuple of numbers that only NumPy functions read, as a positional
    argument (`np.array([x, y])`): NumPy makes the same array of floats as of np.float64s."""
    if not isinstance(stmt.targets[0], gast.Name) or not _numbers(stmt.value.elts, facts):
        return False
    uses = readers.get(stmt.targets[0].id, [])
    return bool(uses) and all(
        isinstance(use, gast.Call) and _is_numpy(parsed.resolve(use.func))
        and not any(n.id == stmt.targets[0].id for k in use.keywords for n in ir.name_nodes(k))
        for use in uses)


def calls_numpy(fn, seen=None):
    """Whether fn, or a helper it calls, may call NumPy, read off the names its code uses (no parsing,
    no compiling): a name bound to NumPy, to a module other than math (or adjoint's runtime), to a
    class or to any object that is not a number, a string or a builtin may. Without NumPy, the code compiled for numbers is
    the code as written: grad of one number can run forward mode, which is not compiled for numbers
    (api._Gradient._forward)."""
    seen = set() if seen is None else seen
    if fn in seen:
        return False
    seen.add(fn)
    code = getattr(fn, "__code__", None)
    if code is None:
        return True
    cells = [c.cell_contents for c in fn.__closure__ or () if _filled(c)]
    found = [fn.__globals__.get(n, vars(builtins).get(n, _UNBOUND)) for n in _code_names(code)]
    return any(_may_call_numpy(value, seen) for value in found + cells)


_UNBOUND = object()


def _code_names(code):
    names = set(code.co_names)
    for const in code.co_consts:
        if inspect.iscode(const):               # a nested function, lambda or comprehension
            names |= _code_names(const)
    return names


def _filled(cell):
    try:
        cell.cell_contents
    except ValueError:
        return False
    return True


def _may_call_numpy(value, seen):
    if value is _UNBOUND or value is math or isinstance(value, (int, float, complex, str, bool, type(None))):
        return False                            # (an unbound name is an attribute's: `math.sin`'s `sin`)
    if is_helper(value):
        return calls_numpy(value, seen)
    if (getattr(value, "__name__", None) if inspect.ismodule(value) else getattr(value, "__module__", None) or "") \
            .split(".")[0] == "adjoint":
        return False                            # adjoint's runtime, which generated code calls
    if inspect.isbuiltin(value) or isinstance(value, type) and value.__module__ == "builtins":
        return getattr(value, "__module__", None) not in ("builtins", "math") and _is_numpy(value)
    return True


def _is_numpy(fn):
    return isinstance(fn, np.ufunc) or (getattr(fn, "__module__", None) or "").split(".")[0] == "numpy"


def _reads_numpy(node, numpy):
    return any(n.id in numpy for n in ir.name_nodes(node))


def _numbers(nodes, facts):
    return all(_type(n, facts.types) in (int, float) for n in nodes)


def _agrees(node, parsed, facts):
    """Whether a float in place of each NumPy value node reads gives what NumPy's scalar does."""
    if isinstance(node, gast.BinOp):
        return _numbers([node.left, node.right], facts)
    if isinstance(node, gast.UnaryOp):
        return _numbers([node.operand], facts)
    if isinstance(node, gast.Compare):          # (a loop's or branch's test may hold more: `np.tanh(t) > 0.5`)
        return all(_nested_agrees(n, parsed, facts) for n in [node.left] + node.comparators)
    if isinstance(node, (gast.IfExp, gast.BoolOp)):
        return all(isinstance(n, (gast.Name, gast.Constant)) for n in
                   ([node.test, node.body, node.orelse] if isinstance(node, gast.IfExp) else node.values))
    if not isinstance(node, gast.Call):
        return False
    if _is_phi(node):
        return True
    fn = parsed.resolve(node.func)
    if fn is None:
        return False
    arguments = node.args + [k.value for k in node.keywords]
    if getattr(fn, "__module__", None) == "math" or fn in MATH or fn in _ABS or fn in _SAME_TYPE \
            or fn in (builtins.float, builtins.int, builtins.bool) or fn is builtins.round and len(node.args) == 1 \
            or _is_numpy(fn):
        return _numbers(arguments, facts)
    # a helper of the user's: compiled for the numbers passed (the reverse and forward generators
    # pass Facts.argument), where its own uses are checked as NumPy values'
    return is_helper(fn) and not node.keywords and _numbers(node.args, facts)


def _nested_agrees(node, parsed, facts):
    """For an operand of a test, which the normal form leaves nested: a number, or arithmetic and
    NumPy's or math's functions of numbers (not a power with a float exponent, which the pass writes
    with math.pow only at the top of a statement, nor a helper, which runs as written here)."""
    if _numbers([node], facts):
        return True
    if isinstance(node, gast.BinOp):
        return not (isinstance(node.op, gast.Pow) and _type(node.right, facts.types) is not int) and \
            _nested_agrees(node.left, parsed, facts) and _nested_agrees(node.right, parsed, facts)
    if isinstance(node, gast.UnaryOp):
        return _nested_agrees(node.operand, parsed, facts)
    if isinstance(node, gast.Call) and not node.keywords:
        fn = parsed.resolve(node.func)
        return (getattr(fn, "__module__", None) == "math" or _is_numpy(fn)) and \
            all(_nested_agrees(a, parsed, facts) for a in node.args)
    return False


# --- the rewriting ----------------------------------------------------------------------------------

def _rewrite(tree, parsed, facts, math_name):
    """Rewrite NumPy's functions of numbers to math's, powers of NumPy values to math.pow; the count."""
    count = 0
    for stmt in ir.statements(tree.body):
        if not (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)):
            continue
        value = stmt.value
        if isinstance(value, gast.Call):
            fn = parsed.resolve(value.func)
            if _rewritable(value, fn, facts.types, parsed):
                if fn in _ABS:
                    value.func = ir.name("abs")
                    parsed.static_locals["abs"] = builtins.abs        # (a free name: see Facts.abs_free)
                else:
                    value.func = gast.Attribute(ir.name(math_name), MATH[fn].__name__, gast.Load())
                count += 1
        elif isinstance(value, gast.BinOp) and isinstance(value.op, gast.Pow) and _reads_numpy(value, facts.numpy) \
                and _type(value.right, facts.types) is float:
            stmt.value = ir.at(gast.Call(gast.Attribute(ir.name(math_name), "pow", gast.Load()),
                                         [value.left, value.right], []), value)
            count += 1
    return count


def left_to_rewrite(tree, parsed):
    """A statement the pass should have rewritten (for the invariant check), or None."""
    if parsed is None or parsed.floats is None:
        return None
    return next((stmt for stmt in ir.statements(tree.body) if isinstance(stmt, gast.Assign)
                 and isinstance(stmt.value, gast.Call)
                 and _rewritable(stmt.value, parsed.resolve(stmt.value.func), parsed.floats.types, parsed)), None)
