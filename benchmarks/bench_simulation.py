"""Timings behind the simulation's design choices; prints, asserts nothing.

    .venv/bin/python benchmarks/bench_simulation.py

Measures, on the real network (64-64-64-10, n = 500, float64): one Hessian-vector
product, a block of four, one third-derivative gradient (central flow), and the GD sweep
over four learning rates as one vmapped scan against a Python loop of single-rate scans.
Timings on a shared machine vary; run it on an idle one.
"""

from __future__ import annotations

import time

import jax
import jax.numpy as jnp
import numpy as np

from generator.simulation.config import DataConfig, EdgeOfStabilityConfig, EigenConfig
from generator.simulation.data import load_dataset
from generator.simulation.gd import gd_scan
from generator.simulation.hessian import block_hvp, hvp, warm_block
from generator.simulation.mlp import flat_loss


def timed(fn, *args, repeat: int = 20) -> float:
    jax.block_until_ready(fn(*args))
    start = time.perf_counter()
    for _ in range(repeat):
        out = fn(*args)
    jax.block_until_ready(out)
    return (time.perf_counter() - start) / repeat


def main(steps: int = 300) -> None:
    with jax.enable_x64(True):
        data = load_dataset(DataConfig())
        w0, loss = flat_loss((64, 64, 64, 10), 0, data.x, data.y)
        v = jnp.asarray(np.random.default_rng(0).normal(size=(w0.size, 4)))
        print(f"grad                 {1e3 * timed(jax.jit(jax.grad(loss)), w0):7.2f} ms")
        print(f"hvp                  {1e3 * timed(jax.jit(lambda w, v: hvp(loss, w, v)), w0, v[:, 0]):7.2f} ms")
        print(f"block hvp (4)        {1e3 * timed(jax.jit(lambda w, v: block_hvp(loss, w, v)), w0, v):7.2f} ms")
        third = jax.jit(lambda w, a, b: jax.grad(lambda w: a @ hvp(loss, w, b))(w))
        print(f"grad of u'H(w)v      {1e3 * timed(third, w0, v[:, 0], v[:, 1]):7.2f} ms")

        config = EdgeOfStabilityConfig(kind="edge-of-stability", steps=steps, learning_rates=(0.1, 0.25, 0.3, 0.4))
        eigen = EigenConfig()
        vs0 = warm_block(loss, w0, eigen)
        etas = jnp.asarray(config.learning_rates)
        one = jax.jit(lambda eta: gd_scan(loss, w0, vs0, eta, steps, eigen)[1])
        sweep = jax.jit(jax.vmap(lambda eta: gd_scan(loss, w0, vs0, eta, steps, eigen)[1]))
        start = time.perf_counter()
        jax.block_until_ready(sweep(etas))
        print(f"GD sweep, vmap       {time.perf_counter() - start:7.2f} s  (4 rates x {steps} steps, incl. compile)")
        start = time.perf_counter()
        jax.block_until_ready([one(eta) for eta in etas])
        print(f"GD sweep, loop       {time.perf_counter() - start:7.2f} s  (4 rates x {steps} steps, incl. compile)")


if __name__ == "__main__":
    main()
