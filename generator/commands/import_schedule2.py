"""The c3voc "schedule 2" JSON (the congress hub's export), read into the importer's frab-shaped models.

Schedule 2 keeps ``schedule.conference`` (whose days hold only dates) and lists the events, and
the people with their biographies, at the top level of ``schedule``. An event's room and track
are references (``{"guid": ..., "slug": ..., "name": ...}``, or a plain name), its people are
``participants`` with a role, and its texts may be translated (``{"en": ..., "de": ...}``).
:func:`read_schedule2` validates that with lenient models of its own, so an error names the
path in the file as written (``schedule.events[3].title``), then hands the importer the same
:class:`~generator.commands.import_schedule.SourceRoot` a pretalx or frab file gives: days, rooms, events.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import ValidationError

from generator.commands.schedule_models import (
    ImportProblem,
    ScheduleError,
    SourceConference,
    SourceDay,
    SourceEvent,
    SourceGenerator,
    SourceLink,
    SourcePerson,
    SourceRoom,
    SourceRoot,
    SourceSchedule,
    SourceTrack,
    _Lenient,
    validation_problem,
)

#: Participant roles that present the event; others (the hub's CONTRIBUTOR) become the talk's joint work.
PRESENTING_ROLES = frozenset({"speaker", "moderator", "host", "presenter", ""})

Translated = str | dict[str, str | None] | None


class Reference(_Lenient):
    """A room or track named by guid, slug or name."""

    guid: str | None = None
    slug: str | None = None
    name: str | None = None


class Link2(_Lenient):
    url: str
    title: str | None = None
    type: str | None = None
    service: str | None = None


class Participant(_Lenient):
    guid: str | None = None
    name: str | None = None
    role: str | None = None


class Person2(_Lenient):
    guid: str | None = None
    name: str | None = None
    public_name: str | None = None
    biography: Translated = None
    links: list[Link2] = []


class Event2(_Lenient):
    guid: str | None = None
    code: str | None = None
    id: int | str | None = None
    slug: str | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    duration: str | None = None
    room: Reference | str | None = None
    title: str | None = None
    subtitle: str | None = None
    track: Reference | str | None = None
    type: str | None = None
    abstract: Translated = None
    description: Translated = None
    participants: list[Participant] = []
    links: list[Link2] = []


class Track2(_Lenient):
    name: str | None = None
    slug: str | None = None
    color: str | None = None
    colors: dict[str, str | None] = {}


class Room2(_Lenient):
    guid: str | None = None
    slug: str | None = None
    name: str | None = None


class Day2(_Lenient):
    date: dt.date | None = None
    rooms: dict[str, list[SourceEvent]] = {}  # a file that also fills days the frab way


class Conference2(_Lenient):
    title: str | None = None
    acronym: str | None = None
    start: str | None = None
    end: str | None = None
    time_zone_name: str | None = None
    languages: list[str] = []
    defaults: dict[str, Any] = {}
    tracks: list[Track2] = []
    rooms: list[Room2] = []
    days: list[Day2] = []


class Schedule2(_Lenient):
    conference: Conference2
    events: list[Event2]
    persons: list[Person2] = []


class Root2(_Lenient):
    schedule: Schedule2
    generator: SourceGenerator | None = None


def is_schedule2(data: Any) -> bool:
    """Schedule 2 lists its events at the top of ``schedule``; frab and pretalx JSON under days and rooms."""
    schedule = data.get("schedule") if isinstance(data, dict) else None
    return isinstance(schedule, dict) and isinstance(schedule.get("events"), list)


def read_schedule2(data: dict[str, Any], source_name: str) -> SourceRoot:
    try:
        root = Root2.model_validate(data)
    except ValidationError as errors:
        problems = [validation_problem(error, data, source_name) for error in errors.errors(include_url=False)]
        raise ScheduleError(problems[:20] + ([ImportProblem(source_name, None, f"... and {len(problems) - 20} more")]
                                             if len(problems) > 20 else [])) from None
    conference = root.schedule.conference
    language = str(conference.defaults.get("language") or (conference.languages or ["en"])[0])
    rooms = {key: room.name for room in conference.rooms if room.name for key in (room.guid, room.slug, room.name)
             if key}
    tracks = {key: track.name for track in conference.tracks if track.name for key in (track.slug, track.name) if key}
    persons = {person.guid: person for person in root.schedule.persons if person.guid}

    days = {day.date: SourceDay(date=day.date, rooms={name: list(events) for name, events in day.rooms.items()})
            for day in conference.days if day.date is not None}
    known = {event.guid for day in days.values() for events in day.rooms.values() for event in events if event.guid}
    for event in root.schedule.events:
        if event.guid and event.guid in known:
            continue
        converted = _event(event, rooms, tracks, persons, language)
        date = event.start.date() if event.start is not None else None
        day = days.setdefault(date, SourceDay(date=date))  # type: ignore[arg-type]  # no start: reported later
        day.rooms.setdefault(converted.room or "", []).append(converted)

    source = SourceConference(
        title=conference.title, acronym=conference.acronym, start=conference.start, end=conference.end,
        time_zone_name=conference.time_zone_name,
        tracks=[SourceTrack(name=track.name, slug=track.slug,
                            color=track.color or track.colors.get("light") or track.colors.get("dark"))
                for track in conference.tracks if track.name],
        rooms=[SourceRoom(name=room.name) for room in conference.rooms if room.name],
        days=[days[date] for date in sorted(days, key=lambda date: date or dt.date.min)])
    return SourceRoot(schedule=SourceSchedule(conference=source), generator=root.generator)


def _text(value: Translated, language: str) -> str | None:
    """A text, or its translation into the event's language (else English, else the first one given)."""
    if not isinstance(value, dict):
        return value
    return value.get(language) or value.get("en") or next((text for text in value.values() if text), None)


def _name(reference: Reference | str | None, names: dict[str, str]) -> str | None:
    if reference is None or isinstance(reference, str):
        return reference
    return reference.name or next((names[key] for key in (reference.guid, reference.slug) if key in names),
                                  reference.slug or reference.guid)


def _links(links: list[Link2]) -> list[SourceLink]:
    return [SourceLink(url=link.url, title=link.title or (link.service or link.type or "").capitalize() or None)
            for link in links]


def _event(event: Event2, rooms: dict[str, str], tracks: dict[str, str], persons: dict[str, Person2],
           language: str) -> SourceEvent:
    speakers, contributors = [], []
    for participant in event.participants:
        person = persons.get(participant.guid or "") or Person2()
        name = participant.name or person.name or person.public_name
        if (participant.role or "").strip().lower() not in PRESENTING_ROLES:
            contributors.extend([name] if name else [])
            continue
        speakers.append(SourcePerson(guid=participant.guid, name=name, biography=_text(person.biography, language),
                                     links=_links(person.links)))
    return SourceEvent(guid=event.guid, id=event.code or event.id, slug=event.slug, date=event.start, end=event.end,
                       duration=event.duration, room=_name(event.room, rooms), title=event.title,
                       subtitle=event.subtitle, track=_name(event.track, tracks), type=event.type,
                       abstract=_text(event.abstract, language), description=_text(event.description, language),
                       persons=speakers, contributors=contributors, links=_links(event.links))
