"""The second round of NumPy coverage (rules/definitions.py and the rules added with it), against
central finite differences in reverse and forward mode, and the Hessian (forward over reverse)
against differences of the gradient. Values are NumPy's: check_grads compares value_and_grad's value
with the function's own."""
import numpy as np
import pytest

import adjoint
from adjoint.testing import check_grads, check_jvp, numerical_jacobian
import numpy_functions as nf

R = np.random.default_rng(11)
# np.cross of 2-vectors is deprecated in NumPy 2 (the primal's own call warns); adjoint still differentiates it
pytestmark = pytest.mark.filterwarnings("ignore:Arrays of 2-dimensional vectors:DeprecationWarning")


def normal(*shape, scale=1.0):
    return lambda: scale * R.standard_normal(shape)


def uniform(lo, hi, *shape):
    return lambda: R.uniform(lo, hi, shape)


def fixed(value):
    return lambda: np.array(value, dtype=float)


def complex_normal(*shape):
    return lambda: R.standard_normal(shape) + 1j * R.standard_normal(shape)


def well_conditioned(n):
    return lambda: R.standard_normal((n, n)) + n * np.eye(n)


def distinct(*shape):
    """Values far apart (no ties, so positions chosen by value do not move under differences)."""
    return lambda: R.permutation(np.arange(np.prod(shape)) * 0.37 - 1.1).reshape(shape) + R.uniform(0, 0.05, shape)


def args(*factories):
    return lambda: tuple(f() for f in factories)


# (function in numpy_functions, factory of its arguments, wrt, also its Hessian)
CASES = [
    ("diff_twice", args(normal(5, 3)), 0, True),
    ("diff_ends", args(normal(3, 4), normal(3, 2)), (0, 1), True),
    ("ediff1d_ends", args(normal(2, 3), normal(3)), (0, 1), True),
    ("trapezoid_x", args(normal(3, 5), fixed([0.0, 0.4, 1.1, 1.5, 2.6])), (0, 1), True),
    ("trapezoid_dx", args(normal(4, 3)), 0, True),
    ("cross_3", args(normal(4, 3), normal(4, 3)), (0, 1), True),
    ("cross_2", args(normal(4, 3), normal(4, 3)), (0, 1), True),
    ("cross_axis", args(normal(4, 3), normal(4, 3)), (0, 1), True),
    ("gradient_1d", args(normal(7)), 0, True),
    ("gradient_2d", args(normal(4, 5)), 0, True),
    ("gradient_coordinates", args(normal(6)), 0, True),
    ("gradient_axis", args(normal(3, 4)), 0, True),
    ("append_flat", args(normal(2, 3), normal(4)), (0, 1), True),
    ("append_axis", args(normal(2, 3), normal(1, 3)), (0, 1), True),
    ("rotations", args(normal(3, 4)), 0, True),
    ("rollaxis_3d", args(normal(2, 3, 4)), 0, True),
    ("splits", args(normal(4, 6)), 0, True),
    ("dsplit_dstack", args(normal(2, 3), normal(2, 3)), (0, 1), True),
    ("take_repeated", args(normal(3, 4)), 0, True),
    ("take_along", args(normal(3, 4)), 0, True),
    ("partition_low", args(distinct(3, 6)), 0, True),
    ("block_2x2", args(normal(2, 2), normal(2, 2)), (0, 1), True),
    ("choose_select", args(distinct(3, 4), normal(3, 4)), (0, 1), True),
    ("compress_extract", args(distinct(3, 4)), 0, True),
    ("delete_insert", args(normal(2, 4), normal(3)), (0, 1), True),
    ("diagflat_resize", args(normal(2, 3)), 0, True),
    ("unstack_trim", args(uniform(0.5, 1.5, 3, 4)), 0, True),
    ("cumulative", args(normal(3, 4)), 0, True),
    ("meshgrids", args(normal(3), normal(4)), (0, 1), True),
    ("broadcast_pair", args(normal(4), normal(3)), (0, 1), True),
    ("full_like_array", args(normal(3, 4), normal(2)), (0, 1), True),
    ("pads", args(normal(3, 4)), 0, True),
    ("statistic_pads", args(distinct(3, 4)), 0, True),
    ("casts", args(uniform(0.1, 0.4, 3, 4)), 0, True),
    ("asarrays", args(normal(3, 4)), 0, True),
    ("bincount_weights", args(normal(6)), 0, True),
    ("medians", args(distinct(4, 6)), 0, True),
    ("medians", args(distinct(5, 3)), 0, False),
    ("medians_over_axes", args(distinct(2, 3, 4)), 0, True),
    ("quantiles", args(distinct(4, 6), fixed([0.3, 0.77])), (0, 1), True),
    ("nan_reductions", args(distinct(4, 5)), 0, True),
    ("nan_quantiles", args(distinct(4, 5)), 0, True),
    ("nan_to_num_inf", args(distinct(3, 5)), 0, True),
    ("angle_of", args(complex_normal(3, 4)), 0, False),
    ("real_if_close_of", args(complex_normal(3, 4)), 0, False),
    ("bessel_ldexp", args(normal(3, 4)), 0, True),
    ("frexp_modf", args(distinct(3, 4)), 0, True),
    ("unwrap_phase", args(uniform(0.5, 1.5, 8)), 0, True),
    ("spaces", args(fixed([0.3, 1.7, 0.2, 0.6])), 0, True),
    ("interpolated", args(fixed([-0.3, 0.25, 0.9, 1.4, 2.7, 3.3]), fixed([0.0, 0.5, 1.2, 2.0, 3.0]), normal(5)),
     (0, 1, 2), True),
    ("sorted_complex", args(complex_normal(6)), 0, False),
    ("multi_dot_3", args(normal(2, 3), normal(3, 4), normal(4, 2)), (0, 1, 2), True),
    ("matrix_powers", args(well_conditioned(3)), 0, True),
    ("matrix_norms", args(well_conditioned(3)), 0, True),
    ("conditions", args(well_conditioned(3)), 0, True),
    ("least_squares", args(normal(6, 3), normal(6)), (0, 1), True),
    ("linalg_namespace", args(normal(3, 3), normal(3, 3)), (0, 1), True),
    ("tensor_inverses", args(lambda: (R.standard_normal((4, 4)) + 4 * np.eye(4)).ravel(), normal(4)), (0, 1), True),
    ("polynomials", args(normal(4), normal(3)), (0, 1), True),
    ("polynomial_roots", args(fixed([0.5, -1.3, 2.1])), 0, True),
    ("polynomial_fit", args(fixed(np.linspace(-1.0, 1.5, 8)), normal(8)), (0, 1), True),
    ("convolutions", args(normal(6), normal(3)), (0, 1), True),
    ("covariances", args(normal(3, 5), normal(3, 5)), (0, 1), True),
    ("hermitian_ffts", args(complex_normal(4)), 0, False),
]
ARGS = {}
IDS = [f"{c[0]}-{i}" for i, c in enumerate(CASES)]


def _args(index):
    """The arguments of a case, made once so that every mode checks the same point."""
    return ARGS.setdefault(index, CASES[index][1]())


@pytest.mark.parametrize("index", range(len(CASES)), ids=IDS)
def test_reverse(index):
    name, _, wrt, _ = CASES[index]
    check_grads(getattr(nf, name), *_args(index), wrt=wrt, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("index", range(len(CASES)), ids=IDS)
def test_forward(index):
    check_jvp(getattr(nf, CASES[index][0]), *_args(index), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("index", [i for i, c in enumerate(CASES) if c[3]], ids=[IDS[i] for i, c in enumerate(CASES) if c[3]])
def test_hessian(index):
    f, arguments = getattr(nf, CASES[index][0]), _args(index)
    hessian = adjoint.hessian(f, wrt=0)(*arguments)
    reference = numerical_jacobian(adjoint.grad(f, wrt=0), arguments, wrt=0, eps=1e-5)
    np.testing.assert_allclose(hessian, reference, rtol=1e-4, atol=1e-5)


# --- regressions found while adding these functions ------------------------------------------------

def modf_and_frexp_both_read(x):
    fraction, whole = np.modf(3 * x)
    mantissa, exponent = np.frexp(3 * x)
    return np.sum(fraction * fraction) + np.sum(whole * x) + np.sum(mantissa * mantissa) + np.sum(exponent * x)


def test_two_output_ufunc_results_keep_both_adjoints():
    # np.modf's result is a tuple: shape inference took it for an array of its input's shape, and the
    # adjoints of its two items were joined with `+` (list concatenation), losing one of them
    check_grads(modf_and_frexp_both_read, np.array([0.3, 1.1, 2.5, -0.7]))


def blocks_by_kind(xs):
    if isinstance(xs[0], list):
        return np.sum(np.concatenate([np.concatenate(row) for row in xs]) ** 2)
    return np.sum(np.concatenate(xs) ** 2)


def test_if_test_calling_a_function_of_an_index_is_flattened():
    # `if isinstance(xs[0], list):` kept `xs[0]` nested in the call (the anf check caught it)
    x = np.array([0.5, -1.0])
    check_grads(blocks_by_kind, [[x, 2 * x], [x]])
    check_grads(blocks_by_kind, [x, 2 * x])


def flattening_cumprod(x):
    return np.sum(np.cumprod(x) * np.arange(1.0, 7.0))


def test_hessian_of_a_flattening_cumprod_of_a_matrix():
    # the tangent of cumprod's adjoint spread the flat g over the matrix's shape
    x = np.array([[0.5, -1.2, 0.3], [1.1, 0.8, -0.4]])
    hessian = adjoint.hessian(flattening_cumprod)(x)
    reference = numerical_jacobian(adjoint.grad(flattening_cumprod), (x,), eps=1e-5)
    np.testing.assert_allclose(hessian, reference, rtol=1e-4, atol=1e-6)


def sampled_range(a, b):
    return np.sum(np.sin(np.linspace(a, b, 5))) + np.sum(np.arange(a, 4.0, b) ** 2)


def test_linspace_and_arange_of_differentiated_endpoints_carry_the_derivative():
    # both were declared to carry no derivative: a grid whose ends depend on the arguments got zero
    check_grads(sampled_range, 0.2, 0.7, wrt=(0, 1))
    check_jvp(sampled_range, 0.2, 0.7)


def differentiated_spacing(x, h):
    return np.sum(np.gradient(x * x, h))


def test_a_rule_with_no_template_for_an_active_item_of_star_args_says_so():
    # np.gradient(f, *varargs): the spacing has no template; a differentiated spacing is not dropped
    with pytest.raises(adjoint.NonDifferentiable, match="varargs"):
        adjoint.grad(differentiated_spacing, wrt=(0, 1))(np.array([0.1, 0.5, 0.9]), 0.5)
    assert adjoint.grad(differentiated_spacing)(np.array([0.1, 0.5, 0.9]), 0.5).shape == (3,)


def spectral_norm_of_outer(a, b):
    return np.linalg.norm(np.outer(a, b), 2) + np.linalg.norm(np.outer(b, a), "nuc")


def test_matrix_norm_of_a_value_of_unknown_shape():
    # (fuzz seed 901, program 6): forward mode did not know np.outer's shape, so the rule ran, which
    # raised for matrix orders; the runtime now gives them (the definition covers known shapes)
    a, b = np.array([0.5, -1.0, 2.0]), np.array([1.5, 0.3, -0.2])
    check_grads(spectral_norm_of_outer, a, b, wrt=(0, 1))
    check_jvp(spectral_norm_of_outer, a, b)


# --- elementwise_grad ------------------------------------------------------------------------------

def tanh_by_hand(x):
    y = np.exp(-2.0 * x)
    return (1.0 - y) / (1.0 + y)


def scaled_sine(x, s):
    return np.sin(x * s)


def test_elementwise_grad_nests_to_the_fifth_derivative():
    x = np.linspace(-2.0, 2.0, 9)
    t = np.tanh(x)
    expected = [1 - t ** 2, -2 * t * (1 - t ** 2), (1 - t ** 2) * (6 * t ** 2 - 2),
                (1 - t ** 2) * (16 * t - 24 * t ** 3), (1 - t ** 2) * (16 - 120 * t ** 2 + 120 * t ** 4)]
    d = tanh_by_hand
    for order, want in enumerate(expected, start=1):
        d = adjoint.elementwise_grad(d)
        np.testing.assert_allclose(d(x), want, atol=1e-9, err_msg=f"order {order}")
    assert repr(adjoint.elementwise_grad(tanh_by_hand)) == "<adjoint.elementwise_grad of tanh_by_hand>"
    assert adjoint.grad(adjoint.elementwise_grad(tanh_by_hand))(0.5) == pytest.approx(-2 * np.tanh(0.5) / np.cosh(0.5) ** 2)


def test_elementwise_grad_of_several_arguments():
    x, s = np.linspace(-1.0, 1.0, 4), np.full(4, 2.0)
    dx, ds = adjoint.elementwise_grad(scaled_sine, wrt=(0, "s"))(x, s)
    np.testing.assert_allclose(dx, s * np.cos(x * s))
    np.testing.assert_allclose(ds, x * np.cos(x * s))


# --- containers ----------------------------------------------------------------------------------

def first_layer_or_none(params, x):
    W, extra = params
    return np.sum(np.tanh(x @ W) ** 2) + (0.0 if extra is None else np.sum(extra))


def size_one_output(x):
    return np.array([[np.sum(x ** 2)]])


def test_a_none_leaf_of_a_container_argument_has_a_none_gradient():
    W, x = np.full((3, 2), 0.1), np.ones((2, 3))
    gW, g_extra = adjoint.grad(first_layer_or_none)([W, None], x)
    assert g_extra is None
    np.testing.assert_allclose(gW, adjoint.grad(first_layer_or_none)([W, np.zeros(2)], x)[0])


def test_an_output_of_size_one_is_a_scalar():
    x = np.array([0.5, -1.0])
    np.testing.assert_allclose(adjoint.grad(size_one_output)(x), 2 * x)


def nearest_quantile(x):
    return np.quantile(x, 0.3, method="nearest")


def test_a_call_a_definition_does_not_cover_is_refused_at_its_line():
    with pytest.raises(adjoint.NonDifferentiable, match=r"test_numpy_coverage.py, line \d+.*`method` 'linear', not 'nearest'"):
        adjoint.grad(nearest_quantile)(np.array([1.0, 2.0, 3.0]))
    with pytest.raises(adjoint.NonDifferentiable, match="`method` 'linear'"):
        adjoint.jvp(nearest_quantile, (np.array([1.0, 2.0, 3.0]),), (np.ones(3),))


def spectral_of_a_sum(x):
    m = np.array([[1.0, 2.0, 0.5], [0.3, -1.0, 2.0]]) * x + np.array([[0.2, 0.1, -0.4], [1.0, 0.0, 0.3]])
    return np.linalg.norm(m, 2) + 0.5 * np.linalg.norm(m, "nuc") + 0.25 * np.linalg.norm(m, -2)


def spectral_of_zeros(x):
    p = np.array([x, 0.5, 0.2])
    return np.linalg.norm(np.outer(p * 0.0, p), 2) * (x - x) + x * x


def test_second_derivative_of_a_matrix_norm_whose_shape_the_nested_code_does_not_know():
    # the tangent of the matrix norms' slope was the 2-norm's of a vector (a silently wrong second
    # derivative where the generated code being differentiated did not know the matrix's shape)
    for x in (0.7, -0.4):
        step = 1e-5
        slope = adjoint.grad(spectral_of_a_sum)
        want = (slope(x + step) - slope(x - step)) / (2 * step)
        assert adjoint.grad(slope)(x) == pytest.approx(want, rel=1e-6)
        assert adjoint.hessian(spectral_of_a_sum)(x) == pytest.approx(want, rel=1e-6)


def test_a_zero_singular_value_gives_zero_rotation_terms_not_nan():
    # (fuzz seed 202, program 300): the spectral norm of a zero matrix times a zero, differentiated
    # twice: the singular vectors' tangents divided by zero singular values
    assert adjoint.grad(adjoint.grad(spectral_of_zeros))(0.3) == pytest.approx(2.0)
    assert adjoint.hessian(spectral_of_zeros)(0.3) == pytest.approx(2.0)


def test_the_slope_of_i0_is_accurate_beyond_its_power_series():
    # rt.bessel_i1 switches from the power series to the asymptotic series at |x| = 30
    from adjoint import runtime as rt
    x = np.array([-45.0, -31.0, -29.0, 0.0, 0.5, 12.0, 29.5, 30.5, 60.0, 200.0])
    step = 1e-6 * np.maximum(1.0, np.abs(x))
    central = (np.i0(x + step) - np.i0(x - step)) / (2 * step)
    np.testing.assert_allclose(rt.bessel_i1(x), central, rtol=1e-7, atol=1e-12)
