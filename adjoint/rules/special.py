"""scipy.special, registered only when SciPy is installed.

Templates name NumPy and adjoint's runtime only: the derivatives of the gamma functions are polygamma
functions, which generated code reaches as rt.polygamma (a call of scipy.special.polygamma), so that it
needs no import of its own.
"""
try:
    import scipy.special as sp
except ImportError:          # SciPy is optional
    sp = None

from .core import defrule, elementwise, lookup, unary

# the functions below, named for the table (which lists them apart: they depend on an optional package)
NAMES = ("erf", "erfc", "erfinv", "ndtr", "log_ndtr", "expit", "logit", "log_expit", "entr", "gammaln", "digamma",
         "polygamma", "xlogy", "xlog1py", "logsumexp", "softmax", "log_softmax")

if sp is not None:
    unary([sp.erf], "2 / np.sqrt(np.pi) * np.exp(-x ** 2)")
    unary([sp.erfc], "-2 / np.sqrt(np.pi) * np.exp(-x ** 2)")
    unary([sp.erfinv], "np.sqrt(np.pi) / 2 * np.exp(z ** 2)")
    unary([sp.ndtr], "np.exp(-x ** 2 / 2) / np.sqrt(2 * np.pi)")
    unary([sp.log_ndtr], "np.exp(-x ** 2 / 2 - z) / np.sqrt(2 * np.pi)")
    unary([sp.expit], "z * (1 - z)")
    unary([sp.logit], "1 / (x * (1 - x))")
    unary([sp.log_expit], "1 - np.exp(z)")
    unary([sp.entr], "-np.log(x) - 1")
    unary([sp.gammaln], "rt.polygamma(0, x)")          # d log Γ(x) = ψ(x)
    unary([sp.digamma], "rt.polygamma(1, x)")          # also sp.psi
    elementwise(sp.polygamma, "n, x", {"x": "rt.polygamma(n + 1, x)"})
    elementwise(sp.xlogy, "x, y", {"x": "np.log(y)", "y": "x / y"})
    elementwise(sp.xlog1py, "x, y", {"x": "np.log1p(y)", "y": "x / (1 + y)"})
    defrule(sp.logsumexp, "a, axis=None, keepdims=False",
            {"a": "rt.unreduce(g, a, axis, keepdims) * np.exp(a - rt.unreduce(z, a, axis, keepdims))"},
            forward={"a": "np.sum(da * np.exp(a - rt.unreduce(z, a, axis, keepdims)), axis=axis, keepdims=keepdims)"})
    defrule(sp.softmax, "x, axis=None", {"x": "z * (g - np.sum(g * z, axis=axis, keepdims=True))"},
            forward={"x": "z * (dx - np.sum(dx * z, axis=axis, keepdims=True))"})
    defrule(sp.log_softmax, "x, axis=None", {"x": "g - np.exp(z) * np.sum(g, axis=axis, keepdims=True)"},
            forward={"x": "dx - np.sum(np.exp(z) * dx, axis=axis, keepdims=True)"})

if sp is not None:
    for _name in NAMES:
        lookup(getattr(sp, _name)).name = f"scipy.special.{_name}"
