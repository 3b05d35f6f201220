"""`f(*items)`: the items passed one by one when their number is known when compiling, in every mode."""
import numpy as np
import pytest

import adjoint
from adjoint.testing import check_grads, check_jvp, numerical_jacobian
import starred_functions as sf


@pytest.mark.parametrize("fn, args", [
    (sf.through_a_helper, (0.7, 3.0)),
    (sf.from_a_display, (0.6, 1.4)),
    (sf.in_a_comprehension_and_a_loop, ([0.3, 0.9, 1.2], 2.5)),
    (sf.nested, (0.7, 1.3)),            # (fuzz seed 211, program 2246: the inner items were hoisted last)
    (sf.calls_a_helper_taking_args, (0.7, 1.3)),
    (sf.passes_named_and_extra_arguments, (0.4, 1.1)),
    (sf.packs_arrays_in_a_loop, (np.array([0.3, -0.8]), np.array([1.1, 0.5]))),
    (sf.passes_its_args_on, (0.4, 1.1)),
    (sf.with_a_nested_helper_taking_args, (0.5, 0.2)),
])
def test_starred_items_are_differentiated_in_every_mode(fn, args):
    check_grads(fn, *args, wrt=tuple(range(len(args))))
    check_jvp(fn, *args)
    if all(isinstance(a, float) for a in args):
        hessian = adjoint.hessian(fn, wrt=0)(*args)
        reference = numerical_jacobian(adjoint.grad(fn, wrt=0), args, wrt=0, eps=1e-5)
        np.testing.assert_allclose(hessian, reference, rtol=1e-5)


def test_the_generated_code_passes_the_items_of_one_call():
    text = adjoint.source(sf.through_a_helper)
    assert "items, launch_state = launch_dangle_fwd(angle, speed)" in text      # the helper runs once
    assert "reach_dvx_vy_fwd(items[0], items[1])" in text


def test_a_helper_taking_args_gets_them_as_one_tuple():
    text = adjoint.source(sf.calls_a_helper_taking_args)
    assert "squares_1_fwd((x, y, x * y))" in text and "squares_1()" in text


def test_a_method_taking_args_gets_them_as_one_tuple():
    s = sf.Scaled(1.5)
    check_grads(sf.through_a_method_taking_args, s, 0.4, 1.2, wrt=(1, 2))
    check_jvp(lambda x, y: sf.through_a_method_taking_args(s, x, y), 0.4, 1.2)
    hessian = adjoint.hessian(sf.through_a_method_taking_args, wrt=1)(s, 0.4, 1.2)
    reference = numerical_jacobian(adjoint.grad(sf.through_a_method_taking_args, wrt=1), (s, 0.4, 1.2), wrt=1,
                                   eps=1e-5)
    np.testing.assert_allclose(hessian, reference, rtol=1e-5)


def test_a_helper_taking_args_called_through_a_local_name_is_refused_at_its_line():
    with pytest.raises(adjoint.NonDifferentiable, match=r"takes `\*args`.*call `squares` by its own name") as info:
        adjoint.grad(sf.through_a_local_name)(0.4)
    assert "starred_functions.py, line" in str(info.value)


@pytest.mark.parametrize("fn, args, what", [
    (sf.of_a_parameter, ((0.5, 1.0),), "number of items is not known"),
    (sf.in_a_while_test, (1.0,), "in a `while` test"),
])
def test_starred_items_of_unknown_number_or_in_a_while_test_are_rejected_at_their_line(fn, args, what):
    with pytest.raises(adjoint.UnsupportedSyntax, match=what) as info:
        adjoint.grad(fn)(*args)
    assert "starred_functions.py" in str(info.value) and "hint:" in str(info.value)
