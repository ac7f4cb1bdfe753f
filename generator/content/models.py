"""Validate stage: pydantic models, one per concept of a symposium's content.

Every model forbids unknown keys, so a typo such as ``affilation`` is an error
with a "did you mean" hint rather than a silently missing field. Ids are
ASCII slugs because they become file names and URLs.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from enum import Enum
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from generator.content.markup import markdown_problem

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_SLUG = re.compile(SLUG_PATTERN)
# Names that would shadow a folder or page of the built site.
RESERVED_IDS = frozenset({"index", "pagefind", "pagefind-delta", "assets", "static", "figures", "program",
                          "speakers", "talks", "publications", "practical", "search", "my-schedule", "sitemap",
                          "robots", "404"})
_TIME = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$")
_JOINERS = {"\u200c", "\u200d"}  # ZWNJ, ZWJ: needed inside Persian and Indic words and emoji sequences
_EMOJI_TAGS = range(0xE0020, 0xE0080)  # spell subdivision flags such as England's


def invisible_character(value: str, allowed: str = "") -> str | None:
    """Why ``value`` holds a character a reader cannot see or that reorders text, or None.

    The rule (README, "Content safety"): control characters other than
    ``allowed``, direction marks and overrides (U+200E, U+200F, U+202A-U+202E,
    U+2066-U+2069), zero-width spaces, word joiners, byte-order marks and
    other format characters are refused, since they make two equal-looking
    names differ or flip how a line reads; ZWNJ/ZWJ are kept only between two
    non-ASCII characters, where scripts and emoji need them; a soft hyphen is
    kept.
    """
    visible = value
    for char in allowed:
        visible = visible.replace(char, "")
    if visible.isprintable():  # the common case, checked in C: no Cc, Cf or Cs character at all
        return None
    for index, char in enumerate(value):
        category = unicodedata.category(char)
        if char in allowed or char == "\u00ad" or ord(char) in _EMOJI_TAGS:
            continue
        if char in _JOINERS:
            before, after = value[index - 1: index], value[index + 1: index + 2]
            if before and after and not before.isascii() and not after.isascii():
                continue
        elif category not in ("Cc", "Cf", "Cs"):
            continue
        name = unicodedata.name(char, "a control character" if category == "Cc" else "an unpaired surrogate")
        return f"contains the invisible character U+{ord(char):04X} ({name}); retype the text without it"
    return None


#: Latin letters that do not decompose into an ASCII letter and a mark (NFKD leaves "ø" whole).
_LATIN = str.maketrans({"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ß": "ss", "æ": "ae",
                        "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "TH", "ð": "d", "Ð": "D", "ı": "i"})


def slugify(text: str) -> str:
    """ASCII slug of a name: "Radu I. Boţ" -> "radu-i-bot", "Bjørn Østergaard" -> "bjorn-ostergaard"."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LATIN))
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def check_slug(value: str) -> str:
    """Ids become file names and URLs: ASCII words joined by hyphens, not a reserved page name."""
    problem = invisible_character(value)
    if problem:
        raise ValueError(f"the id {problem}")
    if len(value) > 80:
        raise ValueError(f"an id must be at most 80 characters long; this one has {len(value)}")
    if not _SLUG.match(value):
        suggestion = slugify(value)
        example = f", such as '{suggestion}'" if suggestion and suggestion not in RESERVED_IDS else ""
        raise ValueError(f"'{value}' is not a valid id: use lowercase ASCII words joined by hyphens{example}")
    if value in RESERVED_IDS:
        raise ValueError(f"'{value}' is reserved for a page of the site; choose another id")
    return value


_SPACES = re.compile(r"[^\S\u00a0\u2007\u202f]+")  # runs of breaking white space


def _is_tidy(value: str) -> bool:
    """True for text that :func:`_check_text` would return unchanged: the common case, checked in C.

    Printable text holds no white space but the ASCII space (tabs, line breaks and
    other spaces are not printable), so without two spaces in a row and without a
    space at either end, its white space is already tidy; and nothing in it is invisible.
    """
    return (value.isprintable() and value != "" and "  " not in value and value[0] != " " and value[-1] != " "
            and (value.isascii() or unicodedata.is_normalized("NFC", value)))


def _check_text(value: str) -> str:
    """Single-line text: NFC (so "t" + combining cedilla equals "ţ"), one space between words, nothing invisible.

    No-break spaces (U+00A0, U+2007, U+202F, as between "20" and "%") are kept: they say where a line must not break.
    """
    if _is_tidy(value):
        return value
    value = _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()
    problem = invisible_character(value)
    if problem:
        raise ValueError(problem)
    if not value:
        raise ValueError("must not be empty")
    return value


#: Invisible but harmless in prose, and common in text pasted from the web or exported by pretalx and frab:
#: zero-width space, ZWNJ, ZWJ, word joiner, byte-order mark (a soft hyphen is allowed everywhere). Refused
#: in ids, names and titles, where they make two equal-looking names differ; direction marks stay refused.
PROSE_FORMAT_CHARACTERS = "\u200b\u200c\u200d\u2060\ufeff"


def _check_markdown(value: str) -> str:
    """Multi-line Markdown: NFC, nothing invisible except line breaks, tabs and the prose format characters."""
    value = unicodedata.normalize("NFC", value).strip("\n")
    problem = invisible_character(value, allowed="\n\t\r" + PROSE_FORMAT_CHARACTERS) or markdown_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _check_url(value: str) -> str:
    value = value.strip()
    problem = invisible_character(value)
    if problem:
        raise ValueError(f"the address {problem}")
    if not re.match(r"^(https?://[^\s<>\"]+|mailto:[^\s<>\"]+)$", value, re.IGNORECASE):
        raise ValueError(f"'{value}' is not a web address: it must start with https:// or http:// (or mailto:)")
    return value


def _check_photo_path(value: str) -> str:
    """A file path: no invisible characters (a NUL would crash the file system calls); link.py checks the rest."""
    problem = invisible_character(value)
    if problem:
        raise ValueError(f"the path {problem}")
    return value


def _check_year(value: dt.date) -> dt.date:
    """A symposium's dates lie in a plausible range; year 1 or 9999 would overflow time-zone arithmetic."""
    if not 1900 <= value.year <= 2999:
        raise ValueError(f"{value} is not a plausible date for a symposium: the year must be between 1900 and 2999")
    return value


def _as_written(value: Any) -> str:
    """How a non-text YAML value reads in an error message, as the subject of '... is not a time'."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, float):
        return f"{value} (a decimal number)"
    if isinstance(value, (list, dict)):
        return f"a {'list' if isinstance(value, list) else 'mapping'}"
    return str(value)


def _parse_time(value: Any) -> dt.time:
    """HH:MM text only: YAML reads 9.40 as a float, 9:40 as 580 and 'yes' as true, none of them a time."""
    if isinstance(value, dt.time):
        return value
    if isinstance(value, str):
        match = _TIME.match(value.strip())
        if not match:
            raise ValueError(f"'{value}' is not a time: write it as HH:MM on a 24-hour clock, e.g. \"09:40\"")
        return dt.time(int(match.group(1)), int(match.group(2)))
    raise ValueError(f"{_as_written(value)} is not a time: write it as HH:MM in quotes, e.g. \"09:40\"")


def _parse_date(value: Any) -> Any:
    """Text (pydantic parses YYYY-MM-DD) or a date; no numbers, which pydantic reads as seconds since 1970."""
    if isinstance(value, str) or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    raise ValueError(f"{_as_written(value)} is not a date: write it as YYYY-MM-DD, e.g. 2026-05-06")


Slug = Annotated[str, AfterValidator(check_slug)]
Text = Annotated[str, AfterValidator(_check_text)]
Markdown = Annotated[str, AfterValidator(_check_markdown)]
Url = Annotated[str, AfterValidator(_check_url)]
PhotoPath = Annotated[str, AfterValidator(_check_photo_path)]
ClockTime = Annotated[dt.time, BeforeValidator(_parse_time)]
Date = Annotated[dt.date, BeforeValidator(_parse_date), AfterValidator(_check_year)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


class Link(Model):
    label: Text
    url: Url


class Track(Model):
    id: Slug
    name: Text
    color: str = Field(default="#5b6b8c", pattern=r"^#[0-9a-fA-F]{6}$",
                       description="A hex colour such as '#1f77b4'; always shown with the track's name.")
    description: Markdown | None = None


class Organizer(Model):
    name: Text
    affiliation: Text | None = None
    url: Url | None = None


class Event(Model):
    """content/event.yaml: what the symposium is, when and where."""

    name: Text
    short_name: Text | None = None
    tagline: Text | None = None
    description: Markdown | None = None
    start: Date
    end: Date
    timezone: str = Field(description="IANA time zone name, e.g. Europe/Stockholm")
    city: Text | None = None
    url: Url | None = Field(default=None, description="Public address of the published site, for links in feeds.")
    default_venue: Slug | None = None
    organizers: list[Organizer] = []
    links: list[Link] = []
    tracks: list[Track] = []

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            import difflib

            close = difflib.get_close_matches(value, sorted(available_timezones()), n=1)
            hint = f"did you mean '{close[0]}'?" if close else "use an IANA name such as 'Europe/Stockholm'"
            raise ValueError(f"unknown time zone '{value}' ({hint})") from None
        return value

    @field_validator("end")
    @classmethod
    def _dates_in_order(cls, end: dt.date, info: ValidationInfo) -> dt.date:
        start = info.data.get("start")
        if start is not None and end < start:
            raise ValueError(f"the event ends ({end}) before it starts ({start})")
        return end


class Room(Model):
    id: Slug
    name: Text
    capacity: int | None = Field(default=None, ge=1)


class Venue(Model):
    id: Slug
    name: Text
    address: Text | None = None
    map_url: Url | None = None
    notes: Markdown | None = None
    rooms: list[Room] = []


class VenueFile(Model):
    """content/venues.yaml."""

    venues: list[Venue]


class SlotKind(str, Enum):
    talk = "talk"
    lightning = "lightning"
    poster = "poster"
    break_ = "break"
    meal = "meal"
    registration = "registration"
    opening = "opening"
    closing = "closing"
    reception = "reception"
    social = "social"
    transport = "transport"
    workshop = "workshop"
    panel = "panel"


#: Kinds whose slot presents a talk file (title, speakers, abstract).
TALK_KINDS = frozenset({SlotKind.talk, SlotKind.workshop, SlotKind.panel})


class Slot(Model):
    """One entry of a day's program."""

    id: Slug | None = None
    start: ClockTime
    end: ClockTime | None = None
    end_date: Date | None = Field(
        default=None, description="The date of 'end' when it is after the slot's day: a slot past midnight "
                                  "or longer than a day (the link stage checks it is after the day).")
    kind: SlotKind
    title: Text | None = None
    talk: Slug | None = None
    venue: Slug | None = None
    room: Slug | None = None
    track: Slug | None = None
    all_rooms: bool = Field(default=False, description="A plenary slot that spans every room of its venue.")
    notes: Markdown | None = None
    relays: Slug | None = Field(
        default=None, description="The id of a slot this one relays into its room (an overflow or stream room) "
                                  "while it runs: the same talk, its speakers shown in both rooms on purpose. "
                                  "`symposium check` names each relay in a warning.")
    clashes_with: list[Slug] = Field(
        default=[], description="Ids of slots this one overlaps knowingly, in its room or through a shared speaker, "
                                "as the imported schedule had them: `symposium check` reports each such clash as a "
                                "warning instead of an error.")

    @model_validator(mode="after")
    def _talk_or_title(self) -> Slot:
        if self.kind is SlotKind.talk and self.talk is None:
            raise ValueError("a slot of kind 'talk' needs 'talk: <talk id>' naming a file in talks/")
        if self.talk is None and self.title is None:
            raise ValueError(f"a '{self.kind.value}' slot needs a 'title', e.g. 'Coffee'")
        if self.talk is not None and self.title is not None:
            raise ValueError("give either 'talk' or 'title', not both: the title comes from the talk file")
        if self.talk is not None and self.kind not in TALK_KINDS:
            kinds = ", ".join(sorted(kind.value for kind in TALK_KINDS))
            raise ValueError(f"only slots of kind {kinds} can present a talk; this one is '{self.kind.value}'")
        if self.end_date is not None and self.end is None:
            raise ValueError("'end_date' needs an 'end' time on that date")
        if self.end is not None and self.end_date is None and self.end <= self.start:
            raise ValueError(f"the slot ends ({self.end:%H:%M}) before it starts ({self.start:%H:%M}); "
                             "for a slot that ends after midnight, add 'end_date'")
        if self.relays is not None and self.all_rooms:
            raise ValueError("a slot that 'relays' another one shows it in its own room; it cannot be 'all_rooms'")
        if len(set(self.clashes_with)) != len(self.clashes_with):
            raise ValueError("'clashes_with' names a slot twice")
        return self


class Day(Model):
    """content/program/<date>.yaml: one day of the program."""

    date: Date
    title: Text | None = None
    venue: Slug | None = None
    slots: list[Slot] = []


class Talk(Model):
    """content/talks/<id>.yaml; the id is the file name."""

    title: Text | None = None
    tba: bool = False
    subtitle: Text | None = None
    speakers: list[Slug] = []
    abstract: Markdown | None = None
    joint_work: list[Text] = []
    companion: Slug | None = None
    part: int | None = Field(default=None, ge=1)
    track: Slug | None = None
    links: list[Link] = []

    @model_validator(mode="after")
    def _title_or_tba(self) -> Talk:
        if self.tba and self.title is not None:
            raise ValueError("a talk with 'tba: true' must not have a title; remove one of them")
        if not self.tba and self.title is None:
            raise ValueError("the talk needs a 'title', or 'tba: true' while the title is not known")
        if self.title is not None and self.title.strip().upper() in {"TBA", "TBD"}:
            raise ValueError(f"write 'tba: true' instead of the title '{self.title}'")
        return self

    @field_validator("speakers")
    @classmethod
    def _speakers_once(cls, speakers: list[str]) -> list[str]:
        twice = sorted({speaker for speaker in speakers if speakers.count(speaker) > 1})
        if twice:
            raise ValueError(f"'{twice[0]}' is listed twice")
        return speakers


def _author(value: Any) -> Any:
    if isinstance(value, str):
        name = value.strip()
        equal = name.endswith("*")
        return {"name": name.rstrip("*").strip(), "equal_contribution": equal}
    return value


class Author(Model):
    name: Text
    equal_contribution: bool = False


class Publication(Model):
    title: Text
    authors: list[Annotated[Author, BeforeValidator(_author)]] = Field(
        min_length=1, description="In order; a trailing '*' marks equal contribution.")
    et_al: bool = Field(default=False, description="True when the source lists only some of the authors.")
    venue: Text | None = None
    year: int | None = Field(default=None, ge=1900, le=2100)
    doi: str | None = Field(default=None, pattern=r"^10\.\d{4,9}/\S+$")
    arxiv: str | None = Field(default=None, pattern=r"^(\d{4}\.\d{4,5}(v\d+)?|[a-z\-]+(\.[A-Z]{2})?/\d{7})$")
    url: Url | None = None
    abstract: Markdown | None = None
    notes: Text | None = None


class Interest(Model):
    title: Text
    description: Markdown | None = None


class Education(Model):
    degree: Text
    institution: Text
    advisors: list[Text] = []
    year: int | None = Field(default=None, ge=1900, le=2100)
    details: Markdown | None = None


class Speaker(Model):
    """content/speakers/<id>.yaml; the id is the file name."""

    name: Text
    family_name: Text | None = None
    affiliations: list[Text] = []
    position: Text | None = None
    bio: Markdown | None = None
    about: Markdown | None = None
    photo: PhotoPath | None = Field(default=None, description="A path inside content/, e.g. photos/jane-doe.jpg")
    links: list[Link] = []
    interests: list[Interest] = []
    education: list[Education] = []
    publications: list[Publication] = []


#: Which model validates which part of the content tree (used for hints and the JSON Schema).
DOCUMENT_MODELS: dict[str, type[Model]] = {
    "event": Event,
    "venues": VenueFile,
    "program": Day,
    "talks": Talk,
    "speakers": Speaker,
}
