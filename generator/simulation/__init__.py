"""Gradient-descent sharpness dynamics, simulated in JAX for the live figures.

Pure computation: a config from :mod:`.config` goes in, numpy arrays come out. Nothing
here plots or writes HTML (see ``generator.figures`` and ``generator.svgplot``).

Precision: everything runs in float64 inside the ``float64`` decorator (``_precision``), a
scope around ``jax.enable_x64`` so the rest of the site build keeps JAX's float32 default.
Why: past the edge of stability GD multiplies any error along the top eigenvector by
|1 - eta S| ~ 1 each step, so rounding feeds straight into the chaotic part of the
trajectory; the reduced model is built from small differences (y = S - 2/eta,
alpha = -grad L . grad S_perp); and the central flow holds S to 1e-3 of 2/eta through a
complementarity solve on Gram matrices of third derivatives. Damian et al. switch to
float64 after the instability for the same reasons. We did not observe float32 failing
these tests; float64 is the safe default at a measured cost of about 1.4x for the GD
sweep (24 s vs 17 s for 4 learning rates x 1,200 steps, measured on the 2-core machine
while other jobs shared it). One exception: the Hessian-vector products that *track*
the sharpness along GD and Adam run in float32 (``hessian.gradient_and_block_product``):
they only measure, the trajectory stays float64, and each run checks the sharpness they
give against a float64 ``eigsh`` (``checks``), to about 1e-4 (median relative error).
"""

from __future__ import annotations

__all__ = ["float64"]


def __getattr__(name: str):
    """Import JAX only when the simulation runs: ``symposium check`` reads the config, not JAX."""
    if name == "float64":
        from ._precision import float64

        return float64
    raise AttributeError(name)
