"""The built site in headless Chromium, served over HTTP on 127.0.0.1.

What only a browser can show: the program renders every day, search finds a
talk, now/next follows the event's clock whatever the visitor's zone, stars
become a personal calendar, the service worker keeps pages offline, no page
logs an error or scrolls sideways on a phone, and the multi-room grid turns
into a list on a phone and filters by room.
"""

from __future__ import annotations

import contextlib

import icalendar
import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 800}
DESKTOP = {"width": 1280, "height": 900}
#: One page of every kind the site has.
PAGE_KINDS = ["index.html", "program.html", "talks/central-flows-part-1.html", "talks/richtarik.html",
              "speakers.html", "speakers/alex-damian.html", "publications.html", "practical.html",
              "my-schedule.html", "search.html", "figures.html", "404.html"]


@contextlib.contextmanager
def opened(browser, viewport=DESKTOP, **options):
    """A fresh browser context and page that record console errors and uncaught exceptions."""
    context = browser.new_context(viewport=viewport, **options)
    page = context.new_page()
    page.errors = []
    page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()


def test_every_day_of_the_program_renders(browser, site_url):
    with opened(browser) as page:
        page.goto(site_url + "program.html")
        days = page.locator("section.day")
        assert days.count() == 4
        counts = [days.nth(i).locator(".slot").count() for i in range(4)]
        assert counts == [1, 13, 13, 12]
        assert page.locator("section.day .slot:visible").count() == 39
        assert page.errors == []


def test_program_is_complete_with_javascript_off(browser, site_url):
    with opened(browser, java_script_enabled=False) as page:
        page.goto(site_url + "program.html")
        assert page.locator(".slot:visible").count() == 39
        assert page.locator(".star:visible").count() == 0  # nothing that cannot work is shown


def test_searching_central_flows_finds_the_talk_and_the_link_lands_on_it(browser, site_url):
    with opened(browser) as page:
        page.goto(site_url + "search.html")
        page.fill("#search-q", "central flows")
        first = page.locator("#search-results li a").first
        first.wait_for(timeout=10_000)
        assert "Central Flows" in first.inner_text()
        first.click()
        page.wait_for_load_state()
        assert "/talks/central-flows-part-" in page.url
        assert "Central Flows" in page.locator("h1").inner_text()
        assert page.errors == []


def test_opened_from_disk_the_search_page_lists_everything_and_links_work(browser, built_site):
    with opened(browser) as page:
        page.goto((built_site / "search.html").as_uri() + "?q=central")
        fallback = page.locator("#search-fallback")
        assert fallback.is_visible()
        page.click("#search-fallback a:has-text('Central Flows') >> nth=0")
        assert page.url.startswith("file://") and "/talks/central-flows-part-" in page.url
        page.click("a.brand")
        assert page.url.endswith("/index.html") and page.locator("h1").inner_text() == "Optimization for Learning"
        assert page.errors == []


def test_header_search_box_submits_to_the_search_page(browser, site_url):
    with opened(browser) as page:
        page.goto(site_url + "talks/ochs.html")
        page.fill("#header-q", "central flows")
        page.press("#header-q", "Enter")
        page.locator("#search-results li a").first.wait_for(timeout=10_000)
        assert page.url.endswith("search.html?q=central+flows")


@pytest.mark.parametrize("zone", [None, "America/New_York", "Asia/Tokyo"])
def test_now_and_next_follow_the_events_clock_in_any_visitor_time_zone(browser, site_url, zone):
    with opened(browser, timezone_id=zone) if zone else opened(browser) as page:
        page.goto(site_url + "program.html?now=2026-05-07T10:55")
        assert page.locator(".slot.is-now").evaluate_all("els => els.map(e => e.id)") == ["slot-ochs"]
        assert page.locator(".slot.is-next").evaluate_all("els => els.map(e => e.id)") == [
            "slot-silveti-falls-spectral-optimizers"]
        assert page.locator("#slot-ochs .live-badge").inner_text().strip().lower() == "now"
        assert page.locator(".jump-now a").get_attribute("href") == "#slot-ochs"
        page.goto(site_url + "index.html?now=2026-05-07T10:55")
        box = page.locator("#now-box")
        assert box.is_visible()
        assert "Lyapunov" in box.inner_text() or "Ochs" in box.inner_text()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_now_in_the_address_opens_the_program_at_the_running_slot(browser, site_url, viewport):
    with opened(browser, viewport=viewport) as page:
        page.goto(site_url + "program.html?now=2026-05-07T10:55")
        tabs = page.locator(".day-tabs").bounding_box()
        slot = page.locator("#slot-ochs").bounding_box()
        assert tabs["y"] + tabs["height"] - 1 <= slot["y"] <= tabs["y"] + tabs["height"] + 48  # right below
        jump = page.locator(".jump-now a")
        box = jump.bounding_box()
        assert jump.is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
        page.evaluate("window.scrollTo(0, 0)")
        jump.click()
        page.wait_for_function("Math.abs(document.querySelector('#slot-ochs').getBoundingClientRect().top - "
                               f"{slot['y']}) < 2")
        assert page.get_by_role("link", name="Jump to now").count() == 1  # its name, short label or not
        assert page.errors == []


def test_now_in_the_address_clears_the_sticky_room_names_of_the_grid(browser, multiroom_url):
    with opened(browser) as page:
        page.goto(multiroom_url + "program.html?now=2031-03-04T09:40")
        heads = page.locator(".room-head").first.bounding_box()
        assert page.locator("#slot-bounds").bounding_box()["y"] >= heads["y"] + heads["height"] - 1


def test_every_site_section_is_visible_on_a_phone_without_scrolling_a_strip(browser, site_url):
    with opened(browser, viewport=PHONE) as page:
        page.goto(site_url + "talks/ochs.html")
        links = page.locator(".site-nav a")
        assert links.count() == 6
        for i in range(links.count()):
            box = links.nth(i).bounding_box()
            assert links.nth(i).is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], i


def test_the_two_parts_of_a_talk_are_told_apart_in_search_results(browser, site_url):
    with opened(browser) as page:
        page.goto(site_url + "search.html?q=central%20flows")
        page.locator("#search-results li a").nth(1).wait_for(timeout=10_000)
        titles = page.locator("#search-results li a").all_inner_texts()
        assert any("(Part 1)" in title for title in titles) and any("(Part 2)" in title for title in titles)


def test_the_figures_page_is_found_by_what_its_figures_show(browser, figures_site):
    site, with_figures = figures_site
    if not with_figures:
        pytest.skip("figures were not built (no content/figures.yaml or generator.figures.make)")
    from conftest import serve

    for url in serve(site):
        with opened(browser) as page:
            page.goto(url + "search.html?q=edge%20of%20stability")
            page.locator("#search-results li a").first.wait_for(timeout=10_000)
            hrefs = page.locator("#search-results li a").evaluate_all("els => els.map(e => e.href)")
            assert any(href.endswith("/figures.html") for href in hrefs), hrefs


def test_between_days_the_next_slot_is_the_next_mornings_first(browser, site_url):
    with opened(browser, timezone_id="America/Los_Angeles") as page:
        page.goto(site_url + "program.html?now=2026-05-07T23:30")
        assert page.locator(".slot.is-now").count() == 1  # the dinner has no end: it runs until midnight
        assert page.locator(".slot.is-next").evaluate_all("els => els.map(e => e.id)") == ["slot-defazio-schedule-free"]


def test_starred_talks_make_my_schedule_and_a_valid_calendar(browser, site_url, tmp_path):
    with opened(browser) as page:
        page.goto(site_url + "program.html")
        page.click("#slot-ochs .star")
        page.click("#slot-central-flows-part-1 .star")
        assert page.locator("#slot-ochs .star").get_attribute("aria-pressed") == "true"
        page.goto(site_url + "my-schedule.html")
        items = page.locator(".my-item")
        items.nth(1).wait_for()  # the days' data load after the page
        assert items.count() == 2
        assert "Central Flows" in items.nth(1).inner_text()
        with page.expect_download() as download:
            page.click("#my-ics")
        path = tmp_path / "mine.ics"
        download.value.save_as(path)
        raw = path.read_bytes()
        assert b"\r\n" in raw and raw.count(b"\n") == raw.count(b"\r\n")
        assert max(len(line) for line in raw.split(b"\r\n")) <= 75  # long titles are folded
        calendar = icalendar.Calendar.from_ical(raw)
        events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
        assert set(events) == {"ochs@optimization-for-learning-2026",
                               "central-flows-part-1@optimization-for-learning-2026"}
        start = events["ochs@optimization-for-learning-2026"].decoded("DTSTART")
        assert start.isoformat() == "2026-05-07T08:50:00+00:00"
        assert all(str(e["DTSTAMP"].to_ical(), "ascii").endswith("Z") for e in events.values())
        # every entry is laid out alike: time, title, speakers, and a labelled button that removes it
        for i in range(2):
            item = items.nth(i)
            assert item.locator(".my-when time").inner_text().count(":") == 2
            assert item.locator(".my-title a").inner_text() and item.locator(".my-speakers").inner_text()
            remove = item.locator("button.unstar")
            assert remove.is_visible() and remove.inner_text().startswith("Remove")
        assert "(Part 1)" in items.nth(1).locator(".my-title").inner_text()
        assert page.get_by_role("button", name="Remove TBA from my schedule").count() == 1
        boxes = [items.nth(i).locator(".my-title").bounding_box()["x"] for i in range(2)]
        assert boxes[0] == boxes[1]  # titles line up
        page.click(".my-item .star >> nth=0")
        assert page.locator(".my-item").count() == 1
        assert page.errors == []


def test_program_and_talk_pages_load_offline_after_a_first_visit(browser, site_url):
    with opened(browser) as page:
        page.goto(site_url + "index.html")
        page.wait_for_function(
            """async () => {
                const registration = await navigator.serviceWorker.ready;
                const names = await caches.keys();
                if (!registration.active || !names.length) return false;
                const cache = await caches.open(names[0]);
                return Boolean(await cache.match("pagefind/pagefind.js")) && Boolean(await cache.match("talks/ochs.html"));
            }""", timeout=20_000)
        page.context.set_offline(True)
        page.goto(site_url + "program.html")
        assert page.locator("section.day").count() == 4
        page.goto(site_url + "talks/ochs.html")
        assert page.locator("h1").inner_text().strip()
        assert page.locator("link[rel=stylesheet]").count() == 1
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgba(0, 0, 0, 0)"


@pytest.mark.parametrize("path", PAGE_KINDS)
def test_no_console_errors_and_no_horizontal_scroll_on_a_phone(browser, site_url, path):
    with opened(browser, viewport=PHONE) as page:
        page.goto(site_url + path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
        assert page.errors == [], path


#: Controls that stand on their own (not links inside running text, which WCAG 2.5.8 exempts).
CONTROLS = ("header a, header button, .day-tabs a, .star, .speaker-chip, .speaker-card a, .glance-day, .button, "
            "footer a, .breadcrumb a, .pub-links a, details.abstract summary, .filter")


@pytest.mark.parametrize("path", ["index.html", "program.html", "talks/ochs.html", "speakers/alex-damian.html",
                                  "speakers.html", "practical.html"])
def test_touch_targets_are_at_least_44_pixels_high_on_a_phone(browser, site_url, path):
    with opened(browser, viewport=PHONE) as page:
        page.goto(site_url + path)
        heights = page.locator(CONTROLS).evaluate_all(
            "els => els.filter(e => e.offsetParent !== null).map(e => [e.textContent.trim().slice(0, 30), "
            "e.getBoundingClientRect().height])")
        assert heights
        small = [(text, height) for text, height in heights if height < 44 - 0.5]
        assert small == [], path


def test_multi_room_program_is_a_grid_on_desktop(browser, multiroom_url):
    with opened(browser) as page:
        page.goto(multiroom_url + "program.html")
        assert page.locator(".room-grid").evaluate("e => getComputedStyle(e).display") == "grid"
        assert page.locator(".room-head").all_inner_texts() == ["Room A", "Room B"]
        a, b = page.locator("#slot-bounds").bounding_box(), page.locator("#slot-solvers").bounding_box()
        assert a["y"] == b["y"] and b["x"] > a["x"] + a["width"] - 1  # side by side, same start
        keynote = page.locator("#slot-keynote").bounding_box()
        assert keynote["width"] > a["width"] + b["width"]  # the plenary spans both rooms
        assert a["height"] > b["height"]  # 45 minutes are taller than 30


def test_multi_room_program_is_a_list_naming_rooms_on_a_phone(browser, multiroom_url):
    with opened(browser, viewport=PHONE) as page:
        page.goto(multiroom_url + "program.html")
        assert page.locator(".room-grid").evaluate("e => getComputedStyle(e).display") == "block"
        a, b = page.locator("#slot-bounds").bounding_box(), page.locator("#slot-solvers").bounding_box()
        assert b["y"] > a["y"] + a["height"] - 1 and abs(a["x"] - b["x"]) < 1  # one under the other
        assert page.locator("#slot-bounds .place").inner_text() == "Room A"
        assert page.locator("#slot-solvers .place").inner_text() == "Room B"
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert page.errors == []


def test_room_and_track_filters_hide_and_show_slots_without_a_reload(browser, multiroom_url):
    with opened(browser) as page:
        page.goto(multiroom_url + "program.html")
        page.evaluate("window.marker = 1")
        page.uncheck("input[name=room][value=room-b]")
        assert page.locator("#slot-solvers").is_hidden()
        assert page.locator("#slot-bounds").is_visible() and page.locator("#slot-keynote").is_visible()
        page.check("input[name=room][value=room-b]")
        assert page.locator("#slot-solvers").is_visible()
        page.uncheck("input[name=track][value=theory]")
        assert page.locator("#slot-bounds").is_hidden() and page.locator("#slot-solvers").is_visible()
        assert page.evaluate("window.marker") == 1  # no reload happened
        assert page.errors == []


# -- a program split into a page per day (conftest.split_site: 420 talks, 11-17 January 2027) --------

def test_the_day_pages_hold_the_whole_program_with_javascript_off(browser, split_site, split_url):
    from conftest import schedule_data

    _, slots = schedule_data(split_site)
    seen = []
    with opened(browser, viewport=PHONE, java_script_enabled=False) as page:
        page.goto(split_url + "program.html")
        days = page.locator(".day-list a").evaluate_all("els => els.map(e => e.href)")
        assert len(days) == 7
        for day in days:
            page.goto(day)
            seen += page.locator(".slot:visible").evaluate_all("els => els.map(e => e.id.slice(5))")
            assert page.locator(".star:visible").count() == 0
    assert sorted(seen) == sorted(slot["id"] for slot in slots)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_now_on_the_overview_opens_the_day_page_at_the_running_slot(browser, split_url, viewport):
    with opened(browser, viewport=viewport) as page:
        page.goto(split_url + "program.html?now=2027-01-13T10:00")
        page.wait_for_url(lambda url: url.endswith("/program/2027-01-13.html?now=2027-01-13T10:00#now"))
        running = page.locator(".slot.is-now").evaluate_all("els => els.map(e => e.id)")
        assert len(running) == 8 and page.locator(".slot.is-next").count() == 8  # eight rooms
        assert page.locator(".jump-now a").get_attribute("href") == "#" + running[0]
        tabs = page.locator(".day-tabs").bounding_box()
        slot = page.locator("#" + running[0]).bounding_box()
        assert tabs["y"] + tabs["height"] - 1 <= slot["y"] <= tabs["y"] + tabs["height"] + 48  # right below
        current = page.locator('.day-tabs a[aria-current="page"]')
        assert current.get_attribute("data-day") == "2027-01-13" and current.is_visible()
        box, strip = current.bounding_box(), page.locator(".day-tabs ul").bounding_box()
        assert strip["x"] <= box["x"] and box["x"] + box["width"] <= strip["x"] + strip["width"]  # scrolled into view
        assert page.errors == []


def test_on_another_days_page_the_jump_leads_to_the_running_day(browser, split_url):
    with opened(browser) as page:
        page.goto(split_url + "program/2027-01-11.html?now=2027-01-13T10:00")
        assert page.url.endswith("/program/2027-01-11.html?now=2027-01-13T10:00")  # no redirect from a day
        assert page.locator(".slot.is-now, .slot.is-next").count() == 0
        jump = page.locator(".jump-now a")
        assert jump.get_attribute("href") == "../program/2027-01-13.html?now=2027-01-13T10:00#now"
        assert jump.inner_text().strip().lower().endswith("now")
        jump.click()
        page.wait_for_url(lambda url: url.endswith("/program/2027-01-13.html?now=2027-01-13T10:00#now"))
        page.locator(".slot.is-now").first.wait_for()
        assert page.locator(".slot.is-now").count() == 8
        # after the last talk of a day, the next is the next morning's first, on its own page
        page.goto(split_url + "program/2027-01-13.html?now=2027-01-13T20:00")
        jump = page.locator(".jump-now")
        assert "is-next" in jump.get_attribute("class")
        assert jump.locator("a").get_attribute("href") == "../program/2027-01-14.html?now=2027-01-13T20:00#now"
        page.goto(split_url + "program.html?now=2027-01-13T20:00")
        page.wait_for_url(lambda url: url.endswith("/program/2027-01-14.html?now=2027-01-13T20:00#now"))
        assert page.locator(".slot.is-next").count() == 8
        assert page.errors == []


def test_home_reads_only_the_days_it_needs_for_now_and_next(browser, split_url):
    with opened(browser) as page:
        loaded = []
        page.on("request", lambda request: "schedule-data/" in request.url and loaded.append(request.url))
        page.goto(split_url + "index.html?now=2027-01-13T10:00")
        box = page.locator("#now-box")
        box.wait_for()
        assert box.locator(".live-badge.is-now").count() == 8 and box.locator(".live-badge.is-next").count() == 8
        link = box.locator(".jump-link").get_attribute("href")
        assert link.startswith("program/2027-01-13.html?now=2027-01-13T10:00#slot-")
        assert [url.rsplit("/", 1)[1] for url in loaded] == ["2027-01-13.js", "2027-01-14.js"]
        page.goto(split_url + "index.html?now=2026-06-01T10:00")  # months before: no box, nothing read
        assert not box.is_visible()
        assert len(loaded) == 2 and page.errors == []


def test_my_schedule_reads_the_days_of_the_starred_talks(browser, split_url):
    with opened(browser) as page:
        page.goto(split_url + "program/2027-01-15.html")
        first = page.locator(".slot .star").first
        talk = first.get_attribute("data-talk")
        first.click()
        loaded = []
        page.on("request", lambda request: "schedule-data/" in request.url and loaded.append(request.url))
        page.goto(split_url + "my-schedule.html")
        page.locator(".my-item").first.wait_for()
        assert page.locator(".my-item").count() == 1 and page.locator(".my-schedule h2").inner_text() == \
            "Friday 15 January 2027"
        assert [url.rsplit("/", 1)[1] for url in loaded] == ["2027-01-15.js"]
        assert page.locator(f'.my-item .star[data-talk="{talk}"]').count() == 1
        # a star kept before stars knew their day is still found, reading the days in turn
        page.evaluate("""() => {
            const key = Object.keys(localStorage).find(k => k.endsWith(":stars"));
            localStorage.removeItem(key + ":days");
        }""")
        page.reload()
        page.locator(".my-item").first.wait_for()
        assert page.locator(".my-item").count() == 1
        assert page.errors == []
