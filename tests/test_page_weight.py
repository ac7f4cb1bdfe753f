"""What a page repeats, and what it no longer carries twice.

At 10,000 talks the site's HTML was 3.3 times a plain Hugo site's: each talk page
repeated its whole abstract in its JSON-LD, and each program page drew the same
few icons thousands of times. A page's head now carries one bounded summary (meta
description, og:description and JSON-LD share it), and a page that draws an icon
more than once draws it once, as a ``<symbol>`` in an in-page sprite that each use
references (an external sprite file would not load from file:// in Chrome).
"""

from __future__ import annotations

import html as html_lib
import re
from collections import Counter
from pathlib import Path

import pytest
from conftest import CONTENT
from test_site import html_pages, page

from generator.content.markup import plain_text
from generator.content.pipeline import load_program
from generator.core.paths import TEMPLATES
from generator.render.formats import SUMMARY_LENGTH, summary
from generator.render.pages import ICONS_ONCE, share_icons

EVENT = "Optimization for Learning"
SPRITE = re.compile(r'<svg style="display:none">(?P<symbols>.*?)</svg>', re.DOTALL)
SYMBOL = re.compile(r'<symbol id="(?P<id>[^"]+)" viewBox="[^"]*">(?P<drawing>.*?)</symbol>', re.DOTALL)
INLINE_ICON = re.compile(r'<svg class="icon" aria-hidden="true" viewbox="[^"]*"[^>]*>(?P<drawing>.*?)</svg>',
                         re.DOTALL | re.IGNORECASE)
USE = re.compile(r'<svg class="icon" aria-hidden="true"[^>]*><use href="#(?P<id>[^"]+)"/></svg>')


def text_of(site: Path, path: str) -> str:
    return (site / path).read_text(encoding="utf-8")


def meta(site: Path, path: str, **attrs: str) -> str:
    (element,) = page(site, path).find("meta", **attrs)
    return element["attrs"]["content"]


# -- one bounded summary in the head ------------------------------------------------------------

def test_summary_cuts_at_a_word_and_marks_the_cut():
    assert summary("Short  and\nsweet.") == "Short and sweet."
    text = "word " * 100
    cut = summary(text)
    assert len(cut) <= SUMMARY_LENGTH and cut.endswith("word…") and "  " not in cut
    assert len(summary("x" * 500)) == SUMMARY_LENGTH  # one long word is cut inside it


@pytest.mark.parametrize("site_name", ["built_site", "split_site"])
def test_every_json_ld_description_is_bounded(site_name, request):
    site = request.getfixturevalue(site_name)
    checked = 0
    for path in html_pages(site):
        for data in page(site, path).json_ld():
            if "description" in data:
                assert len(data["description"]) <= SUMMARY_LENGTH, path
                checked += 1
    assert checked > 10


def test_a_talk_page_carries_its_abstract_once_and_a_summary_in_its_head(built_site):
    program = load_program(CONTENT)
    talk = program.talks["central-flows-part-1"]
    path = "talks/central-flows-part-1.html"
    abstract = plain_text(talk.abstract)
    assert len(abstract) > 2 * SUMMARY_LENGTH  # a long abstract, so the summary is a cut
    (data,) = page(built_site, path).json_ld()
    description = data["description"]
    assert description.endswith("…") and " ".join(abstract.split()).startswith(description[:-1])
    # meta description, og:description and JSON-LD say the same summary
    assert meta(built_site, path, name="description") == description
    assert meta(built_site, path, property="og:description") == description
    # the abstract's last sentence is on the page once: in its body, not again in the head
    last = html_lib.escape(abstract.split(". ")[-1].strip(), quote=False)
    assert text_of(built_site, path).count(last) == 1


def test_a_talk_without_an_abstract_is_described_by_title_and_speakers(built_site):
    program = load_program(CONTENT)
    talk = next(t for t in program.talks.values() if not t.abstract and t.speakers)
    path = f"talks/{talk.id}.html"
    assert talk.speakers[0].name in meta(built_site, path, name="description")
    assert "description" not in page(built_site, path).json_ld()[0]


def test_og_title_is_the_pages_own_title_and_og_site_name_the_event(built_site):
    talk = "talks/central-flows-part-1.html"
    title = page(built_site, talk).text("title")
    og_title = meta(built_site, talk, property="og:title")
    assert title == f"{og_title} · {EVENT}" and "(Part 1)" in og_title
    assert meta(built_site, talk, property="og:site_name") == EVENT
    assert page(built_site, "index.html").text("title") == EVENT
    assert meta(built_site, "index.html", property="og:title") == EVENT
    assert meta(built_site, "program.html", property="og:title") == "Program"


# -- icons: drawn once per page -------------------------------------------------------------------

def sprite_of(html: str) -> dict[str, str]:
    """The page's sprite: symbol id -> drawing (asserting there is at most one sprite, ids unique)."""
    sprites = SPRITE.findall(html)
    assert len(sprites) <= 1
    symbols = SYMBOL.findall(sprites[0]) if sprites else []
    ids = [name for name, _ in symbols]
    assert len(ids) == len(set(ids)), ids
    return dict(symbols)


def check_icons_drawn_once(html: str, where: str) -> dict[str, str]:
    symbols = sprite_of(html)
    drawings = Counter([*symbols.values(), *INLINE_ICON.findall(html)])
    assert all(count == 1 for count in drawings.values()), (where, drawings.most_common(2))
    uses = Counter(USE.findall(html))
    assert set(uses) == set(symbols), where  # every use resolves, and every symbol is used ...
    assert all(count > 1 for count in uses.values()), where  # ... more than once (else it stays inline)
    return symbols


def test_a_program_page_defines_each_icon_symbol_once(built_site, split_site):
    program = text_of(built_site, "program.html")
    symbols = check_icons_drawn_once(program, "program.html")
    assert len(symbols) >= 3  # kinds, place and star, shared by every slot
    assert program.index('<svg style="display:none">') < program.index('<a class="skip-link"')
    days = sorted(path for path in html_pages(split_site) if path.startswith("program/"))
    assert days
    for path in days:
        html = text_of(split_site, path)
        assert len(check_icons_drawn_once(html, path)) >= 3
        assert html.count("<use ") > 50  # a slot's kind, place and star, on every slot


@pytest.mark.parametrize("site_name", ["built_site", "split_site", "multitrack_site"])
def test_no_page_draws_an_icon_twice(site_name, request):
    """The sprite where a page repeats an icon, inline where it does not; talk and speaker pages (ICONS_ONCE)
    are not even scanned for repeats, so each of their icons must be a different one."""
    site = request.getfixturevalue(site_name)
    for path in html_pages(site):
        check_icons_drawn_once(text_of(site, path), path)


def test_icons_once_names_templates_that_exist():
    assert all((TEMPLATES / name).is_file() for name in ICONS_ONCE)


def test_share_icons_keeps_an_icon_used_once_inline():
    star = '<svg class="icon" aria-hidden="true" viewBox="0 0 24 24" width="20" height="20"><path d="m1 2"/></svg>'
    map_ = '<svg class="icon" aria-hidden="true" viewBox="0 0 24 24" width="20" height="20"><circle r="2"/></svg>'
    once = f"<html><head></head><body><p>{star}</p><p>{map_}</p></body></html>"
    assert share_icons(once) == once
    shared = share_icons(f"<html><head></head><body><p>{star}{map_}</p><p>{star}</p></body></html>")
    assert shared == ('<html><head></head><body><svg style="display:none"><symbol id="i1" viewBox="0 0 24 24">'
                      '<path d="m1 2"/></symbol></svg><p><svg class="icon" aria-hidden="true" width="20" height="20">'
                      f'<use href="#i1"/></svg>{map_}</p><p><svg class="icon" aria-hidden="true" width="20" '
                      'height="20"><use href="#i1"/></svg></p></body></html>')


@pytest.mark.browser
def test_shared_icons_draw_like_inline_ones(browser, site_url):
    from test_browser import opened

    with opened(browser) as page_:
        page_.goto(site_url + "program.html")
        sizes = page_.evaluate("""() => [...document.querySelectorAll('main .icon')].map(icon => {
            const box = icon.getBoundingClientRect(), use = icon.querySelector('use');
            const drawn = (use || icon).getBBox();
            return [!!use, Math.round(box.width * 10), Math.round(box.height * 10), drawn.width > 1 && drawn.height > 1];
        })""")
        assert any(shared for shared, *_ in sizes) and any(not shared for shared, *_ in sizes)
        assert all(drawn for *_, drawn in sizes)  # each <use> found its symbol and draws it
        assert all(w == h and w >= 80 for _, w, h, _ in sizes)  # squares of about 1em, shared or not
        assert page_.errors == []


@pytest.mark.browser
def test_stars_are_kept_under_the_events_name(browser, site_url):
    """app.js reads the event's name from og:site_name (no longer a data-event attribute on every page):
    the key stays "symposium:<event>:stars", so stars a visitor gave before are still theirs."""
    from test_browser import opened

    with opened(browser) as page_:
        page_.goto(site_url + "talks/central-flows-part-1.html")
        page_.click(".talk-actions .star")
        assert page_.evaluate("localStorage.getItem('symposium:' + 'Optimization for Learning' + ':stars')") == \
            '["central-flows-part-1"]'
        assert page_.errors == []
