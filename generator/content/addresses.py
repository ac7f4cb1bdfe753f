"""Where things are: each page's address, and the identity of the event in calendars.

Both the pages and the exports (feeds link to pages; a starred talk in the browser and
the same talk in schedule.ics share one calendar UID) need these, so they live below both.
"""

from __future__ import annotations

import datetime as dt
import weakref
from urllib.parse import urlsplit

from generator.content.graph import Program
from generator.content.models import slugify

#: Up to this many slots the whole program is one page (program.html, a section per day); a bigger one
#: gets a page per day (program/<date>.html) and program.html becomes an overview of the days. A slot
#: costs ~35 elements; 80 of them, ~0.8 s of a mid-range phone's main thread (benchmarks/phone.py, 4x
#: CPU throttle: a 66-slot day page takes 0.6-0.8 s, Lund's 39-slot program 0.6 s).
ONE_PAGE_SLOTS = 80


_ONE_PAGE: weakref.WeakKeyDictionary[Program, bool] = weakref.WeakKeyDictionary()


def program_on_one_page(program: Program) -> bool:
    """Whether the program fits one page, or is split into a page per day (asked once per slot: remembered)."""
    known = _ONE_PAGE.get(program)
    if known is None:
        known = _ONE_PAGE[program] = sum(len(day.slots) for day in program.days) <= ONE_PAGE_SLOTS
    return known


def page_url(kind: str, ident: str | None = None, program: Program | None = None) -> str:
    """The site-relative path of a page; the one place URLs are decided.

    A day's address depends on the program's size, so ``page_url("day", date, program)`` needs the program:
    ``program.html#day-<date>`` where the program is one page, else ``program/<date>.html``. Long lists
    are split (render/views.py: list_pages): ``page_url("speakers", "2")``, ``page_url("publications", "2024")``.
    """
    if kind == "home":
        return "index.html"
    if kind in ("talk", "speaker"):
        return f"{kind}s/{ident}.html"
    if kind == "speakers" and ident is not None:  # one page of a long list of speakers
        return f"speakers/list/{ident}.html"
    if kind == "publications" and ident is not None:  # one year (or part of one) of a long list
        return f"publications/{ident}.html"
    if kind == "day":
        if program is None:
            raise ValueError("page_url('day', ...) needs the program: its size decides the address")
        return f"program.html#day-{ident}" if program_on_one_page(program) else f"program/{ident}.html"
    return f"{kind}.html"


def schedule_data_url(date: str) -> str:
    """The site-relative path of one day's schedule data (now/next on the home page, My schedule): a script,
    which a page can load opened from disk (file://) too, where fetch() refuses."""
    return f"schedule-data/{date}.js"


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
