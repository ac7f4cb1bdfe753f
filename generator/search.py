"""Search stage: a Pagefind index over the written site (runs offline, same bytes every build).

Only pages that mark their main content with ``data-pagefind-body`` are indexed
(talks, speakers, publications, practical), so the header, navigation and
footer never show up in results. A list of the index's files is written beside
it, for the service worker to keep the search usable offline.

The bundled ``pagefind`` binary is run as a process rather than through the
async Python API: that API can return before its last file is flushed, and an
index that is sometimes truncated is worse than 0.1 s of process start-up.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

OUTPUT = "pagefind"
#: Parts of the Pagefind bundle the site does not load (it has its own small search client).
SKIP = ("-ui.", "-ui-", "highlight", "playground")
#: Offline search keeps every result fragment only for sites of up to this many pages.
OFFLINE_FRAGMENT_LIMIT = 400


class SearchIndexError(RuntimeError):
    """Pagefind failed; the message carries its own output."""


def index_files(site_dir: Path) -> list[str]:
    """The files of the written index, relative to its folder, in a stable order."""
    folder = site_dir / OUTPUT
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*")
                  if path.is_file() and path.name != "files.json")


def build_search_index(site_dir: Path) -> None:
    """Index the pages under ``site_dir`` into ``site_dir/pagefind`` and list its files."""
    site_dir = Path(site_dir).resolve()
    command = [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--output-subdir", OUTPUT,
               "--force-language", "en", "--glob", "**/*.html", "--silent"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SearchIndexError(f"pagefind failed ({result.returncode}): {(result.stderr or result.stdout).strip()}")
    names = [name for name in index_files(site_dir) if not any(skip in name for skip in SKIP)]
    fragments = [name for name in names if name.startswith("fragment/")]
    if len(fragments) > OFFLINE_FRAGMENT_LIMIT:  # a big site: results' excerpts load when searched online
        names = [name for name in names if not name.startswith("fragment/")]
    (site_dir / OUTPUT / "files.json").write_text(json.dumps(names, indent=0) + "\n", encoding="utf-8")
