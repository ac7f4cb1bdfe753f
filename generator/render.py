"""Render stage: the linked program -> HTML pages, one small function per page kind.

Every link in a page is relative to that page (``{{ root }}``), so the same
output works at a domain's root, under a GitHub project-pages subpath, and
opened straight from disk (``file://``). ``base_url`` is only used where an
absolute address is required (canonical links, sitemap, feeds).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import jinja2
from markupsafe import Markup

from .link import DayNode, Program, SlotNode, SpeakerNode, TalkNode
from .markup import render_inline, render_markdown
from .write import OutputFile

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


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


def make_environment(templates: Path | None = None) -> jinja2.Environment:
    """The Jinja environment: autoescaping on, undefined variables are errors."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates or TEMPLATES)),
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
    )
    environment.globals.update(page_url=page_url)
    return environment


class Renderer:
    """Renders each page kind; pure: the same program gives the same bytes."""

    def __init__(self, program: Program, environment: jinja2.Environment, context: SiteContext):
        self.program = program
        self.environment = environment
        self.context = context

    def page(self, template: str, path: str, **values: Any) -> OutputFile:
        depth = path.count("/")
        html = self.environment.get_template(template).render(
            program=self.program,
            event=self.program.event,
            site=self.context,
            root="../" * depth,
            path=path,
            **values,
        )
        return OutputFile(path, html.encode("utf-8"))

    def home(self) -> OutputFile:
        return self.page("home.html", page_url("home"))

    def program_page(self) -> OutputFile:
        return self.page("program.html", page_url("program"), days=self.program.days)

    def talk(self, talk: TalkNode) -> OutputFile:
        return self.page("talk.html", page_url("talk", talk.id), talk=talk)

    def speaker(self, speaker: SpeakerNode) -> OutputFile:
        return self.page("speaker.html", page_url("speaker", speaker.id), speaker=speaker)

    def speaker_index(self) -> OutputFile:
        return self.page("speakers.html", page_url("speakers"), speakers=self.program.speakers_sorted)

    def figures(self) -> OutputFile:
        return self.page("figures.html", page_url("figures"), figures=self.context.figures)

    def not_found(self) -> OutputFile:
        return self.page("404.html", "404.html")

    def all_files(self) -> Iterator[OutputFile]:
        """Every rendered file of the site: pages plus sitemap, robots.txt, manifest, ..."""
        yield from self.all_pages()

    def all_pages(self) -> Iterator[OutputFile]:
        yield self.home()
        yield self.program_page()
        yield self.speaker_index()
        yield self.figures()
        yield self.not_found()
        for talk in self.program.talks.values():
            yield self.talk(talk)
        for speaker in self.program.speakers.values():
            yield self.speaker(speaker)


__all__ = ["DayNode", "Renderer", "SiteContext", "SlotNode", "make_environment", "page_url"]
