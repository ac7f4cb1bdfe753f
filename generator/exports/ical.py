"""iCalendar (RFC 5545) feeds: ``schedule.ics`` with every slot, ``talks/<id>.ics`` per talk.

Times are written in the event's own zone (``DTSTART;TZID=Europe/Stockholm``)
with a VTIMEZONE for it, so a calendar in another zone shows the right
instant and a reader in Lund sees the printed program's times.
The feeds are reproducible: the UID and DTSTAMP come from the content.
"""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar, Event, Timezone

from ..link import Program, SlotNode
from ..write import OutputFile
from . import common

PRODID = "-//symposium-site//schedule export//EN"


def stamp(program: Program) -> dt.datetime:
    """DTSTAMP, which RFC 5545 requires: midnight UTC of the event's first day.

    A wall-clock stamp would make every build differ; this one only changes
    when the event moves, which is when a calendar should take note.
    """
    return dt.datetime.combine(program.event.start, dt.time(0), tzinfo=dt.timezone.utc)


def timezone_component(program: Program) -> Timezone:
    """VTIMEZONE of the event's zone for the whole of the event's year(s), both DST changes included."""
    first = dt.date(program.event.start.year, 1, 1)
    last = dt.date(program.event.end.year + 1, 1, 1)
    return Timezone.from_tzinfo(program.zone, tzid=program.zone.key, first_date=first, last_date=last)


def description(program: Program, slot: SlotNode) -> str:
    """Speakers with affiliations, subtitle, abstract, joint work and notes, as plain text."""
    blocks = []
    if slot.speakers:
        blocks.append("\n".join(f"{speaker.name} ({speaker.affiliation})" if speaker.affiliation else speaker.name
                                for speaker in slot.speakers))
    talk = slot.talk
    if talk is not None:
        blocks += [talk.subtitle or "", common.plain_text(talk.abstract), common.joint_work_sentence(talk.joint_work)]
    blocks.append(common.plain_text(slot.notes))
    return "\n\n".join(block for block in blocks if block)


def categories(slot: SlotNode) -> list[str]:
    """The track (when there is one), then the kind of slot ("Talk", "Break", ...)."""
    names = [slot.track.name] if slot.track is not None else []
    return names + [slot.kind.value.capitalize()]


def slot_event(program: Program, slot: SlotNode, base: str | None) -> Event:
    """One VEVENT. A slot without an end (the dinner at 19:00) gets DTSTART only.

    RFC 5545 (3.6.1) reads a DATE-TIME DTSTART without DTEND or DURATION as
    an event that ends when it starts: the calendar shows 19:00 and no
    invented end time, which is exactly what the program says.
    """
    event = Event()
    event.add("uid", f"{slot.id}@{common.calendar_domain(program)}")
    event.add("dtstamp", stamp(program))
    event.add("dtstart", slot.start)
    if slot.end is not None:
        event.add("dtend", slot.end)
    event.add("summary", common.display_title(slot))
    text = description(program, slot)
    if text:
        event.add("description", text)
    where = common.location(program, slot)
    if where:
        event.add("location", where)
    event.add("categories", categories(slot))
    url = common.absolute(base, common.slot_page(slot))
    if url:
        event.add("url", url)
    return event


def calendar(program: Program, name: str, components: list[bytes]) -> bytes:
    """A VCALENDAR around already serialized components.

    Each VEVENT and the VTIMEZONE are serialized once and spliced into every
    calendar that carries them (the whole program and each talk's file): the
    bytes are those ``Calendar.to_ical()`` writes, without folding the same
    lines a thousand times.
    """
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("name", name)
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", program.zone.key)
    end = b"END:VCALENDAR\r\n"
    return cal.to_ical().removesuffix(end) + b"".join(components) + end


def calendar_files(program: Program, base_url: str) -> list[OutputFile]:
    """``schedule.ics`` (the whole program, in program order) and one ``talks/<id>.ics`` per scheduled talk."""
    base = common.absolute_base(program, base_url)
    zone = timezone_component(program).to_ical()
    events = {slot.id: slot_event(program, slot, base).to_ical() for slot in program.slots}
    files = [OutputFile("schedule.ics", calendar(program, program.event.name, [zone, *events.values()]))]
    for talk_id, talk in sorted(program.talks.items()):
        if talk.slot is not None:
            name = f"{common.display_title(talk.slot)} — {program.event.name}"
            files.append(OutputFile(f"talks/{talk_id}.ics", calendar(program, name, [zone, events[talk.slot.id]])))
    return files
