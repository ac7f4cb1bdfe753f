"""Write stage: put rendered files on disk so a failed build never harms the last good site.

Everything new is written into a staging folder beside the output and published
only after every step succeeded; on any error (or Ctrl-C) the staging folder is
removed and the published site stays byte-for-byte as it was. Publishing is
either a swap (the staging folder holds the whole new site and replaces the old
one with two renames: cold builds and big changes) or, for a small change to a
site the last build wrote, in place: the few new files are renamed over their
old versions and the files the site no longer has are deleted, so an edit costs
a few renames instead of re-linking tens of thousands of unchanged files.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Signature = tuple[int, int]  # size in bytes, modification time in nanoseconds


@dataclass(frozen=True)
class OutputFile:
    """One file of the site: a relative POSIX path and its bytes."""

    path: str
    content: bytes

    def __post_init__(self) -> None:
        # Split by hand: PurePosixPath would quietly drop the "." and "" segments of "a/./b" and "a//b".
        segments = self.path.split("/")
        if any(segment in ("", ".", "..") for segment in segments) or "\\" in self.path or "\x00" in self.path:
            raise ValueError(f"refusing to write outside the site folder: {self.path!r}")


def scan(folder: Path) -> dict[str, Signature]:
    """Every file under ``folder`` (relative posix path) with its signature; os.scandir keeps it cheap."""
    found: dict[str, Signature] = {}
    pending = [(str(folder), "")]
    while pending:
        directory, prefix = pending.pop()
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append((entry.path, f"{prefix}{entry.name}/"))
                elif entry.is_file(follow_symlinks=False):
                    status = entry.stat(follow_symlinks=False)
                    found[prefix + entry.name] = (status.st_size, status.st_mtime_ns)
    return found


def link_files(source: Path, target: Path, paths: list[str]) -> None:
    """Hard-link unchanged files into the new site (copies where links are not possible), making each folder once.

    Plain strings, not pathlib: a big site links tens of thousands of files, and
    Path objects cost more than the links themselves.
    """
    source_root, target_root = str(source), str(target)
    made = {""}
    for path in paths:
        folder = path.rpartition("/")[0]
        if folder not in made:
            os.makedirs(f"{target_root}/{folder}", exist_ok=True)
            made.add(folder)
        link_file(f"{source_root}/{path}", f"{target_root}/{path}")


def link_file(source: str, target: str) -> None:
    """Hard-link ``source`` at ``target``; a copy where links are not possible (another file system)."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one rename, so no reader (or crash) ever sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _checksum(payload: bytes) -> bytes:
    return hashlib.blake2b(payload, digest_size=16).digest()


def write_checked(path: Path, format_tag: str, data: dict[str, Any]) -> None:
    """Write a cache file: ``data`` (plain values) as marshal data, tagged and behind a checksum.

    marshal rather than pickle: loading it can build nothing but plain values, and
    it reads back several times faster than JSON.
    """
    payload = marshal.dumps({"format": format_tag, **data})
    write_atomically(path, _checksum(payload) + payload)


def read_checked(path: Path, format_tag: str) -> dict[str, Any] | None:
    """What :func:`write_checked` wrote with this tag, or None when the file is missing, damaged or foreign."""
    try:
        raw = path.read_bytes()
        header, payload = raw[:16], memoryview(raw)[16:]
        if header != _checksum(payload):
            return None
        data = marshal.loads(payload)
    except (OSError, ValueError, EOFError, TypeError):
        return None
    return data if isinstance(data, dict) and data.get("format") == format_tag else None
