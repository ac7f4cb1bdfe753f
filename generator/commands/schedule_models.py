"""What an imported schedule says, as read: lenient models shared by the frab/pretalx readers and schedule 2.

Lenient, because real exports carry fields and quirks no schema promised; the
importer maps these onto this project's strict content models afterwards.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from generator.commands.import_quirks import visible_text


@dataclass(frozen=True)
class ImportProblem:
    file: str
    line: int | None
    message: str

    def format(self) -> str:
        where = f"{self.file}:{self.line}:1" if self.line else self.file
        return f"{where}: error: {self.message}"


class ScheduleError(Exception):
    """The schedule file cannot be imported; carries every problem found."""

    def __init__(self, problems: list[ImportProblem]):
        self.problems = problems
        super().__init__("\n".join(problem.format() for problem in problems))


def schedule_error(file: str, message: str, line: int | None = None) -> ScheduleError:
    return ScheduleError([ImportProblem(file, line, message)])


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class SourceLink(_Lenient):
    url: str
    title: str | None = None


class SourcePerson(_Lenient):
    id: int | str | None = None
    guid: str | None = None
    code: str | None = None
    slug: str | None = None
    name: str | None = None
    public_name: str | None = None
    biography: str | None = None
    links: list[SourceLink] = []

    @property
    def key(self) -> str:
        """Who this is across events: guid, then pretalx code, then frab id, then the name."""
        for prefix, value in (("guid", self.guid), ("code", self.code), ("id", self.id)):
            if value not in (None, ""):
                return f"{prefix}:{value}"
        return f"name:{self.display_name}"

    @property
    def display_name(self) -> str:
        return one_line(self.display_name_raw)

    @property
    def display_name_raw(self) -> str:
        return self.name or self.public_name or ""


class SourceEvent(_Lenient):
    line: int | None = Field(default=None, alias="_line")
    guid: str | None = None
    id: int | str | None = None
    slug: str | None = None
    date: dt.datetime | None = None
    start: str | None = None
    end: dt.datetime | None = None
    duration: str | None = None
    room: str | None = None
    title: str | None = None
    subtitle: str | None = None
    track: str | None = None
    type: str | None = None
    abstract: str | None = None
    description: str | None = None
    persons: list[SourcePerson] = []
    contributors: list[str] = []  # schedule 2's participants who do not present: the talk's joint work
    links: list[SourceLink] = []


class SourceDay(_Lenient):
    line: int | None = Field(default=None, alias="_line")
    date: dt.date | None = None
    rooms: dict[str, list[SourceEvent]] = {}


class SourceTrack(_Lenient):
    name: str
    color: str | None = None
    slug: str | None = None


class SourceRoom(_Lenient):
    name: str


class SourceConference(_Lenient):
    title: str | None = None
    acronym: str | None = None
    start: str | None = None
    end: str | None = None
    time_zone_name: str | None = None
    tracks: list[SourceTrack] = []
    rooms: list[SourceRoom] = []
    days: list[SourceDay] = []


class SourceSchedule(_Lenient):
    conference: SourceConference


class SourceGenerator(_Lenient):
    name: str | None = None


class SourceRoot(_Lenient):
    schedule: SourceSchedule
    generator: SourceGenerator | None = None

    @property
    def ours(self) -> bool:
        """Written by this project's exports: slugs carry our ids, descriptions our joint-work sentence."""
        return self.generator is not None and self.generator.name == OUR_GENERATOR


def validation_problem(error: dict[str, Any], data: Any, source_name: str) -> ImportProblem:
    """One pydantic error as a problem at the XML line, or at the JSON path, where it happened."""
    loc = tuple(error["loc"])
    node, line = data, None
    for part in loc:
        if isinstance(node, dict) and isinstance(node.get("_line"), int):
            line = node["_line"]
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
    path = "".join(f"[{part}]" if isinstance(part, int) else (f".{part}" if re.fullmatch(r"\w+", part)
                                                                else f"[{part!r}]") for part in loc).lstrip(".")
    given = error.get("input")
    shown = "" if error["type"] == "missing" else f" (got {type(given).__name__} {str(given)[:40]!r})"
    message = f"at {path}: {error['msg'][0].lower()}{error['msg'][1:]}{shown}"
    return ImportProblem(source_name, line, message)


def one_line(text: str) -> str:
    """Single-line text: control characters become spaces, invisible format characters (zero-width spaces,
    word joiners, byte-order marks, direction marks) are left out, so names that read alike are alike;
    other Unicode (U+202F, right-to-left scripts, a soft hyphen) is kept."""
    text = re.sub(r"[\x00-\x1f\x7f]+", " ", visible_text(text))
    return re.sub(r" {2,}", " ", text).strip(" ")


OUR_GENERATOR = "symposium-site"  # generator.exports.common.GENERATOR


def source_color(value: str | None) -> str | None:
    value = (value or "").strip().lower()
    if re.fullmatch(r"#[0-9a-f]{3}", value):
        value = "#" + "".join(char * 2 for char in value[1:])
    return value if re.fullmatch(r"#[0-9a-f]{6}", value) else None


def source_date(value: str | None) -> dt.date | None:
    match = re.match(r"^\s*(\d{4}-\d{2}-\d{2})", value or "")
    try:
        return dt.date.fromisoformat(match.group(1)) if match else None
    except ValueError:
        return None
