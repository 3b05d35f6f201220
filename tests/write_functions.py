"""Functions that write into arrays, lists and dicts as people write them (tests/test_writes.py)."""
import numpy as np


def fill_in_a_loop(x):
    y = np.zeros(len(x))
    for i in range(len(x)):
        y[i] = x[i] * x[i]
    return np.sum(y * y)


def recurrence(x, a):
    y = np.zeros(5)
    y[0] = x
    for i in range(1, 5):
        y[i] = a * y[i - 1] + np.sin(y[i - 1])
    return np.sum(y ** 2)


def write_rows(x):
    m = np.ones((3, 2))
    for i in range(3):
        m[i, :] = x[:2] * (i + 1)
    m[:, 1] = np.tanh(m[:, 1])
    return np.sum(m @ x[1:])


def write_slices(x):
    y = np.empty(4)
    y[:2] = x[:2] ** 2
    y[2:4] = np.sin(x[1:])
    y[::3] = y[::3] * 2.0
    return np.sum(y * x[0])


def write_a_scalar_into_a_slice(x, s):
    y = x.copy()
    y[1:] = s
    return np.sum(y ** 3)


def write_through_a_mask(x):
    y = x * 2.0
    y[x > 0] = np.sqrt(x[x > 0])
    return np.sum(y * y)


def write_at_repeated_indices(x):
    y = np.zeros(3)
    y[np.array([0, 2, 0])] = x * np.array([1.0, 2.0, 3.0])
    return np.sum(y * np.array([1.0, 10.0, 100.0]))


def write_everything(x):
    y = np.zeros(3)
    y[...] = x ** 2
    return np.sum(y * y)


def augmented_writes(x):
    y = np.array([1.0, 2.0, 3.0])
    for i in range(3):
        y[i] += x[i] * y[i]
        y[i] *= x[(i + 1) % 3]
    y[1:] -= x[:2]
    return np.sum(y ** 2)


def write_into_a_parameter(x):
    x[0] = x[1] * 3.0
    x[2] += x[0]
    return np.sum(x * x)


def write_into_a_parameter_read_through_an_item(x, w):
    for i in range(1, 3):
        x[i] = x[i - 1] * w
    return np.sum(np.sin(x))


def write_in_a_branch(x):
    y = np.ones(3)
    if x[0] > 0:
        y[0] = x[0] * x[1]
    else:
        y[1] = x[2]
    return np.sum(y * x)


def write_an_array_made_in_a_loop(x):
    total = 0.0
    for i in range(3):
        y = np.zeros(3)
        y[i] = x[i]
        y[(i + 1) % 3] = x[i] ** 2
        total = total + np.sum(y * x)
    return total


def write_then_read_the_whole(x):
    y = np.zeros(3)
    y[0] = x[0]
    s = np.sum(y * x)
    y[1] = s
    return np.sum(y ** 2) + s


def running_state(x, dt):
    state = np.zeros(2)
    state[0] = x
    for step in range(4):
        force = -np.sin(state[0])
        state[1] += dt * force
        state[0] += dt * state[1]
    return state[0] ** 2 + state[1]


def fill_a_grid(x):
    grid = np.zeros((3, 3))
    for i in range(3):
        for j in range(3):
            grid[i, j] = x[i] * x[j] + i - j
    return np.sum(np.tanh(grid))


def writer(v):
    out = np.zeros(2)
    out[0] = v * v
    out[1] = np.sin(v)
    return out


def helper_that_writes_its_own_array(x):
    total = 0.0
    for i in range(2):
        total = total + np.sum(writer(x[i] * (i + 1)) ** 2)
    return total


def scale_in_place(a, s):
    a[0] = a[0] * s
    return np.sum(a)


def helper_that_writes_its_parameter(x, s):
    return scale_in_place(x * 1.0, s) + x[0]


def write_into_a_list(x):
    xs = [x, 2.0 * x, 3.0]
    xs[2] = xs[0] * xs[1]
    xs[0] = np.sin(x)
    return xs[0] + xs[1] * xs[2]


def write_into_a_dict(x):
    state = {"a": x, "b": 1.0}
    state["b"] = state["a"] * 2.0
    state["c"] = state["b"] ** 2
    return state["a"] + state["b"] + state["c"]


def returns_what_it_wrote(x):
    y = np.ones(3)
    y[1] = np.sum(y * x)
    y[0] = x[0] * y[1]
    return y


def loss_of_a_helper_returning_what_it_wrote(x):
    return np.sum(returns_what_it_wrote(x) ** 2)


def store_into_an_array_made_on_either_path(x):
    y = np.zeros(3)
    s = np.sum(y * x)
    if x[0] > 0:
        y = np.ones(3) * x[1]
    y[2] = x[0] * s
    return np.sum(y ** 2) + s


def list_stored_into_and_read_in_a_loop_only(a):
    # found by the fuzzer (seed 32, program 40): the list's adjoint buffer started again every
    # iteration, and its items' derivative was lost (0 instead of -2)
    v = [a, a[0], a]
    s = 0.5
    total = 0.4
    for item in a:
        v[2] = 0.5
        total += s
        s = -v[1]
    return total


def array_stored_into_and_read_in_a_loop_only(a):
    y = a * 2.0
    total = 0.0
    for i in range(3):
        y[(i + 1) % 3] = np.sin(y[i])
        total += y[i] * a[i]
    return total


def store_into_a_parameter_in_a_branch_then_reduce(m, x):
    # found by the fuzzer (seed 32, program 362): cleanup moved `np.sum(m)` past the backward sweep's
    # putting back of m[:2], into the return statement (a wrong value)
    if x > -1.0:
        m[:2] = np.sin(m)
    return np.sum(m) * x


def simulate_and_stack(x, dt):
    state = x
    trajectory = []
    for step in range(4):
        state = state + dt * np.sin(state)
        trajectory.append(state)
    return np.sum(np.stack(trajectory) ** 2)


def collect_then_read(x):
    squares = []
    for v in x:
        squares.append(v * v)
    total = 0.0
    for item in squares:
        total = total + np.tanh(item)
    return total + squares[0] * squares[-1]


def list_comprehension(x):
    ys = [np.sin(v) * x[0] for v in x if v > -0.4]
    return sum(ys) + ys[-1] ** 2


def generator_expression(x, w):
    return sum(w * v * v for v in x)


def nested_comprehensions(m):
    rows = [[m[i, j] * (i + 1) for j in range(m.shape[1])] for i in range(m.shape[0])]
    return sum(sum(np.tanh(v) for v in row) for row in rows)


def dict_comprehension(x):
    scaled = {k: x * (k + 1) for k in range(3)}
    return sum(np.sum(scaled[k] ** 2) for k in scaled)


def per_step_dicts(x, w):
    steps = []
    h = x
    for t in range(3):
        h = np.tanh(w * h + 0.1)
        steps.append({"h": h, "y": h * h})
    return sum(step["y"] for step in steps) + steps[-1]["h"]


def loops_over_a_dict(params, x):
    total = 0.0
    for name in params:
        total = total + np.sum(params[name] * x)
    for name, value in params.items():
        total = total + np.sum(np.tanh(value))
    for value in params.values():
        total = total + np.sum(value ** 2)
    return total + len(list(params.keys()))


def list_built_then_read_as_an_array(x):
    # found by the fuzzer (seed 33, program 118): np.sum reads the list as an array, so the list's
    # adjoint came back as an array, which the appends' adjoints could not take items from
    return np.sum([x * c for c in range(3)]) + np.mean(np.array([np.sin(x), x]))


def top_and_peak(p):
    return (p[2], np.max(p))


def helper_reading_an_array_stored_into_later(x):
    # found by the fuzzer (seed 51, program 26): the helper's saved state holds the array, which the
    # store then changed before the helper's backward sweep read it (the Hessian was NaN)
    buf = np.ones(3)
    for i in range(3):
        buf[i] = x + top_and_peak(buf)[0] * top_and_peak(buf)[1]
    return np.sum(buf)


def tuple_read_by_item_in_a_loop(x0, x1):
    # found by the fuzzer (seed 51, program 43): the tuple's adjoint buffer was made as an array
    for j in range(2):
        v = (x0, x1 * x0)[j]
    return v


def array_made_again_in_a_loop_after_stores(a, x):
    # found by the fuzzer (seed 41, program 1913): the loop making a new array had no backward sweep,
    # so the old array's buffer reached x (1 instead of 0)
    buf = np.ones(3)
    for i in range(2):
        buf[i] = x
    for v in a:
        buf = np.ones(3) * v
    buf[0] = 0.5
    return np.sum(buf * buf)


def dict_made_per_outer_iteration_stored_in_an_inner_loop(x, m):
    # found by the fuzzer (seed 61, program 665): the dict's versions name one dict in every iteration
    # of the inner loop, but a new one in each outer iteration, and were not saved for it (the
    # backward sweep put back a key into the last dict only: KeyError)
    total = 0.0
    for row in m:
        state = {"p": 0.3, "q": x * row[0]}
        k = 0
        while k < 2:
            state["r"] = np.tanh(state["q"] + k)
            k += 1
        total = total + state["r"] * state["q"]
    return total


def array_made_per_outer_iteration_stored_in_an_inner_loop(x, m):
    total = 0.0
    for row in m:
        buf = row * x
        for j in range(2):
            buf[j + 1] = np.sin(buf[j]) * buf[j + 1]
        total = total + np.sum(buf * buf)
    return total


def value_recomputed_from_an_array_stored_into_later(x2):
    # found by the fuzzer (seed 62, program 1542): the backward sweep recomputed `0.5 / buf` before
    # putting back what the store overwrote, so from the stored values
    buf = np.ones(3)
    for i in range(2):
        buf[i] = x2
    for j in range(1, 2):
        buf[1:] = (0.5 / buf)[:2]
        buf = np.tanh(buf)
    return np.sum(buf)


# calls that store, as statements: the stores they make
def fill_method(x):
    y = x * 2.0
    y.fill(x[0] ** 2)
    return np.sum(y * x)


def copy_into(x, s):
    y = np.zeros((2, 3))
    np.copyto(y, x * s)                     # broadcast into every row
    y[1] = np.sin(y[1])
    return np.sum(y * y)


def results_written_through_out(x):
    y = np.zeros(3)
    np.multiply(x, x, out=y)
    np.exp(y, out=y)
    return np.sum(y * x)


def diagonal_filled(x):
    m = np.outer(x, x)
    np.fill_diagonal(m, np.cos(x))
    return np.sum(m * m)


def sums_per_index(x):
    counts = np.zeros(3)
    np.add.at(counts, [0, 0, 2], x)         # x[0] + x[1] at 0: repeated indices add up
    return np.sum(counts * counts * np.array([1.0, 2.0, 3.0]))


def extend_a_list(x):
    xs = [x[0]]
    xs.extend([x[1] * 2.0, np.sin(x[2])])
    xs.extend(v * v for v in x)
    return sum(xs) * xs[1] + xs[-1]


# reads of one item: d.get, max and min of one sequence
def dict_get(x):
    d = {"a": x[0]}
    d["b"] = x[1] * 3.0
    return d.get("a", 0.0) * d.get("c", x[2]) + d.get("b") * d.get("b", 1.0)


def largest_and_smallest(x):
    xs = [x[0], x[1] * 2.0, np.cos(x[2])]
    return max(xs) * min(xs) + max(v * v for v in x) + min(x)


# loops with an `else`
def for_else(x):
    s = 0.0
    for v in x:
        if v > 1.0:
            s = s + v
            break
        s = s + v * v
    else:
        s = s * 2.0
    return s


def while_else_without_break(x):
    i = 0
    s = x[0]
    while i < 2:
        s = s * x[i + 1]
        i += 1
    else:
        s = s + x[0]
    return s


def nested_loops_with_else(x):
    total = 0.0
    for a in x:
        for b in x:
            if a * b > 0.3:
                break
            total = total + a * b
        else:
            total = total + a
    return total


# a read of a list's last item before it grows
def last_item_then_append(x):
    xs = [x, 2.0 * x]
    v = xs[-1]
    xs.append(3.0 * x)
    return v * 2.0 + len(xs)


def grow_from_the_last_item(x):
    states = [x]
    for i in range(3):
        states.append(np.sin(states[-1]) * states[0])
    return sum(states)


# lists that shrink and grow in the middle: pop and insert
def pop_the_last(x):
    xs = [x[0], x[1] * x[2]]
    xs.append(np.sin(x[2]))
    v = xs.pop()
    return v * xs[-1] + len(xs)


def sliding_window(x):
    window = [x[0], x[1], x[2]]
    total = 0.0
    for i in range(4):
        oldest = window.pop(0)
        window.append(oldest * 0.5 + window[-1] * window[0])
        total = total + oldest * window[-1]
    return total


def insert_anywhere(x):
    xs = [x[0], x[1]]
    xs.insert(1, x[2] ** 2)
    xs.insert(-1, x[0] * x[1])
    xs.insert(0, np.cos(x[1]))
    xs.insert(10, x[2])                     # past the end: appended, as Python does
    return xs[0] * xs[1] + xs[2] * xs[3] - xs[4] * xs[5]


def stack_machine(x):
    stack = [x[0]]
    for v in x:
        stack.append(v * 2.0)
        if v > 0:
            a = stack.pop()
            b = stack.pop()
            stack.append(a * b)
    return sum(stack)


def pops_discarded(x):
    xs = [x[0], x[1], x[2]]
    xs.pop()
    xs.pop(0)
    return xs[0] * 3.0


# regressions: cleanup moved reads past stores it did not see
def energy_of_a_dict(d):
    return d["p"] * d["q"]


def output_read_from_a_dict_the_backward_sweep_restores(x):
    # the returned `1.2 * d["p"]` was computed after `rt.restore(d, "p", d_old)` put x back (fuzzer
    # seed 72, program 1472): a wrong value, 1.2 x instead of 1.2 sin(x) e(x)
    d = {"p": x, "q": 0.5}
    e = energy_of_a_dict(d)
    d["p"] = np.sin(x) * e
    return 1.2 * d["p"]


def scale_first_item(a, s):
    a[0] = a[0] * s
    return 1.0


def helper_called_for_its_effect_on_a_copy(x, s):
    # cleanup took `y = x * 1.0` for a copy and passed x itself to the helper, which wrote into the
    # caller's array
    y = x * 1.0
    first = y[0]
    scale_first_item(y, s)
    return first * 2.0 + s


def store_of_a_value_computed_from_the_array(x0, x1):
    # forward mode over the gradient gave `buf + x0` the tangent buffer of buf itself (x0 does not vary
    # under hessian w.r.t. x1), so the store into the buffer changed it: a wrong Hessian (fuzzer seed
    # 72, program 1934)
    buf = np.zeros(3)
    buf[0] = np.dot(buf + x0, [x1, x1, 0.1])
    return np.sum(buf * buf)


def extend_from_a_slice(p0, p1):
    # the slice's adjoint went into the list buffer as `dxs[:2] += dseq`, which joins two lists
    # (fuzzer slice, seed 0, program 85)
    xs = [p1, np.sin(p0), 0.5]
    xs.extend(t * t for t in xs[:2])
    xs.insert(1, np.cos(p1))
    return sum(xs) * xs[-1]


def slices_of_a_list_read(x0, x1):
    # the adjoint of a list's slice is a list: rt.unindex put it into the list's adjoint
    xs = [x0, np.sin(x1), 0.5, x0 * x1]
    ys = xs[1:]
    zs = xs[:2]
    return sum(ys) * zs[0] + sum(zs)


def store_into_a_slice_of_a_list(x0, x1):
    xs = [x0, x1, 0.5]
    xs[1:3] = [np.sin(x0), x1 * x1]
    return sum(xs)


def dict_pop(x):
    d = {"a": x, "b": 2.0 * x}
    z = d.pop("a")
    return z + d["b"]


def window_of_a_helper(p0, p2):
    for j in range(1, 2):
        xs = [0.5, np.sin(p2), 0.3]
        xs.pop()
        p2 = sum(xs)
        v = np.tanh(p2)
    return v * np.sum(p0)


def pop_in_a_loop_inside_a_helper(x0, a1):
    # cleanup renamed a pushed `xs_1` to `xs` in the helper's fwd and then dropped the unread entries
    # from its push and its pop by name: the bwd popped three values off a two-value save (fuzzer seed
    # 81, program 1340)
    x0 += window_of_a_helper(a1, x0)
    return x0


def array_stored_into_itself(a):
    # `y[...] = y` cleared the adjoint of y after adding the value's adjoint into it: a zero gradient
    # (fuzzer seed 81, program 655)
    y = a * 2.0
    y[...] = y
    a[...] = a
    return np.sum(y * a)


def constants_stored_at_computed_indices_in_a_loop(x):
    # the backward sweep cleared the adjoint at the last iteration's index in every iteration: the
    # index of a store is read by the backward sweep even where no value's adjoint comes from the slot
    # (fuzzer seed 82, program 1935)
    v = [x, x, x]
    for i in range(2):
        v[i % 3] = 0.2
    return v[0] * v[2]


def store_after_a_continue_in_a_while_loop(a):
    # the forward sweep saved `a_4`, the join of the `continue` branch, before the copy that defines it
    # (fuzzer seed 92, program 537)
    n = 0
    while True:
        n += 1
        a = np.maximum(a, a * 0.4)
        if np.sum(a) < 0.3 and n < 3:
            continue
        a[0] = 0.5
        if n >= 2:
            break
    return sum(a * a)


def squares_of_items(x, y):
    """An item read several times in one line: each read adds its adjoint into the same place."""
    out = np.zeros(len(x))
    for i in range(len(x)):
        out[i] = x[i] * x[i] + y[1] * y[1] * x[i]
    return np.sum(out * out)
