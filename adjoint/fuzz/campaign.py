"""A fuzzing campaign: many programs, counts per mode and outcome, shrunk failures on disk.

Failures are grouped by a signature (mode, outcome and the error with names and numbers blanked
out) so that one bug found a hundred times is shrunk and written once; wrong answers carry no
error text, so a few of each are shrunk and kept when their shrunk programs differ.
"""
import collections
import functools
import hashlib
import multiprocessing
import pathlib
import re
import time

from . import oracle
from .generate import generate, literal
from .shrink import kind_of, shrink

WRONG_SHRINKS = 6                 # shrunk wrong answers kept per mode and part (value, derivative, shape)


def signature(result):
    """What identifies a failure's class: the mode, outcome and error without names and numbers."""
    if result.outcome == "wrong":
        return (result.mode, "wrong", result.detail.split(":")[0])
    text = re.sub(r"'[A-Za-z_][\w.]*'", "'_'", result.error)
    text = re.sub(r"`[^`]*`", "`_`", text)
    text = re.sub(r"<adjoint [^>]*>", "<adjoint _>", text)
    text = re.sub(r"\d+(\.\d+)?", "N", text)
    text = re.sub(r"\b(fuzz_N_N|v|dv|t|dt|n|row|item)N(_N)?\b", "_", text)
    return (result.mode, result.outcome, text)


class Campaign:
    def __init__(self, n=2000, seed=0, budget=600.0, out="fuzz_failures", modes=None, shrink_budget=60.0,
                 timeout=20.0, log=print, size="full"):
        self.n, self.seed, self.budget, self.modes = n, seed, budget, modes
        self.out = pathlib.Path(out) if out else None
        self.shrink_budget, self.timeout, self.log, self.size = shrink_budget, timeout, log, size
        self.counts = collections.Counter()        # (mode, outcome) -> programs
        self.classes = collections.defaultdict(list)   # signature -> program indices
        self.written = {}                          # shrunk source -> file
        self.programs = self.discarded = 0

    def run(self):
        """Check programs until n or most of the budget is spent, then shrink one program of each
        failure class (the most frequent classes first) with what remains."""
        start = time.monotonic()
        for index in range(self.n):
            if time.monotonic() - start > self.budget * (0.6 if self.out else 1.0):
                self.log(f"checking stopped after {index} programs to leave time for shrinking")
                break
            self.one(index)
            if index % 200 == 199:
                failing = sum(self.counts[m, o] for m in oracle.MODES for o in oracle.FAILURES)
                self.log(f"{index + 1} programs, {failing} failing mode checks, {time.monotonic() - start:.0f} s",
                         flush=True)
        self.checked_in = time.monotonic() - start
        if self.out is not None:
            for key, indices in sorted(self.classes.items(), key=lambda kv: -len(kv[1])):
                if key[1] == "rejected":
                    continue
                for index in indices[:WRONG_SHRINKS if key[1] == "wrong" else 1]:
                    spare = self.budget - (time.monotonic() - start)
                    if spare <= 0:
                        break
                    self.record(index, key, min(self.shrink_budget, spare))
        self.elapsed = time.monotonic() - start
        return self

    def one(self, index):
        results = oracle.check(generate(self.seed, index, self.size), self.modes, self.timeout)
        if results is None:
            self.discarded += 1
            return
        self.programs += 1
        for mode, result in results.items():
            self.counts[mode, result.outcome] += 1
            if result.outcome in oracle.FAILURES or result.outcome == "rejected":
                self.classes[signature(result)].append(index)
            if result.outcome in oracle.FAILURES:       # said at once: a long campaign is read as it runs
                self.log(f"  program {index}: {mode} {result.outcome}: {signature(result)[2][:100]}", flush=True)

    def record(self, index, key, budget):
        """Shrink a failure and write it, unless the same shrunk program is already on disk."""
        program = generate(self.seed, index, self.size)
        mode = key[0]
        result = (oracle.check(program, (mode,), self.timeout) or {}).get(mode)
        if result is None or signature(result) != key:        # the compiler changed meanwhile
            return
        small = shrink(program, mode, kind_of(result), budget=budget, timeout=min(self.timeout, 10.0))
        if small.source in self.written:
            return
        final = (oracle.check(small, (mode,), self.timeout) or {}).get(mode, result)
        name = f"{mode}-{result.outcome}-{hashlib.sha1(small.source.encode()).hexdigest()[:8]}.py"
        self.out.mkdir(parents=True, exist_ok=True)
        path = self.out / name
        path.write_text(failure_file(small, final, self.seed, index, self.size == "small"))
        self.written[small.source] = path
        self.log(f"  {mode} {result.outcome} in program {index}: {key[2][:100]} -> {path}", flush=True)

    def table(self):
        """Counts per outcome (rows) and mode (columns)."""
        modes = list(oracle.MODES)
        outcomes = ["ok", "wrong", "crash", "compile-fail", "timeout", "rejected", "skipped"]
        width = max(len(m) for m in modes) + 2
        lines = ["outcome".ljust(14) + "".join(m.rjust(width) for m in modes)]
        for outcome in outcomes:
            lines.append(outcome.ljust(14) + "".join(str(self.counts[m, outcome]).rjust(width) for m in modes))
        lines.append(f"{self.programs} programs checked, {self.discarded} discarded (the plain function failed), "
                     f"in {getattr(self, 'checked_in', 0):.0f} s; {getattr(self, 'elapsed', 0):.0f} s with shrinking")
        return "\n".join(lines)

    def summary(self):
        """The table, then each failure class with its count and the first program indices."""
        lines = [self.table(), "", "classes (mode, outcome, signature: count, program indices):"]
        for key, indices in sorted(self.classes.items(), key=lambda kv: -len(kv[1])):
            lines.append(f"  {key[0]:<13} {key[1]:<13} {key[2][:110]}: {len(indices)}  {indices[:8]}")
        return "\n".join(lines)


def run_in_parallel(jobs, n, seed, log=print, **options):
    """One campaign per process: job k checks n / jobs programs of seed `seed + k`, so each job is the
    campaign `--seed seed+k` would be alone, and a result is reproduced by that seed and index.
    Returns the campaigns merged: counts added, programs named `seed/index` in the classes."""
    seeds = [str(int(seed) + k) for k in range(jobs)]
    sizes = [n // jobs + (k < n % jobs) for k in range(jobs)]
    with multiprocessing.get_context("fork").Pool(jobs) as pool:      # (the alarm needs a main thread each)
        done = pool.starmap(_one_job, [(size, s, options) for size, s in zip(sizes, seeds)])
    merged = Campaign(n, ", ".join(seeds), log=log, **options)
    for campaign in done:
        merged.counts.update(campaign.counts)
        for key, indices in campaign.classes.items():
            merged.classes[key] += [f"{campaign.seed}/{index}" for index in indices]
        merged.programs += campaign.programs
        merged.discarded += campaign.discarded
    merged.checked_in = max(c.checked_in for c in done)
    merged.elapsed = max(c.elapsed for c in done)
    return merged


def _one_job(n, seed, options):
    campaign = Campaign(n, seed, log=functools.partial(_said_by, seed), **options).run()
    campaign.log = print                        # (a partial of print is not what goes back to the parent)
    return campaign


def _said_by(seed, text, **kwargs):
    print(f"[seed {seed}] {text}", **kwargs)


def failure_file(program, result, seed, index, small=False):
    """An importable module: a comment header saying how it fails, the functions, the arguments."""
    header = [f"# adjoint fuzz failure: {result.mode} mode, {result.outcome}",
              f"# found as program {index} of seed {seed}: python -m adjoint.fuzz --seed {seed} --show {index}"
              f"{' --small' if small else ''}",
              f"# args: {literal(tuple(program.args))}"]
    header += ["# " + line for line in result.detail.strip().splitlines()[:12]]
    return oracle.render(program, "\n".join(header) + "\n") + f"FAILING_MODE = {result.mode!r}\n" \
        f"FAILING_OUTCOME = {result.outcome!r}\n"
