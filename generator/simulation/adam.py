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
from .config import AdaptiveConfig
from .data import load_dataset
from .hessian import subspace_step, warm_block
from .mlp import flat_loss


def adam_threshold(learning_rate: float, beta1: float) -> float:
    """The stability threshold of EMA momentum: (2 + 2 beta1) / ((1 - beta1) eta)."""
    return (2 + 2 * beta1) / ((1 - beta1) * learning_rate)


@dataclass(frozen=True)
class AdamRun:
    """Per step: ``loss`` and the preconditioned eigenvalues (steps, block), measured with
    the preconditioner used by that step's update; ``threshold`` is 38/eta for beta1=0.9."""

    learning_rate: float
    threshold: float
    loss: np.ndarray
    preconditioned_eigenvalues: np.ndarray

    @property
    def preconditioned_sharpness(self) -> np.ndarray:
        return self.preconditioned_eigenvalues[:, 0]


def adam_scan(loss, w0, vs0, config: AdaptiveConfig):
    eta, b1, b2, eps = config.learning_rate, config.beta1, config.beta2, config.epsilon

    def step(carry, t):
        w, m, v, vs = carry
        g, lin = jax.linearize(jax.grad(loss), w)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        p_inv_sqrt = 1.0 / jnp.sqrt(jnp.sqrt(v / (1 - b2**t)) + eps)
        block = jax.vmap(lin, in_axes=1, out_axes=1)
        evals, _, nxt = subspace_step(
            lambda q: p_inv_sqrt[:, None] * block(p_inv_sqrt[:, None] * q), vs, config.eigen.iterations
        )
        w_next = w - eta * (m / (1 - b1**t)) * p_inv_sqrt**2
        return (w_next, m, v, nxt), (loss(w), evals)

    zeros = jnp.zeros_like(w0)
    ts = jnp.arange(1, config.steps + 1, dtype=w0.dtype)
    _, (losses, evals) = jax.lax.scan(step, (w0, zeros, zeros, vs0), ts)
    return losses, evals


@float64
def run_adam(config: AdaptiveConfig) -> AdamRun:
    """Adam from the usual initialisation, preconditioned sharpness at every step."""
    data = load_dataset(config.data)
    w0, loss = flat_loss(config.sizes, config.model.seed, data.x, data.y)
    vs0 = warm_block(loss, w0, config.eigen)  # a start; the preconditioned problem differs
    losses, evals = jax.jit(lambda w0, vs0: adam_scan(loss, w0, vs0, config))(w0, vs0)
    return AdamRun(
        learning_rate=config.learning_rate,
        threshold=adam_threshold(config.learning_rate, config.beta1),
        loss=np.asarray(losses),
        preconditioned_eigenvalues=np.asarray(evals),
    )
