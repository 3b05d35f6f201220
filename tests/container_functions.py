"""Targets with containers: dict and list parameters, tuple returns, auxiliary outputs."""
import numpy as np


def mlp_params(params, X, y):
    h = np.tanh(X @ params["W1"] + params["b1"])
    pred = h @ params["W2"] + params["b2"]
    return np.mean((pred - y) ** 2)


def list_of_arrays(ws, x):
    total = 0.0
    for w in ws:
        x = np.tanh(w @ x)
        total = total + np.sum(x ** 2)
    return total


def _two(x):
    return np.sin(x), x * x


def tuple_return_unpacked(x):
    a, b = _two(x)
    return np.sum(a * b)


def nested_structure(p):
    first = p["layers"][0]
    second = p["layers"][1]
    return np.sum(first * second) + p["scale"] ** 2


def loss_with_aux(w, x):
    pred = np.tanh(w * x)
    loss = np.sum(pred ** 2)
    return loss, {"pred": pred, "mean": np.mean(pred)}


def builds_dict(x):
    d = {"a": x * 2.0, "b": np.sin(x)}
    return np.sum(d["a"] * d["b"])
