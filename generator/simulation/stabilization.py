"""Self-stabilization (Damian, Nichani, Lee, ICLR 2023), measured on the MLP's GD run.

Along GD at one learning rate we record, at every step, with u the top Hessian
eigenvector and S its eigenvalue:

- x = <u, grad L> / S, the displacement along u (near the constrained trajectory the
  gradient's u-component is S times the displacement);
- y = S - 2/eta;
- alpha = -<grad L, grad S_perp>, the progressive-sharpening rate, and
  beta = ||grad S_perp||^2, with grad S = grad_w (u^T H(w) u) projected orthogonally to u.

The reduced two-variable map x' = -(1 + eta y) x, y' = y + eta (alpha - 1/2 beta x^2) is
then driven by the measured alpha and beta (a centred running mean over
``SMOOTHING`` steps, which removes the period-two wobble), started from the measured
(x, y) ``SETTLE`` steps after GD's first excursion past 2/eta has ended (y back below 0).
Started earlier, from the tiny x before the first excursion, the map is a poor guide: its
x grows at a different time and, being only a Taylor model, its first excursion
overshoots without bound. Its iterates are cut off (NaN) once |x| > ``DIVERGED``.
Like GD, it should oscillate around y = 0 with x^2 of the order of 2 alpha / beta.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from ._precision import float64
from .config import SelfStabilizationConfig
from .data import load_dataset
from .hessian import hvp, subspace_step, warm_block
from .mlp import flat_loss

SMOOTHING = 9
SETTLE = 20
DIVERGED = 1.0


@dataclass(frozen=True)
class StabilizationRun:
    """Per step of GD: loss, x, y, alpha, beta; the reduced map's x and y from ``start``
    onwards (NaN before it)."""

    learning_rate: float
    loss: np.ndarray
    x: np.ndarray
    y: np.ndarray
    alpha: np.ndarray
    beta: np.ndarray
    start: int
    model_x: np.ndarray
    model_y: np.ndarray


def stabilization_scan(loss, w0, vs0, eta: float, steps: int, iterations: int):
    def step(carry, _):
        w, vs = carry
        g, lin = jax.linearize(jax.grad(loss), w)
        evals, ritz, nxt = subspace_step(jax.vmap(lin, in_axes=1, out_axes=1), vs, iterations)
        s, u = evals[0], ritz[:, 0]
        grad_s = jax.grad(lambda w: u @ hvp(loss, w, u))(w)
        grad_s_perp = grad_s - (grad_s @ u) * u
        record = (loss(w), (u @ g) / s, s - 2.0 / eta, -(g @ grad_s_perp), grad_s_perp @ grad_s_perp)
        return (w - eta * g, nxt), record

    _, records = jax.lax.scan(step, (w0, vs0), None, length=steps)
    return records


def reduced_map(x0: float, y0: float, alpha: np.ndarray, beta: np.ndarray, eta: float):
    """Iterate x' = -(1 + eta y) x, y' = y + eta (alpha_t - 1/2 beta_t x^2) from (x0, y0)."""

    def step(carry, ab):
        x, y = carry
        a, b = ab
        return (-(1 + eta * y) * x, y + eta * (a - 0.5 * b * x * x)), (x, y)

    _, (xs, ys) = jax.lax.scan(step, (jnp.asarray(x0), jnp.asarray(y0)), (jnp.asarray(alpha), jnp.asarray(beta)))
    return np.asarray(xs), np.asarray(ys)


def running_mean(values: np.ndarray, width: int) -> np.ndarray:
    """Centred running mean, edges padded with the nearest value."""
    pad = width // 2
    padded = np.pad(values, pad, mode="edge")
    return np.convolve(padded, np.ones(width) / width, mode="valid")


def _settled_start(y: np.ndarray) -> int:
    """``SETTLE`` steps after y first returns below 0 having been above it (or the last
    third of the run if GD never reached the edge)."""
    above = np.flatnonzero(y > 0)
    if above.size:
        back = np.flatnonzero(y[above[0] :] < 0)
        if back.size:
            return min(int(above[0] + back[0]) + SETTLE, len(y) - 2)
    return 2 * len(y) // 3


@float64
def run_stabilization(config: SelfStabilizationConfig) -> StabilizationRun:
    data = load_dataset(config.data)
    w0, loss = flat_loss(config.sizes, config.model.seed, data.x, data.y)
    vs0 = warm_block(loss, w0, config.eigen)
    eta = config.learning_rate
    losses, x, y, alpha, beta = (
        np.asarray(r)
        for r in jax.jit(
            lambda w0, vs0: stabilization_scan(loss, w0, vs0, eta, config.steps, config.eigen.iterations)
        )(w0, vs0)
    )
    start = _settled_start(y)
    a, b = running_mean(alpha, SMOOTHING), running_mean(beta, SMOOTHING)
    mx, my = reduced_map(x[start], y[start], a[start:], b[start:], eta)
    gone = np.maximum.accumulate(~np.isfinite(mx) | (np.abs(mx) > DIVERGED))
    mx, my = np.where(gone, np.nan, mx), np.where(gone, np.nan, my)
    pad = np.full(start, np.nan)
    return StabilizationRun(
        learning_rate=eta,
        loss=losses,
        x=x,
        y=y,
        alpha=alpha,
        beta=beta,
        start=start,
        model_x=np.concatenate([pad, mx]),
        model_y=np.concatenate([pad, my]),
    )
