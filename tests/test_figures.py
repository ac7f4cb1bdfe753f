"""The live figures' bridge: YAML specs with line-numbered errors, the content-hash
cache, and deterministic, accessible SVG and JSON output."""

from __future__ import annotations

import itertools
import json
import textwrap
from pathlib import Path

import numpy as np
import pytest

import generator.figures.make as figures
from generator.figures.make import (
    Figure,
    FigureConfigError,
    build_figures,
    cache_key,
    load_figure_specs,
)

REPO = Path(__file__).resolve().parents[1]

TINY = textwrap.dedent(
    """\
    figures:
      - name: edge-of-stability
        title: "Edge of stability"
        simulation:
          kind: edge-of-stability
          data: {n: 100}
          steps: 40
          learning_rates: [0.1, 0.4]
      - name: central-flow
        title: "Central flow"
        simulation:
          kind: central-flow
          data: {n: 100}
          eigen: {block: 4}
          steps: 12
          learning_rate: 0.4
          tracked: 2
      - name: self-stabilization
        title: "Self-stabilization"
        simulation:
          kind: self-stabilization
          data: {n: 100}
          steps: 30
          learning_rate: 0.4
      - name: adaptive
        title: "Adam"
        simulation:
          kind: adaptive
          data: {n: 100}
          eigen: {block: 2}
          steps: 30
          learning_rate: 0.01
    """
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "figures.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def tiny_specs(tmp_path_factory):
    return load_figure_specs(write(tmp_path_factory.mktemp("spec"), TINY))


@pytest.fixture(scope="module")
def built(tiny_specs, tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")
    return cache, build_figures(tiny_specs, cache)


# ------------------------------------------------------------------------ specs


def test_site_config_validates_and_holds_the_four_figures():
    specs = load_figure_specs(REPO / "content" / "figures.yaml")
    assert [s.name for s in specs] == ["edge-of-stability", "central-flow", "self-stabilization", "adaptive"]
    eos = specs[0].simulation
    assert len(eos.learning_rates) >= 4
    assert specs[1].simulation.tracked >= 4
    assert specs[3].simulation.beta1 == 0.9


def test_unknown_key_is_reported_with_file_and_line(tmp_path):
    path = write(tmp_path, TINY.replace("      steps: 40\n", "      steps: 40\n      stpes: 3\n"))
    with pytest.raises(FigureConfigError) as err:
        load_figure_specs(path)
    [message] = err.value.messages
    assert message.startswith(f"{path}:8: error: ")
    assert "stpes" in message and "Extra inputs are not permitted" in message


def test_all_errors_are_collected_and_sorted_by_line(tmp_path):
    text = TINY.replace("learning_rates: [0.1, 0.4]", "learning_rates: [0.1, -0.4]").replace(
        "kind: adaptive", "kind: adaptiv"
    )
    path = write(tmp_path, text)
    with pytest.raises(FigureConfigError) as err:
        load_figure_specs(path)
    lines = [int(m.split(":")[1]) for m in err.value.messages]
    assert len(lines) == 2 and lines == sorted(lines)
    assert "positive" in err.value.messages[0]
    assert ":" + str(TINY.splitlines().index("      kind: adaptive") + 1) + ":" in err.value.messages[1]


def test_duplicate_figure_names_are_reported(tmp_path):
    path = write(tmp_path, TINY.replace("name: adaptive", "name: central-flow"))
    with pytest.raises(FigureConfigError, match="duplicate figure name 'central-flow'"):
        load_figure_specs(path)


def test_central_flow_needs_a_block_at_least_as_large_as_the_tracked_eigenvalues(tmp_path):
    path = write(tmp_path, TINY.replace("tracked: 2", "tracked: 5"))
    with pytest.raises(FigureConfigError, match="must be at least tracked"):
        load_figure_specs(path)


def test_malformed_yaml_is_reported_with_its_line(tmp_path):
    path = write(tmp_path, "figures:\n  - name: [unclosed\n")
    with pytest.raises(FigureConfigError, match=r"figures\.yaml:\d+: error: invalid YAML"):
        load_figure_specs(path)


# ------------------------------------------------------------------------ build


def test_every_spec_yields_a_figure(built, tiny_specs):
    _, figs = built
    assert [f.name for f in figs] == [s.name for s in tiny_specs]
    assert all(isinstance(f, Figure) for f in figs)


def test_charts_are_accessible_responsive_and_theme_aware(built):
    import re

    for fig in built[1]:
        chart = fig.chart
        svgs = re.findall(r"<svg [^>]*class=\"chart\".*?</svg>", chart, re.DOTALL)
        assert len(svgs) == 2, "one svg per panel"
        for svg in svgs:
            assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
            assert "viewBox=" in svg and ' width="' not in svg.split(">", 1)[0]
            assert "currentColor" in svg and "var(--fig-1" in svg and ">step</text>" in svg
            assert re.search(r'data-plot="[\d. ]+" data-x="[-\d.e ]+" data-y="[-\d.e ]+"', svg)
        assert chart.count('<h3 class="panel-heading">') == 2 and chart.count('class="panel-axis"') == 2
        assert '<ul class="figure-legend"' in chart and chart.index("figure-legend") > chart.rindex('class="chart"')
        assert 'stroke-dasharray="6 3"' in chart or fig.name == "adaptive", "series differ by dash, not only colour"


def test_every_line_says_where_its_values_are_in_the_data(built):
    import re

    for fig in built[1]:
        keys = re.findall(r'<path class="series"[^>]* data-key="([^"]+)"', fig.chart)
        assert keys, fig.name
        for key in keys:
            values = fig.value(key)
            assert isinstance(values, list) and len(values) == len(fig.data["step"]), key
        assert {key for _, key in fig.columns} >= set(keys) - {"predicted_amplitude"} or fig.name != "edge-of-stability"


def test_the_legend_never_loses_an_entry(built):
    import re

    for fig in built[1]:
        drawn = set(re.findall(r'<path class="series"[^>]* data-label="([^"]+)"', fig.chart))
        listed = set(re.findall(r'<li(?: data-run="\d+")?><svg class="swatch"[^>]*>.*?</svg>([^<]+)</li>', fig.chart))
        assert drawn == listed, fig.name


def test_ticks_fit_the_chart_at_the_largest_font():
    from generator.figures.svgplot import CHAR, FONT, Panel, Series, _frame

    for n in (12, 40, 260, 1200, 20000):
        frame, xticks, _, ylabels = _frame(Panel("step", "y", [Series("s", list(range(n)), [1.0] * n)]))
        widths = [len(f"{t:g}") * CHAR for t in xticks]
        gaps = [frame.px(b) - frame.px(a) for a, b in itertools.pairwise(xticks)]
        assert all(gap >= (w1 + w2) / 2 + FONT / 2 for gap, (w1, w2) in zip(gaps, itertools.pairwise(widths))), n
        assert frame.left >= max(len(label) for label in ylabels) * CHAR, "y tick labels are not cut"


def test_data_is_json_serialisable_and_rounded(built):
    for fig in built[1]:
        text = json.dumps(fig.data, allow_nan=False)
        json.dumps(fig.summary, allow_nan=False)
        numbers = [float(t) for t in text.replace("[", " ").replace("]", " ").replace(",", " ").split() if _is_number(t)]
        assert all(len(f"{v:.15g}".lstrip("-").replace(".", "").lstrip("0").rstrip("0").split("e")[0]) <= 6 for v in numbers)


def _is_number(token: str) -> bool:
    try:
        float(token)
        return True
    except ValueError:
        return False


def test_captions_quote_the_measured_statistics(built):
    eos = built[1][0]
    run = eos.summary["runs"][0]
    assert f"With η = {run['learning_rate']:g}," in eos.caption
    assert f"{run['max_ratio']:#.3g} times" in eos.caption or f"by step {run['first_crossing_step']:,}" in eos.caption
    adam = built[1][3]
    assert f"{adam.summary['threshold']:,.0f}" in adam.caption


def test_two_cold_builds_are_byte_identical_but_for_the_measured_cost(built, tiny_specs, tmp_path):
    again = build_figures(tiny_specs[:1] + tiny_specs[3:], tmp_path)
    first = [built[1][0], built[1][3]]

    def without_cost(fig):
        return json.dumps({k: v for k, v in fig.data.items() if k != "cost"}, sort_keys=True)

    assert [f.chart for f in again] == [f.chart for f in first]
    assert [f.caption for f in again] == [f.caption for f in first]
    assert [without_cost(f) for f in again] == [without_cost(f) for f in first]
    assert [f.csv() for f in again] == [f.csv() for f in first]


def test_second_build_comes_from_the_cache(built, tiny_specs, monkeypatch):
    cache, first = built

    def refuse(spec):
        raise AssertionError(f"recomputed {spec.name} despite a valid cache")

    monkeypatch.setattr(figures, "compute_arrays", refuse)
    messages = []
    second = build_figures(tiny_specs, cache, messages.append)
    assert second == first
    assert all("from cache" in m for m in messages)


def test_cache_files_are_named_by_figure_and_key(built, tiny_specs):
    cache, _ = built
    for spec in tiny_specs:
        assert (cache / f"{spec.name}-{cache_key(spec)[:16]}.npz").is_file()
    assert not list(cache.glob("*.tmp")), "no temporary files are left behind"


def test_corrupted_cache_file_is_recomputed_not_trusted(tiny_specs, tmp_path, monkeypatch):
    spec = tiny_specs[3]
    [fig] = build_figures([spec], tmp_path)
    file = tmp_path / f"{spec.name}-{cache_key(spec)[:16]}.npz"
    file.write_bytes(b"not a zip file")
    calls = []
    real = figures.compute_arrays
    monkeypatch.setattr(figures, "compute_arrays", lambda s: calls.append(s.name) or real(s))
    [again] = build_figures([spec], tmp_path)
    assert calls == [spec.name]
    assert (again.chart, again.caption, again.csv()) == (fig.chart, fig.caption, fig.csv())
    assert {**again.data, "cost": None} == {**fig.data, "cost": None}, "all but the measured cost is the same"
    assert np.load(file)["__key__"] == cache_key(spec)


def test_cache_key_covers_spec_jax_version_and_sources(tiny_specs, monkeypatch):
    import importlib.metadata

    spec = tiny_specs[0]
    base = cache_key(spec)
    changed = spec.model_copy(update={"simulation": spec.simulation.model_copy(update={"steps": 41})})
    assert cache_key(changed) != base
    monkeypatch.setattr(importlib.metadata, "version", lambda package: "0.0.0-test")
    assert cache_key(spec) != base
    monkeypatch.undo()
    monkeypatch.setattr(figures, "SIMULATION_DIR", REPO / "tests")
    assert cache_key(spec) != base


def test_a_build_with_unchanged_figures_reads_them_drawn_without_jax_or_numpy(tiny_specs, built, tmp_path):
    """The drawn cache holds exactly what drawing gives, and reading it needs neither library."""
    import shutil
    import subprocess
    import sys

    from generator.figures.cache import cached_figures

    cache, first = built
    shutil.copytree(cache, tmp_path, dirs_exist_ok=True)
    assert cached_figures(tiny_specs, tmp_path) == first
    probe = ("import sys, pickle; from generator.figures.cache import cached_figures; "
             "specs = pickle.loads(sys.stdin.buffer.read()); figures = cached_figures(specs, sys.argv[1]); "
             "assert figures is not None; assert 'jax' not in sys.modules and 'numpy' not in sys.modules; print('ok')")
    import pickle

    result = subprocess.run([sys.executable, "-c", probe, str(tmp_path)], input=pickle.dumps(list(tiny_specs)),
                            capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr.decode()


def test_a_damaged_drawn_figure_is_ignored(tiny_specs, built, tmp_path):
    import shutil

    from generator.figures.cache import cached_figures

    shutil.copytree(built[0], tmp_path, dirs_exist_ok=True)
    assert cached_figures(tiny_specs, tmp_path) is not None
    drawn = sorted(tmp_path.glob("*.figure.json"))
    assert len(drawn) == len(tiny_specs)
    drawn[0].write_text(drawn[0].read_text(encoding="utf-8").replace("<svg", "<svg onload=x", 1), encoding="utf-8")
    assert cached_figures(tiny_specs, tmp_path) is None
