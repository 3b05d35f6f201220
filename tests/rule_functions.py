"""Targets for the user-rule tests: a kernel without Python source, and a helper with a rule."""
import numpy as np

import adjoint

cube_kernel = np.frompyfunc(lambda v: v ** 3, 1, 1)     # opaque to adjoint: no readable source


def uses_kernel(x):
    return cube_kernel(x) * 2.0


def soft_clip(x):
    """Differentiated through its source unless a rule is registered for it."""
    return x / (1.0 + abs(x))


def uses_soft_clip(x):
    return soft_clip(x) + x


def uses_stop_gradient(x):
    return x * adjoint.stop_gradient(x)
