"""Search stage: a Pagefind index over the written site (runs offline, same bytes every build).

Only pages that mark their main content with ``data-pagefind-body`` are indexed
(talks, speakers, publications, practical), so the header, navigation and
footer never show up in results. A list of each index's files is written beside
it, for the service worker to keep the search usable offline.

Pagefind cannot update an index, and indexing every page costs about 1.3 ms a
page (22 s for an 18,000-page site), so the index is log-structured: a BASE
index (``pagefind/``) of the site as it was at some build, plus a small DELTA
index (``pagefind-delta/``) of only the pages that changed or appeared since.
``pagefind/delta.json`` tells the browser whether there is a delta and which of
the base's pages are stale (changed or removed); it searches both indexes and
drops the base's results for stale pages. Once the delta outgrows
:func:`delta_limit`, the base is rebuilt from scratch and the delta dropped.
What the base was built from is kept in a state file in the build cache.

The bundled ``pagefind`` binary is run as a process rather than through the
async Python API: that API can return before its last file is flushed, and an
index that is sometimes truncated is worse than 0.1 s of process start-up.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from generator.core.files import link_file, link_files, write_atomically
from generator.core.hashing import digest

OUTPUT = "pagefind"
DELTA = "pagefind-delta"
#: In the base folder, written every build: ``{"index": "pagefind-delta/" or null, "stale": [page paths]}``.
DELTA_INFO = "delta.json"
#: Parts of the Pagefind bundle the site does not load (it has its own small search client).
SKIP = ("-ui.", "-ui-", "highlight", "playground")
#: Offline search keeps every result fragment only for indexes of up to this many pages.
OFFLINE_FRAGMENT_LIMIT = 400
#: The marker Pagefind looks for; pages without it are not indexed (the site always marks some).
BODY_MARKER = b"data-pagefind-body"
STATE_VERSION = 1
#: Pages an edit typically changes: 1 for an abstract; 6 for a title (talk, speaker, home, program,
#: search, my schedule), of which Pagefind indexes 2.
PAGES_PER_EDIT = 4
#: A delta never holds fewer than this many pages before the base is rebuilt (small sites: both are cheap)...
DELTA_MIN_PAGES = 20
#: ...nor more: a Pagefind run costs ~0.05 s + ~2 ms a page (measured), so a delta run stays near 0.5 s
#: of an edit's 3 s budget however big the site.
DELTA_MAX_PAGES = 250


class SearchIndexError(RuntimeError):
    """Pagefind failed; the message carries its own output."""


def delta_limit(page_count: int) -> int:
    """How many changed or removed pages the delta may hold before the base is rebuilt.

    Rebuilding the base every T changed pages costs N·c per T/e edits, and the
    delta re-indexes on average T/2 pages each edit: N·c·e/T + T·c/2 per edit,
    least at T = sqrt(2·N·e). Capped so a single edit's delta run stays fast.
    """
    return max(DELTA_MIN_PAGES, min(DELTA_MAX_PAGES, math.isqrt(2 * PAGES_PER_EDIT * page_count)))


def index_files(site_dir: Path, folder: str = OUTPUT) -> list[str]:
    """The files of a written index, relative to its folder, in a stable order."""
    root = site_dir / folder
    return sorted(path.relative_to(root).as_posix() for path in root.rglob("*")
                  if path.is_file() and path.name not in ("files.json", DELTA_INFO))


def _pagefind() -> list[str]:
    """The command that runs the bundled Pagefind binary (directly: it saves a Python start-up)."""
    try:
        from pagefind.service import get_executable

        executable = get_executable()
    except ImportError:
        executable = None
    return [str(executable)] if executable else [sys.executable, "-m", "pagefind"]


def _tool() -> str:
    """Which Pagefind indexes (the command, its binary's size and time): after an upgrade the base
    is rebuilt, so the browser never combines indexes made by two versions."""
    command = _pagefind()
    try:
        status = os.stat(command[0])
    except OSError:
        return " ".join(command)
    return f"{' '.join(command)} {status.st_size} {status.st_mtime_ns}"


def _run_pagefind(source: Path, output: Path) -> None:
    """Index the HTML pages under ``source`` into ``output``; URLs are relative to ``source``."""
    command = [*_pagefind(), "--site", str(source), "--output-path", str(output),
               "--force-language", "en", "--glob", "**/*.html", "--silent"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SearchIndexError(f"pagefind failed ({result.returncode}): {(result.stderr or result.stdout).strip()}")


def _write_file_list(site_dir: Path, folder: str) -> None:
    """``files.json``: what the service worker keeps for offline search (excerpts only for small indexes)."""
    names = [name for name in index_files(site_dir, folder) if not any(skip in name for skip in SKIP)]
    fragments = [name for name in names if name.startswith("fragment/")]
    if len(fragments) > OFFLINE_FRAGMENT_LIMIT:  # a big index: results' excerpts load when searched online
        names = [name for name in names if not name.startswith("fragment/")]
    (site_dir / folder / "files.json").write_text(json.dumps(names, indent=0) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class IndexState:
    """What the search index of the last build was made from (kept in the build cache).

    ``base``: page -> hash of the bytes the base index was built from; ``changed``:
    every page whose hash differs from the base's (or that is new), as the delta was
    made from; ``removed``: the base's pages the site no longer has; ``base_index``
    and ``delta_index``: a hash of each index folder's file names and sizes, to
    recognise it on disk ("" when there is no delta index); ``tool``: the Pagefind
    that built them (:func:`_tool`).
    """

    base: dict[str, str]
    base_index: str
    changed: dict[str, str] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)
    delta_index: str = ""
    tool: str = ""

    def stale(self) -> list[str]:
        """The base's pages whose results are out of date: changed or removed since it was built."""
        return sorted([path for path in self.changed if path in self.base] + self.removed)

    def to_json(self) -> bytes:
        body = {"base": dict(sorted(self.base.items())), "base_index": self.base_index,
                "changed": dict(sorted(self.changed.items())), "removed": sorted(self.removed),
                "delta_index": self.delta_index, "tool": self.tool}
        payload = {"version": STATE_VERSION, "check": _checksum(body), **body}
        return json.dumps(payload, separators=(",", ":")).encode("utf-8")

    @classmethod
    def load(cls, path: Path) -> IndexState | None:
        """The state in ``path``, or None when it is missing, from another version, damaged or malformed."""
        try:
            data = json.loads(path.read_bytes())
        except (OSError, ValueError):
            return None
        keys = ("base", "base_index", "changed", "removed", "delta_index", "tool")
        if not isinstance(data, dict) or set(data) != {"version", "check", *keys} or data["version"] != STATE_VERSION:
            return None
        body = {key: data[key] for key in keys}
        if data["check"] != _checksum(body):
            return None
        if not (_mapping_of(body["base"], str) and _mapping_of(body["changed"], str)
                and isinstance(body["base_index"], str) and body["base_index"]
                and isinstance(body["delta_index"], str) and isinstance(body["tool"], str)
                and isinstance(body["removed"], list)
                and all(isinstance(item, str) for item in body["removed"])):
            return None
        return cls(**body)


def _checksum(body: dict) -> str:
    return digest(json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8"))


def _mapping_of(value: object, kind: type) -> bool:
    return isinstance(value, dict) and all(isinstance(item, kind) for item in value.values())


def _listing(files: dict[str, int]) -> str:
    """A hash of an index folder's file names and sizes ("" for no folder). Pagefind names its
    index and fragment files by their content, so the same listing means the same index."""
    if not files:
        return ""
    return digest("\n".join(f"{name}\0{size}" for name, size in sorted(files.items())).encode("utf-8"))


def _folder_files(folder: Path) -> dict[str, int]:
    """Every file under ``folder`` (relative posix path) with its size; {} when there is no folder."""
    found: dict[str, int] = {}
    pending = [(str(folder), "")]
    while pending:
        directory, prefix = pending.pop()
        try:
            entries = list(os.scandir(directory))
        except FileNotFoundError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                pending.append((entry.path, f"{prefix}{entry.name}/"))
            elif entry.is_file(follow_symlinks=False):
                found[prefix + entry.name] = entry.stat(follow_symlinks=False).st_size
    return found


def _base_files(site_dir: Path) -> dict[str, int]:
    """The base index's files and sizes, without delta.json (rewritten every build)."""
    files = _folder_files(site_dir / OUTPUT)
    files.pop(DELTA_INFO, None)
    return files


def _on_disk(previous_site: Path | None, state: IndexState | None) -> tuple[dict[str, int] | None,
                                                                           dict[str, int] | None]:
    """The previous site's base and delta index files, each only if it is the one the state describes."""
    if previous_site is None or state is None:
        return None, None
    base, delta = _base_files(previous_site), _folder_files(previous_site / DELTA)
    return (base if _listing(base) == state.base_index else None,
            delta if _listing(delta) == state.delta_index else None)


def _carry_index(previous_site: Path, site_dir: Path, folder: str, files: dict[str, int], in_place: bool) -> set[str]:
    """Keep an index folder of the previous site unchanged (hard-linked into the new one unless the site is
    updated in place); returns its files' site paths."""
    if files and not in_place:
        os.makedirs(site_dir / folder, exist_ok=True)
        link_files(previous_site / folder, site_dir / folder, sorted(files))
    return {f"{folder}/{name}" for name in files}


def _index_files_of(site_dir: Path, folder: str) -> set[str]:
    """The site paths of an index folder just written under ``site_dir``."""
    return {f"{folder}/{name}" for name in _folder_files(site_dir / folder)}


def _delta_info(state: IndexState) -> bytes:
    """``pagefind/delta.json``: the delta's folder (if it has one) and the base's stale pages."""
    info = {"index": f"{DELTA}/" if state.delta_index else None, "stale": state.stale()}
    return (json.dumps(info, indent=0) + "\n").encode("utf-8")


def _index_pages(site_dir: Path, folder: str, paths: list[str], page_path: Callable[[str], Path],
                 scratch_dir: Path) -> None:
    """Index exactly these pages into ``site_dir/folder`` (and list its files).

    They are hard-linked under their own paths into a scratch folder (in the build
    cache, beside the state file), so the index's URLs are the site's.
    """
    scratch_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="search-", dir=scratch_dir) as scratch:
        made = set()
        for path in paths:
            parent = os.path.dirname(f"{scratch}/{path}")
            if parent not in made:
                os.makedirs(parent, exist_ok=True)
                made.add(parent)
            link_file(str(page_path(path)), f"{scratch}/{path}")
        _run_pagefind(Path(scratch), site_dir / folder)
    _write_file_list(site_dir, folder)


def _build_delta(site_dir: Path, changed: dict[str, str], scratch_dir: Path,
                 page_path: Callable[[str], Path]) -> str:
    """Index only the changed pages that Pagefind would index, into ``site_dir/pagefind-delta``.

    Returns the delta's :func:`_listing` ("": no page to index).
    """
    marked = _marked(changed, page_path)
    if not marked:
        return ""
    _index_pages(site_dir, DELTA, marked, page_path, scratch_dir)
    return _listing(_folder_files(site_dir / DELTA))


def _marked(paths: Iterable[str], page_path: Callable[[str], Path]) -> list[str]:
    """The pages Pagefind would index: those that mark their main content (it skips the others, but only
    after parsing them; the program's day pages are 20 MB of the 175 at N = 10,000)."""
    return sorted(path for path in paths if BODY_MARKER in page_path(path).read_bytes())


@dataclass(frozen=True)
class SearchUpdate:
    """What :func:`update_search_index` did (a short description for the build log) and the site paths of
    every file the search index now has, kept or new."""

    summary: str
    files: frozenset[str]


def update_search_index(site_dir: Path, pages: dict[str, str], previous_site: Path | None, state_file: Path,
                        page_path: Callable[[str], Path] | None = None, in_place: bool = False) -> SearchUpdate:
    """Bring the search index of ``site_dir`` up to date with ``pages`` (path -> hash of its bytes).

    Reuses the previous site's base index and indexes only the pages changed
    since it was built; rebuilds the base when there is no trustworthy previous
    index or the delta has grown past :func:`delta_limit`. New index files are
    written under ``site_dir``. Kept ones are hard-linked there from
    ``previous_site``, or, ``in_place`` (``site_dir`` holds only what changed, see
    publish.StagedSite), stay where they are; ``page_path`` says where each page is
    then.
    """
    site_dir = Path(site_dir).resolve()
    if previous_site is not None and Path(previous_site).resolve() == site_dir:
        raise ValueError("the new site must be built in another folder than the previous one")
    read = page_path or (lambda path: site_dir / path)
    for folder in (OUTPUT, DELTA):  # never index on top of stale files
        shutil.rmtree(site_dir / folder, ignore_errors=True)
    state = IndexState.load(state_file)
    tool = _tool()
    if state is not None and state.tool != tool:
        state = None
    base_files, delta_files = _on_disk(previous_site, state)
    info = f"{OUTPUT}/{DELTA_INFO}"
    if state is not None and base_files is not None and previous_site is not None:
        changed = {path: value for path, value in pages.items() if state.base.get(path) != value}
        removed = sorted(path for path in state.base if path not in pages)
        if len(changed) + len(removed) <= delta_limit(len(pages)):
            kept = _carry_index(previous_site, site_dir, OUTPUT, base_files, in_place) | {info}
            if changed == state.changed and removed == state.removed and delta_files is not None:
                kept |= _carry_index(previous_site, site_dir, DELTA, delta_files, in_place)
                write_atomically(site_dir / OUTPUT / DELTA_INFO, _delta_info(state))
                return SearchUpdate("reused", frozenset(kept))  # the state file already says all this
            delta_index = _build_delta(site_dir, changed, state_file.parent, read)
            delta = IndexState(state.base, state.base_index, changed, removed, delta_index, tool)
            _finish(site_dir, delta, state_file)
            count = len(changed) + len(removed)
            return SearchUpdate(f"delta: {count} page{'' if count == 1 else 's'}",
                                frozenset(kept | _index_files_of(site_dir, DELTA)))
    # Only the marked pages, linked into a scratch folder: the same index as Pagefind over the whole site,
    # 2 s sooner at N = 10,000. A site that marks none is indexed whole, as Pagefind would.
    _index_pages(site_dir, OUTPUT, _marked(pages, read) or sorted(pages), read, state_file.parent)
    base = IndexState(dict(pages), _listing(_base_files(site_dir)), tool=tool)
    _finish(site_dir, base, state_file)
    return SearchUpdate(f"full: {len(pages)} pages", frozenset(_index_files_of(site_dir, OUTPUT)))


def _finish(site_dir: Path, state: IndexState, state_file: Path) -> None:
    """Write the browser's delta.json, then the state (last: a crash between them means a full rebuild)."""
    write_atomically(site_dir / OUTPUT / DELTA_INFO, _delta_info(state))
    write_atomically(state_file, state.to_json())
