"""A projectile with air drag, integrated until it lands, and a small neural controller trained
through the simulator to hit targets under wind (Zygote's trebuchet, with a simpler launcher).

    python examples/trebuchet.py          # examples/output/trebuchet.png with matplotlib

The simulator is a plain time-stepping loop (`while` the projectile is in the air) that grows a
list of positions; the controller maps (target distance, wind) to a launch angle and speed.
"""
import math
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

GRAVITY = 9.81
DRAG = 0.02          # per metre: the drag deceleration is DRAG * |v_rel| * v_rel
STEP = 0.01


def flight(angle, speed, wind, keep=False):
    """Where the projectile lands (metres), by explicit Euler steps until it falls below the ground
    (the last step cut where it crosses it); with keep=True also the path as a list of (x, y)."""
    x, y = 0.0, 0.0
    vx, vy = speed * math.cos(angle), speed * math.sin(angle)
    path = [(x, y)]
    while y >= 0.0:
        relative = math.hypot(vx - wind, vy)
        ax = -DRAG * relative * (vx - wind)
        ay = -GRAVITY - DRAG * relative * vy
        last_x, last_y = x, y
        x, y = x + STEP * vx, y + STEP * vy
        vx, vy = vx + STEP * ax, vy + STEP * ay
        if keep:
            path.append((x, y))
    landing = last_x + (x - last_x) * last_y / (last_y - y)
    if keep:
        return landing, path
    return landing


def controller(weights, target, wind):
    """A launch (angle in radians, speed in m/s) from a tiny network of the scaled inputs."""
    features = np.array([target / 50.0, wind / 10.0])
    hidden = np.tanh(weights["W1"] @ features + weights["b1"])
    out = weights["W2"] @ hidden + weights["b2"]
    angle = 0.2 + 1.1 / (1.0 + math.exp(-out[0]))          # between 0.2 and 1.3 rad
    speed = 10.0 + 30.0 / (1.0 + math.exp(-out[1]))        # between 10 and 40 m/s
    return angle, speed


def miss(weights, targets, winds):
    """Mean squared miss distance over a batch of (target, wind) situations."""
    misses = [(flight(*controller(weights, t, w), w) - t) ** 2 for t, w in zip(targets, winds)]
    return sum(misses) / len(misses)


def main(batch=12, steps=80, picture=True):
    rng = np.random.default_rng(3)
    weights = {"W1": rng.normal(0, 0.5, (8, 2)), "b1": np.zeros(8), "W2": rng.normal(0, 0.5, (2, 8)),
               "b2": np.zeros(2)}
    targets = list(rng.uniform(15.0, 45.0, batch))
    winds = list(rng.uniform(-5.0, 5.0, batch))

    slope = adjoint.grad(flight, wrt=(0, 1))(0.7, 25.0, 2.0)
    step = 1e-6
    central = (flight(0.7 + step, 25.0, 2.0) - flight(0.7 - step, 25.0, 2.0)) / (2 * step)
    agrees = abs(slope[0] - central) < 1e-5 * max(1.0, abs(central))

    value_and_slope = adjoint.value_and_grad(miss)
    optimizer, history = Adam(rate=0.05), []
    for _ in range(steps):
        value, grads = value_and_slope(weights, targets, winds)
        history.append(value)
        weights = optimizer.step(weights, grads)
    rms = math.sqrt(miss(weights, targets, winds))
    print(f"mean squared miss {history[0]:.1f} m² -> {history[-1]:.2f} m² (root mean square {rms:.2f} m) "
          f"after {steps} steps")
    print(f"d landing / d angle {slope[0]:.4f}, central difference {central:.4f}: {'agrees' if agrees else 'DIFFERS'}")
    print(compare(miss, (weights, targets, winds)))
    if picture:
        _trajectories(weights, targets, winds)
    ok = agrees and history[-1] < 0.1 * history[0]
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


def _trajectories(weights, targets, winds):
    def draw(plt):
        figure = plt.figure(figsize=(7, 3.5))
        for target, wind in list(zip(targets, winds))[:6]:
            _, path = flight(*controller(weights, target, wind), wind, keep=True)
            xs, ys = zip(*path)
            line, = plt.plot(xs, ys, lw=1)
            plt.plot([target], [0.0], "v", color=line.get_color())
        plt.xlabel("metres")
        return figure
    pictures.save("trebuchet", draw)


if __name__ == "__main__":
    sys.exit(main())
