"""Compile time against function size, and peak memory of one gradient call.

Both are reported by run.py next to the timing table:

- compile time of `adjoint.grad(f)` for straight-line scalar functions of 10,
  50, 100 and 1000 statements (the scalar_chain generator at other lengths),
  so that growth with size is visible (the target is linear);
- peak traced memory (tracemalloc, which NumPy reports its buffers to) of one
  call of the primal, the hand-written gradient and adjoint's gradient.
"""
import importlib
import os
import sys
import tempfile
import time
import tracemalloc
import types

import workloads as W

SIZES = (10, 50, 100, 1000)


def chain_function(n, folder):
    """A function of n straight-line scalar statements, imported from a real file in folder."""
    ops = W._chain_ops(n)
    text = "import math\n\n\ndef chain(x):\n%s\n    return %s\n" % (
        "\n".join(W._chain_primal_lines(ops)), W._name(n))
    module = "chain_%d" % n
    with open(os.path.join(folder, module + ".py"), "w") as fh:
        fh.write(text)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    return importlib.import_module(module).chain


def compile_seconds(adjoint, f, arg, repeats, wrt=0):
    """Best first-call time of `adjoint.grad(f, wrt)(arg)` (compile + one run; arg a tuple: the
    arguments); each repeat differentiates a fresh function object, which adjoint has not cached."""
    best = None
    args = arg if isinstance(arg, tuple) else (arg,)
    for _ in range(repeats):
        # a new code object: compiled code is cached per code object, and shared by functions of one
        fresh = types.FunctionType(f.__code__.replace(), f.__globals__, f.__name__)
        start = time.perf_counter()
        adjoint.grad(fresh, wrt)(*args)
        took = time.perf_counter() - start
        best = took if best is None else min(best, took)
    return best


def compile_section(adjoint, quick, fmt_time):
    lines = ["", "Compile time against size: `adjoint.grad(f)` first call on straight-line scalar "
             "functions (the scalar_chain generator at each length; best of %d fresh compiles)."
             % (1 if quick else 3), "",
             "| statements | generated lines | first call | per statement |", "|---|---|---|---|"]
    adjoint.grad(W.taylor_sin)(0.3)           # imports and rule tables warm, as in any later call
    folder = tempfile.mkdtemp(prefix="adjoint-bench-")
    per = {}
    for n in SIZES:
        f = chain_function(n, folder)
        seconds = compile_seconds(adjoint, f, 0.7, 1 if quick or n >= 1000 else 3)
        generated = adjoint.source(f, args=(0.7,)).count("\n")
        per[n] = seconds / n
        lines.append("| %d | %d | %s | %s |" % (n, generated, fmt_time(seconds), fmt_time(seconds / n)))
    lines += ["", "Per-statement cost at 1000 statements / at 100: %.2f (1.00 is linear growth)."
              % (per[1000] / per[100])]
    lines += ["", "Compile time of code with loops and branches: `adjoint.grad(f, (0, 1))` (reverse mode) "
              "on functions of blocks of eight lines, each a `for` loop holding an `if`/`else`.", "",
              "| lines | first call | per line |", "|---|---|---|"]
    for blocks in LOOP_BLOCKS:
        f, size = loops_function(blocks, folder)
        seconds = compile_seconds(adjoint, f, (0.3, 0.2, 3), 1 if quick or blocks > 20 else 3, wrt=(0, 1))
        lines.append("| %d | %s | %s |" % (size, fmt_time(seconds), fmt_time(seconds / size)))
    return lines


LOOP_BLOCKS = (6, 125)         # about 50 and 1000 lines


def loops_function(blocks, folder):
    """(f, its number of lines): f(x, y, n) of `blocks` loops, each with a branch, imported from a file."""
    lines = ["import numpy as np", "", "", "def loops(x, y, n):", "    s = 0.0"]
    for b in range(blocks):
        lines += ["    for i%d in range(n):" % b,
                  "        a%d = np.sin(x) * %d.0 + 0.1 * s" % (b, b % 7 + 1),
                  "        if a%d > 0.5:" % b,
                  "            x = np.tanh(x * 0.9 + a%d * y)" % b,
                  "        else:",
                  "            x = x + 0.1 * np.cos(a%d)" % b,
                  "        s = s * 0.5 + x * x",
                  "    s = s * 0.5 + x"]
    lines.append("    return s")
    module = "loops_%d" % blocks
    with open(os.path.join(folder, module + ".py"), "w") as fh:
        fh.write("\n".join(lines) + "\n")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    return importlib.import_module(module).loops, len(lines) - 4


def peak_bytes(call):
    """Peak memory traced while call() runs, above what was allocated before it."""
    call()                                   # warm: compile, caches, lazy imports
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before, _ = tracemalloc.get_traced_memory()
        call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - before


def memory_section(adjoint, names=("rnn", "mlp", "pendulum")):
    lines = ["", "Peak memory of one call (tracemalloc; NumPy buffers included):", "",
             "| workload | primal | hand | adjoint | adjoint / hand |", "|---|---|---|---|---|"]
    for name in names:
        w = W.BY_NAME[name]
        args = w.make_args()
        g = adjoint.grad(w.f, wrt=w.wrt)
        sizes = [peak_bytes(lambda: w.f(*args)), peak_bytes(lambda: w.grad(*args)),
                 peak_bytes(lambda: g(*args))]
        lines.append("| %s | %s | %s | %s | %.2f× |" % (
            (name,) + tuple(_kib(b) for b in sizes) + (sizes[2] / sizes[1],)))
    return lines


def _kib(size):
    return "%.1f KiB" % (size / 1024) if size < 1024 ** 2 else "%.2f MiB" % (size / 1024 ** 2)
