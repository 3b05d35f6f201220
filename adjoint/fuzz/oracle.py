"""Check one program in every mode that applies against float64 central differences.

Outcomes per mode:
  ok            value and derivative agree with the plain function and finite differences
  wrong         a value, derivative or shape disagrees, and no error was raised
  crash         calling the derivative raised
  compile-fail  compiling raised something other than a rejection (an internal error)
  rejected      compiling raised UnsupportedSyntax or NonDifferentiable: adjoint refused honestly
  timeout       the mode did not finish in time
  skipped       finite differences at two step sizes disagree (a kink or branch switch is near)
"""
import atexit
import copy
import importlib.util
import itertools
import os
import pathlib
import shutil
import signal
import tempfile
import traceback
import warnings
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

import adjoint
from adjoint import api, floats, runtime, trees

from .generate import literal

MODES = ("reverse", "forward", "grad-of-grad", "hessian")
FAILURES = ("wrong", "crash", "compile-fail", "timeout")
VALUE_TOL = 1e-9                    # relative: adjoint may reorder the same arithmetic
FIRST_STEPS, FIRST_TOL = (1e-5, 1e-6), 1e-5
SECOND_STEPS, SECOND_TOL = (1e-3, 3e-4), 1e-4


@dataclass
class Result:
    mode: str
    outcome: str
    detail: str = ""                # expected vs got, or the exception's text
    error: str = ""                 # exception type and first line, for signatures


class OutOfDomain(Exception):
    """A finite-difference step took the plain function somewhere it fails: not a verdict."""


class Timeout(BaseException):
    """Raised by the alarm; a BaseException so that `except Exception` in the code under test
    does not swallow it."""


@contextmanager
def deadline(seconds):
    """Raise Timeout after `seconds` (main thread only: elsewhere there is no alarm)."""
    def ring(signum, frame):
        raise Timeout()
    try:
        previous = signal.signal(signal.SIGALRM, ring)
    except ValueError:                      # not the main thread
        yield
        return
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# --- programs as files -------------------------------------------------------------------------
def render(program, header=""):
    """The program as a module a test can import: its functions, then ARGS, TANGENTS and MODES."""
    return (header + program.source.rstrip() + "\n\n\n"
            f"ARGS = {literal(tuple(program.args))}\n"
            f"TANGENTS = {literal(tuple(program.tangents))}\n"
            f"MODES = {program.modes!r}\n")


_FILES = itertools.count()


def _directory():
    """One temporary folder per process for program files, removed at exit."""
    global _DIRECTORY
    if _DIRECTORY is None:
        _DIRECTORY = pathlib.Path(tempfile.mkdtemp(prefix="adjoint_fuzz_"))
        atexit.register(shutil.rmtree, _DIRECTORY, True)
    return _DIRECTORY


_DIRECTORY = None


def load(program):
    """Write the program to a fresh .py file (adjoint reads source with inspect) and import it."""
    path = _directory() / f"fuzz_{os.getpid()}_{next(_FILES)}.py"
    path.write_text(render(program))
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    with warnings.catch_warnings():             # shrunk programs may index a float, say
        warnings.simplefilter("ignore", SyntaxWarning)
        spec.loader.exec_module(module)
    return module


# --- flattening arguments, so that differences and comparisons work on one vector -----------------
def flatten(template, value=None):
    """The numbers of `value` (default: template) in the order of template's structure, as a vector.
    Raises ValueError if value's structure differs from template's."""
    value = template if value is None else value
    if runtime.is_object(template):         # its differentiable fields (the gradient: an object of its class)
        if type(value) is not type(template):
            raise ValueError(f"expected a {type(template).__name__}, got {type(value).__name__}")
        return np.concatenate([flatten(v, getattr(value, k)) for k, v in runtime.attributes(template).items()
                               if runtime.differentiable(v)])
    if isinstance(template, dict):
        if not isinstance(value, dict) or set(value) != set(template):
            raise ValueError(f"expected a dict with keys {sorted(template)}, got {type(value).__name__}")
        return np.concatenate([flatten(template[k], value[k]) for k in template])
    if isinstance(template, (list, tuple)):
        if not isinstance(value, (list, tuple)) or len(value) != len(template):
            raise ValueError(f"expected a sequence of {len(template)}, got {type(value).__name__}")
        return np.concatenate([flatten(t, v) for t, v in zip(template, value)])
    if np.shape(value) != np.shape(template):
        raise ValueError(f"expected shape {np.shape(template)}, got {np.shape(value)}")
    return np.array(value, dtype=float).ravel()


def unflatten(template, vector):
    """template's structure filled from vector (floats stay floats)."""
    position = [0]

    def take(t):
        if runtime.is_object(t):
            return trees.replaced(t, {k: take(v) for k, v in runtime.attributes(t).items()
                                      if runtime.differentiable(v)})
        if isinstance(t, dict):
            return {k: take(v) for k, v in t.items()}
        if isinstance(t, (list, tuple)):
            return type(t)(take(v) for v in t)
        size = int(np.size(t))
        chunk = vector[position[0]:position[0] + size]
        position[0] += size
        return np.array(chunk).reshape(np.shape(t)) if isinstance(t, np.ndarray) else float(chunk[0])
    return take(template)


def call(f, args):
    """f on a deep copy of args: a program may mutate its arguments (aliasing), as Python allows."""
    with np.errstate(all="raise"):
        return f(*copy.deepcopy(args))


def restricted(f, args, positions):
    """F(vector) = f with the arguments at `positions` taken from one flat vector."""
    templates = [args[p] for p in positions]
    sizes = [flatten(t).size for t in templates]

    def F(vector):
        new = list(args)
        for p, t, start, size in zip(positions, templates, np.cumsum([0] + sizes), sizes):
            new[p] = unflatten(t, vector[start:start + size])
        try:
            return float(call(f, new))
        except Exception as exc:                # noqa: BLE001 (math domain, overflow, ...)
            raise OutOfDomain(str(exc)) from exc
    return F, np.concatenate([flatten(t) for t in templates])


# --- finite differences ------------------------------------------------------------------------
def first_differences(F, x, direction=None):
    """Central differences of F at x, at each step size: per coordinate, or along `direction`."""
    estimates = []
    for rel in FIRST_STEPS:
        if direction is not None:
            h = rel * max(1.0, float(np.max(np.abs(x))))
            estimates.append(np.array([(F(x + h * direction) - F(x - h * direction)) / (2 * h)]))
            continue
        g = np.zeros(x.size)
        for i in range(x.size):
            h = rel * max(1.0, abs(x[i]))
            e = np.zeros(x.size)
            e[i] = h
            g[i] = (F(x + e) - F(x - e)) / (2 * h)
        estimates.append(g)
    return estimates


def second_differences(F, x):
    """The Hessian of F at x by second differences, at each step size."""
    estimates = []
    for rel in SECOND_STEPS:
        n = x.size
        h = np.array([rel * max(1.0, abs(v)) for v in x])
        H = np.zeros((n, n))
        centre = F(x)
        for i, j in itertools.product(range(n), repeat=2):
            if j < i:
                H[i, j] = H[j, i]
                continue
            ei, ej = np.zeros(n), np.zeros(n)
            ei[i], ej[j] = h[i], h[j]
            if i == j:
                H[i, i] = (F(x + ei) - 2 * centre + F(x - ei)) / h[i] ** 2
            else:
                H[i, j] = (F(x + ei + ej) - F(x + ei - ej) - F(x - ei + ej) + F(x - ei - ej)) / (4 * h[i] * h[j])
        estimates.append(H)
    return estimates


def judge(mode, got, estimates, tolerance, scale_from=0.0):
    """ok / wrong / skipped for a derivative `got` against finite-difference estimates."""
    fine, coarse = estimates[-1], estimates[0]
    scale = max(1.0, abs(scale_from), float(np.max(np.abs(coarse), initial=0.0)))
    if not np.allclose(fine, coarse, rtol=0, atol=tolerance * scale):
        return Result(mode, "skipped", "finite differences disagree between step sizes")
    if np.iscomplexobj(got) and np.any(np.imag(got)):
        return Result(mode, "wrong", f"derivative: complex for real arguments: {got!r}")
    got = np.asarray(np.real(got), dtype=float)
    if got.shape != coarse.shape or not np.allclose(got, coarse, rtol=0, atol=10 * tolerance * scale):
        return Result(mode, "wrong", f"derivative: expected {_show(coarse)}, got {_show(got)}")
    return Result(mode, "ok")


def _show(x):
    return np.array2string(np.asarray(x, dtype=float), precision=6, separator=", ").replace("\n", "")


def same_value(mode, got, expected):
    try:
        got = float(got)
    except (TypeError, ValueError):
        return Result(mode, "wrong", f"value: expected {expected!r}, got {got!r}")
    if not abs(got - expected) <= VALUE_TOL * max(1.0, abs(expected)):
        return Result(mode, "wrong", f"value: expected {expected!r}, got {got!r}")
    return None


# --- the modes ---------------------------------------------------------------------------------
def frozen(args):
    """A deep copy of the arguments whose arrays are read-only: a derivative that writes into the
    caller's data (even for a moment) crashes instead of passing."""
    args = copy.deepcopy(args)
    stack = [args]
    while stack:
        item = stack.pop()
        if isinstance(item, np.ndarray):
            item.flags.writeable = False
        elif runtime.is_object(item):
            stack.extend(runtime.attributes(item).values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
    return args


def check_reverse(f, program, value, judging=True):
    wrt = program.modes["reverse"]
    got_value, grads = adjoint.value_and_grad(f, wrt=wrt)(*frozen(program.args))
    if not judging:
        return Result("reverse", "ok", "not judged")
    mismatch = same_value("reverse", got_value, value)
    if mismatch:
        return mismatch
    F, x = restricted(f, program.args, wrt)
    try:
        got = flatten(tuple(program.args[p] for p in wrt), grads)
        # grad runs other code: without what only computes the value, when the value is a number
        alone = flatten(tuple(program.args[p] for p in wrt), adjoint.grad(f, wrt=wrt)(*frozen(program.args)))
    except ValueError as exc:
        return Result("reverse", "wrong", f"gradient structure: {exc}")
    if not np.allclose(alone, got, rtol=1e-12, atol=1e-300, equal_nan=True):
        return Result("reverse", "wrong", f"grad gives {alone}, value_and_grad's gradient is {got}")
    plain = unspecialised_gradient(f, program, wrt)
    if plain is not None and not np.allclose(got, plain, rtol=1e-8, atol=1e-10 * max(1.0, np.max(np.abs(plain))),
                                              equal_nan=True):
        return Result("reverse", "wrong", f"the code run for numbers gives {got}, the unspecialised reverse-mode code {plain}")
    return judge("reverse", got, first_differences(F, x), FIRST_TOL, value)


def unspecialised_gradient(f, program, wrt):
    """For arguments that are all Python numbers (which get code compiled for them, adjoint/floats.py,
    and for one differentiated number forward mode): the gradient of the reverse-mode code compiled
    for NumPy's scalars, or None."""
    if not all(type(a) in (float, int) for a in program.args):
        return None
    floats.ENABLED[0] = api.FORWARD_FOR_ONE_NUMBER[0] = False     # (and by reverse mode, for one number)
    try:
        grads = adjoint.grad(f, wrt=wrt)(*frozen(program.args))
        return flatten(tuple(program.args[p] for p in wrt), grads)
    except Exception:           # (judged against differences already)
        return None
    finally:
        floats.ENABLED[0] = api.FORWARD_FOR_ONE_NUMBER[0] = True


def check_forward(f, program, value, judging=True):
    positions = tuple(range(len(program.args)))
    got_value, tangent = adjoint.jvp(f, frozen(program.args), frozen(program.tangents))
    if not judging:
        return Result("forward", "ok", "not judged")
    mismatch = same_value("forward", got_value, value)
    if mismatch:
        return mismatch
    F, x = restricted(f, program.args, positions)
    direction = flatten(tuple(program.tangents))
    return judge("forward", np.reshape(tangent, (1,)) if np.size(tangent) == 1 else tangent,
                 first_differences(F, x, direction), FIRST_TOL, value)


def check_grad_of_grad(f, program, value, judging=True):
    i, j = program.modes["grad-of-grad"]
    got = adjoint.grad(adjoint.grad(f, wrt=i), wrt=j)(*frozen(program.args))
    if not judging:
        return Result("grad-of-grad", "ok", "not judged")
    F, x = restricted(f, program.args, tuple(range(len(program.args))))
    estimates = [np.array([H[j, i]]) for H in second_differences(F, x)]
    return judge("grad-of-grad", np.reshape(np.asarray(got), (-1,)), estimates, SECOND_TOL, value)


def check_hessian(f, program, value, judging=True):
    k = program.modes["hessian"]
    got = np.asarray(adjoint.hessian(f, wrt=k)(*frozen(program.args)))
    if not judging:
        return Result("hessian", "ok", "not judged")
    shape = np.shape(program.args[k])
    if got.shape != shape + shape:
        return Result("hessian", "wrong", f"shape: expected {shape + shape}, got {got.shape}")
    F, x = restricted(f, program.args, (k,))
    return judge("hessian", got.reshape(x.size, x.size), second_differences(F, x), SECOND_TOL, value)


CHECKS = {"reverse": check_reverse, "forward": check_forward, "grad-of-grad": check_grad_of_grad,
          "hessian": check_hessian}


def classify(mode, exc):
    """crash, compile-fail or rejected: compiling happens inside adjoint/driver.py's builders."""
    message = getattr(exc, "reason", None) or (str(exc).strip().splitlines() or [""])[0]
    text = f"{type(exc).__name__}: {message}"
    ours = "<adjoint " in str(exc)             # a refusal of adjoint's own generated code is a bug
    if isinstance(exc, (adjoint.UnsupportedSyntax, adjoint.NonDifferentiable)) and not ours:
        return Result(mode, "rejected", text, text)
    frames = traceback.extract_tb(exc.__traceback__)
    compiling = any(pathlib.Path(fr.filename).name == "driver.py" and "adjoint" in fr.filename for fr in frames)
    where = next((f"{pathlib.Path(fr.filename).name}:{fr.name}" for fr in reversed(frames)
                  if "adjoint" in fr.filename and "fuzz" not in fr.filename), "generated code")
    detail = text + "\n" + "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)[-6:])
    return Result(mode, "compile-fail" if compiling or ours else "crash", detail, f"{text} [{where}]")


def plain_value(f, program, timeout=5.0):
    """f's value on the program's arguments, or None if the program is not a valid test (it raises,
    warns of overflow or invalid arithmetic, hangs, or returns something other than a finite scalar)."""
    try:
        with deadline(timeout):
            value = call(f, program.args)
    except Timeout:
        return None
    except Exception:
        return None
    numeric = isinstance(value, (float, int, np.floating, np.integer)) and not isinstance(value, bool)
    if not (numeric or isinstance(value, np.ndarray) and value.shape == () and value.dtype.kind in "fi"):
        return None
    value = float(value)
    return value if np.isfinite(value) and abs(value) < 1e6 else None


def check(program, modes=None, timeout=20.0, plain_timeout=5.0, judging=True):
    """{mode: Result} for the modes of `modes` (default: all) the program declares, or None if the
    program is discarded (its plain function fails; see plain_value). judging=False only calls the
    derivatives (enough to tell crashes, and much cheaper than finite differences)."""
    try:
        module = load(program)
    except Exception:                           # noqa: BLE001 (a program that does not import)
        return None
    try:
        value = plain_value(module.f, program, plain_timeout)
        if value is None:
            return None
        return {mode: check_mode(mode, module.f, program, value, timeout, judging) for mode in MODES
                if mode in program.modes and (modes is None or mode in modes)}
    finally:
        pathlib.Path(module.__file__).unlink(missing_ok=True)


def check_mode(mode, f, program, value, timeout, judging=True):
    try:
        with deadline(timeout), np.errstate(all="ignore"):
            return CHECKS[mode](f, program, value, judging)
    except Timeout:
        return Result(mode, "timeout", f"no answer within {timeout} s", "timeout")
    except OutOfDomain:
        return Result(mode, "skipped", "a finite-difference step left the function's domain")
    except Exception as exc:                    # noqa: BLE001 (every error is an outcome)
        return classify(mode, exc)


def from_file(path):
    """The Program a rendered file holds (a failure in fuzz_failures/, say), to check it again."""
    from .generate import Program
    text = pathlib.Path(path).read_text()
    namespace = {}
    exec(compile(text, str(path), "exec"), namespace)
    source = text.split("\n\n\nARGS = ")[0]
    return Program(source, namespace["ARGS"], namespace["TANGENTS"], namespace["MODES"])
