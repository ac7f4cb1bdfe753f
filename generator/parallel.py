"""Render work spread over forked worker processes, and the caches that let a rebuild skip it.

Workers are forked, so the linked program and the Jinja environment reach them
by inheritance rather than by pickling; only finished pages travel back.
"""

from __future__ import annotations

import concurrent.futures
import json
import multiprocessing
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import htmlmin

from . import __version__, markup
from .incremental import PreviousBuild, digest
from .render import Renderer
from .write import OutputFile, write_atomically


#: htmlmin is the project's minifier; minify-html (Rust, optional: ``pip install minify-html``)
#: is offered for very large programs, where htmlmin's pure-Python parser dominates a cold build.
MINIFIERS = ("htmlmin", "minify-html")


def minify_html(html: str, minifier: str = "htmlmin") -> str:
    if minifier == "minify-html":
        import minify_html as fast

        return fast.minify(html, keep_closing_tags=True, keep_html_and_head_opening_tags=True)
    return htmlmin.minify(html, remove_comments=True, reduce_boolean_attributes=True, remove_optional_attribute_quotes=False)


def markdown_texts(program) -> list[str]:
    """Every Markdown text the pages and feeds will render, in a stable order."""
    texts = [program.event.description, *(track.description for track in program.tracks.values()),
             *(venue.notes for venue in program.venues.values()), *(slot.notes for slot in program.slots)]
    for talk in program.talks.values():
        texts.append(talk.abstract)
    for speaker in program.speakers.values():
        texts += [speaker.bio, speaker.about, *(item.description for item in speaker.interests),
                  *(item.details for item in speaker.education),
                  *(publication.abstract for publication in speaker.publications)]
    return sorted({text for text in texts if text})


def _markdown_fingerprint() -> str:
    import markdown as markdown_lib
    import nh3

    settings = (sorted(markup.ALLOWED_TAGS), sorted((tag, sorted(names)) for tag, names in markup.ALLOWED_ATTRIBUTES.items()),
                sorted(markup.URL_SCHEMES), markdown_lib.__version__, getattr(nh3, "__version__", "?"), __version__)
    return digest(json.dumps(settings).encode())  # sorted: a set's repr changes with each process's hash seed


def _checksum(html: dict) -> str:
    """Detects a damaged cache file (truncation, bit rot, a bad hand edit) before it is used."""
    return digest(json.dumps(html, sort_keys=True, separators=(",", ":")).encode("utf-8"))


def _render_texts(texts: list[str]) -> dict[str, str]:
    return {text: markup.render_markdown(text) for text in texts}


def prerender_markdown(program, cache_file: Path, jobs: int) -> None:
    """Render every Markdown text once, before pages are rendered, with a persistent cache.

    Cached renderings are keyed by a hash of the text and of the Markdown and
    sanitizer settings; the cache is rewritten with only the texts in use. New
    texts are rendered on ``jobs`` workers, since Markdown is the costliest step.
    """
    texts = markdown_texts(program)
    fingerprint = _markdown_fingerprint()
    cached: dict[str, str] = {}
    try:
        data = json.loads(cache_file.read_text(encoding="utf-8"))
        if (data.get("fingerprint") == fingerprint and isinstance(data.get("html"), dict)
                and data.get("check") == _checksum(data["html"])):
            cached = {key: value for key, value in data["html"].items() if isinstance(value, str)}
    except (OSError, ValueError, AttributeError):
        pass
    keys = {text: digest(text.encode("utf-8")) for text in texts}
    markup.remember({text: cached[key] for text, key in keys.items() if key in cached})
    missing = [text for text, key in keys.items() if key not in cached]
    if missing:
        if jobs > 1 and len(missing) > 200:
            chunks = [missing[shard::jobs] for shard in range(jobs)]
            context = multiprocessing.get_context("fork")
            with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=context) as pool:
                for rendered in pool.map(_render_texts, chunks):
                    markup.remember(rendered)
        else:
            _render_texts(missing)
        html = {keys[text]: markup.render_markdown(text) for text in texts}
        payload = {"fingerprint": fingerprint, "check": _checksum(html), "html": html}
        write_atomically(cache_file, json.dumps(payload, separators=(",", ":")).encode("utf-8"))


@dataclass(frozen=True)
class RenderedPage:
    path: str
    source_hash: str  # of the HTML before minification: unchanged source -> reuse last build's bytes
    content: bytes


#: Handed to forked workers through inheritance rather than pickling: the linked
#: program and the Jinja environment never cross a pipe, only finished pages do.
_FORK_STATE: dict[str, object] = {}


class _ShardRenderer(Renderer):
    """Renders only the pages whose path falls into one shard; the others cost almost nothing."""

    def __init__(self, base: Renderer, shard: int, shards: int):
        self.__dict__.update(base.__dict__)
        self.shard, self.shards = shard, shards

    def page(self, template: str, path: str, **values) -> OutputFile:
        if zlib.crc32(path.encode("utf-8")) % self.shards != self.shard:
            return OutputFile(path, b"")
        return super().page(template, path, **values)


def _render_shard(shard: int, shards: int) -> list[tuple[int, RenderedPage]]:
    renderer: Renderer = _FORK_STATE["renderer"]  # type: ignore[assignment]
    previous: PreviousBuild = _FORK_STATE["previous"]  # type: ignore[assignment]
    minifier: str | None = _FORK_STATE["minifier"]  # type: ignore[assignment]
    results = []
    for index, page in enumerate(_ShardRenderer(renderer, shard, shards).all_pages()):
        if not page.content:
            continue
        source_hash = digest(page.content)
        content = previous.output_for(page.path, source_hash)
        if content is None:
            content = minify_html(page.content.decode("utf-8"), minifier).encode("utf-8") \
                if minifier and page.path.endswith(".html") else page.content
        results.append((index, RenderedPage(page.path, source_hash, content)))
    return results


def render_pages(renderer: Renderer, previous: PreviousBuild, minifier: str | None, jobs: int,
                 extra: Callable[[], list[OutputFile]]) -> tuple[list[RenderedPage], list[OutputFile]]:
    """Render and minify every page, on ``jobs`` forked workers; ``extra`` runs meanwhile in this process."""
    _FORK_STATE.update(renderer=renderer, previous=previous, minifier=minifier)
    try:
        if jobs <= 1:
            results, others = _render_shard(0, 1), extra()
        else:
            context = multiprocessing.get_context("fork")
            with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=context) as pool:
                futures = [pool.submit(_render_shard, shard, jobs) for shard in range(jobs)]
                others = extra()
                results = [item for future in futures for item in future.result()]
    finally:
        _FORK_STATE.clear()
    return [page for _, page in sorted(results, key=lambda item: item[0])], others
