"""Views: the linked program arranged the way pages show it (day grids, author matching, publication lists).

Pure functions of the program; the templates only iterate over what these return.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from generator.content.addresses import page_url
from generator.content.graph import (
    DayNode,
    Program,
    RoomNode,
    SlotNode,
    SpeakerNode,
    fold,
)
from generator.content.markup import feed_markdown, plain_text
from generator.content.models import Publication
from generator.render.formats import KIND_LABELS, clock, long_date, utc_stamp

#: Row height of the multi-room grid: one CSS grid row per this many minutes.
GRID_MINUTES = 5


def is_same_person(author: str, speaker: SpeakerNode) -> bool:
    """Whether an author string names the speaker ('Jason D Lee' == 'Jason D. Lee')."""
    words = re.sub(r"[^a-z ]", " ", fold(author)).split()
    target = re.sub(r"[^a-z ]", " ", fold(speaker.name)).split()
    if words == target:
        return True
    family = fold(speaker.family_name).split()
    return bool(words and target) and words[-len(family):] == family and words[0][:1] == target[0][:1]


def metadata_text(markdown: str) -> str:
    """Markdown as plain text without any markup, for JSON-LD that search engines read."""
    return feed_markdown(plain_text(markdown)) or ""


def _name_words(name: str) -> tuple[str, ...]:
    return tuple(re.sub(r"[^a-z ]", " ", fold(name)).split())


class AuthorIndex:
    """Finds the speaker an author string names, in O(words) instead of a scan over all speakers.

    Same rule as :func:`is_same_person`: the same words, or the same family name and first initial.
    """

    def __init__(self, speakers: list[SpeakerNode]):
        self.exact: dict[tuple[str, ...], SpeakerNode] = {}
        self.by_family: dict[tuple[tuple[str, ...], str], SpeakerNode] = {}
        for speaker in speakers:
            target = _name_words(speaker.name)
            self.exact.setdefault(target, speaker)
            family = tuple(fold(speaker.family_name).split())
            if target and family:
                self.by_family.setdefault((family, target[0][:1]), speaker)

    def find(self, author: str) -> SpeakerNode | None:
        words = _name_words(author)
        if words in self.exact:
            return self.exact[words]
        for size in range(1, len(words) + 1):
            hit = self.by_family.get((words[-size:], words[0][:1]))
            if hit is not None:
                return hit
        return None


def match_author(author: str, speakers: AuthorIndex | list[SpeakerNode]) -> SpeakerNode | None:
    """The speaker among ``speakers`` that ``author`` names, if any (for highlighting own names)."""
    if isinstance(speakers, AuthorIndex):
        return speakers.find(author)
    return next((speaker for speaker in speakers if is_same_person(author, speaker)), None)


def until_of(day: DayNode) -> dict[str, dt.datetime]:
    """When each slot stops being 'now': its end, else the next later start that day, else midnight."""
    starts = sorted({slot.start for slot in day.slots})
    midnight = dt.datetime.combine(day.date + dt.timedelta(days=1), dt.time(0), tzinfo=day.slots[0].start.tzinfo) \
        if day.slots else None
    result = {}
    for slot in day.slots:
        later = [start for start in starts if start > slot.start]
        result[slot.id] = slot.end or (later[0] if later else midnight)
    return result


@dataclass(frozen=True)
class DayView:
    """A day as the program page lays it out: a timeline, or a grid with a column per room."""

    day: DayNode
    rooms: list[RoomNode]
    groups: list[tuple[dt.datetime, list[SlotNode]]]
    until: dict[str, dt.datetime]
    placement: dict[str, str]
    label_placement: dict[dt.datetime, str]
    rows: int


def day_view(day: DayNode) -> DayView:
    """Group a day's slots by start time; with rooms, place each slot on the grid (rows of 5 minutes)."""
    until = until_of(day)
    groups = [(start, list(slots)) for start, slots in groupby(day.slots, key=lambda slot: slot.start)]
    rooms: list[RoomNode] = []
    for slot in day.slots:
        if slot.room is not None and slot.room not in rooms:
            rooms.extend(room for room in slot.room.venue.rooms if room not in rooms)
    if not rooms or not day.slots:
        return DayView(day, [], groups, until, {}, {}, 0)
    first = day.slots[0].start

    def line(instant: dt.datetime) -> int:
        return int((instant - first).total_seconds() // 60 // GRID_MINUTES) + 2  # line 1: the room headers

    placement: dict[str, str] = {}
    last_line = 3
    for slot in day.slots:
        top = line(slot.start)
        bottom = max(line(until[slot.id]) if slot.end else top + 6, top + 1)
        last_line = max(last_line, bottom)
        if slot.room is not None and not slot.all_rooms:
            column = rooms.index(slot.room) + 2
            columns = f"{column}/{column + 1}"
        else:
            columns = f"2/{len(rooms) + 2}"
        placement[slot.id] = f"grid-row:{top}/{bottom};grid-column:{columns}"
    labels = {start: f"grid-row:{line(start)}/{line(start) + 1};grid-column:1/2" for start, _ in groups}
    return DayView(day, rooms, groups, until, placement, labels, last_line - 1)


def slot_record(slot: SlotNode, until: dt.datetime) -> dict[str, Any]:
    """What the browser needs to know about a slot (home's now/next box, my schedule, the .ics)."""
    talk = slot.talk
    place = ", ".join(part for part in (slot.room.name if slot.room else None,
                                         slot.venue.name if slot.venue else None) if part)
    return {
        "id": slot.id,
        "talk": talk.id if talk else None,
        "title": slot.display_title + (f" (Part {talk.part})" if talk is not None and talk.part else ""),
        "kind": KIND_LABELS[slot.kind][0],
        "speakers": [speaker.name for speaker in slot.speakers],
        "url": page_url("talk", talk.id) if talk else page_url("day", slot.start.date().isoformat()),
        "day": long_date(slot.start.date()),
        "start": slot.start.isoformat(),
        "end": slot.end.isoformat() if slot.end else None,
        "until": until.isoformat(),
        "time": clock(slot.start) + (f"–{clock(slot.end)}" if slot.end else ""),
        "place": place,
        "ics_start": utc_stamp(slot.start),
        "ics_end": utc_stamp(slot.end or until),
    }


def dedupe_publications(program: Program) -> list[tuple[str, list[tuple[Publication, list[SpeakerNode]]]]]:
    """All speakers' publications, one entry per title, grouped by year (newest first, 'Year not given' last)."""
    by_title: dict[str, tuple[Publication, list[SpeakerNode]]] = {}
    for speaker in program.speakers_sorted:
        for publication in speaker.publications:
            key = " ".join(re.sub(r"[^a-z0-9]+", " ", fold(publication.title)).split())
            if key in by_title:
                by_title[key][1].append(speaker)
            else:
                by_title[key] = (publication, [speaker])
    entries = sorted(by_title.values(), key=lambda entry: (-(entry[0].year or 0), fold(entry[0].title)))
    grouped = []
    for year, items in groupby(entries, key=lambda entry: entry[0].year):
        grouped.append((str(year) if year else "Year not given", list(items)))
    return grouped
