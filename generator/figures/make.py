"""Live figures: validated configs in, cached simulations, SVG and JSON out.

Stages, in order: ``load_figure_specs`` (YAML -> validated ``FigureSpec`` list, errors
with file and line), ``build_figures`` (for each spec: the cached or freshly computed
arrays, then rendering). Rendering only reads arrays, so a cache hit and a fresh run give
the same bytes. Computation lives in ``generator.simulation``; drawing in
``generator.figures.svgplot``.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import yaml
from pydantic import TypeAdapter, ValidationError

from generator.core.paths import SIMULATION
from generator.figures.cache import Figure, simulation_key, write_drawn
from generator.figures.svgplot import Panel, Reference, Series, line_plot
from generator.simulation.config import (
    AdaptiveConfig,
    CentralFlowConfig,
    EdgeOfStabilityConfig,
    FigureConfigError,
    FigureSpec,
    SelfStabilizationConfig,
)
from generator.simulation.stats import (
    central_flow_statistics,
    edge_statistics,
    first_crossing,
    gaussian_smooth,
    last_third,
)

#: The simulation's sources, part of each figure's cache key (a module attribute, so tests can point it elsewhere).
SIMULATION_DIR = SIMULATION

__all__ = ["Figure", "FigureSpec", "FigureConfigError", "load_figure_specs", "build_figures"]



# --------------------------------------------------------------------------- load


def _line_index(node: yaml.Node, path: tuple = ()) -> dict[tuple, int]:
    """Every (key/index path) in the YAML document -> its 1-based line."""
    lines = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            lines[path + (key.value,)] = key.start_mark.line + 1
            sub = _line_index(value, path + (key.value,))
            sub.pop(path + (key.value,), None)
            lines.update(sub)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines.update(_line_index(item, path + (i,)))
    return lines


def _line_of(lines: dict[tuple, int], loc: tuple) -> int:
    for n in range(len(loc), -1, -1):
        if loc[:n] in lines:
            return lines[loc[:n]]
    return 1


def load_figure_specs(path: Path) -> list[FigureSpec]:
    """Parse and validate ``figures.yaml``: a mapping with a ``figures`` list.

    Raises FigureConfigError with every problem as "file:line: error: message", sorted.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise FigureConfigError([f"{path}:{line}: error: invalid YAML: {exc}"]) from None
    if root is None or not isinstance(raw, dict) or set(raw) != {"figures"}:
        raise FigureConfigError(
            [f"{path}:1: error: expected a mapping with a single key 'figures' holding a list of figures"]
        )
    lines = _line_index(root)
    messages: list[tuple[int, str]] = []
    try:
        specs = TypeAdapter(list[FigureSpec]).validate_python(raw["figures"])
    except ValidationError as exc:
        for err in exc.errors():
            loc = ("figures",) + tuple(err["loc"])
            # drop pydantic's discriminator tag from the location, keep YAML keys
            loc = tuple(p for p in loc if p not in ("edge-of-stability", "central-flow", "self-stabilization", "adaptive"))
            if err["type"] == "union_tag_invalid":
                loc += ("kind",)  # point at the offending 'kind:' line
            where = ".".join(str(p) for p in loc)
            messages.append((_line_of(lines, loc), f"{where}: {err['msg']}"))
        specs = []
    seen: dict[str, int] = {}
    for i, spec in enumerate(specs):
        line = _line_of(lines, ("figures", i, "name"))
        if spec.name in seen:
            messages.append((line, f"duplicate figure name '{spec.name}' (first used on line {seen[spec.name]})"))
        seen.setdefault(spec.name, line)
    if messages:
        raise FigureConfigError([f"{path}:{line}: error: {msg}" for line, msg in sorted(messages)])
    return specs


# -------------------------------------------------------------------------- cache


def cache_key(spec: FigureSpec) -> str:
    """sha256 of the spec (canonical JSON), the JAX version and the simulation sources."""
    return simulation_key(spec, SIMULATION_DIR)


def _read_cache(file: Path, key: str) -> dict[str, np.ndarray] | None:
    """The cached arrays, or None if the file is missing, unreadable or not for ``key``."""
    try:
        with np.load(file, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
        if str(arrays.pop("__key__")) != key:
            return None
        return arrays
    except Exception:  # noqa: BLE001 - a bad cache file is never trusted, only replaced
        return None


def _write_cache(file: Path, key: str, arrays: dict[str, np.ndarray]) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=f".{file.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, __key__=np.asarray(key), **arrays)
        os.replace(tmp, file)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ------------------------------------------------------------------------ compute


def compute_arrays(spec: FigureSpec) -> dict[str, np.ndarray]:
    """Run the simulation behind ``spec``; plain numpy arrays, keyed by name."""
    sim = spec.simulation
    if isinstance(sim, EdgeOfStabilityConfig):
        from generator.simulation.gd import run_gd

        run = run_gd(sim)
        return {"learning_rates": run.learning_rates, "loss": run.loss, "sharpness": run.sharpness}
    if isinstance(sim, CentralFlowConfig):
        from generator.simulation.central_flow import run_central_flow

        run = run_central_flow(sim)
        return {
            "learning_rate": np.asarray(run.learning_rate),
            "flow_loss": run.flow_loss,
            "flow_predicted_loss": run.flow_predicted_loss,
            "flow_sharpness": run.flow_eigenvalues[:, 0],
            "flow_eigenvalues": run.flow_eigenvalues[:, : sim.tracked],
            "flow_trace_sigma": run.flow_trace_sigma,
            "gd_loss": run.gd_loss,
            "gd_sharpness": run.gd_sharpness,
            "gf_loss": run.gf_loss,
            "gf_sharpness": run.gf_sharpness,
        }
    if isinstance(sim, SelfStabilizationConfig):
        from generator.simulation.stabilization import run_stabilization

        run = run_stabilization(sim)
        return {
            "learning_rate": np.asarray(run.learning_rate),
            "loss": run.loss,
            "x": run.x,
            "y": run.y,
            "alpha": run.alpha,
            "beta": run.beta,
            "start": np.asarray(run.start),
            "model_x": run.model_x,
            "model_y": run.model_y,
        }
    if isinstance(sim, AdaptiveConfig):
        from generator.simulation.adam import run_adam

        run = run_adam(sim)
        return {
            "learning_rate": np.asarray(run.learning_rate),
            "threshold": np.asarray(run.threshold),
            "loss": run.loss,
            "preconditioned_sharpness": run.preconditioned_sharpness,
        }
    raise TypeError(f"no simulation for {type(sim).__name__}")


# ------------------------------------------------------------------------- render


def _round(v: float) -> float | None:
    v = float(v)
    return float(f"{v:.6g}") if math.isfinite(v) else None


def _series(values) -> list[float | None]:
    return [_round(v) for v in np.asarray(values, dtype=np.float64).ravel()]


def _clean(obj):
    """Round floats in a summary to 6 significant digits (JSON-ready)."""
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if isinstance(obj, (float, np.floating)):
        return _round(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    return obj


def _fmt(v: float) -> str:
    return f"{v:.3g}"


def _render_edge(spec: FigureSpec, a: dict) -> tuple[str, str, dict, dict]:
    etas = [float(e) for e in a["learning_rates"]]
    steps = list(range(a["loss"].shape[1]))
    stats = [edge_statistics(a["loss"][i], a["sharpness"][i], eta) for i, eta in enumerate(etas)]
    loss_series = [Series(f"η = {eta:g}", steps, a["loss"][i], i) for i, eta in enumerate(etas)]
    sharp_series = [Series(f"η = {eta:g}", steps, a["sharpness"][i], i) for i, eta in enumerate(etas)]
    refs = [Reference(f"2/η = {2 / eta:.3g}", 2 / eta, i) for i, eta in enumerate(etas)]
    parts, stable = [], []
    for s in stats:
        if s["reaches_edge"]:
            parts.append(
                f"η={s['learning_rate']:g} first crosses 2/η at step {s['first_crossing_step']}, then its "
                f"sharpness averages {s['mean_ratio_last_third']:.3f}×2/η over the last third while the loss "
                f"rises on {100 * s['loss_increase_fraction']:.0f}% of steps and ends at "
                f"{100 * s['final_loss_fraction']:.1f}% of its start"
            )
        else:
            stable.append(
                f"η={s['learning_rate']:g} never reaches 2/η (at most {s['max_ratio']:.2f}×2/η) and its loss "
                f"rises on {100 * s['loss_increase_fraction']:.0f}% of steps"
            )
    caption = (
        f"Full-batch gradient descent on {spec.simulation.data.n} digits. The sharpness starts at "
        f"{stats[0]['initial_sharpness']:.3g} and rises (progressive sharpening). "
        + "; ".join(parts + stable)
        + "."
    )
    desc = caption
    svg = line_plot(
        [
            Panel("step", "training loss (log scale)", loss_series, log_y=True, heading="Training loss"),
            Panel("step", "sharpness (top Hessian eigenvalue)", sharp_series, refs, heading="Sharpness"),
        ],
        spec.title,
        desc,
        spec.name,
    )
    data = {
        "step": steps,
        "series": [
            {"learning_rate": eta, "threshold": _round(2 / eta), "loss": _series(a["loss"][i]), "sharpness": _series(a["sharpness"][i])}
            for i, eta in enumerate(etas)
        ],
    }
    return caption, svg, data, {"runs": stats}


def _render_central_flow(spec: FigureSpec, a: dict) -> tuple[str, str, dict, dict]:
    eta = float(a["learning_rate"])
    sim = spec.simulation
    steps = list(range(len(a["gd_loss"])))
    stats = central_flow_statistics(
        a["flow_loss"], a["flow_predicted_loss"], a["flow_sharpness"], a["gd_loss"], a["gd_sharpness"], eta, sim.smoothing
    )
    smoothed = gaussian_smooth(a["gd_loss"], sim.smoothing)
    stats["critical_eigenvalues_at_end"] = int(np.sum(a["flow_eigenvalues"][-1] > (2 / eta) * (1 - 1e-2)))
    stats["gradient_flow_final_sharpness"] = float(a["gf_sharpness"][-1])
    loss_panel = Panel(
        "step",
        "training loss (log scale)",
        [
            Series("gradient descent", steps, a["gd_loss"], 0),
            Series(f"GD, Gaussian-smoothed (σ = {sim.smoothing:g} steps)", steps, smoothed, 4),
            Series("central flow: predicted L + tr Σ/η", steps, a["flow_predicted_loss"], 1),
            Series("central flow: L", steps, a["flow_loss"], 3),
            Series("gradient flow", steps, a["gf_loss"], 2),
        ],
        log_y=True,
        heading="Loss",
    )
    sharp_panel = Panel(
        "step",
        "sharpness",
        [
            Series("gradient descent", steps, a["gd_sharpness"], 0),
            Series("central flow: L", steps, a["flow_sharpness"], 3),
            Series("gradient flow", steps, a["gf_sharpness"], 2),
        ],
        [Reference(f"2/η = {2 / eta:.3g}", 2 / eta, 1)],
        heading="Sharpness",
    )
    dev = stats["max_relative_sharpness_deviation"]
    med = stats["median_relative_error"]
    caption = (
        f"At η={eta:g}, gradient descent reaches 2/η at step {stats['gd_reaches_edge_step']} and then oscillates. "
        f"The central flow, integrated from the same start with {sim.tracked} tracked eigenvalues, reaches 2/η at step "
        f"{stats['flow_reaches_edge_step']} and holds its sharpness there"
        + (f" to within {dev:.1e} (relative)" if dev is not None else "")
        + f", with {stats['critical_eigenvalues_at_end']} eigenvalue(s) at 2/η by the end; its own loss never rises. "
        + (
            f"Its prediction L + tr Σ/η of GD's time-averaged loss is off by {100 * med:.1f}% (median) after the edge. "
            if med is not None
            else ""
        )
        + f"Plain gradient flow ignores the edge: its sharpness ends at {a['gf_sharpness'][-1]:.3g}, "
        f"{a['gf_sharpness'][-1] * eta / 2:.2f}×2/η."
    )
    svg = line_plot([loss_panel, sharp_panel], spec.title, caption, spec.name)
    data = {
        "step": steps,
        "learning_rate": eta,
        "gd_loss": _series(a["gd_loss"]),
        "gd_loss_smoothed": _series(smoothed),
        "gd_sharpness": _series(a["gd_sharpness"]),
        "flow_loss": _series(a["flow_loss"]),
        "flow_predicted_loss": _series(a["flow_predicted_loss"]),
        "flow_sharpness": _series(a["flow_sharpness"]),
        "gradient_flow_loss": _series(a["gf_loss"]),
        "gradient_flow_sharpness": _series(a["gf_sharpness"]),
    }
    return caption, svg, data, stats


def _render_stabilization(spec: FigureSpec, a: dict) -> tuple[str, str, dict, dict]:
    eta = float(a["learning_rate"])
    start = int(a["start"])
    steps = list(range(len(a["x"])))
    predicted = 2 * a["alpha"] / np.where(a["beta"] > 0, a["beta"], np.nan)
    valid = np.isfinite(a["model_x"])
    map_steps = int(valid.sum())
    gd_last = last_third(a["x"] ** 2)
    stats = {
        "learning_rate": eta,
        "first_crossing_step": first_crossing(a["y"], 0.0),
        "map_start_step": start,
        "map_steps_before_divergence": map_steps,
        "gd_mean_x2_last_third": float(gd_last.mean()),
        "predicted_x2_last_third": float(np.nanmedian(last_third(predicted))),
        "gd_mean_y_last_third": float(last_third(a["y"]).mean()),
        "map_y_returns_below_zero": bool(
            np.any(a["model_y"][valid] > 0) and np.any(a["model_y"][valid][np.argmax(a["model_y"][valid] > 0):] < 0)
        ),
    }
    amplitude = np.sqrt(np.clip(predicted, 0, None))
    # Show the steps around the map's window: the first excursion and what follows.
    x_panel = Panel(
        "step",
        "|x| (displacement along top eigenvector)",
        [
            Series("GD on the MLP", steps, np.abs(a["x"]), 0),
            Series("reduced map (α, β measured)", steps, np.abs(a["model_x"]), 1),
            Series("√(2α/β), predicted amplitude", steps, amplitude, 2),
        ],
        log_y=True,
        heading="Oscillation along the top eigenvector",
    )
    y_panel = Panel(
        "step",
        "y = S − 2/η",
        [
            Series("GD on the MLP", steps, a["y"], 0),
            Series("reduced map (α, β measured)", steps, a["model_y"], 1),
        ],
        [Reference("y = 0 (S = 2/η)", 0.0, 4)],
        heading="Sharpness above the edge",
    )
    caption = (
        f"GD at η={eta:g}: the sharpness S first exceeds 2/η at step {stats['first_crossing_step']}; x, the "
        f"displacement along the top eigenvector, then grows and pushes S back below 2/η (self-stabilization). "
        f"Over the last third y = S − 2/η averages {stats['gd_mean_y_last_third']:.3g} and x² averages "
        f"{stats['gd_mean_x2_last_third']:.2g}, against 2α/β ≈ {stats['predicted_x2_last_third']:.2g}. "
        f"The reduced map x' = −(1+ηy)x, y' = y + η(α − ½βx²), driven by α and β measured along the run and "
        f"started at step {start}, "
        + ("repeats the cycle: y rises above 0, x grows and y falls back" if stats["map_y_returns_below_zero"] else "is shown")
        + f" for {map_steps} steps"
        + (" before its Taylor expansion stops being valid (|x| > 1)." if map_steps < len(steps) - start else ".")
    )
    svg = line_plot([x_panel, y_panel], spec.title, caption, spec.name)
    data = {
        "step": steps,
        "learning_rate": eta,
        "x": _series(a["x"]),
        "y": _series(a["y"]),
        "alpha": _series(a["alpha"]),
        "beta": _series(a["beta"]),
        "map_start": start,
        "map_x": _series(a["model_x"]),
        "map_y": _series(a["model_y"]),
    }
    return caption, svg, data, stats


def _render_adaptive(spec: FigureSpec, a: dict) -> tuple[str, str, dict, dict]:
    eta = float(a["learning_rate"])
    threshold = float(a["threshold"])
    sharp = a["preconditioned_sharpness"]
    steps = list(range(len(sharp)))
    ratio = sharp / threshold
    stats = {
        "learning_rate": eta,
        "beta1": spec.simulation.beta1,
        "threshold": threshold,
        "initial_ratio": float(ratio[0]),
        "first_crossing_step": first_crossing(sharp, threshold),
        "mean_ratio_last_third": float(last_third(ratio).mean()),
        "max_abs_deviation_last_third": float(np.abs(last_third(ratio) - 1).max()),
        "loss_increase_fraction": float(np.mean(np.diff(a["loss"]) > 0)),
        "final_loss_fraction": float(a["loss"][-1] / a["loss"][0]),
    }
    b1 = spec.simulation.beta1
    caption = (
        f"Adam (β1={b1:g}, η={eta:g}): the top eigenvalue of the preconditioned Hessian P⁻¹H starts at "
        f"{ratio[0]:.2f}× the threshold (2+2β1)/((1−β1)η) = {threshold:.4g}, first reaches it at step "
        f"{stats['first_crossing_step']}, and averages {stats['mean_ratio_last_third']:.3f}× it over the last "
        f"third, while the loss falls to {100 * stats['final_loss_fraction']:.2g}% of its start."
    )
    svg = line_plot(
        [
            Panel("step", "training loss (log scale)", [Series("Adam", steps, a["loss"], 0)], log_y=True, heading="Loss"),
            Panel(
                "step",
                "preconditioned sharpness",
                [Series("Adam", steps, sharp, 0)],
                [Reference(f"38/η = {threshold:.4g}" if abs(b1 - 0.9) < 1e-12 else f"threshold {threshold:.4g}", threshold, 1)],
                heading="Top eigenvalue of P⁻¹H",
            ),
        ],
        spec.title,
        caption,
        spec.name,
    )
    data = {"step": steps, "learning_rate": eta, "threshold": _round(threshold), "loss": _series(a["loss"]), "preconditioned_sharpness": _series(sharp)}
    return caption, svg, data, stats


_RENDER = {
    "edge-of-stability": _render_edge,
    "central-flow": _render_central_flow,
    "self-stabilization": _render_stabilization,
    "adaptive": _render_adaptive,
}


def render_figure(spec: FigureSpec, arrays: dict[str, np.ndarray]) -> Figure:
    caption, svg, data, summary = _RENDER[spec.simulation.kind](spec, arrays)
    return Figure(
        name=spec.name, title=spec.title, caption=caption, svg=svg, data=_clean(data), summary=_clean(summary)
    )


# -------------------------------------------------------------------------- build


def build_figures(
    specs: list[FigureSpec], cache_dir: Path, progress: Callable[[str], None] | None = None
) -> list[Figure]:
    """Each spec's figure, from ``cache_dir/<name>-<key[:16]>.npz`` when it holds a valid
    result for the current spec, JAX version and simulation sources; otherwise computed
    and cached (atomic write)."""
    say = progress or (lambda _message: None)
    cache_dir = Path(cache_dir)
    figures = []
    for spec in specs:
        key = cache_key(spec)
        file = cache_dir / f"{spec.name}-{key[:16]}.npz"
        arrays = _read_cache(file, key)
        if arrays is None:
            say(f"figures: computing {spec.name}")
            arrays = {k: np.asarray(v) for k, v in compute_arrays(spec).items()}
            _write_cache(file, key, arrays)
        else:
            say(f"figures: {spec.name} from cache")
        figure = render_figure(spec, arrays)
        write_drawn(cache_dir, spec, figure)  # lets the next build skip JAX and NumPy altogether
        figures.append(figure)
    return figures
