"""Nested functions, lambdas and functions passed as arguments (tests/test_functions.py)."""
import math

import numpy as np

act = lambda z: np.tanh(z) * 1.5  # noqa: E731   (a module-level lambda)
square = lambda z: z * z  # noqa: E731


# --- nested functions and lambdas ---------------------------------------------------------------

def closure_over_a_differentiated_value(x):
    scale = 2.0 * x + 1.0

    def scaled_sine(y):
        return np.sin(y) * scale
    return scaled_sine(x * x) + scaled_sine(3.0)


def closure_over_parameters(W, b, x):
    def layer(v):
        return np.tanh(W @ v + b)
    return np.sum(layer(layer(x)))


def lambda_bound_to_a_name(x, y):
    soft = lambda t: np.log(1.0 + np.exp(t))  # noqa: E731
    return soft(x * y) + soft(x)


def lambda_called_where_written(x):
    return (lambda t: t * t * x)(x + 1.0)


def nested_calling_nested(x, y):
    shift = x * 0.5

    def inner(t):
        return np.sin(t + shift)

    def outer(t):
        return inner(t) * inner(2.0 * t) + y
    return outer(x) * y


def nested_in_a_loop(xs):
    total = 0.0
    for i in range(len(xs)):
        weight = 1.0 + 0.5 * i

        def term(v):
            return weight * np.cos(v) * v
        total = total + term(xs[i])
    return total


def nested_with_a_default(x):
    def power(t, n=3):
        return t ** n
    return power(x) + power(x, 2)


def recursive_nested(x, n):
    def repeat(y, k):
        if k == 0:
            return y
        return repeat(np.sin(y) * x, k - 1)
    return repeat(x, n)


def variable_assigned_after_the_definition(x):
    def uses_later(t):
        return t * late
    late = np.exp(x)
    return uses_later(x)


def _helper_with_a_closure(x, c):
    def g(t):
        return t * c + np.sin(t)
    return g(x) * g(c)


def calls_a_helper_with_a_closure(x, y):
    return _helper_with_a_closure(x * y, y)


def module_lambdas(x):
    return np.sum(act(x) * square(x))


def nested_with_raise(x):
    def checked(t):
        if t < -100.0:
            raise ValueError("too small")
        return np.exp(t)
    return checked(x) + checked(2.0 * x)


def make_scaled(factor):
    def scaled_loss(x):
        def inner(t):
            return np.sin(t) * factor
        return inner(x) * x
    return scaled_loss


scaled_loss = make_scaled(1.7)


# --- more places for a nested function ---------------------------------------------------------

scale = 10.0


def def_in_a_branch(x, flag):
    if flag > 0:
        def g(t):
            return t * x
        y = g(x)
    else:
        y = x * 2.0
    return y * x


def def_in_a_while_loop_with_break(x):
    s = x
    k = 0
    while True:
        def step(t):
            return np.sin(t) + s * 0.1
        s = step(s)
        k = k + 1
        if k >= 3:
            break
    return s


def shadows_a_global(x):
    scale = x * 0.5

    def scaled(t):
        return t * scale
    return scaled(x)


def returns_a_tuple(x, y):
    def both(t):
        return t * y, np.sin(t)
    a, b = both(x)
    return a * b


def called_with_keywords(x, y):
    def g(t, u=1.0):
        return t * u + x
    return g(u=y, t=x) + g(x)


def lambda_in_a_loop(xs):
    total = 0.0
    for v in xs:
        f = lambda t: t * v  # noqa: E731
        total = total + f(v)
    return total


def nested_two_levels(x):
    def outer(t):
        def inner(u):
            return u * x * t
        return inner(t) + t
    return outer(x)


def nested_reads_param_rebound(x):
    def g(t):
        return t * x
    x = x * 3.0
    return g(2.0)


def raise_in_nested_loop(x):
    def checked(t):
        for i in range(3):
            if t > 1e6:
                raise ValueError("big")
            t = t * 0.5 + np.sin(t)
        return t
    return checked(x)


# --- functions passed as arguments ---------------------------------------------------------------

def rk4(f, y, dt):
    k1 = f(y)
    k2 = f(y + 0.5 * dt * k1)
    k3 = f(y + 0.5 * dt * k2)
    k4 = f(y + dt * k3)
    return y + dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)


def decay(y):
    return -0.5 * y + np.sin(y)


def integrate_with_a_module_function(y0):
    y = y0
    for _ in range(3):
        y = rk4(decay, y, 0.1)
    return np.sum(y * y)


def integrate_with_a_numpy_function(y0):
    return np.sum(rk4(np.tanh, y0, 0.2))


def integrate_with_a_lambda(y0):
    return np.sum(rk4(lambda u: -u * u, y0, 0.1))


def integrate_with_a_nested_function(y0):
    def rhs(u):
        return np.cos(u) - 0.3 * u
    return np.sum(rk4(rhs, y0, 0.1))


def integrate_with_a_math_function(y0):
    return rk4(math.sin, y0, 0.3)


def apply_twice(f, x):
    return f(f(x))


def passes_a_function_along(x):
    return apply_twice(act, x) + apply_twice(square, x)


def two_functions(f, g, x):
    return f(x) * g(x)


def several_function_arguments(x):
    return two_functions(np.sin, decay, x) + two_functions(decay, np.sin, 2.0 * x)


# --- rejected ------------------------------------------------------------------------------------

def returns_a_nested_function(x):
    def inner(t):
        return t * x
    return inner  # BAD returned


def passes_a_closure(y0):
    rate = y0 * 0.5

    def rhs(u):
        return -rate * u + np.sin(u)
    return np.sum(rk4(rhs, y0, 0.1)) + np.sum(apply_twice(lambda t: t * rate, y0))


def passes_two_closures(x, y):
    def f(t):
        return np.sin(t * x)

    def g(t):
        return t * y + x
    return two_functions(f, g, x + y) + two_functions(g, np.cos, x)


def passes_a_closure_to_a_builtin(x):
    def scaled(t):
        return t * x
    return np.sum(np.vectorize(scaled)(np.ones(3)))  # BAD closure to a builtin


def passes_a_closure_on(x):
    def scaled(t):
        return t * x
    return forwards_its_function(scaled, x)


def forwards_its_function(f, x):
    return apply_twice(f, x)  # BAD passed on


def defines_twice(x):
    if x > 0:
        def branch(t):
            return t
    else:
        def branch(t):  # BAD defined twice
            return -t
    return branch(x)


def computed_default(x):
    def inner(t, s=x * 2.0):  # BAD computed default
        return t * s
    return inner(x)


def reassigns_a_nested_function(x):
    def inner(t):  # BAD reassigned
        return t * 2.0
    inner = 3.0
    return x * inner
