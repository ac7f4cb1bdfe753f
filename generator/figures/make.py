"""Live figures: validated configs in, cached simulations, SVG and JSON out.

Stages, in order: ``load_figure_specs`` (YAML -> validated ``FigureSpec`` list, errors
with file and line), ``build_figures`` (for each spec: the cached or freshly computed
arrays, then rendering). Rendering only reads arrays, so a cache hit and a fresh run give
the same bytes (but for the measured cost, see ``trust``). Computation lives in
``generator.simulation``; each kind's panels, words and data in ``generator.figures.kinds``,
drawing in ``generator.figures.svgplot``, accuracy and cost in ``generator.figures.trust``.
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
from generator.figures.kinds import DRAW
from generator.figures.svgplot import chart_html
from generator.figures.trust import trust_data, trust_sentences
from generator.simulation.config import (
    AdaptiveConfig,
    CentralFlowConfig,
    EdgeOfStabilityConfig,
    FigureConfigError,
    FigureSpec,
    SelfStabilizationConfig,
)

#: The simulation's sources, part of each figure's cache key (a module attribute, so tests can point it elsewhere).
SIMULATION_DIR = SIMULATION

__all__ = ["Figure", "FigureConfigError", "FigureSpec", "build_figures", "load_figure_specs"]


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


def _measured(run) -> dict[str, np.ndarray]:
    """What makes the run trustworthy, where the simulation measures it: its sharpness
    checked against eigsh, and its wall and CPU seconds."""
    out: dict[str, np.ndarray] = {}
    check = getattr(run, "sharpness_check", None)
    if check is not None:
        out.update({k: np.asarray(v) for k, v in check.arrays().items()})
    for name in ("wall_seconds", "cpu_seconds"):
        value = getattr(run, name, None)
        if value is not None and math.isfinite(value):
            out[name] = np.asarray(float(value))
    return out


def _stabilization_arrays(run) -> dict[str, np.ndarray]:
    arrays = {
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
    for name in ("amplitude_ratio", "map_amplitude_ratio", "predicted_x2", "eigenvalues"):
        value = getattr(run, name, None)  # measured by newer simulations only
        if value is not None:
            arrays[name] = np.asarray(value, dtype=np.float64)
    return arrays


def _simulate(spec: FigureSpec):
    """The simulation's run object for ``spec`` and its arrays (without the checks)."""
    sim = spec.simulation
    if isinstance(sim, EdgeOfStabilityConfig):
        from generator.simulation.gd import run_gd

        run = run_gd(sim)
        return run, {"learning_rates": run.learning_rates, "loss": run.loss, "sharpness": run.sharpness}
    if isinstance(sim, CentralFlowConfig):
        from generator.simulation.central_flow import run_central_flow

        run = run_central_flow(sim)
        return run, {
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
        return run, _stabilization_arrays(run)
    if isinstance(sim, AdaptiveConfig):
        from generator.simulation.adam import run_adam

        run = run_adam(sim)
        return run, {
            "learning_rate": np.asarray(run.learning_rate),
            "threshold": np.asarray(run.threshold),
            "loss": run.loss,
            "preconditioned_sharpness": run.preconditioned_sharpness,
        }
    raise TypeError(f"no simulation for {type(sim).__name__}")


def compute_arrays(spec: FigureSpec) -> dict[str, np.ndarray]:
    """Run the simulation behind ``spec``; plain numpy arrays, keyed by name, with the
    sharpness checks and the cost where the simulation measures them."""
    run, arrays = _simulate(spec)
    return {**arrays, **_measured(run)}


# ------------------------------------------------------------------------- render


def _clean(obj):
    """Round floats in a summary to 6 significant digits (JSON-ready)."""
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if isinstance(obj, (float, np.floating)):
        v = float(obj)
        return float(f"{v:.6g}") if math.isfinite(v) else None
    if isinstance(obj, (np.integer, np.bool_)):
        return obj.item()
    return obj


def render_figure(spec: FigureSpec, arrays: dict[str, np.ndarray]) -> Figure:
    drawing = DRAW[spec.simulation.kind](spec, arrays)
    trust = trust_data(arrays)
    return Figure(
        name=spec.name,
        title=spec.title,
        caption=drawing.caption,
        chart=chart_html(drawing.panels, spec.title, f"figure-{spec.name}"),
        data=_clean({**drawing.data, **trust}),
        summary=_clean({**drawing.summary, **{k: v for k, v in trust.items() if k != "sharpness_check"}}),
        intro=drawing.intro,
        trust=trust_sentences(trust),
        columns=[list(column) for column in drawing.columns],
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
