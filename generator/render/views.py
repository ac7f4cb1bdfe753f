"""Views: the linked program arranged the way pages show it (day grids, author matching, publication lists).

Pure functions of the program; the templates only iterate over what these return.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from itertools import groupby
from typing import Any, Callable, TypeVar

from generator.content.addresses import page_url, schedule_data_url
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
#: A list page (speakers, publications) holds at most about this many elements, ~0.5 s of a mid-range
#: phone's main thread (benchmarks/phone.py); a longer list is split into pages of this size.
LIST_PAGE_NODES = 2000

T = TypeVar("T")


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


@dataclass(frozen=True)
class DaySpan:
    """A day as the links to it show it: its page, its schedule data, and when it runs (None: no slots)."""

    day: DayNode
    url: str  # page_url('day'): 'program.html#day-<date>' on a one-page program, else 'program/<date>.html'
    start: dt.datetime | None
    until: dt.datetime | None

    @property
    def page(self) -> str:
        """The day's page without the fragment, for links that add a query or a fragment of their own."""
        return self.url.split("#", 1)[0]

    @property
    def data(self) -> str:
        return schedule_data_url(self.day.id)


def day_spans(program: Program, until: dict[str, dt.datetime]) -> list[DaySpan]:
    """Every day with its address and its span, from its first start to the last slot's 'until'."""
    return [DaySpan(day, page_url("day", day.id, program), day.slots[0].start if day.slots else None,
                    max((until[slot.id] for slot in day.slots), default=None)) for day in program.days]


def slot_record(slot: SlotNode, until: dt.datetime, program: Program) -> dict[str, Any]:
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
        "url": page_url("talk", talk.id) if talk else page_url("day", slot.start.date().isoformat(), program),
        "start": slot.start.isoformat(),
        "end": slot.end.isoformat() if slot.end else None,
        "until": until.isoformat(),
        "time": clock(slot.start) + (f"–{clock(slot.end)}" if slot.end else ""),
        "place": place,
        "ics_start": utc_stamp(slot.start),
        "ics_end": utc_stamp(slot.end or until),
    }


def day_schedule(day: DayNode, until: dict[str, dt.datetime], program: Program) -> dict[str, Any]:
    """One day's schedule data file: its date, how pages name it, and its slots' records."""
    return {"date": day.id, "day": long_date(day.date),
            "slots": [slot_record(slot, until[slot.id], program) for slot in day.slots]}


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


@dataclass(frozen=True)
class ListPage:
    """One page of a list too long for one: its address, how links name it, and what it lists."""

    url: str
    label: str
    items: list[Any]


def runs_by_weight(items: list[T], weight: Callable[[T], int], budget: int) -> list[list[T]]:
    """``items`` cut into consecutive runs whose weights add up to at most ``budget`` (a heavier item alone)."""
    runs: list[list[T]] = []
    run: list[T] = []
    total = 0
    for item in items:
        if run and total + weight(item) > budget:
            runs.append(run)
            run, total = [], 0
        run.append(item)
        total += weight(item)
    return runs + ([run] if run else [])


def _publication_nodes(entry: tuple[Publication, list[SpeakerNode]]) -> int:
    publication, listed_by = entry
    return 8 + len(publication.authors) + 2 * len(listed_by)


def publication_pages(years: list[tuple[str, list[Any]]]) -> list[ListPage]:
    """Publications too many for one page, a page per year (a big year in parts); none when they fit one."""
    if sum(_publication_nodes(entry) for _, entries in years for entry in entries) <= LIST_PAGE_NODES:
        return []
    pages = []
    for year, entries in years:
        ident = year if year.isdigit() else "undated"
        runs = runs_by_weight(entries, _publication_nodes, LIST_PAGE_NODES)
        for number, run in enumerate(runs, start=1):
            label, suffix = (year, "") if len(runs) == 1 else (f"{year} ({number} of {len(runs)})", f"-{number}")
            pages.append(ListPage(page_url("publications", ident + suffix), label, run))
    return pages


#: Elements of one card on the speakers' list (item, link, avatar, name, affiliation, their wrappers).
SPEAKER_CARD_NODES = 7


def speaker_pages(speakers: list[SpeakerNode]) -> list[ListPage]:
    """Speakers too many for one page, in pages by family name ('Åberg – Bianchi'); none when they fit one."""
    per_page = LIST_PAGE_NODES // SPEAKER_CARD_NODES
    if len(speakers) <= per_page:
        return []
    runs = [speakers[start:start + per_page] for start in range(0, len(speakers), per_page)]
    return [ListPage(page_url("speakers", str(number)), _range_label(run[0], run[-1]), run)
            for number, run in enumerate(runs, start=1)]


def _range_label(first: SpeakerNode, last: SpeakerNode) -> str:
    """'Åberg – Bianchi' by family name; by full name where the family names are the same."""
    if first.family_name == last.family_name:
        return f"{first.name} – {last.name}"
    return f"{first.family_name} – {last.family_name}"
