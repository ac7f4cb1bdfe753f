"""What the previous build wrote, so a rebuild skips work whose inputs did not change.

The manifest records, for every output file, a hash of what produced it (the
page's HTML before minification, for instance) and a hash of the bytes written.
A rebuild reuses the old bytes only when both still match and the file on disk
still hashes to what the manifest says: a stale or corrupted cache is ignored,
never trusted. Unchanged files are hard-linked into the new site rather than
rewritten, so editors, rsync and browsers see them untouched.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .write import write_atomically

MANIFEST_VERSION = 1


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass
class PreviousBuild:
    """The last good site and its manifest; empty when there is none or it can't be trusted."""

    site: Path
    entries: dict[str, tuple[str, str]] = field(default_factory=dict)  # path -> (source hash, output hash)
    inputs: str | None = None  # hash of everything the build read
    files: dict[str, str] = field(default_factory=dict)  # every file of the site -> hash

    def intact(self) -> bool:
        """Whether the site on disk is exactly the one the manifest describes (no file added, lost or edited)."""
        if not self.files or not self.site.is_dir():
            return False
        present = {path.relative_to(self.site).as_posix() for path in self.site.rglob("*") if path.is_file()}
        if present != set(self.files):
            return False
        try:
            return all(digest((self.site / path).read_bytes()) == value for path, value in self.files.items())
        except OSError:
            return False

    @classmethod
    def load(cls, manifest: Path, site: Path, fingerprint: str) -> PreviousBuild:
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
            if (data.get("version") != MANIFEST_VERSION or data.get("fingerprint") != fingerprint
                    or data.get("site") != str(site.resolve()) or not site.is_dir()):
                return cls(site)
            entries = {str(path): (str(pair[0]), str(pair[1])) for path, pair in data["entries"].items()}
            files = {str(path): str(value) for path, value in data.get("files", {}).items()}
            inputs = data.get("inputs")
        except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
            return cls(site)
        return cls(site, entries, inputs if isinstance(inputs, str) else None, files)

    def output_for(self, path: str, source_hash: str) -> bytes | None:
        """The bytes written last time for the same source, if the file is still intact."""
        entry = self.entries.get(path)
        if entry is None or entry[0] != source_hash:
            return None
        try:
            content = (self.site / path).read_bytes()
        except OSError:
            return None
        return content if digest(content) == entry[1] else None

    def unchanged(self, path: str, output_hash: str) -> bool:
        """Whether the file on disk already holds exactly these bytes (checked, not assumed)."""
        entry = self.entries.get(path)
        if entry is None or entry[1] != output_hash:
            return False
        try:
            return digest((self.site / path).read_bytes()) == output_hash
        except OSError:
            return False


def save_manifest(manifest: Path, site: Path, fingerprint: str, entries: dict[str, tuple[str, str]],
                  inputs: str | None = None, files: dict[str, str] | None = None) -> None:
    """Write the manifest atomically; a half-written manifest would only be ignored, but why risk it."""
    payload = {"version": MANIFEST_VERSION, "fingerprint": fingerprint, "site": str(site.resolve()),
               "inputs": inputs, "files": dict(sorted((files or {}).items())),
               "entries": {path: list(pair) for path, pair in sorted(entries.items())}}
    write_atomically(manifest, json.dumps(payload, separators=(",", ":")).encode("utf-8"))


def link_or_copy(source: Path, target: Path) -> None:
    """Hard-link an unchanged file into the new site (a copy where links are not possible)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
