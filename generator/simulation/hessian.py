"""Hessian-vector products and a warm-started block eigen-solver for the top eigenvalues.

The Hessian of an ~9k-parameter network is never formed: ``hvp`` is forward-over-reverse
(``jax.jvp`` of ``jax.grad``), about the cost of two gradients. The top eigenvalues come
from subspace iteration on a small block (3-6 vectors) with a Rayleigh-Ritz step. Along a
trajectory the block is warm-started from the previous step's Ritz vectors, so one or two
block products per step suffice. A block rather than a single vector matters at the edge
of stability: with ten classes several eigenvalues reach 2/eta together and a single
power iteration loses track whenever the top two swap.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import jax
import jax.numpy as jnp

if TYPE_CHECKING:
    from .config import EigenConfig

Loss = Callable[[jax.Array], jax.Array]


def hvp(loss: Loss, w: jax.Array, v: jax.Array) -> jax.Array:
    """H(w) v by forward-over-reverse differentiation."""
    return jax.jvp(jax.grad(loss), (w,), (v,))[1]


def block_hvp(loss: Loss, w: jax.Array, vs: jax.Array) -> jax.Array:
    """H(w) V for a block V of shape (p, b), one linearisation shared by the columns."""
    _, lin = jax.linearize(jax.grad(loss), w)
    return jax.vmap(lin, in_axes=1, out_axes=1)(vs)


def rayleigh_ritz(vs: jax.Array, hvs: jax.Array) -> tuple[jax.Array, jax.Array, jax.Array]:
    """Ritz values (descending), Ritz vectors and H times them, for orthonormal ``vs``."""
    t = vs.T @ hvs
    evals, evecs = jnp.linalg.eigh(0.5 * (t + t.T))
    evecs = evecs[:, ::-1]
    return evals[::-1], vs @ evecs, hvs @ evecs


def subspace_step(
    matvec: Callable[[jax.Array], jax.Array], vs: jax.Array, iterations: int
) -> tuple[jax.Array, jax.Array, jax.Array]:
    """Rayleigh-Ritz on the span of ``vs``, then block power iteration from there.

    Returns the Ritz values (descending) of the span of ``vs`` after ``iterations - 1``
    extra rounds, the Ritz vectors, and the next warm start: the orthonormalised product H times the Ritz
    vectors, one power step further on. Costs ``iterations`` block products.
    """

    def one_round(_, v):
        q, _ = jnp.linalg.qr(matvec(v))
        return q

    vs = jnp.linalg.qr(vs)[0]
    if iterations > 1:
        vs = jax.lax.fori_loop(0, iterations - 1, one_round, vs)
    evals, ritz, hritz = rayleigh_ritz(vs, matvec(vs))
    nxt = jnp.linalg.qr(hritz)[0]
    return evals, ritz, align_signs(nxt, ritz)


def align_signs(new: jax.Array, old: jax.Array) -> jax.Array:
    """Flip each column of ``new`` to point the way its predecessor did (eigenvectors
    are defined up to sign; the displacement along them should not flip at random)."""
    signs = jnp.sign(jnp.sum(new * old, axis=0))
    return new * jnp.where(signs == 0, 1.0, signs)


def random_block(p: int, b: int, seed: int, dtype=jnp.float64) -> jax.Array:
    """An orthonormal random (p, b) block, the cold start."""
    g = jax.random.normal(jax.random.PRNGKey(seed), (p, b), dtype=dtype)
    return jnp.linalg.qr(g)[0]


def top_eigenvalues(loss: Loss, w: jax.Array, b: int = 4, iterations: int = 200, seed: int = 0) -> jax.Array:
    """Top ``b`` eigenvalues of the Hessian from a cold start (for checks and tests)."""
    vs = random_block(w.shape[0], b, seed, w.dtype)
    evals, _, _ = jax.jit(
        lambda w, vs: subspace_step(lambda v: block_hvp(loss, w, v), vs, iterations)
    )(w, vs)
    return evals


def warm_block(loss: Loss, w: jax.Array, eigen: "EigenConfig", rounds: int = 50) -> jax.Array:
    """A block already converged at ``w`` (``rounds`` cold-start block products), so the
    first recorded sharpness of a trajectory is as accurate as the later ones."""
    vs = random_block(w.shape[0], eigen.block, eigen.seed, w.dtype)
    _, _, vs = jax.jit(
        lambda w, vs: subspace_step(lambda v: block_hvp(loss, w, v), vs, rounds)
    )(w, vs)
    return vs
