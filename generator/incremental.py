"""What the previous build wrote, so a rebuild skips work whose inputs did not change.

The manifest records, for every generated file, the key of what produced it (a
page's dependency key, see dependencies.py) and a hash of the bytes written; and
for every file of the site its size and modification time. A rebuild reuses a
file only when its key still matches and the file on disk still has the size and
time the manifest says, the way git trusts its index: a hand-edited or damaged
file changes them and is rebuilt, and a damaged manifest is ignored, never
trusted. Reading every byte back instead would cost seconds on a 10,000-talk
site. Unchanged files are hard-linked into the new site rather than rewritten,
so editors, rsync and browsers see them untouched.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .write import write_atomically

MANIFEST_VERSION = 3

Signature = tuple[int, int]  # size in bytes, modification time in nanoseconds


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def signature(path: Path | str) -> Signature:
    status = os.stat(path)
    return status.st_size, status.st_mtime_ns


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


@dataclass
class PreviousBuild:
    """The last good site and its manifest; empty when there is none or it can't be trusted."""

    site: Path
    entries: dict[str, tuple[str, str]] = field(default_factory=dict)  # path -> (key, output hash)
    inputs: str | None = None  # hash of everything the build read
    files: dict[str, Signature] = field(default_factory=dict)  # every file of the site -> signature
    _on_disk: dict[str, Signature] | None = field(default=None, repr=False)

    def on_disk(self) -> dict[str, Signature]:
        """The site's files as they are now (scanned once)."""
        if self._on_disk is None:
            try:
                self._on_disk = scan(self.site) if self.site.is_dir() else {}
            except OSError:
                self._on_disk = {}
        return self._on_disk

    def intact(self) -> bool:
        """Whether the site on disk is exactly the one the manifest describes (no file added, lost or edited)."""
        return bool(self.files) and self.on_disk() == self.files

    @classmethod
    def load(cls, manifest: Path, site: Path, fingerprint: str) -> PreviousBuild:
        try:
            header_line, _, body = manifest.read_bytes().partition(b"\n")
            header = json.loads(header_line)
            if (header.get("version") != MANIFEST_VERSION or header.get("fingerprint") != fingerprint
                    or header.get("site") != str(site.resolve()) or not site.is_dir()
                    or header.get("check") != digest(body)):
                return cls(site)
            data = json.loads(body)
            entries = {str(path): (str(pair[0]), str(pair[1])) for path, pair in data["entries"].items()}
            files = {str(path): (int(pair[0]), int(pair[1])) for path, pair in data["files"].items()}
            inputs = header.get("inputs")
        except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
            return cls(site)
        return cls(site, entries, inputs if isinstance(inputs, str) else None, files)

    def reusable(self, path: str, key: str) -> str | None:
        """The hash of what was written last time for the same key, if that file is still intact."""
        entry = self.entries.get(path)
        if entry is None or entry[0] != key:
            return None
        recorded = self.files.get(path)
        return entry[1] if recorded is not None and self.on_disk().get(path) == recorded else None

    def unchanged(self, path: str, output_hash: str) -> bool:
        """Whether the file on disk already holds exactly these bytes (by its recorded hash and signature)."""
        entry = self.entries.get(path)
        recorded = self.files.get(path)
        return (entry is not None and entry[1] == output_hash and recorded is not None
                and self.on_disk().get(path) == recorded)


def save_manifest(manifest: Path, site: Path, fingerprint: str, entries: dict[str, tuple[str, str]],
                  inputs: str | None, files: dict[str, Signature]) -> None:
    """Write the manifest atomically: a header line with a checksum of the body, so damage is noticed."""
    body = json.dumps({"entries": {path: list(pair) for path, pair in sorted(entries.items())},
                       "files": {path: list(pair) for path, pair in sorted(files.items())}},
                      separators=(",", ":")).encode("utf-8")
    header = {"version": MANIFEST_VERSION, "fingerprint": fingerprint, "site": str(site.resolve()),
              "inputs": inputs, "check": digest(body)}
    write_atomically(manifest, json.dumps(header, separators=(",", ":")).encode("utf-8") + b"\n" + body)


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
        try:
            os.link(f"{source_root}/{path}", f"{target_root}/{path}")
        except OSError:  # another file system, or no hard links there
            shutil.copyfile(f"{source_root}/{path}", f"{target_root}/{path}")
