"""``symposium import``: a pretalx or frab schedule (XML or JSON) -> a new content folder.

Three steps, each a pure function but the last: :func:`parse_schedule` reads the
untrusted file safely (defusedxml refuses DTDs, entity bombs and external
entities; JSON has size and depth limits) into a :class:`SourceRoot` of aware
instants (the c3voc "schedule 2" JSON through :mod:`generator.import_schedule2`);
:func:`content_from_schedule` maps it onto this project's own layout
(event.yaml, venues.yaml, program/, talks/, speakers/) as ``{path: text}``,
keeping what the source system accepted (a speaker in two rooms at once becomes
an acknowledged clash, the same talk in two rooms a relay); :func:`write_content`
writes that into a new or empty folder atomically and never overwrites anything.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html.parser
import json
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder
from zoneinfo import ZoneInfo, available_timezones

import nh3
import yaml
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .import_quirks import (Timed, ZoneProblem, choose_zone, find_overlaps, find_relays, invisible_notes, known_zone,
                            visible_text)
from .models import PROSE_FORMAT_CHARACTERS, RESERVED_IDS, TALK_KINDS, SlotKind, check_slug, slugify

MAX_BYTES = 32 * 1024 * 1024
MAX_JSON_DEPTH = 32
MAX_ID_LENGTH = 60

#: frab/pretalx event types -> slot kinds; our own kinds map to themselves, so our exports round-trip.
KIND_ALIASES = {
    "lecture": "talk", "keynote": "talk", "podium": "panel", "discussion": "panel", "pause": "break",
    "coffee": "break", "lunch": "meal", "dinner": "meal", "hands-on": "workshop", "tutorial": "workshop",
    "lightning talk": "lightning", "lightning-talk": "lightning", "lightning talks": "lightning",
}
#: Track colours for tracks the schedule gives none (matplotlib's tab10, distinguishable and named in the legend).
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
           "#17becf"]
VENUE_ID = "main-venue"
OUR_GENERATOR = "symposium-site"  # generator.exports.common.GENERATOR
_JOINT_WORK = re.compile(r"^Based on joint work with (.+)\.$")
_HTML_TAG = re.compile(r"</?(?:p|br|a|div|span|ul|ol|li|em|strong|b|i|u|code|pre|h[1-6]|blockquote)\b[^>]*>",
                       re.IGNORECASE)


# --- errors ----------------------------------------------------------------------------------

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


def _fail(file: str, message: str, line: int | None = None) -> ScheduleError:
    return ScheduleError([ImportProblem(file, line, message)])


# --- the schedule as read: lenient models shared by the JSON and the XML reader ---------------

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
        return _one_line(self.display_name_raw)

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


# --- reading: XML and JSON into plain data, then the lenient models -------------------------

def parse_schedule(text: str, source_name: str) -> SourceRoot:
    """Recognise frab XML or frab/c3voc JSON by content and read it safely."""
    if len(text) > MAX_BYTES:
        raise _fail(source_name, f"the file is over the {MAX_BYTES // (1024 * 1024)} MiB limit for a schedule")
    body = text.lstrip("\ufeff \t\r\n")
    if body.startswith("<"):
        data = _xml_data(text, source_name)
    elif body.startswith("{") or body.startswith("["):
        data = _json_data(text, source_name)
    else:
        raise _fail(source_name, "this is neither a frab XML nor a frab/c3voc JSON schedule "
                                 "(expected '<schedule>' or '{\"schedule\": ...}')", 1)
    from .import_schedule2 import is_schedule2, read_schedule2

    if is_schedule2(data):
        return read_schedule2(data, source_name)
    try:
        return SourceRoot.model_validate(data)
    except ValidationError as errors:
        problems = [_validation_problem(error, data, source_name) for error in errors.errors(include_url=False)]
        raise ScheduleError(problems[:20] + ([ImportProblem(source_name, None, f"... and {len(problems) - 20} more")]
                                             if len(problems) > 20 else [])) from None


def _validation_problem(error: dict[str, Any], data: Any, source_name: str) -> ImportProblem:
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


def _json_data(text: str, source_name: str) -> Any:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise _fail(source_name, f"invalid JSON: {error.msg} (column {error.colno})", error.lineno) from None
    except RecursionError:
        raise _fail(source_name, "the JSON is nested too deeply to be a schedule") from None
    if _depth(data) > MAX_JSON_DEPTH:
        raise _fail(source_name, f"the JSON is nested more than {MAX_JSON_DEPTH} levels deep; a schedule needs ~8")
    if not isinstance(data, dict) or not isinstance(data.get("schedule"), dict):
        raise _fail(source_name, "this JSON is not a frab/c3voc schedule: it has no 'schedule' object "
                                 "(pretalx serves one at <event>/schedule/export/schedule.json)")
    return data


def _depth(data: Any) -> int:
    """Nesting depth, without recursion (the data may be hostile)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_JSON_DEPTH:
            return depth
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((child, depth + 1) for child in children)
    return deepest


class _LineBuilder(TreeBuilder):
    """Remembers the source line of every element, for errors an organizer can find."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[int, int] = {}
        self.parser: DefusedXMLParser | None = None

    def start(self, tag: str, attrs: dict[str, str]) -> Element:  # type: ignore[override]
        element = super().start(tag, attrs)
        if self.parser is not None:
            self.lines[id(element)] = self.parser.parser.CurrentLineNumber
        return element


def _xml_data(text: str, source_name: str) -> dict[str, Any]:
    """Parse frab XML with every DTD and entity refused, into the JSON format's shape."""
    builder = _LineBuilder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    builder.parser = parser
    try:
        parser.feed(text)
        root = parser.close()
    except DefusedXmlException as error:
        line = parser.parser.CurrentLineNumber
        raise _fail(source_name, f"refused: the XML declares a DTD or entities ({type(error).__name__}); "
                                 "a schedule never needs them, and they can expand or fetch files", line) from None
    except ParseError as error:
        line, column = error.position
        reason = str(error).split(":")[0]
        raise _fail(source_name, f"invalid XML: {reason} (column {column + 1})", line) from None
    if root.tag != "schedule":
        raise _fail(source_name, f"this XML is not a frab schedule: its root element is <{root.tag}>, "
                                 "not <schedule>", builder.lines.get(id(root)))
    generator = root.find("generator")
    return {"schedule": _xml_schedule(root, builder.lines),
            "generator": dict(generator.attrib) if generator is not None else None}


def _text(element: Element | None) -> str | None:
    return element.text if element is not None and element.text is not None else (None if element is None else "")


def _xml_schedule(root: Element, lines: dict[int, int]) -> dict[str, Any]:
    conference = root.find("conference")
    info: dict[str, Any] = {"days": []}
    if conference is not None:
        for key in ("title", "acronym", "start", "end", "time_zone_name"):
            info[key] = _text(conference.find(key))
        info["tracks"] = [dict(track.attrib) for track in conference.findall("track")]
    for day in root.findall("day"):
        rooms: dict[str, list[dict[str, Any]]] = {}
        for room in day.findall("room"):
            events = rooms.setdefault(room.get("name", ""), [])
            events.extend(_xml_event(event, lines) for event in room.findall("event"))
        info["days"].append({"_line": lines.get(id(day)), "date": day.get("date"), "rooms": rooms})
    return {"_line": lines.get(id(root)), "conference": info}


def _xml_event(event: Element, lines: dict[int, int]) -> dict[str, Any]:
    data: dict[str, Any] = {"_line": lines.get(id(event)), "guid": event.get("guid"), "id": event.get("id")}
    for key in ("date", "start", "end", "duration", "room", "slug", "title", "subtitle", "track", "type", "abstract",
                "description"):
        value = _text(event.find(key))
        if value is not None:
            data[key] = value
    data["persons"] = [{"id": person.get("id"), "guid": person.get("guid"), "name": person.text or ""}
                       for person in event.iterfind("persons/person")]
    data["links"] = [{"url": link.get("href", ""), "title": link.text} for link in event.iterfind("links/link")]
    return data


# --- text: HTML in imported abstracts becomes plain Markdown ----------------------------------

def _one_line(text: str) -> str:
    """Single-line text: control characters become spaces, invisible format characters (zero-width spaces,
    word joiners, byte-order marks, direction marks) are left out, so names that read alike are alike;
    other Unicode (U+202F, right-to-left scripts, a soft hyphen) is kept."""
    text = re.sub(r"[\x00-\x1f\x7f]+", " ", visible_text(text))
    return re.sub(r" {2,}", " ", text).strip(" ")


class _MarkdownWriter(html.parser.HTMLParser):
    """Sanitized HTML -> Markdown: paragraphs, line breaks, lists, emphasis and http(s) links."""

    BLOCKS = {"p", "div", "ul", "ol", "pre", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6"}
    MARKS = {"em": "*", "i": "*", "strong": "**", "b": "**", "code": "`"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS:
            self.parts.append("\n\n")
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in self.MARKS:
            self.parts.append(self.MARKS[tag])
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            usable = re.match(r"^(https?://|mailto:)[^\s<>()]+$", href, re.IGNORECASE)
            self.links.append(href if usable else None)
            if usable:
                self.parts.append("[")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self.parts.append("\n\n")
        elif tag in self.MARKS:
            self.parts.append(self.MARKS[tag])
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href:
                self.parts.append(f"]({href})")

    def handle_data(self, data: str) -> None:
        text = re.sub(r"[ \t\r\n]+", " ", data)
        self.parts.append(re.sub(r"([\\`*_\[\]<>])", r"\\\1", text))


def html_to_markdown(text: str | None) -> str | None:
    """Imported text as Markdown: HTML is sanitized then converted; plain text and Markdown are kept."""
    if text is None:
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text)
    text = visible_text(text, keep=PROSE_FORMAT_CHARACTERS)  # zero-width spaces and the like are fine in prose
    if _HTML_TAG.search(text):
        clean = nh3.clean(text, tags={"p", "br", "div", "ul", "ol", "li", "em", "i", "strong", "b", "code", "pre",
                                      "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "a"},
                          attributes={"a": {"href"}}, url_schemes={"http", "https", "mailto"}, link_rel=None)
        writer = _MarkdownWriter()
        writer.feed(clean)
        writer.close()
        text = "".join(writer.parts)
        text = "\n".join(line.strip(" ") for line in text.split("\n"))
        text = re.sub(r"\n{3,}", "\n\n", text)
    text = text.strip()
    return text or None


# --- mapping onto this project's content -----------------------------------------------------

@dataclass
class ImportedContent:
    """The content folder to write, as {relative path: text}, and notes for the organizer."""

    files: dict[str, str]
    notes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class _Entry:
    """One scheduled event, with its true start and end."""

    source: SourceEvent
    room: str
    start: dt.datetime
    end: dt.datetime | None


#: Letters that Unicode does not decompose into ASCII, so that "Ole Ødegård" becomes "ole-odegard".
_LATIN = str.maketrans({"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ß": "ss", "æ": "ae",
                        "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "TH", "ð": "d", "Ð": "D", "ı": "i"})


class _Ids:
    """Deterministic, valid, unique slugs: the first 'keynote' keeps it, the next is 'keynote-2'."""

    def __init__(self) -> None:
        self.used: set[str] = set(RESERVED_IDS)

    def take(self, text: str, fallback: str, preferred: str | None = None) -> str:
        """The preferred id when it is a valid, unused slug; else one made from ``text``."""
        if preferred and preferred not in self.used:
            try:
                self.used.add(check_slug(preferred))
                return preferred
            except ValueError:
                pass
        base = slugify(text.translate(_LATIN))[:MAX_ID_LENGTH].strip("-") or fallback
        candidate, number = base, 1
        while candidate in self.used:
            number += 1
            candidate = f"{base}-{number}"
        check_slug(candidate)
        self.used.add(candidate)
        return candidate


def import_schedule(text: str, source_name: str, timezone: str | None = None) -> ImportedContent:
    """The whole import as a pure function: schedule text in, content files out (raises ScheduleError).

    ``timezone`` (``--timezone``) names the event's zone instead of the schedule's own or an inferred one.
    """
    return content_from_schedule(parse_schedule(text, source_name), source_name, timezone)


#: The order of a slot's keys in program/<date>.yaml.
_SLOT_KEYS = ("id", "start", "end", "end_date", "kind", "talk", "title", "room", "track", "relays", "clashes_with",
              "notes")


def content_from_schedule(root: SourceRoot, source_name: str, timezone: str | None = None) -> ImportedContent:
    conference = root.schedule.conference
    events = [event for day in conference.days for events in day.rooms.values() for event in events]
    notes = invisible_notes(
        [conference.title, conference.acronym, *(track.name for track in conference.tracks),
         *(text for event in events for text in (event.title, event.subtitle, event.track, event.room,
                                                 *event.contributors, *(p.display_name_raw for p in event.persons)))],
        [text for event in events for text in (event.abstract, event.description,
                                                *(person.biography for person in event.persons))])
    zone, zone_comment = _zone(conference, source_name, notes, timezone)
    entries = _entries(conference, zone, source_name)
    if not entries:
        raise _fail(source_name, "the schedule holds no events, so there is nothing to import (looked under "
                                 "schedule.conference.days[].rooms, and schedule.events for schedule 2); "
                                 "is it the full schedule export, and is the schedule released?")

    room_ids, rooms = _rooms(conference, entries)
    tracks, track_ids = _tracks(conference, entries)
    speakers, speaker_of = _speakers(entries, root.ours)
    people = [list(dict.fromkeys(speaker_of[person.key] for person in entry.source.persons
                                 if person.key in speaker_of)) for entry in entries]
    items = [Timed(entry.start, entry.end, entry.room, frozenset(people[index]), _one_line(entry.source.title or ""))
             for index, entry in enumerate(entries)]
    relayed = find_relays(items)
    files: dict[str, str] = {}
    talk_ids = _Ids()
    slots: list[dict[str, Any]] = []
    for index, entry in enumerate(entries):
        event = entry.source
        if index in relayed:  # the same talk at the same time in another room: shown there, not repeated
            slot = {key: value for key, value in slots[relayed[index]].items() if key not in ("id", "notes")}
            slot["room"] = room_ids[entry.room]
            slots.append(slot)
            continue
        kind = _kind(event.type, bool(event.persons))
        local_start = entry.start.astimezone(zone)
        slot = {"start": _Time(f"{local_start:%H:%M}")}
        if entry.end is not None and entry.end > entry.start:
            local_end = entry.end.astimezone(zone)
            slot["end"] = _Time(f"{local_end:%H:%M}")
            if local_end.date() != local_start.date():
                slot["end_date"] = local_end.date()
        slot["kind"] = kind.value
        title = _one_line(event.title or "")
        tba = title.upper() in {"", "TBA", "TBD"}
        abstract, description = html_to_markdown(event.abstract), html_to_markdown(event.description)
        joint_work: list[str] = []
        if root.ours:  # our description is the joint-work sentence, then the slot's notes
            joint_work, description = _split_description(description)
        else:
            abstract, description = _joined(abstract, description), None
        joint_work += [name for name in map(_one_line, event.contributors) if name and name not in joint_work]
        person_ids = people[index]
        if kind is SlotKind.talk or (kind in TALK_KINDS and (person_ids or abstract)):
            preferred = _our_slot_id(event, conference) if root.ours else None
            talk_id = talk_ids.take(title if not tba else "-".join(["tba", *person_ids[:1]]), "talk", preferred)
            slot["talk"] = talk_id
            files[f"talks/{talk_id}.yaml"] = _talk_yaml(event, title, tba, person_ids, abstract, joint_work)
            if description:
                slot["notes"] = description
        else:
            slot["title"] = title or kind.value.capitalize()
            if abstract:
                slot["notes"] = abstract
        slot["room"] = room_ids[entry.room]
        if event.track and _one_line(event.track):
            slot["track"] = track_ids[_one_line(event.track)]
        slots.append(slot)
    _mark_overlaps(entries, slots, items, relayed, talk_ids, notes, zone)
    contributors = sum(len(entry.source.contributors) for entry in entries)
    if contributors:
        notes.append(f"{contributors} participant{'s' if contributors > 1 else ''} listed with a role other than "
                     "speaker (such as CONTRIBUTOR) became the 'joint_work' of their talks, not speakers")

    days: dict[dt.date, list[dict[str, Any]]] = {}
    for entry, slot in zip(entries, slots):
        ordered = {key: slot[key] for key in _SLOT_KEYS if key in slot}
        days.setdefault(entry.start.astimezone(zone).date(), []).append(ordered)
    dates = sorted(days)
    start = min(filter(None, [_date(conference.start), dates[0]]))
    end = max(filter(None, [_date(conference.end), dates[-1], start]))
    files["event.yaml"] = _event_yaml(conference, start, end, zone, zone_comment, tracks, source_name)
    files["venues.yaml"] = _dump({"venues": [{"id": VENUE_ID, "name": "Main venue", "rooms": rooms}]},
                                 "The schedule names only rooms: give the venue its real name and address.")
    for date, day_slots in days.items():
        files[f"program/{date.isoformat()}.yaml"] = _dump({"date": date, "slots": day_slots})
    for speaker_id, person in speakers.items():
        files[f"speakers/{speaker_id}.yaml"] = _speaker_yaml(person)
    counts = {"slots": len(entries), "days": len(days), "talks": sum(path.startswith("talks/") for path in files),
              "speakers": len(speakers), "rooms": len(rooms), "tracks": len(tracks)}
    return ImportedContent(dict(sorted(files.items())), notes, counts)


# --- the time zone, and what the source system accepted: relays and clashes ----------------------

def _zone(conference: SourceConference, source_name: str, notes: list[str],
          chosen: str | None = None) -> tuple[ZoneInfo, str]:
    """The event's zone (see import_quirks.choose_zone) and the comment beside it in event.yaml."""
    instants = [event.date for day in conference.days for events in day.rooms.values() for event in events
                if event.date is not None and event.date.utcoffset() is not None]
    try:
        zone, comment, zone_notes = choose_zone(instants, (conference.time_zone_name or "").strip(), chosen)
    except ZoneProblem as problem:
        raise _fail(source_name, str(problem)) from None
    notes.extend(zone_notes)
    return zone, comment


def _mark_overlaps(entries: list[_Entry], slots: list[dict[str, Any]], items: list[Timed], relayed: dict[int, int],
                   talk_ids: _Ids, notes: list[str], zone: ZoneInfo) -> None:
    """Write 'relays' and 'clashes_with' where the schedule has what `symposium check` refuses unless told,
    giving the slots they name an 'id' when they have no talk (whose id is the slot's)."""
    ids = _Ids()
    ids.used |= talk_ids.used
    ids.used |= {f"{entry.start.astimezone(zone):%Y-%m-%d-%H%M}-{slot['kind']}-{slot['room']}"
                 for entry, slot in zip(entries, slots)}  # the ids the link stage gives slots without one

    def slot_id(index: int) -> str:
        slot = slots[index]
        if "id" not in slot:
            if index in relayed:
                slot["id"] = ids.take(f"{slot_id(relayed[index])}-{slot['room']}", "relay")
            elif "talk" in slot:
                return slot["talk"]
            else:
                slot["id"] = ids.take(slot["title"], "slot")
        return slot["id"]

    for index, original in relayed.items():
        slots[index]["relays"] = slot_id(original)
        slot_id(index)
    if relayed:
        count = len(relayed)
        notes.append(f"{count} event{'s' if count > 1 else ''} repeat{'s' if count == 1 else ''} another's title, "
                     "speakers and time in a second room: imported as relay slots ('relays: <slot id>'), which "
                     "`symposium check` names in a warning")
    for earlier, later, why in find_overlaps(items, relayed):
        slots[later].setdefault("clashes_with", []).append(slot_id(earlier))
        notes.append(f"clash kept as the schedule has it: '{items[later].title}' and '{items[earlier].title}' "
                     f"overlap at {entries[later].start.astimezone(zone):%Y-%m-%d %H:%M} ({why}); marked "
                     "'clashes_with', which `symposium check` shows as a warning")


def _entries(conference: SourceConference, zone: ZoneInfo, source_name: str) -> list[_Entry]:
    """Every event with aware start and end, in time order (then room, then title), for stable ids."""
    entries: list[_Entry] = []
    problems: list[ImportProblem] = []
    for day in conference.days:
        for room, events in day.rooms.items():
            for event in events:
                try:
                    start = _start(event, day, zone)
                    end = _end(event, start)
                except ValueError as error:
                    problems.append(ImportProblem(source_name, event.line or day.line,
                                                  f"event '{_one_line(event.title or '?')}': {error}"))
                    continue
                entries.append(_Entry(event, room, start, end))
    if problems:
        raise ScheduleError(problems)
    room_order = {name: index for index, name in enumerate(_room_names(conference))}
    entries.sort(key=lambda e: (e.start, room_order.get(e.room, 0), e.source.title or "", str(e.source.guid)))
    return entries


def _start(event: SourceEvent, day: SourceDay, zone: ZoneInfo) -> dt.datetime:
    if event.date is not None:
        moment = event.date
    elif day.date is not None and event.start and re.fullmatch(r"\d{1,2}:\d{2}(:\d{2})?", event.start):
        hour, minute = (int(part) for part in event.start.split(":")[:2])
        moment = dt.datetime.combine(day.date, dt.time(hour, minute))
    else:
        raise ValueError("it has no 'date' (its start as an ISO date and time)")
    return moment.replace(tzinfo=zone) if moment.utcoffset() is None else moment


def _end(event: SourceEvent, start: dt.datetime) -> dt.datetime | None:
    """The true end: 'end' when given, else start + duration ('HH:MM', or pretalx's 'D:HH:MM')."""
    if event.end is not None:
        end = event.end if event.end.utcoffset() is not None else event.end.replace(tzinfo=start.tzinfo)
    elif event.duration:
        parts = event.duration.strip().split(":")
        if not all(part.isdigit() for part in parts) or len(parts) not in (2, 3):
            raise ValueError(f"duration '{event.duration}' is not HH:MM")
        days, hours, minutes = ([0] if len(parts) == 2 else []) + [int(part) for part in parts]
        end = start + dt.timedelta(days=days, hours=hours, minutes=minutes)
    else:
        return None
    if end < start:
        raise ValueError(f"it ends ({end.isoformat()}) before it starts ({start.isoformat()})")
    return end if end > start else None


def _room_names(conference: SourceConference) -> list[str]:
    names = [room.name for room in conference.rooms]
    names += [name for day in conference.days for name in day.rooms]
    return list(dict.fromkeys(names))


def _rooms(conference: SourceConference, entries: list[_Entry]) -> tuple[dict[str, str], list[dict[str, str]]]:
    used = {entry.room for entry in entries}
    ids = _Ids()
    room_ids: dict[str, str] = {}
    rooms = []
    for name in _room_names(conference):
        if name in used:
            room_ids[name] = ids.take(name, "room")
            rooms.append({"id": room_ids[name], "name": _one_line(name) or room_ids[name]})
    return room_ids, rooms


def _tracks(conference: SourceConference, entries: list[_Entry]) -> tuple[list[dict[str, str]], dict[str, str]]:
    declared = {_one_line(track.name): track for track in conference.tracks if _one_line(track.name)}
    names = list(declared) + [_one_line(entry.source.track or "") for entry in entries]
    ids = _Ids()
    tracks, track_ids = [], {}
    for name in dict.fromkeys(name for name in names if name):
        source = declared.get(name)
        slug = source.slug if source is not None and source.slug and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*",
                                                                                    source.slug) else name
        track_ids[name] = ids.take(slug, "track")
        color = _color(source.color if source is not None else None) or PALETTE[len(tracks) % len(PALETTE)]
        tracks.append({"id": track_ids[name], "name": name, "color": color})
    return tracks, track_ids


def _color(value: str | None) -> str | None:
    value = (value or "").strip().lower()
    if re.fullmatch(r"#[0-9a-f]{3}", value):
        value = "#" + "".join(char * 2 for char in value[1:])
    return value if re.fullmatch(r"#[0-9a-f]{6}", value) else None


def _speakers(entries: list[_Entry], ours: bool) -> tuple[dict[str, SourcePerson], dict[str, str]]:
    """One speaker per person (by guid, code, id), merged by name too: the content has one file per name."""
    ids = _Ids()
    speakers: dict[str, SourcePerson] = {}
    speaker_of: dict[str, str] = {}
    by_name: dict[str, str] = {}
    for entry in entries:
        for person in entry.source.persons:
            name = person.display_name
            if not name:
                continue
            folded = slugify(name.translate(_LATIN)) or name
            speaker_id = speaker_of.get(person.key) or by_name.get(folded)
            if speaker_id is None:
                speaker_id = ids.take(name, "speaker", person.slug if ours else None)
                speakers[speaker_id] = person.model_copy(update={"links": list(person.links)})
            else:
                known = speakers[speaker_id]
                updates: dict[str, Any] = {"links": known.links + [link for link in person.links
                                                                    if link not in known.links]}
                if not (known.biography or "").strip() and (person.biography or "").strip():
                    updates["biography"] = person.biography
                speakers[speaker_id] = known.model_copy(update=updates)
            speaker_of[person.key] = speaker_id
            by_name.setdefault(folded, speaker_id)
    return speakers, speaker_of


def _kind(event_type: str | None, has_persons: bool) -> SlotKind:
    """The slot kind of a frab type; anything with speakers that cannot present a talk becomes a talk."""
    name = (event_type or "").strip().lower()
    name = KIND_ALIASES.get(name, name)
    kind = SlotKind(name) if name in {kind.value for kind in SlotKind} else SlotKind.talk
    if has_persons and kind not in TALK_KINDS:
        return SlotKind.talk
    return kind


def _our_slot_id(event: SourceEvent, conference: SourceConference) -> str | None:
    """The slot id in our own exports' slug ``<acronym>-<number>-<slot id>``."""
    prefix = f"{conference.acronym}-{event.id}-"
    slug = event.slug or ""
    return slug[len(prefix):] if slug.startswith(prefix) and len(slug) > len(prefix) else None


def _split_description(description: str | None) -> tuple[list[str], str | None]:
    """Our exports' description: 'Based on joint work with A, B and C.' then the slot's notes."""
    if not description:
        return [], None
    first, _, rest = description.partition("\n\n")
    match = _JOINT_WORK.match(first)
    if match is None:
        return [], description
    names = re.split(r", | and ", match.group(1))
    return [name for name in names if name], rest or None


def _joined(abstract: str | None, description: str | None) -> str | None:
    if abstract and description and description != abstract:
        return f"{abstract}\n\n{description}"
    return abstract or description


def _links(links: list[SourceLink]) -> list[dict[str, str]]:
    result = []
    for link in links:
        url = link.url.strip()
        if re.fullmatch(r"https?://[^\s<>\"]+", url, re.IGNORECASE):
            result.append({"label": _one_line(link.title or "") or url, "url": url})
    return result


def _talk_yaml(event: SourceEvent, title: str, tba: bool, speakers: list[str], abstract: str | None,
               joint_work: list[str]) -> str:
    talk: dict[str, Any] = {"tba": True} if tba else {"title": title}
    subtitle = _one_line(event.subtitle or "")
    if subtitle:
        talk["subtitle"] = subtitle
    talk["speakers"] = speakers
    if abstract:
        talk["abstract"] = abstract
    if joint_work:
        talk["joint_work"] = joint_work
    if _links(event.links):
        talk["links"] = _links(event.links)
    return _dump(talk)


def _speaker_yaml(person: SourcePerson) -> str:
    speaker: dict[str, Any] = {"name": person.display_name}
    bio = html_to_markdown(person.biography)
    if bio:
        speaker["bio"] = bio
    if _links(person.links):
        speaker["links"] = _links(person.links)
    return _dump(speaker)


def _event_yaml(conference: SourceConference, start: dt.date, end: dt.date, zone: ZoneInfo, zone_comment: str,
                tracks: list[dict[str, str]], source_name: str) -> str:
    name = _one_line(conference.title or "") or _one_line(conference.acronym or "") or "Imported event"
    event: dict[str, Any] = {"name": name}
    acronym = _one_line(conference.acronym or "")
    if acronym and acronym != name:
        event["short_name"] = acronym
    event.update({"start": start, "end": end, "timezone": zone.key, "default_venue": VENUE_ID})
    if tracks:
        event["tracks"] = tracks
    text = _dump(event, f"Imported from {Path(source_name).name} by `symposium import`.")
    if zone_comment:
        text = text.replace(f"timezone: {zone.key}\n", f"timezone: {zone.key}  # {zone_comment}\n", 1)
    return text


def _date(value: str | None) -> dt.date | None:
    match = re.match(r"^\s*(\d{4}-\d{2}-\d{2})", value or "")
    try:
        return dt.date.fromisoformat(match.group(1)) if match else None
    except ValueError:
        return None


class _Dumper(yaml.SafeDumper):
    """Block scalars for multi-line text, so abstracts read as they were written."""


class _Time(str):
    """HH:MM, always quoted as in the README, so no YAML tool reads it as a number of minutes."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_Time, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:str", str(value),
                                                                            style='"'))


def _dump(data: dict[str, Any], comment: str = "") -> str:
    text = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100, default_flow_style=False)
    return (f"# {comment}\n" if comment else "") + text


# --- writing ----------------------------------------------------------------------------------

def write_content(imported: ImportedContent, target: Path) -> None:
    """Write into a new or empty folder: everything goes to a staging folder beside it, then one rename."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise FileExistsError(f"'{target}' is not empty; import writes only into a new or empty folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.import-", dir=target.parent))
    try:
        for relative, text in imported.files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        staging.chmod(0o755)
        os.rename(staging, target)  # replaces an empty folder; refuses a non-empty one
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


# --- command line -----------------------------------------------------------------------------

def register(subparsers: argparse._SubParsersAction) -> None:
    help_text = "import a pretalx or frab schedule (schedule.xml or schedule.json) into a new content folder"
    parser = subparsers.add_parser("import", help=help_text, description=help_text)
    parser.add_argument("schedule", metavar="SCHEDULE", help="the schedule file, XML or JSON (told apart by content)")
    parser.add_argument("--content", default="content", help="new or empty folder to write (default: content)")
    parser.add_argument("--timezone", metavar="ZONE", default=None,
                        help="the event's IANA time zone, e.g. Europe/Berlin, instead of the schedule's own "
                             "time_zone_name or one inferred from its UTC offsets; it must fit those offsets")
    parser.set_defaults(handler=cmd_import)


def cmd_import(args: argparse.Namespace) -> int:
    from .cli import EXIT_CONTENT, EXIT_OK, UsageError
    from .diagnostics import ContentError
    from .pipeline import load_program

    source, target = Path(args.schedule), Path(args.content)
    if not source.is_file():
        raise UsageError(f"schedule file '{source}' does not exist")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageError(f"'{target}' is not empty; import writes only into a new or empty folder "
                         "(pass --content NEW-FOLDER)")
    if args.timezone is not None and known_zone(args.timezone) is None:
        import difflib

        close = difflib.get_close_matches(args.timezone, sorted(available_timezones()), n=1)
        raise UsageError(f"--timezone: unknown time zone '{args.timezone}' "
                         f"({f'did you mean {close[0]!r}?' if close else 'use an IANA name such as Europe/Berlin'})")
    name = source.as_posix()
    try:
        raw = source.read_bytes()
        if len(raw) > MAX_BYTES:
            raise _fail(name, f"the file is {len(raw):,} bytes, over the {MAX_BYTES:,}-byte limit for a schedule")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise _fail(name, "the file is not valid UTF-8", raw[: error.start].count(b"\n") + 1) from None
        imported = import_schedule(text, name, args.timezone)
    except ScheduleError as error:
        for problem in error.problems:
            print(problem.format(), file=sys.stderr)
        print(f"{len(error.problems)} error{'s' if len(error.problems) != 1 else ''} found; nothing was written.",
              file=sys.stderr)
        return EXIT_CONTENT
    write_content(imported, target)
    for note in imported.notes:
        print(f"symposium import: note: {note}", file=sys.stderr)
    counts = imported.counts
    print(f"imported {counts['slots']} slots on {counts['days']} days, {counts['talks']} talks, "
          f"{counts['speakers']} speakers, {counts['rooms']} rooms and {counts['tracks']} tracks into {target}")
    try:
        load_program(target)
    except ContentError as error:
        print(error.diagnostics.report().rsplit("\n", 1)[0], file=sys.stderr)
        print(f"the imported content does not pass `symposium check` yet; fix the problems above in {target}",
              file=sys.stderr)
        return EXIT_CONTENT
    return EXIT_OK
