"""Containers as parameters and values: gradients keep the structure of their argument."""
import numpy as np
import pytest

import adjoint
from adjoint.testing import check_grads, numerical_grad
import container_functions as cf

RNG = np.random.default_rng(5)
PARAMS = {"W1": RNG.standard_normal((4, 3)) * 0.5, "b1": RNG.standard_normal(3),
          "W2": RNG.standard_normal((3, 2)) * 0.5, "b2": RNG.standard_normal(2)}
X, Y = RNG.standard_normal((6, 4)), RNG.standard_normal((6, 2))


def test_dict_of_parameters_gives_dict_of_gradients():
    g = adjoint.grad(cf.mlp_params)(PARAMS, X, Y)
    assert isinstance(g, dict) and set(g) == set(PARAMS)
    for key, value in PARAMS.items():
        assert g[key].shape == value.shape
        def f(v, key=key):
            return cf.mlp_params({**PARAMS, key: v}, X, Y)
        np.testing.assert_allclose(g[key], numerical_grad(f, (value,), 0), rtol=1e-6, atol=1e-9)


def test_list_of_arrays():
    ws = [RNG.standard_normal((3, 3)) * 0.5 for _ in range(3)]
    x = RNG.standard_normal(3)
    g = adjoint.grad(cf.list_of_arrays)(ws, x)
    assert isinstance(g, list) and [a.shape for a in g] == [w.shape for w in ws]
    check_grads(cf.list_of_arrays, ws, x, wrt=(0, 1))


def test_tuple_returned_by_a_helper_and_unpacked():
    check_grads(cf.tuple_return_unpacked, RNG.standard_normal(4))


def test_nested_dict_and_list():
    p = {"layers": [RNG.standard_normal(3), RNG.standard_normal(3)], "scale": 1.5}
    g = adjoint.grad(cf.nested_structure)(p)
    assert type(g["scale"]) is float and isinstance(g["layers"], list)
    np.testing.assert_allclose(g["layers"][0], p["layers"][1])
    np.testing.assert_allclose(g["layers"][1], p["layers"][0])
    assert g["scale"] == pytest.approx(3.0)


def test_dict_built_inside():
    check_grads(cf.builds_dict, RNG.standard_normal(3))


def test_has_aux_returns_auxiliary_values_unchanged():
    w, x = RNG.standard_normal(3), RNG.standard_normal(3)
    g, aux = adjoint.grad(cf.loss_with_aux, has_aux=True)(w, x)
    want = numerical_grad(lambda v: cf.loss_with_aux(v, x)[0], (w,), 0)
    np.testing.assert_allclose(g, want, rtol=1e-6)
    np.testing.assert_allclose(aux["pred"], np.tanh(w * x))
    (value, aux2), g2 = adjoint.value_and_grad(cf.loss_with_aux, has_aux=True)(w, x)
    assert value == pytest.approx(cf.loss_with_aux(w, x)[0])
    np.testing.assert_allclose(g2, g)
    assert aux2["mean"] == pytest.approx(np.mean(np.tanh(w * x)))
