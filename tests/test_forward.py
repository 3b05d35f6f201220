"""Forward mode: jvp over the whole corpus, generated forward source, Jacobians in both modes, vjp."""

import numpy as np
import pytest

import adjoint
import corpus_functions as cf
import forward_functions as ff
from adjoint.testing import check_jvp, check_modes, numerical_jacobian
from test_corpus import PARAMS, _inputs

# --- every corpus function: forward mode vs finite differences and vs reverse mode -------------


@pytest.mark.parametrize("fn, factory, wrt", PARAMS)
def test_corpus_jvp(fn, factory, wrt):
    args = _inputs(fn, factory, wrt)
    for seed in (0, 1):
        check_jvp(fn, *args, seed=seed)


# --- generated forward source ---------------------------------------------------------------


def test_forward_source_is_a_function_with_tangent_names():
    text = adjoint.source(cf.cube, mode="forward")
    assert isinstance(text, str) and text.startswith("def ")
    assert "dx" in text
    assert text != adjoint.source(cf.cube, mode="reverse")


def test_forward_source_of_a_loop_needs_no_stack():
    text = adjoint.source(cf.loop_with_break, mode="forward")
    assert text.startswith("def ") and "dx" in text and "for " in text and "break" in text
    assert "pop" not in text and "push" not in text     # tangents travel with the primal: no tape


def test_forward_source_names_only_the_requested_tangents():
    text = adjoint.source(cf.mlp_loss, wrt=("W1", "b2"), mode="forward")
    header = text.splitlines()[0]
    assert header.startswith("def ") and "dW1" in header and "db2" in header
    assert "dW2" not in header and "db1" not in header


# --- vector-valued functions: forward == reverse == finite differences -------------------------

VECTOR_CASES = [
    pytest.param(ff.elementwise_map, lambda r: (r.standard_normal(5),), 0, id="elementwise_map"),
    pytest.param(ff.matrix_vector, lambda r: (r.standard_normal((3, 4)), r.standard_normal(4)), (0, 1),
                 id="matrix_vector"),
    pytest.param(ff.loop_vector_iteration, lambda r: (r.standard_normal(4), 3), 0, id="loop_vector_iteration"),
    pytest.param(ff.loop_vector_by_index, lambda r: (r.standard_normal(3), 4), 0, id="loop_vector_by_index"),
    pytest.param(ff.loop_vector_list_concat, lambda r: (r.standard_normal(3), 4), 0, id="loop_vector_list_concat"),
    pytest.param(ff.two_outputs_concatenated, lambda r: (r.standard_normal(3), r.standard_normal(3)), (0, 1),
                 id="two_outputs_concatenated"),
    pytest.param(ff.two_outputs_as_array, lambda r: (r.standard_normal(3), r.standard_normal(3)), (0, 1),
                 id="two_outputs_as_array"),
]


@pytest.mark.parametrize("fn, factory, wrt", VECTOR_CASES)
def test_vector_jacobian_forward_reverse_and_finite_differences(fn, factory, wrt):
    args = factory(np.random.default_rng(7))
    forward = check_modes(fn, *args, wrt=wrt)
    reference = numerical_jacobian(fn, args, wrt)
    for got, want in zip(forward if isinstance(wrt, tuple) else (forward,),
                         reference if isinstance(wrt, tuple) else (reference,)):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8)
    check_jvp(fn, *args)


def test_matrix_vector_jacobian_is_the_matrix(rng):
    A, x = rng.standard_normal((3, 4)), rng.standard_normal(4)
    for mode in ("forward", "reverse"):
        np.testing.assert_allclose(adjoint.jacobian(ff.matrix_vector, wrt=1, mode=mode)(A, x), A, rtol=1e-14)


def test_elementwise_map_jacobian_is_diagonal(rng):
    x = rng.standard_normal(5)
    J = adjoint.jacobian(ff.elementwise_map, mode="forward")(x)
    want = np.sin(x) + x * np.cos(x) - 2 * x * np.exp(-x ** 2)
    np.testing.assert_allclose(J, np.diag(want), rtol=1e-12, atol=1e-15)


# --- shapes: out.shape + arg.shape ------------------------------------------------------------

SHAPE_CASES = [
    pytest.param(ff.scalar_to_vector, (0.7,), (4,), id="scalar_in_vector_out"),
    pytest.param(ff.scalar_to_matrix, (0.3,), (3, 2), id="scalar_in_matrix_out"),
    pytest.param(cf.sum_of_squares, (np.arange(1.0, 6.0),), (5,), id="vector_in_scalar_out"),
    pytest.param(ff.matrix_to_scalar, (np.arange(6.0).reshape(2, 3) / 6,), (2, 3), id="matrix_in_scalar_out"),
    pytest.param(ff.elementwise_map, (np.linspace(-1, 1, 6).reshape(2, 3),), (2, 3, 2, 3), id="matrix_in_matrix_out"),
    pytest.param(cf.cube, (1.5,), (), id="scalar_in_scalar_out"),
]


@pytest.mark.parametrize("fn, args, shape", SHAPE_CASES)
def test_jacobian_shape_is_out_shape_plus_arg_shape(fn, args, shape):
    for mode in ("forward", "reverse"):
        J = adjoint.jacobian(fn, mode=mode)(*args)
        assert np.shape(J) == shape, f"mode={mode}: shape {np.shape(J)}, expected {shape}"
    forward = check_modes(fn, *args)
    np.testing.assert_allclose(forward, numerical_jacobian(fn, args), rtol=1e-6, atol=1e-8)


# --- vjp ------------------------------------------------------------------------------------


def test_pullback_can_be_called_repeatedly(rng):
    x, y = rng.standard_normal(3), rng.standard_normal(3)
    out, pullback = adjoint.vjp(ff.two_outputs_as_array, x, y)
    v = rng.standard_normal(2)
    first = pullback(v)
    assert isinstance(first, tuple) and len(first) == 2
    for _ in range(3):
        again = pullback(v)
        for a, b in zip(again, first):
            np.testing.assert_array_equal(a, b)
    other = pullback(2 * v)                  # linear in the cotangent, and no state left behind
    for a, b in zip(other, first):
        np.testing.assert_allclose(a, 2 * b, rtol=1e-14)
    for a, b in zip(pullback(v), first):
        np.testing.assert_array_equal(a, b)


def test_pullback_of_a_loop_can_be_called_repeatedly(rng):
    x = rng.standard_normal(4)
    _, pullback = adjoint.vjp(ff.loop_vector_iteration, x, 3, wrt=0)
    v = rng.standard_normal(4)
    first = pullback(v)
    assert isinstance(first, np.ndarray) and first.shape == (4,)
    for _ in range(3):
        np.testing.assert_array_equal(pullback(v), first)


@pytest.mark.parametrize("fn, factory, wrt", [
    pytest.param(ff.matrix_vector, lambda r: (r.standard_normal((3, 4)), r.standard_normal(4)), (0, 1), id="matvec"),
    pytest.param(ff.elementwise_map, lambda r: (r.standard_normal((2, 3)),), 0, id="elementwise_2d"),
    pytest.param(ff.loop_vector_iteration, lambda r: (r.standard_normal(4), 3), 0, id="loop"),
    pytest.param(ff.scalar_to_matrix, lambda r: (0.4,), 0, id="scalar_to_matrix"),
])
def test_vjp_equals_jacobian_transpose_times_cotangent(fn, factory, wrt):
    rng = np.random.default_rng(11)
    args = factory(rng)
    out, pullback = adjoint.vjp(fn, *args, wrt=wrt)
    np.testing.assert_allclose(out, fn(*args), rtol=1e-14)
    v = rng.standard_normal(np.shape(out))
    got = pullback(v)
    jacobians = numerical_jacobian(fn, args, wrt)
    many = isinstance(wrt, tuple)
    for g, J, p in zip(got if many else (got,), jacobians if many else (jacobians,), wrt if many else (wrt,)):
        want = np.tensordot(v, J, axes=v.ndim)            # J^T v: contract over the output axes
        assert np.shape(g) == np.shape(args[p])
        np.testing.assert_allclose(g, want, rtol=1e-6, atol=1e-8)


def test_vjp_with_default_wrt_gives_a_tuple_over_all_arguments(rng):
    A, x = rng.standard_normal((3, 4)), rng.standard_normal(4)
    out, pullback = adjoint.vjp(ff.matrix_vector, A, x)
    v = rng.standard_normal(3)
    gA, gx = pullback(v)
    np.testing.assert_allclose(gA, np.outer(v, x), rtol=1e-13)
    np.testing.assert_allclose(gx, A.T @ v, rtol=1e-13)


# --- failures ---------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_failed_build_raises_the_same_error_again(mode, rng):
    x = rng.standard_normal(3)
    for _ in range(2):          # a half-built derivative must not be left in the cache
        with pytest.raises(adjoint.NonDifferentiable, match="_opaque"):
            adjoint.jacobian(ff.calls_opaque, mode=mode)(x)


def test_check_jvp_detects_a_wrong_tangent(monkeypatch):
    monkeypatch.setattr(adjoint, "jvp", lambda f, primals, tangents: (f(*primals), 0.0))
    with pytest.raises(AssertionError, match="finite difference"):
        check_jvp(cf.cube, 1.5)
