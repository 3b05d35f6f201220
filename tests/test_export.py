"""`adjoint export`: standalone derivative modules that run where adjoint is not installed."""
import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import adjoint
import export_functions as targets
from adjoint import export

TESTS = pathlib.Path(__file__).parent
SITE_PACKAGES = os.path.dirname(os.path.dirname(np.__file__))      # numpy only: no adjoint, no .pth files

RNG = np.random.default_rng(5)
MLP_ARGS = (RNG.normal(size=(3, 4)), RNG.normal(size=4), RNG.normal(size=(4, 2)), RNG.normal(size=2),
            RNG.normal(size=(5, 3)), RNG.normal(size=(5, 2)))

# (function, --wrt, --mode, arguments, tangents for forward mode)
CASES = {
    "straight_line": (targets.straight_line, "x,y", "reverse", (0.7, 1.3), None),
    "taylor_sin": (targets.taylor_sin, None, "reverse", (0.9,), None),
    "helper_call": (targets.helper_call, None, "reverse", (0.4, 2.0), None),
    "mlp": (targets.mlp, "W1,b1,W2,b2", "reverse", MLP_ARGS, None),
    "decorated": (targets.decorated, "x,y", "reverse", (np.array([0.1, 0.2, 0.3]), 2.0), None),
    "mlp_forward": (targets.mlp, None, "forward", MLP_ARGS, (np.ones((3, 4)),)),
}


def cli(*args):
    return subprocess.run([sys.executable, "-m", "adjoint", *args], capture_output=True, text=True,
                          cwd=TESTS.parent, timeout=120)


def literal(value):
    """Python source that rebuilds value (floats and arrays exactly)."""
    if isinstance(value, np.ndarray):
        return f"np.array({value.tolist()!r})"
    return repr(value)


def plain(value):
    """value as JSON-ready nested lists of floats."""
    if isinstance(value, (tuple, list)):
        return [plain(v) for v in value]
    return np.asarray(value, dtype=float).tolist()


def run_standalone(directory, module, call):
    """Run `call` on the exported module in a fresh interpreter that cannot import adjoint."""
    code = ("try:\n    import adjoint\nexcept ModuleNotFoundError:\n    pass\n"
            "else:\n    raise SystemExit('adjoint is importable')\n"
            f"import json\nimport numpy as np\nimport {module} as exported\n"
            "def plain(v):\n    return [plain(x) for x in v] if isinstance(v, (tuple, list)) "
            "else np.asarray(v, dtype=float).tolist()\n"
            f"print(json.dumps(plain({call})))\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["PYTHONPATH"] = os.pathsep.join([str(directory), SITE_PACKAGES])
    result = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True,
                            cwd=directory, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("case", sorted(CASES))
def test_exported_module_runs_without_adjoint(case, tmp_path):
    fn, wrt, mode, args, tangents = CASES[case]
    name = fn.__name__
    options = (["--wrt", wrt] if wrt else []) + ["--mode", mode]
    result = cli("export", f"tests/export_functions.py:{name}", "-o", str(tmp_path / f"{case}.py"), *options)
    assert result.returncode == 0, result.stderr
    text = (tmp_path / f"{case}.py").read_text()
    imports = {line for line in text.splitlines() if line.startswith(("import ", "from "))}
    assert imports <= {"import math", "import numpy as np"}, imports
    wrt_names = tuple(wrt.split(",")) if wrt else 0
    if isinstance(wrt_names, tuple) and len(wrt_names) == 1:
        wrt_names = wrt_names[0]
    assert adjoint.source(fn, wrt=wrt_names, mode=mode) in text       # as adjoint.source prints it
    arguments = ", ".join(literal(a) for a in args)
    if mode == "forward":
        got = run_standalone(tmp_path, case, f"exported.jvp({arguments}, {', '.join(map(literal, tangents))})")
        full = tangents + tuple(np.zeros_like(a) for a in args[len(tangents):])
        expected = adjoint.jvp(fn, args, full)
    else:
        got = run_standalone(tmp_path, case, f"exported.value_and_grad({arguments})")
        expected = adjoint.value_and_grad(fn, wrt=wrt_names)(*args)
    np.testing.assert_allclose(flat(got), flat(plain(expected)), rtol=1e-12)


def flat(value):
    """Nested lists of numbers -> one flat list."""
    return [x for item in value for x in flat(item)] if isinstance(value, list) else [value]


def test_export_copies_the_function_its_helpers_constants_and_imports():
    text = export.export(targets.helper_call, wrt=("x", "y"))
    assert "def helper_call(x, y):" in text and "def _cube(x):" in text
    assert "def _square(x):" in text and "square_from_elsewhere = _square" in text   # from golden_functions
    assert "import numpy as np" in text and "rt = _adjoint_runtime()" in text
    assert text.index("def _square(x):") < text.index("square_from_elsewhere = _square")
    text = export.export(targets.straight_line)
    assert "import math" in text and "SCALE = 1.5\nSHIFT = SCALE * 2.0\n" in text


def test_export_copies_only_the_runtime_functions_used():
    text = export.export(targets.straight_line)
    namespace = {}
    exec(compile(text, "<exported>", "exec"), namespace)
    used = {name for name in dir(namespace["rt"]) if not name.startswith("__")}
    assert "like" in used and "matmul_grad_a" not in used and "def matmul_grad_a" not in text


def test_decorators_and_stop_gradient_are_replaced():
    text = export.export(targets.decorated)
    assert "@adjoint" not in text and "def stop_gradient(x):" in text and "class adjoint:" in text


def test_python_api_writes_the_file(tmp_path):
    path = tmp_path / "g.py"
    text = export.export(targets.taylor_sin, path=path)
    assert path.read_text() == text and text.startswith('"""Reverse-mode derivative of taylor_sin')
    namespace = {}
    exec(compile(text, str(path), "exec"), namespace)
    assert namespace["grad"](0.5) == pytest.approx(np.cos(0.5), abs=1e-7)


def test_rename_touches_names_only():
    source = "a = f(x)  # f\nb = obj.f + 'f'\n"
    assert export._rename(source, {"f": "g"}) == "a = g(x)  # f\nb = obj.f + 'f'\n"


def test_a_module_of_your_own_used_by_attribute_is_refused(tmp_path):
    (tmp_path / "helpers_mod.py").write_text("def sq(x):\n    return x * x\n")
    (tmp_path / "user.py").write_text("import helpers_mod\n\ndef f(x):\n    return helpers_mod.sq(x)\n")
    result = cli("export", str(tmp_path / "user.py") + ":f")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "helpers_mod" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_export_to_standard_output():
    result = cli("export", "tests/export_functions.py:taylor_sin")
    assert result.returncode == 0 and "def grad_taylor_sin(x, dout=1.0):" in result.stdout


@pytest.mark.parametrize("target, message", [
    ("tests/nowhere.py:f", "no such file"),
    ("tests/export_functions.py:nope", "has no function 'nope'"),
    ("tests/export_functions.py", "FILE.py:FUNCTION"),
])
def test_cli_errors_are_one_line_with_status_2(target, message, tmp_path):
    result = cli("export", target, "-o", str(tmp_path / "out.py"))
    assert result.returncode == 2 and result.stdout == ""
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr and not (tmp_path / "out.py").exists()


def test_cli_unwritable_output_is_status_2(tmp_path):
    result = cli("export", "tests/export_functions.py:taylor_sin", "-o", str(tmp_path / "missing" / "out.py"))
    assert result.returncode == 2 and "cannot write" in result.stderr and "Traceback" not in result.stderr


def test_generated_names_that_clash_with_yours_are_renamed(tmp_path):
    (tmp_path / "clash.py").write_text("import numpy as np\n\ndef sq(x):\n    return x * x\n\n"
                                       "def sq_fwd(x):\n    return np.sin(x)\n\n"
                                       "def f(x):\n    return sq(x) + sq_fwd(x)\n")
    result = cli("export", str(tmp_path / "clash.py") + ":f", "-o", str(tmp_path / "clash_grad.py"))
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "clash_grad.py").read_text()
    assert "def sq_fwd(x):\n    return np.sin(x)" in text and "def sq_fwd_1(x):" in text
    got = run_standalone(tmp_path, "clash_grad", "exported.grad(0.3)")
    assert got == pytest.approx(2 * 0.3 + np.cos(0.3), rel=1e-12)


def test_two_specialisations_of_one_helper_get_two_names():
    text = export.export(targets.two_shapes, args=(0.7,))
    assert "def _cube_fwd(x):" in text and "def _cube_fwd_1(x):" in text
    namespace = {}
    exec(compile(text, "<exported>", "exec"), namespace)
    assert namespace["grad"](0.7) == pytest.approx(adjoint.grad(targets.two_shapes)(0.7), rel=1e-12)
