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
