"""Each compiler stage on its own: what the program looks like after it."""
import textwrap

import gast

from adjoint import pipeline
from adjoint.activity import activity
import golden_functions as gf
import corpus_functions as cf


def stage(fn, name):
    return pipeline.show(pipeline.normalize(fn, upto=name).tree)


def test_simplify_rewrites_augmented_assignment():
    text = stage(cf.augmented_assignment, "simplify")
    assert "+=" not in text and "*=" not in text


def test_for_over_rows_becomes_range_over_len():
    text = stage(cf.loop_over_rows, "for-range")
    assert "range(len(X))" in text and "X[k]" in text


def test_return_in_loop_becomes_flag_and_break():
    text = stage(gf.taylor_sin, "loop-returns")
    assert "returned = True" in text and "break" in text
    assert "if returned:" in text


def test_absorb_moves_code_after_an_exit_into_else():
    tree = pipeline.normalize(cf.loop_with_continue, upto="absorb").tree
    assert not any(isinstance(n, gast.Continue) for n in gast.walk(tree))
    assert any(isinstance(n, gast.If) and n.orelse for n in gast.walk(tree))


def test_single_exit():
    tree = pipeline.normalize(gf.branch, upto="single-exit").tree
    returns = [n for n in gast.walk(tree) if isinstance(n, gast.Return)]
    assert len(returns) == 1 and tree.body[-1] is returns[0]


def test_anf_has_one_operation_per_statement():
    text = stage(gf.straight_line, "anf")
    assert text.strip().splitlines()[1:] == [
        "    t1 = x * y", "    t2 = np.sin(x)", "    z = t1 + t2", "    t3 = z / y", "    return t3"]


def test_ssa_of_a_loop_and_a_branch():
    """The SSA stage, printed: fresh names per assignment, phis at the loop header and after the if."""
    assert stage(gf.with_break, "ssa") == textwrap.dedent("""\
        def with_break(x):
            total = 0.0
            for i in range(10):
                total_1 = φ(total, total_2, total_2)
                t1 = x ** i
                total_2 = total_1 + t1
                cond = total_2 > 100.0
                if cond:
                    break
            return total_1
        """)


def test_ssa_phi_after_if():
    text = stage(gf.branch, "ssa")
    assert "        y_3 = φ(y_1, y_2)\n" in text          # the elif's join, inside the else
    assert "    y_4 = φ(y, y_3)\n    return y_4" in text   # the outer join, then the single return


def test_activity_excludes_counters_and_inactive_arguments():
    program = pipeline.normalize(gf.loop)
    active = activity(program.tree, program.parsed, ["x"])
    assert "i" not in active and "n" not in active
    assert "x" in active


def test_dump_environment_variable_prints_stage(monkeypatch, capsys):
    monkeypatch.setenv("ADJOINT_DUMP", "ssa")
    pipeline.normalize(gf.loop)
    assert "after ssa" in capsys.readouterr().err


def test_pass_table_lists_guarantees():
    assert [name for name, _, _ in pipeline.PASSES] == pipeline.STAGES
    assert all(doc for _, _, doc in pipeline.PASSES)
