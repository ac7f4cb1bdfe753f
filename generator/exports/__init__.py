"""Exports stage: calendar and schedule feeds made from the linked program.

``ical`` writes iCalendar (``schedule.ics``, ``talks/<id>.ics``); ``frab``
writes the frab/c3voc schedule (``schedule.json``, ``schedule.xml``);
``common`` holds what both agree on (ids, rooms, addresses, plain text, and
each slot's record); ``fragments`` keeps each slot's serialized pieces
between builds.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Any, Callable, TypeVar

from generator.content.graph import Program, SlotNode
from generator.core.files import OutputFile
from generator.exports import frab, ical
from generator.exports.common import Feed, slot_record
from generator.exports.fragments import FragmentCache

T = TypeVar("T")


def slot_fragment(constants: dict[str, Any], record: dict[str, Any]) -> tuple[bytes, bytes, bytes, bytes]:
    """Every serialized piece of one slot: VEVENT, talk-calendar head, frab JSON object, frab XML element."""
    return ical.event_fragment(constants, record) + frab.event_fragment(constants, record)


def slot_inputs(program: Program, feed: Feed) -> Callable[[SlotNode], str] | None:
    """The digests of every content file a slot's record is built from, as one string per slot; None when the
    program does not say which files it was loaded from.

    A record reads its talk's file, its speakers' files, and (for its day, room,
    track, number and venue) the site-wide files: event, venues, every day of the
    program. The rule is checked the other way round by the differential test in
    tests/test_incremental.py (after every kind of edit, the feeds' bytes equal a
    cold build's).
    """
    digests = getattr(program, "digests", None)
    if digests is None or not digests.files:
        return None
    files = digests.files
    site = hashlib.blake2b("\0".join(f"{path}={value}" for path, value in digests.site_wide()).encode("utf-8"),
                           digest_size=16).hexdigest()

    def inputs(slot: SlotNode) -> str:
        parts = [site, slot.id, str(feed.numbers[slot.id])]
        if slot.talk is not None:
            parts.append(files.get(f"talks/{slot.talk.id}.yaml", "?"))
        parts += [files.get(f"speakers/{speaker.id}.yaml", "?") for speaker in slot.speakers]
        return "\0".join(parts)

    return inputs


def export_files(program: Program, base_url: str, cache_file: Path | None = None,
                 put: Callable[[str, bytes], T] | None = None) -> list[OutputFile] | list[T]:
    """Every feed file of the site (iCalendar, frab XML/JSON), in a fixed order.

    With ``cache_file``, each slot's serialized pieces are read from and saved
    to it, so a rebuild serializes only the slots whose record changed; the
    files are the same bytes with or without it. With ``put`` (a build's
    ``Sink.put``, where a forked child makes the feeds), each file is handed to
    it, and what it returns for each is returned instead of the files: their
    bytes (97 MB at N = 10,000) need not travel back to the parent.
    """
    feed = Feed.of(program, base_url)
    constants = feed.constants
    cache = FragmentCache(cache_file, constants)
    make = functools.partial(slot_fragment, constants)
    inputs = slot_inputs(program, feed)
    if inputs is None:
        pieces = {slot.id: cache.get(slot_record(feed, slot), make) for slot in program.slots}
    else:
        pieces = {slot.id: cache.get_by_inputs(slot.id, inputs(slot), functools.partial(slot_record, feed, slot),
                                               make) for slot in program.slots}
    cache.save()
    files = (ical.calendar_files(program, {slot_id: piece[:2] for slot_id, piece in pieces.items()})
             + frab.schedule_files(feed, {slot_id: piece[2:] for slot_id, piece in pieces.items()}))
    return files if put is None else [put(file.path, file.content) for file in files]
