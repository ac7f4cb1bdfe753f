"""The network: a tanh multilayer perceptron, parameters as a pytree.

Layer sizes default to 64 -> 64 -> 64 -> 10 (8,970 parameters). The initialisation is
PyTorch's default for ``nn.Linear``: weights and biases uniform on ±1/sqrt(fan_in).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jax.flatten_util import ravel_pytree

Params = list[tuple[jax.Array, jax.Array]]


def init_params(sizes: Sequence[int], seed: int) -> Params:
    """PyTorch-default uniform initialisation, drawn with numpy so it is exact and cheap."""
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1.0 / np.sqrt(fan_in)
        w = rng.uniform(-bound, bound, size=(fan_in, fan_out))
        b = rng.uniform(-bound, bound, size=(fan_out,))
        params.append((jnp.asarray(w), jnp.asarray(b)))
    return params


def apply(params: Params, x: jax.Array) -> jax.Array:
    """Forward pass: tanh after every layer but the last."""
    for w, b in params[:-1]:
        x = jnp.tanh(x @ w + b)
    w, b = params[-1]
    return x @ w + b


def mse(params: Params, x: jax.Array, y: jax.Array) -> jax.Array:
    """Cohen et al.'s convention: (1/n) sum_i 1/2 ||f(x_i) - y_i||^2."""
    return 0.5 * jnp.sum((apply(params, x) - y) ** 2) / x.shape[0]


def flat_loss(
    sizes: Sequence[int], seed: int, x: np.ndarray, y: np.ndarray, dtype=None
) -> tuple[jax.Array, Callable[[jax.Array], jax.Array]]:
    """The initial parameters as one flat vector, and the loss as a function of it.

    The optimisers and eigen-solvers work on flat vectors: inner products, projections
    and blocks of eigenvectors are then plain linear algebra. ``dtype`` (e.g. float32)
    casts parameters and data, for the eigen-solver's Hessian-vector products.
    """
    params = init_params(sizes, seed)
    if dtype is not None:
        params = jax.tree.map(lambda a: a.astype(dtype), params)
        x, y = np.asarray(x, dtype), np.asarray(y, dtype)
    w0, unravel = ravel_pytree(params)
    xj, yj = jnp.asarray(x), jnp.asarray(y)

    def loss(w: jax.Array) -> jax.Array:
        return mse(unravel(w), xj, yj)

    return w0, loss
