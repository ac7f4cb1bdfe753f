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

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

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


def orthonormalize(vs: jax.Array) -> jax.Array:
    """An orthonormal basis of the columns of ``vs`` (p, b), by Cholesky-QR done twice.

    Why not ``jnp.linalg.qr``: on CPU (jax 0.10.2) it took 7-16 ms for an 8,970 x 6 block
    against 0.05-0.2 ms for 2-5 columns, and the central flow needs 6; two Cholesky-QR
    passes took 0.27 ms and are orthonormal to 1e-15 for the blocks used here (H times
    Ritz vectors, condition number about lambda_1 / lambda_b). Should the Gram matrix not
    be positive definite (dependent columns), Householder QR takes over.
    """

    def cholesky_qr(v):
        r = jnp.linalg.cholesky(v.T @ v)
        return v @ jax.scipy.linalg.solve_triangular(r, jnp.eye(r.shape[0], dtype=v.dtype), lower=True).T

    q = cholesky_qr(cholesky_qr(vs))
    return jax.lax.cond(jnp.all(jnp.isfinite(q)), lambda: q, lambda: jnp.linalg.qr(vs)[0])


def gradient_and_block_product(loss: Loss, w: jax.Array, hessian_loss: Loss | None = None):
    """grad L(w) and V -> H(w) V for blocks V (p, b).

    With ``hessian_loss`` (the same loss in float32) the products are taken in float32 and
    returned in w's dtype, while the gradient, hence the trajectory, stays in float64.
    Why: the products are 70% of a tracked GD step, float32 halves their cost on CPU
    (3.2 vs 5.0 ms per step with a block of 3 on the real network), their relative error
    is about 3e-7, and the sharpness they give is checked against a float64 eigsh at
    every figure's checkpoints (``checks``).
    """
    if hessian_loss is None:
        g, lin = jax.linearize(jax.grad(loss), w)
        return g, jax.vmap(lin, in_axes=1, out_axes=1)
    low = jnp.float32
    _, lin = jax.linearize(jax.grad(hessian_loss), w.astype(low))
    block = jax.vmap(lin, in_axes=1, out_axes=1)
    return jax.grad(loss)(w), lambda vs: block(vs.astype(low)).astype(w.dtype)


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
        return orthonormalize(matvec(v))

    vs = orthonormalize(vs)
    if iterations > 1:
        vs = jax.lax.fori_loop(0, iterations - 1, one_round, vs)
    evals, ritz, hritz = rayleigh_ritz(vs, matvec(vs))
    nxt = orthonormalize(hritz)
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


def warm_block(loss: Loss, w: jax.Array, eigen: EigenConfig) -> jax.Array:
    """The top ``eigen.block`` eigenvectors at ``w``, so that the first recorded sharpness
    of a trajectory is as accurate as the later ones.

    By ``scipy.sparse.linalg.eigsh`` on Hessian-vector products, from a seeded start:
    compiling 50 rounds of subspace iteration as one program took 1.4 s (0.24 s to run)
    for every figure, while eigsh reuses the product that the run's checks compile anyway
    (0.3 s) and needs about a hundred products at the initialisation.
    """
    import numpy as np
    import scipy.sparse.linalg as sla

    product = hessian_matvec(loss)
    size = w.shape[0]
    op = sla.LinearOperator((size, size), matvec=lambda v: product(w, np.ravel(v)), dtype=np.float64)
    v0 = np.random.default_rng(eigen.seed).standard_normal(size)
    values, vectors = sla.eigsh(op, k=eigen.block, which="LA", tol=1e-10, v0=v0)
    return jnp.asarray(vectors[:, np.argsort(values)[::-1]], dtype=w.dtype)


@functools.lru_cache(maxsize=4)
def hessian_matvec(loss: Loss) -> Callable[[jax.Array, Any], Any]:
    """(w, v) -> H(w) v as numpy, compiled once per loss (a run checks several curves)."""
    import numpy as np

    product = jax.jit(lambda w, v: hvp(loss, w, v))
    return lambda w, v: np.asarray(product(w, jnp.asarray(v)))
