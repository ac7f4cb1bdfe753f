"""Timings behind the simulation's design choices; prints, asserts nothing.

    .venv/bin/python benchmarks/bench_simulation.py            # the four live figures
    .venv/bin/python benchmarks/bench_simulation.py --kernels  # and the building blocks

The figures part runs the four simulations of ``content/figures.yaml`` one after the
other in this process, cold (nothing cached, every jit compiled here), as a site build
does, and prints for each its wall and CPU seconds (CPU of the whole process, so it can
exceed wall on two cores), what it checks (median relative error of the tracked
sharpness against eigsh) and, for self-stabilization, the measured/predicted amplitude
ratio. Timings on a shared machine vary; the load average is printed before and after.

The kernels part times, on the real network (64-64-64-10, n = 500, float64), one
Hessian-vector product, a block of four, one third-derivative gradient (central flow),
and the GD sweep over four learning rates as one vmapped scan against a Python loop.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

START = (time.perf_counter(), time.process_time())

import jax
import jax.numpy as jnp
import numpy as np
import yaml

from generator.simulation.adam import run_adam
from generator.simulation.central_flow import run_central_flow
from generator.simulation.config import (
    DataConfig,
    EdgeOfStabilityConfig,
    EigenConfig,
    FiguresFile,
)
from generator.simulation.data import load_dataset
from generator.simulation.gd import gd_scan, run_gd
from generator.simulation.hessian import block_hvp, hvp, warm_block
from generator.simulation.mlp import flat_loss
from generator.simulation.stabilization import run_stabilization

REPO = Path(__file__).resolve().parents[1]
RUN = {
    "edge-of-stability": run_gd,
    "central-flow": run_central_flow,
    "self-stabilization": run_stabilization,
    "adaptive": run_adam,
}


def figures(path: Path) -> None:
    print(f"load average {os.getloadavg()[0]:.2f}; JAX {jax.__version__} imported in "
          f"{time.perf_counter() - START[0]:.1f} s")
    specs = FiguresFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8"))).figures
    print(f"{'figure':20s} {'wall s':>7s} {'CPU s':>7s}  checks")
    for spec in specs:
        run = RUN[spec.simulation.kind](spec.simulation)
        note = f"sharpness vs eigsh: median {run.sharpness_rel_error_median:.1e}, max {run.sharpness_check.max_relative_error:.1e}"
        if hasattr(run, "amplitude_ratio"):
            note += f"; amplitude ratio {run.amplitude_ratio:.3f} (map {run.map_amplitude_ratio:.3f})"
        print(f"{spec.name:20s} {run.wall_seconds:7.1f} {run.cpu_seconds:7.1f}  {note}", flush=True)
    wall, cpu = time.perf_counter() - START[0], time.process_time() - START[1]
    print(f"{'all, with import':20s} {wall:7.1f} {cpu:7.1f}  load average {os.getloadavg()[0]:.2f}")


def timed(fn, *args, repeat: int = 20) -> float:
    jax.block_until_ready(fn(*args))
    start = time.perf_counter()
    for _ in range(repeat):
        out = fn(*args)
    jax.block_until_ready(out)
    return (time.perf_counter() - start) / repeat


def kernels(steps: int = 300) -> None:
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
        # losses *and* Ritz values: returning the losses alone lets XLA drop the eigen-solver
        one = jax.jit(lambda eta: gd_scan(loss, w0, vs0, eta, steps, eigen)[1:3])
        sweep = jax.jit(jax.vmap(lambda eta: gd_scan(loss, w0, vs0, eta, steps, eigen)[1:3]))
        start = time.perf_counter()
        jax.block_until_ready(sweep(etas))
        print(f"GD sweep, vmap       {time.perf_counter() - start:7.2f} s  (4 rates x {steps} steps, incl. compile)")
        start = time.perf_counter()
        jax.block_until_ready([one(eta) for eta in etas])
        print(f"GD sweep, loop       {time.perf_counter() - start:7.2f} s  (4 rates x {steps} steps, incl. compile)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=REPO / "content" / "figures.yaml")
    parser.add_argument("--kernels", action="store_true", help="also time the building blocks")
    args = parser.parse_args()
    figures(args.config)
    if args.kernels:
        kernels()
