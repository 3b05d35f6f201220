"""Adam, over any structure of parameters adjoint.tree_map walks (dicts, lists, dataclasses)."""
import numpy as np

import adjoint


class Adam:
    def __init__(self, rate=0.05, beta1=0.9, beta2=0.999):
        self.rate, self.beta1, self.beta2 = rate, beta1, beta2
        self.first = self.second = None
        self.steps = 0

    def step(self, params, grads):
        if self.first is None:
            self.first = adjoint.tree_map(np.zeros_like, grads)
            self.second = adjoint.tree_map(np.zeros_like, grads)
        self.steps += 1
        self.first = adjoint.tree_map(lambda m, g: self.beta1 * m + (1 - self.beta1) * g, self.first, grads)
        self.second = adjoint.tree_map(lambda v, g: self.beta2 * v + (1 - self.beta2) * g * g, self.second, grads)
        scale = self.rate * np.sqrt(1 - self.beta2 ** self.steps) / (1 - self.beta1 ** self.steps)
        return adjoint.tree_map(lambda p, m, v: p - scale * m / (np.sqrt(v) + 1e-8), params, self.first, self.second)
