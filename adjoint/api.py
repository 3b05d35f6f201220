"""The public transforms: grad, value_and_grad, source and the @differentiate decorator."""
import functools
import inspect

import numpy as np

from . import cache, driver, runtime
from .errors import AdjointError
from .frontend import parse, unwrap


def _is_scalar(value):
    return isinstance(value, (int, float, complex, np.generic)) or \
        (isinstance(value, np.ndarray) and value.ndim == 0)


def _wrt_names(fn, wrt):
    """wrt (int, str or tuple of them) -> (tuple of parameter names, whether a tuple was asked for)."""
    try:
        params = list(inspect.signature(fn).parameters)
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

    def __init__(self, fn, wrt, with_value):
        self.fn = unwrap(fn)
        if not callable(self.fn):
            raise AdjointError(f"expected a function, got {fn!r}")
        if isinstance(self.fn, _Gradient):
            raise AdjointError("differentiating a derivative (grad of grad) arrives with forward mode; "
                               "this version differentiates plain functions")
        if not hasattr(self.fn, "__code__"):
            parse(self.fn)          # raises NoSource with the reason
        self.wrt, self.many = _wrt_names(self.fn, wrt)
        self.with_value = with_value
        self.signature = inspect.signature(self.fn) if hasattr(self.fn, "__code__") else None
        self.params = list(self.signature.parameters) if self.signature else []
        self.positions = [self.params.index(w) for w in self.wrt]
        self.compiled = {}
        functools.update_wrapper(self, self.fn, updated=())
        self.__adjoint_gradient_of__ = self.fn

    def __repr__(self):
        kind = "value_and_grad" if self.with_value else "grad"
        return (f"<adjoint.{kind} of {self.fn.__qualname__} w.r.t. {', '.join(self.wrt)}; "
                f"adjoint.source({self.fn.__name__}) shows the generated code>")

    def _compiled_for(self, args):
        key = tuple(_is_scalar(a) for a in args)
        function = self.compiled.get(key)
        if function is None:
            kinds = dict(zip(self.params, key))
            function = self.compiled[key] = cache.cached(
                self.fn, (self.wrt, "reverse", key), lambda: driver.build_reverse(self.fn, self.wrt, kinds))
        return function

    def __call__(self, *args, **kwargs):
        if kwargs:
            bound = self.signature.bind(*args, **kwargs)
            bound.apply_defaults()
            args = tuple(bound.arguments.values())
        value, grads = self._compiled_for(args)(*args)
        if not _is_scalar(value) and not (isinstance(value, np.ndarray) and value.size == 1):
            raise AdjointError(
                f"grad needs a scalar output, but {self.fn.__name__} returned "
                f"{type(value).__name__}{' of shape ' + str(np.shape(value)) if hasattr(value, 'shape') else ''}. "
                "Use adjoint.vjp or adjoint.jacobian for non-scalar outputs.")
        if len(self.wrt) == 1:
            grads = (grads,)
        out = tuple(_like(g, args[p], args) for g, p in zip(grads, self.positions))
        out = out if self.many else out[0]
        return (value, out) if self.with_value else out


def _like(g, x, args):
    g = runtime.like(g, x)
    if isinstance(g, np.ndarray) and any(g is a for a in args):
        g = g.copy()                   # never hand back (an alias of) the caller's own array
    return g


def grad(f, wrt=0):
    """The gradient of the scalar f(*args) with respect to the argument(s) named by wrt."""
    return _Gradient(f, wrt, with_value=False)


def value_and_grad(f, wrt=0):
    """A function returning (f(*args), gradient) from one forward pass."""
    return _Gradient(f, wrt, with_value=True)


def source(f, wrt=0, mode="reverse", args=None, optimize=True):
    """The generated derivative of f as Python source text.

    With `args` (example arguments), the code is specialised as a call with them would be,
    e.g. without shape checks for arguments that are Python floats. optimize=False shows the
    code before the cleanup passes.
    """
    fn = unwrap(f)
    if mode != "reverse":
        raise AdjointError(f"mode={mode!r}: this version generates reverse mode only")
    names, _ = _wrt_names(fn, wrt)
    params = list(inspect.signature(fn).parameters)
    kinds = dict(zip(params, (_is_scalar(a) for a in args))) if args is not None else {}
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
