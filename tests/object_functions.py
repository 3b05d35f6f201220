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


# --- objects made and changed in the function (attribute stores, methods that store into self) ---
class RNNCell:
    """A recurrent cell keeping its state on itself, as people write it."""

    def __init__(self, W, U, size=2):
        self.W = W
        self.U = U
        self.h = np.zeros(size)
        self.steps = 0

    def step(self, x):
        self.h = np.tanh(self.W @ x + self.U @ self.h)
        self.steps += 1
        return self.h

    def reset(self):
        self.h = np.zeros_like(self.h)


class Box:
    pass


@dataclass
class Particle:
    position: np.ndarray
    velocity: np.ndarray
    mass: float = 1.0
    trail: list = field(default_factory=list)

    def __post_init__(self):
        self.momentum = self.mass * self.velocity

    def advance(self, force, dt):
        self.velocity = self.velocity + dt * force / self.mass
        self.position = self.position + dt * self.velocity
        self.trail = self.trail + [self.position]


def rnn_made_here(W, xs):
    cell = RNNCell(W, 0.5 * np.eye(2))
    for x in xs:
        cell.step(x)
    return np.sum(cell.h ** 2) + cell.steps


def rnn_cell_argument(cell, xs):
    cell.reset()
    outputs = [cell.step(x) for x in xs]
    return np.sum(outputs[-1] * outputs[0])


def box_of_values(x):
    box = Box()
    box.total = 0.0
    for v in x:
        box.total = box.total + v * v
    box.total += np.sum(x)
    return box.total


def particle_path(v0, force):
    p = Particle(np.zeros(2), v0, mass=2.0)
    for _ in range(3):
        p.advance(force, 0.1)
    return np.sum(np.stack(p.trail) ** 2) + np.sum(p.momentum)


def overwritten_attribute_of_an_argument(cell, h):
    before = np.sum(cell.gain * h)
    cell.gain = cell.gain * 2.0 + np.sum(h)
    return before + cell_loss(cell, h)


class Recorder:
    def __init__(self):
        self.trail = []

    def record(self, x):
        self.trail.append(x)


def records_into_a_held_list(x):
    recorder = Recorder()
    recorder.record(x)
    return recorder.trail[0]


@dataclass
class Point:
    x: float
    y: float = 0.5

    def norm2(self):
        return self.x * self.x + self.y * self.y

    def scale(self, k):
        self.x = self.x * k
        self.y *= k


def norm_in_an_unread_item(x):
    pt = Point(x)
    pt.scale(x)
    pair = (pt.norm2(), 2.0 * x)
    return pair[1]


class Smoother:
    """A method with a `with` block, a comprehension and `+=` on self: inlined after the same passes."""

    def __init__(self, rate):
        self.rate = rate
        self.level = 0.0

    def update(self, values):
        with np.errstate(over="ignore"):
            self.level = self.level * self.rate + sum([v * v for v in values])
        self.level += 0.1 * values[0]


def smoothed(x):
    smoother = Smoother(0.5)
    smoother.update([x, 2.0 * x])
    smoother.update([np.sin(x)])
    return smoother.level
