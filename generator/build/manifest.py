"""What the previous build wrote, so a rebuild skips work whose inputs did not change.

The manifest records, for every generated file, the key of what produced it (a
page's dependency key, see build/page_keys.py) and a hash of the bytes written; and
for every file of the site its size and modification time. A rebuild reuses a
file only when its key still matches and the file on disk still has the size and
time the manifest says, the way git trusts its index: a hand-edited or damaged
file changes them and is rebuilt, and a damaged manifest is ignored, never
trusted. Reading every byte back instead would cost seconds on a 10,000-talk
site. Unchanged files are never rewritten (see publish.py: they stay in place, or
are hard-linked into a swapped-in site), so editors, rsync and browsers see
them untouched.
"""

from __future__ import annotations

import marshal
from dataclasses import dataclass, field
from pathlib import Path

from generator.core.files import Signature, read_checked, scan, write_checked

MANIFEST_VERSION = 4
MANIFEST_FORMAT = f"site-manifest-{MANIFEST_VERSION}|{marshal.version}"


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
        data = read_checked(manifest, MANIFEST_FORMAT)
        if (data is None or data.get("fingerprint") != fingerprint or data.get("site") != str(site.resolve())
                or not site.is_dir()):
            return cls(site)
        entries, files, inputs = data.get("entries"), data.get("files"), data.get("inputs")
        # The checksum and the format tag already say the file is one this code wrote; a spot check
        # of one entry each (not all 75,000 at N = 10,000) guards against a bug writing another shape.
        if not (isinstance(entries, dict) and isinstance(files, dict)
                and all(isinstance(pair, tuple) and len(pair) == 2 for pair in
                        (next(iter(entries.values()), ("", "")), next(iter(files.values()), (0, 0))))):
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
    """Write the manifest atomically, behind a checksum, so damage is noticed (see :func:`write_checked`)."""
    write_checked(manifest, MANIFEST_FORMAT, {"fingerprint": fingerprint, "site": str(site.resolve()),
                                              "inputs": inputs, "entries": entries, "files": files})
