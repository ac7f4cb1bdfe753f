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

import marshal
import os
import time
import zlib
from pathlib import Path
from typing import Any

import yaml

from generator import __version__
from generator.content.digests import summary_digest
from generator.core.files import read_checked, write_checked
from generator.core.hashing import code_digest, digest

SHARDS = 64
#: What the cached data depends on besides the files' bytes: the parser and the summaries' code, and PyYAML.
FORMAT = (f"content-cache-1|{__version__}|{marshal.version}|{yaml.__version__}|"
          f"{code_digest('content', 'core')}")

Entry = tuple[str, Any, str]  # file digest, parsed data, summary digest


def _write_checked(path: Path, data: dict[str, Any]) -> None:
    write_checked(path, FORMAT, data)


def _read_checked(path: Path) -> dict[str, Any] | None:
    """What :func:`_write_checked` wrote, or None when the file is missing, damaged or of another format.

    Its ``files`` is a dict; other keys are for the caller to check.
    """
    data = read_checked(path, FORMAT)
    return data if data is not None and isinstance(data.get("files"), dict) else None


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
        data = _read_checked(path)
        return data["files"] if data is not None else {}

    def lookup(self, relative: str, file_digest: str) -> tuple[Any, str] | None:
        """The data and summary digest cached for this file's exact bytes, if any."""
        number = shard_of(relative)
        self._used.setdefault(number, set()).add(relative)
        entry = self._shard(number).get(relative)
        if isinstance(entry, tuple) and len(entry) == 3 and entry[0] == file_digest:
            return entry[1], entry[2]
        return None

    def keep(self, relative: str) -> None:
        """Keep this file's entry, though this build took its data from elsewhere (a serving process's memory)."""
        self._used.setdefault(shard_of(relative), set()).add(relative)

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

    def save(self, prune: bool = True) -> None:
        """Write the shards that gained or lost files (only the files this build used are kept, unless
        ``prune`` is False: for a build that looked up only some files, see pipeline._relinked)."""
        for number, shard in self._shards.items():
            used = self._used.get(number, set()) if prune else set(shard)
            if number not in self._dirty and set(shard) <= used:
                continue
            files = {relative: entry for relative, entry in shard.items() if relative in used}
            _write_checked(self.folder / f"{number:02d}.bin", {"files": files})


#: How much older than the index a file's mtime must be before its stat signature is trusted. A
#: file written in the same instant as the index could change again without its mtime moving
#: (git's "racily clean" entries); those are simply hashed again.
RACY_NS = 2_000_000_000

Signature = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


def _signature(status: os.stat_result) -> Signature:
    return status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino


class DigestIndex:
    """File digests remembered by stat signature, so that an unchanged file is not read again.

    The way git's index works: a file whose size, mtime, ctime and inode are
    what they were when it was hashed (and whose mtime is not too close to
    when the index was written) is taken to hold the same bytes. The ctime
    cannot be set back by hand, so ``touch -r`` or ``cp -p`` cannot fool it.
    A missing or damaged index file only means every file is hashed.
    """

    def __init__(self, path: Path | None):
        self.path = path
        self.known: dict[str, tuple[Signature, str]] = {}
        self.trusted_before = 0
        if path is not None:
            self._read(path)

    def _read(self, path: Path) -> None:
        data = _read_checked(path)
        if data is not None and isinstance(data.get("written_ns"), int):
            self.known = data["files"]
            self.trusted_before = data["written_ns"] - RACY_NS

    def digest_of(self, relative: str, path: str) -> tuple[str, tuple[Signature, str] | None]:
        """The file's digest, and the entry to remember for it (None when it could not be read)."""
        entry = self.known.get(relative)
        try:
            if entry is not None and type(entry) is tuple and len(entry) == 2:
                signature = _signature(os.stat(path))
                if entry[0] == signature and signature[1] < self.trusted_before and signature[2] < self.trusted_before:
                    return entry[1], entry
            with open(path, "rb") as stream:
                signature = _signature(os.fstat(stream.fileno()))
                value = digest(stream.read())
            return value, (signature, value)
        except OSError:
            return "unreadable", None

    def save(self, entries: dict[str, tuple[Signature, str]]) -> None:
        if self.path is None or entries == self.known:
            return
        _write_checked(self.path, {"written_ns": time.time_ns(), "files": entries})


def content_digests(content_root: Path, skip: frozenset[str] = frozenset(),
                    index: Path | None = None) -> dict[str, str]:
    """A digest of the bytes of every file under a folder (relative posix path -> digest).

    Dotfiles and dot-folders are left out, and so are folders named in ``skip`` (``__pycache__``).
    With ``index`` (a file in the build cache), unchanged files are known by their stat signature
    instead of being read (see :class:`DigestIndex`).
    """
    known = DigestIndex(index)
    found: dict[str, str] = {}
    remembered: dict[str, tuple[Signature, str]] = {}
    root = str(content_root)
    for directory, folders, names in os.walk(root):
        folders[:] = sorted(name for name in folders if not name.startswith(".") and name not in skip)
        prefix = os.path.relpath(directory, root).replace(os.sep, "/") + "/"
        prefix = "" if prefix == "./" else prefix
        for name in sorted(names):
            if not name.startswith("."):
                relative = prefix + name
                found[relative], entry = known.digest_of(relative, os.path.join(directory, name))
                if entry is not None:
                    remembered[relative] = entry
    known.save(remembered)
    return found
