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
