"""What every feed agrees on: identities, rooms, addresses and plain text.

The iCalendar and frab exports describe the same slots; deciding here once
which room a slot belongs to, what its stable ids are and where its page
lives keeps the two feeds (and the importer that reads them back) consistent.
Nothing here reads a clock: every value is derived from the content alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from generator.content.addresses import acronym, calendar_domain, page_url
from generator.content.graph import Program, RoomNode, SlotNode, SpeakerNode, VenueNode

#: Language of the site's texts (templates/base.html says lang="en").
LANGUAGE = "en"
GENERATOR = "symposium-site"


def namespace(program: Program) -> uuid.UUID:
    """UUID namespace of this conference, so two conferences never share a guid."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"urn:{GENERATOR}:{acronym(program)}")


def room_guid(program: Program, room: ScheduleRoom) -> str:
    return str(uuid.uuid5(namespace(program), f"room:{room.slug}"))


def uuid5_int(namespace_bytes: bytes, name: str) -> int:
    """``uuid.uuid5(namespace, name).int`` without building UUID objects (a third of the cost of numbering
    10,000 slots)."""
    value = int.from_bytes(hashlib.sha1(namespace_bytes + name.encode("utf-8")).digest()[:16], "big")
    value = (value & ~(0xC000 << 48)) | (0x8000 << 48)  # RFC 4122 variant
    return (value & ~(0xF000 << 64)) | (5 << 76)  # version 5


def slot_numbers(program: Program) -> dict[str, int]:
    """A six-digit number per slot id, for the legacy integer ``id`` the frab formats require.

    Derived from a hash of the slot id rather than the slot's position, so
    adding a slot does not renumber the others (apps keep favourites by id);
    the rare collision moves to the next free number, in id order.
    """
    numbers: dict[str, int] = {}
    used: set[int] = set()
    space = namespace(program).bytes
    for slot_id in sorted(slot.id for slot in program.slots):
        number = 100000 + uuid5_int(space, f"slot-number:{slot_id}") % 900000
        while number in used:
            number = 100000 + (number - 100000 + 1) % 900000
        used.add(number)
        numbers[slot_id] = number
    return numbers


def absolute_base(program: Program, base_url: str) -> str | None:
    """Absolute address of the site, or None: the build's base URL if absolute, else ``event.url``."""
    for candidate in (base_url, program.event.url):
        if candidate and urlsplit(candidate).scheme in ("http", "https"):
            return candidate if candidate.endswith("/") else candidate + "/"
    return None


@dataclass
class Feed:
    """What every slot of one export shares, worked out once rather than per slot.

    ``constants`` is the part of it that the serializers read besides a slot's
    own record (:func:`slot_record`); both together are a fragment's cache key.
    """

    program: Program
    base: str | None
    acronym: str
    namespace: uuid.UUID
    domain: str
    rooms: list[ScheduleRoom]
    numbers: dict[str, int]
    speakers: dict[str, list[Any]] = field(default_factory=dict)

    @classmethod
    def of(cls, program: Program, base_url: str) -> Feed:
        return cls(program, absolute_base(program, base_url), acronym(program), namespace(program),
                   calendar_domain(program), schedule_rooms(program), slot_numbers(program))

    @property
    def constants(self) -> dict[str, Any]:
        return {"base": self.base, "acronym": self.acronym, "namespace": str(self.namespace), "domain": self.domain,
                "zone": self.program.zone.key, "event": self.program.event.name,
                "stamp": self.program.event.start.isoformat()}

    def room_of(self, slot: SlotNode) -> ScheduleRoom:
        return room_of(slot, self.rooms)

    def speaker(self, speaker: SpeakerNode) -> list[Any]:
        """A speaker as the feeds show one: id, name, affiliation, biography, page (one list per speaker)."""
        known = self.speakers.get(speaker.id)
        if known is None:
            known = self.speakers[speaker.id] = [speaker.id, speaker.name, speaker.affiliation, speaker.bio,
                                                 page_url("speaker", speaker.id)]
        return known


def slot_record(feed: Feed, slot: SlotNode) -> dict[str, Any]:
    """Everything the feeds say about one slot, as plain data: the input of its serialized fragments.

    Texts stay as written (Markdown, not yet defanged or made plain) and ids
    are not yet turned into guids: that is the serializers' work, done only
    for slots whose record the fragment cache does not know.
    """
    talk = slot.talk
    return {
        "id": slot.id,
        "number": feed.numbers[slot.id],
        "kind": slot.kind.value,
        "start": slot.start.isoformat(),
        "end": slot.end.isoformat() if slot.end is not None else None,
        "duration": duration(slot),
        "talk": talk is not None,
        "title": slot.display_title,
        "tba": slot.tba,
        "subtitle": talk.subtitle if talk is not None else None,
        "abstract": talk.abstract if talk is not None else None,
        "joint_work": talk.joint_work if talk is not None else [],
        "notes": slot.notes,
        "track": slot.track.name if slot.track is not None else None,
        "room": feed.room_of(slot).name,
        "location": location(feed.program, slot),
        "page": slot_page(slot, feed.program),
        "speakers": [feed.speaker(speaker) for speaker in slot.speakers],
        "links": [[link.label, link.url] for link in talk.links] if talk is not None else [],
        "calendar": talk is not None and talk.slot is slot,  # the slot of a talk's own calendar file
    }


def slot_page(slot: SlotNode, program: Program) -> str:
    """Site-relative page of a slot: its talk page, else its day in the program."""
    if slot.talk is not None:
        return page_url("talk", slot.talk.id)
    return page_url("day", slot.start.date().isoformat(), program)


def absolute(base: str | None, path: str) -> str | None:
    return urljoin(base, path) if base else None


def minutes(delta: dt.timedelta) -> int:
    return int(delta.total_seconds() // 60)


def hh_mm(total_minutes: int) -> str:
    return f"{total_minutes // 60:02d}:{total_minutes % 60:02d}"


def duration(slot: SlotNode) -> str:
    """``HH:MM``; a slot without an end (the dinner) lasts "00:00" rather than an invented length."""
    return hh_mm(minutes(slot.end - slot.start) if slot.end else 0)


def timeslot(program: Program) -> str:
    """The grid the program is laid out on: gcd of every start, end and length (5 minutes for Lund)."""
    values = [slot.start.hour * 60 + slot.start.minute for slot in program.slots]
    values += [slot.end.hour * 60 + slot.end.minute for slot in program.slots if slot.end]
    step = math.gcd(*values) if values else 0
    return hh_mm(step if 0 < step <= 60 else 15)


@dataclass(frozen=True)
class ScheduleRoom:
    """A column of the schedule: a real room, a whole venue, or (no venue at all) the event's city."""

    key: tuple[str, str]
    name: str
    venue: VenueNode | None
    room: RoomNode | None

    @property
    def slug(self) -> str:
        return "-".join(part for part in self.key if part) or "event"


def _room_key(slot: SlotNode) -> tuple[str, str]:
    """Which column a slot goes in.

    A plenary (``all_rooms``) is listed once, under its venue's first room:
    frab apps draw one column per room, and the same event under every room
    would repeat it n times in "now/next" lists and break the schedule's
    unique-guid rule. A slot at a venue without a room goes under the venue.
    """
    if slot.room is not None:
        return (slot.room.venue.id, slot.room.id)
    if slot.venue is not None:
        if slot.all_rooms and slot.venue.rooms:
            return (slot.venue.id, slot.venue.rooms[0].id)
        return (slot.venue.id, "")
    return ("", "")


def schedule_rooms(program: Program) -> list[ScheduleRoom]:
    """Every room of the conference, in venues.yaml order, plus the venue- or event-wide columns in use.

    An event without rooms (Lund) gets one column per venue; slots without
    any venue go under a column named after the event's city (or its name):
    where they happen, said no more precisely than the content does.
    """
    used = {_room_key(slot) for slot in program.slots}
    rooms: list[ScheduleRoom] = []
    if ("", "") in used:
        rooms.append(ScheduleRoom(("", ""), program.event.city or program.event.name, None, None))
    for venue in program.venues.values():
        if (venue.id, "") in used:
            rooms.append(ScheduleRoom((venue.id, ""), venue.name, venue, None))
        rooms += [ScheduleRoom((venue.id, room.id), room.name, venue, room) for room in venue.rooms]
    return _unique_names(_unique_names(rooms, lambda room: room.venue.name if room.room and room.venue else None),
                         lambda room: room.slug)


def _unique_names(rooms: list[ScheduleRoom], qualifier) -> list[ScheduleRoom]:
    """Room names key the frab files, so two "Room 1"s become "Room 1 (Venue A)" and "Room 1 (Venue B)"."""
    names = [room.name for room in rooms]
    return [ScheduleRoom(room.key, f"{room.name} ({qualifier(room)})", room.venue, room.room)
            if names.count(room.name) > 1 and qualifier(room) else room for room in rooms]


def room_of(slot: SlotNode, rooms: list[ScheduleRoom]) -> ScheduleRoom:
    key = _room_key(slot)
    return next(room for room in rooms if room.key == key)


def location(program: Program, slot: SlotNode) -> str:
    """Where to go, as a calendar shows it: room, venue, address (a plenary names no single room)."""
    parts: list[str | None] = []
    if slot.room is not None:
        parts.append(slot.room.name)
    if slot.venue is not None:
        parts += [slot.venue.name, slot.venue.address]
    else:
        parts.append(program.event.city)
    return ", ".join(part for part in parts if part)


def joint_work_sentence(names: list[str]) -> str:
    if not names:
        return ""
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"Based on joint work with {listed}."
