"""Rules for adjoint's own runtime, so generated code can itself be differentiated (nesting).

The runtime's first parameter is called `v` here, so that `g` keeps meaning the output's adjoint.
`no_derivative` names the parameters a helper reads only for their shape or to pick entries (the
arguments of a maximum, a sort order); any other active parameter without a template is an error.
"""
from .. import runtime as rt
from .core import defrule, nondifferentiable

defrule(rt.unbroadcast, "v, x", {"v": "rt.broadcast_like(g, v)"}, forward={"v": "rt.unbroadcast(dv, x)"},
        no_derivative=("x",))
defrule(rt.unreduce, "v, x, axis=None, keepdims=False", {"v": "rt.reduce_like(g, v, axis, keepdims)"},
        forward={"v": "rt.unreduce(dv, x, axis, keepdims)"},
        no_derivative=("x",))
defrule(rt.untranspose, "v, axes=None", {"v": "rt.untranspose_adjoint(g, axes)"},
        forward={"v": "rt.untranspose(dv, axes)"})
defrule(rt.unindex, "v, x, index", {"v": "g[index]"}, forward={"v": "rt.unindex(dv, x, index)"},
        no_derivative=("x",))
defrule(rt.spread_over, "v, x", {"v": "rt.unbroadcast(g, v)"}, forward={"v": "rt.spread_over(dv, x)"},
        no_derivative=("x",))       # linear in v: broadcasting, whose adjoint sums back
defrule(rt.like, "v, x", {"v": "g"}, forward={"v": "rt.like(dv, x)"},
        no_derivative=("x",))
defrule(rt.extremum_grad, "v, a, z, axis=None, keepdims=False",
        {"v": "rt.reduce_like(g * rt.extremum_grad(1.0, a, z, axis, True), v, axis, keepdims)"},
        forward={"v": "rt.extremum_grad(dv, a, z, axis, keepdims)"},
        no_derivative=("a", "z"))
defrule(rt.matmul_grad_a, "v, a, b", {}, forward={"v": "rt.matmul_grad_a(dv, a, b)",
                                                  "b": "rt.matmul_grad_a(v, a, db)"},
        no_derivative=("a",))
defrule(rt.matmul_grad_b, "v, a, b", {}, forward={"v": "rt.matmul_grad_b(dv, a, b)",
                                                  "a": "rt.matmul_grad_b(v, da, b)"},
        no_derivative=("b",))
defrule(rt.dot_grad_a, "v, a, b", {}, forward={"v": "rt.dot_grad_a(dv, a, b)", "b": "rt.dot_grad_a(v, a, db)"},
        no_derivative=("a",))
defrule(rt.dot_grad_b, "v, a, b", {}, forward={"v": "rt.dot_grad_b(dv, a, b)", "a": "rt.dot_grad_b(v, da, b)"},
        no_derivative=("b",))
defrule(rt.broadcast_like, "v, x", {"v": "rt.unbroadcast(g, v)"}, forward={"v": "rt.broadcast_like(dv, x)"},
        no_derivative=("x",))
defrule(rt.reduce_like, "v, x, axis=None, keepdims=False", {"v": "rt.unreduce(g, v, axis, keepdims)"},
        forward={"v": "rt.reduce_like(dv, x, axis, keepdims)"},
        no_derivative=("x",))
defrule(rt.untranspose_adjoint, "v, axes=None", {"v": "rt.untranspose(g, axes)"},
        forward={"v": "rt.untranspose_adjoint(dv, axes)"})
defrule(rt.unconcatenate, "v, arrays, axis=0", {"v": "np.concatenate(g, axis=axis)"},
        forward={"v": "rt.unconcatenate(dv, arrays, axis)"},
        no_derivative=("arrays",))
defrule(rt.unstack, "v, axis=0", {"v": "np.stack(g, axis)"}, forward={"v": "rt.unstack(dv, axis)"})
nondifferentiable(rt.zeros_like, rt.tangent_zero, rt.expect_number, rt.buffer, rt.size)
# a sum of outer products, bilinear in its two lists (cleanup.batch_outer_products makes it)
defrule(rt.outer_sum, "v, cols", {"v": "rt.outer_sum_adjoint(g, cols, v)",
                                  "cols": "rt.outer_sum_adjoint(np.transpose(g), v, cols)"},
        forward={"v": "rt.outer_sum(dv, cols)", "cols": "rt.outer_sum(v, dcols)"})
defrule(rt.outer_sum_adjoint, "v, others, like", {},         # (its own adjoint: a third order, not written)
        forward={"v": "rt.outer_sum_adjoint(dv, others, like)", "others": "rt.outer_sum_adjoint(v, dothers, like)"},
        no_derivative=("like",))
# the exponent of a power's slope: b - 1 (1 at 0 ** 0, where a slope's value does not depend on it)
defrule(rt.power_exponent, "a, b", {"b": "g"}, forward={"b": "db"}, broadcasting=True, no_derivative=("a",))
defrule(rt.zero_as_one, "a", {"a": "g * (a != 0)"}, forward={"a": "da * (a != 0)"})
defrule(rt.widen, "t, z", {"t": "rt.unbroadcast(g, t)"}, forward={"t": "rt.widen(dt, z)"}, no_derivative=("z",))
# adjoints of lists and tuples are added item by item; an inactive operand's tangent is rt.zero
defrule(rt.add, "a, b", {"a": "g", "b": "g"}, forward="rt.add(da, db)")
defrule(rt.unrepeat_sequence, "v, x", {"v": "g * (len(v) // len(x))"}, forward={"v": "rt.unrepeat_sequence(dv, x)"},
        no_derivative=("x",))

# --- helpers of the reduction, shape, linear algebra and FFT rules ---
defrule(rt.prod_others, "v, axis=None", {"v": "rt.prod_others_jvp(v, g, axis)"},        # its Jacobian is symmetric
        forward={"v": "rt.prod_others_jvp(v, dv, axis)"})
defrule(rt.prod_others_jvp, "v, t, axis=None", {"t": "rt.prod_others_jvp(v, g, axis)"},
        forward={"t": "rt.prod_others_jvp(v, dt, axis)"})
defrule(rt.cumprod_grad, "v, a, axis=None", {"v": "rt.cumprod_jvp(a, g, axis)"},
        forward={"v": "rt.cumprod_grad(dv, a, axis)", "a": "rt.cumprod_grad_tangent(v, a, da, axis)"})
defrule(rt.cumprod_jvp, "a, t, axis=None", {"t": "rt.cumprod_grad(g, a, axis)"},
        forward={"t": "rt.cumprod_jvp(a, dt, axis)", "a": "rt.cumprod_jvp_tangent(a, t, da, axis)"})
defrule(rt.uncumsum, "v, x, axis=None", {"v": "np.cumsum(g, axis)"}, forward={"v": "rt.uncumsum(dv, x, axis)"},
        no_derivative=("x",))
defrule(rt.norm_grad, "v, x, z, ord=None, axis=None, keepdims=False",
        {"v": "np.sum(rt.norm_grad(np.ones_like(v), x, z, ord, axis, keepdims) * g, axis=axis, keepdims=keepdims)"},
        forward={"v": "rt.norm_grad(dv, x, z, ord, axis, keepdims)",
                 "x": "rt.norm_grad_tangent(v, x, z, dx, 0.0, ord, axis, keepdims)",
                 "z": "rt.norm_grad_tangent(v, x, z, 0.0, dz, ord, axis, keepdims)"})
defrule(rt.unsplit, "v, parts, axis=0", {"v": "rt.unconcatenate(g, parts, axis)"},
        forward={"v": "rt.unsplit(dv, parts, axis)"},
        no_derivative=("parts",))
defrule(rt.unjoin, "v, arrays, how", {"v": "rt.join(g, how)"}, forward={"v": "rt.unjoin(dv, arrays, how)"},
        no_derivative=("arrays",))
defrule(rt.join, "v, how", {"v": "rt.unjoin(g, v, how)"}, forward={"v": "rt.join(dv, how)"})
defrule(rt.untile, "v, x, reps", {"v": "np.tile(g, reps)"}, forward={"v": "rt.untile(dv, x, reps)"},
        no_derivative=("x",))
defrule(rt.unrepeat, "v, x, repeats, axis=None", {"v": "np.repeat(g, repeats, axis)"},
        forward={"v": "rt.unrepeat(dv, x, repeats, axis)"},
        no_derivative=("x",))
defrule(rt.unpad, "v, x, pad_width, mode='constant'", {"v": "np.pad(g, pad_width, mode)"},
        forward={"v": "rt.unpad(dv, x, pad_width, mode)"},
        no_derivative=("x",))
defrule(rt.undiag, "v, x, k=0", {"v": "rt.undiag(g, v, k)"}, forward={"v": "rt.undiag(dv, x, k)"},
        no_derivative=("x",))
defrule(rt.undiagonal, "v, x, offset=0, axis1=0, axis2=1",
        {"v": "rt.unbroadcast(np.diagonal(g, offset, axis1, axis2), v)"},
        forward={"v": "rt.undiagonal(dv, x, offset, axis1, axis2)"},
        no_derivative=("x",))
# einsum_grad is linear in g and in every operand but the k-th (which only lends its shape)
defrule(rt.einsum_grad, "v, subscripts, k, a, b=None, c=None",
        {"v": "rt.einsum_operands(subscripts, k, g, a, b, c)"},
        forward={"v": "rt.einsum_grad(dv, subscripts, k, a, b, c)",
                 "a": "rt.einsum_grad(v, subscripts, k, da, b, c) * (k != 0)",
                 "b": "rt.einsum_grad(v, subscripts, k, a, db, c) * (k != 1)",
                 "c": "rt.einsum_grad(v, subscripts, k, a, b, dc) * (k != 2)"})
defrule(rt.einsum_operands, "subscripts, k, v, a, b=None, c=None",
        {"v": "rt.einsum_grad(g, subscripts, k, a, b, c)"},
        forward={"v": "rt.einsum_operands(subscripts, k, dv, a, b, c)",
                 "a": "rt.einsum_operands(subscripts, k, v, da, b, c) * (k != 0)",
                 "b": "rt.einsum_operands(subscripts, k, v, a, db, c) * (k != 1)",
                 "c": "rt.einsum_operands(subscripts, k, v, a, b, dc) * (k != 2)"})
defrule(rt.kron_grad_a, "v, a, b", {}, forward={"v": "rt.kron_grad_a(dv, a, b)", "b": "rt.kron_grad_a(v, a, db)"},
        no_derivative=("a",))
defrule(rt.kron_grad_b, "v, a, b", {}, forward={"v": "rt.kron_grad_b(dv, a, b)", "a": "rt.kron_grad_b(v, da, b)"},
        no_derivative=("b",))
defrule(rt.tril_half, "v", {"v": "rt.tril_half(g)"}, forward={"v": "rt.tril_half(dv)"})
defrule(rt.sym_lower, "v", {"v": "rt.sym_lower_adjoint(g)"}, forward={"v": "rt.sym_lower(dv)"})
defrule(rt.sym_lower_adjoint, "v", {"v": "rt.sym_lower(g)"}, forward={"v": "rt.sym_lower_adjoint(dv)"})
defrule(rt.eigh_vectors, "v", {"v": "rt.eigh_vectors_vjp(g, v)"}, forward={"v": "rt.eigh_vectors_jvp(v, dv)"})
defrule(rt.fft_grad, "v, x, name, s=None, axes=None, norm=None", {"v": "rt.fft_apply(g, name, s, axes, norm)"},
        forward={"v": "rt.fft_grad(dv, x, name, s, axes, norm)"},
        no_derivative=("x",))
defrule(rt.fft_apply, "v, name, s=None, axes=None, norm=None", {"v": "rt.fft_grad(g, v, name, s, axes, norm)"},
        forward={"v": "rt.fft_apply(dv, name, s, axes, norm)"})
defrule(rt.match_real, "v, x", {"v": "rt.match_real(g, v)"}, forward={"v": "rt.match_real(dv, x)"},
        no_derivative=("x",))
defrule(rt.lift_weights, "weights, a, axis=None", {"weights": "rt.unlift_weights(g, weights, axis)"},
        forward={"weights": "rt.lift_weights(dweights, a, axis)"},
        no_derivative=("a",))
defrule(rt.unlift_weights, "v, weights, axis=None", {"v": "rt.lift_weights(g, v, axis)"},
        forward={"v": "rt.unlift_weights(dv, weights, axis)"},
        no_derivative=("weights",))
defrule(rt.sorted_like, "v, a, axis=-1", {"v": "rt.unsort(g, a, axis)"}, forward={"v": "rt.sorted_like(dv, a, axis)"},
        no_derivative=("a",))
defrule(rt.unsort, "v, a, axis=-1", {"v": "rt.sorted_like(g, a, axis)"}, forward={"v": "rt.unsort(dv, a, axis)"},
        no_derivative=("a",))
defrule(rt.untake, "v, a, indices, axis=None, mode='raise'", {"v": "np.take(g, indices, axis, mode=mode)"},
        forward={"v": "rt.untake(dv, a, indices, axis, mode)"}, no_derivative=("a", "indices"))
defrule(rt.untake_along_axis, "v, arr, indices, axis=-1", {"v": "np.take_along_axis(g, indices, axis)"},
        forward={"v": "rt.untake_along_axis(dv, arr, indices, axis)"}, no_derivative=("arr", "indices"))
defrule(rt.cast_adjoint, "v, a, dtype", {"v": "rt.cast_tangent(g, dtype)"}, forward={"v": "rt.cast_adjoint(dv, a, dtype)"},
        no_derivative=("a", "dtype"))
defrule(rt.cast_tangent, "v, dtype", {"v": "rt.cast_adjoint(g, v, dtype)"}, forward={"v": "rt.cast_tangent(dv, dtype)"},
        no_derivative=("dtype",))
defrule(rt.unmeshgrid, "v, z, xi, indexing='xy'", {"v": "rt.meshgrid_tangent(g, xi, False, indexing)"},
        forward={"v": "rt.unmeshgrid(dv, z, xi, indexing)"}, no_derivative=("z", "xi", "indexing"))
defrule(rt.meshgrid_tangent, "v, xi, sparse=False, indexing='xy'", {"v": "rt.unmeshgrid(g, z, xi, indexing)"},
        forward={"v": "rt.meshgrid_tangent(dv, xi, sparse, indexing)"}, no_derivative=("xi", "sparse", "indexing"))
defrule(rt.unbroadcast_arrays, "v, z, arrays", {"v": "rt.broadcast_tangents(g, arrays)"},
        forward={"v": "rt.unbroadcast_arrays(dv, z, arrays)"}, no_derivative=("z", "arrays"))
defrule(rt.broadcast_tangents, "v, arrays", {"v": "rt.unbroadcast_arrays(g, z, arrays)"},
        forward={"v": "rt.broadcast_tangents(dv, arrays)"}, no_derivative=("arrays",))
defrule(rt.ungradient, "v, f, spacing, axis=None, edge_order=1", {"v": "rt.regradient(g, spacing, axis, edge_order)"},
        forward={"v": "rt.ungradient(dv, f, spacing, axis, edge_order)"}, no_derivative=("f", "spacing", "edge_order"))
defrule(rt.regradient, "v, spacing, axis=None, edge_order=1", {"v": "rt.ungradient(g, v, spacing, axis, edge_order)"},
        forward={"v": "rt.regradient(dv, spacing, axis, edge_order)"}, no_derivative=("spacing", "edge_order"))
defrule(rt.unlist, "v, x", {"v": "list(g) if isinstance(x, np.ndarray) else g"}, forward={"v": "rt.unlist(dv, x)"},
        no_derivative=("x",))
nondifferentiable(rt.detached)
defrule(rt.bessel_i1, "x", {"x": "g * rt.bessel_i1_slope(x)"}, forward={"x": "dx * rt.bessel_i1_slope(x)"})
defrule(rt.convolve_grad, "v, a, b, mode='full'", {"v": "np.convolve(g, b, mode)"},
        forward={"v": "rt.convolve_grad(dv, a, b, mode)", "b": "rt.convolve_grad(v, a, db, mode)"},
        no_derivative=("a", "mode"))
nondifferentiable(rt.inner_subscripts, rt.tensordot_subscripts, rt.average_weights, rt.real_norm_order)
# the gamma family of scipy.special, to any order
defrule(rt.polygamma, "n, x", {"x": "g * rt.polygamma(n + 1, x)"}, forward={"x": "dx * rt.polygamma(n + 1, x)"})
defrule(rt.item_adjoint, "v, i, z", {"v": "rt.item_spread(g, i, z)"}, forward={"v": "rt.item_adjoint(dv, i, z)"},
        no_derivative=("z",))
defrule(rt.item_spread, "v, i, z", {"v": "rt.item_adjoint(g, i, z)"}, forward={"v": "rt.item_spread(dv, i, z)"},
        no_derivative=("z",))
defrule(rt.eigh_gaps, "w", {"w": "np.sum(g * z ** 2, axis=-2) - np.sum(g * z ** 2, axis=-1)"},
        forward={"w": "-z ** 2 * (np.expand_dims(dw, -2) - np.expand_dims(dw, -1))"})


# --- writes (see writes.py): a parameter's private copy, and the adjoint and tangent buffers, all linear.
# The buffers' functions add into their first argument in place, which generated code owns.
defrule(rt.private, "v", {"v": "g"}, forward={"v": "rt.tangent_buffer(dv, v)"})
defrule(rt.private_deep, "v", {"v": "g"}, forward={"v": "rt.private_deep(dv)"})
defrule(rt.tangent_buffer, "v, like", {"v": "rt.unbroadcast(g, v)"}, forward={"v": "rt.tangent_buffer(dv, like)"},
        no_derivative=("like",))
defrule(rt.overwritten, "v, index", {"v": "rt.unindex(g, v, index)"}, forward={"v": "rt.overwritten(dv, index)"},
        no_derivative=("index",))
defrule(rt.written, "v, index, shape", {"v": "rt.unindex(g, v, index)"}, forward={"v": "rt.written(dv, index, shape)"},
        no_derivative=("index", "shape"))
defrule(rt.clear, "v, index", {"v": "rt.cleared(g, index)"}, forward={"v": "rt.clear(dv, index)"},
        no_derivative=("index",))
defrule(rt.cleared, "v, index", {"v": "rt.cleared(g, index)"}, forward={"v": "rt.cleared(dv, index)"},
        no_derivative=("index",))
defrule(rt.add_into, "v, e, like", {"v": "g", "e": "rt.unbroadcast(g, e)"}, forward="rt.add_into(dv, de, like)",
        no_derivative=("like",))
defrule(rt.add_at, "v, index, e, like", {"v": "g", "e": "rt.unbroadcast(g[index], e)"},
        forward="rt.add_at(dv, index, de, like)", no_derivative=("index", "like"))
defrule(rt.restore, "v, index, old", {"v": "rt.cleared(g, index)", "old": "g[index]"},
        forward="rt.restore(dv, index, dold)", no_derivative=("index",))
defrule(rt.unappend, "v", {}, forward={"v": "rt.unappend(dv)"})
defrule(rt.unshared, "v, buffer", {"v": "g"}, forward={"v": "rt.unshared(dv, dv)"}, no_derivative=("buffer",))
defrule(rt.uninsert, "v, position", {}, forward={"v": "rt.uninsert(dv, position)"}, no_derivative=("position",))
defrule(rt.inserted, "v, position", {}, forward={"v": "rt.inserted(dv, position)"}, no_derivative=("position",))
defrule(rt.unremove, "v, position, old", {}, forward="rt.unremove(dv, position, dold)", no_derivative=("position",))
defrule(rt.last, "v", {}, forward={"v": "rt.last(dv)"})
defrule(rt.drop_last, "v", {}, forward={"v": "rt.drop_last(dv)"})
defrule(rt.unsum, "v, xs", {"v": "rt.sum_tangents(g)"}, forward={"v": "rt.unsum(dv, xs)"}, no_derivative=("xs",))
defrule(rt.sum_tangents, "v", {"v": "rt.unsum(g, v)"}, forward={"v": "rt.sum_tangents(dv)"})
# d.get(k, default), max(xs) and min(xs) of one sequence: reads of one item
defrule(rt.get, "v, k, default", {"v": "rt.unindex(g, v, k)", "default": "g * (k not in v)"},
        forward={"v": "rt.get(dv, k, 0.0)", "default": "ddefault * (k not in v)"}, no_derivative=("k",))
nondifferentiable(rt.position_of_largest, rt.position_of_smallest, rt.diagonal, rt.new, rt.enter, rt.leave)
defrule(rt.scaled_log, "v, a", {"v": "rt.scaled_log(g, a)", "a": "g * v / a"},
        forward={"v": "rt.scaled_log(dv, a)", "a": "v * da / a"}, broadcasting=True)
# an object's attribute (rules.FIELD): its tangent and adjoint, both linear
defrule(rt.field, "v, name", {"v": "rt.unfield(g, name)"}, forward={"v": "rt.field(dv, name)"},
        no_derivative=("name",))
defrule(rt.unfield, "v, name", {"v": "rt.field(g, name)"}, forward={"v": "rt.unfield(dv, name)"},
        no_derivative=("name",))
defrule(rt.largest, "v", {"v": "rt.unindex(g, v, rt.position_of_largest(v))"},
        forward={"v": "dv[rt.position_of_largest(v)]"})
defrule(rt.smallest, "v", {"v": "rt.unindex(g, v, rt.position_of_smallest(v))"},
        forward={"v": "dv[rt.position_of_smallest(v)]"})
# np.add.at(a, index, v) as a value: a with v added at index
defrule(rt.added_at, "v, index, value", {"v": "g", "value": "rt.unbroadcast(g[index], value)"},
        forward={"v": "dv", "value": "rt.added_at(rt.zeros_like(z), index, dvalue)"}, no_derivative=("index",))
# a dict's keys carry no derivative; its items and values are its values, as lists
nondifferentiable(rt.key_at, rt.dict_keys)
defrule(rt.dict_items, "v", {"v": "rt.undict_items(g, v)"}, forward={"v": "rt.items_tangent(dv, v)"})
defrule(rt.dict_values, "v", {"v": "rt.undict_values(g, v)"}, forward={"v": "rt.dict_values(dv)"})
defrule(rt.undict_items, "v, d", {"v": "rt.items_tangent(g, d)"}, forward={"v": "rt.undict_items(dv, d)"},
        no_derivative=("d",))
defrule(rt.undict_values, "v, d", {"v": "rt.dict_values(g)"}, forward={"v": "rt.undict_values(dv, d)"},
        no_derivative=("d",))
defrule(rt.items_tangent, "v, d", {"v": "rt.undict_items(g, d)"}, forward={"v": "rt.items_tangent(dv, d)"},
        no_derivative=("d",))
