"""iCalendar (RFC 5545) feeds: ``schedule.ics`` with every slot, ``talks/<id>.ics`` per talk.

Times are written in the event's own zone (``DTSTART;TZID=Europe/Stockholm``)
with a VTIMEZONE for it, so a calendar in another zone shows the right
instant and a reader in Lund sees the printed program's times.
The feeds are reproducible: the UID and DTSTAMP come from the content.

Each slot's VEVENT is serialized once, from its plain record
(:func:`~.common.slot_record`) and the feed's constants, nothing else, and
the bytes are spliced into the program's calendar and the talk's own; a
:class:`~.fragments.FragmentCache` reuses them across builds while the
record stays the same.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone
from icalendar.cal.component import Component

from generator.content import markup
from generator.content.graph import Program
from generator.core.files import OutputFile
from generator.exports import common

PRODID = "-//symposium-site//schedule export//EN"
FOLD_OCTETS = 74  # icalendar folds before a character that would make a line 75 octets long


def fold(line: str) -> str:
    """One content line folded exactly as ``icalendar``'s ``_foldline`` folds it, much faster.

    icalendar has no other folding path: ``Component.to_ical`` hands every
    content line to ``_foldline``, which measures it one character at a time
    in Python (a fifth of all the exports' time). This cuts the
    same pieces with slices: the longest run of at most 74 UTF-8 octets, one
    character shorter when it would end in an escape character ``\\`` or ``^``
    (icalendar's rule, so an escape never straddles a fold).
    ``tests/test_exports.py`` checks it against ``_foldline`` on arbitrary text.
    """
    size = len(line) if line.isascii() else -1
    if 0 <= size <= FOLD_OCTETS:
        return line
    pieces = []
    start = 0
    while True:
        end = start + FOLD_OCTETS
        if size < 0:  # multi-octet characters: drop characters until the piece fits
            octets = len(line[start:end].encode("utf-8"))
            while octets > FOLD_OCTETS:
                end -= (octets - FOLD_OCTETS + 3) // 4  # each character is at most 4 octets: never too many
                octets = len(line[start:end].encode("utf-8"))
        if end >= len(line):
            pieces.append(line[start:])
            return "\r\n ".join(pieces)
        if end - start > 1 and line[end - 1] in "\\^":
            end -= 1
        pieces.append(line[start:end])
        start = end


def to_ical(component: Component) -> bytes:
    """``component.to_ical()``: icalendar writes the content lines, :func:`fold` folds them."""
    return b"".join(fold(line).encode("utf-8") + b"\r\n" for line in component.content_lines() if line)


def timezone_component(program: Program) -> Timezone:
    """VTIMEZONE of the event's zone for the whole of the event's year(s), both DST changes included."""
    first = dt.date(program.event.start.year, 1, 1)
    last = dt.date(program.event.end.year + 1, 1, 1)
    return Timezone.from_tzinfo(program.zone, tzid=program.zone.key, first_date=first, last_date=last)


def summary(record: dict[str, Any]) -> str:
    """The title a calendar shows: a TBA talk is announced by its speakers."""
    if record["tba"]:
        names = ", ".join(speaker[1] for speaker in record["speakers"])
        return f"TBA — {names}" if names else "TBA"
    return record["title"]


def description(record: dict[str, Any]) -> str:
    """Speakers with affiliations, subtitle, abstract, joint work and notes, as plain text."""
    blocks = []
    if record["speakers"]:
        blocks.append("\n".join(f"{name} ({affiliation})" if affiliation else name
                                for _, name, affiliation, _, _ in record["speakers"]))
    if record["talk"]:
        blocks += [record["subtitle"] or "", markup.plain_text(record["abstract"]),
                   common.joint_work_sentence(record["joint_work"])]
    blocks.append(markup.plain_text(record["notes"]))
    return "\n\n".join(block for block in blocks if block)


def categories(record: dict[str, Any]) -> list[str]:
    """The track (when there is one), then the kind of slot ("Talk", "Break", ...)."""
    names = [record["track"]] if record["track"] is not None else []
    return names + [record["kind"].capitalize()]


def slot_event(constants: dict[str, Any], record: dict[str, Any]) -> Event:
    """One VEVENT, in the event's zone. A slot without an end (the dinner at 19:00) gets DTSTART only.

    RFC 5545 (3.6.1) reads a DATE-TIME DTSTART without DTEND or DURATION as
    an event that ends when it starts: the calendar shows 19:00 and no
    invented end time, which is exactly what the program says.
    """
    zone = ZoneInfo(constants["zone"])
    event = Event()
    event.add("uid", f"{record['id']}@{constants['domain']}")
    event.add("dtstamp", dt.datetime.combine(dt.date.fromisoformat(constants["stamp"]), dt.time(0), dt.timezone.utc))
    event.add("dtstart", dt.datetime.fromisoformat(record["start"]).replace(tzinfo=zone))
    if record["end"] is not None:
        event.add("dtend", dt.datetime.fromisoformat(record["end"]).replace(tzinfo=zone))
    event.add("summary", summary(record))
    text = description(record)
    if text:
        event.add("description", text)
    if record["location"]:
        event.add("location", record["location"])
    event.add("categories", categories(record))
    url = common.absolute(constants["base"], record["page"])
    if url:
        event.add("url", url)
    return event


def calendar_lines(name: str, zone: str) -> list[str]:
    """A VCALENDAR's own content lines (unfolded), up to its first component."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("name", name)
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", zone)
    return [line for line in cal.content_lines() if line][:-1]


@functools.lru_cache(maxsize=4)
def _template(zone: str) -> tuple[str, ...]:
    return tuple(calendar_lines("", zone))


def calendar_head(name: str, zone: str) -> bytes:
    """A VCALENDAR's own lines, up to its first component (the calendar is closed by the caller).

    Calendars of one zone differ only in their name: icalendar writes the
    other lines once, and the two name lines for each calendar.
    """
    names = Calendar()
    names.add("name", name)
    names.add("x-wr-calname", name)
    named = {line.split(":", 1)[0]: line for line in names.content_lines() if line}
    lines = [named.get(line.split(":", 1)[0], line) for line in _template(zone)]
    return b"".join(fold(line).encode("utf-8") + b"\r\n" for line in lines)


def event_fragment(constants: dict[str, Any], record: dict[str, Any]) -> tuple[bytes, bytes]:
    """The slot's VEVENT, and the head of its talk's own calendar (empty for any other slot)."""
    head = b""
    if record["calendar"]:
        head = calendar_head(f"{summary(record)} — {constants['event']}", constants["zone"])
    return to_ical(slot_event(constants, record)), head


def calendar_files(program: Program, events: dict[str, tuple[bytes, bytes]]) -> list[OutputFile]:
    """``schedule.ics`` (the whole program, in program order) and one ``talks/<id>.ics`` per scheduled talk.

    ``events`` holds each slot's :func:`event_fragment` by slot id, in program
    order: serialized once and spliced into every calendar that carries it,
    byte for byte what ``Calendar.to_ical()`` writes for the same calendars.
    """
    zone = to_ical(timezone_component(program))
    end = b"END:VCALENDAR\r\n"
    whole = [calendar_head(program.event.name, program.zone.key), zone, *(event for event, _ in events.values()), end]
    files = [OutputFile("schedule.ics", b"".join(whole))]
    for talk_id, talk in sorted(program.talks.items()):
        if talk.slot is not None:
            event, head = events[talk.slot.id]
            files.append(OutputFile(f"talks/{talk_id}.ics", b"".join((head, zone, event, end))))
    return files
