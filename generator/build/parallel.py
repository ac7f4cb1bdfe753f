"""Render work spread over forked worker processes, and the caches that let a rebuild skip it.

Workers are forked, so the linked program and the Jinja environment reach them
by inheritance rather than by pickling; only finished pages travel back.
"""

from __future__ import annotations

import concurrent.futures
import json
import multiprocessing
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from generator import __version__
from generator.build.manifest import PreviousBuild
from generator.build.publish import StagedSite
from generator.content import markup
from generator.core.files import write_atomically
from generator.core.hashing import code_digest, digest
from generator.render.pages import Renderer

#: htmlmin is the project's minifier (applied to the templates once, see minify.py); minify-html (Rust, optional:
#: ``pip install minify-html``) minifies every page instead.
MINIFIERS = ("htmlmin", "minify-html")


def minify_html(html: str, minifier: str = "htmlmin") -> str:
    if minifier == "minify-html":
        import minify_html as fast

        return fast.minify(html, keep_closing_tags=True, keep_html_and_head_opening_tags=True)
    from generator.render.pages import minify

    return minify.minify_html(html)


def markdown_texts(program) -> list[str]:
    """Every Markdown text the pages and feeds will render, in a stable order."""
    texts = [program.event.description, *(track.description for track in program.tracks.values()),
             *(venue.notes for venue in program.venues.values()), *(slot.notes for slot in program.slots)]
    for talk in program.talks.values():
        texts += [talk.abstract, talk.title]  # titles go through Markdown too (|inline), on many pages
    for speaker in program.speakers.values():
        texts += [speaker.bio, speaker.about, *(item.description for item in speaker.interests),
                  *(item.details for item in speaker.education),
                  *(publication.abstract for publication in speaker.publications)]
    return sorted({text for text in texts if text})


def _markdown_fingerprint() -> str:
    import markdown as markdown_lib
    import nh3

    settings = (sorted(markup.ALLOWED_TAGS), sorted((tag, sorted(names)) for tag, names in markup.ALLOWED_ATTRIBUTES.items()),
                sorted(markup.URL_SCHEMES), markdown_lib.__version__, getattr(nh3, "__version__", "?"), __version__,
                code_digest("content"))
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
class Placed:
    path: str
    output: str  # hash of the bytes
    written: int  # bytes written; 0 when the last build's file was linked
    linked: bool  # the last build's identical file was hard-linked instead of writing one


@dataclass(frozen=True)
class Sink:
    """Where finished files go: the staged site, as a new file, or the last build's identical one kept."""

    site: StagedSite
    previous: PreviousBuild

    def put(self, path: str, content: bytes) -> Placed:
        """Place one file, keeping the last build's identical file where there is one."""
        output = digest(content)
        if self.previous.unchanged(path, output):
            self.site.keep([path])
            return Placed(path, output, 0, True)
        target = self.site.folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        return Placed(path, output, len(content), False)


class ForkedCall:
    """``function(*args)`` computed in a forked child while this process goes on; :meth:`result` waits for it.

    For a step that needs the linked program but nothing the rest of the build
    makes (the feeds): the child inherits the program instead of receiving it
    through a pipe, and only the result comes back. Where there is no fork, or
    with ``inline``, the call runs in this process when its result is asked for.
    """

    def __init__(self, function: Callable, *args, inline: bool = False):
        self._outcome: tuple[bool, object] | None = None
        self._process = None
        self._call = (function, args)
        if inline or "fork" not in multiprocessing.get_all_start_methods():
            return
        context = multiprocessing.get_context("fork")
        self._receiver, sender = context.Pipe(duplex=False)
        self._process = context.Process(target=_send_outcome, args=(sender, function, args), daemon=True)
        self._process.start()
        sender.close()

    def result(self):
        """The function's value; its exception is raised here."""
        if self._outcome is None and self._process is None:
            self._outcome = _outcome_of(*self._call)
        self._call = None  # its arguments (the program) may be freed once the result is in
        if self._process is not None:
            try:
                self._outcome = self._receiver.recv()
            except EOFError:  # the pipe closes as the child exits, possibly before it can be reaped
                self._process.join(timeout=10)
                self._outcome = (False, RuntimeError(f"a build step's process died (exit code "
                                                     f"{self._process.exitcode})"))
            finally:
                self.close()
        succeeded, value = self._outcome  # type: ignore[misc]
        self._outcome = (False, RuntimeError("the result of a forked call was already taken"))  # freed with the caller's
        if not succeeded:
            raise value  # type: ignore[misc]
        return value

    def close(self) -> None:
        """Stop the child if it still runs (the build failed meanwhile)."""
        if self._process is not None:
            if self._process.is_alive():
                self._process.terminate()
            self._process.join()
            self._receiver.close()
            self._process = None


def _outcome_of(function: Callable, args: tuple) -> tuple[bool, object]:
    try:
        return True, function(*args)
    except Exception as error:  # noqa: BLE001 - handed to result(), which raises it
        return False, error


def _send_outcome(sender, function: Callable, args: tuple) -> None:
    outcome = _outcome_of(function, args)
    try:
        sender.send(outcome)
    except Exception as error:  # noqa: BLE001 - e.g. an exception that cannot be pickled
        sender.send((False, RuntimeError(f"{type(outcome[1]).__name__}: {outcome[1]} ({error})")))
    sender.close()


#: Handed to forked workers through inheritance rather than pickling: the linked
#: program and the Jinja environment never cross a pipe, and finished pages are
#: written by the worker that rendered them, so only their hashes travel back.
_FORK_STATE: dict[str, object] = {}
#: Pages per task: small enough to balance the two cores, big enough to keep the pipe busy.
CHUNK = 64


def _render_chunk(indices: list[int]) -> list[Placed]:
    jobs: list = _FORK_STATE["jobs"]  # type: ignore[assignment]
    minifier: str | None = _FORK_STATE["minifier"]  # type: ignore[assignment]
    sink: Sink = _FORK_STATE["sink"]  # type: ignore[assignment]
    placed = []
    for index in indices:
        page = jobs[index][1]()
        content = page.content
        if minifier and page.path.endswith(".html"):
            content = minify_html(content.decode("utf-8"), minifier).encode("utf-8")
        placed.append(sink.put(page.path, content))
    return placed


def render_pages(renderer: Renderer, paths: set[str], minifier: str | None, jobs: int, sink: Sink) -> list[Placed]:
    """Render (and minify) the pages at ``paths`` into ``sink`` on ``jobs`` forked workers.

    The costly pages (the program, the lists) go first, each as its own task, so
    no worker is left with one huge page at the end.
    """
    table = renderer.page_jobs()
    wanted = [index for index, (path, _) in enumerate(table) if path in paths]
    sink.previous.on_disk()  # scanned once here, not once per worker
    _FORK_STATE.update(jobs=table, minifier=minifier, sink=sink)
    try:
        if jobs <= 1 or len(wanted) < 2 * CHUNK:
            results = _render_chunk(wanted)
        else:
            singles = [[index] for index in wanted if "/" not in table[index][0]]
            rest = [index for index in wanted if "/" in table[index][0]]
            tasks = singles + [rest[start:start + CHUNK] for start in range(0, len(rest), CHUNK)]
            context = multiprocessing.get_context("fork")
            with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=context) as pool:
                futures = [pool.submit(_render_chunk, task) for task in tasks]
                results = [item for future in futures for item in future.result()]
    finally:
        _FORK_STATE.clear()
    return sorted(results, key=lambda item: item.path)
