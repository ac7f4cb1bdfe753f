"""Gradient-descent sharpness dynamics, simulated in JAX for the live figures.

Pure computation: a config from :mod:`.config` goes in, numpy arrays come out. Nothing
here plots or writes HTML (see ``generator.figures`` and ``generator.svgplot``).

Precision: everything runs in float64 inside :func:`float64`, a scope around
``jax.enable_x64`` so the rest of the site build keeps JAX's float32 default. The physics
needs it: past the edge of stability GD multiplies any error along the top eigenvector by
|1 - eta S| ~ 1 each step, the reduced model is built from small differences
(y = S - 2/eta, alpha = -grad L . grad S), and the central flow must hold S within 1e-3
of 2/eta, which float32 Rayleigh quotients (relative error ~1e-7 per product, summed over
9k parameters) do not reliably allow. Float64 costs about 1.5x on these machines.
"""

from __future__ import annotations

from ._precision import float64

__all__ = ["float64"]
