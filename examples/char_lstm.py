"""A character-level LSTM (Zygote's example): it reads a short text one character at a time and
learns to predict the next one; then it writes.

    python examples/char_lstm.py

The cell keeps its parameters in a dict of gates; each step appends its states to lists, the loss
sums the cross-entropy of every prediction.
"""
import os
import sys

import numpy as np

try:
    import adjoint
except ImportError:  # running from a checkout without installing
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    import adjoint

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from against_autograd import compare  # noqa: E402
import pictures  # noqa: E402
from optim import Adam  # noqa: E402

TEXT = ("the quick brown fox jumps over the lazy dog. " * 3).strip()
GATES = ("input", "forget", "output", "cell")


def sigmoid(z):
    return 0.5 * (np.tanh(0.5 * z) + 1.0)


def init_params(vocabulary, hidden, rng):
    params = {gate: {"W": rng.normal(0, 0.1, (hidden, vocabulary + hidden)), "b": np.zeros(hidden)} for gate in GATES}
    params["forget"]["b"] = np.ones(hidden)                 # remember by default
    params["readout"] = {"W": rng.normal(0, 0.1, (vocabulary, hidden)), "b": np.zeros(vocabulary)}
    return params


def step(params, x, h, c):
    """One LSTM step: the new hidden state and cell."""
    z = np.concatenate([x, h])
    gate = {name: params[name]["W"] @ z + params[name]["b"] for name in GATES}
    c = sigmoid(gate["forget"]) * c + sigmoid(gate["input"]) * np.tanh(gate["cell"])
    h = sigmoid(gate["output"]) * np.tanh(c)
    return h, c


def loss(params, inputs, targets):
    """The mean cross-entropy of predicting each next character (one-hot rows)."""
    hidden = params["readout"]["W"].shape[1]
    h, c = np.zeros(hidden), np.zeros(hidden)
    states = []
    for x in inputs:
        h, c = step(params, x, h, c)
        states.append(h)
    logits = np.stack(states) @ params["readout"]["W"].T + params["readout"]["b"]
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_probabilities = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(np.sum(log_probabilities * targets, axis=1))


def write(params, start, length, alphabet):
    """Greedy sampling from the trained network."""
    hidden = params["readout"]["W"].shape[1]
    h, c = np.zeros(hidden), np.zeros(hidden)
    index = {ch: i for i, ch in enumerate(alphabet)}
    out = start
    for ch in start[:-1]:
        h, c = step(params, np.eye(len(alphabet))[index[ch]], h, c)
    ch = start[-1]
    for _ in range(length):
        h, c = step(params, np.eye(len(alphabet))[index[ch]], h, c)
        ch = alphabet[int(np.argmax(params["readout"]["W"] @ h + params["readout"]["b"]))]
        out += ch
    return out


def main(steps=150, hidden=24, text=TEXT, picture=True):
    alphabet = sorted(set(text))
    one_hot = np.eye(len(alphabet))[[alphabet.index(ch) for ch in text]]
    inputs, targets = list(one_hot[:-1]), one_hot[1:]
    rng = np.random.default_rng(4)
    params = init_params(len(alphabet), hidden, rng)

    gradient = adjoint.grad(loss)(params, inputs[:10], targets[:10])
    moved = {gate: dict(p) for gate, p in params.items()}
    moved["cell"]["W"] = params["cell"]["W"].copy()
    eps = 1e-6
    moved["cell"]["W"][2, 3] += eps
    up = loss(moved, inputs[:10], targets[:10])
    moved["cell"]["W"][2, 3] -= 2 * eps
    central = (up - loss(moved, inputs[:10], targets[:10])) / (2 * eps)
    agrees = abs(gradient["cell"]["W"][2, 3] - central) < 1e-7

    value_and_slope = adjoint.value_and_grad(loss)
    optimizer, history = Adam(rate=0.02), []
    for _ in range(steps):
        value, grads = value_and_slope(params, inputs, targets)
        history.append(value)
        params = optimizer.step(params, grads)
    print(f"cross-entropy {history[0]:.3f} -> {history[-1]:.3f} nats per character after {steps} steps")
    print("it writes:", repr(write(params, text[:6], 40, alphabet)))
    print(f"gradient against central differences: {'agrees' if agrees else 'DIFFERS'}")
    print(compare(loss, (params, inputs, targets)))
    if picture:
        pictures.loss_curve("char_lstm_loss", history, "nats per character")
    ok = agrees and history[-1] < 0.5 * history[0]
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
