"""Parsed content files kept between builds, keyed by a hash of each file's bytes.

Parsing YAML is the costliest part of loading a big program (18,000 files at
N = 10,000), and an edit changes one file. So the plain data each file parsed
to is kept in ``.cache/content/``, in shards so that an edit rewrites one shard.
Shards are marshal data (plain values only: nothing in them can run code) with
a checksum; a shard that is missing, damaged or from another generator version
is ignored, and its files are parsed again.

Cached documents carry no source positions. The build uses them only while the
content is valid: as soon as any problem is found, it loads the content again
without the cache, so every message still names the right line.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import zlib
from pathlib import Path
from typing import Any

from . import __version__
from .dependencies import summary_digest
from .incremental import digest
from .write import write_atomically

SHARDS = 64
FORMAT = f"content-cache-1|{__version__}|{marshal.version}"

Entry = tuple[str, Any, str]  # file digest, parsed data, summary digest


def _checksum(payload: bytes) -> bytes:
    return hashlib.blake2b(payload, digest_size=16).digest()


def shard_of(relative: str) -> int:
    return zlib.crc32(relative.encode("utf-8")) % SHARDS


class ContentCache:
    """Lookups and stores for one build; ``save`` writes back only the shards that changed."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._shards: dict[int, dict[str, Entry]] = {}
        self._used: dict[int, set[str]] = {}
        self._dirty: set[int] = set()

    def _shard(self, number: int) -> dict[str, Entry]:
        if number not in self._shards:
            self._shards[number] = self._read(self.folder / f"{number:02d}.bin")
        return self._shards[number]

    @staticmethod
    def _read(path: Path) -> dict[str, Entry]:
        try:
            raw = path.read_bytes()
            header, payload = raw[:16], raw[16:]
            if header != _checksum(payload):
                return {}
            data = marshal.loads(payload)
            if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("files"), dict):
                return {}
            return data["files"]
        except (OSError, ValueError, EOFError, TypeError):
            return {}

    def lookup(self, relative: str, file_digest: str) -> tuple[Any, str] | None:
        """The data and summary digest cached for this file's exact bytes, if any."""
        number = shard_of(relative)
        self._used.setdefault(number, set()).add(relative)
        entry = self._shard(number).get(relative)
        if isinstance(entry, tuple) and len(entry) == 3 and entry[0] == file_digest:
            return entry[1], entry[2]
        return None

    def store(self, relative: str, file_digest: str, data: Any) -> str:
        """Remember a freshly parsed file; returns its summary digest."""
        summary = summary_digest(relative, data)
        try:
            marshal.dumps(data)
        except ValueError:  # a value marshal cannot hold: that file is simply parsed every time
            return summary
        number = shard_of(relative)
        self._used.setdefault(number, set()).add(relative)
        self._shard(number)[relative] = (file_digest, data, summary)
        self._dirty.add(number)
        return summary

    def save(self) -> None:
        """Write the shards that gained or lost files (only the files this build used are kept)."""
        for number, shard in self._shards.items():
            used = self._used.get(number, set())
            if number not in self._dirty and set(shard) <= used:
                continue
            files = {relative: entry for relative, entry in shard.items() if relative in used}
            payload = marshal.dumps({"format": FORMAT, "files": files})
            write_atomically(self.folder / f"{number:02d}.bin", _checksum(payload) + payload)


def content_digests(content_root: Path, skip: frozenset[str] = frozenset()) -> dict[str, str]:
    """A digest of the bytes of every file under a folder (relative posix path -> digest).

    Dotfiles and dot-folders are left out, and so are folders named in ``skip`` (``__pycache__``).
    """
    found: dict[str, str] = {}
    root = str(content_root)
    for directory, folders, names in os.walk(root):
        folders[:] = sorted(name for name in folders if not name.startswith(".") and name not in skip)
        prefix = os.path.relpath(directory, root).replace(os.sep, "/") + "/"
        prefix = "" if prefix == "./" else prefix
        for name in sorted(names):
            if not name.startswith("."):
                try:
                    with open(os.path.join(directory, name), "rb") as stream:
                        found[prefix + name] = digest(stream.read())
                except OSError:
                    found[prefix + name] = "unreadable"
    return found
