"""Exports stage: calendar and schedule feeds made from the linked program.

``ical`` writes iCalendar (``schedule.ics``, ``talks/<id>.ics``); ``frab``
writes the frab/c3voc schedule (``schedule.json``, ``schedule.xml``);
``common`` holds what both agree on (ids, rooms, addresses, plain text, and
each slot's record); ``fragments`` keeps each slot's serialized pieces
between builds.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from ..link import Program
from ..write import OutputFile
from . import frab, ical
from .common import Feed, slot_record
from .fragments import FragmentCache


def slot_fragment(constants: dict[str, Any], record: dict[str, Any]) -> tuple[bytes, bytes, bytes, bytes]:
    """Every serialized piece of one slot: VEVENT, talk-calendar head, frab JSON object, frab XML element."""
    return ical.event_fragment(constants, record) + frab.event_fragment(constants, record)


def export_files(program: Program, base_url: str, cache_file: Path | None = None) -> list[OutputFile]:
    """Every feed file of the site (iCalendar, frab XML/JSON), in a fixed order.

    With ``cache_file``, each slot's serialized pieces are read from and saved
    to it, so a rebuild serializes only the slots whose record changed; the
    files are the same bytes with or without it.
    """
    feed = Feed.of(program, base_url)
    constants = feed.constants
    cache = FragmentCache(cache_file, constants)
    make = functools.partial(slot_fragment, constants)
    pieces = {slot.id: cache.get(slot_record(feed, slot), make) for slot in program.slots}
    cache.save()
    return (ical.calendar_files(program, {slot_id: piece[:2] for slot_id, piece in pieces.items()})
            + frab.schedule_files(feed, {slot_id: piece[2:] for slot_id, piece in pieces.items()}))
