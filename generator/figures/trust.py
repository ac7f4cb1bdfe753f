"""What a reader needs to trust a figure: how accurate its tracked sharpness is, and
what it cost to compute.

The simulation checks its cheaply tracked sharpness against an exact eigensolver
(``scipy.sparse.linalg.eigsh``) at a few steps of each curve and times itself
(``generator.simulation.checks``); the figure's cached arrays keep both
(``sharpness_check_*``, ``wall_seconds``, ``cpu_seconds``). Here they become the
``sharpness_check`` and ``cost`` entries of the published data and two sentences on the
page. Arrays from a simulation that did not measure them give neither, and the page says so.

The cost is a measurement of the machine that first computed the figure: a build that
reads the figure from the cache publishes the same numbers, a fresh computation others.
"""

from __future__ import annotations

import numpy as np

from generator.figures.words import count, listing, percent, seconds

CHECK = "sharpness_check_"
REFERENCE = "scipy.sparse.linalg.eigsh (ARPACK Lanczos) on the same operator, from a seeded random start"
CURVE_NAMES = {"gd": "gradient descent", "flow": "central flow", "gradient flow": "gradient flow", "adam": "Adam"}


def _round(v) -> float | None:
    v = float(v)
    return float(f"{v:.6g}") if np.isfinite(v) else None


def trust_data(arrays: dict) -> dict:
    """``sharpness_check`` (every check, and the median and largest relative error) and
    ``cost`` (seconds), as far as ``arrays`` hold them."""
    out: dict = {}
    if f"{CHECK}exact" in arrays and np.size(arrays[f"{CHECK}exact"]):
        exact = np.asarray(arrays[f"{CHECK}exact"], dtype=np.float64)
        tracked = np.asarray(arrays[f"{CHECK}tracked"], dtype=np.float64)
        errors = np.abs(tracked - exact) / np.abs(exact)
        out["sharpness_check"] = {
            "reference": REFERENCE,
            "checks": [
                {"curve": str(curve), "step": int(step), "tracked": _round(t), "exact": _round(e), "relative_error": _round(r)}
                for curve, step, t, e, r in zip(arrays[f"{CHECK}series"], arrays[f"{CHECK}steps"], tracked, exact, errors)
            ],
        }
        out["sharpness_rel_error_median"] = _round(np.median(errors))
        out["sharpness_rel_error_max"] = _round(np.max(errors))
    cost = {name: _round(arrays[name]) for name in ("wall_seconds", "cpu_seconds") if name in arrays}
    if cost.get("wall_seconds") is not None:
        out["cost"] = cost
    return out


def _curves(names: list[str]) -> str:
    named = [CURVE_NAMES.get(n, n.replace("eta=", "η = ")) for n in names]
    if len(named) == 1:
        return named[0] if named[0] in CURVE_NAMES.values() else f"the run at {named[0]}"
    return listing(named)


def trust_sentences(trust: dict) -> list[str]:
    """How accurate, what it cost: one sentence each (a plain admission where unmeasured)."""
    out = []
    check = trust.get("sharpness_check")
    if check:
        curves = list(dict.fromkeys(c["curve"] for c in check["checks"]))
        steps = len(check["checks"]) // max(1, len(curves))
        kind = "run" if all(c.startswith("eta=") for c in curves) else "curve"
        per = f"{count(steps, 'step')} of each {kind} ({_curves(curves)})" if len(curves) > 1 else \
            f"{count(steps, 'step')} of {_curves(curves)}"
        out.append(
            f"Accuracy: the tracked sharpness was checked against an exact eigensolver (scipy's eigsh) at {per}; "
            f"the median relative error is {percent(trust['sharpness_rel_error_median'], floor=1e-6)} and the "
            f"largest {percent(trust['sharpness_rel_error_max'], floor=1e-6)}."
        )
    else:
        out.append("Accuracy: this build's simulation did not check its tracked sharpness against an exact eigensolver.")
    cost = trust.get("cost")
    if cost:
        cpu = f" ({seconds(cost['cpu_seconds'])} of processor time)" if cost.get("cpu_seconds") is not None else ""
        out.append(f"Cost: computing it took {seconds(cost['wall_seconds'])}{cpu} on the machine that first built it; "
                   "later builds reuse the cached result.")
    else:
        out.append("Cost: this build's simulation did not time itself.")
    return out
