"""Golden snapshots of generated code: a change in its shape shows up as a reviewed diff.

Regenerate after an intended change with `ADJOINT_UPDATE_GOLDEN=1 make test` and read the diff.
"""
import os
import pathlib

import numpy as np
import pytest

import adjoint
import golden_functions as gf
import callable_functions as cf
import function_functions as ff
import object_functions as of
import raise_functions as rf

GOLDEN = pathlib.Path(__file__).parent / "golden"
A = np.ones(3)
FORWARD = [
    ("forward_loop", gf.loop, 0, (1.0, 3)),
    ("forward_fill", gf.fill, 0, (A,)),
    ("forward_mlp", gf.mlp, 0, None),
    ("forward_raise", rf.check_ndim, 0, (np.ones(3),)),
]
CASES = [
    ("straight_line", gf.straight_line, (0, 1), (1.0, 2.0)),
    ("branch", gf.branch, 0, (1.0,)),
    ("loop", gf.loop, 0, (1.0, 3)),
    ("while_loop", gf.while_loop, 0, (3.0,)),
    ("with_break", gf.with_break, 0, (2.0,)),
    ("helper_call", gf.helper_call, 0, (1.0,)),
    ("taylor_sin", gf.taylor_sin, 0, (1.0,)),
    ("mlp_generic", gf.mlp, (0, 1, 2, 3), None),
    ("dict_params", gf.dict_params, 0, ({"W": np.ones((2, 3)), "b": np.ones(2)}, np.ones(3))),
    ("recursion", gf.recursive_power, 0, (1.5, 3)),
    ("several_saves", gf.flight, (0, 1), (20.0, 0.8, 0.05)),
    ("fill", gf.fill, 0, (A,)),
    ("recurrence", gf.recurrence, (0, 1), (0.3, 0.9)),
    ("append_then_stack", gf.simulate, 0, (A, 0.1)),
    ("dict_per_step", gf.per_step_dicts, (0, 1), (0.4, 0.8)),
    ("list_of_numbers", gf.pairwise_energy, 0, ([0.1, 0.5, 0.9],)),
    ("pop_and_append", gf.sliding_window, 0, (0.7,)),
    ("raise_in_a_loop", rf.raise_in_a_loop, 0, (0.7, 4)),
    ("raise_after_a_return", rf.raise_after_a_return, 0, (1.7,)),
    ("nested_function", ff.closure_over_parameters, (0, 1), (np.eye(3) * 0.5, np.ones(3), np.ones(3))),
    ("function_argument", ff.integrate_with_a_nested_function, 0, (np.ones(3),)),
    ("class_network", cf.network.loss, 0, (np.ones(3), np.ones(1))),
    ("object_argument", cf.deep_argument, 1, (cf.deep, np.ones(3))),
    ("object_gradient", of.model_loss, 0, (of.Model(of.Dense(np.eye(3), np.ones(3)), of.Dense(np.ones((2, 3)), np.ones(2))),
                                          np.ones(3))),
    ("state_on_self", of.rnn_made_here, 0, (np.eye(2), np.ones((3, 2)))),
    ("numpy_definitions", gf.robust_profile, 0, (np.ones(5), 0.5)),
    ("mlp_shapes", gf.mlp, (0, 1, 2, 3), (np.ones((4, 3)), np.ones(3), np.ones((3, 2)), np.ones(2),
                                         np.ones((5, 4)), np.ones((5, 2)))),
]


@pytest.mark.parametrize("name, fn, wrt, args", CASES, ids=[c[0] for c in CASES])
def test_generated_source_matches_golden(name, fn, wrt, args):
    _compare_with_golden(name, adjoint.source(fn, wrt=wrt, args=args, mode="reverse"))


def test_the_code_grad_runs_for_one_number_is_forward_mode():
    """grad(taylor_sin)(1.0) runs one forward sweep (no tape); source with the arguments shows it."""
    text = adjoint.source(gf.taylor_sin, args=(1.0,))
    _compare_with_golden("chosen_for_one_number", text)
    assert text.startswith("def taylor_sin_jvp(x, dx):")


def _compare_with_golden(name, text):
    path = GOLDEN / f"{name}.py.txt"
    if os.environ.get("ADJOINT_UPDATE_GOLDEN") == "1":
        path.write_text(text)
    assert path.exists(), f"no golden snapshot {path}: create it with ADJOINT_UPDATE_GOLDEN=1 and review it"
    assert text == path.read_text(), f"generated code for {name} changed; review and update {path}"


@pytest.mark.parametrize("name, fn, wrt, args", FORWARD, ids=[c[0] for c in FORWARD])
def test_forward_source_matches_golden(name, fn, wrt, args):
    _compare_with_golden(name, adjoint.source(fn, wrt=wrt, args=args, mode="forward"))


@pytest.mark.parametrize("name, fn, wrt, args", CASES, ids=[c[0] for c in CASES])
def test_golden_source_is_deterministic(name, fn, wrt, args):
    assert adjoint.source(fn, wrt=wrt, args=args, mode="reverse") == adjoint.source(fn, wrt=wrt, args=args, mode="reverse")


def test_generated_code_has_no_trivial_statements():
    for name, fn, wrt, args in CASES:
        text = adjoint.source(fn, wrt=wrt, args=args, mode="reverse")
        for line in text.splitlines():
            code = line.strip()
            if "=" in code and not code.startswith("#"):
                target, _, value = code.partition(" = ")
                assert target != value, f"{name}: self-copy `{code}`"
                assert not value.endswith(" + 0") and not value.endswith(" + 0.0"), f"{name}: `{code}`"


def test_the_readme_shows_the_stores_generated_code_as_it_is():
    readme = (GOLDEN.parent.parent / "README.md").read_text()
    block = readme.split("a loop\nfilling an n-array costs O(n) in both sweeps:\n\n```python\n")[1].split("```")[0]
    assert block.strip() in (GOLDEN / "recurrence.py.txt").read_text()
