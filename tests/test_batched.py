"""A backward loop's adjoint of a matrix-vector product, `dW = dW + np.outer(a, b)` per iteration,
is collected and summed after the loop as one matrix product (cleanup.batch_outer_products): the
same gradients, tangents and Hessians (forward mode over the generated code, through the rule of
rt.outer_sum), checked against central differences."""
import numpy as np
import pytest

import adjoint
from adjoint import runtime
from adjoint.errors import NonDifferentiable
from adjoint.testing import check_derivatives, check_grads, numerical_jacobian

import batched_functions as B
import shape_fact_functions as sf

_rng = np.random.default_rng(5)
W = _rng.standard_normal((4, 4)) * 0.4
U = _rng.standard_normal((4, 3)) * 0.4
b = _rng.standard_normal(4) * 0.1
V = _rng.standard_normal(4) * 0.5


@pytest.mark.parametrize("f", [B.rnn, B.rnn_matmul])
def test_an_rnn_sums_its_outer_products_after_the_loop(f):
    text = adjoint.source(f, wrt=(0, 1, 2), args=(W, U, b, B.XS))
    assert "dW = dW + rt.outer_sum(dW_outer_a, dW_outer_b)" in text and "np.outer" not in text
    check_grads(f, W, U, b, B.XS, wrt=(0, 1, 2))
    check_derivatives(f, W, U, b, B.XS, wrt=0)         # the Hessian: forward mode through rt.outer_sum
    check_derivatives(f, W, U, b, B.XS, wrt=1)


def test_the_rule_of_outer_sum_in_both_modes():
    a, c = np.array([0.3, -0.2, 0.5]), np.array([0.1, 0.7])
    check_grads(B.calls_outer_sum, a, c, wrt=(0, 1))
    check_derivatives(B.calls_outer_sum, a, c, wrt=0)
    check_derivatives(B.calls_outer_sum, a, c, wrt=1)


def test_an_adjoint_read_in_the_loop_is_not_batched():
    assert "dW_outer" not in adjoint.source(B.adjoint_read_in_the_loop, wrt=(0, 1), args=(W, V))
    check_grads(B.adjoint_read_in_the_loop, W, V, wrt=(0, 1))


def test_a_function_that_stores_is_not_batched():
    assert "outer_sum" not in adjoint.source(B.stores_in_the_loop, wrt=0, args=(W, V))
    check_grads(B.stores_in_the_loop, W, V, wrt=0)


def test_a_loop_of_no_steps():
    assert np.array_equal(adjoint.grad(B.no_steps, 0)(W, V, 0), np.ones((4, 4)))
    check_grads(B.no_steps, W, V, 2, wrt=(0, 1))
    check_derivatives(B.no_steps, W, V, 2, wrt=0)


def test_outer_sum_is_the_sum_of_outer_products():
    rows, cols = [np.arange(3.0), np.ones(3)], [np.arange(2.0), np.array([2.0, -1.0])]
    assert np.array_equal(runtime.outer_sum(rows, cols), np.outer(rows[0], cols[0]) + np.outer(rows[1], cols[1]))
    assert runtime.outer_sum([], []) is runtime.zero
    assert np.array_equal(runtime.outer_sum([runtime.zero, rows[1]], cols), np.outer(rows[1], cols[1]))


def test_a_function_adding_into_adjoint_buffers_is_not_batched():
    v = np.linspace(-0.4, 0.4, 6)
    w = np.random.default_rng(7).standard_normal((6, 4)) * 0.3
    text = adjoint.source(B.adds_into_a_buffer, wrt=(0, 1), args=(w, v))
    assert "rt.add_at" in text and "outer_sum" not in text
    check_grads(B.adds_into_a_buffer, w, v, wrt=(0, 1))


def test_a_buffer_made_each_step_and_stored_into_before_the_product_is_batched():
    """lstm: the gate slices' adjoints add into `dz` (`dz[2:4] += g`), made afresh each step by
    `dz = rt.add_at(rt.zero, ...)`, before `dW = dW + np.outer(dz, t5)` appends it: nothing stores
    into it after that, and the next step's stores go into a new buffer."""
    w, xs = _rng.standard_normal((6, 5)) * 0.4, _rng.standard_normal((2 * runtime.OUTER_CHUNK + 3, 3)) * 0.5
    text = adjoint.source(sf.gate_steps, args=(w, xs))
    assert "dz[2:4] += " in text and "rt.outer_sum(dW_outer_a, dW_outer_b)" in text, text
    check_grads(sf.gate_steps, w, xs)
    check_derivatives(sf.gate_steps, w, xs[:4])


def test_reverse_mode_over_a_gradient_with_a_loop_is_refused_not_wrong():
    """The generated gradient saves loop values on a list (`push = stack.append`); reverse mode over
    it dropped the derivatives of what it popped (a wrong Hessian, 1.6 off) once the adjoint of
    `W.T @ dz` stopped crashing on a zero adjoint. Values pushed are now active through the list,
    and reverse mode over such code (a vjp of value_and_grad) refuses the save stack, saying which
    mode works. The Jacobian of a gradient, and a vjp of one, run forward mode over its code: the
    same numbers by the symmetry of second derivatives."""
    w, v = W[:3, :3], V[:3]
    gradient = adjoint.grad(B.small_loop, 0)
    with pytest.raises(NonDifferentiable, match="save stack.*forward mode"):
        adjoint.vjp(adjoint.value_and_grad(B.small_loop, 0), w, v, wrt=0)
    want = numerical_jacobian(lambda m: gradient(m, v), (w,))
    for mode in ("reverse", "forward"):
        assert np.allclose(adjoint.jacobian(gradient, mode=mode)(w, v), want, rtol=1e-5, atol=1e-7)
    assert np.allclose(adjoint.hessian(B.small_loop, 0)(w, v), want, rtol=1e-5, atol=1e-7)
    cotangent = np.arange(9.0).reshape(3, 3) / 9
    value, pullback = adjoint.vjp(gradient, w, v, wrt=0)
    assert np.allclose(value, gradient(w, v))
    assert np.allclose(pullback(cotangent), np.tensordot(cotangent, want, axes=2), rtol=1e-5, atol=1e-7)


def test_a_vjp_of_a_gradient_with_respect_to_other_arguments():
    """vjp(grad(f, wrt=K), wrt=W)(c) = sum over K of c_k d(df/dx_k)/dx_W: the derivative of
    grad(f, wrt=W) along c placed on K (one forward sweep over the gradient's code)."""
    w, v = W[:3, :3], V[:3]
    both = adjoint.grad(B.small_loop, (0, 1))
    value, pullback = adjoint.vjp(both, w, v, wrt=1)
    cw, cv = np.ones((3, 3)) * 0.3, np.array([0.2, -0.1, 0.5])
    jw = numerical_jacobian(lambda x: both(w, x)[0], (v,))
    jv = numerical_jacobian(lambda x: both(w, x)[1], (v,))
    assert np.allclose(pullback((cw, cv)), np.tensordot(cw, jw, axes=2) + cv @ jv, rtol=1e-5, atol=1e-7)
    dw, dv = adjoint.vjp(adjoint.grad(B.small_loop, 1), w, v)[1](cv)       # every argument
    assert dw.shape == w.shape and np.allclose(dv, cv @ numerical_jacobian(lambda x: adjoint.grad(B.small_loop, 1)(w, x), (v,)),
                                               rtol=1e-5, atol=1e-7)


def test_the_adjoint_of_a_matrix_product_takes_a_zero_adjoint_as_a_number():
    a, b = np.arange(6.0).reshape(2, 3), np.arange(3.0)
    assert np.array_equal(runtime.matmul_grad_a(0.0, a, b), np.zeros((2, 3)))
    assert np.array_equal(runtime.matmul_grad_b(0.0, a, b), np.zeros(3))


def test_a_long_loop_sums_its_outer_products_chunk_by_chunk():
    xs = np.random.default_rng(9).standard_normal((2 * runtime.OUTER_CHUNK + 5, 3)) * 0.3
    text = adjoint.source(B.rnn, wrt=(0, 1, 2), args=(W, U, b, xs))
    assert "if len(dW_outer_a) == rt.OUTER_CHUNK:" in text
    check_grads(B.rnn, W * 0.5, U, b, xs, wrt=(0, 1, 2))
    check_derivatives(B.rnn, W * 0.5, U, b, xs, wrt=1)
