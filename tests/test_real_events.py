"""Schedules written by systems nobody here controls import, check, build and export valid schedules.

The four real exports in ../shared/real-events/ (frab, pretalx twice, the 38C3 hub's "schedule 2")
are used where that folder exists. The quirks they show are also in small fixtures of our own,
tests/fixtures/import/, so the suite covers them without it: a talk relayed into an overflow room, a
speaker in two rooms at once, invisible characters, a schedule without a time zone, schedule 2 JSON,
and a schedule with no events. Hand-written content stays strict: a clash typed by hand is an error;
only a clash the content names (``clashes_with``, ``relays``) is a warning, and never a silent one.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
import xmlschema
from test_exports import schema_errors, schema_path

from generator.cli import main
from generator.commands.import_quirks import WELL_KNOWN_ZONES, infer_zone
from generator.commands.import_schedule import ScheduleError, import_schedule

REAL_EVENTS = Path(__file__).resolve().parents[2] / "shared" / "real-events"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "import"
C3VOC_ZONE = re.compile(r"^([A-Z][a-z]+/[A-Z][a-z]+)|UTC$")  # the c3voc schema's time_zone_name pattern


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(arg) for arg in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def imported(source: Path, target: Path, capsys, *options: str) -> str:
    """Import ``source`` into ``target``; the import must succeed. Returns what it printed on stderr."""
    code, out, err = run(capsys, "import", source, "--content", target, *options)
    assert code == 0, err
    return err


def build(content: Path, out: Path, capsys, search: bool = False) -> None:
    code, _, err = run(capsys, "build", "--content", content, "--out", out, "--no-figures",
                       *([] if search else ["--no-search"]))
    assert code == 0, err


@pytest.fixture(scope="module")
def xsd() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(schema_path("schedule.xml.xsd")))


def export_problems(site: Path, xsd: xmlschema.XMLSchema) -> list[str]:
    """Everything the c3voc JSON schema and XSD find wrong in the site's schedule.json and schedule.xml."""
    problems = schema_errors(json.loads((site / "schedule.json").read_text(encoding="utf-8")), absolute_urls=False)
    return problems + [str(error) for error in xsd.iter_errors((site / "schedule.xml").read_text(encoding="utf-8"))]


def program(content: Path) -> str:
    return "".join(path.read_text(encoding="utf-8") for path in sorted((content / "program").glob("*.yaml")))


# --- the real exports ----------------------------------------------------------------------------

REAL = {  # file: (slots, what the import and check must say on stderr)
    "frab-camp2019.json": (79, []),
    "pretalx-rc3.json": (48, ["time zone Europe/Berlin inferred from the UTC offset +01:00"]),
    "pretalx-democon.json": (36, ["it names UTC, which they contradict", "warning: slot "
                                  "'re-engineered-bandwidth-monitored-focus-group' has a clash: speaker "
                                  "'stephanie-hudson' is also in 'inverse-motivating-array' at that time; "
                                  "acknowledged in 'clashes_with'"]),
    "hub-schedule2.json": (2, []),
}


@pytest.fixture(scope="module", params=sorted(REAL))
def real(request, tmp_path_factory) -> tuple[str, Path]:
    """One real export imported through the command line: its name and the content folder."""
    source = REAL_EVENTS / request.param
    if not source.is_file():
        pytest.skip(f"{source} is absent: the real exports live beside the repository, in ../shared/real-events/")
    target = tmp_path_factory.mktemp("real") / "content"
    code = main(["import", str(source), "--content", str(target)])
    assert code == 0, f"importing {request.param} failed"
    return request.param, target


def test_a_real_export_imports_every_event_and_passes_check_showing_its_warnings(real, capsys):
    name, content = real
    code, out, err = run(capsys, "check", "--content", content)
    assert code == 0, err
    assert out.startswith(f"ok: {REAL[name][0]} slots on ")
    assert [line for line in err.splitlines() if ": warning: " in line] == [
        line for line in err.splitlines() if any(expected in line for expected in REAL[name][1])]
    assert all(expected in err for expected in REAL[name][1] if "warning" in expected)


def test_a_real_export_builds_into_a_site_whose_schedules_the_c3voc_schemas_accept(real, xsd, tmp_path, capsys):
    _, content = real
    build(content, tmp_path / "site", capsys, search=True)
    assert export_problems(tmp_path / "site", xsd) == []
    zone = json.loads((tmp_path / "site" / "schedule.json").read_text(encoding="utf-8"))["schedule"]["conference"]
    assert C3VOC_ZONE.match(zone["time_zone_name"])


@pytest.mark.parametrize("name", sorted(REAL))
def test_a_real_export_says_what_it_inferred_and_what_it_kept(name, tmp_path, capsys):
    source = REAL_EVENTS / name
    if not source.is_file():
        pytest.skip(f"{source} is absent: the real exports live beside the repository, in ../shared/real-events/")
    err = imported(source, tmp_path / "content", capsys)
    for expected in REAL[name][1]:
        assert expected in err


# --- a talk relayed into an overflow room ----------------------------------------------------

def test_the_same_talk_at_the_same_time_in_a_second_room_becomes_a_relay_of_it(tmp_path, capsys):
    err = imported(FIXTURES / "relay-room.json", tmp_path / "content", capsys)
    assert "imported as relay slots" in err
    assert ("- id: keynote-building-in-the-open-overflow\n  start: \"10:00\"\n  end: \"11:00\"\n  kind: talk\n"
            "  talk: keynote-building-in-the-open\n  room: overflow\n  relays: keynote-building-in-the-open\n"
            ) in program(tmp_path / "content")
    assert sorted(path.name for path in (tmp_path / "content" / "talks").iterdir()) == [
        "keynote-building-in-the-open.yaml", "lightning-talks.yaml", "reviewing-patches-kindly.yaml"]


def test_a_relay_passes_check_with_a_warning_that_names_it(tmp_path, capsys):
    imported(FIXTURES / "relay-room.json", tmp_path / "content", capsys)
    code, out, err = run(capsys, "check", "--content", tmp_path / "content")
    assert code == 0 and out.startswith("ok: 4 slots")
    assert re.search(r"content/program/2031-08-20\.yaml:\d+:\d+: warning: slot 'keynote-building-in-the-open-overflow'"
                     r" relays 'keynote-building-in-the-open': its speaker 'ada-example' is shown in two rooms at "
                     r"once, on purpose", err), err
    assert err.rstrip().endswith("1 warning (the content is valid).")


def test_a_relay_must_show_the_talk_of_the_slot_it_relays_while_it_runs(tmp_path, capsys):
    content = tmp_path / "content"
    imported(FIXTURES / "relay-room.json", content, capsys)
    day = content / "program" / "2031-08-20.yaml"
    text = day.read_text(encoding="utf-8")
    cases = {
        "a shown in two places": (text.replace("  talk: keynote-building-in-the-open\n  room: overflow\n",
                                               "  talk: reviewing-patches-kindly\n  room: overflow\n"),
                                  "a relay shows the talk of the slot it relays: 'keynote-building-in-the-open' "
                                  "presents talk 'keynote-building-in-the-open', not 'reviewing-patches-kindly'"),
        "another time": (text.replace('- id: keynote-building-in-the-open-overflow\n  start: "10:00"\n  end: "11:00"',
                                      '- id: keynote-building-in-the-open-overflow\n  start: "14:00"\n  end: "15:00"'),
                         "relays 'keynote-building-in-the-open' but not while it runs"),
        "an unknown slot": (text.replace("relays: keynote-building-in-the-open", "relays: keynote-building"),
                            "'relays' names an unknown slot 'keynote-building' (did you mean "
                            "'keynote-building-in-the-open'?)"),
        "a relay": (text + '- id: second-overflow\n  start: "10:00"\n  end: "11:00"\n  kind: talk\n'
                    "  talk: keynote-building-in-the-open\n  room: overflow\n"
                    "  relays: keynote-building-in-the-open-overflow\n",
                    "'keynote-building-in-the-open-overflow' is itself a relay (relay the slot it relays: "
                    "'relays: keynote-building-in-the-open')"),
    }
    for case, (changed, message) in cases.items():
        day.write_text(changed, encoding="utf-8")
        code, _, err = run(capsys, "check", "--content", content)
        assert code == 1 and message in err, (case, err)
    day.write_text(text.replace("  relays: keynote-building-in-the-open\n", ""), encoding="utf-8")
    code, _, err = run(capsys, "check", "--content", content)
    assert code == 1 and "talk 'keynote-building-in-the-open' is scheduled twice" in err  # without 'relays'


# --- a speaker in two rooms at once, two events in one room --------------------------------------

def test_a_speaker_in_two_rooms_at_once_is_imported_as_an_acknowledged_clash(tmp_path, capsys):
    err = imported(FIXTURES / "acknowledged-clash.json", tmp_path / "content", capsys)
    assert ("clash kept as the schedule has it: 'Focus Group' and 'Inverse Motivating Array' overlap at "
            "2031-12-16 09:30 (speaker stephanie-hudson)") in err
    text = program(tmp_path / "content")
    assert "  talk: focus-group\n  room: gray-room\n  clashes_with:\n  - inverse-motivating-array\n" in text


def test_events_overlapping_in_one_room_are_acknowledged_and_a_slot_without_talk_gets_an_id(tmp_path, capsys):
    imported(FIXTURES / "acknowledged-clash.json", tmp_path / "content", capsys)
    text = program(tmp_path / "content")
    assert "- id: coffee\n" in text and "  clashes_with:\n  - focus-group\n" in text
    assert "  talk: seamless-interface\n  room: gray-room\n  clashes_with:\n  - coffee\n" in text


def test_each_acknowledged_clash_is_a_warning_at_its_line_and_check_passes(tmp_path, capsys):
    imported(FIXTURES / "acknowledged-clash.json", tmp_path / "content", capsys)
    code, out, err = run(capsys, "check", "--content", tmp_path / "content")
    assert code == 0 and out.startswith("ok: 4 slots")
    warnings = [line for line in err.splitlines() if ": warning: " in line]
    assert len(warnings) == 3 and err.rstrip().endswith("3 warnings (the content is valid).")
    lines = (tmp_path / "content" / "program" / "2031-12-16.yaml").read_text(encoding="utf-8").splitlines()
    first = warnings[0]
    line = int(first.split(":")[1])
    assert lines[line - 1] == "  - inverse-motivating-array"  # the entry of 'clashes_with' that acknowledges it
    assert ("warning: slot 'focus-group' has a clash: speaker 'stephanie-hudson' is also in "
            "'inverse-motivating-array' at that time; acknowledged in 'clashes_with' "
            "('inverse-motivating-array' runs 09:00-10:30 on 2031-12-16)") in first


def test_acknowledged_clashes_do_not_stop_the_build_and_the_exports_stay_valid(tmp_path, xsd, capsys):
    imported(FIXTURES / "acknowledged-clash.json", tmp_path / "content", capsys)
    build(tmp_path / "content", tmp_path / "site", capsys)
    assert export_problems(tmp_path / "site", xsd) == []


def test_a_clash_typed_by_hand_stays_an_error(tmp_path, capsys):
    imported(FIXTURES / "acknowledged-clash.json", tmp_path / "content", capsys)
    day = tmp_path / "content" / "program" / "2031-12-16.yaml"
    text = day.read_text(encoding="utf-8")
    day.write_text(text.replace("  clashes_with:\n  - inverse-motivating-array\n", ""), encoding="utf-8")
    code, _, err = run(capsys, "check", "--content", tmp_path / "content")
    assert code == 1
    assert re.search(r"content/program/2031-12-16\.yaml:\d+:10: error: slot 'focus-group' has a clash: speaker "
                     r"'stephanie-hudson' is also in 'inverse-motivating-array' at that time", err), err
    assert err.rstrip().endswith("1 error and 2 warnings found; nothing was built.")


def test_clashes_with_must_name_a_slot_and_a_stale_one_is_a_warning_to_remove(tmp_path, capsys):
    imported(FIXTURES / "acknowledged-clash.json", tmp_path / "content", capsys)
    day = tmp_path / "content" / "program" / "2031-12-16.yaml"
    text = day.read_text(encoding="utf-8")
    day.write_text(text.replace("  - inverse-motivating-array\n", "  - inverse-motivating\n"), encoding="utf-8")
    code, _, err = run(capsys, "check", "--content", tmp_path / "content")
    assert code == 1 and ("error: 'clashes_with' names an unknown slot 'inverse-motivating' "
                          "(did you mean 'inverse-motivating-array'?)") in err
    day.write_text(text.replace("  - focus-group\n", "  - seamless-interface\n  - focus-group\n", 1)
                   .replace('- start: "10:00"\n  end: "10:30"', '- start: "11:00"\n  end: "11:30"'), encoding="utf-8")
    code, _, err = run(capsys, "check", "--content", tmp_path / "content")
    assert code == 0, err
    assert ("warning: slot 'coffee' does not clash with 'seamless-interface' (no shared room or speaker at the "
            "same time) (remove it from 'clashes_with')") in err


# --- invisible characters --------------------------------------------------------------------------

def test_invisible_characters_stay_out_of_names_titles_ids_and_file_names(tmp_path, capsys):
    content = tmp_path / "content"
    imported(FIXTURES / "invisible-characters.json", content, capsys)
    names = sorted(path.relative_to(content).as_posix() for path in content.rglob("*.yaml"))
    assert all(name.isascii() and name.isprintable() for name in names)
    assert "speakers/johanna-muller.yaml" in names and "talks/datenschutz-fur-alle.yaml" in names
    assert (content / "speakers" / "johanna-muller.yaml").read_text(encoding="utf-8").startswith(
        "name: Johanna Müller\n")  # one speaker: with and without the zero-width space, the same name
    assert len(list((content / "speakers").iterdir())) == 2
    talk = (content / "talks" / "datenschutz-fur-alle.yaml").read_text(encoding="utf-8")
    assert talk.startswith("title: Daten\u00adschutz für alle\n")  # BOM gone, the soft hyphen kept
    assert "name: Saal 1\n" in (content / "venues.yaml").read_text(encoding="utf-8")
    assert "مهر\u200cناز" in "".join(path.read_text(encoding="utf-8") for path in (content / "speakers").iterdir())


def test_invisible_characters_in_prose_are_kept_except_direction_marks(tmp_path, capsys):
    content = tmp_path / "content"
    imported(FIXTURES / "invisible-characters.json", content, capsys)
    talk = (content / "talks" / "datenschutz-fur-alle.yaml").read_text(encoding="utf-8")
    assert ("abstract: Privacy\u200b-by-design, explained. A word\u2060joiner, a ZWNJ (می\u200cخواهم) and a "
            "soft\u00adhyphen stay.\n") in talk  # the left-to-right mark is gone
    assert "bio: Johanna\u200b writes about pri\u00advacy.\n" in (content / "speakers" / "johanna-muller.yaml"
                                                                 ).read_text(encoding="utf-8")


def test_the_import_says_what_it_did_with_invisible_characters_and_check_passes(tmp_path, capsys):
    err = imported(FIXTURES / "invisible-characters.json", tmp_path / "content", capsys)
    assert ("left 6 invisible characters (U+200B ZERO WIDTH SPACE, U+2060 WORD JOINER, U+FEFF ZERO WIDTH NO-BREAK "
            "SPACE) out of names and titles") in err
    assert "left 1 invisible character (U+200E LEFT-TO-RIGHT MARK) out of abstracts and biographies" in err
    assert "kept 4 invisible characters (U+200B ZERO WIDTH SPACE, U+200C ZERO WIDTH NON-JOINER, U+2060 WORD " in err
    code, out, err = run(capsys, "check", "--content", tmp_path / "content")
    assert code == 0 and err == "", err


def test_hand_written_prose_may_hold_zero_width_characters_but_a_name_may_not(tmp_path, capsys):
    content = tmp_path / "content"
    imported(FIXTURES / "relay-room.json", content, capsys)
    speaker = content / "speakers" / "ada-example.yaml"
    speaker.write_text("name: Ada Example\nbio: Zero\u200bwidth, word\u2060joiner, \ufeffmark and ZW\u200cNJ.\n",
                       encoding="utf-8")
    assert run(capsys, "check", "--content", content)[0] == 0
    speaker.write_text("name: Ada Ex\u200bample\n", encoding="utf-8")
    code, _, err = run(capsys, "check", "--content", content)
    assert code == 1 and "'name': contains the invisible character U+200B (ZERO WIDTH SPACE)" in err


# --- the time zone -------------------------------------------------------------------------------

def test_a_schedule_without_a_time_zone_gets_a_city_zone_that_fits_its_offsets(tmp_path, xsd, capsys):
    content = tmp_path / "content"
    err = imported(FIXTURES / "missing-zone.json", content, capsys)
    assert "time zone Europe/Berlin inferred from the UTC offset +01:00 of the schedule's times (it names no " \
           "time zone)" in err and "--timezone ZONE" in err
    assert "timezone: Europe/Berlin  # inferred from the UTC offset +01:00" in (content / "event.yaml").read_text(
        encoding="utf-8")
    build(content, tmp_path / "site", capsys)
    assert export_problems(tmp_path / "site", xsd) == []


def test_a_time_zone_that_the_schedules_own_times_contradict_is_replaced_by_one_that_fits():
    data = json.loads((FIXTURES / "missing-zone.json").read_text(encoding="utf-8"))
    data["schedule"]["conference"]["time_zone_name"] = "UTC"  # as pretalx's DemoCon export has it
    result = import_schedule(json.dumps(data), "schedule.json")
    assert "timezone: Europe/Berlin  # inferred from the UTC offset +01:00 of the schedule's times (it names UTC, " \
           "which they contradict)" in result.files["event.yaml"]
    assert '- start: "11:30"' in result.files["program/2031-12-27.yaml"]  # the clock time the source shows


def test_the_timezone_option_chooses_a_zone_that_fits_the_times(tmp_path, capsys):
    err = imported(FIXTURES / "missing-zone.json", tmp_path / "content", capsys, "--timezone", "Europe/Paris")
    assert "inferred" not in err
    assert "timezone: Europe/Paris\n" in (tmp_path / "content" / "event.yaml").read_text(encoding="utf-8")


def test_the_timezone_option_is_refused_when_it_contradicts_the_times(tmp_path, capsys):
    code, _, err = run(capsys, "import", FIXTURES / "missing-zone.json", "--content", tmp_path / "content",
                       "--timezone", "America/New_York")
    assert code == 1 and not (tmp_path / "content").exists()
    assert ("--timezone America/New_York does not fit the schedule: it is at UTC-05:00 on 2031-12-27, where the "
            "schedule's times are at UTC+01:00, so every clock time would move (a zone that fits: Europe/Berlin)"
            ) in err


def test_the_timezone_option_must_name_a_real_zone(tmp_path, capsys):
    code, _, err = run(capsys, "import", FIXTURES / "missing-zone.json", "--content", tmp_path / "content",
                       "--timezone", "Europe/Berlim")
    assert code == 2 and "unknown time zone 'Europe/Berlim' (did you mean 'Europe/Berlin'?)" in err
    assert not (tmp_path / "content").exists()


@pytest.mark.parametrize("moment, zone", [
    ("2031-12-27T11:30:00+01:00", "Europe/Berlin"),
    ("2031-06-27T11:30:00+02:00", "Europe/Berlin"),
    ("2031-06-27T11:30:00+01:00", "Europe/London"),
    ("2031-06-27T11:30:00+00:00", "UTC"),
    ("2031-01-10T09:00:00-05:00", "America/New_York"),
    ("2031-01-10T09:00:00+05:30", "Asia/Kolkata"),
    ("2031-01-10T09:00:00+05:45", "Asia/Kathmandu"),
    ("2031-01-10T09:00:00+08:45", "Australia/Eucla"),  # not well known: the first city that fits, alphabetically
])
def test_an_inferred_zone_is_a_city_or_utc_never_a_fixed_offset_zone(moment, zone):
    inferred = infer_zone([dt.datetime.fromisoformat(moment)])
    assert inferred is not None and inferred.key == zone and C3VOC_ZONE.match(inferred.key)


def test_every_well_known_zone_is_a_name_the_c3voc_schema_accepts():
    assert [name for name in WELL_KNOWN_ZONES if not C3VOC_ZONE.match(name)] == []


# --- schedule 2 ------------------------------------------------------------------------------------

def test_schedule_2_imports_its_top_level_events_and_persons(tmp_path, capsys):
    content = tmp_path / "content"
    code, out, err = run(capsys, "import", FIXTURES / "schedule2.json", "--content", content)
    assert code == 0 and "imported 2 slots on 2 days, 2 talks, 2 speakers, 2 rooms and 2 tracks" in out
    assert "became the 'joint_work' of their talks" in err
    code, out, _ = run(capsys, "check", "--content", content)
    assert code == 0 and out.startswith("ok: 2 slots on 2 days, 2 talks, 2 speakers")
    rita = (content / "speakers" / "rita-river.yaml").read_text(encoding="utf-8")
    assert rita == ("name: Rita River\nbio: Rita builds sensors.\nlinks:\n- label: Mastodon\n"
                    "  url: https://social.example.org/@rita\n")


def test_schedule_2_rooms_by_guid_tracks_by_slug_and_translated_texts(tmp_path, capsys):
    content = tmp_path / "content"
    imported(FIXTURES / "schedule2.json", content, capsys)
    first = (content / "program" / "2031-12-27.yaml").read_text(encoding="utf-8")
    assert "  talk: measuring-rivers-with-cheap-sensors\n  room: saal-1\n  track: science\n" in first
    night = (content / "program" / "2031-12-28.yaml").read_text(encoding="utf-8")
    assert '- start: "00:15"\n  end: "00:55"\n' in night and "  room: stage-yell\n  track: security\n" in night
    talk = (content / "talks" / "measuring-rivers-with-cheap-sensors.yaml").read_text(encoding="utf-8")
    assert "abstract: Sensors in every stream.\n" in talk  # the English text of {en, de}
    assert "joint_work:\n- Carl Contributor\n" in talk and "speakers:\n- rita-river\n" in talk
    assert "bio: Lars opens locks.\n" in (content / "speakers" / "lars-lock.yaml").read_text(encoding="utf-8")
    assert "color: '#00a356'" in (content / "event.yaml").read_text(encoding="utf-8")


def test_schedule_2_builds_into_schedules_the_c3voc_schemas_accept(tmp_path, xsd, capsys):
    imported(FIXTURES / "schedule2.json", tmp_path / "content", capsys)
    build(tmp_path / "content", tmp_path / "site", capsys)
    assert export_problems(tmp_path / "site", xsd) == []


def test_a_schedule_2_error_names_the_path_in_the_file_as_written():
    data = json.loads((FIXTURES / "schedule2.json").read_text(encoding="utf-8"))
    data["schedule"]["events"][1]["title"] = ["not", "text"]
    with pytest.raises(ScheduleError) as error:
        import_schedule(json.dumps(data), "schedule.json")
    assert "schedule.json: error: at schedule.events[1].title: input should be a valid string" in str(error.value)


# --- no events -------------------------------------------------------------------------------------

def test_an_import_that_finds_no_events_fails_and_writes_nothing(tmp_path, capsys):
    code, out, err = run(capsys, "import", FIXTURES / "no-events.json", "--content", tmp_path / "content")
    assert code == 1 and out == "" and not (tmp_path / "content").exists()
    assert "error: the schedule holds no events, so there is nothing to import" in err
    assert err.rstrip().endswith("nothing was written.")


def test_a_schedule_2_file_without_events_fails_too(tmp_path, capsys):
    data = json.loads((FIXTURES / "schedule2.json").read_text(encoding="utf-8"))
    data["schedule"]["events"] = []
    source = tmp_path / "schedule.json"
    source.write_text(json.dumps(data), encoding="utf-8")
    code, _, err = run(capsys, "import", source, "--content", tmp_path / "content")
    assert code == 1 and "the schedule holds no events" in err and not (tmp_path / "content").exists()
