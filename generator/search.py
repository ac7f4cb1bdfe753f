"""Search stage: a Pagefind index over the written site (runs offline)."""

from __future__ import annotations

from pathlib import Path


def build_search_index(site_dir: Path) -> None:
    """Index the pages under ``site_dir`` into ``site_dir/pagefind``."""
