"""User-registered derivative rules, and stop_gradient."""
import pytest

import adjoint
from adjoint.testing import check_grads
import rule_functions as rf


def test_rule_for_function_without_source_appears_inline():
    with pytest.raises(adjoint.NonDifferentiable):
        adjoint.source(rf.uses_kernel)
    adjoint.defrule(rf.cube_kernel, "x", reverse={"x": "g * 3 * x ** 2"}, forward={"x": "dx * 3 * x ** 2"})
    text = adjoint.source(rf.uses_kernel, args=(1.5,))
    assert "3 * x ** 2" in text
    assert adjoint.grad(rf.uses_kernel)(1.5) == pytest.approx(2.0 * 3 * 1.5 ** 2)
    assert adjoint.jvp(rf.uses_kernel, (1.5,), (1.0,))[1] == pytest.approx(2.0 * 3 * 1.5 ** 2)


def test_rule_overrides_differentiation_through_source():
    check_grads(rf.uses_soft_clip, 0.7)
    before = adjoint.source(rf.uses_soft_clip, args=(0.7,), mode="reverse")
    assert "soft_clip_s_fwd" in before or "soft_clip_fwd" in before
    rule = adjoint.defrule(rf.soft_clip, "x", reverse={"x": "g / (1.0 + abs(x)) ** 2"},
                           forward={"x": "dx / (1.0 + abs(x)) ** 2"})
    try:
        after = adjoint.source(rf.uses_soft_clip.__wrapped__ if hasattr(rf.uses_soft_clip, "__wrapped__")
                               else rf.uses_soft_clip, args=(0.7,), mode="reverse")
        assert "(1.0 + abs(x)) ** 2" in after and "_fwd" not in after
    finally:
        adjoint.rules.RULES.pop(rf.soft_clip, None)
    assert rule.name.endswith("soft_clip")


def test_stop_gradient_blocks_the_derivative():
    assert adjoint.grad(rf.uses_stop_gradient)(3.0) == pytest.approx(3.0)
