"""Programs from the known classes of silently wrong derivatives (issue 10), one per class."""
import math

import numpy as np


def act(z):
    return np.tanh(z)


def helper_called_in_a_loop(w, x):
    h = x
    for i in range(3):
        h = act(w * h)
    return np.sum(h)


def rebinds_its_parameters(u, v):
    B = u
    u = v
    return B * B + u


def helper_rebinding_parameters_in_an_enumerate_loop(a, b):
    s = 0.0
    for i, bi in enumerate(b):
        s = s + rebinds_its_parameters(a * bi, s)
    return s


def overwritten_by_a_constant_in_a_for_loop(x):
    y = 2.0 * x
    y -= x
    for i in range(1):
        y = 3.0
    return y + 0.5 * x


def overwritten_by_a_constant_in_a_while_loop(x):
    y = x * x
    n = 0
    while n < 2:
        y = 0.4
        n = n + 1
    return y + x


def overwritten_by_a_tuple_target_in_a_zip_loop(a, b):
    y = a * b
    for v, w in zip([1.0, 2.0], [3.0, 4.0]):
        v2, y = (a, 0.4)
    return y * a


def last_but_one(a):
    x = 0.0
    n = 0
    while n < 5:
        x_prev = x
        x = x + a
        n = n + 1
    return x_prev


def first_defined_in_a_for_loop(a):
    s = a
    for i in range(3):
        inside = s * s
        s = s + 0.1 * a
    return inside + s


def loop_over_a_rebound_name(x):
    s = 0.0
    for v in x:
        x = x * 2.0
        s = s + v * v
    return s + np.sum(x)


def early_return_in_a_loop(x):
    for i in range(4):
        x = x * 1.1
        if x > 2.0:
            return x * x
    return x


def pick(x, k):
    if k == 0:
        return x
    return math.sin(x) * 2.0


def helper_in_a_loop_left_by_break(x):
    y = pick(x, 1)
    for i in range(3):
        y = pick(y, i)
        if y > 5.0:
            break
    return y


def augmented_assignment_through_an_alias(x):
    y = np.ones(3) * x
    z = y
    z += 1
    return np.sum(y)


def augmented_assignment_through_a_view(x):
    y = x * 2.0
    z = y[1:]
    z *= 3.0
    return np.sum(y)


def augmented_assignment_of_an_unshared_array(x):
    y = x * 2.0
    z = y
    z += x
    return np.sum(z * z)


def alias_read_in_the_next_iteration(x):
    y = x * 1.0
    z = y
    s = 0.0
    for i in range(3):
        s = s + np.sum(y)
        z += 1.0
    return s


def element_of_an_array_updated_in_place_later(x):
    y = x * 1.0
    first = y[0]
    y += 1.0
    return first * np.sum(y)


def loops_inside(p, q):
    s = 0.0
    for i in range(3):
        s = s + math.sin(p * s + q)
    return s


def helper_with_a_loop(x):
    return loops_inside(x, 0.3) * x


def ignores_its_list_argument(p0, p1):
    return 0.5


def helper_ignoring_a_list_it_is_given(x0, x2):
    while True:
        x2, v6 = (ignores_its_list_argument(0.5, [x0, 0.9, 0.6]), x2)
        break
    return x2 + x0


def shifts_in_place(p0, p1):
    p0 += 0.5
    return p1


def helper_updating_its_argument_in_place(x0, x1):
    v5 = np.tanh(np.array([x0, 0.9, 0.9]))
    x1 = shifts_in_place(v5, x1)
    return np.sum(v5) * x1


def steps_in_place(s):
    s += 0.5
    return s


def helper_updating_in_place_what_the_caller_rebinds(x):
    y = np.tanh(x)
    y = steps_in_place(y)
    return np.sum(y * y)


def returns_pairs_early(p0):
    if p0 > 0.3:
        return (-0.8, p0 * p0)
    return (p0, np.tanh(p0) ** 2)


def both_items_of_a_returned_pair(x0):
    v11, v12 = returns_pairs_early(x0)
    return v12 + 0.5 * v11


def array_of_a_list_read_again_in_a_zip_loop(x0):
    v2 = np.array([x0, x0, 0.2])
    for item4, item5 in zip(v2, v2):
        v8 = {'p': 0.5 * x0, 'q': v2}
    return v8['p']


def list_display_as_an_array_operand(a0):
    v11 = a0 - [0.5, np.mean(a0), 0.2]
    return np.sum(v11 * v11)


def list_display_in_a_dot(x0, x1, x2):
    return np.dot([x1, 0.5, 0.8], np.array([x2, x0, 0.1]) - x1)


def lists_joined_and_repeated(x):
    joined = [x, 1.0] + [2.0, x * x]
    repeated = [x, 2.0] * 2
    return joined[3] * joined[0] + repeated[2] * repeated[3]


def helper_updating_a_known_array_in_place(x):
    v5 = x * 2.0
    shifts_in_place(v5, 1.0)
    return np.sum(v5)


def updates_an_item_of_a_list(x, lst):
    s = lst[0] * x
    t = lst[1]
    u = t
    u += s
    return u * t


def parameter_copy_overwritten_in_a_later_loop(x0, x1):
    v2 = x1
    n3 = 0
    while True:
        n3 += 1
        v1 = math.atan(np.cos(v2) / (1.5 + x0 * x0))
        if n3 >= 3 or x0 > -10.0:
            break
    n17 = 0
    while n17 < 3:
        n17 += 1
        v2 = np.tanh(math.sin(n17 * min(v1, -0.3)) ** 2)
    return v1 + 0.9 * v2


def loops_over_its_list(p0, p1):
    for item1 in p1:
        v2 = np.tanh(p1)
    return (np.dot(v2, v2), 0.5)


def helper_with_a_stack_called_where_only_its_adjoint_varies(x0, x1, x2):
    v5, v6 = loops_over_its_list(x1, [[loops_over_its_list(x1, [x0, x1, 0.7])[0], x1, 0.7][0], x2, 0.1])
    return v5 * x2 + v6


def unpacks_after_a_nested_early_return(p0, p1):
    # ANF unpacked `p1, v5 = v4` into `p1 = v4[0]; v5 = v4[1]` sharing one Name node; the loop was
    # copied into both branches of the early return, and SSA renamed the shared node for one copy
    # only: the other read the first copy's tuple, None there (fuzzer seed 82, program 673)
    if p0 < 0.1:
        if p1 > 0.0:
            return 0.5
    for j in range(1):
        v4 = (0.5 * p1, p0)
        p1, v5 = v4
    return [0.5, p1, 0.1][1] * v5


def becomes_a_list_in_a_loop(p0, p1):
    # p1 is a number, then a list: its adjoint 0.0 was added to a list adjoint (rt.add raised)
    for j in range(1):
        v3 = [0.5, p1 * p0, 0.1]
        p1 = v3
    return v3[1]


def tanh_of(p0):
    return np.tanh(p0)


def stores_into_what_a_helper_returned(a):
    # the helper's bwd reads its result through its saved state; the store changed it under it
    # (fuzzer seed 81, program 655)
    v = tanh_of(a)
    v[...] = np.tanh(v)
    return np.sum(v)


def shifted_in_place(p0):
    v = p0
    v += 0.5
    return 0.5


def helper_updating_its_argument_in_a_while_test(a):
    # the helper runs as written (its result only decides the loop) and wrote into the caller's
    # array: calls in a `while` test were not analysed (fuzzer seed 92, program 2309)
    n = 0
    while shifted_in_place(a) < 1.0 and n < 2:
        n += 1
    return np.sum(a * a)
