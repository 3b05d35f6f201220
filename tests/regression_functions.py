import math
import numpy as np
def weigh(y):
    return np.sum(y * y)
def f(x, s):
    return weigh(x) + weigh(s)


def overwrite_in_one_branch(x, y):
    if x > x:
        y = math.sin(x)  # noqa: F841  (the branch that is never taken)
    else:
        x = math.sin(x)
    return x * 1.0 + 0.1 * x


def drag_flight(v0, angle, drag):
    x, y = 0.0, 0.0
    vx, vy = v0 * math.cos(angle), v0 * math.sin(angle)
    while y >= 0.0:
        speed = math.sqrt(vx * vx + vy * vy)
        x = x + 0.05 * vx
        y = y + 0.05 * vy
        vx = vx - 0.05 * drag * speed * vx
        vy = vy - 0.05 * (9.81 + drag * speed * vy)
    return x


WEIGHTS = np.array([0.7, -1.2, 0.5, 1.1])


def product(s):
    return np.prod(WEIGHTS * s + 0.3)


def running_product(s):
    return np.sum(np.cumprod(WEIGHTS * s - 0.2))


def scaled(a, b):
    return a * b


def uses_scaled(x, y):
    return scaled(x, y) + x


def doubled(p0, p1):
    p0 += p0            # a number: a rebinding; the compiler checks at run time that it is one
    return p0


def shifted_power(t, *, power=2, shift=0.0):
    return (t + shift) ** power


def updated_in_a_while_test(x0):
    n = 0
    while n < 4 and doubled(x0, x0) < -0.4:
        n += 1
        x0 = np.tanh(x0 * 1.5)
        while doubled(x0, x0) > 0.4:
            opts = {"power": 1, "shift": -0.2}
            x0 = np.tanh(x0 + 0.3 * shifted_power(x0, **opts))     # (a value of unknown shape)
            if math.tanh(x0) < 0.1:
                return x0
    return x0


from dataclasses import dataclass  # noqa: E402


@dataclass
class Held:
    w: np.ndarray
    c: float


def bump_in_place(p0):
    v = p0
    v += 1.0                # updates the array it is given
    return np.sum(v)


def bumps_an_attribute(x, held):
    w = held.w
    total = bump_in_place(w)
    return x * total + held.c * np.sum(held.w)


def bumps_an_attribute_once(x, held):
    total = bump_in_place(held.w)
    return x * total + held.c


def pops_and_reads_extremes(p0, p1):
    xs = [p0, np.sin(p1), 0.5]
    popped = xs.pop()
    p0 = p0 * 0.5 + popped
    p0 = np.tanh(p0 + max(xs) - min(xs))
    return p1, p0 * p0


def uses_only_the_first_output(x):
    return pops_and_reads_extremes(x * 2.0, 0.3)[0] + x


def appends_an_item_of_a_list_of_numbers(xs):
    got = []
    for i in range(3):
        got.append(xs[1])
    return 1.1 * np.sum(got[-1]) + 0.5 * xs[0]
