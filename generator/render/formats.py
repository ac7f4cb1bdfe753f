"""How values read on a page: times, dates, durations, names, places, and what each kind of slot is called.

Filters are small pure functions of one value (times, dates, durations, names),
so a template never computes anything itself.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse
from pathlib import Path
from typing import Any

from markupsafe import Markup

from generator.content.graph import Program, SlotNode, SpeakerNode
from generator.content.models import SlotKind

#: How each kind of slot is presented: a text label (colour never carries meaning alone) and an icon.
KIND_LABELS: dict[SlotKind, tuple[str, str]] = {
    SlotKind.talk: ("Talk", "talk"),
    SlotKind.workshop: ("Workshop", "talk"),
    SlotKind.panel: ("Panel", "talk"),
    SlotKind.lightning: ("Lightning talks", "bolt"),
    SlotKind.poster: ("Poster session", "poster"),
    SlotKind.break_: ("Break", "coffee"),
    SlotKind.meal: ("Meal", "meal"),
    SlotKind.registration: ("Registration", "badge"),
    SlotKind.opening: ("Opening", "flag"),
    SlotKind.closing: ("Closing", "flag"),
    SlotKind.reception: ("Reception", "glass"),
    SlotKind.social: ("Social event", "glass"),
    SlotKind.transport: ("Transport", "bus"),
}


#: Kinds drawn as slim bands rather than cards.
BAND_KINDS = frozenset({SlotKind.break_, SlotKind.meal, SlotKind.registration, SlotKind.opening, SlotKind.closing})


#: Kinds that happen away from the talks: listed on the practical page.
SOCIAL_KINDS = frozenset({SlotKind.reception, SlotKind.social, SlotKind.transport})


def json_script(value: Any) -> Markup:
    """JSON safe to embed in <script>: '<', '>' and '&' are escaped so '</script>' cannot close it."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def clock(value: dt.datetime) -> str:
    return value.strftime("%H:%M")


def utc_offset(value: dt.datetime) -> str:
    offset = value.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def long_date(value: dt.date) -> str:
    """'Wednesday 6 May 2026': unambiguous whatever the reader's locale."""
    return f"{value:%A} {value.day} {value:%B %Y}"


def short_date(value: dt.date) -> str:
    return f"{value:%a} {value.day} {value:%b}"


def duration(slot: SlotNode) -> str:
    """'30 min', '1 h 30 min': how long a break lasts, the question asked between two talks."""
    if slot.end is None:
        return ""
    minutes = int((slot.end - slot.start).total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    return " ".join(part for part in (f"{hours} h" if hours else "", f"{rest} min" if rest else "") if part)


def utc_stamp(value: dt.datetime) -> str:
    """An instant as an iCalendar UTC date-time (RFC 5545 form 2: ``20260507T085000Z``)."""
    return value.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def join_names(names: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


#: The longest summary a page's head repeats (meta description, og:description, JSON-LD): about what a search
#: result or a link preview shows.
SUMMARY_LENGTH = 200


def summary(text: str, limit: int = SUMMARY_LENGTH) -> str:
    """Plain text on one line, cut at a word to at most ``limit`` characters, '…' marking a cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit - 1]
    return cut.rstrip(" ,;:.–—-") + "…"


def date_range(start: dt.date, end: dt.date) -> str:
    """'5–8 May 2026', '30 April – 2 May 2026': the shortest unambiguous range."""
    if start == end:
        return f"{start.day} {start:%B %Y}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {end:%B %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%B} – {end.day} {end:%B %Y}"
    return f"{start.day} {start:%B %Y} – {end.day} {end:%B %Y}"


def zone_label(program: Program) -> str:
    """'Times in Lund, CEST (UTC+2)', from the event's zone and the program's own dates."""
    instants = [slot.start for slot in program.slots] or [
        dt.datetime.combine(program.event.start, dt.time(12), tzinfo=program.zone)]
    names: list[str] = []
    for instant in instants:
        name = f"{instant.tzname()} ({utc_offset(instant)})"
        if name not in names:
            names.append(name)
    place = program.event.city or program.zone.key.split("/")[-1].replace("_", " ")
    return f"Times in {place}, " + " / ".join(names)


def osm_search_url(address: str) -> str:
    """An OpenStreetMap search for an address: derived from the content, never a guessed pin."""
    return "https://www.openstreetmap.org/search?query=" + urllib.parse.quote(address)


def map_link(venue: Any) -> str | None:
    if venue.map_url:
        return venue.map_url
    return osm_search_url(venue.address) if venue.address else None


def photo_path(speaker: SpeakerNode) -> str | None:
    """Where a speaker's photo is published: named after the speaker id, whatever the source file is called."""
    return f"photos/{speaker.id}{Path(speaker.photo).suffix.lower()}" if speaker.photo else None


