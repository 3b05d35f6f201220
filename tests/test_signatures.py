"""Parameters and calls as people write them (issue 12): keyword-only and defaulted parameters,
`**opts` of a dict built in the function, a derivative by a defaulted parameter not passed."""
import numpy as np
import pytest

import adjoint
from adjoint.testing import check_derivatives, check_grads


def powered(x, k=2.0, *, power=3, shift=0.0):
    return k * (x + shift) ** power


def calls_with_keywords(x):
    opts = {"power": 2, "shift": 0.5}
    return powered(x, **opts) + powered(x, k=0.5, power=4)


def only_keywords(x, *, scale, offset=1.0):
    return np.sum(np.tanh(scale * x + offset))


def test_keyword_only_parameters_in_every_mode():
    check_derivatives(powered, 1.3)
    check_derivatives(calls_with_keywords, 1.3)
    np.testing.assert_allclose(adjoint.grad(powered)(1.3, power=2, shift=0.5), 2 * 2.0 * 1.8)
    np.testing.assert_allclose(adjoint.grad(powered, wrt="shift")(1.3, shift=0.5), 2.0 * 3 * 1.8 ** 2)


def test_a_keyword_only_parameter_without_a_default():
    x = np.array([0.3, -0.2])
    gradient = adjoint.grad(only_keywords)(x, scale=2.0)
    np.testing.assert_allclose(gradient, 2.0 * (1 - np.tanh(2.0 * x + 1.0) ** 2))
    with pytest.raises(adjoint.ArgumentError, match="scale"):
        adjoint.grad(only_keywords)(x)


def test_keywords_from_a_dict_changed_after_it_is_built_are_rejected():
    def changes_its_options(x):
        opts = {"power": 2}
        opts["shift"] = x
        return powered(x, **opts)
    with pytest.raises(adjoint.UnsupportedSyntax, match=r"`\*\*kwargs` in calls is supported for a dict built once"):
        adjoint.grad(changes_its_options)(1.3)


def weighted_sum(x, *weights):
    return np.sin(x) * sum(w * w for w in weights) + x


def calls_a_helper_with_star_args(x):
    return weighted_sum(x, 1.0, 2.0)


def test_star_args_parameters_in_every_mode():
    check_grads(weighted_sum, 1.3, 0.5, 2.0)             # (the checks' own helpers take plain arguments)
    check_grads(weighted_sum, 1.3)
    step, gradient = 1e-5, adjoint.grad(weighted_sum)
    np.testing.assert_allclose(adjoint.hessian(weighted_sum)(1.3, 0.5, 2.0),
                               (gradient(1.3 + step, 0.5, 2.0) - gradient(1.3 - step, 0.5, 2.0)) / (2 * step), rtol=1e-6)
    np.testing.assert_allclose(adjoint.grad(weighted_sum, wrt="weights")(1.3, 0.5, 2.0),
                               (2 * 0.5 * np.sin(1.3), 2 * 2.0 * np.sin(1.3)))
    value, tangent = adjoint.jvp(weighted_sum, (1.3, 0.5, 2.0), (0.0, 1.0, 0.0))
    np.testing.assert_allclose(tangent, 2 * 0.5 * np.sin(1.3))
    (dx, dweights), = [adjoint.vjp(weighted_sum, 1.3, 0.5, 2.0)[1](1.0)]
    np.testing.assert_allclose(dweights, (2 * 0.5 * np.sin(1.3), 2 * 2.0 * np.sin(1.3)))


def test_a_helper_that_takes_star_args_is_passed_them_as_a_tuple():
    check_grads(calls_a_helper_with_star_args, 1.3)
    np.testing.assert_allclose(adjoint.grad(calls_a_helper_with_star_args)(1.3), 5 * np.cos(1.3) + 1)


def options_of(**opts):
    return opts["scale"]


def calls_a_helper_with_star_star_kwargs(x):
    return options_of(scale=x)


def test_calling_a_helper_that_takes_star_star_kwargs_says_what_to_write():
    with pytest.raises(adjoint.UnsupportedSyntax, match=r"`options_of`, which takes `\*\*kwargs`"):
        adjoint.grad(calls_a_helper_with_star_star_kwargs)(1.3)
