"""The rest of NumPy: functions whose result carries no derivative, and functions adjoint does not
differentiate (with what to write instead). Together with the rules and the definitions, these
classify every public function of `numpy`, `numpy.linalg` and `numpy.fft`; tests/test_numpy_audit.py
checks that against the installed NumPy, so a function NumPy adds later shows up as unclassified.
"""
import numpy as np

from .core import nondifferentiable, unsupported


def _numpy(*names, module=np):
    """The functions of `module` with these names that this NumPy has."""
    return [getattr(module, name) for name in names if hasattr(module, name)]


# Integer-valued, boolean-valued or piecewise constant: the result carries no derivative.
nondifferentiable(*_numpy(
    # positions, counts and indices
    "argpartition", "nanargmax", "nanargmin", "lexsort", "ravel_multi_index", "unravel_index", "mask_indices",
    "diag_indices_from", "tril_indices_from", "triu_indices_from", "ix_", "histogram_bin_edges",
    # tests, comparisons and predicates
    "array_equal", "array_equiv", "allclose", "isclose", "isin", "isneginf", "isposinf", "isnat", "isreal",
    "iscomplexobj", "isrealobj", "isfortran", "iterable", "may_share_memory", "shares_memory", "not_equal",
    "signbit", "heaviside", "logical_xor", "is_busday",
    # integers and bits
    "gcd", "lcm", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_invert", "bitwise_count",
    "bitwise_left_shift", "bitwise_right_shift", "left_shift", "right_shift", "invert", "packbits", "unpackbits",
    "spacing", "busday_count", "busday_offset",
    # set operations (the convention: their values are not differentiated)
    "intersect1d", "union1d", "setdiff1d", "setxor1d", "unique_all", "unique_counts", "unique_inverse",
    "unique_values",
    # windows and constructors from sizes
    "bartlett", "blackman", "hamming", "hanning", "tri", "eye", "identity",
    # dtypes, printing, configuration
    "can_cast", "common_type", "min_scalar_type", "mintypecode", "promote_types", "result_type", "isdtype",
    "issubdtype", "typename", "array2string", "array_repr", "array_str", "base_repr", "binary_repr",
    "format_float_positional", "format_float_scientific", "datetime_as_string", "datetime_data",
    "get_printoptions", "set_printoptions", "printoptions", "getbufsize", "setbufsize", "geterr", "seterr",
    "geterrcall", "seterrcall", "get_include", "info", "show_config", "show_runtime", "test", "einsum_path",
    "nested_iters",
    # reading and writing files and buffers
    "load", "loadtxt", "save", "savetxt", "savez", "savez_compressed", "genfromtxt", "fromfile", "frombuffer",
    "fromstring", "fromregex", "fromiter",
))
nondifferentiable(*_numpy("matrix_rank", "test", module=np.linalg))
nondifferentiable(*_numpy("fftfreq", "rfftfreq", "test", module=np.fft))

# Writes into an argument that the writes pass lowers to array writes (writes.py), which are differentiated.
WRITES = tuple(_numpy("copyto", "fill_diagonal"))

# Functions with a derivative that adjoint does not give, and what to write instead.
_TAKES_A_FUNCTION = "it calls a Python function given as an argument: write the loop or the expression " \
                    "(adjoint differentiates loops and helpers)"
unsupported(_numpy("apply_along_axis", "apply_over_axes", "piecewise", "frompyfunc", "fromfunction"),
            _TAKES_A_FUNCTION)
unsupported(_numpy("asmatrix", "bmat"), "np.matrix is not differentiated: use 2-D arrays and `@`")
unsupported(_numpy("histogram", "histogram2d", "histogramdd"),
            "its counts are piecewise constant; for weighted counts write "
            "`np.bincount(np.digitize(a, bins) - 1, weights=w)`, which adjoint differentiates in w")
unsupported(_numpy("kaiser"), "the window's derivative in beta is not implemented")
unsupported(_numpy("from_dlpack"), "it reads an array of another library: convert it with np.asarray first")
unsupported(_numpy("put", "putmask", "place", "put_along_axis"),
            "it writes into its argument: write `y[index] = v` (adjoint differentiates array writes)")
