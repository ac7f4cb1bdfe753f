"""What makes a figure trustworthy: its tracked sharpness checked against an exact
eigensolver at a few points of its own run, and what the run cost.

The trajectories track the top Hessian eigenvalue with one warm-started block product
per step, which is cheap but only as good as the warm start: when eigenvectors swap or a
jump in the parameters rotates them, the Ritz value (a lower bound) lags. So each run
keeps its parameters at ``CHECKS`` steps spread over the run (``scan_with_snapshots``,
inside the same compiled scan) and, after it, asks ``scipy.sparse.linalg.eigsh``
(Lanczos, the reference of Cohen et al.) for the top eigenvalue of the same operator
there, from a seeded random start, not from the tracked vector, so that a solver stuck
on the wrong eigenvector could not agree with itself. A few dozen Hessian-vector products
per check: well under a second per figure at the sizes used here.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
import scipy.sparse.linalg as sla

from .hessian import hessian_matvec

CHECKS = 5
EIGSH_TOLERANCE = 1e-9


def check_steps(steps: int, count: int = CHECKS) -> tuple[int, ...]:
    """``count`` steps evenly inside the run (not step 0, where the block starts converged)."""
    return tuple(sorted({min(steps - 1, (steps * (i + 1)) // (count + 1)) for i in range(count)}))


def scan_with_snapshots(step, carry, steps: int, at: Sequence[int], pick: Callable = lambda c: c):
    """``lax.scan(step, carry, None, steps)`` that also keeps ``pick(carry)`` as it was at
    the start of each step in ``at``: returns (final carry, records, snapshots), the
    snapshots stacked along a new leading axis in the order of ``at``.

    A select of a few parameter vectors per step costs nothing next to a Hessian-vector
    product, and unlike nested scans it works for any step list and any number of steps.
    """
    at = jnp.asarray(tuple(at), dtype=jnp.int32)

    def body(state, _):
        inner, t, snaps = state
        hit = t == at
        snaps = jax.tree.map(
            lambda s, v: jnp.where(hit.reshape((-1,) + (1,) * v.ndim), v[None], s), snaps, pick(inner)
        )
        inner, record = step(inner, None)
        return (inner, t + 1, snaps), record

    snaps0 = jax.tree.map(lambda v: jnp.zeros((at.shape[0],) + v.shape, v.dtype), pick(carry))
    (inner, _, snaps), records = jax.lax.scan(body, (carry, jnp.int32(0), snaps0), None, length=steps)
    return inner, records, snaps


def exact_top_eigenvalue(matvec: Callable[[np.ndarray], np.ndarray], size: int, seed: int = 0) -> float:
    """The largest eigenvalue of a symmetric operator by ``eigsh`` (ARPACK Lanczos),
    from a seeded random start vector so that the check is reproducible."""
    op = sla.LinearOperator((size, size), matvec=lambda v: matvec(np.ravel(v)), dtype=np.float64)
    v0 = np.random.default_rng(seed).standard_normal(size)
    return float(sla.eigsh(op, k=1, which="LA", tol=EIGSH_TOLERANCE, v0=v0, return_eigenvectors=False)[0])


@dataclass(frozen=True)
class SharpnessCheck:
    """Tracked against exact top eigenvalues: one entry per checked point.

    ``series`` names the curve each point belongs to (a learning rate, "gd", "flow"...),
    ``steps`` its step, ``tracked`` what the run recorded, ``exact`` what eigsh found.
    """

    series: np.ndarray
    steps: np.ndarray
    tracked: np.ndarray
    exact: np.ndarray

    @property
    def relative_errors(self) -> np.ndarray:
        return np.abs(self.tracked - self.exact) / np.abs(self.exact)

    @property
    def median_relative_error(self) -> float:
        return float(np.median(self.relative_errors)) if self.exact.size else float("nan")

    @property
    def max_relative_error(self) -> float:
        return float(np.max(self.relative_errors)) if self.exact.size else float("nan")

    def arrays(self, prefix: str = "sharpness_check_") -> dict[str, np.ndarray]:
        """Plain arrays for a cache file: series (str), steps, tracked, exact."""
        return {
            f"{prefix}series": self.series,
            f"{prefix}steps": self.steps,
            f"{prefix}tracked": self.tracked,
            f"{prefix}exact": self.exact,
        }

    @staticmethod
    def concat(*checks: SharpnessCheck) -> SharpnessCheck:
        return SharpnessCheck(
            series=np.concatenate([c.series for c in checks]),
            steps=np.concatenate([c.steps for c in checks]),
            tracked=np.concatenate([c.tracked for c in checks]),
            exact=np.concatenate([c.exact for c in checks]),
        )


def check_sharpness(
    series: str,
    steps: Sequence[int],
    tracked: np.ndarray,
    operators: Sequence[tuple[Callable[[np.ndarray], np.ndarray], int]],
    seed: int = 0,
) -> SharpnessCheck:
    """eigsh on each of ``operators`` ((v -> A v, size), one per step in ``steps``) against
    the ``tracked`` top eigenvalues there."""
    exact = np.array([exact_top_eigenvalue(op, size, seed) for op, size in operators], dtype=np.float64)
    return SharpnessCheck(
        series=np.array([series] * len(exact)),
        steps=np.asarray(steps, dtype=np.int64),
        tracked=np.asarray(tracked, dtype=np.float64),
        exact=exact,
    )


def hessians_at(loss, points: np.ndarray) -> list[tuple[Callable[[np.ndarray], np.ndarray], int]]:
    """(v -> H(w) v, size) at each row w of ``points``, for ``check_sharpness``."""
    product = hessian_matvec(loss)

    def at(w: np.ndarray):
        w = jnp.asarray(w)
        return (lambda v: product(w, v)), w.shape[0]

    return [at(w) for w in np.asarray(points)]


class Stopwatch:
    """Wall and CPU seconds since creation. CPU is the whole process's (every thread XLA
    uses), so on two cores it can exceed the wall time."""

    def __init__(self) -> None:
        self._wall = time.perf_counter()
        self._cpu = time.process_time()

    def wall(self) -> float:
        return time.perf_counter() - self._wall

    def cpu(self) -> float:
        return time.process_time() - self._cpu
