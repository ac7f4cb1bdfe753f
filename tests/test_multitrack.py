"""examples/multitrack: parallel rooms, tracks and plenaries, and the checks that keep them honest.

The example is a fictional two-day event in one venue with three rooms. These
tests pin what it demonstrates, and that the link stage tells a clash in one
room (an error) from the same times in different rooms (fine).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from generator.cli import main
from generator.content.pipeline import load_program
from generator.core.diagnostics import ContentError

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "multitrack"
DAY1 = "program/2030-09-10.yaml"


@pytest.fixture(scope="module")
def program():
    return load_program(EXAMPLE)


@pytest.fixture
def example(tmp_path: Path) -> Path:
    copy = tmp_path / "multitrack"
    shutil.copytree(EXAMPLE, copy)
    return copy


def append_slot(content: Path, day: str, slot: str) -> int:
    """Append a slot (YAML lines without the list dash) to a day file; return the line of its 'start'."""
    path = content / day
    text = path.read_text(encoding="utf-8")
    if not text.endswith("\n"):
        text += "\n"
    lines = slot.strip("\n").splitlines()
    block = "  - " + lines[0] + "\n" + "".join(f"    {line}\n" for line in lines[1:])
    path.write_text(text + block, encoding="utf-8")
    return len(text.splitlines()) + 1


def add_talk(content: Path, talk_id: str, speakers: str = "[]") -> None:
    text = f"title: An Extra Talk\nspeakers: {speakers}\n"
    (content / "talks" / f"{talk_id}.yaml").write_text(text, encoding="utf-8")


def check(content: Path, capsys) -> tuple[int, str]:
    code = main(["check", "--content", str(content)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def error_lines(output: str, relative: str) -> list[tuple[int, str]]:
    pattern = rf"^multitrack/{re.escape(relative)}:(\d+):\d+: error: (.*)$"
    return [(int(m.group(1)), m.group(2)) for m in re.finditer(pattern, output, re.MULTILINE)]


# --- what the example shows ---------------------------------------------------------------

def test_example_checks_clean(capsys):
    assert main(["check", "--content", str(EXAMPLE)]) == 0
    assert capsys.readouterr().out.startswith("ok: ")


def test_example_has_one_venue_with_three_rooms_and_coloured_tracks(program):
    assert [venue.id for venue in program.venues.values()] == ["example-centre"]
    assert [room.id for room in program.rooms] == ["hall-a", "room-b", "room-c"]
    assert len(program.tracks) == 3
    assert all(re.fullmatch(r"#[0-9a-f]{6}", track.color) for track in program.tracks.values())


def test_example_runs_talks_in_parallel_rooms(program):
    by_start: dict[dt.datetime, set[str]] = {}
    for slot in program.slots:
        if slot.room is not None:
            by_start.setdefault(slot.start, set()).add(slot.room.id)
    assert max(len(rooms) for rooms in by_start.values()) == 3


def test_example_has_plenary_keynote_panel_long_workshop_breaks_and_tba(program):
    slots = {slot.id: slot for slot in program.slots}
    keynote = slots["keynote-krylov"]
    assert keynote.all_rooms and keynote.kind.value == "talk" and keynote.room is None
    panel = slots["panel-reproducibility"]
    assert panel.kind.value == "panel" and len(panel.speakers) == 3
    workshop = slots["workshop-autodiff"]
    assert workshop.kind.value == "workshop" and workshop.end - workshop.start > dt.timedelta(hours=2)
    kinds = {slot.kind.value for slot in program.slots}
    assert {"break", "meal"} <= kinds
    assert any(slot.tba for slot in program.slots)


def test_example_speakers_have_bios_and_names_in_other_scripts(program):
    names = {speaker.name for speaker in program.speakers.values()}
    assert "Élodie Nguyễn-Brändström" in names
    assert any(any("\u0600" <= char <= "\u06ff" or "\u0590" <= char <= "\u05ff" for char in name) for name in names)
    assert all(speaker.bio for speaker in program.speakers.values())


def test_example_builds(tmp_path, capsys):
    out = tmp_path / "site"
    assert main(["build", "--content", str(EXAMPLE), "--out", str(out), "--no-figures"]) == 0
    pages = [path.read_text(encoding="utf-8") for path in out.rglob("*.html")]
    assert any("ليلى حداد" in page for page in pages)
    assert any("Hands-on: Automatic Differentiation from Scratch" in page for page in pages)


# --- rooms, plenaries and speakers: what clashes and what does not ------------------------

def test_overlap_within_one_room_is_an_error_with_file_and_line(example, capsys):
    add_talk(example, "extra")
    line = append_slot(example, DAY1, 'start: "11:50"\nend: "12:10"\nkind: talk\ntalk: extra\nroom: room-b')
    code, output = check(example, capsys)
    assert code == 1
    assert (line, "slot 'extra' overlaps 'spectral-methods' in room 'room-b' "
                  "('spectral-methods' runs 11:45-12:15 on 2030-09-10)") in error_lines(output, DAY1), output


def test_same_times_in_a_different_room_are_fine(example, capsys):
    add_talk(example, "extra")
    append_slot(example, DAY1, 'start: "11:50"\nend: "12:10"\nkind: talk\ntalk: extra\nroom: room-c')
    code, output = check(example, capsys)
    assert code == 0, output


def test_speaker_in_two_rooms_at_once_is_an_error(example, capsys):
    talk = example / "talks" / "spectral-methods.yaml"
    talk.write_text(talk.read_text(encoding="utf-8").replace("[sofia-reyes]", "[sofia-reyes, kenji-watanabe]"),
                    encoding="utf-8")
    code, output = check(example, capsys)
    assert code == 1
    text = (example / DAY1).read_text(encoding="utf-8")
    line = text[: text.index("talk: spectral-methods")].count("\n") + 1 - 3  # 'start' is three lines above
    assert any(number == line and "speaker 'kenji-watanabe' is also in 'panel-reproducibility'" in message
               for number, message in error_lines(output, DAY1)), output


def test_plenary_overlapping_a_room_slot_is_an_error(example, capsys):
    line = append_slot(example, DAY1, 'start: "14:50"\nend: "15:00"\nkind: break\ntitle: Stretch\nall_rooms: true')
    code, output = check(example, capsys)
    assert code == 1
    messages = [message for number, message in error_lines(output, DAY1) if number == line]
    assert any("overlaps 'workshop-autodiff' in room 'room-c'" in message for message in messages), output


# --- slots past midnight: end_date ----------------------------------------------------------

def test_slot_past_midnight_ends_on_its_end_date(example):
    append_slot(example, DAY1, 'start: "22:00"\nend: "01:30"\nend_date: 2030-09-11\nkind: social\n'
                               'title: Night of Numerics\nroom: hall-a')
    night = next(slot for slot in load_program(example).slots if slot.title == "Night of Numerics")
    assert night.end - night.start == dt.timedelta(hours=3, minutes=30)
    assert night.end.date() == dt.date(2030, 9, 11)


def test_slot_longer_than_a_day_keeps_its_length(example):
    append_slot(example, DAY1, 'start: "20:00"\nend: "10:00"\nend_date: 2030-09-12\nkind: social\n'
                               'title: Hackathon')
    hackathon = next(slot for slot in load_program(example).slots if slot.title == "Hackathon")
    assert hackathon.end - hackathon.start == dt.timedelta(hours=38)


def test_end_before_start_without_end_date_suggests_end_date(example, capsys):
    line = append_slot(example, DAY1, 'start: "22:00"\nend: "01:30"\nkind: social\ntitle: Night')
    code, output = check(example, capsys)
    assert code == 1
    assert any(number == line and "add 'end_date'" in message for number, message in error_lines(output, DAY1)), output


def test_end_date_not_after_the_day_is_an_error(example, capsys):
    line = append_slot(example, DAY1, 'start: "22:00"\nend: "23:00"\nend_date: 2030-09-10\nkind: social\ntitle: Night')
    code, output = check(example, capsys)
    assert code == 1
    assert any(number == line + 2 and "'end_date' 2030-09-10 is not after the slot's day" in message
               for number, message in error_lines(output, DAY1)), output


def test_end_date_without_end_is_an_error(example):
    append_slot(example, DAY1, 'start: "22:00"\nend_date: 2030-09-11\nkind: social\ntitle: Night')
    with pytest.raises(ContentError, match="'end_date' needs an 'end' time"):
        load_program(example)
