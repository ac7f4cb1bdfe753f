"""``symposium build``: load -> validate -> link -> figures -> render -> write.

The site is assembled in a staging folder and swapped in at the very end, so
bad content, a template error or Ctrl-C leave the previous site untouched.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import htmlmin

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
        return self.cache or Path(".cache")


@dataclass
class BuildReport:
    pages: int = 0
    files: int = 0
    bytes: int = 0
    phases: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        timing = ", ".join(f"{name} {seconds:.2f}s" for name, seconds in self.phases.items())
        return f"built {self.pages} pages, {self.files} files ({self.bytes / 1024:.0f} KiB): {timing}"


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

    templates = options.templates or TEMPLATES
    build_id = hashlib.sha256(repr(sorted(str(p) for p in templates.rglob("*"))).encode()).hexdigest()[:12]
    context = SiteContext(base_url=_normalise_base_url(options.base_url), figures=figures, build_id=build_id)
    renderer = Renderer(program, make_environment(templates), context)
    files = list(renderer.all_files())
    phase("render")

    from .exports import export_files

    files += export_files(program, context.base_url) + figure_files
    phase("exports")

    if options.minify:
        files = [OutputFile(f.path, minify_html(f.content.decode("utf-8")).encode("utf-8"))
                 if f.path.endswith(".html") else f for f in files]
        phase("minify")

    with staging_folder(options.out) as staging:
        report.bytes = write_files(staging, files)
        if STATIC.is_dir():
            copy_tree(STATIC, staging / "assets")
        phase("write")
        if options.search:
            from .search import build_search_index

            build_search_index(staging)
            phase("search index")
    report.pages = sum(1 for f in files if f.path.endswith(".html"))
    report.files = len(files)
    return report
