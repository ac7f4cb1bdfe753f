"""Full-batch gradient descent with the sharpness tracked at every step.

The whole trajectory is one jit-compiled ``lax.scan``; a sweep over learning rates is a
``vmap`` of it. Each step linearises the gradient once (``jax.linearize``), which yields
both the gradient for the update and the Hessian-vector product for the eigen-solver.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from ._precision import float64
from .config import EdgeOfStabilityConfig, EigenConfig
from .data import load_dataset
from .hessian import subspace_step, warm_block
from .mlp import flat_loss


@dataclass(frozen=True)
class GDRun:
    """One row per learning rate: ``loss`` (r, steps) and ``eigenvalues`` (r, steps, block),
    both measured at the iterate *before* each step, and the final parameters."""

    learning_rates: np.ndarray
    loss: np.ndarray
    eigenvalues: np.ndarray
    final_params: np.ndarray

    @property
    def sharpness(self) -> np.ndarray:
        return self.eigenvalues[..., 0]


def gd_scan(loss, w0, vs0, eta, steps: int, eigen: EigenConfig):
    """The traceable trajectory: returns (final w, losses, Ritz values per step)."""

    def step(carry, _):
        w, vs = carry
        g, lin = jax.linearize(jax.grad(loss), w)
        matvec = jax.vmap(lin, in_axes=1, out_axes=1)
        evals, _, nxt = subspace_step(matvec, vs, eigen.iterations)
        return (w - eta * g, nxt), (loss(w), evals)

    (w, _), (losses, evals) = jax.lax.scan(step, (w0, vs0), None, length=steps)
    return w, losses, evals


@float64
def run_gd(config: EdgeOfStabilityConfig) -> GDRun:
    """GD from one initialisation at every learning rate of ``config``, vmapped."""
    data = load_dataset(config.data)
    w0, loss = flat_loss(config.model.sizes, config.model.seed, data.x, data.y)
    vs0 = warm_block(loss, w0, config.eigen)
    etas = jnp.asarray(config.learning_rates, dtype=jnp.float64)

    @jax.jit
    def sweep(etas):
        return jax.vmap(lambda eta: gd_scan(loss, w0, vs0, eta, config.steps, config.eigen))(etas)

    w, losses, evals = sweep(etas)
    return GDRun(
        learning_rates=np.asarray(etas),
        loss=np.asarray(losses),
        eigenvalues=np.asarray(evals),
        final_params=np.asarray(w),
    )
