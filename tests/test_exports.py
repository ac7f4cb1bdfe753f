"""The calendar and schedule feeds: iCalendar, frab/c3voc JSON and XML.

The real Lund program is exported once per module; a tiny multi-room program
written into ``tmp_path`` covers rooms, tracks, plenaries and parallel slots.
The frab files are checked against the published c3voc schemas.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import subprocess
import sys
import textwrap
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import icalendar
import jsonschema
import pytest
import xmlschema
from defusedxml import ElementTree as SafeET
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar.parser.string import _foldline

import generator.exports
from generator.content.dump import program_to_dict
from generator.content.pipeline import load_program
from generator.exports import export_files
from generator.exports.frab import slot_id_of
from generator.exports.fragments import read_fragments
from generator.exports.ical import fold

ROOT = Path(__file__).parent.parent
SCHEMAS = Path("/work/shared/schemas/c3voc")
if not SCHEMAS.is_dir():  # a fresh clone elsewhere: the same files may be vendored beside the tests
    SCHEMAS = ROOT / "tests" / "schemas" / "c3voc"
UTC = dt.timezone.utc


def schema_path(name: str) -> Path:
    if not (SCHEMAS / name).is_file():
        pytest.skip(f"the c3voc schema {name} is not available")
    return SCHEMAS / name


def files_of(program, base_url="/") -> dict[str, bytes]:
    return {f.path: f.content for f in export_files(program, base_url)}


@pytest.fixture(scope="module")
def lund():
    return load_program(ROOT / "content")


@pytest.fixture(scope="module")
def lund_files(lund) -> dict[str, bytes]:
    return files_of(lund)


RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def format_checker(absolute_urls: bool) -> jsonschema.FormatChecker:
    """The formats the schema names but jsonschema's draft-6 checker skips (uuid, date-time, date, uri).

    ``uri`` means an absolute address; a site built without one (``--base-url /``)
    can only give page addresses relative to the schedule file, so there it
    is checked as a URI reference.
    """
    checker = jsonschema.FormatChecker()
    checker.checks("uuid", raises=ValueError)(lambda value: str(uuid.UUID(value)) == value)
    checker.checks("date-time")(lambda value: bool(RFC3339.match(value)))
    checker.checks("date", raises=ValueError)(lambda value: bool(dt.date.fromisoformat(value)))
    checker.checks("uri")(lambda value: bool(urlsplit(value).scheme) or not absolute_urls)
    return checker


def schema_errors(data: dict, absolute_urls: bool = True) -> list[str]:
    schema = json.loads(schema_path("schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft6Validator(schema, format_checker=format_checker(absolute_urls))
    return [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(data)]


@pytest.fixture(scope="module")
def xml_schema():
    return xmlschema.XMLSchema(str(schema_path("schedule.xml.xsd")))


def json_events(data: dict) -> list[dict]:
    return [event for day in data["schedule"]["conference"]["days"]
            for events in day["rooms"].values() for event in events]


def slot_id(event: dict, acronym: str) -> str:
    """What the importer does: the slug without its ``<acronym>-<id>-`` prefix."""
    found = slot_id_of(event, acronym)
    assert found is not None, event["slug"]
    return found


def vevents(ics: bytes) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(ics).walk("VEVENT"))


# ----------------------------------------------------------------- frab / c3voc


def test_schedule_json_validates_against_the_c3voc_schema(lund_files):
    assert schema_errors(json.loads(lund_files["schedule.json"]), absolute_urls=False) == []


def test_schedule_json_with_an_absolute_base_url_has_only_absolute_urls(lund):
    data = json.loads(files_of(lund, "https://symposium.example.org/lund/")["schedule.json"])
    assert schema_errors(data) == []
    assert data["schedule"]["base_url"] == "https://symposium.example.org/lund/"
    assert json_events(data)[1]["url"].startswith("https://symposium.example.org/lund/")


def test_the_format_checks_catch_a_bad_guid_and_a_relative_url(lund_files):
    data = json.loads(lund_files["schedule.json"])
    json_events(data)[0]["guid"] = "not-a-uuid"
    assert len(schema_errors(data)) == 1 + len(json_events(data))  # the guid, and every relative url


def test_schedule_xml_validates_against_the_c3voc_xsd(lund_files, xml_schema):
    errors = [str(error) for error in xml_schema.iter_errors(lund_files["schedule.xml"].decode("utf-8"))]
    assert errors == []


def test_every_slot_is_in_the_schedule_json_exactly_once(lund, lund_files):
    data = json.loads(lund_files["schedule.json"])
    acronym = data["schedule"]["conference"]["acronym"]
    ids = [slot_id(event, acronym) for event in json_events(data)]
    assert sorted(ids) == sorted(slot.id for slot in lund.slots)
    assert len(ids) == len(set(ids)) == 39


def test_every_slot_is_in_the_schedule_xml_exactly_once_with_the_json_guid(lund, lund_files):
    root = SafeET.fromstring(lund_files["schedule.xml"])
    xml_guids = [event.get("guid") for event in root.iter("event")]
    json_guids = [event["guid"] for event in json_events(json.loads(lund_files["schedule.json"]))]
    assert len(xml_guids) == len(set(xml_guids)) == len(lund.slots)
    assert xml_guids == json_guids


def test_schedule_events_carry_local_start_with_offset_and_duration(lund, lund_files):
    data = json.loads(lund_files["schedule.json"])
    acronym = data["schedule"]["conference"]["acronym"]
    by_id = {slot_id(event, acronym): event for event in json_events(data)}
    for slot in program_to_dict(lund)["slots"]:
        event = by_id[slot["id"]]
        assert event["date"] == slot["start"]
        assert event["type"] == slot["kind"]
        if slot["end"] is None:
            assert event["duration"] == "00:00" and "end" not in event
        else:
            length = dt.datetime.fromisoformat(slot["end"]) - dt.datetime.fromisoformat(slot["start"])
            assert event["duration"] == f"{length.seconds // 3600:02d}:{length.seconds // 60 % 60:02d}"
    registration = by_id["2026-05-06-0830-registration"]
    assert registration["date"] == "2026-05-06T08:30:00+02:00" and registration["duration"] == "00:15"


def test_a_tba_talk_keeps_its_speaker_in_the_schedule(lund, lund_files):
    data = json.loads(lund_files["schedule.json"])
    acronym = data["schedule"]["conference"]["acronym"]
    event = next(e for e in json_events(data) if slot_id(e, acronym) == "richtarik")
    assert lund.talks["richtarik"].tba
    assert event["title"] == "TBA"  # as pretalx writes it; the app shows the person beside it
    assert [(p["slug"], p["name"]) for p in event["persons"]] == [("peter-richtarik", "Peter Richtárik")]
    assert event["persons"][0]["biography"]


def test_unicode_names_survive_in_json_and_xml(lund_files):
    names = {p["public_name"] for e in json_events(json.loads(lund_files["schedule.json"])) for p in e["persons"]}
    assert {"Peter Richtárik", "Radu I. Boţ"} <= names
    root = SafeET.fromstring(lund_files["schedule.xml"])
    assert {"Peter Richtárik", "Radu I. Boţ"} <= {person.text for person in root.iter("person")}


def test_a_speaker_is_the_same_person_in_every_event(lund_files):
    guids: dict[str, set[str]] = {}
    for event in json_events(json.loads(lund_files["schedule.json"])):
        for person in event["persons"]:
            guids.setdefault(person["slug"], set()).add(person["guid"])
    assert all(len(found) == 1 for found in guids.values())
    assert len({next(iter(found)) for found in guids.values()}) == len(guids)


def test_a_room_less_event_gets_one_room_per_venue_and_one_for_slots_without_venue(lund, lund_files):
    rooms = [room["name"] for room in json.loads(lund_files["schedule.json"])["schedule"]["conference"]["rooms"]]
    assert rooms == ["Lund", "Historical Museum at Lund University", "Turning Torso", "Lund Cathedral"]


# ----------------------------------------------------------------- iCalendar


def test_schedule_ics_has_one_vevent_per_slot_at_the_right_instant(lund, lund_files):
    events = {str(e["UID"]).split("@")[0]: e for e in vevents(lund_files["schedule.ics"])}
    slots = program_to_dict(lund)["slots"]
    assert len(events) == len(slots) == len(vevents(lund_files["schedule.ics"]))
    for slot in slots:
        event = events[slot["id"]]
        assert event.start.astimezone(UTC) == dt.datetime.fromisoformat(slot["start"]).astimezone(UTC)
        if slot["end"] is None:
            assert "DTEND" not in event and "DURATION" not in event
        else:
            assert event.end.astimezone(UTC) == dt.datetime.fromisoformat(slot["end"]).astimezone(UTC)
    registration = events["2026-05-06-0830-registration"]
    assert registration.start.astimezone(UTC) == dt.datetime(2026, 5, 6, 6, 30, tzinfo=UTC)
    assert registration["DTSTART"].params["TZID"] == "Europe/Stockholm"


def test_schedule_ics_defines_the_event_time_zone(lund_files):
    calendar = icalendar.Calendar.from_ical(lund_files["schedule.ics"])
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Stockholm"]
    assert calendar.get_missing_tzids() == set()


def test_ics_lines_end_in_crlf_and_are_folded_at_75_octets(lund_files):
    raw = lund_files["schedule.ics"]
    assert raw.endswith(b"\r\n")
    lines = raw.split(b"\r\n")[:-1]
    assert b"\n" not in b"".join(lines)
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # long abstracts were folded, not cut


def test_ics_summary_description_and_unicode(lund_files):
    events = {str(e["UID"]).split("@")[0]: e for e in vevents(lund_files["schedule.ics"])}
    assert str(events["richtarik"]["SUMMARY"]) == "TBA — Peter Richtárik"
    assert "Radu I. Boţ (University of Vienna)" in str(events["bot-tikhonov"]["DESCRIPTION"])
    assert "Boţ" in lund_files["schedule.ics"].decode("utf-8")
    assert "URL" not in events["bot-tikhonov"]  # the site has no absolute address


def test_every_scheduled_talk_has_its_own_ics(lund, lund_files):
    scheduled = sorted(talk.id for talk in lund.talks.values() if talk.slot is not None)
    assert sorted(p[len("talks/"):-len(".ics")] for p in lund_files if p.endswith(".ics") and "/" in p) == scheduled
    for talk_id in scheduled:
        calendar = icalendar.Calendar.from_ical(lund_files[f"talks/{talk_id}.ics"])
        [event] = calendar.walk("VEVENT")
        assert str(event["UID"]).startswith(f"{talk_id}@")
        assert calendar.get_missing_tzids() == set() and calendar.walk("VTIMEZONE")


DIGEST = """
import hashlib, sys
from pathlib import Path
from generator.exports import export_files
from generator.content.pipeline import load_program
files = export_files(load_program(Path(sys.argv[1])), "/")
print(hashlib.sha256(b"".join(f.path.encode() + b"\\0" + f.content for f in files)).hexdigest())
"""


def test_exports_are_byte_identical_across_two_runs(lund_files):
    again = files_of(load_program(ROOT / "content"))
    assert list(again) == list(lund_files)
    assert all(again[path] == lund_files[path] for path in again)
    # another process with another hash seed: no set or dict ordering leaks into the files
    expected = hashlib.sha256(b"".join(path.encode() + b"\0" + content for path, content in lund_files.items()))
    run = subprocess.run([sys.executable, "-c", DIGEST, str(ROOT / "content")], cwd=ROOT, capture_output=True,
                         text=True, env={**os.environ, "PYTHONHASHSEED": "12345"}, check=True)
    assert run.stdout.strip() == expected.hexdigest()


# ----------------------------------------------------------------- a multi-room program


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


MULTI_ROOM = {
    "event.yaml": """\
        name: Tiny Workshop
        start: 2026-10-20
        end: 2026-10-20
        timezone: Europe/Stockholm
        city: Umeå
        url: https://tiny.example.org/
        default_venue: campus
        tracks:
          - {id: theory, name: Theory, color: "#1F77B4"}
        """,
    "venues.yaml": """\
        venues:
          - id: campus
            name: Campus Hall
            address: Universitetstorget 4, Umeå
            rooms:
              - {id: aula, name: Aula}
              - {id: room-b, name: Room B}
              - {id: room-c, name: Room C}
        """,
    "program/2026-10-20.yaml": """\
        date: 2026-10-20
        slots:
          - {start: "09:00", end: "09:30", kind: opening, title: Opening, all_rooms: true}
          - {start: "09:30", end: "10:10", kind: talk, talk: theory-talk, room: aula, track: theory}
          - {start: "09:30", end: "10:10", kind: talk, talk: applied-talk, room: room-b}
          - {start: "10:15", end: "12:15", kind: workshop, talk: hands-on, room: room-c}
          - {start: "12:15", end: "13:00", kind: meal, title: Lunch}
          - {start: "19:00", kind: meal, title: Dinner, venue: campus}
        """,
    "talks/theory-talk.yaml": "title: Convergence of Everything\nspeakers: [ada]\nabstract: A *bold* claim.\n",
    "talks/applied-talk.yaml": "tba: true\nspeakers: [bo]\n",
    "talks/hands-on.yaml": "title: Hands-on JAX\nspeakers: [ada, bo]\n",
    "speakers/ada.yaml": "name: Ada Łukasiewicz\naffiliations: [Umeå University]\nbio: Works on *proofs*.\n",
    "speakers/bo.yaml": "name: Bo Öberg\n",
}


@pytest.fixture(scope="module")
def multi_room(tmp_path_factory):
    program = load_program(write_tree(tmp_path_factory.mktemp("multi"), MULTI_ROOM))
    return program, files_of(program, "/preview/")


def test_multi_room_exports_validate_against_both_schemas(multi_room, xml_schema):
    _, files = multi_room
    assert schema_errors(json.loads(files["schedule.json"])) == []
    assert [str(e) for e in xml_schema.iter_errors(files["schedule.xml"].decode("utf-8"))] == []


def test_multi_room_schedule_lists_every_room_and_each_event_under_its_room(multi_room):
    program, files = multi_room
    conference = json.loads(files["schedule.json"])["schedule"]["conference"]
    assert [room["name"] for room in conference["rooms"]] == ["Campus Hall", "Aula", "Room B", "Room C"]
    [day] = conference["days"]
    placed = {event["title"]: room for room, events in day["rooms"].items() for event in events}
    assert placed == {
        "Opening": "Aula",  # a plenary is listed once, under the venue's first room
        "Convergence of Everything": "Aula",
        "TBA": "Room B",
        "Hands-on JAX": "Room C",
        "Lunch": "Campus Hall",
        "Dinner": "Campus Hall",
    }
    assert all(event["room"] == room for room, events in day["rooms"].items() for event in events)
    root = SafeET.fromstring(files["schedule.xml"])
    assert {(event.findtext("title"), room.get("name")) for room in root.iter("room")
            for event in room.iter("event")} == set(placed.items())


def test_multi_room_schedule_carries_tracks_types_durations_and_absolute_urls(multi_room):
    _, files = multi_room
    schedule = json.loads(files["schedule.json"])["schedule"]
    assert schedule["conference"]["tracks"] == [{"name": "Theory", "slug": "theory", "color": "#1f77b4"}]
    events = {event["title"]: event for event in json_events({"schedule": schedule})}
    assert events["Convergence of Everything"]["track"] == "Theory"
    assert events["Hands-on JAX"]["type"] == "workshop" and events["Hands-on JAX"]["duration"] == "02:00"
    assert events["Dinner"]["duration"] == "00:00"
    assert events["Hands-on JAX"]["url"] == "https://tiny.example.org/talks/hands-on.html"
    assert [p["name"] for p in events["Hands-on JAX"]["persons"]] == ["Ada Łukasiewicz", "Bo Öberg"]
    assert events["Convergence of Everything"]["persons"][0]["biography"] == "Works on *proofs*."


def test_multi_room_ics_carries_location_categories_and_url(multi_room):
    _, files = multi_room
    events = {str(e["SUMMARY"]): e for e in vevents(files["schedule.ics"])}
    theory = events["Convergence of Everything"]
    assert str(theory["LOCATION"]) == "Aula, Campus Hall, Universitetstorget 4, Umeå"
    assert list(theory["CATEGORIES"].cats) == ["Theory", "Talk"]
    assert str(theory["URL"]) == "https://tiny.example.org/talks/theory-talk.html"
    assert str(theory["UID"]) == "theory-talk@tiny.example.org"
    assert "A bold claim." in str(theory["DESCRIPTION"])
    assert str(events["Opening"]["LOCATION"]) == "Campus Hall, Universitetstorget 4, Umeå"
    assert "DTEND" not in events["Dinner"]
    assert events["Hands-on JAX"].end - events["Hands-on JAX"].start == dt.timedelta(hours=2)


def test_rooms_with_the_same_name_in_two_venues_stay_apart(tmp_path, xml_schema):
    tree = dict(MULTI_ROOM)
    tree["venues.yaml"] = """\
        venues:
          - id: campus
            name: Campus Hall
            rooms: [{id: aula, name: Room 1}, {id: room-b, name: Room B}, {id: room-c, name: Room C}]
          - id: annex
            name: Annex
            rooms: [{id: one, name: Room 1}]
        """
    tree["program/2026-10-21.yaml"] = """\
        date: 2026-10-21
        slots:
          - {start: "09:00", end: "10:00", kind: poster, title: Posters, venue: annex, room: one}
        """
    tree["event.yaml"] = MULTI_ROOM["event.yaml"].replace("end: 2026-10-20", "end: 2026-10-21")
    files = files_of(load_program(write_tree(tmp_path, tree)))
    data = json.loads(files["schedule.json"])
    conference = data["schedule"]["conference"]
    assert [room["name"] for room in conference["rooms"]][-2:] == ["Room C", "Room 1 (Annex)"]
    assert list(conference["days"][1]["rooms"]) == ["Room 1 (Annex)"]
    assert "Convergence of Everything" in [e["title"] for e in conference["days"][0]["rooms"]["Room 1 (Campus Hall)"]]
    assert schema_errors(data, absolute_urls=False) == []
    assert [str(e) for e in xml_schema.iter_errors(files["schedule.xml"].decode("utf-8"))] == []


# ----------------------------------------------------------------- the bytes are what the libraries write


def test_schedule_json_is_exactly_what_json_writes_for_its_data(lund_files, multi_room):
    for raw in (lund_files["schedule.json"], multi_room[1]["schedule.json"]):
        data = json.loads(raw)
        assert raw == (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def test_schedule_xml_is_exactly_what_elementtree_writes_for_its_tree(lund_files, multi_room):
    for raw in (lund_files["schedule.xml"], multi_room[1]["schedule.xml"]):
        root = SafeET.fromstring(raw)
        for element in root.iter():
            element.tail = None
            if len(element):
                element.text = None
        ET.indent(root, space=" ")
        assert raw == b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"


def test_every_calendar_is_exactly_what_icalendar_writes_for_it(lund_files, multi_room):
    calendars = {**lund_files, **{f"multi/{path}": raw for path, raw in multi_room[1].items()}}
    for path, raw in calendars.items():
        if path.endswith(".ics"):
            assert icalendar.Calendar.from_ical(raw).to_ical() == raw, path


# Unpaired surrogates are left out: content validation rejects them (tests/bad_content/cases.yaml)
# and icalendar itself cannot encode them.
_CONTENT_CHARACTERS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n")


@given(st.text(st.sampled_from("ab \\^,;:éŁ—😀") | _CONTENT_CHARACTERS, max_size=400))
@settings(max_examples=500, derandomize=True, database=None)
def test_folding_cuts_content_lines_exactly_where_icalendar_does(line):
    assert fold(line) == _foldline(line)


# ----------------------------------------------------------------- the fragment cache


@pytest.fixture()
def serializations(monkeypatch) -> list[str]:
    """The slot ids serialized by the exports (rather than taken from the fragment cache)."""
    made: list[str] = []
    serialize = generator.exports.slot_fragment

    def counted(constants, record):
        made.append(record["id"])
        return serialize(constants, record)

    monkeypatch.setattr(generator.exports, "slot_fragment", counted)
    return made


def exported(program, cache_file=None, base_url="/preview/") -> dict[str, bytes]:
    return {f.path: f.content for f in export_files(program, base_url, cache_file)}


def test_a_rebuild_from_the_cache_serializes_nothing_and_writes_the_same_bytes(multi_room, tmp_path, serializations):
    program, cold = multi_room
    cache = tmp_path / "exports.cache"
    assert exported(program, cache) == cold
    assert len(serializations) == len(program.slots)
    serializations.clear()
    assert exported(program, cache) == cold
    assert serializations == []


def test_editing_one_abstract_serializes_only_its_slot_again(tmp_path, serializations):
    root = write_tree(tmp_path / "content", MULTI_ROOM)
    cache = tmp_path / "exports.cache"
    exported(load_program(root), cache)
    (root / "talks/theory-talk.yaml").write_text("title: Convergence of Everything\nspeakers: [ada]\n"
                                                 "abstract: A *bolder* claim.\n", encoding="utf-8")
    serializations.clear()
    edited = load_program(root)
    rebuilt = exported(edited, cache)
    assert serializations == ["theory-talk"]
    assert rebuilt == exported(edited)
    assert "A bolder claim." in str(vevents(rebuilt["talks/theory-talk.ics"])[0]["DESCRIPTION"])
    # the fragment of the old abstract is gone (each slot's is filed under its record and under its files' digests)
    assert len(set(read_fragments(cache).values())) == len(edited.slots)


def test_slots_whose_files_did_not_change_are_not_even_turned_into_records(tmp_path, monkeypatch):
    root = write_tree(tmp_path / "content", MULTI_ROOM)
    cache = tmp_path / "exports.cache"
    first = exported(load_program(root), cache)
    built: list[str] = []
    record = generator.exports.slot_record
    monkeypatch.setattr(generator.exports, "slot_record", lambda feed, slot: built.append(slot.id) or record(feed, slot))
    (root / "speakers/ada.yaml").write_text((root / "speakers/ada.yaml").read_text(encoding="utf-8")
                                            .replace("name: ", "name: Dr ", 1), encoding="utf-8")
    edited = load_program(root)
    again = exported(edited, cache)
    ada = sorted(slot.id for slot in edited.slots if any(speaker.id == "ada" for speaker in slot.speakers))
    assert ada and sorted(built) == ada
    assert again == exported(edited) and again != first


def test_another_base_url_reuses_no_fragment(multi_room, tmp_path, serializations):
    program, _ = multi_room
    cache = tmp_path / "exports.cache"
    exported(program, cache, "/preview/")
    serializations.clear()
    elsewhere = exported(program, cache, "https://elsewhere.example.org/")
    assert len(serializations) == len(program.slots)
    assert elsewhere == exported(program, None, "https://elsewhere.example.org/")


@pytest.mark.parametrize("damage", ["truncated", "one byte flipped", "not ours", "empty"])
def test_a_damaged_cache_file_is_ignored_and_rebuilt(multi_room, tmp_path, serializations, damage):
    program, cold = multi_room
    cache = tmp_path / "exports.cache"
    exported(program, cache)
    raw = cache.read_bytes()
    cache.write_bytes({"truncated": raw[: len(raw) // 2],
                       "one byte flipped": raw[:-100] + bytes([raw[-100] ^ 1]) + raw[-99:],
                       "not ours": b"\x00" * 64,
                       "empty": b""}[damage])
    serializations.clear()
    assert exported(program, cache) == cold
    assert len(serializations) == len(program.slots)
    assert read_fragments(cache).keys() and len(set(read_fragments(cache).values())) == len(program.slots)


def test_slot_numbers_use_exactly_the_uuid5_of_their_id():
    import uuid

    from generator.exports.common import uuid5_int

    space = uuid.uuid5(uuid.NAMESPACE_URL, "urn:test")
    for name in ["slot-number:a", "slot-number:2026-05-05-0900-opening", "slot-number:Łukasiewicz", "", "x" * 500]:
        assert uuid5_int(space.bytes, name) == uuid.uuid5(space, name).int
