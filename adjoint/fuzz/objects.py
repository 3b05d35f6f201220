"""Classes of the objects the fuzzer's programs take as arguments (a program imports them: their
source must be readable, so they live in a module, not in the generated file's arguments)."""
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np


@dataclass
class Weights:
    w: np.ndarray
    c: float
    label: str = "weights"

    def energy(self, t):
        return np.sum(self.w * t) * self.c


class Pair(NamedTuple):
    a: float
    b: float
