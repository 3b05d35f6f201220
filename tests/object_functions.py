"""Functions differentiated with respect to objects of user classes (tests/test_objects.py)."""
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np


@dataclass
class Dense:
    W: np.ndarray
    b: np.ndarray
    name: str = "dense"

    def __call__(self, x):
        return np.tanh(self.W @ x + self.b)


class Params(NamedTuple):
    w: np.ndarray
    c: float
    steps: int = 2


@dataclass(frozen=True)
class Spring:
    k: float
    rest: float


class Network:
    """A plain class: its gradient is a dict keyed by attribute name."""

    def __init__(self, layers, scale):
        self.layers = layers
        self.scale = scale
        self.label = "net"

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x * self.scale

    def loss(self, x, target):
        return np.sum((self.forward(x) - target) ** 2)


class Cell:
    """A property and a method reading it."""

    def __init__(self, log_rate, gain):
        self.log_rate = log_rate
        self.gain = gain

    @property
    def rate(self):
        return np.exp(self.log_rate)

    def step(self, h):
        return h + self.rate * np.tanh(self.gain * h)


@dataclass
class Model:
    first: Dense
    second: Dense
    history: list = field(default_factory=list)

    def __call__(self, x):
        return self.second(self.first(x))


def dense_loss(layer, x):
    return np.sum(layer(x) ** 2)


def params_loss(p, x):
    total = 0.0
    for _ in range(p.steps):
        total = total + np.sum(p.w * x) * p.c
    return total


def unpacked_params_loss(p, x):
    w, c, steps = p
    return np.sum(np.sin(w * x)) * c ** 2 + steps


def spring_energy(spring, x):
    stretch = x - spring.rest
    return 0.5 * spring.k * stretch * stretch


def network_loss(network, x, target):
    return network.loss(x, target)


def cell_loss(cell, h):
    for _ in range(3):
        h = cell.step(h)
    return np.sum(h ** 2)


def model_loss(model, x):
    return np.sum(model(x) ** 2)


def object_and_array(layer, x):
    return np.sum(layer(x) * x[:2])


def spring_in_a_branch(spring, x):
    if x > spring.rest:
        return spring.k * (x - spring.rest) ** 2
    return spring.k * 0.5 * (spring.rest - x)
