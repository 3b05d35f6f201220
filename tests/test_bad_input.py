"""Misuse gets a clear error naming the function, the argument and what was expected; never a raw
traceback from inside adjoint or its generated code. One test per kind of misuse."""
import numpy as np
import pytest

import adjoint
from adjoint.testing import numerical_grad


def product(x, y):
    return x * y


def scaled(x, factor=3.0):
    return x * factor


def total(x):
    return np.sum(x ** 2)


def pair(x):
    return x * x, x


def test_derivative_called_with_too_few_arguments():
    for derivative in (adjoint.grad(product), adjoint.value_and_grad(product), adjoint.hessian(product),
                       adjoint.jacobian(product)):
        with pytest.raises(TypeError, match=r"product\(\).*'y'") as raised:
            derivative(2.0)
        assert isinstance(raised.value, adjoint.AdjointError)
    with pytest.raises(adjoint.ArgumentError, match=r"product\(\).*'y'"):
        adjoint.vjp(product, 2.0)
    with pytest.raises(adjoint.ArgumentError, match=r"product\(\).*'y'"):
        adjoint.jvp(product, (2.0,), (1.0,))


def test_wrt_names_a_defaulted_parameter_that_was_not_passed():
    # (issue 12: the derivative at the default, as the function would use it)
    assert adjoint.grad(scaled, wrt="factor")(2.0) == pytest.approx(2.0)
    assert adjoint.vjp(scaled, 2.0, wrt="factor")[1](1.0) == pytest.approx(2.0)
    assert adjoint.grad(scaled, wrt="factor")(2.0, 3.0) == pytest.approx(2.0)


def test_unknown_keyword():
    with pytest.raises(adjoint.ArgumentError, match=r"product\(\).*unexpected keyword argument 'z'"):
        adjoint.grad(product)(2.0, z=3.0)


@pytest.mark.parametrize("bad, described", [("abc", "str"), (None, "None"), (b"xy", "bytes"),
                                            (np.array(["a", "b"]), "dtype <U1")])
def test_string_or_none_where_an_array_is_expected(bad, described):
    with pytest.raises(adjoint.ArgumentError, match=rf"total.*'x'.*{described}.*expected a number") as raised:
        adjoint.grad(total)(bad)
    assert isinstance(raised.value, TypeError)


def test_list_where_an_array_is_expected():
    with pytest.raises(adjoint.ArgumentError, match=r"total.*'x' is a list.*np.asarray\(x\)"):
        adjoint.grad(total)([1.0, 2.0])


def test_grad_of_a_function_returning_a_tuple_without_has_aux():
    with pytest.raises(adjoint.AdjointError, match=r"pair returned a tuple of 2.*has_aux=True"):
        adjoint.grad(pair)(2.0)
    gradient, aux = adjoint.grad(pair, has_aux=True)(2.0)
    assert gradient == pytest.approx(4.0) and aux == 2.0


def test_jvp_with_a_tangent_of_the_wrong_shape():
    with pytest.raises(adjoint.ShapeError, match=r"total.*tangent for x has shape \(2,\).*x has shape \(3,\)"):
        adjoint.jvp(total, (np.ones(3),), (np.ones(2),))


def test_jvp_with_a_wrong_number_of_tangents():
    with pytest.raises(adjoint.ArgumentError, match="2 primals but 1 tangents"):
        adjoint.jvp(product, (1.0, 2.0), (1.0,))


def elementwise(x):
    return np.sin(x) * 2.0


def test_vjp_with_a_cotangent_of_the_wrong_shape():
    _, pullback = adjoint.vjp(elementwise, np.ones(3))
    with pytest.raises(adjoint.ShapeError, match=r"elementwise.*cotangent.*shape \(2,\).*shape \(3,\)"):
        pullback(np.ones(2))


def test_source_of_a_numpy_ufunc():
    with pytest.raises(adjoint.NoSource, match=r"sin.*no Python source.*defrule"):
        adjoint.source(np.sin)


def opaque(x):
    return x * 2.0


def test_defrule_template_with_a_syntax_error_fails_at_registration():
    with pytest.raises(adjoint.AdjointError, match=r"opaque.*reverse\['x'\].*not a Python expression"):
        adjoint.defrule(opaque, "x", reverse={"x": "g * (x +"})
    with pytest.raises(adjoint.AdjointError, match=r"opaque.*forward.*not a Python expression"):
        adjoint.defrule(opaque, "x", reverse={"x": "g * 2.0"}, forward="dx *")
    with pytest.raises(adjoint.AdjointError, match=r"opaque.*parameters"):
        adjoint.defrule(opaque, "x,,", reverse={"x": "g * 2.0"})
    assert adjoint.rules.lookup(opaque) is None                 # nothing half-registered


class Model:
    def __init__(self, w):
        self.w = w

    def energy(self, x):
        return self.w * x * x

    @classmethod
    def scaled_square(cls, x):
        return 3.0 * x * x

    def __call__(self, x):
        return np.sin(self.w * x)


def test_grad_of_a_bound_method_differentiates_it_with_self_bound():
    model = Model(2.5)
    assert adjoint.grad(model.energy)(1.5) == pytest.approx(numerical_grad(model.energy, (1.5,)))
    assert adjoint.value_and_grad(model.energy, wrt="x")(1.5)[1] == pytest.approx(7.5)
    assert "def grad_energy" in adjoint.source(model.energy)


def test_grad_of_a_classmethod_differentiates_it_with_cls_bound():
    assert adjoint.grad(Model.scaled_square)(1.5) == pytest.approx(numerical_grad(Model.scaled_square, (1.5,)))


def test_bound_method_called_with_too_many_arguments():
    with pytest.raises(adjoint.ArgumentError, match="energy"):
        adjoint.grad(Model(1.0).energy)(1.0, 2.0)
