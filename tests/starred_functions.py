"""Calls with `*items` (adjoint/starred.py)."""
import math


def launch(angle, speed):
    return speed * math.cos(angle), speed * math.sin(angle)


def reach(vx, vy, drag=0.1):
    return vx * vy / (1.0 + drag * vx)


def through_a_helper(angle, speed):
    return reach(*launch(angle, speed))


def from_a_display(x, y):
    pair = (x * y, y)
    return reach(*pair) + reach(*(x, y), 0.2) + reach(*[y, x])


def in_a_comprehension_and_a_loop(angles, speed):
    total = sum(reach(*launch(a, speed)) for a in angles)
    for a in angles:
        if reach(*launch(a, speed), 0.3) > 1.0:
            total = total + reach(*launch(a, 0.5 * speed))
    return total


def of_a_parameter(args):
    return reach(*args)


def in_a_while_test(x):
    while reach(*launch(x, 2.0)) > 0.5:
        x = x * 0.5
    return x


def nested(x, y):
    return reach(*launch(*launch(x, y)))
