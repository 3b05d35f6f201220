"""The `adjoint` command line, run as a user runs it."""
import pathlib
import subprocess
import sys

TESTS = pathlib.Path(__file__).parent


def run(*args):
    return subprocess.run([sys.executable, "-m", "adjoint", *args], capture_output=True, text=True,
                          cwd=TESTS.parent, timeout=120)


def test_show_prints_generated_source():
    result = run("show", "tests/golden_functions.py:straight_line", "--wrt", "x,y")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("def grad_straight_line(x, y, dout=1.0):")
    assert "return t3, (dx, dy)" in result.stdout


def test_show_stage_ssa_prints_phis():
    result = run("show", "tests/golden_functions.py:loop", "--stage", "ssa")
    assert result.returncode == 0 and "φ(s, s_2)" in result.stdout


def test_no_optimize_shows_the_raw_generator_output():
    raw = run("show", "tests/golden_functions.py:taylor_sin", "--no-optimize").stdout
    optimized = run("show", "tests/golden_functions.py:taylor_sin").stdout
    assert len(raw.splitlines()) > len(optimized.splitlines())


def test_missing_function_is_one_line_on_stderr_with_status_2():
    result = run("show", "tests/golden_functions.py:nope")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip() == "adjoint: tests/golden_functions.py has no function 'nope'"


def test_bad_path_and_bad_spec():
    assert run("show", "tests/nowhere.py:f").returncode == 2
    result = run("show", "tests/golden_functions.py")
    assert result.returncode == 2 and "FILE.py:FUNCTION" in result.stderr
    assert "Traceback" not in result.stderr


def test_unsupported_syntax_shows_line_and_caret():
    result = run("show", "tests/bad_functions.py:uses_try")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "bad_functions.py\", line" in result.stderr and "^" in result.stderr and "hint:" in result.stderr


def test_rules_lists_functions():
    result = run("rules")
    assert result.returncode == 0 and "np.sin" in result.stdout and "functions with derivatives" in result.stdout


def test_rules_table_in_docs_is_up_to_date_and_readme_states_the_count():
    # a fresh process: other tests register rules of their own
    table = run("rules", "--markdown").stdout
    docs = TESTS.parent / "docs" / "rules.md"
    assert docs.read_text() == table, "regenerate: adjoint rules --markdown > docs/rules.md"
    count = int(table.split(" functions and operators")[0].split()[-1])
    assert f"{count} NumPy, `math` and builtin functions" in (TESTS.parent / "README.md").read_text()


def test_rules_output_into_a_closed_pipe_is_quiet():
    result = subprocess.run(f"{sys.executable} -m adjoint rules | head -1", shell=True, capture_output=True,
                            text=True, cwd=TESTS.parent, timeout=120)
    assert "Traceback" not in result.stderr
