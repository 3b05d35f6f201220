"""Benchmark workloads written the way a scientist writes them (the performance issue's list).

Each primal below is plain NumPy, written as one would write it without any thought for a
differentiating compiler. Next to each sits a hand-written gradient: the careful, fast reference
the compiler is measured against (forward values kept only where the reverse sweep needs them,
per-step work hoisted out of loops and batched into one BLAS call where the maths allows).

These are appended to workloads.WORKLOADS (see the end of workloads.py), so

    python benchmarks/workloads.py                 # checks every hand gradient against central differences
    python benchmarks/run.py --only rnn_dot,lstm   # times them against adjoint
"""

import math

import numpy as np

from workloads import Workload


# ---------------------------------------------------------------------------
# rnn_dot: tanh RNN written with np.dot and h = np.zeros(n); d/d(W, U, b)
# ---------------------------------------------------------------------------

def rnn_dot(W, U, b, xs):
    n = W.shape[0]
    h = np.zeros(n)
    for t in range(len(xs)):
        h = np.tanh(np.dot(W, h) + np.dot(U, xs[t]) + b)
    return np.sum(h ** 2)


def rnn_dot_grad(W, U, b, xs):
    """Backpropagation through time.

    The input projection of every step is one matrix product before the loop; the reverse loop
    only carries dh through W and records each step's dz, and the three weight gradients are
    then one matrix product (or sum) each over all steps.
    """
    T, n = xs.shape[0], W.shape[0]
    XU = np.dot(xs, U.T)
    XU += b                              # (T, n): U @ xs[t] + b for every t
    H = np.empty((T + 1, n))             # H[t] = h before step t; H[0] = 0
    H[0] = 0.0
    h = H[0]
    for t in range(T):
        h = np.tanh(np.dot(W, h) + XU[t])
        H[t + 1] = h
    D = 1.0 - H[1:] * H[1:]              # tanh' of every step, in one sweep
    DZ = np.empty((T, n))
    dh = 2.0 * h
    for t in range(T - 1, -1, -1):
        dz = dh * D[t]
        DZ[t] = dz
        dh = np.dot(dz, W)               # W.T @ dz
    dW = np.dot(DZ.T, H[:-1])
    dU = np.dot(DZ.T, xs)
    db = DZ.sum(axis=0)
    return dW, dU, db


def _rnn_dot_args():
    rng = np.random.default_rng(21)
    H, D, T = 16, 8, 50
    W = rng.standard_normal((H, H)) * (0.8 / math.sqrt(H))
    U = rng.standard_normal((H, D)) * (0.5 / math.sqrt(D))
    b = rng.standard_normal(H) * 0.1
    xs = rng.standard_normal((T, D))
    return W, U, b, xs


# ---------------------------------------------------------------------------
# lstm: one LSTM layer over a sequence, stacked gate weights; d/d(W, b)
# ---------------------------------------------------------------------------

def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def lstm(W, b, xs):
    n = W.shape[0] // 4
    h = np.zeros(n)
    c = np.zeros(n)
    for t in range(len(xs)):
        z = np.dot(W, np.concatenate([h, xs[t]])) + b
        i = sigmoid(z[:n])
        f = sigmoid(z[n:2 * n])
        o = sigmoid(z[2 * n:3 * n])
        g = np.tanh(z[3 * n:])
        c = f * c + i * g
        h = o * np.tanh(c)
    return np.sum(h ** 2)


def lstm_grad(W, b, xs):
    """Backpropagation through time for the LSTM above.

    W = [Wh | Wx] with gate blocks (i, f, o, g). The input half of every step's
    pre-activation is one matrix product before the loop; the three sigmoid gates are one
    contiguous slice and go through the sigmoid together. The forward loop writes each h
    straight into the row of HX = [h_prev | x] that the weight gradient needs, so no
    concatenation happens in either sweep. The local derivatives of every step (sigmoid',
    tanh') are computed for all steps at once after the forward loop, so the reverse loop does
    only the chain rule and one (4n)x(n) product; dW and db are then one matrix product and one
    sum over all steps.
    """
    T, D = xs.shape
    n = W.shape[0] // 4
    Wh = np.ascontiguousarray(W[:, :n])
    Zx = np.dot(xs, W[:, n:].T)
    Zx += b                              # (T, 4n)
    HX = np.empty((T, n + D))            # row t: [h before step t | xs[t]], the input of step t
    HX[:, n:] = xs
    HX[0, :n] = 0.0
    S = np.empty((T, 3 * n))             # sigmoid gates i, f, o
    G = np.empty((T, n))                 # tanh gate g
    C = np.empty((T + 1, n))             # C[t] = c before step t
    TC = np.empty((T, n))                # tanh(c) after step t
    C[0] = 0.0
    h, c = HX[0, :n], C[0]
    for t in range(T):
        z = np.dot(Wh, h) + Zx[t]
        s = 1 / (1 + np.exp(-z[:3 * n]))
        g = np.tanh(z[3 * n:])
        c = s[n:2 * n] * c + s[:n] * g
        tc = np.tanh(c)
        h = s[2 * n:] * tc
        S[t], G[t], C[t + 1], TC[t] = s, g, c, tc
        if t + 1 < T:
            HX[t + 1, :n] = h
    # Local derivatives of every step at once.
    dS = S * (1.0 - S)
    dG = 1.0 - G * G
    dTC = 1.0 - TC * TC
    DZ = np.empty((T, 4 * n))
    dh = 2.0 * h
    dc = np.zeros(n)
    for t in range(T - 1, -1, -1):
        s = S[t]
        dc = dc + dh * s[2 * n:] * dTC[t]
        dz = DZ[t]
        dz[:n] = dc * G[t]               # d i
        dz[n:2 * n] = dc * C[t]          # d f
        dz[2 * n:3 * n] = dh * TC[t]     # d o
        dz[:3 * n] *= dS[t]
        dz[3 * n:] = dc * s[:n] * dG[t]  # d g, through tanh
        dc = dc * s[n:2 * n]
        dh = np.dot(dz, Wh)              # Wh.T @ dz
    return np.dot(DZ.T, HX), DZ.sum(axis=0)


def _lstm_args():
    rng = np.random.default_rng(22)
    H, D, T = 16, 8, 30
    W = rng.standard_normal((4 * H, H + D)) / math.sqrt(H + D)
    b = rng.standard_normal(4 * H) * 0.1
    b[H:2 * H] += 1.0                    # the usual forget-gate bias
    xs = rng.standard_normal((T, D))
    return W, b, xs


# ---------------------------------------------------------------------------
# logreg: L2-regularised logistic regression, mean log-loss; d/d(w, bias)
# ---------------------------------------------------------------------------

def logreg(w, bias, X, y, lam):
    z = np.dot(X, w) + bias
    loss = np.mean(np.logaddexp(0, z) - y * z)
    return loss + 0.5 * lam * np.sum(w ** 2)


def logreg_grad(w, bias, X, y, lam):
    """dL/dz = (sigmoid(z) - y) / N, then one gemv back through X."""
    z = np.dot(X, w)
    z += bias
    # sigmoid(z) = (1 + tanh(z / 2)) / 2: one transcendental, no overflow for any z.
    z *= 0.5
    p = np.tanh(z, out=z)
    p += 1.0
    p *= 0.5
    p -= y
    p *= 1.0 / X.shape[0]                # p is now dL/dz
    dw = np.dot(p, X)                    # X.T @ dz
    dw += lam * w
    return dw, p.sum()


def _logreg_args():
    rng = np.random.default_rng(23)
    N, D = 1000, 20
    X = rng.standard_normal((N, D))
    w_true = rng.standard_normal(D)
    y = (rng.random(N) < 1 / (1 + np.exp(-np.dot(X, w_true)))).astype(float)
    w = rng.standard_normal(D) * 0.1
    return w, 0.1, X, y, 0.01


# ---------------------------------------------------------------------------
# rosenbrock: the vectorised Rosenbrock function in 100 dimensions; d/dx
# ---------------------------------------------------------------------------

def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def rosenbrock_grad(x):
    a = x[:-1]
    d = x[1:] - a * a
    g = np.empty_like(x)
    g[:-1] = -400.0 * a * d - 2.0 * (1.0 - a)
    g[-1] = 0.0
    g[1:] += 200.0 * d
    return g


# ---------------------------------------------------------------------------
# heat2d: explicit 2-D heat equation, fixed (Dirichlet) boundary; d/du0
# ---------------------------------------------------------------------------

def heat2d(u0, r, steps):
    u = u0.copy()
    for n in range(steps):
        un = u.copy()
        u[1:-1, 1:-1] = un[1:-1, 1:-1] + r * (un[2:, 1:-1] + un[:-2, 1:-1] + un[1:-1, 2:]
                                              + un[1:-1, :-2] - 4 * un[1:-1, 1:-1])
    return np.sum(u ** 2)


def heat2d_grad(u0, r, steps):
    """The step is linear in u, so no tape: run it forward, then apply its transpose `steps` times.

    Transpose of u[I] += r * lap(u)[I] (I the interior, boundary untouched): the adjoint keeps
    its own value, scaled by 1 - 4r on the interior, and every interior point scatters r * g[I]
    to its four neighbours, boundary neighbours included.

    Both sweeps work on the flattened grid: the stretch from (1, 1) to (N-2, M-2) in row-major
    order is one contiguous run holding the interior plus the boundary columns between its rows,
    and its four neighbours are the same run shifted by +-1 and +-M. A 0/1 mask on r keeps the
    boundary columns fixed. Contiguous 1-D operations on ~1000 doubles are about three times as
    fast as the same operations on 30x30 strided 2-D slices, and the five views are made once.
    """
    N, M = u0.shape
    u = u0.copy()
    flat = u.reshape(-1)
    lo, hi = M + 1, N * M - M - 1
    col = np.arange(lo, hi) % M
    rm = np.where((col != 0) & (col != M - 1), r, 0.0)    # r on the interior, 0 on boundary columns
    cm = 1.0 - 4.0 * rm
    mid = flat[lo:hi]
    up, down = flat[lo - M:hi - M], flat[lo + M:hi + M]
    left, right = flat[lo - 1:hi - 1], flat[lo + 1:hi + 1]
    lap = np.empty_like(mid)
    for _ in range(steps):
        np.add(up, down, out=lap)
        lap += left
        lap += right
        lap *= rm
        mid *= cm
        mid += lap
    flat *= 2.0                          # d(sum u**2)/du; u is now the adjoint g
    for _ in range(steps):
        np.multiply(mid, rm, out=lap)    # r * g[I], before g[I] changes
        mid *= cm
        up += lap
        down += lap
        left += lap
        right += lap
    return u


def _heat2d_args():
    rng = np.random.default_rng(24)
    u0 = rng.random((32, 32))
    return u0, 0.2, 50


# ---------------------------------------------------------------------------
# rk4: Lotka-Volterra integrated by classical RK4, 200 steps; d/d(a, b, c, d)
# ---------------------------------------------------------------------------

def lotka_volterra(state, a, b, c, d):
    x, y = state
    return np.array([a * x - b * x * y, c * x * y - d * y])


def rk4(a, b, c, d, state0, dt, steps):
    state = state0
    for _ in range(steps):
        k1 = lotka_volterra(state, a, b, c, d)
        k2 = lotka_volterra(state + dt / 2 * k1, a, b, c, d)
        k3 = lotka_volterra(state + dt / 2 * k2, a, b, c, d)
        k4 = lotka_volterra(state + dt * k3, a, b, c, d)
        state = state + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return np.sum(state ** 2)


def rk4_grad(a, b, c, d, state0, dt, steps):
    """Discrete adjoint of the RK4 steps (the exact derivative of the computed value).

    The state has two components, so both sweeps use Python floats: two-element NumPy arrays
    would spend their time in per-call overhead. The forward sweep records the four stage points
    of every step; the reverse sweep applies each stage's 2x2 Jacobian transpose and accumulates
    the parameter adjoints.
    """
    x, y = float(state0[0]), float(state0[1])
    h2, h6 = dt / 2, dt / 6
    tape = []
    for _ in range(steps):
        k1x, k1y = (a - b * y) * x, (c * x - d) * y
        x2, y2 = x + h2 * k1x, y + h2 * k1y
        k2x, k2y = (a - b * y2) * x2, (c * x2 - d) * y2
        x3, y3 = x + h2 * k2x, y + h2 * k2y
        k3x, k3y = (a - b * y3) * x3, (c * x3 - d) * y3
        x4, y4 = x + dt * k3x, y + dt * k3y
        k4x, k4y = (a - b * y4) * x4, (c * x4 - d) * y4
        tape.append((x, y, x2, y2, x3, y3, x4, y4))
        x = x + h6 * (k1x + 2 * k2x + 2 * k3x + k4x)
        y = y + h6 * (k1y + 2 * k2y + 2 * k3y + k4y)
    gx, gy = 2.0 * x, 2.0 * y
    ga = gb = gc = gd = 0.0
    for x1, y1, x2, y2, x3, y3, x4, y4 in reversed(tape):
        # f(x, y) = ((a - b y) x, (c x - d) y);  J^T g = ((a - b y) g1 + c y g2, -b x g1 + (c x - d) g2)
        # stage 4, k4 = f(s4), weight h6
        p, q = h6 * gx, h6 * gy
        ga += x4 * p
        gb -= x4 * y4 * p
        gc += x4 * y4 * q
        gd -= y4 * q
        sx = (a - b * y4) * p + c * y4 * q            # adjoint of s4 = s + dt k3
        sy = (c * x4 - d) * q - b * x4 * p
        nx, ny = gx + sx, gy + sy                     # adjoint of s, accumulating
        # stage 3, k3 = f(s3): weight 2 h6 = dt/3, plus dt from s4
        p, q = 2 * h6 * gx + dt * sx, 2 * h6 * gy + dt * sy
        ga += x3 * p
        gb -= x3 * y3 * p
        gc += x3 * y3 * q
        gd -= y3 * q
        sx = (a - b * y3) * p + c * y3 * q
        sy = (c * x3 - d) * q - b * x3 * p
        nx += sx
        ny += sy
        # stage 2, k2 = f(s2): weight dt/3, plus dt/2 from s3
        p, q = 2 * h6 * gx + h2 * sx, 2 * h6 * gy + h2 * sy
        ga += x2 * p
        gb -= x2 * y2 * p
        gc += x2 * y2 * q
        gd -= y2 * q
        sx = (a - b * y2) * p + c * y2 * q
        sy = (c * x2 - d) * q - b * x2 * p
        nx += sx
        ny += sy
        # stage 1, k1 = f(s): weight h6, plus dt/2 from s2
        p, q = h6 * gx + h2 * sx, h6 * gy + h2 * sy
        ga += x1 * p
        gb -= x1 * y1 * p
        gc += x1 * y1 * q
        gd -= y1 * q
        gx = nx + (a - b * y1) * p + c * y1 * q
        gy = ny + (c * x1 - d) * q - b * x1 * p
    return ga, gb, gc, gd


def _rk4_args():
    return 1.1, 0.4, 0.1, 0.4, np.array([10.0, 5.0]), 0.05, 200


# ---------------------------------------------------------------------------
# newton: the real root of x**3 + p*x - q = 0 by Newton's method; d/d(p, q)
# ---------------------------------------------------------------------------

def newton(p, q, tol=1e-12):
    x = 1.0
    step = 1.0
    while abs(step) > tol:
        fx = x ** 3 + p * x - q
        step = fx / (3 * x ** 2 + p)
        x = x - step
    return x


def newton_grad(p, q, tol=1e-12):
    """Implicit function theorem at the computed root (not differentiation through the iterations).

    F(x, p, q) = x**3 + p x - q = 0 gives dx/dp = -x / F_x and dx/dq = 1 / F_x with
    F_x = 3 x**2 + p. Differentiating the iterations instead converges to the same value
    (the derivative of Newton's map vanishes at the root); after the last step the two differ
    by about the size of F at the previous iterate, far below the tolerance here.
    """
    x = 1.0
    step = 1.0
    while abs(step) > tol:
        step = (x ** 3 + p * x - q) / (3 * x ** 2 + p)
        x = x - step
    inv = 1.0 / (3 * x * x + p)
    return -x * inv, inv


def pendulum(x0, k, steps=10000):
    """A damped pendulum, semi-implicit Euler, 10,000 steps of Python floats."""
    x = x0
    v = 0.0
    for i in range(steps):
        a = -k * np.sin(x) - 0.1 * v
        v = v + 0.01 * a
        x = x + 0.01 * v
    return x


def pendulum_grad(x0, k, steps=10000):
    """Reverse sweep by hand: the tape holds x at each step (what the backward sweep reads)."""
    x = x0
    v = 0.0
    xs = []
    for i in range(steps):
        xs.append(x)
        v = v + 0.01 * (-k * math.sin(x) - 0.1 * v)
        x = x + 0.01 * v
    gx, gv, gk = 1.0, 0.0, 0.0
    for x in reversed(xs):
        gv = gv + 0.01 * gx                     # x' = x + 0.01 v'
        ga = 0.01 * gv                          # v' = v + 0.01 a
        gx = gx - ga * k * math.cos(x)
        gk = gk - ga * math.sin(x)
        gv = gv - 0.1 * ga
    return gx, gk


# ---------------------------------------------------------------------------
# Registry
# ---------------------------------------------------------------------------

USER_WORKLOADS = [
    Workload(
        "rnn_dot", rnn_dot, rnn_dot_grad, _rnn_dot_args, (0, 1, 2),
        "tanh RNN with np.dot and h = np.zeros(n), 50 steps, hidden 16, input 8; d/d(W, U, b)",
    ),
    Workload(
        "lstm", lstm, lstm_grad, _lstm_args, (0, 1),
        "LSTM, stacked gate weights on np.concatenate([h, x]), sigmoid helper, 30 steps, "
        "hidden 16, input 8; d/d(W, b)",
    ),
    Workload(
        "logreg", logreg, logreg_grad, _logreg_args, (0, 1),
        "L2 logistic regression, mean log-loss via np.logaddexp, 1000x20; d/d(w, bias)",
    ),
    Workload(
        "rosenbrock", rosenbrock, rosenbrock_grad,
        lambda: (np.random.default_rng(25).uniform(-1.5, 1.5, 100),), 0,
        "vectorised Rosenbrock, 100 dimensions; d/dx",
    ),
    Workload(
        "heat2d", heat2d, heat2d_grad, _heat2d_args, 0,
        "explicit 2-D heat equation, 32x32, 50 steps, un = u.copy(); u[1:-1, 1:-1] = ...; d/du0",
    ),
    Workload(
        "rk4", rk4, rk4_grad, _rk4_args, (0, 1, 2, 3),
        "RK4 on Lotka-Volterra (np.array state, helper rhs), 200 steps; d/d(a, b, c, d)",
    ),
    Workload(
        "pendulum", pendulum, pendulum_grad, lambda: (0.8, 2.0), (0, 1),
        "damped pendulum, 10,000 steps of Python floats written with np.sin; d/d(x0, k)",
    ),
    Workload(
        "newton", newton, newton_grad, lambda: (2.0, 5.0), (0, 1),
        "Newton's method for x**3 + p x - q = 0 in a `while abs(step) > tol` loop; d/d(p, q)",
    ),
]
