"""Time adjoint's gradients against hand-written ones (and peers, if installed).

    python benchmarks/run.py            # full run
    python benchmarks/run.py --quick    # fewer repeats, well under a minute
    python benchmarks/run.py --only rnn,mlp

For every workload in benchmarks/workloads.py:

1. the hand-written gradient is spot-checked against central differences;
2. adjoint's gradient is checked against the hand-written one (np.allclose);
3. primal, hand-written gradient and adjoint gradient are timed (median time
   per call over timeit repeats; adjoint's compile happens on the first call
   and is reported separately);
4. Autograd, PyTorch and JAX are timed the same way if they are importable.
   They are never required: a missing one is skipped with a note.

A workload adjoint cannot handle yet is reported as "unsupported: <message>"
and the run goes on. Results are printed as a markdown table and written to
benchmarks/results/latest.md.
"""

import os

# One thread everywhere, set before NumPy (or any peer) is imported, so that
# the numbers measure the generated code rather than BLAS thread scheduling.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
             "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault(
    "XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import argparse  # noqa: E402
import datetime  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import timeit  # noqa: E402
import traceback  # noqa: E402
import types  # noqa: E402

import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
for _p in (HERE, ROOT):
    if _p not in sys.path:
        sys.path.insert(0, _p)

import scaling  # noqa: E402
import workloads as W  # noqa: E402

RESULTS = os.path.join(HERE, "results", "latest.md")


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

def cpu_name():
    """The processor's model name where the OS tells it (Linux), else the architecture."""
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return "%s, %d cores" % (line.split(":", 1)[1].strip(), os.cpu_count() or 0)
    except OSError:
        pass
    return platform.machine()


def fmt_time(t):
    if t is None:
        return "-"
    if t < 1e-6:
        return "%.0f ns" % (t * 1e9)
    if t < 1e-3:
        return "%.1f µs" % (t * 1e6)
    if t < 1.0:
        return "%.2f ms" % (t * 1e3)
    return "%.2f s" % t


def fmt_ratio(a, b):
    if a is None or b is None or b == 0:
        return "-"
    return "%.1f×" % (a / b)


def short_msg(exc, limit=90):
    text = "%s: %s" % (type(exc).__name__, exc)
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    first = first.replace("|", "\\|")
    return first if len(first) <= limit else first[: limit - 1] + "…"


def median_time(fn, target, repeats):
    """Median seconds per call of fn(), timeit style.

    The number of calls per repeat is chosen (like timeit's autorange) so one
    repeat takes at least `target` seconds.
    """
    timer = timeit.Timer(fn)
    number = 1
    while True:
        t = timer.timeit(number)
        if t >= target or number >= 1_000_000:
            break
        number = max(number * 2, int(number * target / max(t, 1e-9) * 1.2))
    runs = timer.repeat(repeat=repeats, number=number)
    return statistics.median(runs) / number


def to_numpy(g):
    if isinstance(g, (tuple, list)):
        return tuple(to_numpy(x) for x in g)
    if hasattr(g, "detach"):  # torch
        return g.detach().cpu().numpy()
    return np.asarray(g, dtype=float)


def grads_close(got, want, n):
    """(ok, max abs error) comparing gradients (tuples when n > 1)."""
    got = to_numpy(got)
    want = to_numpy(want)
    if n == 1:
        got, want = (got,), (want,)
    if not isinstance(got, tuple) or len(got) != len(want):
        return False, math.inf
    ok, err = True, 0.0
    for a, b in zip(got, want):
        a = np.asarray(a, dtype=float)
        b = np.asarray(b, dtype=float)
        if a.shape != b.shape and a.size != b.size:
            return False, math.inf
        a = a.reshape(b.shape)
        scale = max(1.0, float(np.max(np.abs(b))) if b.size else 1.0)
        ok &= bool(np.allclose(a, b, rtol=1e-6, atol=1e-9 * scale))
        err = max(err, float(np.max(np.abs(a - b))) if b.size else 0.0)
    return ok, err


def rebind(f, **names):
    """f with some of its globals replaced (e.g. np -> autograd.numpy)."""
    g = dict(f.__globals__)
    g.update(names)
    return types.FunctionType(f.__code__, g, f.__name__, f.__defaults__, f.__closure__)


# ---------------------------------------------------------------------------
# peers: the same user source, run against each peer's array module
# ---------------------------------------------------------------------------

class _MathVia:
    """Stands in for the math module, routing elementary functions to `mod`."""

    def __init__(self, mod):
        self.sin, self.cos, self.exp = mod.sin, mod.cos, mod.exp
        self.tanh, self.sqrt, self.log = mod.tanh, mod.sqrt, mod.log
        self.factorial = math.factorial
        self.pi, self.e = math.pi, math.e


def peer_autograd():
    import autograd
    import autograd.numpy as anp

    shim = _MathVia(anp)

    def make(w, args):
        f = rebind(w.f, np=anp, math=shim)
        argnum = w.wrt if isinstance(w.wrt, int) else tuple(w.wrt)
        g = autograd.grad(f, argnum)
        return lambda: g(*args)

    return "autograd", make, ""


def peer_torch():
    import torch

    torch.set_num_threads(1)

    class _NP:
        tanh, exp, log, sqrt = torch.tanh, torch.exp, torch.log, torch.sqrt
        sin, cos = torch.sin, torch.cos

        @staticmethod
        def sum(x, axis=None, keepdims=False):
            return torch.sum(x) if axis is None else torch.sum(x, dim=axis, keepdim=keepdims)

        @staticmethod
        def max(x, axis=None, keepdims=False):
            return torch.max(x) if axis is None else torch.amax(x, dim=axis, keepdim=keepdims)

    shim = _MathVia(torch)

    def make(w, args):
        f = rebind(w.f, np=_NP, math=shim)
        wrt = w.wrt_tuple
        targs = []
        for a in args:
            if isinstance(a, np.ndarray):
                targs.append(torch.from_numpy(a))
            elif isinstance(a, float):
                targs.append(torch.tensor(a, dtype=torch.float64))
            else:
                targs.append(a)

        def call():
            a = list(targs)
            leaves = []
            for i in wrt:
                a[i] = targs[i].detach().requires_grad_(True)
                leaves.append(a[i])
            out = f(*a)
            gs = torch.autograd.grad(out, leaves)
            return gs if isinstance(w.wrt, tuple) else gs[0]

        return call

    return "torch", make, "torch %s" % torch.__version__


def peer_jax():
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    shim = _MathVia(jnp)

    def make(w, args):
        f = rebind(w.f, np=jnp, math=shim)
        argnums = w.wrt if isinstance(w.wrt, int) else tuple(w.wrt)
        jargs = tuple(jnp.asarray(a) if isinstance(a, np.ndarray) else a for a in args)
        g = jax.grad(f, argnums=argnums)
        try:
            jg = jax.jit(g)
            jax.block_until_ready(jg(*jargs))
            return lambda: jax.block_until_ready(jg(*jargs))
        except Exception:
            # Python control flow on traced values: fall back to eager grad.
            make.notes.add(w.name)
            return lambda: jax.block_until_ready(g(*jargs))

    make.notes = set()
    return "jax", make, "jax %s" % jax.__version__


PEERS = [("autograd", peer_autograd), ("torch", peer_torch), ("jax", peer_jax)]


# ---------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------

def hvp_section(adjoint, target, repeats):
    """Hessian-vector product on the MLP workload (forward over reverse) against one gradient."""
    base = W.BY_NAME["mlp"]
    args = base.make_args()
    rng = np.random.default_rng(11)
    direction = rng.standard_normal(np.shape(args[0]))
    gradient = adjoint.grad(base.f, wrt=0)
    hvp = adjoint.hvp(base.f, wrt=0)
    eps = 1e-5
    shifted = [np.array(a, copy=True) for a in args]
    shifted[0] = args[0] + eps * direction
    plus = gradient(*shifted)
    shifted[0] = args[0] - eps * direction
    minus = gradient(*shifted)
    want = (plus - minus) / (2 * eps)
    got = hvp(*args, direction)
    err = np.max(np.abs(got - want)) / max(np.max(np.abs(want)), 1e-300)
    t_grad = median_time(lambda: gradient(*args), target, repeats)
    t_hvp = median_time(lambda: hvp(*args, direction), target, repeats)
    return ["", "Hessian-vector product on the mlp workload (adjoint.hvp: forward mode over the generated "
            "reverse code; checked against central differences of the gradient, rel. err %.1e):" % err, "",
            "| one gradient | one HVP | HVP / gradient (target <= 6) |", "|---|---|---|",
            "| %s | %s | %.2f× |" % (fmt_time(t_grad), fmt_time(t_hvp), t_hvp / t_grad)]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats (under a minute)")
    ap.add_argument("--only", default="", help="comma-separated workload names")
    ap.add_argument("--no-peers", action="store_true", help="skip Autograd/PyTorch/JAX")
    ap.add_argument("--output", default=RESULTS, help="markdown file to write")
    opts = ap.parse_args(argv)

    target, repeats = (0.02, 3) if opts.quick else (0.2, 7)
    selected = W.WORKLOADS
    if opts.only:
        names = [n.strip() for n in opts.only.split(",") if n.strip()]
        unknown = [n for n in names if n not in W.BY_NAME]
        if unknown:
            ap.error("unknown workload(s): %s (have: %s)"
                     % (", ".join(unknown), ", ".join(W.BY_NAME)))
        selected = [W.BY_NAME[n] for n in names]

    notes = []
    try:
        import adjoint
        if not hasattr(adjoint, "grad"):
            raise ImportError("adjoint has no grad() (package incomplete?)")
        adjoint_error = None
        adjoint_version = getattr(adjoint, "__version__", "?")
    except Exception as exc:  # the compiler may not be importable yet
        adjoint = None
        adjoint_error = short_msg(exc)
        adjoint_version = "not importable"
        notes.append("adjoint could not be imported: %s" % adjoint_error)

    peers = []
    if not opts.no_peers:
        for name, load in PEERS:
            try:
                peers.append(load())
            except ImportError as exc:
                notes.append("%s not installed, skipped (%s)" % (name, short_msg(exc, 60)))
            except Exception as exc:
                notes.append("%s failed to load, skipped (%s)" % (name, short_msg(exc, 60)))

    rows, compile_rows = [], []
    for w in selected:
        print("· %s" % w.name, file=sys.stderr, flush=True)
        args = w.make_args()
        n = len(w.wrt_tuple)
        row = {"name": w.name}

        # The reference must be right before it judges anything else.
        fd_err = W.fd_check(w, max_coords=6)
        if fd_err > 1e-5:
            notes.append("%s: hand-written gradient disagrees with finite differences "
                         "(rel err %.1e); its row is not trustworthy" % (w.name, fd_err))
        want = w.grad(*args)

        row["primal"] = median_time(lambda: w.f(*args), target, repeats)
        row["hand"] = median_time(lambda: w.grad(*args), target, repeats)

        # adjoint
        if adjoint is None:
            row["adjoint"] = "unsupported: adjoint not importable"
        else:
            try:
                t0 = time.perf_counter()
                g = adjoint.grad(w.f, wrt=w.wrt)
                got = g(*args)
                t_first = time.perf_counter() - t0
                t0 = time.perf_counter()
                g(*args)
                t_second = time.perf_counter() - t0
                ok, err = grads_close(got, want, n)
                if not ok:
                    row["adjoint"] = "WRONG: max abs err %.2e" % err
                else:
                    row["adjoint"] = median_time(lambda: g(*args), target, repeats)
                compile_rows.append((w.name, t_first, t_second))
            except Exception as exc:
                row["adjoint"] = "unsupported: %s" % short_msg(exc)
                compile_rows.append((w.name, None, None))
                if os.environ.get("ADJOINT_BENCH_TRACEBACK"):
                    traceback.print_exc()

        for pname, make, _ in peers:
            try:
                call = make(w, args)
                ok, err = grads_close(call(), want, n)
                if not ok:
                    row[pname] = "WRONG: max abs err %.2e" % err
                else:
                    row[pname] = median_time(call, target, repeats)
            except Exception as exc:
                row[pname] = "failed: %s" % short_msg(exc, 60)
        rows.append(row)

    for pname, make, _ in peers:
        if pname == "jax":
            notes.append("jax is timed as jax.jit(jax.grad(f)) wherever tracing allows it")
        if getattr(make, "notes", None):
            notes.append("%s: no jit for %s (Python control flow on traced values); "
                         "timed eager jax.grad" % (pname, ", ".join(sorted(make.notes))))

    # ---- report ---------------------------------------------------------
    def cell(v):
        return fmt_time(v) if isinstance(v, float) or v is None else v

    def ratio(row, key):
        v = row.get(key)
        return fmt_ratio(v, row["primal"]) if isinstance(v, float) else "-"

    head = ["workload", "primal", "hand", "adjoint", "adjoint/primal", "hand/primal"]
    head += [p[0] for p in peers]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [r["name"], cell(r["primal"]), cell(r["hand"]), cell(r["adjoint"]),
                 ratio(r, "adjoint"), ratio(r, "hand")]
        for pname, _, _ in peers:
            v = r.get(pname)
            cells.append("%s (%s; %s adjoint)" % (fmt_time(v), ratio(r, pname), fmt_ratio(v, r["adjoint"]))
                         if isinstance(v, float) and isinstance(r.get("adjoint"), float)
                         else "%s (%s)" % (fmt_time(v), ratio(r, pname)) if isinstance(v, float) else cell(v))
        lines.append("| " + " | ".join(cells) + " |")
    table = "\n".join(lines)

    clines = ["| workload | first call (compile + run) | second call (cached) | compile ≈ |",
              "|---|---|---|---|"]
    for name, t1, t2 in compile_rows:
        if t1 is None:
            clines.append("| %s | unsupported | - | - |" % name)
        else:
            clines.append("| %s | %s | %s | %s |"
                          % (name, fmt_time(t1), fmt_time(t2), fmt_time(max(t1 - t2, 0.0))))
    ctable = "\n".join(clines)

    wl = "\n".join("- **%s**: %s" % (w.name, w.description) for w in selected)
    env = ", ".join(
        ["Python %s" % platform.python_version(), "NumPy %s" % np.__version__,
         "adjoint %s" % adjoint_version]
        + [desc for _, _, desc in peers if desc]
    )
    hvp_lines = hvp_section(adjoint, target, repeats) if adjoint is not None and (
        not opts.only or "mlp" in opts.only) else []
    extra_lines = []
    if adjoint is not None and not opts.only:
        print("· compile time against size, peak memory", file=sys.stderr, flush=True)
        extra_lines = scaling.compile_section(adjoint, opts.quick, fmt_time) + scaling.memory_section(adjoint)
    doc = [
        "# adjoint benchmarks",
        "",
        "%s run, %s, on %s (%s), one thread. Median time per call; "
        "ratios are against the primal (the plain function, no derivative); a peer's cell also "
        "gives its time over adjoint's."
        % ("Quick" if opts.quick else "Full",
           datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
           cpu_name(), env),
        "",
        table,
        "",
        "Compile latency: the first `adjoint.grad(f)(...)` call parses, differentiates and "
        "compiles; later calls reuse the cached code.",
        "",
        ctable,
        "",
        "Workloads (benchmarks/workloads.py):",
        "",
        wl,
    ] + hvp_lines + extra_lines
    if notes:
        doc += ["", "Notes:", ""] + ["- %s" % n for n in notes]
    text = "\n".join(doc) + "\n"
    print(text)

    out = opts.output
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    tmp = out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, out)
    print("wrote %s" % os.path.relpath(out), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
