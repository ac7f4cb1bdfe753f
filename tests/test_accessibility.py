"""WCAG 2.1 A and AA, checked by axe-core in headless Chromium.

axe-core comes from npm (``package.json``; ``make test`` runs ``npm ci`` when
``node_modules/axe-core`` is missing) and is injected into each page of the
site served on 127.0.0.1. Every page kind a visitor reads is checked in the
light and the dark colour scheme, on a 360 px phone and on a desktop, so a
contrast that only fails in dark mode or a layout that only hides a label on
a phone is caught.

The live-figures page is built with figures when ``content/figures.yaml`` and
``generator.figures.make`` are there: the same four figures, sized down (fewer
samples and steps) so the simulation takes seconds, with its results cached in
``.cache/test-figures`` by content hash (``figures_site`` in conftest.py). The
markup is the real page's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from conftest import ROOT, serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
VIEWPORTS = {"phone": {"width": 360, "height": 760}, "desktop": {"width": 1280, "height": 900}}
SCHEMES = ["light", "dark"]
#: The brief's pages, then the other kinds a visitor reaches (list of speakers, personal schedule, search, 404).
FIXED_PAGES = ["index.html", "program.html", "publications.html", "practical.html", "figures.html",
               "speakers.html", "my-schedule.html", "search.html", "404.html"]


@pytest.fixture(scope="module")
def a11y_url(figures_site: tuple[Path, bool]) -> Iterator[str]:
    yield from serve(figures_site[0])


def richest(folder: Path) -> str:
    """The largest page in ``folder`` (the most markup to check: abstract, links, publications)."""
    return max(sorted(folder.glob("*.html")), key=lambda path: path.stat().st_size).relative_to(
        folder.parent).as_posix()


def pages_to_check(site: Path) -> list[str]:
    return FIXED_PAGES[:2] + [richest(site / "talks"), richest(site / "speakers")] + FIXED_PAGES[2:]


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.is_file():
        pytest.skip("axe-core is not installed: run `npm ci` (make test does)")
    return AXE.read_text(encoding="utf-8")


def describe(violation: dict) -> str:
    """One rule's failures: rule, impact, help, then each element's selector and what is wrong."""
    lines = [f"{violation['id']} ({violation.get('impact')}): {violation['help']}"]
    for node in violation["nodes"][:8]:
        summary = " ".join((node.get("failureSummary") or "").split())
        lines.append(f"    {' '.join(map(str, node['target']))}: {summary}")
    if len(violation["nodes"]) > 8:
        lines.append(f"    ... and {len(violation['nodes']) - 8} more")
    return "\n".join(lines)


def axe_violations(page, axe_source: str) -> list[dict]:
    """Run axe-core's WCAG 2.1 A/AA rules on the loaded page."""
    page.add_script_tag(content=axe_source)
    options = {"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]}
    return page.evaluate("options => axe.run(document, options).then(result => result.violations)", options)


def is_dark(page) -> bool:
    """Whether the page is painted light-on-dark (so the dark runs really check the dark palette)."""
    rgb = page.evaluate("""() => getComputedStyle(document.body).backgroundColor.match(/[\\d.]+/g).slice(0, 3)""")
    red, green, blue = (float(value) for value in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue < 128


def check_pages(browser, url: str, names: list[str], axe_source: str, scheme: str, viewport: str) -> list[str]:
    """axe-core's violations on each page, in one browser context with the given scheme and viewport."""
    context = browser.new_context(viewport=VIEWPORTS[viewport], color_scheme=scheme, reduced_motion="reduce",
                                  service_workers="block", bypass_csp=True)
    failures = []
    try:
        page = context.new_page()
        for name in names:
            page.goto(url + name, wait_until="load")
            assert is_dark(page) == (scheme == "dark"), f"{name} does not follow the {scheme} colour scheme"
            violations = axe_violations(page, axe_source)
            failures += [f"{name} [{scheme}, {viewport}] {describe(v)}" for v in violations]
    finally:
        context.close()
    return failures


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("scheme", SCHEMES)
def test_pages_have_no_wcag_21_aa_violations(browser, figures_site, a11y_url, axe_source, scheme, viewport):
    failures = check_pages(browser, a11y_url, pages_to_check(figures_site[0]), axe_source, scheme, viewport)
    assert not failures, f"{len(failures)} axe-core violations:\n" + "\n".join(failures)


@pytest.fixture(scope="module")
def multitrack_url(multitrack_site: Path) -> Iterator[str]:
    yield from serve(multitrack_site)


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("scheme", SCHEMES)
def test_multi_room_program_has_no_wcag_21_aa_violations(browser, multitrack_site, multitrack_url, axe_source,
                                                         scheme, viewport):
    """The room grid, track colours and room filter exist only in a multi-room program."""
    names = ["program.html", richest(multitrack_site / "talks")]
    failures = check_pages(browser, multitrack_url, names, axe_source, scheme, viewport)
    assert not failures, f"{len(failures)} axe-core violations:\n" + "\n".join(failures)


@pytest.fixture(scope="module")
def split_a11y_url(split_site: Path) -> Iterator[str]:
    yield from serve(split_site)


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("scheme", SCHEMES)
def test_a_program_split_into_day_pages_has_no_wcag_21_aa_violations(browser, split_site, split_a11y_url, axe_source,
                                                                     scheme, viewport):
    """The overview of the days, a day page (strip, grid, pager) and the pages of long lists."""
    names = ["program.html", "program/2027-01-12.html", "program/2027-01-12.html?now=2027-01-12T10:00",
             "speakers.html", "speakers/list/1.html", "publications.html",
             min(path.relative_to(split_site).as_posix() for path in (split_site / "publications").glob("*.html")),
             "search.html"]
    failures = check_pages(browser, split_a11y_url, names, axe_source, scheme, viewport)
    assert not failures, f"{len(failures)} axe-core violations:\n" + "\n".join(failures)


def test_the_figures_page_is_checked_with_its_figures(figures_site):
    """Say plainly when the live-figures page could only be checked without its figures."""
    site, with_figures = figures_site
    if not with_figures:
        pytest.skip("content/figures.yaml or generator.figures.make is missing: figures.html was checked without figures")
    assert (site / "figures.html").read_text(encoding="utf-8").count("<svg") >= 4


def test_axe_reports_a_known_violation(browser, axe_source):
    """Guards the harness: an image without alt text and low-contrast text are violations."""
    context = browser.new_context(bypass_csp=True)
    try:
        page = context.new_page()
        page.set_content('<!doctype html><html lang="en"><title>t</title><main>'
                         '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
                         '<p style="color:#bbb;background:#fff">faint</p></main></html>')
        ids = {violation["id"] for violation in axe_violations(page, axe_source)}
    finally:
        context.close()
    assert {"image-alt", "color-contrast"} <= ids, ids
