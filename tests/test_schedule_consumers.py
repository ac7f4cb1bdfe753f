"""Our schedule.json read by the programs that read pretalx's: their field accesses, not only the schema.

The c3voc schema allows ``null`` for ``abstract``, ``description``, ``subtitle``,
``track`` and a person's ``biography``, but the programs people point at a
schedule.json were written against pretalx's output, where these are strings,
and call string methods on them. jekyll-theme-conference's importer crashed on
the ``"description": null`` of 38 Lund slots.

No such consumer can be installed for the tests: the ones on PyPI pin old
versions of this project's own dependencies (c3voc-schedule-tools 1.1.0 wants
icalendar<6 and lxml<5; pyfahrplan 1.1.0 wants rich<11, requests-cache<0.9,
installs a global HTTP cache and downloads the CCC schedules when used).
So each consumer below is a small reimplementation that reads the same fields
the same way (same keys, same ``.get`` defaults, same string methods) as the
named file of the named project; only their file writing and terminal output
are left out or reduced to what touches the fields.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.content.pipeline import load_program
from generator.exports import export_files

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "consumers" / "content"


def _schedule(content: Path, base_url: str) -> dict[str, Any]:
    files = {item.path: item.content for item in export_files(load_program(content), base_url)}
    return json.loads(files["schedule.json"])


@pytest.fixture(scope="module")
def schedules() -> dict[str, dict[str, Any]]:
    return {
        "lund": _schedule(ROOT / "content", "/"),
        "lund, absolute": _schedule(ROOT / "content", "https://symposium.example.org/lund/"),
        "consumers fixture": _schedule(FIXTURE, "/"),
    }


NAMES = ["lund", "lund, absolute", "consumers fixture"]


def _events(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [event for day in data["schedule"]["conference"]["days"]
            for events in day["rooms"].values() for event in events]


# ------------------------------------------------------------------ jekyll-theme-conference 4.x
# DigitaleGesellschaft/jekyll-theme-conference, _tools/import_schedule.py (parse_frab and
# create_content_files): turns a frab schedule.json into _talks/, _speakers/, _rooms/ and
# _data/program.yml. It strips room descriptions and biographies after an `or ""`-style guard,
# but strips `talk.get("abstract", "")` and `talk.get("description", "")` unguarded, so a key that
# is present with null crashes it (AttributeError: 'NoneType' object has no attribute 'strip').

def _jekyll_id(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower()).encode("ASCII", "ignore").decode("utf-8")
    text = re.sub(r"(?u)[^-\w]", "", text.replace(" ", "_").replace("-", "_"))
    return re.sub("_+", "_", text)


def _jekyll_talk_text(abstract: str, description: str) -> str:
    abstract, description = abstract.strip(), description.strip()
    long_abstract = len(abstract.split()) > 1
    if description and long_abstract:
        return "{:.lead}\n" + abstract + "\n\n" + description
    return description or (abstract if long_abstract else "")


def _jekyll_end(start: str, duration: str) -> str:
    start_h, start_m = map(int, start.split(":"))
    length_h, length_m = map(int, duration.split(":"))
    total = start_h * 60 + start_m + length_h * 60 + length_m
    return f"{total // 60 % 24:02d}:{total % 60:02d}"


def jekyll_theme_conference(data: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    conference = data["schedule"]["conference"]
    content: dict[str, list[dict[str, Any]]] = {"talks": [], "speakers": [], "rooms": [], "program": []}
    for room in conference["rooms"]:
        text = (room["description"] if "description" in room and room["description"] else "").strip()
        content["rooms"].append({"name": room.get("name", ""), "description": text, **({} if text else {"hide": True})})
    for day in conference["days"]:
        for room_name, talks in day["rooms"].items():
            for talk in sorted(talks, key=lambda t: t["start"]):
                for person in talk["persons"]:
                    bio = (person["biography"] if "biography" in person and person["biography"] else "").strip()
                    name = person.get("public_name", "Anonymous")
                    first, _, last = name.rpartition(" ")
                    content["speakers"].append({"name": name, "first_name": first, "last_name": last,
                                                "description": bio, **({} if bio else {"hide": True})})
                entry = {
                    "name": talk["title"],
                    "speakers": [person["public_name"] for person in talk["persons"]],
                    "track": talk.get("track", ""),
                    "tags": [talk["type"]] if talk.get("type") else [],
                    "description": _jekyll_talk_text(talk.get("abstract", ""), talk.get("description", "")),
                }
                if talk.get("do_not_record"):
                    entry["tags"].append("No recording")
                content["talks"].append(entry)
                content["program"].append({"name": talk["title"], "date": day["date"], "time_start": talk["start"],
                                           "time_end": _jekyll_end(talk["start"], talk["duration"]),
                                           "room": room_name})
    return content


def jekyll_files(entries: list[dict[str, Any]], folder: Path) -> None:
    """create_content_files: YAML front matter from every field but the description, which is the body."""
    folder.mkdir(parents=True, exist_ok=True)
    for entry in entries:
        header = {key: value.replace("|", "\\|") if isinstance(value, str) else value
                  for key, value in entry.items() if key != "description"}
        with open(folder / (_jekyll_id(entry["name"]) + ".md"), "w", encoding="utf-8") as file:
            file.write("---\n")
            yaml.dump(header, file, encoding="utf-8", allow_unicode=True, default_flow_style=False)
            file.write("---\n")
            file.write(entry["description"])


@pytest.mark.parametrize("name", NAMES)
def test_jekyll_theme_conference_imports_every_slot(name, schedules, tmp_path):
    data = schedules[name]
    content = jekyll_theme_conference(data)
    assert len(content["talks"]) == len(content["program"]) == len(_events(data))
    for kind in ("talks", "speakers", "rooms"):
        jekyll_files(content[kind], tmp_path / f"_{kind}")
    assert all(isinstance(talk["description"], str) for talk in content["talks"])


def test_jekyll_theme_conference_gets_abstract_and_description_as_the_talk_page(schedules, tmp_path):
    talks = {talk["name"]: talk for talk in jekyll_theme_conference(schedules["consumers fixture"])["talks"]}
    full = talks["Step Sizes: A Story"]["description"]
    assert full.startswith("{:.lead}\nAn abstract with *Markdown*")
    assert full.endswith("Based on joint work with Bo Beispiel and Cleo Muster.")
    assert talks["A Talk With Nothing but a Title"]["description"] == ""
    assert talks["Coffee"]["description"] == "Downstairs, by the *stairs*."
    speakers = {speaker["name"]: speaker
                for speaker in jekyll_theme_conference(schedules["consumers fixture"])["speakers"]}
    assert speakers["Bo Beispiel"]["hide"] is True
    assert speakers["Ada Example"]["description"] == "Works on *step sizes*."


# ------------------------------------------------------------------ jekyll-theme-conference 3.x
# The same project's earlier _tools/create_entries.py (`--frab`), still in sites made from
# the 3.x template: it indexes talk['abstract'], talk['description'] and speaker['biography']
# directly (a missing key is a KeyError), compares the description with '' and splits the
# abstract (null: AttributeError), and puts [track, type] into the talk's categories.

def jekyll_theme_conference_3(data: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    content: dict[str, list[dict[str, Any]]] = {"talks": [], "speakers": [], "program": []}
    for day in data["schedule"]["conference"]["days"]:
        for room, talks in day["rooms"].items():
            for talk in sorted(talks, key=lambda t: t["start"]):
                for person in talk["persons"]:
                    name = person["public_name"]
                    if name not in [speaker["name"] for speaker in content["speakers"]]:
                        parts = name.rsplit(" ", 1)
                        content["speakers"].append({"name": name, "bio": person["biography"],
                                                    "first_name": parts[0] if len(parts) > 1 else "",
                                                    "last_name": parts[-1]})
                abstract, description = talk["abstract"], talk["description"]
                if description != "" and len(abstract.split()) > 1:
                    text = "{{:.lead}}\n{}\n\n{}".format(talk["abstract"], description)
                elif description != "":
                    text = description
                elif len(abstract.split()) > 1:
                    text = abstract
                else:
                    text = ""
                content["talks"].append({"name": talk["title"], "speakers": [p["public_name"] for p in talk["persons"]],
                                         "categories": [talk["track"], talk["type"]], "description": text})
                start, length = talk["start"].split(":"), talk["duration"].split(":")
                end = [int(start[0]) + int(length[0]), int(start[1]) + int(length[1])]
                content["program"].append({"name": talk["title"], "date": day["date"], "time_start": talk["start"],
                                           "time_end": "{}:{:02d}".format((end[0] + end[1] // 60) % 24, end[1] % 60),
                                           "room": room})
    for kind, body in (("talks", "description"), ("speakers", "bio")):  # create_files: a body that is not
        for entry in content[kind]:                                       # empty is escaped, else hidden
            if entry[body]:
                entry[body] = entry[body].replace("|", "\\|")
    return content


@pytest.mark.parametrize("name", NAMES)
def test_jekyll_theme_conference_3_imports_every_slot(name, schedules):
    data = schedules[name]
    content = jekyll_theme_conference_3(data)
    assert len(content["talks"]) == len(content["program"]) == len(_events(data))


# ------------------------------------------------------------------ pyfahrplan 1.1.0
# pyfahrplan/lib.py (Fahrplan.flatten_fahrplans, filter_talk, is_talk_in_timerange,
# is_talk_in_past): a CCC schedule CLI. It indexes talk["description"], ["abstract"] and
# ["track"] (a missing key is a KeyError; null becomes ""), then filters with
# `needle.lower() in talk[field].lower()` on the conference acronym, speakers, title, track
# and room. It parses times with dateutil; datetime's own parsers stand in for it here.

def pyfahrplan_flatten(schedule: dict[str, Any]) -> list[dict[str, Any]]:
    flat = []
    for day in schedule["conference"]["days"]:
        for room_name, room in day["rooms"].items():
            for talk in room:
                flat.append({
                    "conference_title": schedule["conference"]["title"],
                    "conference_acronym": schedule["conference"]["acronym"],
                    "day": day["index"],
                    "room": room_name,
                    "title": talk["title"],
                    "talk_guid": talk.get("guid"),
                    "talk_id": talk["id"],
                    "talk_start": talk["start"],
                    "talk_date": talk["date"],
                    "talk_duration": talk["duration"],
                    "talk_description": "" if talk["description"] is None else talk["description"],
                    "talk_abstract": "" if talk["abstract"] is None else talk["abstract"],
                    "track": "" if talk["track"] is None else talk["track"],
                    "speakers": ", ".join(person.get("public_name", person.get("full_public_name", ""))
                                          for person in talk.get("persons", [])),
                })
    return flat


def pyfahrplan_matches(talk: dict[str, Any], **needles: str) -> bool:
    """filter_talk with the given needles (conference, speaker, title, track, room), plus the time checks."""
    duration = dt.datetime.strptime(talk["talk_duration"], "%H:%M")
    length = dt.timedelta(hours=duration.hour, minutes=duration.minute)
    start = dt.datetime.strptime(talk["talk_start"], "%H:%M")  # is_talk_in_timerange
    assert start + length >= start
    assert dt.datetime.fromisoformat(talk["talk_date"]) + length  # is_talk_in_past
    fields = {"conference": "conference_acronym", "speaker": "speakers", "title": "title", "track": "track",
              "room": "room"}
    return all(needle.lower() in talk[fields[key]].lower() for key, needle in needles.items())


@pytest.mark.parametrize("name", NAMES)
def test_pyfahrplan_lists_and_filters_every_slot(name, schedules):
    data = schedules[name]
    talks = pyfahrplan_flatten(data["schedule"])
    assert len(talks) == len(_events(data))
    for talk in talks:
        assert pyfahrplan_matches(talk, conference="", speaker="", title="", track="", room="")
        # `--show-abstract --show-description`: the cells of rich's table
        assert isinstance(talk["talk_abstract"], str) and isinstance(talk["talk_description"], str)


def test_pyfahrplan_finds_the_talks_of_a_track_and_a_speaker(schedules):
    talks = pyfahrplan_flatten(schedules["consumers fixture"]["schedule"])
    assert [t["title"] for t in talks if pyfahrplan_matches(t, track="theo")] == ["Step Sizes: A Story"]
    assert sorted(t["title"] for t in talks if pyfahrplan_matches(t, speaker="beispiel")) == [
        "A Talk With Nothing but a Title", "TBA"]


# ------------------------------------------------------------------ the rule behind them


def _nulls(value: Any, path: str = "") -> list[str]:
    if value is None:
        return [path]
    if isinstance(value, dict):
        return [found for key, item in value.items() for found in _nulls(item, f"{path}.{key}")]
    if isinstance(value, list):
        return [found for index, item in enumerate(value) for found in _nulls(item, f"{path}[{index}]")]
    return []


@pytest.mark.parametrize("name", NAMES)
def test_the_schedule_has_no_null_text_and_every_text_key_an_app_indexes(name, schedules):
    """Every text field is a string, "" where the content says nothing (pretalx writes "" too)."""
    data = schedules[name]
    assert _nulls(data) == []
    for event in _events(data):
        for key in ("title", "subtitle", "track", "type", "language", "abstract", "description"):
            assert isinstance(event[key], str), key
        assert all(isinstance(person["biography"], str) for person in event["persons"])
