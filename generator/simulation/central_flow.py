"""GD's central flow (Cohen, Damian, Talwalkar, Kolter, Lee, ICLR 2025), and gradient flow.

The central flow follows GD's time-averaged trajectory at the edge of stability:

    dw/dt = -eta [grad L + 1/2 grad <H, Sigma>],    Sigma = U X U^T,

with U the top ``tracked`` Hessian eigenvectors and t counted in GD steps. X >= 0 solves
the semidefinite complementarity problem that keeps the critical eigenvalues at 2/eta:
with M = U^T H U and A(X) = -(1/eta) dM/dt = G + 1/2 T(X), where G_ij = <grad L,
grad M_ij> and T is the Gram operator of the grad M_ij,

    X >= 0,  A(X) >= 0,  <X, A(X)> = 0,

the optimality conditions of the convex problem min_{X>=0} <G, X> + 1/4 <X, T(X)>, solved
here by FISTA with projection onto the PSD cone. Only eigenvalues within a narrow band
below 2/eta take part; inside it the constraint "dM/dt <= kappa (2/eta - M)" (the
``relaxation`` term) lets an eigenvalue approach 2/eta exponentially rather than overshoot
it in a finite Euler step, and pulls back any drift. The predicted time average of GD's
loss is L(w) + tr(Sigma)/eta = L(w) + tr(X)/eta.

Each Euler substep costs one block of Hessian-vector products for the eigenvectors and,
once the edge is reached, one gradient of u_i^T H u_j (a third derivative) per pair of
critical eigenvalues: up to k(k+1)/2, about half of that on average over the figure's run.
"""

from __future__ import annotations

import dataclasses
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
from .config import CentralFlowConfig, EdgeOfStabilityConfig
from .data import load_dataset
from .gd import run_gd
from .hessian import hvp, subspace_step, warm_block
from .mlp import flat_loss

BAND = 0.01  # an eigenvalue within 1% below 2/eta counts as critical
FISTA_ITERATIONS = 200
GF_SUBSTEPS = 8
GF_BLOCK = 3
GD_BLOCK = 4  # GD's curve shows the top eigenvalue only


@dataclass(frozen=True)
class CentralFlowRun:
    """Everything per GD step (t = 0 .. steps-1), all from the same initialisation.

    ``flow_*``: the central flow (loss L, predicted GD loss L + tr Sigma/eta, tracked
    eigenvalues, tr Sigma); ``gd_*``: GD itself; ``gf_*``: plain gradient flow.
    ``sharpness_check``: each curve's top eigenvalue against eigsh at a few steps
    (series "flow", "gd", "gradient flow"); ``wall_seconds``/``cpu_seconds``: the cost.
    """

    learning_rate: float
    flow_loss: np.ndarray
    flow_predicted_loss: np.ndarray
    flow_eigenvalues: np.ndarray
    flow_trace_sigma: np.ndarray
    gd_loss: np.ndarray
    gd_sharpness: np.ndarray
    gf_loss: np.ndarray
    gf_sharpness: np.ndarray
    sharpness_check: SharpnessCheck | None = None
    wall_seconds: float = float("nan")
    cpu_seconds: float = float("nan")

    @property
    def sharpness_rel_error_median(self) -> float:
        return self.sharpness_check.median_relative_error if self.sharpness_check else float("nan")


def _pairs(k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Upper-triangle index pairs of a k x k symmetric matrix, and their weights in the
    Frobenius inner product (1 on the diagonal, 2 off it)."""
    i, j = np.triu_indices(k)
    return i, j, np.where(i == j, 1.0, 2.0)


def _to_matrix(vec: jax.Array, k: int) -> jax.Array:
    i, j, _ = _pairs(k)
    m = jnp.zeros((k, k), vec.dtype).at[i, j].set(vec)
    return m + jnp.triu(m, 1).T


def _psd_projection(x: jax.Array) -> jax.Array:
    evals, evecs = jnp.linalg.eigh(0.5 * (x + x.T))
    return (evecs * jnp.maximum(evals, 0.0)) @ evecs.T


def solve_complementarity(g: jax.Array, gram: jax.Array, active: jax.Array) -> jax.Array:
    """min over PSD X supported on ``active`` of <G, X> + 1/4 <X, T X>, by FISTA.

    ``g`` (D,) and ``gram`` (D, D) are G and T on the upper triangle (D = k(k+1)/2);
    returns the k x k matrix X.
    """
    k = active.shape[0]
    _, _, weight = _pairs(k)
    weight = jnp.asarray(weight, g.dtype)
    mask = jnp.outer(active, active).astype(g.dtype)
    # grad_X f = G + 1/2 T(X), with T(X)_d = sum_e gram_de weight_e X_e.
    root = jnp.sqrt(weight)
    lipschitz = 0.5 * jnp.linalg.eigvalsh(root[:, None] * gram * root[None, :])[-1]
    step = 1.0 / jnp.maximum(lipschitz, 1e-30)
    i, j, _ = _pairs(k)

    def gradient(x):
        xv = x[i, j]
        return _to_matrix(g + 0.5 * gram @ (weight * xv), k)

    def project(x):
        return _psd_projection(x * mask)

    def body(_, state):
        x, y, t = state
        x_new = project(y - step * gradient(y))
        t_new = 0.5 * (1 + jnp.sqrt(1 + 4 * t * t))
        y_new = x_new + ((t - 1) / t_new) * (x_new - x)
        return x_new, y_new, t_new

    x0 = jnp.zeros((k, k), g.dtype)
    x, _, _ = jax.lax.fori_loop(0, FISTA_ITERATIONS, body, (x0, x0, jnp.asarray(1.0, g.dtype)))
    return x


def central_flow_scan(loss, w0, vs0, eta: float, config: CentralFlowConfig, snapshot_steps: tuple[int, ...] = ()):
    """The traceable central flow: one record per GD step, ``substeps`` Euler steps each,
    and the flow's point at the start of each of ``snapshot_steps``."""
    k = config.tracked
    dt = 1.0 / config.substeps
    kappa = 0.5 / dt  # halve any gap to 2/eta per substep
    i, j, weight = _pairs(k)
    threshold = 2.0 / eta

    def grad_m(w, u, active):
        """grad_w of u_i^T H(w) u_j for every upper-triangle pair with both eigenvalues
        critical, zero for the others, shape (D, p).

        Only critical pairs matter: X is supported on them, so the other rows of G, of
        the Gram matrix and of the correction are multiplied by zero. Skipping them (a
        ``cond`` per pair) saves most of these third derivatives while fewer than ``k``
        eigenvalues are critical. ``lax.map``, not ``vmap``: batching this third
        derivative made each gradient about 3x slower on CPU (216 ms vs 10 x 7 ms
        measured for k = 4).
        """

        def one(args):
            a, b, both = args
            return jax.lax.cond(
                both, lambda: jax.grad(lambda w: a @ hvp(loss, w, b))(w), lambda: jnp.zeros_like(w)
            )

        return jax.lax.map(one, (u[:, i].T, u[:, j].T, active[i] & active[j]))

    def substep(carry, _):
        w, vs = carry
        g, lin = jax.linearize(jax.grad(loss), w)
        evals, ritz, nxt = subspace_step(jax.vmap(lin, in_axes=1, out_axes=1), vs, config.eigen.iterations)
        lam, u = evals[:k], ritz[:, :k]
        active = lam > threshold * (1 - BAND)

        def constrained(_):
            dm = grad_m(w, u, active)
            gap = jnp.diag(lam - threshold)[i, j]
            g_tilde = dm @ g - (kappa / eta) * gap
            x = solve_complementarity(g_tilde, dm @ dm.T, active)
            correction = 0.5 * (weight * x[i, j]) @ dm
            return correction, jnp.trace(x)

        def free(_):
            return jnp.zeros_like(w), jnp.zeros((), w.dtype)

        correction, trace_x = jax.lax.cond(jnp.any(active), constrained, free, None)
        record = (loss(w), loss(w) + trace_x / eta, evals, trace_x)
        return (w - dt * eta * (g + correction), nxt), record

    def step(carry, _):
        carry, records = jax.lax.scan(substep, carry, None, length=config.substeps)
        return carry, jax.tree.map(lambda r: r[0], records)

    _, records, snaps = scan_with_snapshots(step, (w0, vs0), config.steps, snapshot_steps, lambda c: c[0])
    return records, snaps


def gradient_flow_scan(loss, w0, vs0, eta: float, config: CentralFlowConfig, snapshot_steps: tuple[int, ...] = ()):
    """Plain gradient flow dw/dt = -eta grad L (t in steps), ``GF_SUBSTEPS`` Euler steps
    per GD step (so each moves eta/8: far below the edge); sharpness once per step, from
    the first ``GF_BLOCK`` vectors of the block: only the top eigenvalue is shown, and
    gradient flow does not hop across the valley (with 2 vectors it lagged by 1% at
    step 43, where the top eigenvalues are still within a few percent of each other;
    with 3, by 0.04%)."""
    dt = 1.0 / GF_SUBSTEPS

    def step(carry, _):
        w, vs = carry
        evals, _, nxt = subspace_step(
            jax.vmap(jax.linearize(jax.grad(loss), w)[1], in_axes=1, out_axes=1), vs, 1
        )
        record = (loss(w), evals[0])
        w = jax.lax.fori_loop(0, GF_SUBSTEPS, lambda _, w: w - dt * eta * jax.grad(loss)(w), w)
        return (w, nxt), record

    carry = (w0, vs0[:, :GF_BLOCK])
    _, records, snaps = scan_with_snapshots(step, carry, config.steps, snapshot_steps, lambda c: c[0])
    return records, snaps


@float64
def run_central_flow(config: CentralFlowConfig) -> CentralFlowRun:
    """The central flow, GD and gradient flow at ``config.learning_rate``, each one's
    sharpness checked against eigsh at a few steps."""
    clock = Stopwatch()
    data = load_dataset(config.data)
    w0, loss = flat_loss(config.sizes, config.model.seed, data.x, data.y)
    vs0 = warm_block(loss, w0, config.eigen)
    eta = config.learning_rate
    checks = check_steps(config.steps)
    flow, flow_points = jax.jit(lambda w0, vs0: central_flow_scan(loss, w0, vs0, eta, config, checks))(w0, vs0)
    gf, gf_points = jax.jit(lambda w0, vs0: gradient_flow_scan(loss, w0, vs0, eta, config, checks))(w0, vs0)
    gd = run_gd(
        EdgeOfStabilityConfig(
            kind="edge-of-stability",
            data=config.data,
            model=config.model,
            eigen=config.eigen.model_copy(update={"iterations": 1, "block": min(GD_BLOCK, config.eigen.block)}),
            steps=config.steps,
            learning_rates=(eta,),
        )
    )
    flow_eigenvalues, gf_sharpness = np.asarray(flow[2]), np.asarray(gf[1])
    at = list(checks)
    check = SharpnessCheck.concat(
        check_sharpness("flow", checks, flow_eigenvalues[at, 0], hessians_at(loss, flow_points)),
        dataclasses.replace(gd.sharpness_check, series=np.array(["gd"] * len(checks))),
        check_sharpness("gradient flow", checks, gf_sharpness[at], hessians_at(loss, gf_points)),
    )
    return CentralFlowRun(
        learning_rate=eta,
        flow_loss=np.asarray(flow[0]),
        flow_predicted_loss=np.asarray(flow[1]),
        flow_eigenvalues=flow_eigenvalues,
        flow_trace_sigma=np.asarray(flow[3]),
        gd_loss=gd.loss[0],
        gd_sharpness=gd.sharpness[0],
        gf_loss=np.asarray(gf[0]),
        gf_sharpness=gf_sharpness,
        sharpness_check=check,
        wall_seconds=clock.wall(),
        cpu_seconds=clock.cpu(),
    )
