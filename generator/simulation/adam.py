"""Adam at the edge of stability (Cohen et al. 2022, arXiv 2207.14484).

Adam's update is w <- w - eta m_hat / P with P = sqrt(v_hat) + epsilon. The quantity that
equilibrates is the *preconditioned* sharpness, the top eigenvalue of P^-1 H, which is
that of the symmetric P^-1/2 H P^-1/2; it hovers at (2 + 2 beta1) / ((1 - beta1) eta),
38/eta for beta1 = 0.9.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from ._precision import float64
from .checks import (
    SharpnessCheck,
    Stopwatch,
    check_sharpness,
    check_steps,
    hessian_matvec,
    scan_with_snapshots,
)
from .config import AdaptiveConfig
from .data import load_dataset
from .hessian import gradient_and_block_product, subspace_step, warm_block
from .mlp import flat_loss


def adam_threshold(learning_rate: float, beta1: float) -> float:
    """The stability threshold of EMA momentum: (2 + 2 beta1) / ((1 - beta1) eta)."""
    return (2 + 2 * beta1) / ((1 - beta1) * learning_rate)


@dataclass(frozen=True)
class AdamRun:
    """Per step: ``loss`` and the preconditioned eigenvalues (steps, block), measured with
    the preconditioner used by that step's update; ``threshold`` is 38/eta for beta1=0.9.
    ``sharpness_check``: the preconditioned sharpness against eigsh on P^-1/2 H P^-1/2 at
    a few steps; ``wall_seconds``/``cpu_seconds``: the cost of the call."""

    learning_rate: float
    threshold: float
    loss: np.ndarray
    preconditioned_eigenvalues: np.ndarray
    sharpness_check: SharpnessCheck | None = None
    wall_seconds: float = float("nan")
    cpu_seconds: float = float("nan")

    @property
    def preconditioned_sharpness(self) -> np.ndarray:
        return self.preconditioned_eigenvalues[:, 0]

    @property
    def sharpness_rel_error_median(self) -> float:
        return self.sharpness_check.median_relative_error if self.sharpness_check else float("nan")


def second_moment(v, g, t, config: AdaptiveConfig):
    """Adam's second-moment update at step t (from 1) and P^-1/2 = (sqrt(v_hat) + eps)^-1/2."""
    v = config.beta2 * v + (1 - config.beta2) * g * g
    return v, 1.0 / jnp.sqrt(jnp.sqrt(v / (1 - config.beta2**t)) + config.epsilon)


def adam_scan(loss, w0, vs0, config: AdaptiveConfig, snapshot_steps: tuple[int, ...] = (), hessian_loss=None):
    """Adam's trajectory: (losses, preconditioned Ritz values) per step, and the state
    (w, v, t) at the start of each of ``snapshot_steps``. ``hessian_loss``: the loss in
    float32 for the eigen-solver's products (``gradient_and_block_product``)."""
    eta, b1 = config.learning_rate, config.beta1

    def step(carry, _):
        w, m, v, vs, t = carry
        g, block = gradient_and_block_product(loss, w, hessian_loss)
        m = b1 * m + (1 - b1) * g
        v, p_inv_sqrt = second_moment(v, g, t, config)
        evals, _, nxt = subspace_step(
            lambda q: p_inv_sqrt[:, None] * block(p_inv_sqrt[:, None] * q), vs, config.eigen.iterations
        )
        w_next = w - eta * (m / (1 - b1**t)) * p_inv_sqrt**2
        return (w_next, m, v, nxt, t + 1), (loss(w), evals)

    zeros = jnp.zeros_like(w0)
    carry = (w0, zeros, zeros, vs0, jnp.asarray(1.0, w0.dtype))
    _, (losses, evals), snaps = scan_with_snapshots(
        step, carry, config.steps, snapshot_steps, lambda c: (c[0], c[2], c[4])
    )
    return losses, evals, snaps


@float64
def run_adam(config: AdaptiveConfig) -> AdamRun:
    """Adam from the usual initialisation, preconditioned sharpness at every step."""
    clock = Stopwatch()
    data = load_dataset(config.data)
    w0, loss = flat_loss(config.sizes, config.model.seed, data.x, data.y)
    _, loss32 = flat_loss(config.sizes, config.model.seed, data.x, data.y, dtype=jnp.float32)
    vs0 = warm_block(loss, w0, config.eigen)  # a start; the preconditioned problem differs
    checks = check_steps(config.steps)
    losses, evals, (ws, vs, ts) = jax.jit(lambda w0, vs0: adam_scan(loss, w0, vs0, config, checks, loss32))(w0, vs0)
    evals = np.asarray(evals)

    hessian, grad = hessian_matvec(loss), jax.jit(jax.grad(loss))

    def preconditioned(w, v, t):
        """v -> P^-1/2 H P^-1/2 v with the preconditioner of the step that starts at (w, v, t)."""
        p = np.asarray(second_moment(v, grad(w), t, config)[1])
        return (lambda q: p * hessian(w, p * q)), w.shape[0]

    operators = [preconditioned(ws[i], vs[i], ts[i]) for i in range(len(checks))]
    check = check_sharpness("adam", checks, evals[list(checks), 0], operators)
    return AdamRun(
        learning_rate=config.learning_rate,
        threshold=adam_threshold(config.learning_rate, config.beta1),
        loss=np.asarray(losses),
        preconditioned_eigenvalues=evals,
        sharpness_check=check,
        wall_seconds=clock.wall(),
        cpu_seconds=clock.cpu(),
    )
