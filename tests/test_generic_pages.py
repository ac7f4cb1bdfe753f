"""Your own symposium, not Lund's: every page says only what the content says.

The templates name no place, meal or vehicle of their own; the header and the
home page offer publications and live figures only to an event that has them;
no page, and no JSON-LD, puts a talk somewhere the content does not; where a
slot's room or venue is known, its talk page and program card say so.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import CONTENT, build, schedule_data
from test_site import html_pages, page

from generator.core.paths import TEMPLATES

LUND_WORDS = re.compile(r"\b(lund|malmö|malmo|museum|dinner|bus|cathedral|torso|sweden)\b", re.IGNORECASE)


def nav_labels(site: Path, path: str) -> list[str]:
    """The labels of the header's site navigation on one page."""
    html = (site / path).read_text(encoding="utf-8")
    nav = re.search(r'<nav class="site-nav".*?</nav>', html, re.DOTALL).group(0)
    return [label.strip() for label in re.findall(r"<a [^>]*>([^<]*)</a>", nav)]


def test_no_template_words_name_lund_its_venues_or_its_dinner():
    for path in sorted(TEMPLATES.glob("*.html")):
        source = path.read_text(encoding="utf-8")
        words = re.sub(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}|<[^>]*>", " ", source, flags=re.DOTALL)
        assert not LUND_WORDS.findall(words), (path.name, LUND_WORDS.findall(words))


# -- sections the event has ---------------------------------------------------------------------

def test_an_event_without_publications_or_figures_offers_neither(multitrack_site):
    for path in ["index.html", "program.html", "talks/randomized-svd.html", "my-schedule.html"]:
        assert nav_labels(multitrack_site, path) == ["Program", "Speakers", "Practical", "My schedule"], path
    home = (multitrack_site / "index.html").read_text(encoding="utf-8")
    assert 'href="publications.html"' not in home and 'href="figures.html"' not in home
    hero = page(multitrack_site, "index.html").text("p", class_="hero-actions")
    assert hero == "Program Speakers"


def test_an_event_with_publications_and_figures_offers_both(built_site):
    assert nav_labels(built_site, "index.html") == [
        "Program", "Speakers", "Publications", "Practical", "My schedule", "Live figures"]
    assert page(built_site, "index.html").text("p", class_="hero-actions") == \
        "Program Speakers Publications Live figures"


def test_the_home_pages_practical_link_says_what_the_practical_page_holds(built_site, multitrack_site,
                                                                           multiroom_site):
    def practical_link(site: Path) -> str:
        links = page(site, "index.html").find("a", href="practical.html")
        return " ".join(links[-1]["text"].split())

    assert practical_link(built_site) == "Maps, social events and transport"  # from its venues and slots
    assert practical_link(multitrack_site) == "Maps and social events"  # a reception, no bus
    assert practical_link(multiroom_site) == "Maps"


def test_the_figures_page_is_indexed_for_search_when_figures_are_configured(built_site, multitrack_site):
    assert "data-pagefind-body" in (built_site / "figures.html").read_text(encoding="utf-8")
    assert "data-pagefind-body" not in (multitrack_site / "figures.html").read_text(encoding="utf-8")


def test_the_two_parts_of_a_talk_are_told_apart_in_titles(built_site):
    for part in (1, 2):
        talk = page(built_site, f"talks/central-flows-part-{part}.html")
        assert f"(Part {part})" in talk.text("h1")  # Pagefind's title for search results
        assert f"(Part {part})" in talk.text("title")


# -- places: never invented, shown when known ---------------------------------------------------------

def json_ld(site: Path, path: str) -> dict:
    (data,) = page(site, path).json_ld()
    return data


def test_json_ld_puts_a_talk_in_its_room_and_venue(multiroom_site):
    hall = {"@type": "Place", "name": "Conference Hall", "address": "1 Main Street, Chicago"}
    assert json_ld(multiroom_site, "talks/bounds.html")["location"] == {
        "@type": "Place", "name": "Room A, Conference Hall", "containedInPlace": hall}
    assert json_ld(multiroom_site, "talks/keynote.html")["location"] == hall  # all rooms: the venue
    assert json_ld(multiroom_site, "index.html")["location"] == hall  # the event's default venue


@pytest.fixture(scope="module")
def day_venue_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real content with a venue for its last day only."""
    content = tmp_path_factory.mktemp("day-venue") / "content"
    shutil.copytree(CONTENT, content)
    day = content / "program" / "2026-05-08.yaml"
    day.write_text(day.read_text(encoding="utf-8").replace("date: 2026-05-08\n",
                                                           "date: 2026-05-08\nvenue: lund-cathedral\n"),
                   encoding="utf-8")
    return build(content, content.parent / "site", search=False)


def test_a_days_venue_is_its_talks_venue_and_other_talks_have_none(day_venue_site):
    data = json_ld(day_venue_site, "talks/central-flows-part-1.html")
    assert data["location"] == {"@type": "Place", "name": "Lund Cathedral"}
    talk = page(day_venue_site, "talks/central-flows-part-1.html")
    assert "Where" in talk.text("dt") and "Lund Cathedral" in talk.text("dl")
    for path in html_pages(day_venue_site):
        if path.startswith("talks/") and json_ld(day_venue_site, path)["startDate"][:10] != "2026-05-08":
            assert "location" not in json_ld(day_venue_site, path), path
            assert "Where" not in page(day_venue_site, path).text("dt"), path


def test_talk_pages_and_program_cards_say_where_when_known(multitrack_site, built_site):
    talk = page(multitrack_site, "talks/randomized-svd.html")
    assert "Where" in talk.text("dt") and "Hall A, Example Conference Centre" in talk.text("dl")
    program = page(multitrack_site, "program.html")
    # one venue for the whole program: named once at the top, each card names its room
    assert "Example Conference Centre, 1 Example Square, Exampleton" in program.text("p", class_="venue-note")
    places = [" ".join(e["text"].split()) for e in program.find("span", class_="place")]
    assert "Hall A" in places and "Room C (lab)" in places and "All rooms" in places
    lund = page(built_site, "program.html")
    assert [" ".join(e["text"].split()) for e in lund.find("span", class_="place")] == [
        "Historical Museum at Lund University", "Lund Cathedral", "Turning Torso"]  # the talks name none
    assert not lund.find("p", class_="venue-note")
    assert "Where" not in page(built_site, "talks/ochs.html").text("dt")


def test_schedule_records_name_the_parts_of_a_two_part_talk(built_site):
    titles = {slot["id"]: slot["title"] for slot in schedule_data(built_site)[1]}
    assert titles["central-flows-part-1"].endswith("(Part 1)")
    assert titles["central-flows-part-2"].endswith("(Part 2)")


def test_the_first_publication_adds_the_section_to_every_page_on_a_rebuild(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(Path(__file__).resolve().parent.parent / "examples" / "multitrack", content)
    site = build(content, tmp_path / "site", search=False)
    assert "Publications" not in nav_labels(site, "talks/stiff-integrators.html")
    with (content / "speakers" / "amara-okafor.yaml").open("a", encoding="utf-8") as speaker:
        speaker.write('publications:\n  - {title: "A Paper", authors: ["Amara Okafor"], year: 2025}\n')
    build(content, site, search=False)
    assert "Publications" in nav_labels(site, "talks/stiff-integrators.html")  # not Amara Okafor's talk
