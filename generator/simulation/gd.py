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
from .checks import (
    SharpnessCheck,
    Stopwatch,
    check_sharpness,
    check_steps,
    hessians_at,
    scan_with_snapshots,
)
from .config import EdgeOfStabilityConfig, EigenConfig
from .data import load_dataset
from .hessian import gradient_and_block_product, subspace_step, warm_block
from .mlp import flat_loss


@dataclass(frozen=True)
class GDRun:
    """One row per learning rate: ``loss`` (r, steps) and ``eigenvalues`` (r, steps, block),
    both measured at the iterate *before* each step, and the final parameters.
    ``checkpoints`` (r, steps // every, p) holds the iterates at steps 0, every, 2 every...
    when asked for (None otherwise). ``sharpness_check``: the tracked sharpness against
    eigsh at ``checks.CHECKS`` steps of every run; ``wall_seconds``/``cpu_seconds``: the
    cost of the whole call, checks included."""

    learning_rates: np.ndarray
    loss: np.ndarray
    eigenvalues: np.ndarray
    final_params: np.ndarray
    checkpoints: np.ndarray | None = None
    sharpness_check: SharpnessCheck | None = None
    wall_seconds: float = float("nan")
    cpu_seconds: float = float("nan")

    @property
    def sharpness(self) -> np.ndarray:
        return self.eigenvalues[..., 0]

    @property
    def sharpness_rel_error_median(self) -> float:
        return self.sharpness_check.median_relative_error if self.sharpness_check else float("nan")


def gd_step(loss, eta, eigen: EigenConfig, hessian_loss=None):
    """One GD step, (w, (block two steps back, block one step back)) -> next, and (loss,
    Ritz values) at w before the step.

    The eigen-solver is warm-started from the block of two steps back, not the last one.
    Past the edge GD hops across the valley every step, so the Hessian alternates between
    the two sides; with ten classes its top eigenvalues form a cluster within 1-2% and the
    top eigenvector rotates inside it from one side to the other. Measured on the real
    network at eta = 0.4 (800 steps, 10 checks against eigsh): with the last step's block
    the median error at the edge was 1.1% (max 2.6%); with the block from the same side
    of the valley 0.09% (max 0.7%), at no extra cost (block of 4, one product per step).
    ``hessian_loss``: the loss in float32 for those products (``gradient_and_block_product``).
    """

    def step(carry, _):
        w, (same_side, other_side) = carry
        g, matvec = gradient_and_block_product(loss, w, hessian_loss)
        evals, _, nxt = subspace_step(matvec, same_side, eigen.iterations)
        return (w - eta * g, (other_side, nxt)), (loss(w), evals)

    return step


def gd_scan(
    loss, w0, vs0, eta, steps: int, eigen: EigenConfig, snapshot_steps: tuple[int, ...] = (), hessian_loss=None
):
    """The traceable trajectory: returns (final w, losses, Ritz values per step, iterates
    at ``snapshot_steps``, stacked; None when there are none)."""
    step = gd_step(loss, eta, eigen, hessian_loss)
    carry = (w0, (vs0, vs0))
    if not snapshot_steps:
        (w, _), (losses, evals) = jax.lax.scan(step, carry, None, length=steps)
        return w, losses, evals, None
    (w, _), (losses, evals), snaps = scan_with_snapshots(step, carry, steps, snapshot_steps, lambda c: c[0])
    return w, losses, evals, snaps


@float64
def run_gd(config: EdgeOfStabilityConfig, checkpoint_every: int | None = None) -> GDRun:
    """GD from one initialisation at every learning rate of ``config``, vmapped, and its
    tracked sharpness checked against eigsh at a few steps of every run.

    Costs, measured on the 2-core machine with other jobs sharing it: 4 learning rates x
    800 steps with a block of 3 took 19-24 CPU-seconds, compile and checks included, after
    three changes: float32 Hessian-vector products for the tracking (``hessian``), Cholesky
    QR instead of ``jnp.linalg.qr`` and eigsh for the initial block (``hessian``); the same
    sweep at 1,200 steps with a block of 4 took 40-53 CPU-s before. vmap rather than a
    Python loop over single-rate scans: on a nearly idle machine the vmapped scan took
    7.5 s against 9.0 s for the loop (1,200 steps; that benchmark returned only the losses,
    which lets XLA drop the eigen-solver, so it most likely compared bare GD). Two host devices
    (``--xla_force_host_platform_device_count=2`` and ``pmap``) did not finish within
    100-600 s with jax 0.10.2, and the flag must be set before JAX starts, which a library
    cannot promise; two Python threads each running a vmapped half of the rates hung too
    (over 10 minutes), and four single-rate scans on two threads were no faster than in
    turn on the loaded machine. So: one vmapped scan.
    """
    clock = Stopwatch()
    if checkpoint_every is not None and config.steps % checkpoint_every:
        raise ValueError("steps must be a multiple of checkpoint_every")
    data = load_dataset(config.data)
    w0, loss = flat_loss(config.sizes, config.model.seed, data.x, data.y)
    _, loss32 = flat_loss(config.sizes, config.model.seed, data.x, data.y, dtype=jnp.float32)
    vs0 = warm_block(loss, w0, config.eigen)
    etas = jnp.asarray(config.learning_rates, dtype=jnp.float64)
    checks = check_steps(config.steps)
    kept = tuple(range(0, config.steps, checkpoint_every)) if checkpoint_every else ()
    snapshot_steps = tuple(sorted(set(checks) | set(kept)))

    @jax.jit
    def sweep(etas):
        return jax.vmap(lambda eta: gd_scan(loss, w0, vs0, eta, config.steps, config.eigen, snapshot_steps, loss32))(etas)

    w, losses, evals, snaps = (None if a is None else np.asarray(a) for a in sweep(etas))
    at = [snapshot_steps.index(t) for t in checks]
    check = SharpnessCheck.concat(
        *(
            check_sharpness(f"eta={eta:g}", checks, evals[i, list(checks), 0], hessians_at(loss, snaps[i, at]))
            for i, eta in enumerate(config.learning_rates)
        )
    )
    return GDRun(
        learning_rates=np.asarray(etas),
        loss=losses,
        eigenvalues=evals,
        final_params=w,
        checkpoints=snaps[:, [snapshot_steps.index(t) for t in kept]] if kept else None,
        sharpness_check=check,
        wall_seconds=clock.wall(),
        cpu_seconds=clock.cpu(),
    )
