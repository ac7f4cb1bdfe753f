"""The built site as HTML: what every page must say, link and declare, checked without a browser.

Pages are parsed with the standard library's html.parser. The real Lund site
is built once per session (``built_site`` in conftest.py); a small multi-room
program covers rooms, tracks, plenaries and deduplicated publications.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from conftest import CONTENT, build, schedule_data

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
OFFSET_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


class Page(HTMLParser):
    """A parsed page: its elements as (tag, attributes, text) in document order."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[dict] = []
        self.stack: list[dict] = []
        self.scripts: list[tuple[dict, str]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, "attrs": {key: value or "" for key, value in attrs}, "text": ""}
        self.elements.append(element)
        if tag not in ("meta", "link", "img", "input", "br", "hr", "source", "circle", "path", "rect"):
            self.stack.append(element)

    def handle_endtag(self, tag):
        if not any(element["tag"] == tag for element in self.stack):
            return  # the end of a void or self-closing element (<path/>)
        while self.stack:
            element = self.stack.pop()
            if element["tag"] == "script":
                self.scripts.append((element["attrs"], element["text"]))
            if element["tag"] == tag:
                break

    def handle_data(self, data):
        for element in self.stack:
            element["text"] += data

    def find(self, tag: str | None = None, **attrs) -> list[dict]:
        def matches(element):
            if tag and element["tag"] != tag:
                return False
            for key, value in attrs.items():
                key = key.rstrip("_").replace("_", "-")
                have = element["attrs"].get(key)
                if key == "class":
                    if have is None or value not in have.split():
                        return False
                elif have != value:
                    return False
            return True
        return [element for element in self.elements if matches(element)]

    def text(self, tag: str | None = None, **attrs) -> str:
        return " ".join(" ".join(e["text"].split()) for e in self.find(tag, **attrs))

    def json_ld(self) -> list[dict]:
        return [json.loads(text) for attrs, text in self.scripts if attrs.get("type") == "application/ld+json"]


def page(site: Path, path: str) -> Page:
    return Page((site / path).read_text(encoding="utf-8"))


def html_pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html") if "pagefind" not in p.parts)


# -- the program -------------------------------------------------------------------------------

def test_every_slot_time_carries_the_events_utc_offset(built_site):
    program = page(built_site, "program.html")
    datetimes = [e["attrs"]["datetime"] for e in program.find("time")]
    assert len(datetimes) >= 2 * 39 - 2  # a start and (nearly always) an end per slot
    assert all(OFFSET_DATETIME.match(value) for value in datetimes), datetimes[:5]
    assert "2026-05-07T10:50:00+02:00" in datetimes and "2026-05-07T11:30:00+02:00" in datetimes


def test_program_has_a_section_per_day_with_every_slot(built_site):
    program = page(built_site, "program.html")
    days = [e["attrs"]["id"] for e in program.find("section", class_="day")]
    assert days == ["day-2026-05-05", "day-2026-05-06", "day-2026-05-07", "day-2026-05-08"]
    assert len(program.find(class_="slot")) == 39
    tabs = [e["attrs"]["href"] for e in program.find("a") if e["attrs"].get("href", "").startswith("#day-")]
    assert tabs == ["#" + day for day in days]


def test_program_states_the_time_zone_of_lund(built_site):
    for path in ("program.html", "index.html", "my-schedule.html", "talks/ochs.html"):
        assert "Times in Lund, CEST (UTC+2)" in page(built_site, path).text(), path


def test_tba_talk_is_shown_as_tba_with_its_speaker(built_site):
    program = page(built_site, "program.html")
    slot = next(e for e in program.find("li", class_="slot") if e["attrs"]["id"] == "slot-richtarik")
    assert "TBA" in slot["text"] and "Peter Richtárik" in slot["text"]
    talk = page(built_site, "talks/richtarik.html")
    assert talk.text("h1").startswith("TBA")
    assert "Peter Richtárik" in talk.text("ul", class_="talk-speakers")


def test_social_events_and_the_bus_carry_a_text_label_not_only_colour(built_site):
    program = page(built_site, "program.html")
    labels = {e["attrs"]["class"].split()[1]: " ".join(e["text"].split()) for e in program.find(class_="kind")}
    assert labels["kind-transport"] == "Transport"
    assert labels["kind-social"] == "Social event"
    assert labels["kind-reception"] == "Reception"
    assert labels["kind-break"] == "Break" and labels["kind-meal"] == "Meal"


def test_breaks_say_how_long_they_last(built_site):
    program = page(built_site, "program.html")
    coffee = next(e for e in program.find("li", class_="slot") if e["attrs"]["id"] == "slot-2026-05-07-1020-break")
    lunch = next(e for e in program.find("li", class_="slot") if e["attrs"]["id"] == "slot-2026-05-07-1210-meal")
    assert "30 min" in coffee["text"] and "1 h 30 min" in lunch["text"]


# -- talk and speaker pages ------------------------------------------------------------------------

def test_talk_page_links_its_companion_part_and_calendar(built_site):
    talk = page(built_site, "talks/central-flows-part-1.html")
    assert "Part 1 of 2 — continued in Part 2 by Alex Damian." in talk.text("p", class_="companion")
    second = page(built_site, "talks/central-flows-part-2.html")
    assert "Part 2 of 2 — continues Part 1 by Jeremy Cohen." in second.text("p", class_="companion")
    hrefs = [e["attrs"]["href"] for e in talk.find("a")]
    assert "../talks/central-flows-part-1.ics" in hrefs
    assert (built_site / "talks" / "central-flows-part-1.ics").is_file()
    assert talk.find("button", class_="star", data_talk="central-flows-part-1")


def test_talk_page_credits_joint_work(built_site):
    talk = page(built_site, "talks/stich-federated-similarity.html")
    assert talk.text("p", class_="joint-work") == "Based on joint work with Xiaowen Jiang and Anton Rodomanov."


def test_speaker_without_photo_gets_an_initials_avatar(built_site):
    speaker = page(built_site, "speakers/radu-i-bot.html")
    assert speaker.text("span", class_="avatar") == "RB"
    assert not speaker.find("img")


def test_speaker_publications_highlight_the_speaker_and_explain_equal_contribution(built_site):
    speaker = page(built_site, "speakers/alex-damian.html")
    assert speaker.text("p", class_="footnote") == "* equal contribution"
    own = [" ".join(e["text"].split()) for e in speaker.find("strong", class_="own-name")]
    assert own and set(own) == {"Alex Damian"}
    flows = next(e for e in speaker.find("li", class_="publication") if "Central Flows" in e["text"])
    assert "Jeremy M. Cohen*, Alex Damian*, Ameet Talwalkar" in " ".join(flows["text"].split())
    self_stabilization = next(e for e in speaker.find("li", class_="publication") if "Self-Stabilization" in e["text"])
    assert "Alex Damian, et al." in " ".join(self_stabilization["text"].split())
    assert len(speaker.find("details", class_="abstract")) == 2


def test_speaker_index_sorts_by_family_name_with_diacritics_as_base_letters(built_site):
    names = [" ".join(e["text"].split()) for e in page(built_site, "speakers.html").find("span", class_="chip-name")]
    assert len(names) == 21
    assert names.index("Radu I. Boţ") < names.index("Jeremy Cohen")  # Boţ files under B
    assert names.index("Peter Ochs") < names.index("Peter Richtárik") < names.index("Sebastian Stich")


# -- practical, publications ----------------------------------------------------------------------

def test_practical_page_derives_map_links_from_addresses_and_lists_dinner_and_bus(built_site):
    practical = page(built_site, "practical.html")
    hrefs = [e["attrs"]["href"] for e in practical.find("a")]
    assert "https://www.openstreetmap.org/search?query=Krafts%20Torg%201%2C%20223%2050%20Lund" in hrefs
    text = practical.text("ul", class_="social-list")
    assert "Bus to the symposium dinner" in text and "18:00" in text and "Lund Cathedral" in text
    assert "Symposium dinner" in text and "19:00" in text and "Turning Torso" in text


def test_publications_are_grouped_by_year_and_deduplicated_by_title(multiroom_site):
    publications = page(multiroom_site, "publications.html")
    assert [" ".join(e["text"].split()) for e in publications.find("h2")] == ["1943", "Year not given"]
    entries = publications.find("li", class_="publication")
    assert len(entries) == 2
    assert "Listed by Ada Lovelace, Alan Turing" in " ".join(entries[0]["text"].split())


# -- structured data, sitemap, addresses ------------------------------------------------------------

def test_home_and_talk_pages_declare_a_schema_org_event(built_site):
    home = page(built_site, "index.html").json_ld()
    assert home[0]["@context"] == "https://schema.org" and home[0]["@type"] == "Event"
    assert home[0]["name"] == "Optimization for Learning"
    assert (home[0]["startDate"], home[0]["endDate"]) == ("2026-05-05", "2026-05-08")
    assert home[0]["location"] == {"@type": "Place", "name": "Lund", "address": "Lund"}  # the city, not a venue
    for path in html_pages(built_site):
        if path.startswith("talks/"):
            (data,) = page(built_site, path).json_ld()
            assert data["@type"] == "Event" and data["name"]
            assert "location" not in data  # no Lund talk names its venue: none is guessed
            start = dt.datetime.fromisoformat(data["startDate"])
            assert start.utcoffset() == dt.timedelta(hours=2) and dt.datetime.fromisoformat(data["endDate"]) > start
            assert all(person["@type"] == "Person" for person in data["performer"])


def test_json_ld_cannot_be_closed_by_content():
    from generator.render.formats import json_script

    assert "</script>" not in str(json_script({"name": "</script><script>alert(1)</script>"}))


def test_sitemap_lists_every_page(built_site):
    tree = ET.parse(built_site / "sitemap.xml")
    locations = {loc.text for loc in tree.findall("s:url/s:loc", SITEMAP_NS)}
    assert locations == set(html_pages(built_site)) - {"404.html"}


def test_every_page_has_one_h1_a_language_a_skip_link_and_headings_in_order(built_site, multiroom_site):
    for site, path in [(site, path) for site in (built_site, multiroom_site) for path in html_pages(site)]:
        parsed = page(site, path)
        assert parsed.find("html")[0]["attrs"].get("lang") == "en", path
        assert len(parsed.find("h1")) == 1, path
        assert parsed.find("a", class_="skip-link") and parsed.find("main"), path
        levels = [int(e["tag"][1]) for e in parsed.elements if re.fullmatch(r"h[1-6]", e["tag"])]
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), (path, levels)


def test_every_internal_link_is_relative_and_reaches_a_file(built_site):
    for path in html_pages(built_site):
        if path == "404.html":
            continue  # served at any depth: its links start from the base URL, checked below
        for element in page(built_site, path).elements:
            for attribute in ("href", "src"):
                target = element["attrs"].get(attribute)
                if not target or urlsplit(target).scheme in ("http", "https", "mailto") or target.startswith("#"):
                    continue
                assert not target.startswith("/"), (path, target)
                resolved = (built_site / path).parent / unquote(urlsplit(target).path)
                assert resolved.exists(), (path, target)


def test_two_builds_are_byte_identical(tmp_path):
    first, second = build(CONTENT, tmp_path / "one"), build(CONTENT, tmp_path / "two")
    files = sorted(p.relative_to(first).as_posix() for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second).as_posix() for p in second.rglob("*") if p.is_file())
    assert "pagefind/pagefind-entry.json" in files and "sw.js" in files
    different = [name for name in files if (first / name).read_bytes() != (second / name).read_bytes()]
    assert different == []


def test_subpath_base_url_gives_absolute_sitemap_and_canonical_but_relative_links(tmp_path):
    site = build(CONTENT, tmp_path / "site", base_url="/repo/", search=False)
    locations = [loc.text for loc in ET.parse(site / "sitemap.xml").findall("s:url/s:loc", SITEMAP_NS)]
    assert "/repo/" in locations and "/repo/talks/ochs.html" in locations
    assert all(location.startswith("/repo/") for location in locations)
    talk = page(site, "talks/ochs.html")
    assert talk.find("link", rel="canonical")[0]["attrs"]["href"] == "/repo/talks/ochs.html"
    assert talk.find("a", class_="brand")[0]["attrs"]["href"] == "../index.html"
    assert page(site, "404.html").find("a", class_="brand")[0]["attrs"]["href"] == "/repo/index.html"


def test_event_url_gives_full_addresses_to_sitemap_robots_and_canonical(multiroom_content, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(multiroom_content, content)
    event = content / "event.yaml"
    event.write_text(event.read_text(encoding="utf-8") + "url: https://example.org/days/\n", encoding="utf-8")
    site = build(content, tmp_path / "site", search=False)
    locations = [loc.text for loc in ET.parse(site / "sitemap.xml").findall("s:url/s:loc", SITEMAP_NS)]
    assert "https://example.org/days/talks/bounds.html" in locations
    assert "Sitemap: https://example.org/days/sitemap.xml" in (site / "robots.txt").read_text(encoding="utf-8")
    talk = page(site, "talks/bounds.html")
    assert talk.find("link", rel="canonical")[0]["attrs"]["href"] == "https://example.org/days/talks/bounds.html"
    assert talk.json_ld()[0]["url"] == "https://example.org/days/talks/bounds.html"


def test_root_base_url_has_no_made_up_canonical(built_site):
    assert not page(built_site, "talks/ochs.html").find("link", rel="canonical")
    assert page(built_site, "talks/ochs.html").find("meta", property="og:title")


def test_service_worker_is_at_the_root_and_named_after_the_build(built_site):
    script = (built_site / "sw.js").read_text(encoding="utf-8")
    version = re.search(r'const CACHE = "symposium-([0-9a-f]+-[0-9a-f]+)"', script)
    assert version
    assert '"program.html"' in script and '"talks/ochs.html"' in script and '"assets/style.css"' in script
    manifest = json.loads((built_site / "manifest.webmanifest").read_text(encoding="utf-8"))
    assert manifest["name"] == "Optimization for Learning" and manifest["start_url"] == "index.html"
    listed = json.loads((built_site / "pagefind" / "files.json").read_text(encoding="utf-8"))
    assert "pagefind.js" in listed and all((built_site / "pagefind" / name).is_file() for name in listed)


def test_a_content_change_renames_the_offline_cache(multiroom_content, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(multiroom_content, content)
    before = build(content, tmp_path / "before", search=False)
    talk = content / "talks" / "solvers.yaml"
    talk.write_text(talk.read_text(encoding="utf-8").replace("Solvers in Practice", "Solvers at Scale"), encoding="utf-8")
    after = build(content, tmp_path / "after", search=False)
    version = re.compile(r'const CACHE = "([^"]+)"')
    assert version.search((before / "sw.js").read_text()).group(1) != version.search((after / "sw.js").read_text()).group(1)


def test_only_content_pages_are_indexed_for_search(built_site):
    assert page(built_site, "talks/ochs.html").find("main", data_pagefind_body="")
    assert page(built_site, "speakers/alex-damian.html").find("main", data_pagefind_body="")
    assert not page(built_site, "program.html").find(data_pagefind_body="")


# -- multi-room programs ----------------------------------------------------------------------------

def test_multi_room_day_is_a_grid_with_a_column_per_room(multiroom_site):
    program = page(multiroom_site, "program.html")
    assert [" ".join(e["text"].split()) for e in program.find(class_="room-head")] == ["Room A", "Room B"]
    slots = {e["attrs"]["id"]: e["attrs"] for e in program.find("article", class_="slot")}
    assert slots["slot-bounds"]["data-room"] == "room-a" and "grid-column:2/3" in slots["slot-bounds"]["style"]
    assert slots["slot-solvers"]["data-room"] == "room-b" and "grid-column:3/4" in slots["slot-solvers"]["style"]
    # a plenary spans both rooms and is never hidden by the room filter
    assert "grid-column:2/4" in slots["slot-keynote"]["style"] and "data-room" not in slots["slot-keynote"]
    # 45 minutes in room A are 9 rows of 5 minutes; 30 in room B are 6
    assert "grid-row:8/17" in slots["slot-bounds"]["style"] and "grid-row:8/14" in slots["slot-solvers"]["style"]
    assert program.find("input", name="room", value="room-b") and program.find(class_="legend")
    assert "Times in Chicago, CST (UTC−6)" in program.text()


def test_speaker_photo_is_copied_and_shown_instead_of_initials(multiroom_site):
    speaker = page(multiroom_site, "speakers/grace-hopper.html")
    (image,) = speaker.find("img", class_="avatar")
    assert image["attrs"]["src"] == "../photos/grace-hopper.png" and image["attrs"]["alt"] == ""
    assert (multiroom_site / "photos" / "grace-hopper.png").is_file()
    talk = page(multiroom_site, "talks/keynote.html")
    assert talk.find("img", class_="avatar")[0]["attrs"]["src"] == "../photos/grace-hopper.png"


# -- a program too big for one page (conftest.split_site: 420 synthetic talks over 7 days) -------------

def day_pages(site: Path) -> list[str]:
    """The day pages the program's overview links to, in its order."""
    return [e["attrs"]["href"] for e in page(site, "program.html").find("a", class_="glance-day")]


def test_a_small_program_stays_on_one_page_with_a_section_per_day(built_site, multitrack_site):
    for site in (built_site, multitrack_site):
        assert not (site / "program").exists()
        assert page(site, "program.html").find("section", class_="day")
    assert page(built_site, "talks/ochs.html").find("a", href="../program.html#day-2026-05-07")


def test_a_big_program_is_an_overview_linking_a_page_per_day(split_site):
    index, slots = schedule_data(split_site)
    days = [day["date"] for day in index["days"]]
    assert len(days) == 7 and days[0] == "2027-01-11"
    assert day_pages(split_site) == [f"program/{day}.html" for day in days]
    overview = page(split_site, "program.html")
    assert not overview.find(class_="slot") and overview.find(class_="jump-now")
    assert len((split_site / "program.html").read_bytes()) < 20_000
    seen = []
    for number, path in enumerate(day_pages(split_site)):
        day = page(split_site, path)
        assert [e["attrs"]["id"] for e in day.find("section", class_="day")] == [f"day-{days[number]}"]
        assert day.text("h1").startswith(dt.date.fromisoformat(days[number]).strftime("%A"))
        ids = [e["attrs"]["id"][len("slot-"):] for e in day.find(class_="slot")]
        assert ids and all(e["attrs"]["data-start"].startswith(days[number]) for e in day.find(class_="slot"))
        seen += ids
    # without JavaScript the day pages hold the whole program, every slot once
    assert sorted(seen) == sorted(slot["id"] for slot in slots) and len(seen) == len(set(seen))


def test_day_pages_link_every_day_and_their_neighbours(split_site):
    paths = day_pages(split_site)
    for number, path in enumerate(paths):
        day = page(split_site, path)
        strip = [e["attrs"] for e in day.find("a") if "data-day" in e["attrs"]]  # the day strip
        assert [a["href"] for a in strip] == ["../" + other for other in paths]
        assert [a["data-day"] for a in strip if a.get("aria-current") == "page"] == [path[8:18]]
        assert all(OFFSET_DATETIME.match(a["data-start"]) and OFFSET_DATETIME.match(a["data-until"]) for a in strip)
        previous, following = day.find("a", rel="prev"), day.find("a", rel="next")
        assert [a["attrs"]["href"] for a in previous] == (["../" + paths[number - 1]] if number else [])
        assert [a["attrs"]["href"] for a in following] == (["../" + paths[number + 1]] if number + 1 < len(paths) else [])
        assert day.find("a", href="../program.html")


def test_talks_feeds_and_schedule_data_point_at_the_day_pages(split_site):
    index, slots = schedule_data(split_site)
    talk_slot = next(slot for slot in slots if slot["talk"])
    talk = page(split_site, talk_slot["url"])
    (crumb,) = [e["attrs"]["href"] for e in talk.find("a") if e["attrs"].get("href", "").startswith("../program/")]
    assert crumb == f"../program/{talk_slot['start'][:10]}.html"
    assert page(split_site, crumb[3:]).find(id=f"slot-{talk_slot['id']}")
    for slot in slots:
        assert (split_site / slot["url"]).is_file(), slot["url"]  # talk pages, and day pages for breaks
    assert {slot["url"] for slot in slots if not slot["talk"]} <= {f"program/{day['date']}.html" for day in index["days"]}
    frab = json.loads((split_site / "schedule.json").read_text(encoding="utf-8"))
    urls = {event["url"] for day in frab["schedule"]["conference"]["days"] for room in day["rooms"].values()
            for event in room}
    assert all((split_site / url).is_file() for url in urls) and any(url.startswith("program/") for url in urls)


def test_home_and_my_schedule_embed_the_days_not_every_slot(split_site, built_site):
    for site in (split_site, built_site):
        _, slots = schedule_data(site)
        for path in ("index.html", "my-schedule.html"):
            text = (site / path).read_text(encoding="utf-8")
            assert 'id="schedule-index"' in text and not any(f'"{slot["title"]}"' in text for slot in slots[:20])
    assert len(schedule_data(built_site)[1]) == 39  # every slot is in a day's file
    assert len((split_site / "index.html").read_bytes()) < 30_000


def test_the_sitemap_lists_the_split_pages(split_site):
    root = ET.parse(split_site / "sitemap.xml").getroot()
    listed = {e.text for e in root.findall("s:url/s:loc", SITEMAP_NS)}
    for path in [*day_pages(split_site), "speakers/list/1.html", "speakers/list/2.html"]:
        assert path in listed, path
    assert any(path.startswith("publications/") for path in listed)


def test_long_lists_are_split_and_the_search_page_points_to_them(split_site):
    speakers = page(split_site, "speakers.html")
    parts = [e["attrs"]["href"] for e in speakers.find("a", class_="glance-day")]
    assert parts == ["speakers/list/1.html", "speakers/list/2.html"]
    listed = [e["attrs"]["href"] for part in parts for e in page(split_site, part).find("a")
              if e["attrs"].get("href", "").startswith("../../speakers/") and "/list/" not in e["attrs"]["href"]]
    assert sorted(listed) == sorted(f"../../speakers/{p.name}" for p in (split_site / "speakers").glob("*.html"))
    years = [e["attrs"]["href"] for e in page(split_site, "publications.html").find("a", class_="glance-day")]
    assert years and all(re.fullmatch(r"publications/(\d{4}|undated)(-\d+)?\.html", year) for year in years)
    assert not page(split_site, "publications.html").find(data_pagefind_body="")
    assert page(split_site, years[0]).find("main", data_pagefind_body="") and page(split_site, years[0]).find(
        class_="publication")
    search = page(split_site, "search.html")
    assert not search.find("a", href="talks/" + min((split_site / "talks").glob("*.html")).name)
    assert search.find("a", href="program.html") and search.find("a", href="speakers.html")


def test_the_first_visit_stores_the_shell_within_its_byte_budget(split_site, built_site):
    from generator.render.offline import PRECACHE_BYTES

    def precache(site: Path) -> tuple[list[str], bool]:
        script = (site / "sw.js").read_text(encoding="utf-8")
        paths = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", script).group(1))
        return paths, "const SEARCH_INDEX = true;" in script

    paths, search = precache(split_site)
    assert {"./", "index.html", "program.html", "my-schedule.html", "search.html", "assets/app.js",
            "assets/style.css"} <= set(paths)
    assert sum((split_site / ("index.html" if path == "./" else path)).stat().st_size for path in paths) <= PRECACHE_BYTES
    assert not any(path.startswith(("talks/", "program/", "schedule-data/")) for path in paths)
    lund, lund_search = precache(built_site)  # a small event is wholly offline after one visit
    assert "talks/ochs.html" in lund and "program.html" in lund and "schedule-data/2026-05-07.js" in lund
    assert lund_search


def test_the_search_index_is_stored_on_a_first_visit_only_where_it_fits():
    from generator.render.offline import PRECACHE_BYTES, SEARCH_INDEX, precache_plan

    files = ["index.html", "program.html", "search.html", "talks/a.html", "schedule.ics"]
    sizes = {"index.html": 1000, "program.html": 1000, "search.html": 1000, "talks/a.html": 1000, "schedule.ics": 9}
    assets = {"assets/app.js": 1000}
    whole, search = precache_plan(files, {**sizes, SEARCH_INDEX: 10_000}, assets)
    assert whole == ["./", "assets/app.js", "index.html", "program.html", "search.html", "talks/a.html"] and search
    big = {**sizes, "talks/a.html": PRECACHE_BYTES, SEARCH_INDEX: 10_000}
    assert precache_plan(files, big, assets) == (["./", "assets/app.js", "index.html", "program.html",
                                                  "search.html"], True)
    assert precache_plan(files, {**big, SEARCH_INDEX: PRECACHE_BYTES}, assets)[1] is False
