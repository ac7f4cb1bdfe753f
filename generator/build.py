"""``symposium build``: load -> validate -> link -> figures -> render -> write.

The site is assembled in a staging folder and swapped in at the very end, so
bad content, a template error or Ctrl-C leave the previous site untouched.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import multiprocessing
import os
import sys
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import htmlmin

from . import __version__, markup
from .incremental import PreviousBuild, digest, link_or_copy, save_manifest
from .pipeline import load_program
from .render import TEMPLATES, Renderer, SiteContext, make_environment
from .write import OutputFile, copy_tree, staging_folder, write_files

STATIC = Path(__file__).resolve().parent.parent / "static"


@dataclass(frozen=True)
class BuildOptions:
    content: Path
    out: Path
    templates: Path | None = None
    base_url: str = "/"
    figures: bool = True
    search: bool = True
    minify: bool = True
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
    phases: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        timing = ", ".join(f"{name} {seconds:.2f}s" for name, seconds in self.phases.items())
        return (f"built {self.pages} pages, {self.files} files ({self.rewritten} rewritten, "
                f"{self.bytes / 1024:.0f} KiB written): {timing}")


def minify_html(html: str) -> str:
    return htmlmin.minify(html, remove_comments=True, reduce_boolean_attributes=True, remove_optional_attribute_quotes=False)


def _normalise_base_url(base_url: str) -> str:
    base = base_url.strip() or "/"
    if not base.endswith("/"):
        base += "/"
    return base


def build_site(options: BuildOptions, progress: Callable[[str], None] | None = None) -> BuildReport:
    say = progress or (lambda message: None)
    report = BuildReport()
    clock = time.perf_counter()

    def phase(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        report.phases[name] = report.phases.get(name, 0.0) + now - clock
        clock = now

    program = load_program(options.content)
    phase("load+validate+link")

    figures = []
    if options.figures and (options.content / "figures.yaml").is_file():
        from .figures import build_figures, load_figure_specs

        say("computing live figures (cached by content hash)")
        figures = build_figures(load_figure_specs(options.content / "figures.yaml"), options.cache_dir / "figures",
                                progress=say)
    phase("figures")
    figure_files = [OutputFile(f"figures/{figure.name}.json",
                               json.dumps(figure.data, sort_keys=True, separators=(",", ":")).encode("utf-8"))
                    for figure in figures]

    prerender_markdown(program, options.cache_dir / "markdown.json", _job_count(options, program))
    phase("markdown")

    templates = options.templates or TEMPLATES
    build_id = hashlib.sha256(repr(sorted(str(p) for p in templates.rglob("*"))).encode()).hexdigest()[:12]
    context = SiteContext(base_url=_normalise_base_url(options.base_url), figures=figures, build_id=build_id)
    renderer = Renderer(program, make_environment(templates, options.cache_dir / "jinja"), context)
    fingerprint = f"{__version__}|htmlmin={htmlmin.__version__ if hasattr(htmlmin, '__version__') else '?'}" \
                  f"|minify={options.minify}"
    manifest_path = options.cache_dir / "site-manifest.json"
    previous = PreviousBuild.load(manifest_path, options.out, fingerprint)

    from .exports import export_files

    pages, others = render_pages(renderer, previous, options.minify, _job_count(options, program),
                                 extra=lambda: export_files(program, context.base_url))
    phase("render+minify (parallel)")
    stand_ins = [OutputFile(page.path, page.source_hash.encode()) for page in pages]
    extras = [file for file in renderer.all_files(pages=stand_ins) if file.path not in {p.path for p in pages}]
    outputs = [(page.path, page.source_hash, page.content) for page in pages]
    outputs += [(file.path, digest(file.content), file.content) for file in [*extras, *others, *figure_files]]
    phase("exports+extras")

    entries: dict[str, tuple[str, str]] = {}
    with staging_folder(options.out) as staging:
        changed = []
        for path, source_hash, content in outputs:
            output_hash = digest(content)
            entries[path] = (source_hash, output_hash)
            if previous.unchanged(path, output_hash):
                link_or_copy(previous.site / path, staging / path)
            else:
                changed.append(OutputFile(path, content))
        report.bytes = write_files(staging, changed)
        report.rewritten = len(changed)
        if STATIC.is_dir():
            copy_tree(STATIC, staging / "assets")
        phase("write")
        if options.search:
            html_unchanged = {p for p, pair in entries.items() if p.endswith(".html")} == \
                {p for p in previous.entries if p.endswith(".html")} and \
                not any(f.path.endswith(".html") for f in changed)
            if html_unchanged and (previous.site / "pagefind").is_dir():
                for source in sorted((previous.site / "pagefind").rglob("*")):
                    if source.is_file():
                        link_or_copy(source, staging / source.relative_to(previous.site))
            else:
                from .search import build_search_index

                build_search_index(staging)
            phase("search index")
    save_manifest(manifest_path, options.out, fingerprint, entries)
    report.pages = len(pages)
    report.files = len(outputs)
    return report


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

    return digest(repr((markup.ALLOWED_TAGS, markup.ALLOWED_ATTRIBUTES, markup.URL_SCHEMES,
                        markdown_lib.__version__, getattr(nh3, "__version__", "?"), __version__)).encode())


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
        if data.get("fingerprint") == fingerprint and isinstance(data.get("html"), dict):
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
        payload = {"fingerprint": fingerprint,
                   "html": {keys[text]: markup.render_markdown(text) for text in texts}}
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        temporary = cache_file.with_name(f".{cache_file.name}.{os.getpid()}")
        temporary.write_text(json.dumps(payload, separators=(",", ":")), encoding="utf-8")
        os.replace(temporary, cache_file)


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
    minify: bool = _FORK_STATE["minify"]  # type: ignore[assignment]
    results = []
    for index, page in enumerate(_ShardRenderer(renderer, shard, shards).all_pages()):
        if not page.content:
            continue
        source_hash = digest(page.content)
        content = previous.output_for(page.path, source_hash)
        if content is None:
            content = minify_html(page.content.decode("utf-8")).encode("utf-8") \
                if minify and page.path.endswith(".html") else page.content
        results.append((index, RenderedPage(page.path, source_hash, content)))
    return results


def render_pages(renderer: Renderer, previous: PreviousBuild, minify: bool, jobs: int,
                 extra: Callable[[], list[OutputFile]]) -> tuple[list[RenderedPage], list[OutputFile]]:
    """Render and minify every page, on ``jobs`` forked workers; ``extra`` runs meanwhile in this process."""
    _FORK_STATE.update(renderer=renderer, previous=previous, minify=minify)
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


def _job_count(options: BuildOptions, program) -> int:
    """Worker processes: one per core for big programs; small ones render faster in-process."""
    if options.jobs is not None:
        return max(1, options.jobs)
    if len(program.talks) + len(program.speakers) < 400 or sys.platform == "win32":
        return 1
    return max(1, min(os.cpu_count() or 1, 8))
