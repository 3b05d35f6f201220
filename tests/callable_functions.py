"""Bound methods, classmethods, staticmethods and functools.partial (tests/test_callables.py)."""
import functools
import time

import numpy as np


class Model:
    factor = 1.5

    def __init__(self, scale):
        self.scale = scale

    def loss(self, x):
        return np.sum(np.sin(x) * self.scale) + self.penalty(x)

    def penalty(self, x, weight=0.1):
        return weight * np.sum(x * x)

    @staticmethod
    def static_loss(x):
        return np.sum(x ** 3)

    @classmethod
    def class_loss(cls, x):
        return np.sum(np.cos(x)) * cls.factor


class Layer:
    def __init__(self, W):
        self.W = W

    def __call__(self, x):
        return np.tanh(self.W @ x)


class Energy:
    def __init__(self, layer):
        self.layer = layer

    def __call__(self, x):
        return np.sum(self.layer(x) ** 2)


layer = Layer(np.array([[0.5, -0.3, 0.2], [0.1, 0.4, -0.6]]))
energy = Energy(layer)


def calls_a_callable_object(x):
    return np.sum(layer(x) ** 2)


def weighted(w, x, shift=0.0):
    return np.sum(w * np.sin(x + shift))


model = Model(2.0)
half_weighted = functools.partial(weighted, np.array([1.0, 2.0, 0.5]))
shifted = functools.partial(weighted, shift=0.3)
cubed = functools.partial(lambda k, x: np.sum(x ** k), 3)


def calls_a_method_of_a_module_object(x):
    return model.loss(x) * 2.0


def calls_a_partial(x):
    return half_weighted(x) + shifted(x, x)


class Network:
    """Two layers and a loss, as the articles write them."""

    def __init__(self, first, second):
        self.first, self.second = first, second

    def loss(self, x, target):
        prediction = self.second(self.first(x))
        return np.sum((prediction - target) ** 2)


network = Network(Layer(np.array([[0.5, -0.3, 0.2], [0.1, 0.4, -0.6]])), Layer(np.array([[0.7, -0.2]])))


def timed(function):
    """A decorator that times the call and returns what the function returns."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        result = function(*args, **kwargs)
        wrapper.elapsed = time.perf_counter() - start
        return result
    return wrapper


def logged(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        print("calling", function.__name__)
        return function(*args, **kwargs)
    return wrapper


def doubled(function):
    """Not transparent: it changes the value."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        return 2.0 * function(*args, **kwargs)
    return wrapper


@timed
def timed_loss(x):
    return np.sum(np.sin(x) * x)


@logged
def logged_helper(x):
    return np.tanh(x) * 2.0


def calls_a_decorated_helper(x):
    return np.sum(logged_helper(x) ** 2)


@doubled
def doubled_loss(x):
    return np.sum(x * x)


# --- objects passed as arguments (not differentiated by) ------------------------------------------

class Quadratic:
    def __init__(self, a):
        self.a = a

    def loss(self, x):
        return self.a * np.sum(x * x)


def loss_of_a_model_argument(model, x):
    return model.loss(x) + model.static_loss(x) + model.class_loss(x)


def network_argument(network, x, target):
    return network.loss(x, target)


class Stack:
    def __init__(self, layers):
        self.layers = layers

    def loss(self, x):
        return np.sum(self.layers[0](x))


stack = Stack([layer])


def stack_argument(model, x):
    return model.loss(x)


class Deep:
    def __init__(self, layers, head):
        self.layers, self.head = layers, head

    def loss(self, x):
        h = x
        for layer in self.layers:
            h = layer(h)
        return np.sum(self.head(h) ** 2)


deep = Deep([Layer(np.array([[0.5, -0.3, 0.2], [0.1, 0.4, -0.6], [0.3, 0.3, -0.2]])),
             Layer(np.array([[0.2, -0.1, 0.6], [0.5, 0.2, 0.1], [-0.4, 0.3, 0.2]]))],
            Layer(np.array([[0.7, -0.2, 0.1]])))


def deep_argument(model, x):
    return model.loss(x)
