"""One drawing per figure kind: the simulation's arrays -> panels, words and data.

Each ``draw_*`` returns a ``Drawing``: an introduction (what the figure shows and why it
matters, from the figure's configuration), a caption in sentences written from the
measured values, the panels to draw, the published data (JSON-ready), a summary of the
statistics the caption quotes, and the CSV columns (a header and where in the data its
values are). Statistics come from ``generator.simulation.stats``; nothing here is random.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from generator.figures.svgplot import Panel, Reference, Series
from generator.figures.words import (
    count,
    learning_rate,
    number,
    percent,
    setting,
    times,
)
from generator.simulation.stats import (
    central_flow_statistics,
    edge_statistics,
    first_crossing,
    gaussian_smooth,
    last_third,
)


@dataclass(frozen=True)
class Drawing:
    intro: str
    caption: str
    panels: list[Panel]
    data: dict
    summary: dict
    columns: list[list[str]]


def _round(v) -> float | None:
    v = float(v)
    return float(f"{v:.6g}") if np.isfinite(v) else None


def series(values) -> list[float | None]:
    """Values as JSON numbers of 6 significant digits (None where not finite)."""
    return [_round(v) for v in np.asarray(values, dtype=np.float64).ravel()]


def _loss_moves(fraction: float) -> str:
    return "the loss never goes up" if fraction == 0 else f"the loss goes up on {percent(fraction)} of steps"


# ------------------------------------------------------------------ edge of stability


def _edge_caption(stats: list[dict]) -> str:
    out = [f"Every run starts from the same weights, where the sharpness is {number(stats[0]['initial_sharpness'])}."]
    for s in stats:
        eta, limit = learning_rate(s["learning_rate"]), number(s["threshold"])
        if s["reaches_edge"]:
            out.append(
                f"With {eta}, the sharpness rises to 2/η = {limit} by step {s['first_crossing_step']:,} and then "
                f"stays near it, at {times(s['mean_ratio_last_third'])} 2/η on average over the last third of "
                f"training; {_loss_moves(s['loss_increase_fraction'])}, yet it ends at "
                f"{percent(s['final_loss_fraction'])} of its starting value."
            )
        else:
            out.append(
                f"With {eta}, the sharpness never reaches 2/η = {limit} (at most {times(s['max_ratio'])} it), "
                f"and {_loss_moves(s['loss_increase_fraction'])}."
            )
    return " ".join(out)


def draw_edge(spec, a: dict) -> Drawing:
    sim = spec.simulation
    etas = [float(e) for e in a["learning_rates"]]
    steps = list(range(a["loss"].shape[1]))
    stats = [edge_statistics(a["loss"][i], a["sharpness"][i], eta) for i, eta in enumerate(etas)]
    loss = [Series(learning_rate(eta), steps, a["loss"][i], i, f"series.{i}.loss", i) for i, eta in enumerate(etas)]
    sharp = [Series(learning_rate(eta), steps, a["sharpness"][i], i, f"series.{i}.sharpness", i) for i, eta in enumerate(etas)]
    refs = [Reference(f"2/η = {number(2 / eta)}", 2 / eta, i, i) for i, eta in enumerate(etas)]
    panels = [
        Panel("step", "log scale", loss, log_y=True, heading="Training loss"),
        Panel("step", "the top eigenvalue of the Hessian; dashed lines: 2/η", sharp, refs,
              heading="Sharpness against 2/η"),
    ]
    intro = (
        f"Here {setting(sim)}, by full-batch gradient descent, for {sim.steps:,} steps at each of "
        f"{len(etas)} learning rates η. Classical analysis says gradient descent is stable only while the "
        "sharpness, the largest eigenvalue of the loss's Hessian, stays below 2/η. Cohen et al. (2021) found that "
        "in deep learning the sharpness instead rises until it reaches 2/η and then hovers there, while the loss "
        "keeps falling over the long run though not at every step: training runs at the edge of stability."
    )
    data = {
        "step": steps,
        "series": [
            {"learning_rate": eta, "threshold": _round(2 / eta), "loss": series(a["loss"][i]),
             "sharpness": series(a["sharpness"][i])}
            for i, eta in enumerate(etas)
        ],
    }
    columns = [["step", "step"]]
    for i, eta in enumerate(etas):
        columns += [[f"loss_eta_{eta:g}", f"series.{i}.loss"], [f"sharpness_eta_{eta:g}", f"series.{i}.sharpness"]]
    return Drawing(intro, _edge_caption(stats), panels, data, {"runs": stats}, columns)


# ------------------------------------------------------------------------ central flow


def _central_flow_caption(stats: dict, eta: float, steps: int, gf_final: float) -> str:
    limit = number(2 / eta)
    gd_at, flow_at = stats["gd_reaches_edge_step"], stats["flow_reaches_edge_step"]
    out = [
        f"Gradient descent reaches 2/η = {limit} at step {gd_at:,} and then oscillates around it."
        if gd_at is not None
        else f"Gradient descent does not reach 2/η = {limit} within {steps:,} steps."
    ]
    if flow_at is not None:
        dev = stats["max_relative_sharpness_deviation"]
        k = stats["critical_eigenvalues_at_end"]
        out.append(
            f"The central flow, started from the same weights, reaches 2/η at step {flow_at:,} and then holds "
            f"its sharpness there to within {percent(dev)}; by the end {count(k, 'eigenvalue')} "
            f"{'sits' if k == 1 else 'sit'} at 2/η."
        )
    rises = stats["flow_loss_increases"]
    out.append("The central flow's own loss never goes up." if rises == 0
               else f"The central flow's own loss goes up on {count(rises, 'step')}.")
    if stats["median_relative_error"] is not None:
        out.append(
            f"From the edge on, its prediction of gradient descent's smoothed loss is off by "
            f"{percent(stats['median_relative_error'])} at the median step and by at most "
            f"{percent(stats['max_relative_error'])}."
        )
    out.append(
        f"Plain gradient flow, which ignores the step size, does not stop at the edge: its sharpness ends at "
        f"{number(gf_final)}, {times(gf_final * eta / 2)} 2/η."
    )
    return " ".join(out)


def _central_flow_panels(a: dict, steps: list[int], smoothed, sigma: float, eta: float) -> list[Panel]:
    loss = Panel("step", "log scale", [
        Series("gradient descent", steps, a["gd_loss"], 0, "gd_loss"),
        Series(f"gradient descent, smoothed (Gaussian, σ\u00a0=\u00a0{sigma:g} steps)", steps, smoothed, 4, "gd_loss_smoothed"),
        Series("central flow's prediction of the smoothed loss, L + tr Σ/η", steps, a["flow_predicted_loss"], 1,
               "flow_predicted_loss"),
        Series("central flow", steps, a["flow_loss"], 3, "flow_loss"),
        Series("gradient flow", steps, a["gf_loss"], 2, "gradient_flow_loss"),
    ], log_y=True, heading="Training loss")
    sharp = Panel("step", "the top eigenvalue of the Hessian; dashed line: 2/η", [
        Series("gradient descent", steps, a["gd_sharpness"], 0, "gd_sharpness"),
        Series("central flow", steps, a["flow_sharpness"], 3, "flow_sharpness"),
        Series("gradient flow", steps, a["gf_sharpness"], 2, "gradient_flow_sharpness"),
    ], [Reference(f"2/η = {number(2 / eta)}", 2 / eta, 5)], heading="Sharpness")
    return [loss, sharp]


def draw_central_flow(spec, a: dict) -> Drawing:
    sim = spec.simulation
    eta = float(a["learning_rate"])
    steps = list(range(len(a["gd_loss"])))
    stats = central_flow_statistics(
        a["flow_loss"], a["flow_predicted_loss"], a["flow_sharpness"], a["gd_loss"], a["gd_sharpness"], eta, sim.smoothing
    )
    smoothed = gaussian_smooth(a["gd_loss"], sim.smoothing)
    stats["critical_eigenvalues_at_end"] = int(np.sum(a["flow_eigenvalues"][-1] > (2 / eta) * (1 - 1e-2)))
    stats["gradient_flow_final_sharpness"] = float(a["gf_sharpness"][-1])
    intro = (
        "The central flow (Cohen, Damian et al., 2025) is a differential equation for the time-averaged path of "
        "gradient descent at the edge of stability: it follows the middle of the oscillation rather than every "
        f"step. Here {setting(sim)}, by gradient descent at η = {eta:g} for {sim.steps:,} steps, beside the "
        f"central flow, which tracks the top {sim.tracked} Hessian eigenvalues and keeps them from passing 2/η, "
        "and beside plain gradient flow, the limit of tiny steps. The flow explains how gradient descent makes "
        "progress while its loss goes up and down: the flow's own loss falls steadily, and adding the cost of "
        "the oscillation (tr Σ/η) predicts gradient descent's smoothed loss."
    )
    data = {
        "step": steps, "learning_rate": eta,
        "gd_loss": series(a["gd_loss"]), "gd_loss_smoothed": series(smoothed), "gd_sharpness": series(a["gd_sharpness"]),
        "flow_loss": series(a["flow_loss"]), "flow_predicted_loss": series(a["flow_predicted_loss"]),
        "flow_sharpness": series(a["flow_sharpness"]),
        "gradient_flow_loss": series(a["gf_loss"]), "gradient_flow_sharpness": series(a["gf_sharpness"]),
    }
    columns = [[key, key] for key in data if key != "learning_rate"]
    caption = _central_flow_caption(stats, eta, len(steps), float(a["gf_sharpness"][-1]))
    return Drawing(intro, caption, _central_flow_panels(a, steps, smoothed, sim.smoothing, eta), data, stats, columns)


# ------------------------------------------------------------------- self-stabilization


def _stabilization_stats(a: dict, eta: float, predicted: np.ndarray) -> dict:
    valid = np.isfinite(a["model_x"])
    late = last_third(np.arange(len(a["x"])))
    measured = float(np.sqrt(np.mean(a["x"][late] ** 2) / np.nanmean(predicted[late])))
    stats = {
        "learning_rate": eta,
        "first_crossing_step": first_crossing(a["y"], 0.0),
        "map_start_step": int(a["start"]),
        "map_steps_before_divergence": int(valid.sum()),
        "gd_mean_x2_last_third": float(np.mean(a["x"][late] ** 2)),
        "predicted_x2_last_third": float(np.nanmedian(predicted[late])),
        "gd_mean_y_last_third": float(np.mean(a["y"][late])),
        "amplitude_ratio": float(a["amplitude_ratio"]) if "amplitude_ratio" in a else measured,
        "map_amplitude_ratio": float(a["map_amplitude_ratio"]) if "map_amplitude_ratio" in a else None,
        "map_y_returns_below_zero": bool(
            np.any(a["model_y"][valid] > 0) and np.any(a["model_y"][valid][np.argmax(a["model_y"][valid] > 0):] < 0)
        ),
    }
    if "eigenvalues" in a and np.ndim(a["eigenvalues"]) == 2 and a["eigenvalues"].shape[1] > 1:
        stats["max_second_to_top_eigenvalue"] = float(np.max(a["eigenvalues"][:, 1] / a["eigenvalues"][:, 0]))
    return stats


def _stabilization_caption(s: dict, eta: float, steps: int) -> str:
    out = [
        f"The sharpness S first goes above 2/η = {number(2 / eta)} at step {s['first_crossing_step']:,}; the "
        "oscillation x along the top eigenvector then grows and pushes S back below 2/η."
        if s["first_crossing_step"] is not None
        else f"The sharpness S stays below 2/η = {number(2 / eta)} throughout."
    ]
    gap = s.get("max_second_to_top_eigenvalue")
    if gap is not None and gap < 0.5:
        out.append(f"The second-largest eigenvalue stays below {times(gap)} the top one, so the top eigenvector "
                   "is well separated, as the theory assumes.")
    elif gap is not None:
        out.append(f"The second-largest eigenvalue comes within {times(gap)} the top one, so the top eigenvector is "
                   "not well separated, which the theory assumes it is.")
    out.append(
        f"Over the last third of training S − 2/η averages {number(s['gd_mean_y_last_third'])}, and the oscillation's "
        f"size is {times(s['amplitude_ratio'])} the predicted √(2α/β), where the theory says 1."
    )
    start, n = s["map_start_step"], s["map_steps_before_divergence"]
    cycle = "repeats the cycle (S rises above 2/η, x grows, S falls back)" if s["map_y_returns_below_zero"] else "runs"
    ratio = s["map_amplitude_ratio"]
    out.append(
        f"The paper's two-variable model, driven by the α and β measured along the run and started at step "
        f"{start:,}, {cycle} for {count(n, 'step')}"
        + (f", with an oscillation {times(ratio)} the prediction" if ratio is not None and np.isfinite(ratio) else "")
        + ("; then it leaves the region where its Taylor expansion holds (|x| > 1)." if n < steps - start else ".")
    )
    return " ".join(out)


def draw_stabilization(spec, a: dict) -> Drawing:
    sim = spec.simulation
    eta = float(a["learning_rate"])
    steps = list(range(len(a["x"])))
    predicted = a["predicted_x2"] if "predicted_x2" in a else 2 * a["alpha"] / np.where(a["beta"] > 0, a["beta"], np.nan)
    amplitude = np.sqrt(np.clip(predicted, 0, None))
    stats = _stabilization_stats(a, eta, predicted)
    panels = [
        Panel("step", "|x|, the displacement along the top eigenvector, log scale", [
            Series("gradient descent", steps, a["x"], 0, "x", absolute=True),
            Series("two-variable model (α, β measured)", steps, a["model_x"], 1, "map_x", absolute=True),
            Series("predicted size √(2α/β)", steps, amplitude, 2, "predicted_amplitude"),
        ], log_y=True, heading="Oscillation along the top eigenvector"),
        Panel("step", "y = S − 2/η, S the sharpness; dashed line: S = 2/η", [
            Series("gradient descent", steps, a["y"], 0, "y"),
            Series("two-variable model (α, β measured)", steps, a["model_y"], 1, "map_y"),
        ], [Reference("S = 2/η", 0.0, 5)], heading="Sharpness above the edge"),
    ]
    intro = (
        "Why does the sharpness S stop at 2/η instead of running away? Damian, Nichani and Lee (2023) showed that "
        "once S passes 2/η, gradient descent starts to oscillate along the top eigenvector of the Hessian, and "
        f"through the loss's third derivative the oscillation itself lowers S again. Here {setting(sim)}, at "
        f"η = {eta:g} for {sim.steps:,} steps. Below, x stands for the oscillation's displacement along the top "
        "eigenvector and y = S − 2/η for how far the sharpness is above the edge. The theory predicts that |x| settles near √(2α/β), "
        "where α measures how fast training sharpens the loss and β how strongly the oscillation flattens it."
    )
    data = {
        "step": steps, "learning_rate": eta, "x": series(a["x"]), "y": series(a["y"]),
        "alpha": series(a["alpha"]), "beta": series(a["beta"]), "predicted_amplitude": series(amplitude),
        "map_start": int(a["start"]), "map_x": series(a["model_x"]), "map_y": series(a["model_y"]),
        "amplitude_ratio": stats["amplitude_ratio"], "map_amplitude_ratio": stats["map_amplitude_ratio"],
    }
    columns = [[k, k] for k in ("step", "x", "y", "alpha", "beta", "predicted_amplitude", "map_x", "map_y")]
    return Drawing(intro, _stabilization_caption(stats, eta, len(steps)), panels, data, stats, columns)


# ----------------------------------------------------------------------------- Adam


def draw_adaptive(spec, a: dict) -> Drawing:
    sim = spec.simulation
    eta, b1 = float(a["learning_rate"]), sim.beta1
    threshold = float(a["threshold"])
    sharp = a["preconditioned_sharpness"]
    steps = list(range(len(sharp)))
    ratio = sharp / threshold
    stats = {
        "learning_rate": eta, "beta1": b1, "threshold": threshold, "initial_ratio": float(ratio[0]),
        "first_crossing_step": first_crossing(sharp, threshold),
        "mean_ratio_last_third": float(last_third(ratio).mean()),
        "max_abs_deviation_last_third": float(np.abs(last_third(ratio) - 1).max()),
        "loss_increase_fraction": float(np.mean(np.diff(a["loss"]) > 0)),
        "final_loss_fraction": float(a["loss"][-1] / a["loss"][0]),
    }
    name = "38/η" if abs(b1 - 0.9) < 1e-12 else "the threshold"
    start = f"The top eigenvalue of the preconditioned Hessian starts at {times(stats['initial_ratio'])} the threshold"
    reached = (f"{start}, first reaches it at step {stats['first_crossing_step']:,} and then stays near it: over the "
               f"last third of training it averages {times(stats['mean_ratio_last_third'])} the threshold."
               if stats["first_crossing_step"] is not None else
               f"{start} and never reaches it: over the last third of training it averages "
               f"{times(stats['mean_ratio_last_third'])} the threshold.")
    caption = (
        f"With η = {eta:g} and β₁ = {b1:g}, the threshold (2 + 2β₁)/((1 − β₁)η) is {number(threshold, 5)}. {reached} "
        f"Meanwhile {_loss_moves(stats['loss_increase_fraction'])}, and it ends at "
        f"{percent(stats['final_loss_fraction'])} of its starting value."
    )
    intro = (
        "Adam divides each coordinate of its step by a running estimate of the gradient's size, a preconditioner P. "
        "Its stability limit then concerns not the sharpness itself but the top eigenvalue of the preconditioned "
        "Hessian P⁻¹H, and that limit is (2 + 2β₁)/((1 − β₁)η): 38/η for the usual β₁ = 0.9 (Cohen et al., 2022). "
        "Cohen et al. found that Adam's preconditioned sharpness rises to this limit and then stays there: adaptive "
        f"optimizers, too, train at an edge of stability. Here {setting(sim)}, trained by Adam at η = {eta:g} for "
        f"{sim.steps:,} steps."
    )
    panels = [
        Panel("step", "log scale", [Series("Adam", steps, a["loss"], 0, "loss")], log_y=True,
              heading="Training loss"),
        Panel("step", f"the top eigenvalue of P⁻¹H; dashed line: {name}", [Series("Adam", steps, sharp, 0, "preconditioned_sharpness")],
              [Reference(f"{name} = {number(threshold, 5)}", threshold, 5)], heading="Preconditioned sharpness"),
    ]
    data = {"step": steps, "learning_rate": eta, "threshold": _round(threshold), "loss": series(a["loss"]),
            "preconditioned_sharpness": series(sharp)}
    columns = [[k, k] for k in ("step", "loss", "preconditioned_sharpness")]
    return Drawing(intro, caption, panels, data, stats, columns)


DRAW = {
    "edge-of-stability": draw_edge,
    "central-flow": draw_central_flow,
    "self-stabilization": draw_stabilization,
    "adaptive": draw_adaptive,
}
