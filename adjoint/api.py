"""The public transforms: grad, value_and_grad, source and the @differentiate decorator."""
import ast
import functools
import inspect
import math
import weakref

import numpy as np

from . import cache, callables, driver, floats, rules, runtime, tracebacks
from .errors import AdjointError, ArgumentError, ShapeError
from .frontend import ObjectType, kind_of_object, parse, unwrap
from .shapes import generalize, shape_of


def _is_scalar(value):
    return isinstance(value, (int, float, complex, np.generic)) or \
        (isinstance(value, np.ndarray) and value.ndim == 0) or \
        runtime.is_duck_array(value) and value.ndim == 0          # a 0-d Dask array, not computed


_ndarray = np.ndarray
_MAX_SHAPES = 4     # past this many shape specialisations of one function, specialise on rank only


def _arguments_key(args):
    """The arguments' shapes (see shapes.shape_of; an object of a user class: its class), unrolled
    for short calls."""
    if len(args) == 1:
        a = args[0]
        return (() if type(a) is float else _kind(a),)
    if len(args) == 2:
        a, b = args
        return (() if type(a) is float else _kind(a), () if type(b) is float else _kind(b))
    return tuple(map(_kind, args))


def _kind(value):
    """shape_of(value), or for an object of a user class its ObjectType (code is compiled per class)."""
    shape = shape_of(value)
    return kind_of_object(value) if shape is None else shape


_PYTHON_NUMBERS = frozenset((float, int, bool, complex))
_NOT_COMPUTED = runtime.value_not_computed
_REAL_NUMBERS = frozenset((float, int, bool))


def _shape_key(args, seen):
    """The specialisation key for these arguments: their shapes (ranks only once `seen` is large).
    args=None (a derivative called inside compiled code) gives the unspecialised key."""
    if args is None:
        return None
    key = tuple(_kind(a) for a in args)
    if key not in seen and len(seen) >= _MAX_SHAPES:
        key = tuple(generalize(s) if s is not None and not isinstance(s, ObjectType) else s for s in key)
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
        self.original = fn                      # what pickling refers to
        fn = callables.plain(unwrap(fn))       # a bound method or partial: a wrapper function
        self.fn = fn
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
        # arguments up to the last differentiated one are bound (defaults filled); every call of a function
        # with keyword-only parameters or `*args` (which the compiled code takes as one tuple)
        self.binds = _packs(self.signature) if self.signature else False
        self.needed = max(self.positions) + 1
        self.single = len(self.positions) == 1
        self.floats = (float,) * len(self.positions)
        self.compiled = {}              # shape key -> cache.Linked
        self.dispatch = {}              # argument types or shapes -> (compiled function, real_wrt, guard)
        functools.update_wrapper(self, self.fn, updated=())
        self.__adjoint_gradient_of__ = self.fn
        cache.watch(self)

    def forget(self):
        """A rule was registered: the next call of each kind finds its code again (see cache.watch)."""
        self.dispatch = {}

    def __reduce__(self):
        """Pickled by reference to the function (compiled code is made again where it is loaded)."""
        return _gradient, (self.original, self.wrt if self.many else self.wrt[0], self.with_value, self.has_aux)

    def __repr__(self):
        kind = "value_and_grad" if self.with_value else "grad"
        return (f"<adjoint.{kind} of {self.fn.__qualname__} w.r.t. {', '.join(self.wrt)}; "
                f"adjoint.source({self.fn.__name__}) shows the generated code>")

    def _linked(self, args):
        """The linked reverse-mode code specialised for the kinds of these arguments."""
        key = _shape_key(args, self.compiled)
        kinds = dict(zip(self.params, key or ()))
        keep_value = self.with_value or self.has_aux          # grad discards the value: it need not be computed
        linked = self.compiled[key] = cache.cached(
            self.fn, (self.wrt, "reverse", key, self.has_aux, keep_value),
            lambda: driver.build_reverse(self.fn, self.wrt, kinds, has_aux=self.has_aux, keep_value=keep_value))
        return linked

    def _compiled_for(self, args):
        """(function to call, its guard: None, or a function saying whether it still holds)."""
        if hasattr(self.fn, "__adjoint_function__"):
            return self._nested(args)
        numbers = _numbers(self.params, args)
        if numbers and self.single and not self.has_aux and FORWARD_FOR_ONE_NUMBER[0]:
            with cache.building():              # (parsing, as compiling, is done by one thread at a time)
                forward = None if floats.calls_numpy(self.fn) else self._forward(args)
            if forward is not None:
                return forward
        linked = self._for_numbers(numbers) if numbers else None
        if linked is not None:
            return _with_fallback(linked, lambda: self._linked(args).function), linked.guard
        linked = self._linked(args)
        return linked.function, linked.guard

    def _forward(self, args):
        """For one differentiated Python number, the derivative as one forward sweep with tangent 1.0
        (half a reverse sweep's work, and no tape), where forward mode takes the function; None where
        it does not. Only for code calling no NumPy: forward mode is not compiled for numbers (math in
        place of NumPy, floats.py), and NumPy on a float costs more than the second sweep."""
        try:
            linked = _tangent_linked(self.fn, self.wrt, args)
        except AdjointError:
            return None
        jvp = linked.function
        return (lambda *args_: jvp(*args_, 1.0)), linked.guard

    def _for_numbers(self, numbers):
        """The code compiled for these Python numbers (floats.py), or None where it does not apply."""
        keep_value = self.with_value or self.has_aux
        request = (self.wrt, "reverse", tuple(numbers.items()), self.has_aux, keep_value)
        refused = _NOT_SPECIALISED.setdefault(self.fn, set())
        if request in refused:
            return None
        try:
            return cache.cached(self.fn, request, lambda: driver.build_reverse(
                self.fn, self.wrt, dict.fromkeys(numbers, ()), has_aux=self.has_aux, keep_value=keep_value,
                statics=numbers))
        except floats.NotSpecialised:
            refused.add(request)            # (not tried again for a new grad of the same function)
            return None

    def _nested(self, args):
        """A derivative of a derivative: forward mode over the inner derivative's generated code."""
        bad = [(w, args[p]) for w, p in zip(self.wrt, self.positions) if not _is_scalar(args[p])]
        if bad:
            name, value = bad[0]
            what = f"an object of class {type(value).__name__}" if runtime.is_object(value) else "an array"
            raise AdjointError(
                f"grad of a derivative needs scalar arguments, but {name} is {what}; "
                "use adjoint.hessian(f) or adjoint.jacobian(adjoint.grad(f), mode='forward') instead"
                + ("" if what == "an array" else ", with respect to the arrays it holds, or adjoint.hvp"))
        inner = self.fn.__adjoint_function__(args)
        tangents = [_tangent_linked(inner, (w,), args) for w in self.wrt]

        def run(*args_):
            value = None
            derivatives = []
            for linked in tangents:
                value, tangent = linked.function(*args_, 1.0)
                derivatives.append(tangent)
            return value, derivatives[0] if len(derivatives) == 1 else tuple(derivatives)
        return run, _AllCurrent(tangents).current

    def _dispatch_entry(self, args, kinds):
        """(compiled function, whether every differentiated argument is a real Python number, guard),
        filed under the argument types when all are Python numbers, else under their shapes."""
        types = kinds if type(kinds) is tuple else (kinds,)
        numbers = _PYTHON_NUMBERS.issuperset(types)
        key = kinds if numbers else _arguments_key(args)
        entry = self.dispatch.get(key)
        if entry is None or entry[2] is not None and not entry[2]():
            self._check_call(args)          # only calls that fit are ever filed
            real_wrt = numbers and all(types[p] in _REAL_NUMBERS for p in self.positions)
            function, guard = self._compiled_for(args)
            entry = self.dispatch[key] = (function, real_wrt, guard)
        return entry

    def _check_call(self, args):
        """Arguments that do not fit the function raise as the function would, naming it; the
        differentiated ones must be numbers, arrays or containers of them."""
        _check_signature(self.fn, self.signature, args)
        for name, p in zip(self.wrt, self.positions):
            _check_differentiable(self.fn, name, args[p])

    def __adjoint_function__(self, args):
        """A plain function with readable source computing this gradient (for nested derivatives)."""
        if args is not None:            # None: called from compiled code, arguments unknown
            args = tuple(args)
        if hasattr(self.fn, "__adjoint_function__"):
            inner = self.fn.__adjoint_function__(args)
            params = list(_signature(inner).parameters)
            selector = cache.cached(inner, (self.wrt, "tangent-selector"), lambda: driver.build_selector(
                driver.build_forward(inner, self.wrt), params, "tangent"))
            return selector.function
        key = _shape_key(args, self.compiled)
        kinds = dict(zip(self.params, key or ()))
        selector = cache.cached(self.fn, (self.wrt, "gradient-selector", key), lambda: driver.build_selector(
            driver.build_reverse(self.fn, self.wrt, kinds, has_aux=self.has_aux), self.params, "gradient",
            self.wrt))
        return selector.function

    def __call__(self, *args, **kwargs):
        if kwargs or len(args) < self.needed or self.binds:
            args = _bind(self.fn, self.signature, args, kwargs)
        # calls with Python numbers only are keyed by their types (one argument: its type alone)
        kinds = type(args[0]) if len(args) == 1 else tuple(map(type, args))
        entry = self.dispatch.get(kinds)
        if entry is None or entry[2] is not None and not entry[2]():
            entry = self._dispatch_entry(args, kinds)
        function, real_wrt, _ = entry
        try:                                  # inlined _run: this is the hot path
            value, grads = function(*args)
        except Exception as exc:
            runtime.unwind(exc)
            tracebacks.annotate(exc)
            self._explain(exc, args)
            raise
        if self.has_aux:
            value, aux = value
        if value is not _NOT_COMPUTED and type(value) is not float and not _is_scalar(value) \
                and not (isinstance(value, np.ndarray) and value.size == 1):
            raise AdjointError(
                f"grad needs a scalar output, but {self.fn.__name__} returned {_described(value)}. "
                "Use adjoint.vjp or adjoint.jacobian for non-scalar outputs"
                + ("" if self.has_aux or not isinstance(value, tuple) else
                   ", or has_aux=True if it returns (value, auxiliary data)") + ".")
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

    def _explain(self, exc, args):
        """An error raised inside generated code, retold when its cause is the call: a function
        returning a tuple without has_aux=True, or a list where the code needs an array."""
        if not self.has_aux and isinstance(exc, (TypeError, ValueError, IndexError)):
            try:
                value = self.fn(*args)
            except Exception:
                value = None
            if isinstance(value, (tuple, list, dict)):
                raise AdjointError(
                    f"grad needs a scalar output, but {_name(self.fn)} returned a {type(value).__name__}"
                    f"{' of ' + str(len(value)) if isinstance(value, (tuple, list)) else ''}; "
                    "if it returns (value, auxiliary data), use has_aux=True") from exc
        if isinstance(exc, TypeError):
            for name, p in zip(self.wrt, self.positions):
                if isinstance(args[p], (list, tuple)):
                    raise ArgumentError(
                        f"{_name(self.fn)}: argument {name!r} is a {type(args[p]).__name__}, but the function "
                        f"computes with it as with an array ({exc}); pass np.asarray({name})") from exc


def _described(value):
    """`a tuple of 2`, `ndarray of shape (3,)`: what a function returned, for an error message."""
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)}"
    return f"{type(value).__name__}{' of shape ' + str(np.shape(value)) if hasattr(value, 'shape') else ''}"


FORWARD_FOR_ONE_NUMBER = [True]    # grad of one Python number runs forward mode (tests switch it off to compare)
_NOT_SPECIALISED = weakref.WeakKeyDictionary()     # user function -> requests floats.py does not apply to


def _numbers(params, args):
    """{parameter: floats.Number} when every argument is a real Python number (code is compiled for
    them, see floats.py), else None."""
    if len(args) > len(params) or not _REAL_NUMBERS.issuperset(map(type, args)) or not floats.ENABLED[0]:
        return None
    return {p: floats.Number(float if type(a) is float else int) for p, a in zip(params, args)}


def _with_fallback(linked, unspecialised):
    """The code compiled for Python numbers, run as the unspecialised code where it raises an
    arithmetic error (where math raises, NumPy gives inf or nan: the unspecialised code, compiled
    when first needed, gives NumPy's answer, or raises as the code as written does)."""
    fast = linked.function
    differs, returns_numpy = linked.floats
    if not differs:
        return fast

    def run(*args):
        try:
            value, grads = fast(*args)
        except (ArithmeticError, ValueError) as exc:
            runtime.unwind(exc)
        else:
            return (np.float64(value) if returns_numpy and type(value) is float else value), grads
        return unspecialised()(*args)          # (outside the handler: its errors are the code's own)
    return run


def _gradient(f, wrt, with_value, has_aux):
    return _Gradient(f, wrt, with_value, has_aux)


class _AllCurrent:
    """Whether several linked units are all up to date (a nested derivative uses one per argument)."""

    def __init__(self, linked):
        self.linked = linked

    def current(self):
        return all(linked.current() for linked in self.linked)


def _name(fn):
    return getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn)


def _check_signature(fn, signature, args, skip=0):
    """TypeError naming fn when args do not fit its signature (too many, too few), as a call would."""
    if signature is None or len(args) == len(signature.parameters):
        return                      # the common case, cheaply: one argument per parameter
    try:
        signature.bind(*args)
    except TypeError as exc:
        raise ArgumentError(f"{_name(fn)}(): {exc}"
                            + (f" (it takes {_parameters(signature, skip)})" if "argument" in str(exc) else "")) \
            from None


def _bind(fn, signature, args, kwargs, skip=0):
    """args and kwargs as positional arguments, defaults filled in (a call with keywords)."""
    unknown = [k for k in kwargs if k not in signature.parameters]
    if unknown:
        raise ArgumentError(f"{_name(fn)}() got an unexpected keyword argument {unknown[0]!r} "
                            f"(it takes {_parameters(signature, skip)})")
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError as exc:
        raise ArgumentError(f"{_name(fn)}(): {exc} (it takes {_parameters(signature, skip)})") from None
    bound.apply_defaults()
    return tuple(bound.arguments.values())


def _parameters(signature, skip=0):
    return "(" + ", ".join(list(map(str, signature.parameters.values()))[skip:]) + ")"


def _check_differentiable(fn, name, value):
    """Raise ArgumentError when `value`, the argument `name` of fn, is nothing one can differentiate by:
    a string, bytes, None, or an array of strings or objects."""
    problem = _not_differentiable(value)
    if problem:
        raise ArgumentError(f"{_name(fn)}: cannot differentiate with respect to argument {name!r}, which is "
                            f"{problem}; expected a number, a NumPy array, or a list, tuple or dict of them")


def _not_differentiable(value, leaf=False):
    """What is wrong with value as an argument to differentiate by, or '' if nothing. A None inside a
    list, tuple or dict is a leaf with no derivative (its gradient is None)."""
    if (value is None and not leaf) or isinstance(value, (str, bytes)):
        return repr(value) if value is None else f"a {type(value).__name__} ({value!r:.40})"
    if isinstance(value, np.ndarray) and value.dtype.kind not in "biufc":
        return f"an array of dtype {value.dtype}"
    items = value if type(value) in (list, tuple) else value.values() if type(value) is dict else ()
    return next(filter(None, (_not_differentiable(item, leaf=True) for item in items)), "")


def _like(g, x, args):
    """g given the type, shape and container structure of x, sharing no memory with the arguments."""
    fast = runtime.like_fast(g, x)
    if fast is not None:
        return fast if type(fast) is not np.ndarray else _unshared(fast, args)
    if x is None:                   # a None leaf of a container argument: nothing to differentiate
        return None
    if type(x) in (list, tuple) and type(g) in (list, tuple) and len(g) == len(x):
        items = [_like(a, b, args) for a, b in zip(g, x)]
        return items if type(x) is list else tuple(items)
    if type(x) is dict and type(g) is dict:
        return {k: _like(g.get(k, runtime.zero), v, args) for k, v in x.items()}
    return _unshared(runtime.like(g, x), args)


def _unshared(result, inputs):
    """result, copied if it is (a view of) one of the caller's arrays: writing into a derivative
    must never change the caller's data."""
    if not isinstance(result, np.ndarray):
        return result
    root = result if result.base is None else result.base
    for a in inputs:
        if type(a) is np.ndarray:
            if a is root or a.base is root:
                return result.copy()
        elif type(a) in (list, tuple, dict) and _unshared(result, a.values() if type(a) is dict else a) is not result:
            return result.copy()
    return result


def _tangent_linked(fn, wrt, args=None):
    """The compiled jvp of fn w.r.t. the names in wrt: `.function(*args, *tangents) -> (value, tangent)`,
    specialised on the arguments' ranks when they are given (a number, a list and an array read
    differently: `y += x` rebinds a number but writes into an array)."""
    ranks = None if args is None else \
        tuple(generalize(s) if isinstance(s, tuple) else s for s in map(_kind, args))
    kinds = dict(zip(_signature(fn).parameters, ranks)) if ranks else None
    return cache.cached(fn, (tuple(wrt), "forward", ranks), lambda: driver.build_forward(fn, list(wrt), kinds))


def _plain(f, args):
    """The plain function to transform: f itself, the wrapper of a bound method or partial, or the
    generated code behind a derivative."""
    f = callables.plain(unwrap(f))
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
        runtime.unwind(exc)
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
_VJP_SHAPES = weakref.WeakKeyDictionary()    # function -> {shape key: True}, to cap vjp's specialisations


def _all_args(fn, args, packed=False):
    """Every parameter's value, defaults filled in (and `*rest`'s values as one tuple, unless they
    are already: packed)."""
    signature = _signature(fn)
    if packed and _packs(signature):
        given = dict(zip(signature.parameters, args))
        return tuple(given[name] if name in given else p.default for name, p in signature.parameters.items())
    if len(args) == len(signature.parameters) and not _packs(signature):
        return args
    bound = signature.bind(*args)
    bound.apply_defaults()
    return tuple(bound.arguments.values())


def _as_called(f, args):
    """args as the compiled code of f (a function or a derivative of one) takes them: `*rest`'s values
    as one tuple, defaults filled in."""
    target = unwrap(f)
    fn = target.fn if isinstance(target, _Gradient) else target
    signature = _signature(fn) if hasattr(fn, "__code__") else None
    if signature is not None and _packs(signature):
        return _bind(fn, signature, tuple(args), {})
    return tuple(args)


def _packs(signature):
    """Whether a call's arguments are bound to fn's parameters by more than position: fn has
    `*rest` (a tuple in compiled code) or keyword-only parameters."""
    return any(p.kind in (p.VAR_POSITIONAL, p.KEYWORD_ONLY) for p in signature.parameters.values())


def _check_shapes(fn, kind, pairs):
    """ShapeError naming the argument when a tangent or cotangent is not shaped like its value."""
    for name, value, direction in pairs:
        if type(value) is type(direction) is np.ndarray and value.shape == direction.shape:
            continue                # the common case, cheaply
        if not isinstance(value, (np.ndarray, np.generic, int, float, complex)) or _is_scalar(direction) and \
                np.ndim(value) == 0:
            continue
        try:
            shape = np.shape(direction)
        except ValueError:
            shape = None
        if shape != np.shape(value):
            raise ShapeError(f"{_name(fn)}: the {kind} for {name} has shape {shape}, but {name} has shape "
                             f"{np.shape(value)}; a {kind} must have the shape of the value it belongs to")


def jvp(f, primals, tangents):
    """(f(*primals), the directional derivative along tangents), in forward mode.

    primals and tangents are tuples over the positional arguments.
    """
    primals, tangents = tuple(primals), tuple(tangents)
    if len(primals) != len(tangents):
        raise ArgumentError(f"jvp got {len(primals)} primals but {len(tangents)} tangents: give one tangent "
                            "per primal")
    fn = _plain(f, primals)
    signature = _signature(fn)
    _check_signature(fn, signature, primals)
    if _packs(signature):           # `*rest` takes a tuple of the primals (and of the tangents) it gets
        primals, tangents = (tuple(signature.bind(*v).arguments.values()) for v in (primals, tangents))
    params = list(signature.parameters)[:len(primals)]
    _check_shapes(fn, "tangent", list(zip(params, primals, tangents)))
    linked = _tangent_linked(fn, params, primals)
    value, tangent = _run(linked.function, *_all_args(fn, primals, packed=True), *tangents)
    if type(value) is float and type(tangent) is float or isinstance(value, (list, tuple, dict)):
        return value, tangent
    inputs = primals + tangents
    return _unshared(value, inputs), _unshared(runtime.like(tangent, value), inputs)


def vjp(f, *primals, wrt=None):
    """(f(*primals), pullback): pullback(cotangent) gives the gradient(s) w.r.t. wrt (all by default).

    The forward pass runs once; the pullback can be called any number of times.
    """
    return _vjp(f, primals, wrt, check=True)


def _vjp(f, primals, wrt, check):
    """vjp; check=False lets a cotangent of another shape through (jacobian of a gradient that is a
    constant zero)."""
    gradient = unwrap(f)
    if isinstance(gradient, _Gradient) and not gradient.with_value and not gradient.has_aux \
            and not hasattr(gradient.fn, "__adjoint_function__"):
        return _vjp_of_gradient(gradient, primals, wrt)
    fn = _plain(f, primals)
    signature = _signature(fn)
    params = list(signature.parameters)
    _check_signature(fn, signature, primals)
    if wrt is None:         # every argument
        names, many = tuple(params[:len(primals)]), True
    else:
        names, many = _wrt_names(fn, wrt)
    positions = [params.index(n) for n in names]
    primals = _all_args(fn, primals)             # (defaulted and keyword-only parameters filled in)
    for name, p in zip(names, positions):
        _check_differentiable(fn, name, primals[p])
    key = _shape_key(primals, _VJP_SHAPES.setdefault(fn, {}))
    _VJP_SHAPES[fn][key] = True
    kinds = dict(zip(params, key))
    pair = cache.cached(fn, (names, "split", key), lambda: driver.build_reverse(fn, names, kinds, split=True))
    forward, backward = pair.function, pair.module[pair.entry[:-4] + "_bwd"]
    value, saved = _run(forward, *primals)

    def pullback(cotangent):
        if check:
            _check_shapes(fn, "cotangent", [("its output", value, cotangent)])
        grads = _run(backward, saved, cotangent)
        grads = (grads,) if len(names) == 1 else grads
        inputs = primals + (cotangent,)
        out = tuple(_like(g, primals[p], inputs) for g, p in zip(grads, positions))
        return out if many else out[0]
    return _unshared(value, primals), pullback


def _vjp_of_gradient(gradient, primals, wrt):
    """vjp of g = grad(f, wrt=K). Second derivatives are symmetric, so the pullback of a cotangent v
    is the derivative of grad(f, wrt=W) along v placed on the arguments K: one forward sweep over the
    gradient's code, as hessian and hvp run, instead of reverse mode over it (which refuses the save
    stack of a gradient with loops, and lacks reverse rules for some of the runtime's helpers)."""
    fn = gradient.fn
    _check_signature(fn, gradient.signature, primals)
    params = list(gradient.signature.parameters)
    names, many = (tuple(params[:len(primals)]), True) if wrt is None else _wrt_names(fn, wrt)
    for name in names:
        _check_differentiable(fn, name, primals[params.index(name)])
    value = gradient(*primals)
    inner = _plain(_gradient(fn, names, with_value=False, has_aux=False), primals)   # grad(f, wrt=W)'s code
    full = _all_args(inner, primals)
    sweep = _tangent_linked(inner, tuple(gradient.wrt), full).function
    positions = [params.index(n) for n in names]

    def pullback(cotangent):
        cotangents = cotangent if gradient.many else (cotangent,)
        _check_shapes(fn, "cotangent", [("its output", v, c) for v, c in
                                        zip(value if gradient.many else (value,), cotangents)])
        _, tangent = _run(sweep, *full, *cotangents)
        grads = tuple(tangent) if len(names) > 1 else (tangent,)
        out = tuple(_like(g, primals[p], primals) for g, p in zip(grads, positions))
        return out if many else out[0]
    return value, pullback


def _check_arguments(f, args):
    """ArgumentError, naming the function, when args do not fit f (a function or a derivative)."""
    f = unwrap(f)
    if isinstance(f, _Gradient):
        f._check_call(tuple(args))
    elif hasattr(f, "__code__"):
        _check_signature(f, _signature(f), args)


def _output_shape(f, args, value):
    """The shape of f(*args): a gradient has its argument's shape even where it is a constant zero."""
    f = unwrap(f)
    if isinstance(f, _Gradient) and f.single and not f.many and not f.with_value and not f.has_aux:
        return np.shape(tuple(args)[f.positions[0]])
    return np.shape(value)


def jacobian(f, wrt=0, mode="reverse"):
    """J(*args): the array of shape out.shape + arg.shape (a tuple of them for a tuple wrt).

    mode="reverse" builds it row by row with one backward sweep per output element;
    mode="forward" column by column with one tangent sweep per input element. The Jacobian of a
    derivative (`jacobian(grad(f))`) is built column by column in either mode: forward mode over
    a derivative's code is what hessian runs, and reverse mode over it would have to undo its save
    stack (the matrix is the same).
    """
    if mode not in ("reverse", "forward"):
        raise AdjointError(f"mode must be 'reverse' or 'forward', not {mode!r}")

    def J(*args):
        _check_arguments(f, args)
        args = _as_called(f, args)
        fn = _plain(f, args)
        names, many = _wrt_names(fn, wrt)
        params = list(_signature(fn).parameters)
        positions = [params.index(n) for n in names]
        for name, p in zip(names, positions):
            if p < len(args) and runtime.is_object(args[p]):
                raise ArgumentError(
                    f"{_name(fn)}: a Jacobian or Hessian is an array, but {name!r} is an object of class "
                    f"{type(args[p]).__name__}; differentiate with respect to the arrays it holds (passed as "
                    f"arguments), or use adjoint.grad, adjoint.jvp or adjoint.hvp, which give its structure")
        if mode == "reverse" and not hasattr(callables.plain(unwrap(f)), "__adjoint_function__"):
            value, pullback = _vjp(fn, args, tuple(names), check=False)
            out_shape = _output_shape(f, args, value)
            rows = [pullback(_unit(value, out_shape, i, float) if out_shape else 1.0) for i in range(math.prod(out_shape))]
            result = tuple(_stacked([r[k] for r in rows], args[p], out_shape, 0) for k, p in enumerate(positions))
        else:
            full = _all_args(fn, args)
            result = []
            for name, p in zip(names, positions):
                function = _tangent_linked(fn, (name,), full).function
                arg = args[p] if runtime.own_namespace(args[p]) else np.asarray(args[p])
                columns, out_shape = [], ()
                for j in range(math.prod(arg.shape)):
                    value, tangent = _run(function, *full, _unit(arg, arg.shape, j) if arg.shape else 1.0)
                    out_shape = _output_shape(f, args, value)
                    columns.append(_spread(tangent, value, out_shape))
                result.append(_stacked(columns, arg, out_shape, -1))
            result = tuple(result)
        return result if many else result[0]
    return J


def _unit(like, shape, j, dtype=None):
    """The j-th unit array of this shape, of like's library and (inexact) dtype: a float32 argument's
    basis is float32. dtype: NumPy's dtype to use instead."""
    xp = runtime.own_namespace(like)
    if xp is None:
        basis = np.zeros(shape, dtype=dtype or runtime.gradient_dtype(like))
        basis.flat[j] = 1.0
        return basis
    flat = runtime.zeros_shaped(xp.reshape(like, (-1,)))
    flat[j] = 1.0
    return xp.reshape(flat, shape)


def _spread(tangent, value, shape):
    """A tangent (a number where it does not vary) as an array of the output's shape."""
    xp = runtime.own_namespace(value)
    if xp is None:
        return np.broadcast_to(tangent, shape)
    return runtime.zeros_shaped(value) + tangent


def _stacked(pieces, arg, out_shape, axis):
    """Rows (axis 0) or columns (axis -1) of a Jacobian as one array of shape out_shape + arg's shape."""
    xp = runtime.own_namespace(arg)
    if xp is None:
        stacked = np.stack([np.asarray(p) for p in pieces], axis=axis) if pieces else np.zeros(out_shape + (0,))
        return np.reshape(stacked, out_shape + np.shape(arg))
    return xp.reshape(xp.stack(pieces, axis=axis), tuple(out_shape) + tuple(arg.shape))


def hvp(f, wrt=0):
    """Hv(*args, v): the Hessian of f w.r.t. one argument times v, by forward over reverse mode,
    without forming the Hessian (costs a few gradients)."""
    gradient = grad(f, wrt)
    if isinstance(wrt, (tuple, list)):
        raise AdjointError("hvp takes one argument to differentiate by (an int or a name)")

    def Hv(*args):
        *args, v = args
        _check_arguments(gradient, args)
        args = _as_called(gradient, args)
        selector = gradient.__adjoint_function__(tuple(args))
        name = gradient.wrt[0]
        function = _tangent_linked(selector, (name,), tuple(args)).function
        _, tangent = _run(function, *_all_args(selector, args), v)
        return runtime.like(tangent, args[gradient.positions[0]])
    return Hv


def hessian(f, wrt=0):
    """H(*args): the array of shape arg.shape + arg.shape, by forward mode over reverse mode."""
    return jacobian(grad(f, wrt), wrt, mode="forward")


def grad(f, wrt=0, has_aux=False):
    """The gradient of the scalar f(*args) with respect to the argument(s) named by wrt.

    has_aux=True: f returns (value, aux); the result is (gradient, aux), aux passed through."""
    return _gradient(f, wrt, with_value=False, has_aux=has_aux)


def elementwise_grad(f, wrt=0):
    """For f acting elementwise on arrays: the derivative of each output element with respect to its
    own input element, shaped like the input (for an elementwise f, the vjp with a cotangent of ones).
    It nests: elementwise_grad(elementwise_grad(f)) is the second derivative."""
    return _ElementwiseGradient(f, wrt)


class _ElementwiseGradient:
    """adjoint.elementwise_grad(f): the tangent of f along ones, in forward mode (for an elementwise f
    the same as the vjp with a cotangent of ones). Each order of a nested one adds one forward sweep
    over the generated code of the order below."""

    def __init__(self, f, wrt):
        self.original = f
        self.fn = callables.plain(unwrap(f))
        signature = _signature(self.fn)
        if signature is None:
            raise AdjointError(f"elementwise_grad needs a function whose parameters can be read, got {f!r}")
        self.params = list(signature.parameters)
        self.wrt, self.many = _wrt_names(self.fn, wrt)
        functools.update_wrapper(self, self.fn, updated=())
        self.__name__ = self.__qualname__ = f"elementwise_grad_{getattr(self.fn, '__name__', 'f')}"

    def __reduce__(self):
        return elementwise_grad, (self.original, self.wrt if self.many else self.wrt[0])

    def __repr__(self):
        return f"<adjoint.elementwise_grad of {_name(self.original)}>"

    def __call__(self, *args):
        fn = _plain(self.fn, args)
        _check_signature(fn, _signature(fn), args)
        slopes = []
        for name in self.wrt:
            position = self.params.index(name)
            _check_differentiable(fn, name, args[position])
            linked = _tangent_linked(fn, (name,), args)
            ones = np.ones(np.shape(args[position]), dtype=runtime.gradient_dtype(args[position]))
            _, slope = _run(linked.function, *args, ones)
            slopes.append(_unshared(slope, args))
        return tuple(slopes) if self.many else slopes[0]

    def __adjoint_function__(self, args):
        """A plain function with readable source computing this derivative (for the next order)."""
        if self.many:
            raise AdjointError("differentiating elementwise_grad with several `wrt` is not supported: "
                               "take elementwise_grad of each argument separately")
        fn = _plain(self.fn, None if args is None else tuple(args))
        params = list(_signature(fn).parameters)
        selector = cache.cached(fn, (tuple(self.wrt), "elementwise-selector"), lambda: driver.build_selector(
            driver.build_forward(fn, list(self.wrt)), params, "elementwise", self.wrt))
        return selector.function


def value_and_grad(f, wrt=0, has_aux=False):
    """A function returning (f(*args), gradient) from one forward pass.

    has_aux=True: f returns (value, aux); the result is ((value, aux), gradient)."""
    return _gradient(f, wrt, with_value=True, has_aux=has_aux)


def source(f, wrt=0, mode=None, args=None, optimize=True):
    """The generated derivative of f as Python source text: by default the code grad(f) runs
    (value_and_grad runs it with the statements that only compute the value, when the value is a
    number); mode="reverse" or "forward" asks for one mode's code.

    With `args` (example arguments), the code is specialised as a call with them would be,
    e.g. without shape checks for arguments that are Python floats, and calling `math` where the
    function calls NumPy on numbers (see floats.py). For one Python number differentiated, grad runs
    forward mode (one sweep, no tape) where neither the function nor a helper calls NumPy; that is
    the code shown then. optimize=False shows the code before the cleanup passes.
    """
    fn = callables.plain(unwrap(f))
    if mode not in (None, "reverse", "forward"):
        raise AdjointError(f"mode must be 'reverse' or 'forward', not {mode!r}")
    if hasattr(fn, "__adjoint_function__"):     # a derivative: its derivative, from its generated code
        fn = fn.__adjoint_function__(tuple(args) if args is not None else None)
    if not hasattr(fn, "__code__"):
        parse(fn)                   # raises NoSource with the reason
    names, _ = _wrt_names(fn, wrt)
    params = list(_signature(fn).parameters)
    kinds = dict(zip(params, (_kind(a) for a in args))) if args is not None else {}
    numbers = _numbers(params, tuple(args)) if args is not None and mode != "forward" else None
    with cache.building():          # the same rules and callees a call would compile against now
        generated = None
        runs_forward = mode is None and numbers and len(names) == 1 and FORWARD_FOR_ONE_NUMBER[0] \
            and not floats.calls_numpy(fn)                  # (as _Gradient._compiled_for chooses)
        if mode == "forward" or runs_forward:
            try:
                generated = driver.build_forward(fn, names, kinds, optimize=optimize)
            except AdjointError:
                if mode == "forward":
                    raise
        if numbers and generated is None:   # the code compiled for Python numbers, where it applies (floats.py)
            try:
                generated = driver.build_reverse(fn, names, kinds, optimize=optimize, statics=numbers)
            except floats.NotSpecialised:
                pass
        generated = generated or driver.build_reverse(fn, names, kinds, optimize=optimize)
        return "\n".join(cache.render(g) for g in cache.unit(generated))


def defrule(fn, params, reverse=None, forward=None, **options):
    """Register a derivative rule for fn (adjoint.rules.defrule documents the arguments). Its templates
    are parsed now, so a typo fails here and not at first use; code compiled before it is compiled
    again on its next call, so the rule takes effect at once."""
    for where, template in _templates(reverse, forward):
        try:
            ast.parse(template, mode="eval")
        except SyntaxError as exc:
            raise AdjointError(f"defrule for {_name(fn)}: the {where} template {template!r} is not a Python "
                               f"expression ({exc.msg})") from None
    try:
        rule = rules.defrule(fn, params, reverse, forward, **options)
    except SyntaxError as exc:
        raise AdjointError(f"defrule for {_name(fn)}: the parameters {params!r} are not a Python parameter "
                           f"list ({exc.msg})") from None
    cache.rules_changed()
    return rule


def _templates(reverse, forward):
    """(where, template text) for each template of a rule."""
    for param, template in (reverse or {}).items():
        yield f"reverse[{param!r}]", template
    for param, template in (forward.items() if isinstance(forward, dict) else [(None, forward)]):
        if template is not None:
            yield "forward" + (f"[{param!r}]" if param is not None else ""), template


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

    def __reduce__(self):
        """Pickled by reference: the decorated function is found again by its module and name."""
        return self.__qualname__

    @property
    def grad(self):
        if self._grad is None:
            self._grad = grad(self, self.wrt)
        return self._grad

    @property
    def value_and_grad(self):
        if self._value_and_grad is None:
            self._value_and_grad = value_and_grad(self, self.wrt)
        return self._value_and_grad

    def source(self, mode=None, args=None):
        return source(self.__adjoint_wrapped__, self.wrt, mode, args)

    def __repr__(self):
        return f"<adjoint.differentiate {self.__adjoint_wrapped__.__qualname__}: .grad, .value_and_grad, .source()>"


def differentiate(fn=None, *, wrt=0):
    """Decorator: `@differentiate` or `@differentiate(wrt=("w", "b"))`."""
    if fn is None:
        return lambda f: Differentiable(f, wrt)
    return Differentiable(fn, wrt)
