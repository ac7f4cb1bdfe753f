"""What the service worker stores on a first visit: the shell always, then as much more as a byte budget allows.

A phone on the venue's network should not download the whole site because it opened one page: at
N = 10,000 talks every page is ~40 MB. So the first visit stores the shell (the assets, home, the
program's overview, My schedule, search and the offline 404 page), then, in order and while the total
stays within ``PRECACHE_BYTES``, the other top-level pages, the day pages and schedule data, the
search index, talk and speaker pages and photos: a small event (~1 MB in all) is wholly offline after
one visit, a big one keeps its shell, and every page read later is kept as it is read (sw.js).
"""

from __future__ import annotations

from typing import Iterable

#: The most the service worker downloads on a first visit besides the page being read, in bytes.
PRECACHE_BYTES = 1_500_000
#: Pages every visit stores, whatever their size: what a reader needs offline to find the rest.
SHELL_PAGES = ("index.html", "program.html", "my-schedule.html", "search.html", "404.html", "manifest.webmanifest")
#: The search index as the service worker keeps it (pagefind/files.json and the delta's), as one entry of ``sizes``.
SEARCH_INDEX = "pagefind"


def _rank(path: str) -> tuple[int, str]:
    """Which files go first once the shell is stored: top-level pages, days, talks, speakers, photos."""
    if "/" not in path:
        return (0, path)
    for order, folder in enumerate(("program/", "schedule-data/", "talks/", "speakers/", "photos/"), start=1):
        if path.startswith(folder):
            return (order, path)
    return (9, path)


def precache_plan(files: Iterable[str], sizes: dict[str, int], assets: dict[str, int]) -> tuple[list[str], bool]:
    """The paths the service worker stores on install, and whether it also stores the search index.

    ``files`` are the site's files, ``sizes`` their bytes (with ``SEARCH_INDEX`` for the search index);
    ``assets`` maps each asset path (``assets/...``) to its bytes. The shell is always stored; then files
    in :func:`_rank`'s order while they fit, stopping at the first that does not, so a reader can tell
    what is offline (the shell, the days, ...), and the search index where it fits after the days.
    """
    known = set(files)
    shell = [path for path in SHELL_PAGES if path in known]
    chosen = ["./", *shell, *sorted(assets)]
    total = sizes.get("index.html", 0) + sum(sizes.get(path, 0) for path in shell) + sum(assets.values())
    ordered = sorted((path for path in known if path not in shell and path != "sw.js" and (
        path.endswith((".html", ".js")) or path.startswith("photos/"))), key=_rank)
    if SEARCH_INDEX in sizes:  # after the days and their data
        ordered.insert(next((at for at, path in enumerate(ordered) if _rank(path)[0] > 2), len(ordered)), SEARCH_INDEX)
    for path in ordered:
        size = sizes.get(path)
        if size is None or total + size > PRECACHE_BYTES:
            break
        total += size
        chosen.append(path)
    # an index not measured (a site indexed after its build, or none at all) is tried, as sw.js always did
    search = SEARCH_INDEX in chosen or SEARCH_INDEX not in sizes
    return sorted(set(chosen) - {SEARCH_INDEX}), search


__all__ = ["PRECACHE_BYTES", "SEARCH_INDEX", "SHELL_PAGES", "precache_plan"]
