"""`symposium new speaker|talk`: scaffolded files pass `check`, keep the day's text, never overwrite."""

from __future__ import annotations

from pathlib import Path

import yaml

from generator.cli import main
from generator.content.models import Speaker, Talk


def test_new_speaker_writes_a_valid_file_named_by_the_slug_of_the_name(content, capsys):
    assert main(["new", "speaker", "Jane Q. Doé", "--content", str(content)]) == 0
    path = content / "speakers" / "jane-q-doe.yaml"
    text = path.read_text(encoding="utf-8")
    speaker = Speaker.model_validate(yaml.safe_load(text))
    assert speaker.name == "Jane Q. Doé"
    for optional in ("family_name", "position", "bio", "about", "photo", "links", "interests", "education",
                     "publications", "doi", "arxiv"):
        assert f"# {optional}:" in text or f"#     {optional}:" in text, optional
    assert "jane-q-doe" in capsys.readouterr().out


def test_new_speaker_refuses_to_overwrite_an_existing_file(content, capsys):
    path = content / "speakers" / "radu-i-bot.yaml"
    before = path.read_bytes()
    assert main(["new", "speaker", "Radu I. Boţ", "--content", str(content)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert path.read_bytes() == before


def test_new_talk_and_speaker_pass_check_and_the_day_keeps_its_text(content, capsys):
    day = content / "program" / "2026-05-06.yaml"
    original = "# organizers' note: keep this comment\n" + day.read_text(encoding="utf-8")
    day.write_text(original, encoding="utf-8")
    assert main(["new", "speaker", "Jane Doe", "--content", str(content)]) == 0
    # Day 1 ends with Loizou's talk at 17:05, so 17:10 is free.
    assert main(["new", "talk", "--day", "2026-05-06", "--start", "17:10", "--end", "17:50",
                 "--speaker", "jane-doe", "--title", "Step Sizes: A Story", "--content", str(content)]) == 0
    talk_path = content / "talks" / "jane-doe-step-sizes-story.yaml"
    talk = Talk.model_validate(yaml.safe_load(talk_path.read_text(encoding="utf-8")))
    assert talk.title == "Step Sizes: A Story" and talk.speakers == ["jane-doe"]
    text = day.read_text(encoding="utf-8")
    assert text.startswith(original)
    assert yaml.safe_load(text)["slots"][-1] == {"start": "17:10", "end": "17:50", "kind": "talk",
                                                 "talk": "jane-doe-step-sizes-story"}
    capsys.readouterr()
    assert main(["check", "--content", str(content)]) == 0
    assert "22 talks" in capsys.readouterr().out


def test_new_talk_without_a_title_is_tba_and_creates_a_missing_day_file(content, capsys):
    (content / "program" / "2026-05-07.yaml").unlink()  # talks need not be scheduled
    assert main(["new", "talk", "--day", "2026-05-07", "--start", "09:00", "--end", "09:40",
                 "--speaker", "alex-damian", "--id", "damian-tba", "--content", str(content)]) == 0
    created = content / "program" / "2026-05-07.yaml"
    assert yaml.safe_load(created.read_text())["slots"] == [
        {"start": "09:00", "end": "09:40", "kind": "talk", "talk": "damian-tba"}]
    assert yaml.safe_load((content / "talks" / "damian-tba.yaml").read_text())["tba"] is True
    capsys.readouterr()
    assert main(["check", "--content", str(content)]) == 0


def test_new_talk_refuses_to_overwrite_an_existing_talk(content, capsys):
    day = content / "program" / "2026-05-06.yaml"
    before = day.read_bytes()
    assert main(["new", "talk", "--day", "2026-05-06", "--start", "17:10", "--speaker", "peter-richtarik",
                 "--id", "richtarik", "--content", str(content)]) == 2
    assert "talks/richtarik.yaml already exists" in capsys.readouterr().err
    assert day.read_bytes() == before


def test_a_new_talk_that_overlaps_is_reported_and_nothing_is_written(content, capsys):
    day = content / "program" / "2026-05-06.yaml"
    before = day.read_bytes()
    assert main(["new", "talk", "--day", "2026-05-06", "--start", "09:10", "--end", "09:30",
                 "--speaker", "alex-damian", "--id", "clash", "--content", str(content)]) == 1
    err = capsys.readouterr().err
    assert "2026-05-06.yaml:" in err and "overlaps" in err and "nothing was written" in err
    assert day.read_bytes() == before
    assert not (content / "talks" / "clash.yaml").exists()


def test_new_talk_refuses_when_slots_is_not_the_last_key(content, capsys):
    day = content / "program" / "2026-05-06.yaml"
    data = day.read_text(encoding="utf-8")
    head, slots = data.split("slots:\n", 1)
    day.write_text(head.replace("title: Day 1\n", "") + "slots:\n" + slots + "title: Day 1\n", encoding="utf-8")
    before = day.read_bytes()
    assert main(["new", "talk", "--day", "2026-05-06", "--start", "17:10", "--speaker", "alex-damian",
                 "--id", "late", "--content", str(content)]) == 2
    assert "not the last key" in capsys.readouterr().err
    assert day.read_bytes() == before and not (content / "talks" / "late.yaml").exists()


def test_new_talk_with_an_unknown_speaker_suggests_the_closest_id(content, capsys):
    assert main(["new", "talk", "--day", "2026-05-06", "--start", "17:10", "--speaker", "alex-damain",
                 "--content", str(content)]) == 2
    assert "did you mean 'alex-damian'" in capsys.readouterr().err


def test_files_inside_the_project_name_their_schema_for_the_editor():
    from generator.commands.scaffold import modeline
    from generator.core.paths import PROJECT as PROJECT_ROOT

    line = modeline(PROJECT_ROOT / "content" / "speakers" / "jane-doe.yaml", "speaker")
    assert line == "# yaml-language-server: $schema=../../schema/speaker.schema.json\n"
    assert (PROJECT_ROOT / "content" / "speakers" / "../../schema/speaker.schema.json").resolve().is_file()
    assert modeline(Path("/tmp/elsewhere/speakers/jane-doe.yaml"), "speaker") == ""


def test_new_speaker_transliterates_every_latin_letter_like_import_does(content, capsys):
    for name, expected in [("Bjørn Østergaard", "bjorn-ostergaard"), ("Łukasz Đorđević", "lukasz-dordevic"),
                           ("Þóra Ægisdóttir", "thora-aegisdottir"), ("Jürgen Straße", "jurgen-strasse")]:
        assert main(["new", "speaker", name, "--content", str(content)]) == 0
        assert (content / "speakers" / f"{expected}.yaml").is_file(), capsys.readouterr()


def test_a_name_with_no_latin_letters_needs_an_id_and_the_error_says_so(content, capsys):
    assert main(["new", "speaker", "李明", "--content", str(content)]) == 2
    assert "--id" in capsys.readouterr().err
    assert main(["new", "speaker", "李明", "--id", "li-ming", "--content", str(content)]) == 0
    assert yaml.safe_load((content / "speakers" / "li-ming.yaml").read_text(encoding="utf-8"))["name"] == "李明"


def test_version_and_a_help_text_without_markup(capsys):
    import pytest

    from generator import __version__

    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0 and __version__ in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--help"])
    first_lines = capsys.readouterr().out.splitlines()[:3]
    assert not any("``" in line for line in first_lines), first_lines


def test_new_commands_check_their_edit_quietly_and_say_what_comes_next(content, capsys):
    """The event's own warnings are `check`'s to print, not each scaffolding command's, twice over."""
    assert main(["new", "speaker", "Jane Doe", "--content", str(content)]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert "next: give them a talk: symposium new talk --speaker jane-doe" in captured.out
    assert main(["check", "--content", str(content)]) == 0
    assert "speakers/jane-doe.yaml:1:7: warning: speaker 'jane-doe' gives no talk" in capsys.readouterr().err
    assert main(["new", "talk", "--day", "2026-05-06", "--start", "17:10", "--end", "17:50",
                 "--speaker", "jane-doe", "--content", str(content)]) == 0
    assert capsys.readouterr().err == ""
    assert main(["check", "--content", str(content)]) == 0
    assert "jane-doe" not in capsys.readouterr().err
