"""The live-figures page as a participant meets it: read on a phone, played with, explained,
with its data and its trustworthiness published.

Built from the real content with its figures sized down (``figures_site`` in conftest.py);
the browser tests drive headless Chromium through Playwright and skip where it is missing.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import CONTENT, serve
from test_browser import opened

PHONE = {"width": 360, "height": 800}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def site(figures_site) -> Path:
    folder, with_figures = figures_site
    if not with_figures:
        pytest.skip("figures were not built (no content/figures.yaml or generator.figures.make)")
    return folder


@pytest.fixture(scope="module")
def url(site):
    yield from serve(site)


def figure_names(site: Path) -> list[str]:
    return sorted(path.stem for path in (site / "figures").glob("*.json"))


class _Texts(HTMLParser):
    """The text of each element with ``tag`` whose class list has ``cls`` (or whose id is ``ident``)."""

    VOID = frozenset({"br", "img", "input", "meta", "link", "hr", "wbr", "source", "path", "circle", "rect"})

    def __init__(self, tag: str, cls: str = "", ident: str = ""):
        super().__init__()
        self.tag, self.cls, self.ident = tag, cls, ident
        self.found: list[str] = []
        self.depth = 0  # open elements inside the current match (0: not in one)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.depth:
            self.depth += tag not in self.VOID
        elif tag == self.tag and (self.cls in (attrs.get("class") or "").split() if self.cls
                                  else attrs.get("id") == self.ident if self.ident else True):
            self.found.append("")
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth and tag not in self.VOID:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.found[-1] += data


def texts(html: str, tag: str, cls: str = "", ident: str = "") -> list[str]:
    parser = _Texts(tag, cls, ident)
    parser.feed(html)
    return [" ".join(text.split()) for text in parser.found]


VISIBLE_LINES = """section => [...section.querySelectorAll('path.series')]
    .filter(p => getComputedStyle(p).display !== 'none').map(p => p.getAttribute('d'))"""


# ------------------------------------------------------------------------------ play with it


@pytest.mark.browser
def test_choosing_a_learning_rate_changes_what_is_drawn(browser, url):
    with opened(browser) as page:
        page.goto(url + "figures.html")
        section = page.locator("#figure-edge-of-stability")
        chooser = section.locator("fieldset.run-chooser")
        labels = chooser.locator("label").all_inner_texts()
        assert labels[0] == "all runs" and len(labels) >= 3, labels
        everything = section.evaluate(VISIBLE_LINES)
        chooser.get_by_label(labels[2]).check()
        chosen = section.evaluate(VISIBLE_LINES)
        assert len(chosen) == 2 and set(chosen) < set(everything), "one run: its loss and its sharpness"
        shown = section.evaluate("s => [...s.querySelectorAll('.reference')].filter(r => getComputedStyle(r).display !== 'none').length")
        assert shown == 1, "and its 2/η line"
        eta = float(labels[2].split("=")[1])
        assert section.locator(".reference-label:visible").text_content() == f"2/η = {2 / eta:.3g}"
        assert section.locator(".figure-legend li:visible").all_inner_texts() == [labels[2]]
        chooser.get_by_label(labels[1]).press("ArrowLeft")  # radios move with the keyboard too
        assert section.evaluate(VISIBLE_LINES) == everything
        assert page.errors == []


@pytest.mark.browser
def test_the_readout_follows_the_pointer_and_the_arrow_keys(browser, url, site):
    data = json.loads((site / "figures" / "adaptive.json").read_text(encoding="utf-8"))
    with opened(browser) as page:
        page.goto(url + "figures.html")
        section = page.locator("#figure-adaptive")
        chart = section.locator("svg.chart").nth(1)
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.5)
        output = section.locator(".figure-readout output")
        page.wait_for_function("el => el.textContent.startsWith('Step')", arg=output.element_handle())
        step = int(re.match(r"Step (\d+)", output.inner_text()).group(1))
        assert 0 < step < len(data["step"]) - 1
        slider = section.get_by_label("Read the values at step")
        assert slider.input_value() == str(step)
        slider.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(f"el => el.textContent.startsWith('Step {step + 1}')", arg=output.element_handle())
        expected = f"{data['preconditioned_sharpness'][step + 1]:.4g}".replace("-", "−")
        assert f"Adam: {expected}" in output.inner_text().replace("e+", "e")
        assert section.locator(".cursor .marker").count() == 2  # one dot on each panel's line
        assert page.errors == []


@pytest.mark.browser
def test_a_finger_on_a_phone_reads_values_too(browser, url):
    with opened(browser, PHONE, has_touch=True, is_mobile=True) as page:
        page.goto(url + "figures.html")
        chart = page.locator("#figure-central-flow svg.chart").first
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        page.touchscreen.tap(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
        output = page.locator("#figure-central-flow .figure-readout output")
        page.wait_for_function("el => el.textContent.startsWith('Step')", arg=output.element_handle())
        assert "gradient descent:" in output.inner_text()


@pytest.mark.browser
def test_without_javascript_every_figure_is_still_drawn_and_explained(browser, url, site):
    with opened(browser, java_script_enabled=False) as page:
        page.goto(url + "figures.html")
        assert page.locator("svg.chart:visible").count() == 2 * len(figure_names(site))
        assert page.locator(".run-chooser, .figure-readout").count() == 0, "no control that cannot work"
        assert page.locator("figcaption:visible").count() == len(figure_names(site))
        edge = page.locator("#figure-edge-of-stability")
        assert edge.evaluate(VISIBLE_LINES).__len__() == 2 * edge.locator(".figure-legend li").count()


# ----------------------------------------------------------------------------- on a phone


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_nothing_scrolls_sideways_at_360_px_and_no_text_is_cut(browser, url, scheme):
    with opened(browser, PHONE, color_scheme=scheme) as page:
        page.goto(url + "figures.html")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        outside = page.evaluate("""() => [...document.querySelectorAll(
                'svg.chart text, .figure-legend li, .panel-axis, .run-chooser label, .figure-readout')]
            .filter(el => { const r = el.getBoundingClientRect(); return r.left < 0 || r.right > 360; })
            .map(el => el.textContent)""")
        assert outside == []
        sizes = page.evaluate("""() => [...document.querySelectorAll('svg.chart text')]
            .map(t => t.getBoundingClientRect().height)""")
        assert min(sizes) >= 10, "chart labels are readable on a phone"
        clipped = page.evaluate("""() => [...document.querySelectorAll('svg.chart')].flatMap(svg => {
            const box = svg.getBoundingClientRect();
            return [...svg.querySelectorAll('text')].filter(t => { const r = t.getBoundingClientRect();
                return r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5
                    || r.bottom > box.bottom + 0.5; }).map(t => t.textContent); })""")
        assert clipped == [], "no label runs off its chart"


# ------------------------------------------------------------------------------- the data


def test_every_figure_has_csv_data_that_matches_its_json(site):
    page = (site / "figures.html").read_text(encoding="utf-8")
    for name in figure_names(site):
        data = json.loads((site / "figures" / f"{name}.json").read_text(encoding="utf-8"))
        text = (site / "figures" / f"{name}.csv").read_text(encoding="utf-8")
        rows = list(csv.reader(io.StringIO(text)))
        header, body = rows[0], rows[1:]
        assert header[0] == "step" and len(set(header)) == len(header)
        assert [int(row[0]) for row in body] == data["step"]
        assert all(len(row) == len(header) for row in body)
        values = [[float(cell) if cell else None for cell in row] for row in body]
        assert any(v is not None for row in values for v in row[1:])
        assert f'href="figures/{name}.csv"' in page and f'href="figures/{name}.json"' in page


def test_the_edge_of_stability_csv_has_a_loss_and_a_sharpness_per_learning_rate(site):
    data = json.loads((site / "figures" / "edge-of-stability.json").read_text(encoding="utf-8"))
    rows = list(csv.DictReader(io.StringIO((site / "figures" / "edge-of-stability.csv").read_text(encoding="utf-8"))))
    for run in data["series"]:
        eta = f"{run['learning_rate']:g}"
        assert [float(r[f"loss_eta_{eta}"]) for r in rows] == run["loss"]
        assert [float(r[f"sharpness_eta_{eta}"]) for r in rows] == run["sharpness"]


# ------------------------------------------------------------------------- the words


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-ZΑ-Ω])", text.strip()) if s]


def test_captions_and_introductions_are_sentences(site):
    html = (site / "figures.html").read_text(encoding="utf-8")
    captions, intros = texts(html, "figcaption"), texts(html, "p", "figure-intro")
    assert len(captions) == len(intros) == len(figure_names(site))
    for text in captions + intros:
        found = sentences(text)
        assert len(found) >= 2, text
        for sentence in found:
            words = sentence.split()
            assert sentence[0].isupper() and sentence.endswith((".", "?")), sentence
            assert 5 <= len(words) <= 60, sentence
            numeric = [w for w in words if re.fullmatch(r"[−\-]?[\d.,%×^]+[.;,)]*", w)]
            assert len(numeric) <= len(words) / 3, f"more numbers than words: {sentence}"
        assert not re.search(r"η=\d|×2/η", text), "no formula shorthand"


def test_each_figure_says_how_accurate_it_is_and_what_it_cost(site):
    pytest.importorskip("generator.simulation.checks", reason="the simulation does not check its sharpness yet")
    html = (site / "figures.html").read_text(encoding="utf-8")
    facts = texts(html, "ul", "figure-facts")
    assert len(facts) == len(figure_names(site))
    for name, said in zip(figure_names_in_page_order(html), facts):
        data = json.loads((site / "figures" / f"{name}.json").read_text(encoding="utf-8"))
        assert 0 <= data["sharpness_rel_error_median"] <= data["sharpness_rel_error_max"]
        checks = data["sharpness_check"]["checks"]
        assert checks and all({"curve", "step", "tracked", "exact", "relative_error"} <= set(c) for c in checks)
        assert data["cost"]["wall_seconds"] > 0
        assert "eigsh" in said and "median relative error" in said and "Cost: computing it took" in said


def figure_names_in_page_order(html: str) -> list[str]:
    return re.findall(r'<section class="figure-block" id="figure-([a-z0-9-]+)"', html)


# --------------------------------------------------------------------- figures and talks


def linked_renderer(tmp_path):
    """The real program rendered as if figures.yaml tied the edge-of-stability figure to both central-flows
    talks (``talks: [ids]``), with one drawn figure."""
    from generator.content.pipeline import load_program
    from generator.figures.cache import Figure
    from generator.render.environment import make_environment
    from generator.render.pages import Renderer, SiteContext

    program = load_program(CONTENT)
    spec = next(s for s in program.figures if s.name == "edge-of-stability")
    linked = spec.model_copy(update={"talks": ("central-flows-part-1", "central-flows-part-2")})
    program = dataclasses.replace(program, figures=[linked] + [s for s in program.figures if s is not spec])
    drawn = Figure(name=linked.name, title=linked.title, caption="It shows things. It is drawn here.",
                   chart='<div class="figure-chart"></div>', data={}, summary={}, intro="It is a figure. It matters.")
    return Renderer(program, make_environment(), SiteContext(figures=[drawn]))


def test_figures_and_their_talks_and_speakers_link_both_ways(tmp_path):
    renderer = linked_renderer(tmp_path)
    figures = renderer.figures().content.decode("utf-8")
    section = figures.split('id="figure-edge-of-stability"')[1]
    assert 'href="talks/central-flows-part-1.html"' in section and 'href="talks/central-flows-part-2.html"' in section
    assert 'href="speakers/jeremy-cohen.html"' in section and 'href="speakers/alex-damian.html"' in section
    talk = renderer.talk(renderer.program.talks["central-flows-part-2"]).content.decode("utf-8")
    assert 'href="../figures.html#figure-edge-of-stability"' in talk
    speaker = renderer.speaker(renderer.program.speakers["jeremy-cohen"]).content.decode("utf-8")
    assert 'href="../figures.html#figure-edge-of-stability"' in speaker
    other = renderer.talk(renderer.program.talks["richtarik"]).content.decode("utf-8")
    assert "figures.html#figure-" not in other


def test_content_figures_yaml_names_the_talks_of_each_figure():
    from generator.content.pipeline import load_program

    program = load_program(CONTENT)
    assert all(spec.talks for spec in program.figures)
    assert all(talk in program.talks for spec in program.figures for talk in spec.talks)
