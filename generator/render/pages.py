"""Render stage: the linked program -> HTML pages, one small function per page kind.

Every link in a page is relative to that page (``{{ root }}``), so the same
output works at a domain's root, under a GitHub project-pages subpath, and
opened straight from disk (``file://``). ``base_url`` is only used where an
absolute address is required (canonical links, sitemap, feeds).
"""

from __future__ import annotations

import collections
import functools
import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

import jinja2

from generator.content.addresses import (
    calendar_domain,
    calendar_stamp,
    page_url,
    program_on_one_page,
)
from generator.content.graph import Program, SpeakerNode, TalkNode
from generator.content.models import SlotKind
from generator.core.files import OutputFile
from generator.core.hashing import digest
from generator.render.formats import SOCIAL_KINDS, photo_path, summary, utc_stamp, zone_label
from generator.render.offline import service_worker
from generator.render.views import (
    LIST_PAGE_NODES,
    AuthorIndex,
    DaySpan,
    ListPage,
    day_schedule,
    day_spans,
    day_view,
    dedupe_publications,
    metadata_text,
    publication_pages,
    speaker_pages,
    until_of,
)

#: Elements per entry of the search page's list of every talk and speaker (shown where search cannot run).
SEARCH_LIST_NODES = 3

#: Templates that draw each icon at most once (tests/test_page_weight.py checks): their pages, nearly all of a
#: big site's, skip share_icons's scan of the page, a few per cent of their render time.
ICONS_ONCE = frozenset({"talk.html", "speaker.html"})
#: How macros.html's ``icon`` starts an icon; its other attributes (viewBox, size) follow, then its drawing.
_ICON_START = '<svg class="icon" aria-hidden="true" '
_VIEWBOX = re.compile(r'view[Bb]ox="([^"]*)" ?')  # view[Bb]ox: htmlmin writes attribute names in lower case


def share_icons(html: str) -> str:
    """A page's icons drawn more than once, each drawn once in an in-page sprite and used by reference.

    A program page draws the same few icons (kind, place, star) on every slot: thousands of copies of
    the same paths. Each drawing used twice or more becomes a ``<symbol>`` in a hidden ``<svg>`` at the
    top of the body, and each use a ``<use href="#i1">`` of it; one used once stays inline. The sprite is
    in the page itself: Chrome refuses ``<use>`` of another file on file://, where the site must work.
    """
    icons: list[tuple[int, int, int]] = []  # where each icon starts, where its drawing starts and ends
    start = html.find(_ICON_START)
    while start >= 0:  # string searches: one pass, a few microseconds on a talk page
        opened = html.index(">", start) + 1
        closed = html.index("</svg>", opened)
        icons.append((start, opened, closed))
        start = html.find(_ICON_START, closed)
    keys = [(html[start + len(_ICON_START):opened - 1], html[opened:closed]) for start, opened, closed in icons]
    counts = collections.Counter(keys)
    if len(counts) == len(keys):  # no icon drawn twice (or none at all)
        return html
    uses: dict[tuple[str, str], str] = {}
    symbols: list[str] = []
    for (attributes, drawing), count in counts.items():  # in the order of first use
        if count > 1:
            name = f"i{len(symbols) + 1}"
            box = _VIEWBOX.search(attributes)
            symbols.append(f'<symbol id="{name}" viewBox="{box[1]}">{drawing}</symbol>')
            size = attributes[:box.start()] + attributes[box.end():]
            uses[attributes, drawing] = f'{_ICON_START}{size}><use href="#{name}"/></svg>'
    body = html.find("<body>") + len("<body>")
    if body < len("<body>") or body > icons[0][0]:
        return html
    out = [html[:body], '<svg style="display:none">', *symbols, "</svg>"]
    position = body
    for (start, _, closed), key in zip(icons, keys):
        if key in uses:
            out += [html[position:start], uses[key]]
            position = closed + len("</svg>")
    out.append(html[position:])
    return "".join(out)


@dataclass(frozen=True)
class SiteContext:
    """What every page may use besides the program itself."""

    base_url: str = "/"
    figures: list[Any] = field(default_factory=list)
    build_id: str = "dev"


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
        return utc_stamp(calendar_stamp(self.program))

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
            sections=self.sections,
            **values,
        )
        return OutputFile(path, (html if template in ICONS_ONCE else share_icons(html)).encode("utf-8"))

    @functools.cached_property
    def sections(self) -> dict[str, str]:
        """The site's sections as the header and home show them: page key -> label. Publications and live
        figures only when the event has some; the practical page is named after what it holds."""
        sections = {"program": "Program", "speakers": "Speakers"}
        if any(speaker.publications for speaker in self.program.speakers.values()):
            sections["publications"] = "Publications"
        sections["practical"] = "Practical"
        sections["my-schedule"] = "My schedule"
        if self.program.figures:
            sections["figures"] = "Live figures"
        return sections

    @property
    def shared_key(self) -> str:
        """What every page shows that no one content file decides: the header's sections (Publications comes
        with the first speaker who lists a paper, in a speaker file no other talk's page key covers), so a
        rebuild must fold this into every page's key."""
        return ",".join(self.sections)

    @functools.cached_property
    def practical_summary(self) -> str:
        """What the practical page holds, in words from the content: 'Maps, social events and transport'."""
        kinds = {slot.kind for slot in self.program.slots}
        parts = ["maps"] if any(venue.address or venue.map_url for venue in self.program.venues.values()) else []
        if kinds & {SlotKind.reception, SlotKind.social}:
            parts.append("social events")
        if SlotKind.transport in kinds:
            parts.append("transport")
        if not parts:
            return "Practical information"
        text = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        return text[0].upper() + text[1:]

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
        }
        default = self.program.venues.get(event.default_venue) if event.default_venue else None
        if default is not None:
            data["location"] = self.place_json_ld(default)
        elif event.city:  # where the content says the event is, and no more precisely
            data["location"] = {"@type": "Place", "name": event.city, "address": event.city}
        if event.description:  # a summary: the home page shows the whole text
            data["description"] = summary(metadata_text(event.description))
        if self.absolute_url("index.html"):
            data["url"] = self.absolute_url("index.html")
        if event.organizers:
            data["organizer"] = [{"@type": "Person", "name": o.name} for o in event.organizers]
        return data

    @staticmethod
    def place_json_ld(venue: Any, room: Any = None) -> dict[str, Any]:
        """schema.org Place of a venue (a room in it, when given). Only a known venue: never a guess."""
        place: dict[str, Any] = {"@type": "Place", "name": venue.name}
        if venue.address:
            place["address"] = venue.address
        if room is not None:
            place = {"@type": "Place", "name": f"{room.name}, {venue.name}", "containedInPlace": place}
        return place

    @staticmethod
    def talk_summary(talk: TalkNode) -> str:
        """The abstract as a plain-text summary: the talk page's meta and og:description and its JSON-LD's
        description (the whole abstract is on the page itself, once)."""
        return summary(metadata_text(talk.abstract)) if talk.abstract else ""

    def talk_json_ld(self, talk: TalkNode, description: str | None = None) -> dict[str, Any]:
        """schema.org Event for one talk; ``description``: its summary, when already made."""
        description = self.talk_summary(talk) if description is None else description
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
            if talk.slot.venue is not None:  # the slot's, its day's or the event's default venue (link.py)
                data["location"] = self.place_json_ld(talk.slot.venue, talk.slot.room)
        if description:
            data["description"] = description
        if self.absolute_url(page_url("talk", talk.id)):
            data["url"] = self.absolute_url(page_url("talk", talk.id))
        return data

    @functools.cached_property
    def spans(self) -> list[DaySpan]:
        """Every day with its page, its schedule data file and when it runs."""
        return day_spans(self.program, self.until)

    def schedule_index(self) -> dict[str, Any]:
        """What home's now/next and My schedule embed: the calendar's identity and the days; each day's
        slots are in its own file (schedule_files), fetched when needed, so neither page carries them all."""
        return {
            "event": self.program.event.name,
            "zone": self.program.zone.key,
            "dtstamp": self.dtstamp,
            "uid_domain": self.uid_domain,
            "base": self.absolute_base or "",
            "days": [{"date": span.day.id, "page": span.page, "data": span.data,
                      "start": span.start.isoformat() if span.start else None,
                      "until": span.until.isoformat() if span.until else None} for span in self.spans],
        }

    def schedule_files(self) -> Iterator[OutputFile]:
        """schedule-data/<date>.js: one day's slots as the browser needs them (now/next, My schedule, .ics),
        handed to app.js's ``symposiumScheduleDay``."""
        for span in self.spans:
            data = json.dumps(day_schedule(span.day, self.until, self.program), ensure_ascii=False, sort_keys=True,
                              separators=(",", ":"))
            yield OutputFile(span.data, f"symposiumScheduleDay({data});\n".encode("utf-8"))

    @property
    def uid_domain(self) -> str:
        """Right-hand side of calendar UIDs: the feeds' own, so a starred talk is the same event in both."""
        return calendar_domain(self.program)

    def home(self) -> OutputFile:
        return self.page("home.html", page_url("home"), spans=self.spans, json_ld=self.event_json_ld(),
                         schedule=self.schedule_index(), practical_summary=self.practical_summary)

    @functools.cached_property
    def one_venue(self) -> Any:
        """The venue of every slot, where the whole program is in one (named once at the top), else None."""
        venues = {slot.venue.id if slot.venue else None for slot in self.program.slots}
        return self.program.venues[venues.pop()] if len(venues) == 1 and None not in venues else None

    def program_page(self) -> OutputFile:
        """The whole program on one page where it is small; else an overview of the days, each on its page."""
        if not program_on_one_page(self.program):
            return self.page("program.html", page_url("program"), spans=self.spans, days=[], overview=True,
                             multi_room=False, one_venue=self.one_venue)
        views = [day_view(day) for day in self.program.days]
        return self.page("program.html", page_url("program"), spans=self.spans, days=views, overview=False,
                         multi_room=any(view.rooms for view in views), one_venue=self.one_venue)

    def day_page(self, index: int) -> OutputFile:
        """program/<date>.html: one day of a program too big for one page, with the day strip and its neighbours."""
        span = self.spans[index]
        view = day_view(span.day)
        return self.page("day.html", span.page, view=view, spans=self.spans, here=span,
                         previous=self.spans[index - 1] if index else None,
                         following=self.spans[index + 1] if index + 1 < len(self.spans) else None,
                         multi_room=bool(view.rooms), one_venue=self.one_venue)

    def talk(self, talk: TalkNode) -> OutputFile:
        until = self.until[talk.slot.id] if talk.slot else None
        description = self.talk_summary(talk)
        return self.page("talk.html", page_url("talk", talk.id), talk=talk, until=until, summary=description,
                         json_ld=self.talk_json_ld(talk, description))

    def speaker(self, speaker: SpeakerNode) -> OutputFile:
        talks = sorted(speaker.talks, key=lambda t: (t.slot is None, t.slot.start if t.slot else None, t.id))
        return self.page("speaker.html", page_url("speaker", speaker.id), speaker=speaker, talks=talks)

    @functools.cached_property
    def speaker_pages(self) -> list[ListPage]:
        return speaker_pages(self.program.speakers_sorted)

    def speaker_index(self) -> OutputFile:
        """Every speaker, or where they are too many for one page, the pages that list them."""
        parts = self.speaker_pages
        return self.page("speakers.html", page_url("speakers"), parts=parts,
                         speakers=[] if parts else self.program.speakers_sorted)

    @functools.cached_property
    def publication_years(self) -> list[tuple[str, list[Any]]]:
        return dedupe_publications(self.program)

    @functools.cached_property
    def publication_pages(self) -> list[ListPage]:
        return publication_pages(self.publication_years)

    @functools.cached_property
    def author_index(self) -> AuthorIndex:
        return AuthorIndex(list(self.program.speakers.values()))

    def publications(self) -> OutputFile:
        """Every publication by year, or where they are too many for one page, the pages by year."""
        parts = self.publication_pages
        return self.page("publications.html", page_url("publications"), parts=parts,
                         years=[] if parts else self.publication_years, speakers=self.author_index)

    def list_page(self, kind: str, parts: list[ListPage], index: int, **values: Any) -> OutputFile:
        """One page of a list split by size, with its neighbours; ``kind`` is the list's own page."""
        return self.page(f"{kind}-page.html", parts[index].url, part=parts[index], list_kind=kind,
                         list_label=kind.capitalize(), previous=parts[index - 1] if index else None,
                         following=parts[index + 1] if index + 1 < len(parts) else None, **values)

    def practical(self) -> OutputFile:
        social = [slot for slot in self.program.slots if slot.kind in SOCIAL_KINDS]
        return self.page("practical.html", page_url("practical"), venues=list(self.program.venues.values()),
                         social=social)

    def my_schedule(self) -> OutputFile:
        return self.page("my-schedule.html", page_url("my-schedule"), schedule=self.schedule_index())

    def search(self) -> OutputFile:
        """The search page; without search (no JS, file://) it lists every talk and speaker where they are few,
        else it points to the program and the speakers, which list them all."""
        talks = sorted(self.program.talks.values(), key=lambda t: (t.slot is None, t.slot.start if t.slot else None))
        listed = SEARCH_LIST_NODES * (len(talks) + len(self.program.speakers)) <= LIST_PAGE_NODES
        return self.page("search.html", page_url("search"), listed=listed, talks=talks if listed else [],
                         speakers=self.program.speakers_sorted if listed else [])

    def figures(self) -> OutputFile:
        return self.page("figures.html", page_url("figures"), figures=self.context.figures,
                         configured=list(self.program.figures), searchable=bool(self.program.figures))

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

    def service_worker(self, files: dict[str, str], sizes: dict[str, int] | None = None) -> OutputFile:
        """sw.js for these files (see offline.service_worker)."""
        return service_worker(self.environment, self.context.build_id, files, sizes)

    def extra_files(self, pages: list[str]) -> list[OutputFile]:
        """The files besides pages and the service worker: photos, manifest, robots.txt, schedule data, sitemap."""
        return [*self.photos(), self.manifest(), self.robots(), *self.schedule_files(),
                self.sitemap([path for path in pages if path != "404.html"])]

    def all_files(self) -> Iterator[OutputFile]:
        """Every rendered file of the site: pages plus sitemap, robots.txt, manifest, service worker."""
        pages = list(self.all_pages())
        extras = self.extra_files([page.path for page in pages])
        yield from pages
        yield from extras
        yield self.service_worker({item.path: digest(item.content) for item in pages + extras},
                                  {item.path: len(item.content) for item in pages + extras})

    @functools.cached_property
    def _page_jobs(self) -> list[tuple[str, Callable[[], OutputFile]]]:
        jobs: list[tuple[str, Callable[[], OutputFile]]] = [
            (page_url("home"), self.home), (page_url("program"), self.program_page),
            (page_url("speakers"), self.speaker_index), (page_url("publications"), self.publications),
            (page_url("practical"), self.practical), (page_url("my-schedule"), self.my_schedule),
            (page_url("search"), self.search), (page_url("figures"), self.figures), ("404.html", self.not_found)]
        if not program_on_one_page(self.program):
            jobs += [(span.page, functools.partial(self.day_page, index)) for index, span in enumerate(self.spans)]
        jobs += [(part.url, functools.partial(self.list_page, "speakers", self.speaker_pages, index))
                 for index, part in enumerate(self.speaker_pages)]
        jobs += [(part.url, functools.partial(self.list_page, "publications", self.publication_pages, index,
                                              speakers=self.author_index))
                 for index, part in enumerate(self.publication_pages)]
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


__all__ = ["Renderer", "SiteContext"]
