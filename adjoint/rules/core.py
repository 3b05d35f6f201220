"""The rule registry: derivative templates are data, one short entry per primitive.

A rule names the primal's parameters and gives Python expression templates:

* reverse[p]: the contribution to the adjoint of parameter p, in terms of the parameters, the output
  `z` and the output's adjoint `g`;
* forward: the output's tangent, in terms of the parameters, `z` and the tangents `d<p>`; a tangent
  of an inactive parameter is dropped from the expression (see `forward` generation).

Templates may use `np` (NumPy), `rt` (adjoint.runtime) and `math`.

Complex numbers: the gradient of a real loss L with respect to a complex z = x + iy is dL/dx + i dL/dy.
In a function that computes with complex values, reverse mode takes each rule's complex templates
(complex_reverse): an elementwise function conjugates its partial derivatives, a holomorphic one
applies the conjugate of its transposed derivative (`holomorphic`), and a few give their own
(`complex_form`). The real templates of everything else (linear maps with real coefficients, the
FFTs, real, imag, conj) hold for complex values as they are.
"""
import ast
import inspect
from dataclasses import dataclass, field

import gast

from .. import standard
from ..shapes import POSITIVE_INTEGER

_REQUIRED = object()


@dataclass
class Rule:
    name: str
    params: tuple
    defaults: dict
    reverse: dict = field(default_factory=dict)
    forward: object = None          # str template, or dict param -> tangent term (summed)
    broadcasting: bool = False      # contributions are summed back to the operand's shape
    vararg: str = None              # name collecting extra positional arguments (as a tuple)
    variants: list = field(default_factory=list)   # (when(shapes, constants), reverse dict); first match wins
    forward_variants: list = field(default_factory=list)   # (when(shapes, constants), forward dict)
    partials: dict = None           # elementwise rules: the partial derivative of each parameter
    complex: dict = None            # reverse templates for complex operands, when the real ones do not hold
    no_derivative: tuple = ()       # parameters only read for their shape or sign: no derivative flows through them
    positional: int = None          # with *args: how many parameters come before it (the rest are keywords)

    def reverse_for(self, shapes, constants):
        """The reverse templates for parameters of these shapes (None: unknown) and constant values."""
        for when, reverse in self.variants:
            if when(shapes, constants):
                return {**self.reverse, **reverse}
        return self.reverse

    def forward_for(self, shapes, constants):
        """The forward template(s) for parameters of these shapes and constant values."""
        for when, forward in self.forward_variants:
            if when(shapes, constants):
                return {**self.forward, **forward}
        return self.forward

    def bind(self, args, keywords):
        """Map call-site arguments to parameter names; unknown keywords raise TypeError."""
        positional = self.params[:self.positional] if self.positional is not None else self.params
        if len(args) > len(positional) and not self.vararg:
            raise TypeError(f"{self.name} takes at most {len(positional)} positional arguments")
        bound = dict(zip(positional, args))
        if self.vararg:
            bound[self.vararg] = ("tuple", list(args[len(positional):]))
        for key, value in keywords:
            if key not in self.params:
                raise TypeError(f"the rule for {self.name} has no parameter `{key}`")
            bound[key] = value
        for p in self.params:
            if p not in bound:
                if self.defaults.get(p, _REQUIRED) is _REQUIRED:
                    raise TypeError(f"{self.name} is missing argument `{p}`")
                bound[p] = ("default", self.defaults[p])
        return bound


RULES = {}          # primal object (function, ufunc, operator key) -> Rule
CONSTANTS = set()   # ids of callables whose result carries no derivative
_CONSTANT_OBJECTS = []
METHODS = {}        # ndarray method name -> Rule (self is the first parameter)
ATTRIBUTES = {}     # attribute name -> Rule (one parameter: the object)
# a data attribute of an object of a user class (`model.W`): its adjoint and tangent are dicts keyed
# by attribute name, which the API gives the object's structure
FIELD = Rule("object attribute", ("x", "name"), {}, {"x": "rt.unfield(g, name)"}, "rt.field(dx, name)",
             no_derivative=("name",))
# NumPy functions defined by NumPy code (rules/definitions.py): the compiler differentiates the
# definition's source as it does a user's helper, so both modes and every order come from the rules
# of the operations it is written with. fn -> [(when(shapes, constants) or None, definition)]
DEFINITIONS = {}
UNSUPPORTED = {}    # fn -> why adjoint does not differentiate it, and what to write instead
CONSTANT_ATTRIBUTES = {"shape", "ndim", "size", "dtype", "itemsize", "nbytes", "strides"}
CONSTANT_METHODS = {"round", "argmax", "argmin", "argsort", "nonzero", "astype_int", "tolist", "item_index",
                    "any", "all", "copy_shape", "__len__", "__array_namespace__"}


def parse_params(signature):
    """'x, axis=None, keepdims=False' -> (('x', 'axis', 'keepdims'), {'axis': None, 'keepdims': False})."""
    fn = ast.parse(f"def f({signature}): pass").body[0]
    names = tuple(a.arg for a in fn.args.args)
    defaults = {}
    for arg, default in zip(fn.args.args[len(fn.args.args) - len(fn.args.defaults):], fn.args.defaults):
        defaults[arg.arg] = ast.literal_eval(default)
    if fn.args.vararg:
        defaults["*"] = fn.args.vararg.arg
    for arg, default in zip(fn.args.kwonlyargs, fn.args.kw_defaults):       # after *args: keywords only
        names += (arg.arg,)
        defaults[arg.arg] = ast.literal_eval(default) if default is not None else _REQUIRED
    return names, defaults


def _positional(signature):
    return len(ast.parse(f"def f({signature}): pass").body[0].args.args)


def defrule(fn, params, reverse=None, forward=None, *, broadcasting=False, name=None, no_derivative=()):
    """Register a derivative rule for `fn`; returns the Rule.

    >>> defrule(scipy.special.erf, "x", reverse={"x": "g * 2 / np.sqrt(np.pi) * np.exp(-x ** 2)"},
    ...         forward="dx * 2 / np.sqrt(np.pi) * np.exp(-x ** 2)")
    """
    names, defaults = parse_params(params)
    vararg = defaults.pop("*", None)
    rule = Rule(name or _display_name(fn), names, defaults, dict(reverse or {}), forward, broadcasting, vararg,
                no_derivative=tuple(no_derivative), positional=_positional(params) if vararg else None)
    RULES[_key(fn)] = rule
    return rule


def elementwise(fn, params, partials, name=None):
    """An elementwise function from its partial derivatives (templates in the parameters and `z`)."""
    reverse = {p: f"g * ({d})" if d != "1" else "g" for p, d in partials.items()}
    forward = {p: f"d{p} * ({d})" if d != "1" else f"d{p}" for p, d in partials.items()}
    rule = defrule(fn, params, reverse, forward, broadcasting=True, name=name)
    rule.partials = dict(partials)
    return rule


def exponent_tangent(rule, exponent, base):
    """The tangent of a power in its exponent, z * log(base) * d(exponent), adds nothing where the
    exponent's tangent is 0, even at a negative base (rt.scaled_log): a constant integer exponent
    passed through the code carries a zero tangent, and 0 * log(-1) must not be a NaN."""
    rule.forward[exponent] = f"z * rt.scaled_log(d{exponent}, rt.zero_as_one({base}))"


def complex_reverse(rule):
    """The reverse templates for complex operands (the gradient is dL/dx + i dL/dy, as in PyTorch),
    or None where the real ones hold: an elementwise rule conjugates its partials."""
    if rule.complex is not None:
        return rule.complex
    if not rule.partials:
        return None
    return {p: "g" if d == "1" else f"g * np.conj({d})" for p, d in rule.partials.items()}


def holomorphic(*fns):
    """Complex-differentiable functions whose reverse templates apply the transposed derivative Jᵀ to g:
    for complex operands the adjoint is conj(Jᵀ conj(g)), the same template with g and the result
    conjugated (for real operands it is Jᵀ g again)."""
    for fn in fns:
        rule = _rule(fn)
        rule.complex = {p: _conjugated(template) for p, template in rule.reverse.items()}


def real_valued(*fns):
    """Real-valued functions of complex operands (norms, variances): the adjoint reads Re(g), since a
    complex function's reverse sweep may leave a meaningless imaginary part on the adjoint of a real
    value."""
    for fn in fns:
        rule = _rule(fn)
        rule.complex = {p: _substituted(template, "np.real(g)") for p, template in rule.reverse.items()}


def complex_form(fn, reverse):
    """The reverse templates of fn for complex operands, written out (non-holomorphic functions)."""
    _rule(fn).complex = dict(reverse)


class _ReplaceG(ast.NodeTransformer):
    def __init__(self, replacement):
        self.replacement = replacement

    def visit_Name(self, node):
        return ast.parse(self.replacement, mode="eval").body if node.id == "g" else node


def _substituted(template, replacement):
    """The template with the output's adjoint g replaced: ('g @ b.T', 'np.conj(g)') -> 'np.conj(g) @ b.T'."""
    return ast.unparse(_ReplaceG(replacement).visit(ast.parse(template, mode="eval")))


def _conjugated(template):
    """'g @ b.T' -> 'np.conj(np.conj(g) @ b.T)'."""
    return f"np.conj({_substituted(template, 'np.conj(g)')})"


def _rule(fn):
    return fn if isinstance(fn, Rule) else RULES[_key(fn)]


def unary(fns, derivative):
    """A one-argument elementwise function (several aliases at once) from f'(x)."""
    for fn in _as_list(fns):
        elementwise(fn, "x", {"x": derivative})


def linear(fn, params, reverse, name=None):
    """A function linear in its first parameter: the tangent is the same call on the tangent."""
    first = parse_params(params)[0][0]
    return defrule(fn, params, {first: reverse}, forward={first: "LINEAR"}, name=name)


def variant(fn, when, reverse, forward=None):
    """A more specific reverse (and forward) rule for fn, used when `when(shapes, constants)` holds.

    shapes maps a parameter to its shape (None when unknown); constants maps the parameters bound
    to constants (or left at their defaults) to their values. Forward mode knows constants only.
    """
    _rule(fn).variants.append((when, dict(reverse)))
    if forward:
        _rule(fn).forward_variants.append((when, dict(forward)))


def partial_variant(fn, param, partial, when):
    """An elementwise rule's partial derivative for `param` written differently when `when` holds."""
    variant(fn, when, {param: f"g * ({partial})"}, forward={param: f"d{param} * ({partial})"})


def nonzero_number(param):
    """when(): `param` is a number other than 0, known at compile time (or a counter from 1 up)."""
    def when(shapes, constants):
        value = constants.get(param)
        return isinstance(value, (int, float)) and not isinstance(value, bool) and value != 0 \
            or value is POSITIVE_INTEGER
    return when


def method(name_, params, reverse, forward=None):
    """A rule for `x.<name_>(...)` where the first parameter is the array itself."""
    names, defaults = parse_params(params)
    vararg = defaults.pop("*", None)
    METHODS[name_] = Rule(f"ndarray.{name_}", names, defaults, dict(reverse), forward, False, vararg,
                          positional=_positional(params) if vararg else None)


def attribute(name_, reverse, forward):
    ATTRIBUTES[name_] = Rule(f"ndarray.{name_}", ("x",), {}, {"x": reverse}, forward)


def nondifferentiable(*fns):
    """Calls whose result carries no derivative (shapes, indices, comparisons, constructors)."""
    for fn in fns:
        if fn is not None:
            CONSTANTS.add(id(fn))
            _CONSTANT_OBJECTS.append(fn)


def defined_by(fn, when=None, requires=None):
    """Decorator: `fn` is differentiated through the decorated Python definition (where `when(shapes,
    constants)` holds, for a function that also has a rule). requires: {parameter: the values the
    definition covers}; a call passing another constant is refused when it is compiled."""
    def register(definition_):
        if fn is not None:
            DEFINITIONS.setdefault(_key(fn), []).append((when, definition_))
            definition_.requires = dict(requires or {})
        return definition_
    return register


def definition(fn, args, keywords, shape_of):
    """(the definition a call of fn with these argument nodes is differentiated through, or None;
    why the call is refused, or None). shape_of(name) is the shape known for a variable."""
    for when, definition_ in DEFINITIONS.get(_key(fn), ()):
        try:
            bound = inspect.signature(definition_).bind(*args, **dict(keywords))
        except TypeError:
            continue
        bound.apply_defaults()
        shapes = {p: shape_of(v.id) for p, v in bound.arguments.items() if isinstance(v, gast.Name)}
        constants = {p: getattr(v, "value", v) for p, v in bound.arguments.items()
                     if isinstance(v, gast.Constant) or not isinstance(v, gast.AST)}
        if when is not None and not when(shapes, constants):
            continue
        for param, covered in definition_.requires.items():
            if param in constants and constants[param] not in covered:
                return None, (f"adjoint differentiates it with `{param}` "
                              f"{' or '.join(repr(c) for c in covered)}, not {constants[param]!r}")
        return definition_, None
    return None, None


def unsupported(fns, reason):
    """Functions with a derivative adjoint does not give: the error names the reason (what to write)."""
    for fn in fns:
        UNSUPPORTED[_key(fn)] = reason


def unsupported_reason(fn):
    try:
        return UNSUPPORTED.get(_key(fn))
    except TypeError:
        return None


def lookup(fn):
    return RULES.get(_key(fn))


def is_constant(fn):
    return id(fn) in CONSTANTS or standard.makes_namespace(fn)


def _key(fn):
    try:
        hash(fn)
        return fn
    except TypeError:
        return id(fn)


def _as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _display_name(fn):
    module = getattr(fn, "__module__", None) or ("numpy" if type(fn).__name__ == "ufunc" else "")
    name = getattr(fn, "__name__", repr(fn))
    module = {"numpy": "np", "builtins": ""}.get(module, module)
    return f"{module}.{name}" if module else name


# Parameters that pick axes, positions, orders, counts, sizes or names carry no derivative, even where
# the value varies in name only (an index saved on the stack next to values that vary, read again by
# the derivative of generated code).
SELECTORS = {"axis", "axes", "keepdims", "index", "i", "k", "subscripts", "name", "s", "norm", "ord", "how", "reps",
             "repeats", "pad_width", "mode", "offset", "axis1", "axis2", "deg", "n", "source", "destination", "shift",
             "indices", "kth", "indices_or_sections", "newshape", "shape", "dtype", "order", "edge_order"}


def mark_selectors():
    """Mark the selector parameters of every rule (called once all rules are registered)."""
    for rule in list(RULES.values()) + list(METHODS.values()):
        rule.no_derivative = tuple(rule.no_derivative) + tuple(p for p in rule.params
                                                                if p in SELECTORS and p not in rule.no_derivative)


def without_derivative():
    """Display names of the functions declared to carry no derivative, sorted."""
    return sorted({_display_name(fn) for fn in _CONSTANT_OBJECTS if hasattr(fn, "__name__") and not isinstance(fn, type)
                   and not getattr(fn, "__module__", "").startswith("adjoint.")})


def unsupported_functions():
    """(display name, reason) of the functions adjoint names as not differentiated, sorted."""
    return sorted((_display_name(fn), reason) for fn, reason in UNSUPPORTED.items())


def all_rules():
    """(display name, modes) for every registered rule, sorted."""
    rows = {(r.name, "reverse+forward" if r.forward else "reverse") for r in RULES.values()}
    rows |= {(_display_name(fn), "defined by NumPy code") for fn, found in DEFINITIONS.items()
             if not any(when is not None for when, _ in found)}
    rows |= {(r.name, "reverse+forward" if r.forward else "reverse") for r in METHODS.values()}
    return sorted(rows)
