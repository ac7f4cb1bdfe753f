"""Statistics of simulated runs, shared by the figures' captions and by the tests.

The trajectory past the edge of stability is chaotic, so nothing downstream should
depend on exact values: these summaries (first crossings, means over the last third,
fractions of loss increases) are what is stable across machines and JAX versions.
"""

from __future__ import annotations

import numpy as np


def first_crossing(values: np.ndarray, level: float) -> int | None:
    """The first index at which ``values`` exceeds ``level``, or None."""
    hits = np.flatnonzero(values > level)
    return int(hits[0]) if hits.size else None


def last_third(values: np.ndarray) -> np.ndarray:
    n = len(values)
    return values[n - n // 3 :]


def edge_statistics(loss: np.ndarray, sharpness: np.ndarray, learning_rate: float) -> dict:
    """How one GD run relates to 2/eta: plain floats and ints, JSON-ready."""
    threshold = 2.0 / learning_rate
    ratio = sharpness / threshold
    crossing = first_crossing(sharpness, threshold)
    return {
        "learning_rate": float(learning_rate),
        "threshold": float(threshold),
        "initial_sharpness": float(sharpness[0]),
        "initial_ratio": float(ratio[0]),
        "max_ratio": float(ratio.max()),
        "first_crossing_step": crossing,
        "reaches_edge": crossing is not None,
        "mean_ratio_last_third": float(last_third(ratio).mean()),
        "loss_increase_fraction": float(np.mean(np.diff(loss) > 0)),
        "final_loss_fraction": float(loss[-1] / loss[0]),
    }


def gaussian_smooth(values: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian smoothing (sigma in samples), edges reflected so the ends are unbiased."""
    radius = int(np.ceil(4 * sigma))
    offsets = np.arange(-radius, radius + 1)
    kernel = np.exp(-0.5 * (offsets / sigma) ** 2)
    kernel /= kernel.sum()
    padded = np.pad(values, radius, mode="reflect")
    return np.convolve(padded, kernel, mode="valid")


def central_flow_statistics(
    flow_loss: np.ndarray,
    flow_predicted_loss: np.ndarray,
    flow_sharpness: np.ndarray,
    gd_loss: np.ndarray,
    gd_sharpness: np.ndarray,
    learning_rate: float,
    smoothing: float,
) -> dict:
    """The central flow against GD: how tightly it holds 2/eta, how well L + tr(Sigma)/eta
    predicts GD's Gaussian-smoothed loss once GD has reached the edge."""
    threshold = 2.0 / learning_rate
    flow_at_edge = first_crossing(flow_sharpness, threshold * (1 - 1e-3))
    gd_at_edge = first_crossing(gd_sharpness, threshold)
    smoothed = gaussian_smooth(gd_loss, smoothing)
    stats = {
        "learning_rate": float(learning_rate),
        "flow_reaches_edge_step": flow_at_edge,
        "gd_reaches_edge_step": gd_at_edge,
        "flow_loss_increases": int(np.sum(np.diff(flow_loss) > 0)),
        "max_relative_sharpness_deviation": None,
        "median_relative_error": None,
        "max_relative_error": None,
    }
    if flow_at_edge is not None:
        dev = np.abs(flow_sharpness[flow_at_edge:] / threshold - 1)
        stats["max_relative_sharpness_deviation"] = float(dev.max())
    if gd_at_edge is not None:
        err = np.abs(flow_predicted_loss[gd_at_edge:] - smoothed[gd_at_edge:]) / smoothed[gd_at_edge:]
        stats["median_relative_error"] = float(np.median(err))
        stats["max_relative_error"] = float(err.max())
    return stats
