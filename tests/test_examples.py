"""The gallery's demos, run at reduced size: each checks its own derivatives and returns 0."""
import importlib.util
import pathlib

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"


def load(name):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name, arguments", [
    ("tanh_derivatives", {"points": 25, "orders": 4, "picture": False}),
    ("error_propagation", {}),
    ("extremum", {}),
    ("taylor_sin", {}),
    ("classifier", {"samples": 60, "steps": 150, "picture": False}),
    ("beyond_the_gradient", {"samples": 16, "features": 3}),
    ("optical_network", {"n": 16, "plates": 2, "steps": 60, "picture": False}),
    ("trebuchet", {"batch": 4, "steps": 30, "picture": False}),
    ("digits", {"epochs": 2, "hidden": 32, "samples": 300, "picture": False}),
    ("char_lstm", {"steps": 40, "hidden": 8, "text": "abcabcabd abcabcabd", "picture": False}),
    ("ray_tracer", {"size": 20, "steps": 60, "picture": False}),
    ("any_array", {"n": 24, "steps": 10, "iterations": 150}),
])
def test_example_checks_its_derivatives(name, arguments, capsys):
    assert load(name).main(**arguments) == 0
    assert capsys.readouterr().out.rstrip().endswith("OK")
