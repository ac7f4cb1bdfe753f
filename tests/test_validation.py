"""`symposium check` on broken copies of the real content: one defect each.

Every defect must end in exit 1 with a `file:line:col: error:` line naming the
right file and line, never a traceback.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.cli import main

CONTENT = Path(__file__).resolve().parent.parent / "content"


def check(folder: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["check", "--content", str(folder)])
    captured = capsys.readouterr()
    return code, captured.err + captured.out


def edit(path: Path, old: str, new: str, count: int = 1) -> int:
    """Replace ``old`` in a file and return the 1-based line where it was."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return line


def line_of(path: Path, needle: str) -> int:
    text = path.read_text(encoding="utf-8")
    return text[: text.index(needle)].count("\n") + 1


# Each case: (name, mutate(content) -> (relative file, expected line or None), expected message fragment)
Mutation = Callable[[Path], tuple[str, int | None]]


def _typo_in_speaker_key(c: Path):
    return "speakers/alex-damian.yaml", edit(c / "speakers/alex-damian.yaml", "affiliations:", "affilations:")


def _unknown_speaker(c: Path):
    return "talks/central-flows-part-2.yaml", edit(c / "talks/central-flows-part-2.yaml", "alex-damian", "alex-damain")


def _unknown_talk(c: Path):
    return "program/2026-05-06.yaml", edit(c / "program/2026-05-06.yaml", "talk: richtarik", "talk: richtarek")


def _unknown_venue(c: Path):
    return "program/2026-05-07.yaml", edit(c / "program/2026-05-07.yaml", "venue: turning-torso", "venue: turning-torsoo")


def _end_before_start(c: Path):
    path = c / "program/2026-05-06.yaml"
    return "program/2026-05-06.yaml", None if edit(path, 'end: "08:45"', 'end: "08:15"') else None


def _not_a_time(c: Path):
    return "program/2026-05-06.yaml", edit(c / "program/2026-05-06.yaml", 'start: "08:30"', 'start: "8.30am"')


def _overlap(c: Path):
    path = c / "program/2026-05-06.yaml"
    edit(path, 'end: "08:45"', 'end: "09:10"')
    return "program/2026-05-06.yaml", line_of(path, 'start: "08:45"')


def _outside_dates(c: Path):
    path = c / "program/2026-05-08.yaml"
    line = edit(path, "date: 2026-05-08", "date: 2026-05-09")
    path.rename(c / "program/2026-05-09.yaml")
    return "program/2026-05-09.yaml", line


def _wrong_type(c: Path):
    return "talks/central-flows-part-1.yaml", edit(c / "talks/central-flows-part-1.yaml", "part: 1", "part: first")


def _broken_yaml(c: Path):
    path = c / "speakers/niao-he.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text("name: [Niao He\n" + text.split("\n", 1)[1], encoding="utf-8")
    return "speakers/niao-he.yaml", None


def _tabs(c: Path):
    path = c / "event.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "links:\n\t- label: x\n", encoding="utf-8")
    return "event.yaml", None


def _duplicate_key(c: Path):
    path = c / "talks/richtarik.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "tba: false\n", encoding="utf-8")
    return "talks/richtarik.yaml", len(path.read_text(encoding="utf-8").splitlines())


def _empty_file(c: Path):
    (c / "speakers/niao-he.yaml").write_text("# nothing yet\n", encoding="utf-8")
    return "speakers/niao-he.yaml", 1


def _not_utf8(c: Path):
    path = c / "speakers/radu-i-bot.yaml"
    path.write_bytes(path.read_text(encoding="utf-8").encode("latin-1", "replace").replace(b"?", b"\xfe", 1))
    return "speakers/radu-i-bot.yaml", None


def _unknown_zone(c: Path):
    return "event.yaml", edit(c / "event.yaml", "Europe/Stockholm", "Europe/Lund")


def _tba_title(c: Path):
    return "talks/richtarik.yaml", None if edit(c / "talks/richtarik.yaml", "tba: true", "title: TBA") else None


def _companion_one_way(c: Path):
    return "talks/central-flows-part-1.yaml", edit(
        c / "talks/central-flows-part-2.yaml", "companion: central-flows-part-1", "companion: yun-river-valley") and None


def _speaker_twice(c: Path):
    (c / "talks/extra.yaml").write_text("title: An extra talk\nspeakers: [peter-richtarik]\n", encoding="utf-8")
    path = c / "program/2026-05-06.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + '  - start: "09:10"\n    end: "09:30"\n    kind: talk\n    talk: extra\n'
                    "    venue: historical-museum\n", encoding="utf-8")
    return "program/2026-05-06.yaml", len(text.splitlines()) + 1


def _duplicate_date(c: Path):
    shutil.copy(c / "program/2026-05-06.yaml", c / "program/2026-05-06-copy.yaml")
    return "program/2026-05-06-copy.yaml", None


def _bad_file_id(c: Path):
    (c / "speakers/niao-he.yaml").rename(c / "speakers/Niao He.yaml")
    return "speakers/Niao He.yaml", 1


def _photo_missing(c: Path):
    path = c / "speakers/niao-he.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "photo: photos/niao.jpg\n", encoding="utf-8")
    return "speakers/niao-he.yaml", len(path.read_text(encoding="utf-8").splitlines())


CASES: dict[str, tuple[Mutation, str]] = {
    "typo_in_key": (_typo_in_speaker_key, "unknown key 'affilations' (did you mean 'affiliations'?)"),
    "unknown_speaker": (_unknown_speaker, "unknown speaker 'alex-damain' (did you mean 'alex-damian'?)"),
    "unknown_talk": (_unknown_talk, "unknown talk 'richtarek' (did you mean 'richtarik'?)"),
    "unknown_venue": (_unknown_venue, "unknown venue 'turning-torsoo' (did you mean 'turning-torso'?)"),
    "end_before_start": (_end_before_start, "ends (08:15) before it starts (08:30)"),
    "not_a_time": (_not_a_time, "'8.30am' is not a time"),
    "overlap": (_overlap, "overlaps '2026-05-06-0830-registration'"),
    "outside_dates": (_outside_dates, "2026-05-09 is outside the event's dates"),
    "wrong_type": (_wrong_type, "'part'"),
    "broken_yaml": (_broken_yaml, "YAML syntax error"),
    "tabs": (_tabs, "use spaces"),
    "duplicate_key": (_duplicate_key, "duplicate key 'tba'"),
    "empty_file": (_empty_file, "the file is empty"),
    "not_utf8": (_not_utf8, "not valid UTF-8"),
    "unknown_zone": (_unknown_zone, "unknown time zone 'Europe/Lund'"),
    "tba_title": (_tba_title, "write 'tba: true' instead of the title 'TBA'"),
    "companion_one_way": (_companion_one_way, "does not name 'central-flows-part-1' as its companion"),
    "speaker_double_booked": (_speaker_twice, "speaker 'peter-richtarik' is also in"),
    "duplicate_day": (_duplicate_date, "a second program for 2026-05-06"),
    "bad_file_name": (_bad_file_id, "bad file name"),
    "photo_missing": (_photo_missing, "photo 'photos/niao.jpg' does not exist"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_defect_is_reported_with_file_and_line(name: str, content: Path, capsys) -> None:
    mutate, fragment = CASES[name]
    relative, line = mutate(content)
    code, output = check(content, capsys)
    assert code == 1, output
    assert "Traceback" not in output
    assert fragment in output, output
    pattern = rf"^content/{re.escape(relative)}:(\d+):(\d+): error: "
    matches = [m for m in re.finditer(pattern, output, re.MULTILINE)]
    assert matches, f"no error names content/{relative}:\n{output}"
    if line is not None:
        assert any(int(m.group(1)) == line for m in matches), output
    assert output.rstrip().endswith("nothing was built.")


def test_the_real_content_is_valid(capsys) -> None:
    code, output = check(CONTENT, capsys)
    assert code == 0, output
    *warnings, last = output.splitlines()
    assert last.startswith("ok: ")
    # Valid content can still be warned about: content/'s talk slots name no venue and event.yaml has no
    # default_venue, so their pages cannot say where they are (one warning per day). Nothing else.
    assert all(re.match(r"^content/program/[^:]+:\d+:\d+: warning: this talk slot .* names no venue", line)
               for line in warnings[:-1]), output
    assert not warnings or re.match(r"^\d+ warnings? \(the content is valid\)\.$", warnings[-1]), output


def test_all_problems_of_a_run_are_reported_together_and_sorted(content: Path, capsys) -> None:
    _typo_in_speaker_key(content)
    _unknown_talk(content)
    _unknown_zone(content)
    code, output = check(content, capsys)
    lines = [line for line in output.splitlines() if ": error: " in line]
    assert code == 1
    assert len(lines) >= 2  # an invalid event stops linking, the others are still read
    assert lines == sorted(lines, key=lambda text: (text.split(":")[0], int(text.split(":")[1])))


def test_links_are_checked_even_when_another_file_is_invalid(content: Path, capsys) -> None:
    _typo_in_speaker_key(content)
    _unknown_talk(content)
    code, output = check(content, capsys)
    assert code == 1
    assert "unknown key 'affilations'" in output and "unknown talk 'richtarek'" in output
    # the invalid speaker file is not reported a second time as an unknown id
    assert "unknown speaker 'alex-damian'" not in output


def test_a_missing_content_folder_is_a_usage_error(tmp_path: Path, capsys) -> None:
    assert main(["check", "--content", str(tmp_path / "nowhere")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_the_command_line_never_shows_a_traceback(content: Path) -> None:
    _broken_yaml(content)
    _unknown_speaker(content)
    result = subprocess.run([sys.executable, "-m", "generator", "check", "--content", str(content)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert re.search(r"^content/speakers/niao-he.yaml:\d+:\d+: error: YAML syntax error", result.stderr, re.M)


def test_yaml_one_one_surprises_are_read_as_written(content: Path, capsys) -> None:
    """Unquoted 08:30 is a time (not 510 minutes) and `no` stays a word."""
    path = content / "program/2026-05-06.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('"', ""), encoding="utf-8")
    code, output = check(content, capsys)
    assert code == 0, output


def test_a_broken_figures_config_is_reported_by_check_with_file_and_line(content: Path, capsys) -> None:
    path = content / "figures.yaml"
    line = edit(path, "    title: \"Gradient descent trains", "    titel: \"Gradient descent trains")
    code, output = check(content, capsys)
    assert code == 1
    assert f"content/figures.yaml:{line}:5: error: unknown key 'titel' (did you mean 'title'?)" in output


def test_a_template_error_is_one_line_naming_the_template(content: Path, tmp_path: Path, capsys) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(Path(__file__).resolve().parent.parent / "templates", templates)
    talk = templates / "talk.html"
    talk.write_text(talk.read_text(encoding="utf-8").replace("</article>", "{{ no_such_value }}</article>", 1),
                    encoding="utf-8")
    code = main(["build", "--content", str(content), "--out", str(tmp_path / "site"), "--templates", str(templates),
                 "--no-figures", "--no-search"])
    error = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in error
    assert re.search(r"templates/talk\.html:\d+: error: template: 'no_such_value' is undefined", error), error
    assert not (tmp_path / "site").exists()


# Text fields: tidy text skips the full check, and must come out of it unchanged.
_tidy_candidates = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12) | st.sampled_from(
    ["Radu I. Boţ", "Bo\u0074\u0327", "a  b", " a", "a ", "", "20\u00a0%", "x\u200by", "e\u0301", "Ⅻ", "ﬁ"])


@settings(max_examples=500, derandomize=True, database=None)
@given(_tidy_candidates)
def test_text_taken_as_tidy_is_what_the_full_check_returns(value: str) -> None:
    from generator.content import models

    if models._is_tidy(value):
        assert _full_text_check(value) == value


def _full_text_check(value: str) -> str:
    """models._check_text without its shortcut: normalize, tidy white space, refuse invisible characters."""
    import unicodedata

    from generator.content import models

    tidied = models._SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()
    assert models.invisible_character(tidied) is None and tidied
    return tidied


@given(st.text(alphabet=" \t->*+1.)x\n", max_size=300))
@settings(max_examples=300, derandomize=True, deadline=None, database=None)
def test_the_quick_nesting_filter_never_lets_a_too_deep_text_through(text):
    """markdown_problem skips the line-by-line count when no line starts with a long enough prefix."""
    from generator.content import markup

    assume_short = len(text) <= markup.MAX_MARKDOWN_CHARACTERS and text.count("[") <= markup.MAX_BRACKETS
    if assume_short:
        assert markup.markdown_problem(text) == markup.deep_nesting(text)
