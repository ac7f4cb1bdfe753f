"""Your own event, not Lund's: `init`, `new speaker`, `new talk`, `check`, `build`, and a crawl of the site.

The starter event must pass `check` without a warning, build, and say nothing of
the symposium whose content ships in content/; and every link of every page
must lead to a file of the site (no navigation entry to a page that was not built).
"""

from __future__ import annotations

import html.parser
import re
import urllib.parse
from pathlib import Path

import pytest
import yaml

from generator.cli import main
from generator.commands.starter import DAY, FREE_END, FREE_START, starter_files
from conftest import build

#: Words of the Lund symposium that must not leak into another event's site.
LUND = re.compile(r"\b(Lund|Malmö|Optimization for Learning|bus|dinner)\b", re.IGNORECASE)


class _Links(html.parser.HTMLParser):
    """Every address a page links to or loads: a/area/link href, script/img/source/iframe src."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"a": "href", "area": "href", "link": "href", "script": "src", "img": "src", "source": "src",
                  "iframe": "src"}.get(tag)
        for name, value in attrs:
            if name == wanted and value:
                self.found.append(value)


def _dead_links(site: Path) -> tuple[list[str], int]:
    """``page: address`` for each internal address that no file of ``site`` answers, and how many were followed."""
    dead, followed = [], 0
    for page in sorted(site.rglob("*.html")):
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        relative = page.relative_to(site).as_posix()
        for address in parser.found:
            parts = urllib.parse.urlsplit(address)
            if parts.scheme or parts.netloc or not parts.path:  # another site, mailto:, or '#anchor' on the page
                continue
            followed += 1
            target = urllib.parse.unquote(urllib.parse.urljoin(f"/{relative}", parts.path)).lstrip("/")
            path = site / target
            if address.endswith("/") or path.is_dir():
                path = path / "index.html"
            if not (path.is_file() or (not path.suffix and path.with_suffix(".html").is_file())):
                dead.append(f"{relative}: {address}")
    return dead, followed


@pytest.fixture(scope="module")
def event(tmp_path_factory) -> Path:
    """A new event made the way the README says: init, then a speaker and their talk."""
    folder = tmp_path_factory.mktemp("new-event") / "my-event"
    assert main(["init", str(folder)]) == 0
    assert main(["new", "speaker", "Robin Newcomer", "--content", str(folder)]) == 0
    assert main(["new", "talk", "--day", DAY, "--start", FREE_START, "--end", FREE_END, "--speaker",
                 "robin-newcomer", "--title", "A Talk Added Later", "--content", str(folder)]) == 0
    return folder


@pytest.fixture(scope="module")
def site(event, tmp_path_factory) -> Path:
    return build(event, tmp_path_factory.mktemp("new-site") / "site")


def test_init_writes_the_starter_and_says_what_to_do_next(tmp_path, capsys):
    folder = tmp_path / "fresh"
    assert main(["init", str(folder)]) == 0
    out = capsys.readouterr().out
    written = sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*.yaml"))
    assert written == sorted(starter_files())
    assert "event.yaml" in out and f"symposium serve --content {folder.as_posix()}" in out
    assert "symposium build" in out and "symposium new talk" in out
    data = yaml.safe_load((folder / "event.yaml").read_text(encoding="utf-8"))
    assert data["name"] == "My Workshop" and str(data["start"]) > "2026-12-31"
    assert len(yaml.safe_load((folder / "venues.yaml").read_text(encoding="utf-8"))["venues"]) == 1
    assert len(list((folder / "program").glob("*.yaml"))) == 1
    for path in folder.rglob("*.yaml"):  # every file says what it is and where to read more
        assert sum("#" in line for line in path.read_text(encoding="utf-8").splitlines()) >= 2, path


def test_the_starter_passes_check_without_a_warning(tmp_path, capsys):
    folder = tmp_path / "fresh"
    assert main(["init", str(folder)]) == 0
    capsys.readouterr()
    assert main(["check", "--content", str(folder)]) == 0
    captured = capsys.readouterr()
    assert captured.out == "ok: 5 slots on 1 days, 2 talks, 2 speakers\n"
    assert captured.err == ""


@pytest.mark.parametrize("occupant", ["file", "folder"])
def test_init_never_writes_into_a_folder_that_is_not_empty(tmp_path, capsys, occupant):
    folder = tmp_path / "taken"
    folder.mkdir()
    if occupant == "file":
        (folder / "notes.txt").write_text("mine", encoding="utf-8")
    else:
        (folder / "program").mkdir()
    before = sorted(folder.rglob("*"))
    assert main(["init", str(folder)]) == 2
    assert "is not empty; nothing was written" in capsys.readouterr().err
    assert sorted(folder.rglob("*")) == before


def test_init_refuses_a_file_and_accepts_an_empty_folder(tmp_path, capsys):
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    assert main(["init", str(tmp_path / "a-file")]) == 2
    assert "not a folder" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["init", str(tmp_path / "empty")]) == 0


def test_the_new_event_passes_check_without_a_warning(event, capsys):
    capsys.readouterr()
    assert main(["check", "--content", str(event)]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("ok: 6 slots on 1 days, 3 talks, 3 speakers")
    assert captured.err == ""


def test_the_new_event_builds_and_its_pages_say_nothing_of_lund(site):
    texts = {path.relative_to(site).as_posix(): path.read_text(encoding="utf-8")
             for path in site.rglob("*") if path.suffix in (".html", ".ics", ".json", ".xml", ".webmanifest")
             and "pagefind" not in path.parts}
    assert "talks/robin-newcomer-talk-added-later.html" in texts
    assert "A Talk Added Later" in texts["program.html"] and "My Workshop" in texts["index.html"]
    leaks = {path: sorted({match.group(0) for match in LUND.finditer(text)}) for path, text in texts.items()}
    assert {path: words for path, words in leaks.items() if words} == {}


def test_every_link_of_every_page_leads_to_a_file(site):
    dead, followed = _dead_links(site)
    assert dead == []
    assert followed > 100  # the crawl saw the navigation of every page, not nothing


def test_the_crawl_notices_a_dead_link(tmp_path):
    (tmp_path / "index.html").write_text('<a href="program.html">x</a><a href="talks/">y</a>'
                                         '<a href="https://example.org/">z</a><a href="#top">t</a>', encoding="utf-8")
    assert _dead_links(tmp_path) == (["index.html: program.html", "index.html: talks/"], 2)


# --- what `check` warns about: pages that would be built silently out of reach or out of place ----------

def _check(folder: Path, capsys) -> tuple[int, list[str]]:
    capsys.readouterr()
    code = main(["check", "--content", str(folder)])
    return code, capsys.readouterr().err.splitlines()


@pytest.fixture
def fresh(tmp_path) -> Path:
    folder = tmp_path / "ev"
    assert main(["init", str(folder)]) == 0
    return folder


def test_a_talk_no_slot_schedules_is_a_warning(fresh, capsys):
    (fresh / "talks" / "spare.yaml").write_text("title: A Spare Talk\nspeakers: [sam-sample]\n", encoding="utf-8")
    code, err = _check(fresh, capsys)
    assert code == 0
    assert err == ["ev/talks/spare.yaml:1:8: warning: talk 'spare' is in no slot of the program: its page is built, "
                   "but the program does not show it (schedule it with 'talk: spare' in a slot of a day in program/, "
                   "or delete the file)", "1 warning (the content is valid)."]


def test_a_speaker_with_no_talk_is_a_warning(fresh, capsys):
    assert main(["new", "speaker", "Robin Newcomer", "--content", str(fresh)]) == 0
    code, err = _check(fresh, capsys)
    assert code == 0
    assert err[0].startswith("ev/speakers/robin-newcomer.yaml:") and ": warning: speaker 'robin-newcomer' gives no " \
        "talk: their page is built, but no talk links to it (name 'robin-newcomer' in a talk's 'speakers'" in err[0]
    assert err[1:] == ["1 warning (the content is valid)."]


def test_talk_slots_with_no_venue_and_no_default_are_one_warning_per_day(fresh, capsys):
    event = fresh / "event.yaml"
    event.write_text(event.read_text(encoding="utf-8").replace("default_venue: main-building", ""), encoding="utf-8")
    code, err = _check(fresh, capsys)
    day = yaml.safe_load((fresh / "program" / f"{DAY}.yaml").read_text(encoding="utf-8"))
    first_talk = next(line for line, text in enumerate((fresh / "program" / f"{DAY}.yaml").read_text(
        encoding="utf-8").splitlines(), 1) if text.strip() == '- start: "09:30"')
    assert code == 0 and sum(slot["kind"] == "talk" for slot in day["slots"]) == 2
    assert err == [f"ev/program/{DAY}.yaml:{first_talk}:12: warning: this talk slot (and 1 more talk slot of this day) "
                   "names no venue, and neither the day nor event.yaml gives a default, so the talk's page cannot say "
                   "where it takes place (add 'venue: <id>' to the day or the slot, or 'default_venue: <id>' to "
                   "event.yaml; venues: 'main-building')", "1 warning (the content is valid)."]
    day_file = fresh / "program" / f"{DAY}.yaml"  # a day's venue is a default too
    day_file.write_text(day_file.read_text(encoding="utf-8").replace("# venue: main-building", "venue: main-building"),
                        encoding="utf-8")
    assert _check(fresh, capsys) == (0, [])


def test_without_venues_a_slot_with_no_venue_is_no_warning(fresh, capsys):
    event = fresh / "event.yaml"
    event.write_text(event.read_text(encoding="utf-8").replace("default_venue: main-building", ""), encoding="utf-8")
    (fresh / "venues.yaml").write_text("venues: []\n", encoding="utf-8")
    assert _check(fresh, capsys) == (0, [])


def test_content_with_errors_shows_the_errors_not_these_warnings(fresh, capsys):
    """A talk file with a mistake leaves its speaker without a linked talk: that is no news worth a warning."""
    talk = fresh / "talks" / "sam-sample-methods.yaml"
    talk.write_text(talk.read_text(encoding="utf-8").replace("abstract:", "abstrct:"), encoding="utf-8")
    code, err = _check(fresh, capsys)
    assert code == 1
    assert [line for line in err if ": warning: " in line] == []
    assert err[-1] == "1 error found; nothing was built."


def test_build_shows_the_warnings_and_builds(fresh, tmp_path, capsys):
    (fresh / "talks" / "spare.yaml").write_text("tba: true\nspeakers: [sam-sample]\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["build", "--content", str(fresh), "--out", str(tmp_path / "site"), "--no-figures",
                 "--no-search"]) == 0
    captured = capsys.readouterr()
    assert "ev/talks/spare.yaml:1:6: warning: talk 'spare' is in no slot of the program" in captured.err
    assert (tmp_path / "site" / "talks" / "spare.html").is_file()
