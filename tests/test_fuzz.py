"""The differential fuzzer (issue 10): a fixed-seed slice of random programs must give no wrong
value or derivative, crash or compile failure in any mode; and the fuzzer's own parts work: the
generator is deterministic and its programs run, the oracle catches a wrong derivative, the
shrinker reduces a planted failure to a few lines.

Reproduce one program of the slice with `python -m adjoint.fuzz --small --seed 0 --show INDEX`.
"""
import ast
import collections

import numpy as np
import pytest

from adjoint.fuzz import generate, oracle
from adjoint.fuzz.campaign import Campaign, failure_file, run_in_parallel
from adjoint.fuzz.generate import Program, literal
from adjoint.fuzz.shrink import kind_of, shrink

# small programs (at most one helper, two to four top-level statements): compiling dominates the
# cost, about 0.3-0.6 s a program in all four modes on an idle core
SLICE_SEED, SLICE_SIZE = 0, 120


def test_fixed_seed_slice(monkeypatch):
    # the pass-invariant checks cost 5x; the slice is about the answers, other tests cover the checks
    monkeypatch.setenv("ADJOINT_CHECK", "0")
    failures, checked = [], 0
    for index in range(SLICE_SIZE):
        results = oracle.check(generate(SLICE_SEED, index, size="small"))
        if results is None:
            continue
        checked += 1
        for mode, result in results.items():
            if result.outcome in oracle.FAILURES:
                first = (result.error or result.detail).splitlines()[0]
                failures.append(f"program {index} {mode}: {result.outcome}: {first}")
    assert checked > SLICE_SIZE * 0.8
    assert not failures, f"{len(failures)} failures (python -m adjoint.fuzz --small --seed {SLICE_SEED} --show N):\n" + \
        "\n".join(failures)


def test_generator_is_deterministic():
    first, second = generate(7, 3), generate(7, 3)
    assert first.source == second.source
    assert literal(first.args) == literal(second.args) and first.modes == second.modes
    assert generate(7, 4).source != first.source


def test_generated_programs_are_valid_and_run():
    valid = 0
    for index in range(40):
        program = generate(11, index)
        ast.parse(program.source)
        f = oracle.load(program).f
        valid += oracle.plain_value(f, program) is not None
    assert valid >= 32                      # discarded programs (overflow, domain errors) are rare


def test_generator_covers_the_language():
    text = "\n".join(generate(2, index).source for index in range(200))
    for construct in ["while True:", "while n", "break", "continue", "return", "enumerate(", "zip(", "for row",
                      "(-1) **", " -= ", " += ", "def r0(", "depth - 1", "np.dot(", "math.sqrt(", "elif ",
                      "{'p':", "np.maximum(", "raise ", "    def fn", "lambda t", "apply_fn(", "soft(", "scaler.apply(", "half_apply(",
                      "spread("]:
        assert construct in text, construct


# a function whose registered derivative is deliberately wrong (twice the true one)
WRONG_RULE = """import adjoint
import math

import numpy as np


def wobble(x):
    return np.sin(x)


adjoint.defrule(wobble, "x", reverse={"x": "g * 2 * np.cos(x)"}, forward={"x": "dx * 2 * np.cos(x)"})
"""


def planted(body):
    source = WRONG_RULE + "\n\ndef f(x0, x1):\n" + "".join(f"    {line}\n" for line in body)
    return Program(source, (0.3, -0.7), (1.0, 0.5), {"reverse": (0, 1), "forward": True, "grad-of-grad": (0, 0)})


def test_oracle_catches_a_wrong_derivative():
    results = oracle.check(planted(["return wobble(x0) + x1"]))
    assert results["reverse"].outcome == "wrong" and "derivative" in results["reverse"].detail
    assert results["forward"].outcome == "wrong"


def test_oracle_passes_a_right_derivative_and_sorts_errors():
    results = oracle.check(planted(["return np.sin(x0) * x1"]))
    assert {r.outcome for r in results.values()} == {"ok"}
    rejected = oracle.check(planted(["try:", "    y = x0", "except ValueError:", "    y = x1", "return y"]),
                            modes=("reverse",))
    assert rejected["reverse"].outcome == "rejected"


def test_oracle_skips_a_kink():
    program = planted(["return abs(x0 - 0.3000001) + x1"])
    assert oracle.check(program, modes=("reverse",))["reverse"].outcome == "skipped"


def test_shrinker_reduces_a_planted_failure():
    body = ["a = np.tanh(x1)", "b = 0.0", "for i in range(3):", "    b = b + a * i", "    if b > 5.0:",
            "        break", "c = wobble(x0 * 1.0)", "d = np.cos(b) + c", "if a > 0.2:", "    d = d * 2.0",
            "return d + 0.1 * a"]
    program = planted(body)
    result = oracle.check(program, modes=("reverse",))["reverse"]
    assert result.outcome == "wrong"
    small = shrink(program, "reverse", kind_of(result), budget=60)
    f = next(node for node in ast.parse(small.source).body if getattr(node, "name", "") == "f")
    assert len(list(ast.walk(f))) < 15, small.source      # e.g. `return wobble(x0)`
    assert "wobble" in ast.unparse(f)
    assert oracle.check(small, modes=("reverse",))["reverse"].outcome == "wrong"


def test_failure_files_import_and_check_again(tmp_path):
    program = planted(["return wobble(x0) + x1"])
    result = oracle.check(program, modes=("reverse",))["reverse"]
    path = tmp_path / "reverse-wrong.py"
    path.write_text(failure_file(program, result, 0, 12))
    again = oracle.from_file(path)
    assert literal(again.args) == literal(program.args) and again.modes == program.modes
    assert oracle.check(again, modes=("reverse",))["reverse"].outcome == "wrong"


@pytest.mark.parametrize("value", [0.5, np.array([1.0, -2.5, 3.25]), [0.1, 0.2], {"p": 1.0, "q": np.ones(2)}])
def test_flatten_round_trips(value):
    vector = oracle.flatten(value)
    assert literal(oracle.unflatten(value, vector)) == literal(value)


def test_a_parallel_campaign_is_the_campaigns_of_its_seeds_merged():
    settings = dict(budget=120.0, out=None, modes=("reverse",), size="small")
    merged = run_in_parallel(2, 5, "40", **settings)
    alone = [Campaign(n, seed, **settings).run() for n, seed in ((3, "40"), (2, "41"))]
    assert merged.seed == "40, 41"
    assert merged.programs == sum(c.programs for c in alone)
    assert merged.counts == sum((c.counts for c in alone), collections.Counter())
    assert merged.table().splitlines()[0].split()[0] == "outcome"
