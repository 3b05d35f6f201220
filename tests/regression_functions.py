import numpy as np
def weigh(y):
    return np.sum(y * y)
def f(x, s):
    return weigh(x) + weigh(s)
