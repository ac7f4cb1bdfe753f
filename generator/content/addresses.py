"""Where things are: each page's address, and the identity of the event in calendars.

Both the pages and the exports (feeds link to pages; a starred talk in the browser and
the same talk in schedule.ics share one calendar UID) need these, so they live below both.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from generator.content.graph import Program
from generator.content.models import slugify


def page_url(kind: str, ident: str | None = None) -> str:
    """The site-relative path of a page; the one place URLs are decided."""
    if kind == "home":
        return "index.html"
    if kind in ("talk", "speaker"):
        return f"{kind}s/{ident}.html"
    if kind == "day":
        return f"program.html#day-{ident}"
    return f"{kind}.html"


def acronym(program: Program) -> str:
    """The conference's short machine name, e.g. ``optimization_for_learning_2026``.

    The c3voc schemas allow only ``[a-z0-9_]`` in it (no hyphens), so the
    slug of the (short) name has its hyphens turned into underscores, and the
    year is added because one series holds the same name every year.
    """
    event = program.event
    base = slugify(event.short_name or event.name).replace("-", "_") or "event"
    year = str(event.start.year)
    return base if base.endswith(year) else f"{base}_{year}"


def calendar_domain(program: Program) -> str:
    """Right-hand side of iCalendar UIDs: the host of ``event.url``, else the event's slug.

    Not the build's ``--base-url``: a preview build under another address must
    not give every event new UIDs, or subscribed calendars would show duplicates.
    """
    host = urlsplit(program.event.url).hostname if program.event.url else None
    return host or acronym(program).replace("_", "-")


def calendar_stamp(program: Program) -> dt.datetime:
    """DTSTAMP, which RFC 5545 requires: midnight UTC of the event's first day.

    A wall-clock stamp would make every build differ; this one only changes
    when the event moves, which is when a calendar should take note.
    """
    return dt.datetime.combine(program.event.start, dt.time(0), tzinfo=dt.timezone.utc)
