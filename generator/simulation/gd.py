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
    both measured at the iterate *before* each step, and the final parameters.
    ``checkpoints`` (r, steps // every, p) holds the iterates at steps 0, every, 2 every...
    when asked for (None otherwise)."""

    learning_rates: np.ndarray
    loss: np.ndarray
    eigenvalues: np.ndarray
    final_params: np.ndarray
    checkpoints: np.ndarray | None = None

    @property
    def sharpness(self) -> np.ndarray:
        return self.eigenvalues[..., 0]


def gd_scan(loss, w0, vs0, eta, steps: int, eigen: EigenConfig, checkpoint_every: int | None = None):
    """The traceable trajectory: returns (final w, losses, Ritz values per step, checkpoints).

    With ``checkpoint_every``, the scan is nested (chunks of that many steps) so the
    iterate at the start of every chunk comes out without storing every step's iterate.
    """

    def step(carry, _):
        w, vs = carry
        g, lin = jax.linearize(jax.grad(loss), w)
        matvec = jax.vmap(lin, in_axes=1, out_axes=1)
        evals, _, nxt = subspace_step(matvec, vs, eigen.iterations)
        return (w - eta * g, nxt), (loss(w), evals)

    if checkpoint_every is None:
        (w, _), (losses, evals) = jax.lax.scan(step, (w0, vs0), None, length=steps)
        return w, losses, evals, None

    def chunk(carry, _):
        new, records = jax.lax.scan(step, carry, None, length=checkpoint_every)
        return new, (carry[0], records)

    (w, _), (checkpoints, (losses, evals)) = jax.lax.scan(
        chunk, (w0, vs0), None, length=steps // checkpoint_every
    )
    return w, losses.reshape(steps), evals.reshape(steps, -1), checkpoints


@float64
def run_gd(config: EdgeOfStabilityConfig, checkpoint_every: int | None = None) -> GDRun:
    """GD from one initialisation at every learning rate of ``config``, vmapped.

    Measured on the 2-core CI machine (float64, 4 learning rates x 1,200 steps, block of
    4, compile included): on a nearly idle machine the vmapped scan took 7.5 s against
    9.0 s for a Python loop over single-rate scans (at 300 steps the loop won, 2.2 s vs
    2.9 s, as compilation dominates; ``benchmarks/bench_simulation.py``). With other jobs
    sharing the machine the vmapped sweep took 24 s with XLA's default threading and 30 s
    with intra-op threading off. Spreading the learning rates over two host devices
    (``--xla_force_host_platform_device_count=2`` and ``pmap``) did not finish within
    100-600 s with jax 0.10.2 (it hung, with or without threading off), and the flag must
    be set before JAX starts, which a library cannot promise. So: vmap.
    """
    if checkpoint_every is not None and config.steps % checkpoint_every:
        raise ValueError("steps must be a multiple of checkpoint_every")
    data = load_dataset(config.data)
    w0, loss = flat_loss(config.sizes, config.model.seed, data.x, data.y)
    vs0 = warm_block(loss, w0, config.eigen)
    etas = jnp.asarray(config.learning_rates, dtype=jnp.float64)

    @jax.jit
    def sweep(etas):
        return jax.vmap(
            lambda eta: gd_scan(loss, w0, vs0, eta, config.steps, config.eigen, checkpoint_every)
        )(etas)

    w, losses, evals, checkpoints = sweep(etas)
    return GDRun(
        learning_rates=np.asarray(etas),
        loss=np.asarray(losses),
        eigenvalues=np.asarray(evals),
        final_params=np.asarray(w),
        checkpoints=None if checkpoints is None else np.asarray(checkpoints),
    )
