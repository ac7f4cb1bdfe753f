"""What the service worker stores on a first visit: the shell, and the whole site only where it is small.

A phone on the venue's network should not download the whole site because it opened one page: at
N = 10,000 talks its pages come to ~40 MB. So a first visit stores the shell (the assets, home, the
program's overview, My schedule, search and the offline 404 page); a site whose pages and search
index fit ``PRECACHE_BYTES`` with it (a workshop, ~1 MB) is stored whole, so it works offline after
one visit; a bigger one adds its search index where that fits, and keeps every other page as it is
read (sw.js).
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Iterable

from generator.core.files import OutputFile
from generator.core.paths import STATIC

if TYPE_CHECKING:
    import jinja2

#: The most the service worker downloads on a first visit besides the page being read, in bytes.
PRECACHE_BYTES = 1_500_000
#: Pages every visit stores, whatever their size: what a reader needs offline to find the rest.
SHELL_PAGES = ("index.html", "program.html", "my-schedule.html", "search.html", "404.html", "manifest.webmanifest")
#: The search index as the service worker keeps it (pagefind/files.json and the delta's), as one entry of ``sizes``.
SEARCH_INDEX = "pagefind"


def stored_whole(path: str) -> bool:
    """The files a small site stores whole: pages, schedule data, photos (not feeds, not sw.js)."""
    return path != "sw.js" and (path.endswith((".html", ".js")) or path.startswith("photos/"))


def precache_plan(files: Iterable[str], sizes: dict[str, int], assets: dict[str, int]) -> tuple[list[str], bool]:
    """The paths the service worker stores on install, and whether it also stores the search index.

    ``files`` are the site's files, ``sizes`` their bytes (with ``SEARCH_INDEX`` for the search index;
    a file without a size counts as too big); ``assets`` maps each asset path (``assets/...``) to its bytes.
    """
    known = set(files)
    shell = [path for path in SHELL_PAGES if path in known]
    chosen = ["./", *shell, *sorted(assets)]
    total = sizes.get("index.html", 0) + sum(sizes.get(path, 0) for path in shell) + sum(assets.values())
    rest = sorted(path for path in known if path not in shell and stored_whole(path))
    index = sizes.get(SEARCH_INDEX, 0)  # an index not measured (indexed after the build, or none) is tried
    if all(path in sizes for path in rest) and total + index + sum(sizes[path] for path in rest) <= PRECACHE_BYTES:
        return sorted(set(chosen + rest)), True
    return sorted(set(chosen)), total + index <= PRECACHE_BYTES


def service_worker(environment: jinja2.Environment, build_id: str, files: dict[str, str],
                   sizes: dict[str, int] | None = None) -> OutputFile:
    """sw.js at the root (its scope is the whole site), versioned by the build id and the bytes it caches.

    ``files`` maps each file the site has besides sw.js to a hash of its bytes; ``sizes`` to its bytes
    (and ``SEARCH_INDEX`` to the search index's), which bound what a first visit stores; without them
    it stores the shell alone. Needs only the templates, not the program: a build writes it last, after
    it has let go of the program to give the search indexer room.
    """
    state = hashlib.sha256(build_id.encode())
    for path, value in sorted(files.items()):
        state.update(path.encode() + b"\0" + value.encode() + b"\0")
    statics = sorted(p for p in STATIC.rglob("*") if p.is_file() and not p.name.startswith(".")) \
        if STATIC.is_dir() else []
    for path in statics:
        state.update(path.relative_to(STATIC).as_posix().encode() + b"\0" + path.read_bytes())
    assets = {"assets/" + path.relative_to(STATIC).as_posix(): path.stat().st_size for path in statics}
    precache, search = precache_plan(files, sizes or {}, assets)
    script = environment.get_template("sw.js").render(
        version=f"{build_id}-{state.hexdigest()[:12]}", precache=precache, search=search)
    return OutputFile("sw.js", script.encode("utf-8"))


__all__ = ["PRECACHE_BYTES", "SEARCH_INDEX", "SHELL_PAGES", "precache_plan", "service_worker", "stored_whole"]
