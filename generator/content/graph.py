"""The linked program: one object graph of days, slots, talks, speakers and venues.

What the link stage produces and every later stage reads (pages, feeds, figures'
links, search); plain dataclasses, so nothing downstream reaches back into the YAML.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from generator.content.models import (
    Education,
    Event,
    Interest,
    Link,
    Publication,
    SlotKind,
    Track,
)


def fold(text: str) -> str:
    """Sort key that files "Boţ" under B and "Ochs" after "Öberg" as a reader expects."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").casefold()


@dataclass(eq=False)
class RoomNode:
    id: str
    name: str
    venue: VenueNode


@dataclass(eq=False)
class VenueNode:
    id: str
    name: str
    address: str | None
    map_url: str | None
    notes: str | None
    rooms: list[RoomNode] = field(default_factory=list)


@dataclass(eq=False)
class SpeakerNode:
    id: str
    name: str
    family_name: str
    affiliations: list[str]
    position: str | None
    bio: str | None
    about: str | None
    photo: str | None
    links: list[Link]
    interests: list[Interest]
    education: list[Education]
    publications: list[Publication]
    talks: list[TalkNode] = field(default_factory=list)

    @property
    def sort_key(self) -> tuple[str, str, str]:
        return (fold(self.family_name), fold(self.name), self.id)

    @property
    def affiliation(self) -> str:
        return ", ".join(self.affiliations)

    @property
    def initials(self) -> str:
        words = [word for word in self.name.replace("-", " ").split() if word[:1].isalpha()]
        letters = [words[0][0], words[-1][0]] if len(words) > 1 else [w[0] for w in words[:1]]
        return "".join(letters).upper()


@dataclass(eq=False)
class TalkNode:
    id: str
    title: str | None
    tba: bool
    subtitle: str | None
    abstract: str | None
    joint_work: list[str]
    part: int | None
    links: list[Link]
    speakers: list[SpeakerNode]
    track: Track | None = None
    companion: TalkNode | None = None
    slot: SlotNode | None = None

    @property
    def display_title(self) -> str:
        return self.title if self.title is not None else "TBA"


@dataclass(eq=False)
class SlotNode:
    id: str
    kind: SlotKind
    start: dt.datetime
    end: dt.datetime | None
    title: str | None
    talk: TalkNode | None
    venue: VenueNode | None
    room: RoomNode | None
    track: Track | None
    all_rooms: bool
    notes: str | None
    relays: SlotNode | None = None  # the slot this one shows in its own room (an overflow or stream room)
    clashes_with: tuple[str, ...] = ()  # ids of slots it overlaps knowingly

    @property
    def display_title(self) -> str:
        return self.talk.display_title if self.talk is not None else (self.title or "")

    @property
    def speakers(self) -> list[SpeakerNode]:
        return self.talk.speakers if self.talk is not None else []

    @property
    def tba(self) -> bool:
        return self.talk is not None and self.talk.tba


@dataclass(eq=False)
class DayNode:
    date: dt.date
    title: str | None
    slots: list[SlotNode]

    @property
    def id(self) -> str:
        return self.date.isoformat()


#: Program -> (its speaker nodes, those nodes sorted), for Program.speakers_sorted; nothing is kept on the program.
_SORTED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@dataclass(eq=False)
class Program:
    """The linked content: everything the render and export stages need."""

    event: Event
    zone: ZoneInfo
    venues: dict[str, VenueNode]
    tracks: dict[str, Track]
    days: list[DayNode]
    talks: dict[str, TalkNode]
    speakers: dict[str, SpeakerNode]
    content_root: Path
    figures: list = field(default_factory=list)  # FigureSpec: what content/figures.yaml asks for
    warnings: list = field(default_factory=list)  # diagnostics.Problem: acknowledged clashes, shown, not fatal
    digests: Any = None  # digests.ContentDigests of the files read, set by pipeline.load_program

    @property
    def slots(self) -> list[SlotNode]:
        return [slot for day in self.days for slot in day.slots]

    @property
    def speakers_sorted(self) -> list[SpeakerNode]:
        """Speakers in reading order (a new list each time; sorted once while the same nodes are listed).

        Pages ask for it several times a build, and folding 8,000 names each time cost 0.05 s at
        N = 10,000. A node's name never changes once linked (relink.py leaves it alone: it is part of
        the file's link key), so the order holds while ``speakers`` holds the same nodes.
        """
        nodes = tuple(self.speakers.values())
        known = _SORTED.get(self)
        if known is None or len(known[0]) != len(nodes) or any(a is not b for a, b in zip(known[0], nodes)):
            known = _SORTED[self] = (nodes, sorted(nodes, key=lambda speaker: speaker.sort_key))
        return list(known[1])

    @property
    def rooms(self) -> list[RoomNode]:
        return [room for venue in self.venues.values() for room in venue.rooms]
