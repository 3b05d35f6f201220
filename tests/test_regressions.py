"""Regression tests, each named after what broke."""
import numpy as np

import adjoint
from adjoint.testing import check_grads
import regression_functions as rf


def test_one_helper_called_with_two_shapes_gets_two_matching_pairs():
    # the forward sweep once used the second call's fwd for both calls, and naming its
    # generated functions looped forever
    check_grads(rf.f, np.array([0.5, -1.0, 2.0]), 2.0, wrt=(0, 1))
    text = adjoint.source(rf.f, wrt=(0, 1), args=(np.ones(3), 2.0))
    assert "weigh_fwd(x)" in text and "weigh_fwd_1(s)" in text
    assert "weigh_bwd(weigh_state," in text and "weigh_bwd_1(weigh_state_1," in text
