"""What real schedules carry that hand-written content does not, for ``symposium import``.

Pure functions on plain values, one group per quirk of the exports pretalx, frab and the
congress hub write: a time zone to infer when the schedule names none (or one its own
times contradict), invisible characters in names and abstracts, and overlaps the source
system accepted (a talk relayed into a second room, a speaker booked twice), which
`symposium check` refuses unless the content marks them.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from generator.content.models import PROSE_FORMAT_CHARACTERS

# --- the time zone -----------------------------------------------------------------------------

#: Tried in this order when the zone is inferred: the first that gives every event its UTC offset wins
#: (a city's winter and summer offsets tell it from its neighbours); then every other Region/City zone
#: alphabetically. Never 'Etc/GMT-1': exports need a city or UTC (the c3voc schema refuses the rest).
WELL_KNOWN_ZONES = (
    "Europe/London", "UTC", "Europe/Berlin", "Europe/Helsinki", "Europe/Moscow", "Europe/Istanbul", "Asia/Dubai",
    "Asia/Karachi", "Asia/Kolkata", "Asia/Kathmandu", "Asia/Dhaka", "Asia/Bangkok", "Asia/Shanghai", "Asia/Tokyo",
    "Australia/Brisbane", "Australia/Sydney", "Australia/Adelaide", "Australia/Darwin", "Pacific/Auckland",
    "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles",
    "America/Anchorage", "Pacific/Honolulu", "America/Halifax", "America/St_Johns", "America/Sao_Paulo",
    "America/Argentina/Buenos_Aires", "America/Mexico_City", "America/Bogota", "Atlantic/Azores",
    "Atlantic/Cape_Verde", "Africa/Lagos", "Africa/Johannesburg", "Africa/Nairobi", "Asia/Tehran", "Asia/Jakarta",
    "Asia/Singapore",
)
_CITY_ZONE = re.compile(r"^(Africa|America|Asia|Atlantic|Australia|Europe|Indian|Pacific)/[A-Z]")


class ZoneProblem(ValueError):
    """No zone can be chosen: the message says why, for the organizer."""


def known_zone(name: str) -> ZoneInfo | None:
    """The IANA zone of that name, or None (also for text that is not a zone name at all)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def offset_text(offset: dt.timedelta | None) -> str:
    minutes = int((offset or dt.timedelta()).total_seconds() // 60)
    return f"{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def fits(zone: ZoneInfo, instants: Iterable[dt.datetime]) -> bool:
    """Whether the zone gives every instant the UTC offset the schedule wrote it with."""
    return all(instant.astimezone(zone).utcoffset() == instant.utcoffset() for instant in instants)


def infer_zone(instants: list[dt.datetime]) -> ZoneInfo | None:
    """A city's IANA zone that gives every instant its own UTC offset, or None.

    The well-known zones first, in :data:`WELL_KNOWN_ZONES` order (+01:00 in December is Europe/Berlin,
    +02:00 in June too, -05:00 in January America/New_York), then every Region/City zone alphabetically:
    always the same answer for the same offsets.
    """
    others = sorted(name for name in available_timezones() if _CITY_ZONE.match(name) and name not in WELL_KNOWN_ZONES)
    for name in (*WELL_KNOWN_ZONES, *others):
        zone = known_zone(name)
        if zone is not None and fits(zone, instants):
            return zone
    return None


def choose_zone(instants: list[dt.datetime], named: str, chosen: str | None) -> tuple[ZoneInfo, str, list[str]]:
    """The event's zone, the comment for event.yaml ('' when nothing was guessed) and notes for the organizer.

    ``chosen`` (``--timezone``) must fit the times' UTC offsets; else the schedule's ``time_zone_name``
    (``named``) when its times agree with it; else a zone inferred from the offsets. Raises ZoneProblem.
    """
    if chosen:
        zone = known_zone(chosen)
        if zone is None:
            raise ZoneProblem(f"--timezone {chosen} is not a time zone: use an IANA name such as Europe/Berlin")
        wrong = next((instant for instant in instants if not fits(zone, [instant])), None)
        if wrong is not None:
            other = infer_zone(instants)
            raise ZoneProblem(f"--timezone {chosen} does not fit the schedule: it is at UTC"
                              f"{offset_text(wrong.astimezone(zone).utcoffset())} on {wrong:%Y-%m-%d}, where the "
                              f"schedule's times are at UTC{offset_text(wrong.utcoffset())}, so every clock time "
                              "would move" + (f" (a zone that fits: {other.key})" if other else ""))
        return zone, "", []
    zone = known_zone(named) if named else None
    if zone is not None and fits(zone, instants):
        return zone, "", []
    notes = [f"the schedule's time zone '{named}' is not an IANA name; inferring one from its times"] if (
        named and zone is None) else []
    if not instants:
        raise ZoneProblem("the schedule names no time zone (time_zone_name) and its times carry no UTC offsets, "
                          "so the true time of its events is unknown; pass --timezone ZONE")
    offsets = sorted({offset_text(instant.utcoffset()) for instant in instants})
    shown = f"UTC offset{'s' if len(offsets) > 1 else ''} {', '.join(offsets)}"
    inferred = infer_zone(instants)
    if inferred is None and zone is not None:
        return zone, "", [f"the schedule names time zone {named}, but its times are at {shown} and no zone fits "
                          f"them, so {named} is kept: the instants are right, clock times may differ from the source"]
    if inferred is None:
        raise ZoneProblem(f"the schedule names no time zone and no IANA zone gives all its times their {shown}; "
                          "pass --timezone ZONE")
    why = f"it names {named}, which they contradict" if zone is not None else "it names no time zone"
    comment = (f"inferred from the {shown} of the schedule's times ({why}); if the event is elsewhere, "
               "put in its city's zone")
    return inferred, comment, [*notes, f"time zone {inferred.key} {comment} (or import again with --timezone ZONE)"]


# --- invisible characters ----------------------------------------------------------------------

_EMOJI_TAGS = range(0xE0020, 0xE0080)


def visible_text(text: str, keep: str = "") -> str:
    """``text`` without the invisible format characters that content refuses (models.invisible_character).

    Zero-width spaces, word joiners, byte-order marks and direction marks go, except those in ``keep``;
    a soft hyphen, emoji tag characters and ZWNJ/ZWJ between two non-ASCII characters stay.
    """
    if text.isprintable():
        return text
    kept = []
    for index, char in enumerate(text):
        if char in keep or char == "\u00ad" or ord(char) in _EMOJI_TAGS or unicodedata.category(char) != "Cf":
            kept.append(char)
        elif char in "\u200c\u200d":
            before, after = text[index - 1: index], text[index + 1: index + 2]
            if before and after and not before.isascii() and not after.isascii():
                kept.append(char)
    return "".join(kept)


def invisible_notes(lines: Iterable[str | None], prose: Iterable[str | None]) -> list[str]:
    """What the import does with the invisible characters of single-line texts and of prose, if any."""
    dropped, dropped_prose, kept_prose = Counter[str](), Counter[str](), Counter[str]()
    for text in filter(None, lines):
        dropped += Counter(text) - Counter(visible_text(text))
    for text in filter(None, prose):
        dropped_prose += Counter(text) - Counter(visible_text(text, PROSE_FORMAT_CHARACTERS))
        kept_prose += Counter(char for char in text if char in PROSE_FORMAT_CHARACTERS)

    def named(counter: Counter[str]) -> str:
        total = sum(counter.values())
        kinds = ", ".join(f"U+{ord(char):04X} {unicodedata.name(char, '?')}" for char in sorted(counter))
        return f"{total} invisible character{'s' if total > 1 else ''} ({kinds})"

    notes = []
    if dropped:
        notes.append(f"left {named(dropped)} out of names and titles, so that names which read alike are alike; "
                     "ids and file names never hold them")
    if dropped_prose:
        notes.append(f"left {named(dropped_prose)} out of abstracts and biographies (`symposium check` refuses "
                     "direction marks and the like)")
    if kept_prose:
        notes.append(f"kept {named(kept_prose)} in abstracts and biographies, where they are harmless")
    return notes


# --- overlaps the source accepted --------------------------------------------------------------

@dataclass(frozen=True)
class Timed:
    """An event as far as overlaps go: its instants, room, speaker ids and title."""

    start: dt.datetime
    end: dt.datetime | None
    room: str
    people: frozenset[str]
    title: str


def find_relays(items: list[Timed]) -> dict[int, int]:
    """Events repeating an earlier one's title, speakers, start and end in another room: index -> its index.

    That is a talk relayed into an overflow or stream room; it becomes a slot that ``relays`` the first.
    """
    first: dict[tuple, int] = {}
    relayed: dict[int, int] = {}
    for index, item in enumerate(items):
        if not item.people or not item.title:
            continue
        original = first.setdefault((item.start, item.end, item.title.casefold(), item.people), index)
        if original != index and items[original].room != item.room:
            relayed[index] = original
    return relayed


def find_overlaps(items: list[Timed], relayed: dict[int, int]) -> list[tuple[int, int, str]]:
    """(earlier, later, why) for each pair the link stage would refuse: one room, or a shared speaker.

    ``items`` are in start order. As in the link stage, a slot without an end is a moment that meets
    only a slot starting then, and a relay's speakers are in the room of the slot it relays.
    """
    pairs = []
    for a, first in enumerate(items):
        first_end = first.end or first.start
        for b in range(a + 1, len(items)):
            second = items[b]
            if second.start >= first_end and second.start != first.start:
                break
            shared = set() if a in relayed or b in relayed else first.people & second.people
            if relayed.get(b) == a or not (first.room == second.room or shared):
                continue
            pairs.append((a, b, "the same room" if first.room == second.room else
                          f"speaker{'s' if len(shared) > 1 else ''} {', '.join(sorted(shared))}"))
    return pairs
