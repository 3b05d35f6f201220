"""One gradient of a demo's function timed against Autograd's, when Autograd is installed.

The demo's own file is run again with `autograd.numpy` in place of NumPy (the program Autograd
users write), and `autograd.grad` of the same function is timed beside `adjoint.grad`, on the same
arguments, after a first call (adjoint compiles then). A program Autograd cannot run (a store into
an array, for one) is reported as such.
"""
import inspect
import time
import types

import adjoint


def compare(fn, args, wrt=0, repeats=5):
    """A line: adjoint's and Autograd's time for one gradient of the demo's function fn."""
    try:
        import autograd
    except ImportError:
        return "(Autograd is not installed: no comparison; pip install autograd)"
    path = inspect.getsourcefile(fn)
    with open(path) as handle:
        source = handle.read().replace("import numpy as np", "import autograd.numpy as np")
    module = types.ModuleType("autograd_version")
    module.__file__ = path
    exec(compile(source, path, "exec"), module.__dict__)
    theirs = autograd.grad(getattr(module, fn.__name__), wrt)
    mine_seconds = _best(adjoint.grad(fn, wrt), args, repeats)
    try:
        theirs_seconds = _best(theirs, args, repeats)
    except Exception as exc:        # what Autograd does not support
        return f"one gradient: adjoint {mine_seconds * 1e3:.2f} ms; Autograd cannot run it ({type(exc).__name__}: " \
               f"{str(exc).splitlines()[0][:80]})"
    return (f"one gradient: adjoint {mine_seconds * 1e3:.2f} ms, Autograd {theirs_seconds * 1e3:.2f} ms "
            f"({theirs_seconds / mine_seconds:.1f}x)")


def _best(gradient, args, repeats):
    gradient(*args)                         # (compiles adjoint's code; warms Autograd's caches)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        gradient(*args)
        best = min(best, time.perf_counter() - start)
    return best
