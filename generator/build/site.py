"""``symposium build``: load -> validate -> link -> figures -> render -> write.

The site is assembled in a staging folder and swapped in at the very end, so
bad content, a template error or Ctrl-C leave the previous site untouched.
"""

from __future__ import annotations

import concurrent.futures
import functools
import gc
import hashlib
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from generator import __version__
from generator.build.manifest import PreviousBuild, save_manifest
from generator.build.publish import StagedSite, empty_trash, staged_site, static_files
from generator.core.files import OutputFile
from generator.core.hashing import digest
from generator.core.memory import gc_paused, release_memory
from generator.core.paths import GENERATOR, STATIC, TEMPLATES
from generator.render.offline import service_worker

# The stages' modules are imported where they are first needed, not here: an up-to-date check then
# never imports pydantic, Jinja or the content models (a no-op build takes 0.2 s instead of 0.6 s).
if TYPE_CHECKING:
    from generator.build.parallel import ForkedCall, Placed, Sink
    from generator.content.graph import Program
    from generator.content.pipeline import BuildMemory
    from generator.render.pages import Renderer

#: From this many pages to render (or a tenth of the site) on, Markdown is rendered up front, on every
#: core and through its cache; below it (an edit), only the texts of the pages rendered are, when needed.
MARKDOWN_PRERENDER_PAGES = 200
#: Up to this many pages to render, the site is updated in place (a few renames, see publish.StagedSite);
#: a bigger change is built whole in a staging folder and swapped in, so readers never see it half done.
IN_PLACE_PAGES = 200


def _file_digests(root: Path, index: Path | None = None) -> dict[str, str]:
    """A digest of every file under ``root`` (none when it is missing), skipping dotfiles and __pycache__.

    ``index`` remembers the digests by stat signature between builds (the content folder's, which is big).
    """
    from generator.content.cache import content_digests

    return content_digests(root, skip=frozenset({"__pycache__"}), index=index) if root.is_dir() else {}


def _tree_digest(name: str, root: Path) -> str:
    """One hash of every file under ``root``: their names and bytes."""
    state = hashlib.blake2b(digest_size=16)
    for relative, value in _file_digests(root).items():
        state.update(f"{name}/{relative}\0{value}".encode())
    return state.hexdigest()


def environment_digest(options: BuildOptions, templates_digest: str) -> str:
    """What every page depends on besides the content: options, templates, assets, the generator's own code."""
    settings = repr((__version__, _normalise_base_url(options.base_url), options.figures, options.search,
                     options.minify, options.minifier, str(options.out.resolve())))
    return digest("\0".join([settings, templates_digest, _tree_digest("static", STATIC),
                              _tree_digest("generator", GENERATOR)]).encode())


def input_digest(environment: str, content: dict[str, str]) -> str:
    """A hash of everything a build reads. When it matches the last build's and that site is intact,
    there is nothing to do."""
    return digest("\0".join([environment, *(f"{path}={value}" for path, value in sorted(content.items()))]).encode())


@dataclass(frozen=True)
class BuildOptions:
    content: Path
    out: Path
    templates: Path | None = None
    base_url: str = "/"
    figures: bool = True
    search: bool = True
    minify: bool = True
    minifier: str = "htmlmin"  # or "minify-html", when installed
    jobs: int | None = None
    cache: Path | None = None

    @property
    def cache_dir(self) -> Path:
        """Build caches live beside the output (``site/`` -> ``.cache/``), never inside it."""
        return self.cache or self.out.resolve().parent / ".cache"


@dataclass
class BuildReport:
    pages: int = 0
    files: int = 0
    bytes: int = 0
    rewritten: int = 0
    up_to_date: bool = False
    phases: dict[str, float] = field(default_factory=dict)
    warnings: list = field(default_factory=list)  # the content's, for the command to show

    def summary(self) -> str:
        if self.up_to_date:
            return f"site is up to date ({self.pages} pages, {self.files} files): nothing changed since the last build"
        timing = ", ".join(f"{name} {seconds:.2f}s" for name, seconds in self.phases.items())
        return (f"built {self.pages} pages, {self.files} files ({self.rewritten} rewritten, "
                f"{self.bytes / 1024:.0f} KiB written): {timing}")


def _normalise_base_url(base_url: str) -> str:
    base = base_url.strip() or "/"
    if not base.endswith("/"):
        base += "/"
    return base


def build_site(options: BuildOptions, progress: Callable[[str], None] | None = None,
               memory: BuildMemory | None = None) -> BuildReport:
    """Build the site; ``memory`` (see pipeline.BuildMemory) lets a long-running process reuse its last build's work."""
    cleaner = empty_trash(options.cache_dir / "trash")  # the site the last build replaced, deleted meanwhile
    try:
        return _build(options, progress, memory)
    finally:
        gc.unfreeze()
        cleaner.join()


class _Phases:
    """Seconds spent in each named phase, into the report (a phase may be entered twice)."""

    def __init__(self, report: BuildReport):
        self.report = report
        self.clock = time.perf_counter()

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        self.report.phases[name] = self.report.phases.get(name, 0.0) + now - self.clock
        self.clock = now


@dataclass(frozen=True)
class _Inputs:
    """What this build reads besides the content's own text, and the last build it may reuse."""

    templates: Path
    templates_digest: str
    environment: str
    content_files: dict[str, str]
    digest: str
    previous: PreviousBuild
    manifest: Path
    fingerprint: str


@dataclass
class _Plan:
    """Which pages to render: the last build's output is reused for every page whose key is unchanged."""

    renderer: Renderer
    paths: list[str]
    keys: dict[str, str]
    reused: dict[str, str]
    stale: set[str]

    @property
    def many(self) -> bool:
        """A cold build or a big change (render Markdown up front on every core), not a small edit."""
        return len(self.stale) >= MARKDOWN_PRERENDER_PAGES or len(self.stale) * 10 >= len(self.paths)


def _build(options: BuildOptions, progress: Callable[[str], None] | None, memory: BuildMemory | None) -> BuildReport:
    say = progress or (lambda message: None)
    report = BuildReport()
    phase = _Phases(report)

    inputs = _read_inputs(options)
    phase("inputs")
    if inputs.previous.inputs == inputs.digest and inputs.previous.intact():
        phase("up to date")
        report.up_to_date = True
        report.pages = sum(1 for path in inputs.previous.entries if path.endswith(".html"))
        report.files = len(inputs.previous.files)
        return report

    from generator.build.parallel import ForkedCall, Sink, prerender_markdown
    from generator.exports import export_files

    program = _load(options, inputs, memory)
    report.warnings = program.warnings
    phase("load+validate+link")
    figures = _figures(options, program, say)
    figure_files = [OutputFile(path, content) for figure in figures for path, content in figure.files()]
    phase("figures")
    plan = _plan(options, program, inputs, figures, figure_files)
    phase("page keys")
    jobs = _job_count(options, program)
    if plan.many:  # every text at once (cached), on every core
        prerender_markdown(program, options.cache_dir / "markdown.json", jobs)
    phase("markdown")

    feeds: ForkedCall | None = None
    try:
        # A small change to the last build's site is published in place; a cold build or a big change is swapped in.
        in_place_of = inputs.previous.on_disk() \
            if inputs.previous.entries and len(plan.stale) <= IN_PLACE_PAGES else None
        with staged_site(options.out, trash=options.cache_dir / "trash", in_place_of=in_place_of) as site:
            sink = Sink(site, inputs.previous)
            # The feeds (every slot: 97 MB at N = 10,000) need only the program: a forked child makes and writes
            # them while the pages render, and only their hashes come back. Forked after the Markdown phase, so
            # it has every rendering. It is done before Pagefind peaks (~2 GB), which it would add to; beside
            # Pagefind instead it also slowed it (24 s against 15 s alone, measured on 2 cores).
            feeds = ForkedCall(functools.partial(export_files, put=sink.put), program,
                               _normalise_base_url(options.base_url), options.cache_dir / "exports.fragments",
                               inline=jobs == 1)
            entries, placed = _render_and_write(options, plan, sink, figure_files, jobs if plan.many else 1, phase)
            report.pages = len(plan.paths)
            write_worker = functools.partial(service_worker, plan.renderer.environment, plan.renderer.context.build_id)
            if memory is None:  # a one-off build is done with the program: the search indexer gets its memory
                del program, plan, figures, figure_files

            def take_feeds() -> None:
                """While the index is made: take the feeds (an edit's overlap Pagefind's delta run), then (a one-off
                build, once the child is gone, so its pages are not copied on write) free the rest."""
                for item in feeds.result():
                    placed.append(item)
                    entries[item.path] = (item.output, item.output)
                phase("feeds")
                if memory is None:
                    _release_memory()

            html = {path: output for path, (_, output) in entries.items() if path.endswith(".html")}
            index_files, index_version = _index_while(take_feeds, options, site, html, inputs.previous, say)
            phase("search index")
            versions = {path: output for path, (_, output) in entries.items()}
            if index_version:
                versions["pagefind"] = index_version
            expected = set(entries) | index_files
            placed += _write_last(write_worker, versions, entries, sink, expected)
            report.bytes = sum(item.written for item in placed)
            report.rewritten = sum(1 for item in placed if not item.linked)
            files = site.publish(expected | set(entries))  # with what _write_last added
        save_manifest(inputs.manifest, options.out, inputs.fingerprint, entries, inputs=inputs.digest, files=files)
        phase("manifest")
        report.files = len(entries)
        return report
    finally:
        if feeds is not None:
            feeds.close()


def _read_inputs(options: BuildOptions) -> _Inputs:
    """Digests of the templates, assets, code and content files, and the last build's manifest."""
    templates = options.templates or TEMPLATES
    fingerprint = f"{__version__}|minify={options.minify and options.minifier}"
    manifest = options.cache_dir / "site-manifest.bin"
    templates_digest = _tree_digest("templates", templates)
    environment = environment_digest(options, templates_digest)
    content_files = _file_digests(options.content, options.cache_dir / "content" / "digests.bin")
    return _Inputs(templates, templates_digest, environment, content_files, input_digest(environment, content_files),
                   PreviousBuild.load(manifest, options.out, fingerprint), manifest, fingerprint)


def _load(options: BuildOptions, inputs: _Inputs, memory: BuildMemory | None) -> Program:
    """load -> validate -> link. The program lives for the whole build: frozen out of later collections
    (before the collector is back on, or its first full pass walks millions of new objects, 0.5 s), so
    they need not walk it again and forked workers need not copy its memory pages to do so."""
    from generator.content.pipeline import load_program

    with gc_paused(freeze=True):
        return load_program(options.content, options.cache_dir / "content", inputs.content_files, memory)


def _figures(options: BuildOptions, program: Program, say: Callable[[str], None]) -> list:
    """The live figures: read drawn from the cache, or computed (minutes) when their inputs changed."""
    if not (options.figures and program.figures):
        return []
    from generator.figures.cache import cached_figures

    figures = cached_figures(program.figures, options.cache_dir / "figures")
    if figures is None:
        from generator.figures.make import build_figures

        say("computing live figures (cached by content hash)")
        figures = build_figures(program.figures, options.cache_dir / "figures", progress=say)
    return figures


def _plan(options: BuildOptions, program: Program, inputs: _Inputs, figures: list,
          figure_files: list[OutputFile]) -> _Plan:
    """The renderer, and each page's key: what its bytes depend on, compared with the last build's."""
    from generator.build.page_keys import page_keys
    from generator.render.environment import make_environment
    from generator.render.pages import Renderer, SiteContext

    build_id = inputs.templates_digest[:12]  # not the folder's path: a clone elsewhere builds the same bytes
    context = SiteContext(base_url=_normalise_base_url(options.base_url), figures=figures, build_id=build_id)
    # htmlmin minifies each template once (minify.py), so pages come out minified; minify-html runs per page.
    templates_minified = options.minify and options.minifier == "htmlmin"
    environment = make_environment(inputs.templates, options.cache_dir / "jinja", minify=templates_minified)
    renderer = Renderer(program, environment, context)
    paths = [path for path, _ in renderer.page_jobs()]
    figures_digest = digest(b"".join(file.path.encode() + b"\0" + file.content for file in figure_files))
    shared = f"{inputs.environment}|{build_id}|{figures_digest}|{renderer.shared_key}"  # what every page shows
    keys = page_keys(program, program.digests, shared, paths)
    reused = {path: output for path in paths if (output := inputs.previous.reusable(path, keys[path])) is not None}
    return _Plan(renderer, paths, keys, reused, {path for path in paths if path not in reused})


def _render_and_write(options: BuildOptions, plan: _Plan, sink: Sink, figure_files: list[OutputFile], jobs: int,
                      phase: _Phases) -> tuple[dict[str, tuple[str, str]], list[Placed]]:
    """Render the stale pages into the site, keep the reused ones, add the other files but the feeds.

    Returns the manifest entries (path -> (key, hash of the bytes)) and what was placed.
    """
    from generator.build.parallel import render_pages

    templates_minified = options.minify and options.minifier == "htmlmin"
    page_minifier = options.minifier if options.minify and not templates_minified else None
    pages = render_pages(plan.renderer, plan.stale, page_minifier, jobs, sink)
    phase("render")
    sink.site.keep(plan.reused)
    entries = {path: (plan.keys[path], output) for path, output in plan.reused.items()}
    placed = list(pages)
    for file in [*plan.renderer.extra_files(plan.paths), *figure_files]:
        placed.append(sink.put(file.path, file.content))
    entries.update((item.path, (plan.keys.get(item.path, item.output), item.output)) for item in placed)
    phase("write")
    return entries, placed


def _index_while(meanwhile: Callable[[], None], options: BuildOptions, site: StagedSite, html: dict[str, str],
                 previous: PreviousBuild, say: Callable[[str], None]) -> tuple[set[str], str | None]:
    """Bring the search index of the site up to date with its pages (``html``: path -> hash of the bytes)
    while ``meanwhile`` runs in this process: Pagefind runs in its own, so the rest of the build overlaps it.

    Returns the index's files and a version of it (None without search).
    """
    if not options.search:
        meanwhile()
        return set(), None
    from generator.build.search import update_search_index

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        indexing = pool.submit(update_search_index, site.folder, html,
                               previous.site if previous.site.is_dir() else None,
                               options.cache_dir / "search-index.json", page_path=site.path_of,
                               in_place=site.in_place)
        try:
            meanwhile()
        finally:
            search = indexing.result()  # never leave Pagefind writing into a site that is being thrown away
    say("search index: " + search.summary)
    return set(search.files), _search_version(site.path_of)


def _release_memory() -> None:
    """Let go of every rendering and of what nothing references any more (see core.memory.release_memory)."""
    from generator.content.markup import forget_renderings

    forget_renderings()
    release_memory()


def _write_last(write_worker: Callable[[dict[str, str], dict[str, int]], OutputFile], versions: dict[str, str],
                entries: dict[str, tuple[str, str]], sink: Sink, files: set[str]) -> list[Placed]:
    """The service worker, whose version covers every file it may cache (and whose first visit is bounded
    by their sizes), and the assets it hashes itself."""
    placed = []
    worker = write_worker(versions, _sizes(sink.site, files))
    for file in [worker, *static_files(STATIC)]:
        placed.append(sink.put(file.path, file.content))
        entries[file.path] = (placed[-1].output, placed[-1].output)
    return placed


def _sizes(site: StagedSite, files: set[str]) -> dict[str, int]:
    """The bytes the service worker's first visit would store: the shell's pages, as "pagefind" the search
    index it would keep (the files its files.json lists, and its delta's), then the other files it stores
    whole on a small site, measured only until they pass its budget (a file left unmeasured counts as too
    big, so the plan is the same; at N = 10,000, measuring all 47,000 files took 1.5 s of every edit)."""
    from generator.render.offline import (
        PRECACHE_BYTES,
        SEARCH_INDEX,
        SHELL_PAGES,
        stored_whole,
    )

    def size(path: str) -> int | None:
        located = site.path_of(path)
        return located.stat().st_size if located.is_file() else None

    sizes = {path: measured for path in SHELL_PAGES if path in files and (measured := size(path)) is not None}
    listed = [(folder, site.path_of(folder + "files.json")) for folder in ("pagefind/", "pagefind-delta/")]
    if any(path.is_file() for _, path in listed):
        sizes[SEARCH_INDEX] = sum(size(folder + name) or 0 for folder, path in listed if path.is_file()
                                  for name in json.loads(path.read_text(encoding="utf-8")))
    total = sum(sizes.values())
    for path in sorted(files):
        if total > PRECACHE_BYTES:
            break
        if path not in sizes and stored_whole(path) and (measured := size(path)) is not None:
            sizes[path] = measured
            total += measured
    return sizes


def _search_version(path_of: Callable[[str], Path]) -> str:
    """A hash of the search index's small entry files, which change whenever its contents do."""
    state = hashlib.blake2b(digest_size=16)
    for name in ("pagefind/pagefind-entry.json", "pagefind/files.json", "pagefind/delta.json",
                 "pagefind-delta/pagefind-entry.json", "pagefind-delta/files.json"):
        path = path_of(name)
        state.update(name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b"-") + b"\0")
    return state.hexdigest()


def _job_count(options: BuildOptions, program) -> int:
    """Worker processes: one per core for big programs; small ones render faster in-process."""
    if options.jobs is not None:
        return max(1, options.jobs)
    if len(program.talks) + len(program.speakers) < 400 or sys.platform == "win32":
        return 1
    return max(1, min(os.cpu_count() or 1, 8))
