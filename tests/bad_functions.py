"""Functions the compiler must reject; each offending line ends with a `# BAD <name>` marker.

The error tests find the expected line number by searching this file for the marker,
so lines can move freely.
"""

import math

import numpy as np


def uses_try(x):
    try:  # BAD try
        y = x * 2.0
    except ValueError:
        y = x
    return y


def stores_a_lambda(x):
    scale = lambda t: t * 2.0  # noqa: E731
    functions = [x, scale]  # BAD lambda stored in a list
    return functions[0] * x


COUNTER = 0


def uses_global(x):
    global COUNTER  # BAD global
    COUNTER = COUNTER + 1
    return x * 2.0


class Box:
    pass


def appends_to_a_list_an_object_holds(x):
    box = Box()
    box.items = []
    box.items.append(x)  # BAD attribute
    return box.items[0] * 2.0


def uses_yield(x):
    y = x * 3.0
    yield y * 2.0  # BAD yield


def calls_unsupported_helper(x):
    return uses_try(x) + 1.0


# a callable with no Python source and (presumably) no registered derivative rule
erf_ufunc = np.frompyfunc(math.erf, 1, 1)


def calls_opaque_ufunc(x):
    return erf_ufunc(x) * 2.0


def opaque_call_on_constant(x):
    return erf_ufunc(0.5) * x


def vector_output(x):
    return x * 2.0
