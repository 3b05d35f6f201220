"""Gradient checks: compare adjoint's gradients with central finite differences.

Complex arguments are perturbed along their real and imaginary parts separately; their gradient is
dL/dx + i dL/dy (adjoint's convention) and their tangents are complex.
"""

import copy
import inspect

import numpy as np

from . import runtime, trees

__all__ = ["numerical_grad", "numerical_jacobian", "check_grads", "check_jvp", "check_modes"]


def _positions(f, wrt):
    """Return (argument positions, whether wrt was a tuple) for wrt given as int, str or tuple."""
    many = isinstance(wrt, (tuple, list))
    names = None
    positions = []
    for item in tuple(wrt) if many else (wrt,):
        if isinstance(item, str):
            if names is None:
                names = list(inspect.signature(f).parameters)
            positions.append(names.index(item))
        else:
            positions.append(int(item))
    return tuple(positions), many


def _leaves(x):
    """List float64 (complex128 for complex values) copies of the numbers/arrays inside x (nested
    lists, tuples, dicts)."""
    if runtime.is_object(x):            # its differentiable attributes (a gradient's None: none)
        return [leaf for v in runtime.attributes(x).values() if runtime.differentiable(v) for leaf in _leaves(v)]
    if isinstance(x, (list, tuple)):
        return [leaf for item in x for leaf in _leaves(item)]
    if isinstance(x, dict):
        return [leaf for key in x for leaf in _leaves(x[key])]
    return [np.array(x, dtype=np.complex128 if np.iscomplexobj(x) else np.float64)]


def _rebuild(template, leaves):
    """Rebuild template's nesting from an iterator of arrays; numbers come back as float."""
    if runtime.is_object(template):
        return trees.replaced(template, {name: _rebuild(v, leaves) for name, v in runtime.attributes(template).items()
                                         if runtime.differentiable(v)})
    if isinstance(template, (list, tuple)):
        return type(template)(_rebuild(item, leaves) for item in template)
    if isinstance(template, dict):
        return {key: _rebuild(value, leaves) for key, value in template.items()}
    leaf = next(leaves)
    if isinstance(template, np.ndarray):
        return leaf
    return complex(leaf) if np.iscomplexobj(template) else float(leaf)


def _moved(args, positions, steps):
    """Return a new argument list with args[p] moved leafwise by steps[i] (a list of arrays), the
    others copied (a function may store into its arguments, as Python allows)."""
    new = list(copy.deepcopy(args))
    for p, step in zip(positions, steps):
        new[p] = _rebuild(args[p], iter([a + s for a, s in zip(_leaves(args[p]), step)]))
    return new


def _scalar(value):
    """Convert f's output to a Python float, requiring exactly one real element."""
    array = np.asarray(value)
    if array.size != 1:
        raise AssertionError(f"function output has shape {array.shape}; expected a scalar")
    if np.iscomplexobj(array) and array.imag.any():
        raise AssertionError(f"function output {array.reshape(())!r} is complex; expected a real-valued loss")
    return float(np.real(array).reshape(()))


def _units(leaf):
    """The directions to perturb a leaf along: 1 for a real one, 1 and i for a complex one."""
    return (1.0, 1j) if np.iscomplexobj(leaf) else (1.0,)


def numerical_grad(f, args, wrt=0, eps=1e-6):
    """Central-difference gradient of scalar f(*args), structured like adjoint.grad's result."""
    positions, many = _positions(f, wrt)
    grads = []
    for p in positions:
        leaves = _leaves(args[p])
        partials = []
        for k, leaf in enumerate(leaves):
            partial = np.zeros_like(leaf)
            for index in np.ndindex(leaf.shape):
                for unit in _units(leaf):        # dL/dx + i dL/dy for a complex leaf
                    step = [np.zeros_like(other) for other in leaves]
                    step[k][index] = eps * unit
                    up = _scalar(f(*_moved(args, [p], [step])))
                    step[k][index] = -eps * unit
                    down = _scalar(f(*_moved(args, [p], [step])))
                    partial[index] += unit * (up - down) / (2 * eps)
            partials.append(partial)
        grads.append(runtime.like(_rebuild(args[p], iter(partials)), args[p]))    # (an object's: its gradient's form)
    return tuple(grads) if many else grads[0]


def _show(x):
    """Format a number or array compactly for failure messages, continuation lines indented."""
    text = np.array2string(np.asarray(x), precision=8, threshold=30, max_line_width=100)
    return text.replace("\n", "\n" + " " * 14)


def _compare(path, got, want, rtol, atol):
    """List readable mismatches between gradient got and reference want (same nesting expected)."""
    if want is None or runtime.is_object(want):       # a field with no derivative; a gradient object
        if type(got) is not type(want):
            return [f"{path}: expected {type(want).__name__}, got {got!r}"]
        if want is None:
            return []
        return [msg for key, value in runtime.attributes(want).items()
                for msg in _compare(f"{path}.{key}", getattr(got, key), value, rtol, atol)]
    if isinstance(want, (list, tuple, dict)):
        if type(got) is not type(want) or len(got) != len(want):
            return [f"{path}: expected {type(want).__name__} of length {len(want)}, got {got!r}"]
        keys = list(want) if isinstance(want, dict) else range(len(want))
        return [msg for key in keys for msg in _compare(f"{path}[{key!r}]", got[key], want[key], rtol, atol)]
    if isinstance(want, np.ndarray):
        if not isinstance(got, np.ndarray):
            return [f"{path}: expected ndarray of shape {want.shape}, got {type(got).__name__}: {got!r}"]
        if got.shape != want.shape:
            return [f"{path}: expected shape {want.shape}, got shape {got.shape}"]
    elif isinstance(want, (complex, np.complexfloating)):
        if not isinstance(got, (complex, np.complexfloating)):
            return [f"{path}: expected complex, got {type(got).__name__}: {got!r}"]
    elif not isinstance(got, (float, int, np.floating, np.integer)) or isinstance(got, bool):
        return [f"{path}: expected float, got {type(got).__name__}: {got!r}"]
    dtype = np.complex128 if np.iscomplexobj(got) or np.iscomplexobj(want) else np.float64
    got_a, want_a = np.asarray(got, dtype=dtype), np.asarray(want, dtype=dtype)
    bad = ~np.isclose(got_a, want_a, rtol=rtol, atol=atol)
    if not bad.any():
        return []
    error = np.abs(got_a - want_a)
    worst = tuple(int(i) for i in np.unravel_index(np.argmax(np.where(bad, error, -1.0)), error.shape))
    return [
        f"{path}: {int(bad.sum())} of {bad.size} entries differ (rtol={rtol}, atol={atol}); "
        f"worst at index {worst}: got {got_a[worst].item()!r}, expected {want_a[worst].item()!r}\n"
        f"    got:      {_show(got_a)}\n    expected: {_show(want_a)}"
    ]


def _unchanged(path, now, before):
    """List differences between an argument after the call and its copy taken before."""
    if isinstance(before, (list, tuple)):
        if type(now) is not type(before) or len(now) != len(before):
            return [f"{path}: container was modified"]
        return [msg for i, (a, b) in enumerate(zip(now, before)) for msg in _unchanged(f"{path}[{i}]", a, b)]
    if isinstance(before, dict):
        if list(now) != list(before):
            return [f"{path}: dict keys were modified"]
        return [msg for key in before for msg in _unchanged(f"{path}[{key!r}]", now[key], before[key])]
    if isinstance(before, np.ndarray):
        if now.shape != before.shape or now.dtype != before.dtype or not np.array_equal(now, before, equal_nan=True):
            return [f"{path}: array was modified in place\n    before: {_show(before)}\n    after:  {_show(now)}"]
        return []
    if hasattr(before, "__dict__") and type(now) is type(before) and not inspect.isroutine(before) \
            and not isinstance(before, type):
        return [msg for key in vars(before) for msg in _unchanged(f"{path}.{key}", getattr(now, key, None),
                                                                  vars(before)[key])]     # an object's fields
    return [] if now == before else [f"{path}: changed from {before!r} to {now!r}"]


def check_grads(f, *args, wrt=0, rtol=1e-5, atol=1e-7, eps=1e-6, seed=0):
    """Assert adjoint.grad(f, wrt)(*args) matches finite differences, value_and_grad and leaves args intact."""
    import adjoint

    name = getattr(f, "__name__", repr(f))
    saved = copy.deepcopy(args)
    expected_value = _scalar(f(*copy.deepcopy(args)))
    problems = []

    grad = adjoint.grad(f, wrt=wrt)(*args)
    problems += _unchanged("argument", list(args), list(saved))
    value, grad_too = adjoint.value_and_grad(f, wrt=wrt)(*args)
    problems += _unchanged("argument (value_and_grad)", list(args), list(saved))
    if not np.isclose(_scalar(value), expected_value, rtol=1e-12, atol=1e-300):
        problems.append(f"value_and_grad value {value!r} != f(*args) = {expected_value!r}")

    reference = numerical_grad(f, saved, wrt, eps)
    problems += _compare("grad", grad, reference, rtol, atol)
    problems += _compare("value_and_grad's grad vs grad", grad_too, grad, 1e-10, 1e-12)
    if all(type(a) in (float, int) for a in args) and not isinstance(wrt, (tuple, list)):
        problems += _compare("reverse mode's grad vs grad", _reverse_mode_grad(f, args, wrt), grad, 1e-10, 1e-12)

    if not problems:
        problems += _directional(f, saved, wrt, grad, eps, rtol, atol, seed)
    if problems:
        raise AssertionError(f"check_grads({name}, wrt={wrt!r}) failed:\n  " + "\n  ".join(problems))
    return grad


def _reverse_mode_grad(f, args, wrt):
    """The gradient by reverse mode (grad of one Python number runs forward mode: both are checked)."""
    import adjoint
    from adjoint import api

    api.FORWARD_FOR_ONE_NUMBER[0] = False
    try:
        return adjoint.grad(f, wrt=wrt)(*copy.deepcopy(args))
    finally:
        api.FORWARD_FOR_ONE_NUMBER[0] = True


def _random_like(rng, leaf):
    """A standard normal array shaped like leaf, complex for a complex leaf."""
    if np.iscomplexobj(leaf):
        return rng.standard_normal(leaf.shape) + 1j * rng.standard_normal(leaf.shape)
    return rng.standard_normal(leaf.shape)


def _directional(f, args, wrt, grad, eps, rtol, atol, seed):
    """Compare <grad, u> = Re(sum(conj(grad) u)) for a random unit direction u with a central
    difference along u."""
    positions, many = _positions(f, wrt)
    rng = np.random.default_rng(seed)
    direction = [[_random_like(rng, leaf) for leaf in _leaves(args[p])] for p in positions]
    norm = np.sqrt(sum(np.sum(np.abs(u) ** 2) for step in direction for u in step)) or 1.0
    direction = [[u / norm for u in step] for step in direction]
    grad_leaves = [g for part in (grad if many else (grad,)) for g in _leaves(part)]
    products = [np.real(np.conj(g) * u) for g, u in zip(grad_leaves, [u for step in direction for u in step])]
    slope = sum(float(np.sum(p)) for p in products)
    up = _scalar(f(*_moved(args, positions, [[eps * u for u in step] for step in direction])))
    down = _scalar(f(*_moved(args, positions, [[-eps * u for u in step] for step in direction])))
    finite = (up - down) / (2 * eps)
    scale = max(abs(finite), sum(float(np.sum(np.abs(p))) for p in products))
    if abs(slope - finite) > atol + rtol * scale:
        return [f"directional derivative: <grad, u> = {slope!r}, finite difference = {finite!r} (seed={seed})"]
    return []


# --- forward mode -----------------------------------------------------------------------------


def _carries_tangent(x):
    """True for arguments that carry a tangent: real or complex numbers and arrays, and containers
    of them."""
    if runtime.is_object(x):
        return runtime.differentiable(x)
    if isinstance(x, (list, tuple)):
        return len(x) > 0 and all(_carries_tangent(item) for item in x)
    if isinstance(x, dict):
        return len(x) > 0 and all(_carries_tangent(item) for item in x.values())
    if isinstance(x, (bool, np.bool_, int, np.integer)):
        return False
    return np.issubdtype(np.asarray(x).dtype, np.inexact)


def _as_output(value):
    """f's output (number, array, or tuple/list of them) as one flat float64 array."""
    return np.concatenate([leaf.ravel() for leaf in _leaves(value)]) if _leaves(value) else np.zeros(0)


def check_jvp(f, *args, rtol=1e-5, atol=1e-7, eps=1e-6, seed=0):
    """Assert adjoint.jvp(f) along a random tangent matches finite differences and, for a real scalar
    output, <adjoint.grad(f, wrt=every float argument), tangent>. Int arguments get tangent 0.0;
    complex arguments get complex tangents. Returns (out, tangent_out)."""
    import adjoint

    name = getattr(f, "__name__", repr(f))
    rng = np.random.default_rng(seed)
    saved = copy.deepcopy(args)
    real = [p for p, a in enumerate(args) if _carries_tangent(a)]
    tangents = [_rebuild(a, iter([_random_like(rng, leaf) for leaf in _leaves(a)])) if p in real else 0.0
                for p, a in enumerate(args)]
    steps = [_leaves(tangents[p]) for p in real]
    problems = []

    out, tangent = adjoint.jvp(f, args, tuple(tangents))
    problems += _unchanged("argument", list(args), list(saved))
    expected = f(*copy.deepcopy(saved))
    problems += _compare("jvp value vs f(*args)", _as_output(out), _as_output(expected), 1e-10, 1e-12)
    if np.shape(tangent) != np.shape(expected):
        problems.append(f"tangent_out has shape {np.shape(tangent)}, output has shape {np.shape(expected)}")

    up = _as_output(f(*_moved(saved, real, [[eps * s for s in step] for step in steps])))
    down = _as_output(f(*_moved(saved, real, [[-eps * s for s in step] for step in steps])))
    finite = (up - down) / (2 * eps)
    problems += _compare("jvp tangent vs finite difference", _as_output(tangent), finite, rtol, atol)

    if real and np.size(expected) == 1 and not np.iscomplexobj(expected):
        grads = adjoint.grad(f, wrt=tuple(real))(*saved)
        products = [float(np.sum(np.real(np.conj(g) * s))) for p, grad in zip(real, grads)
                    for g, s in zip(_leaves(grad), _leaves(tangents[p]))]
        slope, scale = sum(products), sum(abs(v) for v in products)
        if abs(float(_scalar(tangent)) - slope) > atol + 1e-9 * scale:
            problems.append(f"jvp tangent {float(_scalar(tangent))!r} != <grad, tangent> = {slope!r}")
    if problems:
        raise AssertionError(f"check_jvp({name}) failed (seed={seed}):\n  " + "\n  ".join(problems))
    return out, tangent


def check_modes(f, *args, wrt=0, rtol=1e-10, atol=1e-12):
    """Assert jacobian(f, wrt, mode='forward') equals mode='reverse' (values and shapes); return it."""
    import adjoint

    forward = adjoint.jacobian(f, wrt=wrt, mode="forward")(*args)
    reverse = adjoint.jacobian(f, wrt=wrt, mode="reverse")(*args)
    out_shape = np.shape(f(*copy.deepcopy(args)))
    positions, many = _positions(f, wrt)
    want_shapes = [out_shape + np.shape(args[p]) for p in positions]
    problems = [f"{mode} jacobian[{k}] has shape {np.shape(j)}, expected {s}"
                for mode, js in (("forward", forward), ("reverse", reverse))
                for k, (j, s) in enumerate(zip(js if many else (js,), want_shapes)) if np.shape(j) != s]
    if not problems:
        problems = _compare("forward vs reverse jacobian", forward if many else np.asarray(forward),
                            reverse if many else np.asarray(reverse), rtol, atol)
    if problems:
        raise AssertionError(f"check_modes({getattr(f, '__name__', f)}, wrt={wrt!r}) failed:\n  " + "\n  ".join(problems))
    return forward


def numerical_jacobian(f, args, wrt=0, eps=1e-6):
    """Central-difference Jacobian of f(*args) (numbers/arrays in and out): shape out.shape + arg.shape,
    a tuple of them for a tuple wrt."""
    positions, many = _positions(f, wrt)
    out_shape = np.shape(f(*copy.deepcopy(args)))
    result = []
    for p in positions:
        arg = np.asarray(args[p], dtype=np.float64)
        columns = []
        for index in np.ndindex(arg.shape):
            step = np.zeros(arg.shape)
            step[index] = eps
            up = np.asarray(f(*_moved(args, [p], [[step]])), dtype=np.float64)
            down = np.asarray(f(*_moved(args, [p], [[-step]])), dtype=np.float64)
            columns.append((up - down) / (2 * eps))
        stacked = np.stack(columns, axis=-1) if columns else np.zeros(out_shape + (0,))
        result.append(stacked.reshape(out_shape + arg.shape))
    return tuple(result) if many else result[0]


def check_derivatives(f, *args, wrt=0, rtol=1e-5, atol=1e-7):
    """Check f's derivatives in every mode against central differences: the gradient (check_grads), the
    jvp (check_jvp), the Hessian (forward over reverse) against differences of the gradient, and, for a
    number, grad of grad. The array arguments are made read-only for the derivative calls, so a
    derivative that writes into the caller's data, even for a moment, fails."""
    import adjoint

    check_grads(f, *args, wrt=wrt, rtol=rtol, atol=atol)
    check_jvp(f, *args, rtol=rtol, atol=atol)
    gradient = adjoint.grad(f, wrt=wrt)
    expected = numerical_jacobian(lambda *a: np.asarray(gradient(*a), dtype=float), args, wrt=wrt, eps=1e-5)
    frozen = _read_only(args)
    np.testing.assert_allclose(adjoint.hessian(f, wrt=wrt)(*frozen), expected, rtol=rtol, atol=atol)
    if np.ndim(args[wrt]) == 0:
        second = adjoint.grad(gradient, wrt=wrt)(*frozen)
        np.testing.assert_allclose(second, expected, rtol=rtol, atol=atol)
    adjoint.grad(f, wrt=wrt)(*frozen)
    if all(isinstance(a, (float, np.ndarray)) for a in frozen):
        adjoint.jvp(f, frozen, tuple(np.ones(np.shape(a)) if isinstance(a, np.ndarray) else 1.0 for a in frozen))


def _read_only(args):
    """Copies of the arguments whose arrays cannot be written into."""
    out = []
    for arg in args:
        if isinstance(arg, np.ndarray):
            arg = arg.copy()
            arg.flags.writeable = False
        out.append(arg)
    return tuple(out)
