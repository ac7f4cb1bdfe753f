"""``symposium new speaker|talk``: start a content file that already passes ``check``.

Organizers keep comments and hand-made layout in their YAML, so files are never
re-dumped: a new talk slot is appended as text to the day's ``slots:`` list
(see :func:`append_to_list`, also used by the BibTeX import), every optional
field is written as a comment to fill in, and nothing is ever overwritten.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from generator.content.models import check_slug, slugify
from generator.core.diagnostics import (
    ContentError,
    Diagnostics,
    UsageError,
    did_you_mean,
)
from generator.core.paths import PROJECT

SCHEMA_DIR = PROJECT / "schema"
_TIME = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$")


class ListEditError(ValueError):
    """The YAML text cannot be extended safely; the message says why and what to do."""


# --- appending to a YAML list as text --------------------------------------------------------------

def yaml_string(value: str) -> str:
    """A double-quoted YAML scalar (JSON strings are valid YAML), safe for any text."""
    return json.dumps(value, ensure_ascii=False)


def _item_text(item: list[str], indent: int) -> str:
    """One list item from its lines (``key: value``), dash at column ``indent``."""
    pad = " " * indent
    first, *rest = item
    return "".join([f"{pad}- {first}\n", *(f"{pad}  {line}\n" for line in rest)])


def _compose(text: str, path: Path) -> yaml.MappingNode:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        raise ListEditError(f"{path}: cannot edit a file that is not valid YAML ({error})") from None
    if not isinstance(node, yaml.MappingNode):
        raise ListEditError(f"{path}: expected a mapping of keys at the top of the file")
    return node


def end_of_item(lines: list[str], first_line: int, stop_line: int, indent: int) -> int:
    """Index of the line after the last item's own text.

    PyYAML marks the end of a block list at the next key, after any blank lines
    and comments that introduce that key; walk back over those so they stay put.
    """
    line = stop_line
    while line > first_line:
        text = lines[line - 1]
        stripped = text.strip()
        if stripped and not (stripped.startswith("#") and len(text) - len(text.lstrip()) <= indent):
            break
        line -= 1
    return line


def append_to_list(text: str, key: str, items: list[list[str]], path: Path, *, must_be_last: bool = False) -> str:
    """``text`` with ``items`` appended to the top-level list ``key``, everything else kept byte for byte.

    Each item is its lines (``key: value``, nested lines already indented). A
    missing or empty key gets a block list. Raises ListEditError where the list
    cannot be extended as text (a flow list ``[a, b]``, or, with
    ``must_be_last``, a list followed by other keys).
    """
    root = _compose(text, path)
    if not text.endswith("\n"):
        text += "\n"
    pairs = [(k.value, v) for k, v in root.value]
    found = [(index, value) for index, (name, value) in enumerate(pairs) if name == key]
    if not found:
        return text + f"{key}:\n" + "".join(_item_text(item, 2) for item in items)
    index, value = found[-1]
    if must_be_last and index != len(pairs) - 1:
        raise ListEditError(f"{path}: '{key}:' is not the last key of the file, so the new entry cannot be appended "
                            f"as text without disturbing '{pairs[-1][0]}:'; move '{key}:' to the end and try again")
    empty_scalar = isinstance(value, yaml.ScalarNode) and value.tag.endswith(":null")
    empty_flow = isinstance(value, yaml.SequenceNode) and value.flow_style and not value.value
    if empty_scalar or empty_flow:
        start, end = value.start_mark.index, value.end_mark.index
        if empty_scalar and start == end:  # `key:` with nothing after it
            end = start
        line_end = text.find("\n", end)
        head = text[:start].rstrip(" ") + text[end:line_end]  # keeps a trailing comment on the key's line
        return head + "\n" + "".join(_item_text(item, 2) for item in items) + text[line_end + 1:]
    if not isinstance(value, yaml.SequenceNode):
        raise ListEditError(f"{path}:{value.start_mark.line + 1}: '{key}:' should be a list")
    if value.flow_style:
        raise ListEditError(f"{path}:{value.start_mark.line + 1}: '{key}:' is written as a [flow, list]; "
                            "rewrite it as one '- ' item per line, then try again")
    indent = value.start_mark.column
    lines = text.splitlines(keepends=True)
    last = value.value[-1]
    insert_at = end_of_item(lines, last.start_mark.line + 1, value.end_mark.line
                             if value.end_mark.index < len(text) else len(lines), indent)
    new_items = "".join(_item_text(item, indent) for item in items)
    return "".join(lines[:insert_at]) + new_items + "".join(lines[insert_at:])


def check_appended(before: str, after: str, key: str, count: int, path: Path) -> None:
    """Guard: the edit added exactly ``count`` entries to ``key`` and changed nothing else."""
    old, new = yaml.safe_load(before) or {}, yaml.safe_load(after)
    old_list, new_list = old.get(key) or [], (new or {}).get(key) or []
    same_rest = {k: v for k, v in old.items() if k != key} == {k: v for k, v in new.items() if k != key}
    if not same_rest or new_list[:len(old_list)] != old_list or len(new_list) != len(old_list) + count:
        raise ListEditError(f"{path}: could not append to '{key}:' without changing the rest of the file; "
                            "add the entries by hand")


# --- file templates --------------------------------------------------------------------------------

def modeline(target: Path, schema: str) -> str:
    """The yaml-language-server schema comment, when the file sits inside this project."""
    try:
        target.resolve().relative_to(PROJECT)
    except ValueError:
        return ""
    relative = os.path.relpath(SCHEMA_DIR / f"{schema}.schema.json", target.resolve().parent)
    return f"# yaml-language-server: $schema={Path(relative).as_posix()}\n"


def speaker_text(name: str) -> str:
    """A speaker file: the name, and every optional field as a comment to fill in."""
    return f"""name: {yaml_string(name)}
affiliations: []                  # e.g. [University of Vienna]
# family_name: ...                # for sorting, when it is not the last word of the name
# position: Professor of Mathematics
# bio: |
#   Markdown: a short biography for the speaker's page.
# about: |
#   Markdown: a longer "about" section.
# photo: photos/{slugify(name)}.jpg    # a path inside content/
# links:
#   - label: Homepage
#     url: https://example.org
# interests:
#   - title: Optimization
#     description: Markdown ...
# education:
#   - degree: Ph.D. in Mathematics
#     institution: ...
#     advisors: [...]
#     year: 2010
#     details: Markdown ...
# publications:                   # or: symposium import-bibtex FILE.bib --speaker {slugify(name)}
#   - title: "..."
#     authors: ["Jane Doe*", "John Roe*"]   # a trailing * marks equal contribution
#     et_al: false
#     venue: ...
#     year: 2025
#     doi: 10.1000/xyz123
#     arxiv: 2501.01234
#     url: https://...
#     abstract: |
#       ...
#     notes: ...
"""


def talk_text(title: str | None, speaker: str) -> str:
    """A talk file: a title (or ``tba: true``) and the speaker, the rest as comments."""
    head = f"title: {yaml_string(title)}\n" if title else "tba: true                         # replace with title: \"...\"\n"
    return head + f"""speakers: [{speaker}]
# abstract: |
#   Markdown ...
# joint_work: [Jane Doe, John Roe]       # "Based on joint work with ..."
# subtitle: ...
# companion: other-talk-id               # the other part of a two-part talk; both name each other
# part: 1
# track: track-id
# links:
#   - label: Slides
#     url: https://example.org/slides.pdf
"""


def slot_lines(talk_id: str, start: str, end: str | None) -> list[str]:
    lines = [f'start: "{start}"']
    if end:
        lines.append(f'end: "{end}"')
    return lines + ["kind: talk", f"talk: {talk_id}"]


# --- commands --------------------------------------------------------------------------------------

def _content(value: str) -> Path:
    path = Path(value)
    if not path.is_dir():
        raise UsageError(f"content folder '{value}' does not exist (pass --content DIR)")
    return path


def _refuse_existing(path: Path) -> None:
    if path.exists():
        raise UsageError(f"{path.as_posix()} already exists; not overwriting it (edit it, or choose another id)")


def _clock(value: str, option: str) -> str:
    match = _TIME.match(value.strip())
    if not match:
        raise UsageError(f"{option} '{value}' is not a time: write HH:MM on a 24-hour clock, e.g. 09:40")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def report_problems(diagnostics: Diagnostics) -> int:
    """Print problems as ``file:line:col: error: ...`` and say that no file changed; returns exit code 1."""
    problems = diagnostics.sorted()
    for problem in problems:
        print(problem.format(), file=sys.stderr)
    print(f"{len(problems)} error{'s' if len(problems) != 1 else ''} found; nothing was written.", file=sys.stderr)
    return 1


def _quiet_load(content: Path) -> None:
    """``load_program``, whose warnings a scaffolding command does not show: it checks its edit, it does not
    report on the whole event (a new speaker has no talk yet, by design; ``check`` says so)."""
    from generator.content.pipeline import load_program

    load_program(content)


def _problems(content: Path) -> set[str]:
    """Content problems as text without positions, to tell new problems from old ones."""
    try:
        _quiet_load(content)
    except ContentError as error:
        return {f"{problem.file}: {problem.message}" for problem in error.diagnostics.problems}
    return set()


@dataclass
class _Edit:
    """A planned file change that can be undone if the result fails ``check``."""

    path: Path
    text: str
    previous: str | None = None

    def apply(self) -> None:
        self.previous = self.path.read_text(encoding="utf-8") if self.path.exists() else None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(self.text, encoding="utf-8")

    def undo(self) -> None:
        if self.previous is None:
            self.path.unlink(missing_ok=True)
        else:
            self.path.write_text(self.previous, encoding="utf-8")


def apply_checked(content: Path, edits: list[_Edit]) -> bool:
    """Write ``edits``; if they add content problems, undo them all, print the problems, return False."""
    before = _problems(content)
    done: list[_Edit] = []
    try:
        for edit in edits:
            edit.apply()
            done.append(edit)
        try:
            _quiet_load(content)
        except ContentError as error:
            new = [p for p in error.diagnostics.problems if f"{p.file}: {p.message}" not in before]
            if new:
                for edit in reversed(done):
                    edit.undo()
                report_problems(Diagnostics(problems=new))
                return False
    except BaseException:
        for edit in reversed(done):
            edit.undo()
        raise
    return True


def cmd_new_speaker(args: argparse.Namespace) -> int:
    content = _content(args.content)
    speaker_id = args.id or slugify(args.name)
    try:
        check_slug(speaker_id)
    except ValueError as error:
        if args.id:
            raise UsageError(f"--id {args.id}: {error}") from None
        raise UsageError(f"cannot make an id from the name '{args.name}', which has no Latin letters: "
                         f"choose one with --id, e.g. --id li-ming") from None
    path = content / "speakers" / f"{speaker_id}.yaml"
    _refuse_existing(path)
    if not apply_checked(content, [_Edit(path, modeline(path, "speaker") + speaker_text(args.name.strip()))]):
        return 1
    print(f"created {path.as_posix()} (speaker id '{speaker_id}')")
    print(f"next: give them a talk: symposium new talk --speaker {speaker_id} --day YYYY-MM-DD --start HH:MM "
          f"--title \"...\" --content {content.as_posix()}")
    return 0


def _talk_id(args: argparse.Namespace) -> str:
    if args.id:
        candidate = args.id
    elif args.title:
        words = [word for word in slugify(args.title).split("-") if len(word) > 3][:3]
        candidate = "-".join([args.speaker, *words])
    else:
        candidate = args.speaker
    try:
        return check_slug(candidate)
    except ValueError as error:
        raise UsageError(f"talk id: {error}") from None


def cmd_new_talk(args: argparse.Namespace) -> int:
    content = _content(args.content)
    try:
        day = dt.date.fromisoformat(args.day)
    except ValueError:
        raise UsageError(f"--day '{args.day}' is not a date: write YYYY-MM-DD, e.g. 2026-05-06") from None
    start = _clock(args.start, "--start")
    end = _clock(args.end, "--end") if args.end else None
    speakers = sorted(path.stem for path in (content / "speakers").glob("*.yaml"))
    if args.speaker not in speakers:
        raise UsageError(f"unknown speaker '{args.speaker}' ({did_you_mean(args.speaker, speakers)}); "
                         f"create one with: symposium new speaker \"Full Name\"")
    talk_id = _talk_id(args)
    talk_path = content / "talks" / f"{talk_id}.yaml"
    _refuse_existing(talk_path)
    day_path = content / "program" / f"{day.isoformat()}.yaml"
    slot = slot_lines(talk_id, start, end)
    if day_path.exists():
        before = day_path.read_text(encoding="utf-8")
        try:
            day_text = append_to_list(before, "slots", [slot], day_path, must_be_last=True)
            check_appended(before, day_text, "slots", 1, day_path)
        except ListEditError as error:
            raise UsageError(str(error)) from None
    else:
        day_text = modeline(day_path, "day") + f"date: {day.isoformat()}\nslots:\n" + _item_text(slot, 2)
    talk = modeline(talk_path, "talk") + talk_text(args.title.strip() if args.title else None, args.speaker)
    if not apply_checked(content, [_Edit(talk_path, talk), _Edit(day_path, day_text)]):
        return 1
    when = f"{start}-{end}" if end else start
    print(f"created {talk_path.as_posix()} (talk id '{talk_id}')")
    print(f"added a talk slot at {when} to {day_path.as_posix()}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    help_text = "scaffold a new speaker or talk file (never overwrites)"
    new = subparsers.add_parser("new", help=help_text, description=help_text)
    kinds = new.add_subparsers(dest="kind", required=True, metavar="KIND")

    speaker = kinds.add_parser("speaker", help="speakers/<id>.yaml from a full name")
    speaker.add_argument("name", help='the full name, e.g. "Radu I. Boţ" (the id is its slug)')
    speaker.add_argument("--id", default=None, help="speaker id (default: the name's slug; needed for a name "
                                                    "with no Latin letters)")
    speaker.add_argument("--content", default="content", help="content folder (default: content)")
    speaker.set_defaults(handler=cmd_new_speaker)

    talk = kinds.add_parser("talk", help="talks/<id>.yaml plus a talk slot in program/<day>.yaml")
    talk.add_argument("--day", required=True, help="date of the slot, YYYY-MM-DD")
    talk.add_argument("--start", required=True, help="start time, HH:MM")
    talk.add_argument("--end", default=None, help="end time, HH:MM (optional)")
    talk.add_argument("--speaker", required=True, help="speaker id (a file in speakers/)")
    talk.add_argument("--title", default=None, help="the title; without it the talk is 'tba: true'")
    talk.add_argument("--id", default=None, help="talk id (default: speaker id and the title's first words)")
    talk.add_argument("--content", default="content", help="content folder (default: content)")
    talk.set_defaults(handler=cmd_new_talk)
