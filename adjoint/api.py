"""The public transforms: grad, value_and_grad, source and the @differentiate decorator."""
import functools
import inspect
import weakref

import numpy as np

from . import cache, driver, runtime, tracebacks
from .errors import AdjointError
from .frontend import parse, unwrap
from .shapes import generalize, shape_of


def _is_scalar(value):
    return isinstance(value, (int, float, complex, np.generic)) or \
        (isinstance(value, np.ndarray) and value.ndim == 0)


_ndarray = np.ndarray
_MAX_SHAPES = 4     # past this many shape specialisations of one function, specialise on rank only


def _arguments_key(args):
    """The arguments' shapes (see shapes.shape_of), unrolled for short calls."""
    if len(args) == 1:
        a = args[0]
        return (() if type(a) is float else shape_of(a),)
    if len(args) == 2:
        a, b = args
        return (() if type(a) is float else shape_of(a), () if type(b) is float else shape_of(b))
    return tuple(map(shape_of, args))


_PYTHON_NUMBERS = frozenset((float, int, bool, complex))
_REAL_NUMBERS = frozenset((float, int, bool))


def _shape_key(args, seen):
    """The specialisation key for these arguments: their shapes (ranks only once `seen` is large).
    args=None (a derivative called inside compiled code) gives the unspecialised key."""
    if args is None:
        return None
    key = tuple(shape_of(a) for a in args)
    if key not in seen and len(seen) >= _MAX_SHAPES:
        key = tuple(generalize(s) if s is not None else None for s in key)
    return key


def _wrt_names(fn, wrt):
    """wrt (int, str or tuple of them) -> (tuple of parameter names, whether a tuple was asked for)."""
    try:
        params = list(_signature(fn).parameters)
    except (TypeError, ValueError):
        params = []
    many = isinstance(wrt, (tuple, list))
    names = []
    for w in (wrt if many else (wrt,)):
        if isinstance(w, int) and not isinstance(w, bool):
            if not 0 <= w < len(params):
                raise AdjointError(f"wrt={w} is out of range: {getattr(fn, '__name__', fn)} takes "
                                   f"{len(params)} positional parameters {tuple(params)}")
            names.append(params[w])
        elif isinstance(w, str):
            if params and w not in params:
                raise AdjointError(f"wrt={w!r}: {getattr(fn, '__name__', fn)} has no parameter {w!r}; "
                                   f"its parameters are {tuple(params)}")
            names.append(w)
        else:
            raise AdjointError(f"wrt must be an int, a str or a tuple of them, not {w!r}")
    return tuple(names), many


class _Gradient:
    """A compiled gradient of `fn`; calling it runs generated code only (after the first call)."""

    def __init__(self, fn, wrt, with_value, has_aux=False):
        self.fn = unwrap(fn)
        if not callable(self.fn):
            raise AdjointError(f"expected a function, got {fn!r}")
        if not hasattr(self.fn, "__code__") and not hasattr(self.fn, "__adjoint_function__"):
            parse(self.fn)          # raises NoSource with the reason
        self.wrt, self.many = _wrt_names(self.fn, wrt)
        self.with_value = with_value
        self.has_aux = has_aux
        self.signature = _signature(self.fn)
        self.params = list(self.signature.parameters) if self.signature else []
        self.positions = [self.params.index(w) for w in self.wrt]
        self.single = len(self.positions) == 1
        self.floats = (float,) * len(self.positions)
        self.compiled = {}              # shape key -> linked Generated
        self.dispatch = {}              # argument types or shapes -> (compiled function, real_wrt): the fast path
        functools.update_wrapper(self, self.fn, updated=())
        self.__adjoint_gradient_of__ = self.fn

    def __repr__(self):
        kind = "value_and_grad" if self.with_value else "grad"
        return (f"<adjoint.{kind} of {self.fn.__qualname__} w.r.t. {', '.join(self.wrt)}; "
                f"adjoint.source({self.fn.__name__}) shows the generated code>")

    def _generated(self, args):
        """The linked reverse-mode code specialised for the kinds of these arguments."""
        key = _shape_key(args, self.compiled)
        generated = self.compiled.get(key)
        if generated is None:
            kinds = dict(zip(self.params, key or ()))
            generated = self.compiled[key] = cache.cached(
                self.fn, (self.wrt, "reverse", key, self.has_aux),
                lambda: driver.build_reverse(self.fn, self.wrt, kinds, has_aux=self.has_aux))
        return generated

    def _compiled_for(self, args):
        if hasattr(self.fn, "__adjoint_function__"):
            return self._nested(args)
        generated = self._generated(args)
        return generated.module[generated.entry]

    def _nested(self, args):
        """A derivative of a derivative: forward mode over the inner derivative's generated code."""
        bad = [w for w, p in zip(self.wrt, self.positions) if not _is_scalar(args[p])]
        if bad:
            raise AdjointError(
                f"grad of a derivative needs scalar arguments, but {', '.join(bad)} is an array; "
                "use adjoint.hessian(f) or adjoint.jacobian(adjoint.grad(f), mode='forward') instead")
        inner = self.fn.__adjoint_function__(args)
        tangents = [_tangent_function(inner, (w,), args) for w in self.wrt]

        def run(*args_):
            value = None
            derivatives = []
            for function in tangents:
                value, tangent = function(*args_, 1.0)
                derivatives.append(tangent)
            return value, derivatives[0] if len(derivatives) == 1 else tuple(derivatives)
        return run

    def _dispatch_entry(self, args, kinds):
        """(compiled function, whether every differentiated argument is a real Python number), filed
        under the argument types when all are Python numbers, else under their shapes."""
        types = kinds if type(kinds) is tuple else (kinds,)
        numbers = _PYTHON_NUMBERS.issuperset(types)
        key = kinds if numbers else _arguments_key(args)
        entry = self.dispatch.get(key)
        if entry is None:
            real_wrt = numbers and all(types[p] in _REAL_NUMBERS for p in self.positions)
            entry = self.dispatch[key] = (self._compiled_for(args), real_wrt)
        return entry

    def __adjoint_function__(self, args):
        """A plain function with readable source computing this gradient (for nested derivatives)."""
        if hasattr(self.fn, "__adjoint_function__"):
            inner = self.fn.__adjoint_function__(args)
            jvp = cache.cached(inner, (self.wrt, "forward"), lambda: driver.build_forward(inner, self.wrt))
            params = list(_signature(inner).parameters)
            selector = cache.cached(inner, (self.wrt, "tangent-selector"),
                                    lambda: driver.build_selector(jvp, params, "tangent"))
            return selector.module[selector.entry]
        generated = self._generated(args)
        selector = cache.cached(self.fn, (self.wrt, "gradient-selector", _shape_key(args, self.compiled)),
                                lambda: driver.build_selector(generated, self.params, "gradient"))
        return selector.module[selector.entry]

    def __call__(self, *args, **kwargs):
        if kwargs:
            bound = self.signature.bind(*args, **kwargs)
            bound.apply_defaults()
            args = tuple(bound.arguments.values())
        # calls with Python numbers only are keyed by their types (one argument: its type alone)
        kinds = type(args[0]) if len(args) == 1 else tuple(map(type, args))
        entry = self.dispatch.get(kinds)
        if entry is None:
            entry = self._dispatch_entry(args, kinds)
        function, real_wrt = entry
        try:                                  # inlined _run: this is the hot path
            value, grads = function(*args)
        except Exception as exc:
            tracebacks.annotate(exc)
            raise
        if self.has_aux:
            value, aux = value
        if type(value) is not float and not _is_scalar(value) and not (isinstance(value, np.ndarray) and value.size == 1):
            raise AdjointError(
                f"grad needs a scalar output, but {self.fn.__name__} returned "
                f"{type(value).__name__}{' of shape ' + str(np.shape(value)) if hasattr(value, 'shape') else ''}. "
                "Use adjoint.vjp or adjoint.jacobian for non-scalar outputs.")
        if self.single:
            x = args[self.positions[0]]
            out = grads if type(grads) is float and type(x) is float else _like(grads, x, args)
        elif real_wrt and type(grads) is tuple and tuple(map(type, grads)) == self.floats:
            out = grads
        else:
            out = tuple(_like(g, args[p], args) for g, p in zip(grads, self.positions))
        if self.many and len(self.positions) == 1:
            out = (out,)
        if self.has_aux:
            return ((value, aux), out) if self.with_value else (out, aux)
        return (value, out) if self.with_value else out


def _like(g, x, args):
    if type(g) is float and type(x) is float:
        return g
    g = runtime.like(g, x)
    if isinstance(g, np.ndarray) and any(g is a for a in args):
        g = g.copy()                   # never hand back (an alias of) the caller's own array
    return g


def _tangent_function(fn, wrt, args):
    """The compiled jvp of fn w.r.t. the names in wrt: jvp(*args, *tangents) -> (value, tangent)."""
    generated = cache.cached(fn, (tuple(wrt), "forward"), lambda: driver.build_forward(fn, list(wrt)))
    return generated.module[generated.entry]


def _plain(f, args):
    """The plain function to transform: f itself, or the generated code behind a derivative."""
    f = unwrap(f)
    if hasattr(f, "__adjoint_function__"):
        return f.__adjoint_function__(args)
    if not hasattr(f, "__code__"):
        parse(f)
    return f


def _run(function, *args):
    """Call generated code; an error it raises gets a note pointing at the user's line."""
    try:
        return function(*args)
    except Exception as exc:
        tracebacks.annotate(exc)
        raise


def _signature(fn):
    """inspect.signature(fn), remembered: it costs more than a small generated function's run."""
    try:
        return _SIGNATURES[fn]
    except KeyError:
        signature = _SIGNATURES[fn] = inspect.signature(fn)
        return signature
    except TypeError:                       # not weakly referenceable
        return inspect.signature(fn)


_SIGNATURES = weakref.WeakKeyDictionary()
_JVPS = weakref.WeakKeyDictionary()          # plain function -> {(code, number of primals): (fn, jvp)}


def _all_args(fn, args):
    """Every positional parameter's value, defaults filled in."""
    signature = _signature(fn)
    if len(args) == len(signature.parameters):
        return args
    bound = signature.bind(*args)
    bound.apply_defaults()
    return tuple(bound.arguments.values())


def jvp(f, primals, tangents):
    """(f(*primals), the directional derivative along tangents), in forward mode.

    primals and tangents are tuples over the positional arguments.
    """
    primals, tangents = tuple(primals), tuple(tangents)
    if len(primals) != len(tangents):
        raise AdjointError(f"jvp got {len(primals)} primals but {len(tangents)} tangents")
    key = (getattr(f, "__code__", None), len(primals))
    compiled = _JVPS.get(f, {}).get(key) if key[0] is not None else None
    if compiled is None:
        fn = _plain(f, primals)
        params = list(_signature(fn).parameters)[:len(primals)]
        compiled = fn, _tangent_function(fn, params, primals)
        if fn is f:                         # plain functions: the same jvp serves every call
            _JVPS.setdefault(f, {})[key] = compiled
    fn, function = compiled
    value, tangent = _run(function, *_all_args(fn, primals), *tangents)
    if type(value) is float and type(tangent) is float or isinstance(value, (list, tuple, dict)):
        return value, tangent
    return value, runtime.like(tangent, value)


def vjp(f, *primals, wrt=None):
    """(f(*primals), pullback): pullback(cotangent) gives the gradient(s) w.r.t. wrt (all by default).

    The forward pass runs once; the pullback can be called any number of times.
    """
    fn = _plain(f, primals)
    params = list(_signature(fn).parameters)
    if wrt is None:
        names, many = tuple(params[:len(primals)]), True
    else:
        names, many = _wrt_names(fn, wrt)
    key = tuple(shape_of(a) for a in primals)
    kinds = dict(zip(params, key))
    pair = cache.cached(fn, (names, "split", key), lambda: driver.build_reverse(fn, names, kinds, split=True))
    forward, backward = pair.module[pair.entry], pair.module[pair.entry[:-4] + "_bwd"]
    value, saved = _run(forward, *primals)
    positions = [params.index(n) for n in names]

    def pullback(cotangent):
        grads = _run(backward, saved, cotangent)
        grads = (grads,) if len(names) == 1 else grads
        out = tuple(_like(g, primals[p], primals) for g, p in zip(grads, positions))
        return out if many else out[0]
    return value, pullback


def jacobian(f, wrt=0, mode="reverse"):
    """J(*args): the array of shape out.shape + arg.shape (a tuple of them for a tuple wrt).

    mode="reverse" builds it row by row with one backward sweep per output element;
    mode="forward" column by column with one tangent sweep per input element.
    """
    if mode not in ("reverse", "forward"):
        raise AdjointError(f"mode must be 'reverse' or 'forward', not {mode!r}")

    def J(*args):
        fn = _plain(f, args)
        names, many = _wrt_names(fn, wrt)
        params = list(_signature(fn).parameters)
        positions = [params.index(n) for n in names]
        if mode == "reverse":
            value, pullback = vjp(fn, *args, wrt=tuple(names))
            out_shape = np.shape(value)
            rows = []
            for i in range(int(np.prod(out_shape))):
                seed = np.zeros(out_shape)
                seed.flat[i] = 1.0
                rows.append(pullback(seed if out_shape else 1.0))
            result = tuple(np.reshape(np.array([r[k] for r in rows]), out_shape + np.shape(args[p]))
                           for k, p in enumerate(positions))
        else:
            full = _all_args(fn, args)
            result = []
            for name, p in zip(names, positions):
                function = _tangent_function(fn, (name,), args)
                arg = np.asarray(args[p], dtype=float)
                columns, out_shape = [], ()
                for j in range(arg.size):
                    basis = np.zeros(arg.shape)
                    basis.flat[j] = 1.0
                    value, tangent = function(*full, basis if arg.shape else 1.0)
                    out_shape = np.shape(value)
                    columns.append(np.broadcast_to(tangent, out_shape))
                stacked = np.stack(columns, axis=-1) if columns else np.zeros(out_shape + (0,))
                result.append(np.reshape(stacked, out_shape + arg.shape))
            result = tuple(result)
        return result if many else result[0]
    return J


def hvp(f, wrt=0):
    """Hv(*args, v): the Hessian of f w.r.t. one argument times v, by forward over reverse mode,
    without forming the Hessian (costs a few gradients)."""
    gradient = grad(f, wrt)
    if isinstance(wrt, (tuple, list)):
        raise AdjointError("hvp takes one argument to differentiate by (an int or a name)")

    def Hv(*args):
        *args, v = args
        selector = gradient.__adjoint_function__(tuple(args))
        name = gradient.wrt[0]
        function = _tangent_function(selector, (name,), args)
        _, tangent = function(*_all_args(selector, args), v)
        return runtime.like(tangent, args[gradient.positions[0]])
    return Hv


def hessian(f, wrt=0):
    """H(*args): the array of shape arg.shape + arg.shape, by forward mode over reverse mode."""
    return jacobian(grad(f, wrt), wrt, mode="forward")


def grad(f, wrt=0, has_aux=False):
    """The gradient of the scalar f(*args) with respect to the argument(s) named by wrt.

    has_aux=True: f returns (value, aux); the result is (gradient, aux), aux passed through."""
    return _Gradient(f, wrt, with_value=False, has_aux=has_aux)


def value_and_grad(f, wrt=0, has_aux=False):
    """A function returning (f(*args), gradient) from one forward pass.

    has_aux=True: f returns (value, aux); the result is ((value, aux), gradient)."""
    return _Gradient(f, wrt, with_value=True, has_aux=has_aux)


def source(f, wrt=0, mode="reverse", args=None, optimize=True):
    """The generated derivative of f as Python source text.

    With `args` (example arguments), the code is specialised as a call with them would be,
    e.g. without shape checks for arguments that are Python floats. optimize=False shows the
    code before the cleanup passes.
    """
    fn = unwrap(f)
    if mode not in ("reverse", "forward"):
        raise AdjointError(f"mode must be 'reverse' or 'forward', not {mode!r}")
    names, _ = _wrt_names(fn, wrt)
    params = list(_signature(fn).parameters)
    kinds = dict(zip(params, (shape_of(a) for a in args))) if args is not None else {}
    if mode == "forward":
        generated = driver.build_forward(fn, names, kinds, optimize=optimize)
    else:
        generated = driver.build_reverse(fn, names, kinds, optimize=optimize)
    return "\n".join(cache.render(g) for g in cache.unit(generated))


def stop_gradient(x):
    """x itself, with no derivative flowing through it."""
    return x


class Differentiable:
    """A function decorated with @adjoint.differentiate: call it as before, or ask for derivatives."""

    def __init__(self, fn, wrt=0):
        self.__adjoint_wrapped__ = fn
        self.wrt = wrt
        functools.update_wrapper(self, fn)
        self._grad = None
        self._value_and_grad = None

    def __call__(self, *args, **kwargs):
        return self.__adjoint_wrapped__(*args, **kwargs)

    @property
    def grad(self):
        if self._grad is None:
            self._grad = grad(self.__adjoint_wrapped__, self.wrt)
        return self._grad

    @property
    def value_and_grad(self):
        if self._value_and_grad is None:
            self._value_and_grad = value_and_grad(self.__adjoint_wrapped__, self.wrt)
        return self._value_and_grad

    def source(self, mode="reverse", args=None):
        return source(self.__adjoint_wrapped__, self.wrt, mode, args)

    def __repr__(self):
        return f"<adjoint.differentiate {self.__adjoint_wrapped__.__qualname__}: .grad, .value_and_grad, .source()>"


def differentiate(fn=None, *, wrt=0):
    """Decorator: `@differentiate` or `@differentiate(wrt=("w", "b"))`."""
    if fn is None:
        return lambda f: Differentiable(f, wrt)
    return Differentiable(fn, wrt)
