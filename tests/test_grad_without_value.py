"""grad discards the function's value: when the output is known to be a number, its generated code
does not compute what only the value needs (a hand-written gradient would not either), and the
checks of the output still hold where the output is not known."""
import numpy as np
import pytest

import adjoint
from adjoint import api, cache, driver
from adjoint.errors import AdjointError
from adjoint.testing import check_grads


def pairwise_energy(xs):
    e = 0.0
    for i in range(len(xs)):
        for j in range(i + 1, len(xs)):
            d = xs[i] - xs[j]
            e = e + 1.0 / (d * d + 0.1)
    return e


def grad_source(fn, *args):
    params = list(api._signature(fn).parameters)
    generated = driver.build_reverse(fn, params[:1], {p: api._kind(a) for p, a in zip(params, args)}, keep_value=False)
    return "\n".join(cache.render(g) for g in cache.unit(generated))


def test_the_value_only_grad_discards_is_not_computed():
    xs = [0.1, 0.7, 1.9, 2.2]
    source = grad_source(pairwise_energy, xs)
    assert "return rt.value_not_computed, dxs" in source
    code = [line for line in source.splitlines() if not line.strip().startswith("#")]
    assert not any("1.0 /" in line or " e = " in line for line in code)     # the energy itself is gone
    value, gradient = adjoint.value_and_grad(pairwise_energy)(xs)
    assert value == pairwise_energy(xs)
    np.testing.assert_allclose(adjoint.grad(pairwise_energy)(xs), gradient, rtol=1e-15)
    check_grads(pairwise_energy, xs)


def test_an_output_of_unknown_shape_is_still_checked():
    def doubled(x):
        return x * 2.0
    with pytest.raises(AdjointError, match="scalar output"):
        adjoint.grad(doubled)(np.ones(3))


def test_a_function_returning_nothing_is_still_an_error():
    def nothing(x):
        print(x * 2.0)
    with pytest.raises(AdjointError):
        adjoint.grad(nothing)(1.5)


def test_auxiliary_data_keeps_the_value():
    def with_aux(x):
        return np.sum(x ** 2), {"norm": np.sqrt(np.sum(x ** 2))}
    gradient, aux = adjoint.grad(with_aux, has_aux=True)(np.array([3.0, 4.0]))
    np.testing.assert_allclose(gradient, [6.0, 8.0])
    assert aux["norm"] == 5.0
