"""python -m adjoint.fuzz: run a campaign, or show one program and its outcomes.

    python -m adjoint.fuzz --n 10000 --seed 0 --budget 600 --out fuzz_failures
    python -m adjoint.fuzz --n 10000 --seed 0 --jobs 2 --budget 12000   # seeds 0 and 1, 5,000 each
    python -m adjoint.fuzz --seed 0 --show 123          # the program and each mode's outcome
    python -m adjoint.fuzz --check fuzz_failures/x.py   # check a written failure again
"""
import argparse
import os
import sys

from . import oracle
from .campaign import Campaign, run_in_parallel
from .generate import generate


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m adjoint.fuzz", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=2000, help="programs to generate (default 2000)")
    parser.add_argument("--seed", default="0", help="campaign seed; (seed, index) names a program")
    parser.add_argument("--budget", type=float, default=600.0, help="seconds for the whole campaign")
    parser.add_argument("--jobs", type=int, default=1,
                        help="processes: job k checks n/jobs programs of seed seed+k (an integer seed)")
    parser.add_argument("--out", default="fuzz_failures", help="folder for shrunk failures ('' for none)")
    parser.add_argument("--modes", default=",".join(oracle.MODES), help="comma-separated modes to check")
    parser.add_argument("--shrink-budget", type=float, default=60.0, help="seconds to shrink one failure")
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds per program and mode")
    parser.add_argument("--check-passes", action="store_true",
                        help="verify each compiler pass's invariants (ADJOINT_CHECK=1; about 5x slower)")
    parser.add_argument("--small", action="store_true", help="small programs (as in the test suite's slice)")
    parser.add_argument("--show", type=int, metavar="INDEX", help="print one program and its outcomes")
    parser.add_argument("--check", metavar="FILE", help="check a written program again")
    options = parser.parse_args(argv)
    if options.check_passes:
        os.environ["ADJOINT_CHECK"] = "1"
    modes = tuple(m for m in options.modes.split(",") if m)
    unknown = set(modes) - set(oracle.MODES)
    if unknown:
        parser.error(f"unknown modes {sorted(unknown)}; choose from {', '.join(oracle.MODES)}")
    if options.jobs > 1 and not options.seed.lstrip("-").isdigit():
        parser.error("--jobs needs an integer --seed (job k runs seed seed+k)")
    if options.show is not None or options.check:
        program = oracle.from_file(options.check) if options.check else generate(options.seed, options.show, "small" if options.small else "full")
        print(oracle.render(program))
        results = oracle.check(program, modes, options.timeout)
        if results is None:
            print("discarded: the plain function fails on these arguments")
            return 0
        for mode, result in results.items():
            print(f"{mode:<13} {result.outcome:<13} {result.detail}")
        return 1 if any(r.outcome in oracle.FAILURES for r in results.values()) else 0
    settings = dict(budget=options.budget, out=options.out or None, modes=modes, shrink_budget=options.shrink_budget,
                    timeout=options.timeout, size="small" if options.small else "full")
    if options.jobs > 1:
        campaign = run_in_parallel(options.jobs, options.n, options.seed, **settings)
    else:
        campaign = Campaign(options.n, options.seed, **settings).run()
    print(campaign.summary())
    if campaign.out is not None and campaign.out.exists():
        (campaign.out / "summary.txt").write_text(campaign.summary() + "\n")
    return 1 if any(campaign.counts[m, o] for m in oracle.MODES for o in oracle.FAILURES) else 0


if __name__ == "__main__":
    sys.exit(main())
