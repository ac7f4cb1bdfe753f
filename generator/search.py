"""Search stage: a Pagefind index over the written site (runs offline, same bytes every build).

Only pages that mark their main content with ``data-pagefind-body`` are indexed
(talks, speakers, publications, practical), so the header, navigation and
footer never show up in results. A list of the index's files is written beside
it, for the service worker to keep the search usable offline.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from pagefind.index import IndexConfig, PagefindIndex

OUTPUT = "pagefind"
#: Parts of the Pagefind bundle the site does not load (it has its own small search client).
SKIP = ("-ui.", "-ui-", "highlight", "playground")


async def _index(site_dir: Path) -> None:
    config = IndexConfig(root_selector="html", force_language="en", output_path=str(site_dir / OUTPUT))
    async with PagefindIndex(config=config) as index:
        await index.add_directory(str(site_dir), glob="**/*.html")


def index_files(site_dir: Path) -> list[str]:
    """The files of the written index, relative to its folder, in a stable order."""
    folder = site_dir / OUTPUT
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*")
                  if path.is_file() and path.name != "files.json")


def build_search_index(site_dir: Path) -> None:
    """Index the pages under ``site_dir`` into ``site_dir/pagefind`` and list its files."""
    site_dir = Path(site_dir).resolve()
    asyncio.run(_index(site_dir))
    names = [name for name in index_files(site_dir) if not any(skip in name for skip in SKIP)]
    (site_dir / OUTPUT / "files.json").write_text(json.dumps(names, indent=0) + "\n", encoding="utf-8")
