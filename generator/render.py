"""Render stage: the linked program -> HTML pages, one small function per page kind.

Every link in a page is relative to that page (``{{ root }}``), so the same
output works at a domain's root, under a GitHub project-pages subpath, and
opened straight from disk (``file://``). ``base_url`` is only used where an
absolute address is required (canonical links, sitemap, feeds).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
import urllib.parse
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path
from typing import Any, Callable, Iterator

import jinja2
from markupsafe import Markup

from .incremental import digest
from .link import DayNode, Program, RoomNode, SlotNode, SpeakerNode, TalkNode, fold
from .markup import render_inline, render_markdown
from .minify import MinifyingLoader
from .models import Publication, SlotKind
from .write import OutputFile

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
#: Up to this many pages the service worker stores every page on the first visit;
#: beyond it (a NeurIPS-sized program) it stores the main pages, and the others as they are read.
PRECACHE_PAGE_LIMIT = 400
STATIC = Path(__file__).resolve().parent.parent / "static"
#: Row height of the multi-room grid: one CSS grid row per this many minutes.
GRID_MINUTES = 5

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
    SlotKind.transport: ("Bus", "bus"),
}
#: Kinds drawn as slim bands rather than cards.
BAND_KINDS = frozenset({SlotKind.break_, SlotKind.meal, SlotKind.registration, SlotKind.opening, SlotKind.closing})
#: Kinds that happen away from the talks: listed on the practical page.
SOCIAL_KINDS = frozenset({SlotKind.reception, SlotKind.social, SlotKind.transport})


@dataclass(frozen=True)
class SiteContext:
    """What every page may use besides the program itself."""

    base_url: str = "/"
    figures: list[Any] = field(default_factory=list)
    build_id: str = "dev"


def page_url(kind: str, ident: str | None = None) -> str:
    """The site-relative path of a page; the one place URLs are decided."""
    if kind == "home":
        return "index.html"
    if kind in ("talk", "speaker"):
        return f"{kind}s/{ident}.html"
    if kind == "day":
        return f"program.html#day-{ident}"
    return f"{kind}.html"


def _json_script(value: Any) -> Markup:
    """JSON safe to embed in <script>: '<', '>' and '&' are escaped so '</script>' cannot close it."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def _time(value: dt.datetime) -> str:
    return value.strftime("%H:%M")


def _utc_offset(value: dt.datetime) -> str:
    offset = value.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def _long_date(value: dt.date) -> str:
    """'Wednesday 6 May 2026': unambiguous whatever the reader's locale."""
    return f"{value:%A} {value.day} {value:%B %Y}"


def _short_date(value: dt.date) -> str:
    return f"{value:%a} {value.day} {value:%b}"


def _duration(slot: SlotNode) -> str:
    """'30 min', '1 h 30 min': how long a break lasts, the question asked between two talks."""
    if slot.end is None:
        return ""
    minutes = int((slot.end - slot.start).total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    return " ".join(part for part in (f"{hours} h" if hours else "", f"{rest} min" if rest else "") if part)


def _utc_stamp(value: dt.datetime) -> str:
    """An instant as an iCalendar UTC date-time (RFC 5545 form 2: ``20260507T085000Z``)."""
    return value.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def join_names(names: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


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
        name = f"{instant.tzname()} ({_utc_offset(instant)})"
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
    from .exports.common import feed_markdown, plain_text  # exports import render: import late

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


def photo_path(speaker: SpeakerNode) -> str | None:
    """Where a speaker's photo is published: named after the speaker id, whatever the source file is called."""
    return f"photos/{speaker.id}{Path(speaker.photo).suffix.lower()}" if speaker.photo else None


def _slot_record(slot: SlotNode, until: dt.datetime) -> dict[str, Any]:
    """What the browser needs to know about a slot (home's now/next box, my schedule, the .ics)."""
    talk = slot.talk
    place = ", ".join(part for part in (slot.room.name if slot.room else None,
                                         slot.venue.name if slot.venue else None) if part)
    return {
        "id": slot.id,
        "talk": talk.id if talk else None,
        "title": slot.display_title,
        "kind": KIND_LABELS[slot.kind][0],
        "speakers": [speaker.name for speaker in slot.speakers],
        "url": page_url("talk", talk.id) if talk else page_url("day", slot.start.date().isoformat()),
        "day": _long_date(slot.start.date()),
        "start": slot.start.isoformat(),
        "end": slot.end.isoformat() if slot.end else None,
        "until": until.isoformat(),
        "time": _time(slot.start) + (f"–{_time(slot.end)}" if slot.end else ""),
        "place": place,
        "ics_start": _utc_stamp(slot.start),
        "ics_end": _utc_stamp(slot.end or until),
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


def make_environment(templates: Path | None = None, cache_dir: Path | None = None,
                     minify: bool = False) -> jinja2.Environment:
    """The Jinja environment: autoescaping on, undefined variables are errors.

    ``cache_dir`` keeps compiled templates between builds (Jinja checks each
    template's source before trusting its bytecode), which saves most of a
    small site's render time. ``minify`` loads the HTML templates minified by
    htmlmin (minify.py), so the pages they render need no minifying.
    """
    bytecode_cache = None
    if cache_dir is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        bytecode_cache = jinja2.FileSystemBytecodeCache(str(cache_dir))
    loader: jinja2.BaseLoader = jinja2.FileSystemLoader(str(templates or TEMPLATES))
    if minify:
        loader = MinifyingLoader(loader)
    environment = jinja2.Environment(
        bytecode_cache=bytecode_cache,
        loader=loader,
        autoescape=jinja2.select_autoescape(["html", "xml", "svg"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters.update(
        markdown=lambda text: Markup(render_markdown(text)),
        inline=lambda text: Markup(render_inline(text)),
        time=_time,
        utc_offset=_utc_offset,
        tojson_script=_json_script,
        long_date=_long_date,
        short_date=_short_date,
        duration=_duration,
        join_names=join_names,
        map_link=map_link,
    )
    environment.globals.update(page_url=page_url, kind_labels=KIND_LABELS, band_kinds=BAND_KINDS,
                               match_author=match_author, date_range=date_range, photo_path=photo_path)
    return environment


class Renderer:
    """Renders each page kind; pure: the same program gives the same bytes."""

    def __init__(self, program: Program, environment: jinja2.Environment, context: SiteContext):
        self.program = program
        self.environment = environment
        self.context = context
        self.zone_label = zone_label(program)
        self.until = {slot_id: instant for day in program.days for slot_id, instant in until_of(day).items()}

    # -- addresses ---------------------------------------------------------------------------------
    @property
    def absolute_base(self) -> str | None:
        """Where the site lives, when known: an http(s) base URL, event.url, or a root-relative subpath."""
        base = self.context.base_url
        if base.startswith(("http://", "https://")):
            return base if base.endswith("/") else base + "/"
        if self.program.event.url:
            url = self.program.event.url
            return url if url.endswith("/") else url + "/"
        if base not in ("", "/"):
            return base if base.endswith("/") else base + "/"
        return None

    def absolute_url(self, path: str) -> str | None:
        base = self.absolute_base
        return None if base is None else base + ("" if path == "index.html" else path)

    @property
    def dtstamp(self) -> str:
        """DTSTAMP of calendars made in the browser: the same fixed stamp as the site's .ics feeds."""
        from .exports.ical import stamp  # the exports import page_url from here

        return _utc_stamp(stamp(self.program))

    # -- pages -------------------------------------------------------------------------------------
    def page(self, template: str, path: str, **values: Any) -> OutputFile:
        depth = path.count("/")
        values.setdefault("root", "../" * depth)
        html = self.environment.get_template(template).render(
            program=self.program,
            event=self.program.event,
            site=self.context,
            path=path,
            canonical=self.absolute_url(path),
            zone_label=self.zone_label,
            **values,
        )
        return OutputFile(path, html.encode("utf-8"))

    def event_json_ld(self) -> dict[str, Any]:
        """schema.org Event for the symposium as a whole."""
        event = self.program.event
        data: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "Event",
            "name": event.name,
            "startDate": event.start.isoformat(),
            "endDate": event.end.isoformat(),
            "eventStatus": "https://schema.org/EventScheduled",
            "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
            "location": self.place_json_ld(None),
        }
        if event.description:
            data["description"] = metadata_text(event.description)
        if self.absolute_url("index.html"):
            data["url"] = self.absolute_url("index.html")
        if event.organizers:
            data["organizer"] = [{"@type": "Person", "name": o.name} for o in event.organizers]
        return data

    def place_json_ld(self, venue: Any) -> dict[str, Any]:
        venue = venue or next(iter(self.program.venues.values()), None)
        if venue is None:
            return {"@type": "Place", "name": self.program.event.city or self.program.event.name}
        place: dict[str, Any] = {"@type": "Place", "name": venue.name}
        if venue.address:
            place["address"] = venue.address
        return place

    def talk_json_ld(self, talk: TalkNode) -> dict[str, Any]:
        data: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "Event",
            "name": talk.display_title,
            "eventStatus": "https://schema.org/EventScheduled",
            "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
            "performer": [{"@type": "Person", "name": s.name,
                           **({"affiliation": {"@type": "Organization", "name": s.affiliation}} if s.affiliation else {})}
                          for s in talk.speakers],
            "superEvent": {"@type": "Event", "name": self.program.event.name,
                           "startDate": self.program.event.start.isoformat(),
                           "endDate": self.program.event.end.isoformat()},
        }
        if talk.slot is not None:
            data["startDate"] = talk.slot.start.isoformat()
            data["endDate"] = (talk.slot.end or self.until[talk.slot.id]).isoformat()
            data["location"] = self.place_json_ld(talk.slot.venue)
        if talk.abstract:
            data["description"] = metadata_text(talk.abstract)
        if self.absolute_url(page_url("talk", talk.id)):
            data["url"] = self.absolute_url(page_url("talk", talk.id))
        return data

    def schedule_records(self) -> dict[str, Any]:
        """The JSON blob for now/next and My schedule."""
        return {
            "event": self.program.event.name,
            "zone": self.program.zone.key,
            "dtstamp": self.dtstamp,
            "uid_domain": self.uid_domain,
            "base": self.absolute_base or "",
            "slots": [_slot_record(slot, self.until[slot.id]) for slot in self.program.slots],
        }

    @property
    def uid_domain(self) -> str:
        """Right-hand side of calendar UIDs: the feeds' own, so a starred talk is the same event in both."""
        from .exports.common import calendar_domain

        return calendar_domain(self.program)

    def home(self) -> OutputFile:
        days = [(day, until_of(day)) for day in self.program.days]
        return self.page("home.html", page_url("home"), days=days, json_ld=self.event_json_ld(),
                         schedule=self.schedule_records())

    def program_page(self) -> OutputFile:
        views = [day_view(day) for day in self.program.days]
        return self.page("program.html", page_url("program"), days=views,
                         multi_room=any(view.rooms for view in views))

    def talk(self, talk: TalkNode) -> OutputFile:
        until = self.until[talk.slot.id] if talk.slot else None
        return self.page("talk.html", page_url("talk", talk.id), talk=talk, until=until,
                         json_ld=self.talk_json_ld(talk))

    def speaker(self, speaker: SpeakerNode) -> OutputFile:
        talks = sorted(speaker.talks, key=lambda t: (t.slot is None, t.slot.start if t.slot else None, t.id))
        return self.page("speaker.html", page_url("speaker", speaker.id), speaker=speaker, talks=talks)

    def speaker_index(self) -> OutputFile:
        return self.page("speakers.html", page_url("speakers"), speakers=self.program.speakers_sorted)

    def publications(self) -> OutputFile:
        return self.page("publications.html", page_url("publications"), years=dedupe_publications(self.program),
                         speakers=AuthorIndex(list(self.program.speakers.values())))

    def practical(self) -> OutputFile:
        social = [slot for slot in self.program.slots if slot.kind in SOCIAL_KINDS]
        return self.page("practical.html", page_url("practical"), venues=list(self.program.venues.values()),
                         social=social)

    def my_schedule(self) -> OutputFile:
        return self.page("my-schedule.html", page_url("my-schedule"), schedule=self.schedule_records())

    def search(self) -> OutputFile:
        talks = sorted(self.program.talks.values(), key=lambda t: (t.slot is None, t.slot.start if t.slot else None))
        return self.page("search.html", page_url("search"), talks=talks, speakers=self.program.speakers_sorted)

    def figures(self) -> OutputFile:
        return self.page("figures.html", page_url("figures"), figures=self.context.figures)

    def not_found(self) -> OutputFile:
        """The 404 page is served at any depth, so its links start from the base URL, not from itself."""
        return self.page("404.html", "404.html", root=self.context.base_url)

    def photos(self) -> Iterator[OutputFile]:
        for speaker in self.program.speakers_sorted:
            if speaker.photo:
                yield OutputFile(photo_path(speaker), (self.program.content_root / speaker.photo).read_bytes())

    # -- machine-readable files --------------------------------------------------------------------
    def sitemap(self, pages: list[str]) -> OutputFile:
        locations = [self.absolute_url(path) or path for path in pages]
        return OutputFile("sitemap.xml", self.environment.get_template("sitemap.xml").render(
            locations=locations).encode("utf-8"))

    def robots(self) -> OutputFile:
        sitemap = self.absolute_url("sitemap.xml")
        lines = ["User-agent: *", "Allow: /"] + ([f"Sitemap: {sitemap}"] if sitemap and "://" in sitemap else [])
        return OutputFile("robots.txt", ("\n".join(lines) + "\n").encode("utf-8"))

    def manifest(self) -> OutputFile:
        event = self.program.event
        data = {
            "name": event.name,
            "short_name": event.short_name or event.name[:12],
            "start_url": "index.html",
            "scope": "./",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#0b5394",
            "icons": [{"src": "assets/icon.svg", "sizes": "any", "type": "image/svg+xml"}],
        }
        text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        return OutputFile("manifest.webmanifest", text.encode("utf-8"))

    def service_worker(self, files: dict[str, str]) -> OutputFile:
        """sw.js at the root (its scope is the whole site), versioned by the build id and the bytes it caches.

        ``files`` maps each file the site has besides sw.js to a hash of its bytes.
        """
        state = hashlib.sha256(self.context.build_id.encode())
        for path, value in sorted(files.items()):
            state.update(path.encode() + b"\0" + value.encode() + b"\0")
        statics = sorted(p for p in STATIC.rglob("*") if p.is_file() and not p.name.startswith(".")) \
            if STATIC.is_dir() else []
        for path in statics:
            state.update(path.relative_to(STATIC).as_posix().encode() + b"\0" + path.read_bytes())
        pages = [path for path in sorted(files) if path.endswith((".html", ".webmanifest"))
                 or path.startswith("photos/")]
        if len(pages) > PRECACHE_PAGE_LIMIT:  # a big program: talk and speaker pages are kept once visited
            pages = [path for path in pages if "/" not in path]
        precache = ["./"] + pages
        precache += ["assets/" + path.relative_to(STATIC).as_posix() for path in statics]
        script = self.environment.get_template("sw.js").render(
            version=f"{self.context.build_id}-{state.hexdigest()[:12]}", precache=sorted(set(precache)))
        return OutputFile("sw.js", script.encode("utf-8"))

    def extra_files(self, pages: list[str]) -> list[OutputFile]:
        """The files besides pages and the service worker: photos, manifest, robots.txt, sitemap."""
        return [*self.photos(), self.manifest(), self.robots(),
                self.sitemap([path for path in pages if path != "404.html"])]

    def all_files(self) -> Iterator[OutputFile]:
        """Every rendered file of the site: pages plus sitemap, robots.txt, manifest, service worker."""
        pages = list(self.all_pages())
        extras = self.extra_files([page.path for page in pages])
        yield from pages
        yield from extras
        yield self.service_worker({item.path: digest(item.content) for item in pages + extras})

    @functools.cached_property
    def _page_jobs(self) -> list[tuple[str, Callable[[], OutputFile]]]:
        jobs: list[tuple[str, Callable[[], OutputFile]]] = [
            (page_url("home"), self.home), (page_url("program"), self.program_page),
            (page_url("speakers"), self.speaker_index), (page_url("publications"), self.publications),
            (page_url("practical"), self.practical), (page_url("my-schedule"), self.my_schedule),
            (page_url("search"), self.search), (page_url("figures"), self.figures), ("404.html", self.not_found)]
        jobs += [(page_url("talk", talk.id), functools.partial(self.talk, talk))
                 for talk in sorted(self.program.talks.values(), key=lambda t: t.id)]
        jobs += [(page_url("speaker", speaker.id), functools.partial(self.speaker, speaker))
                 for speaker in self.program.speakers_sorted]
        return jobs

    def page_jobs(self) -> list[tuple[str, Callable[[], OutputFile]]]:
        """Every page as (path, how to render it), so a rebuild can render only the pages whose inputs changed."""
        return list(self._page_jobs)

    def all_pages(self) -> Iterator[OutputFile]:
        for _, render in self.page_jobs():
            yield render()


__all__ = ["DayNode", "Renderer", "SiteContext", "SlotNode", "make_environment", "page_url"]
