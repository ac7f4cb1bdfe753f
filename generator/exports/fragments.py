"""Serialized pieces of the feeds, kept between builds and keyed by what went into them.

Every slot of the program becomes a few fragments (its VEVENT, its frab JSON
object, its frab XML element). Each fragment is made from a small plain
*record* (strings, numbers, lists, dicts) built from the linked program, and
the serializer sees nothing but that record; so the SHA-256 of the record's
canonical JSON, together with :data:`VERSION`, names the fragment exactly. A
rebuild after one abstract changed serializes that one slot again and takes
the rest from the cache file.

Building every slot's record to look it up costs about a second at N = 10,000,
so a fragment is also filed under the digests of the content files its record
was built from (see ``exports.slot_inputs``): while those are unchanged, the
record is not built at all.

The cache file holds plain ``str``/``bytes`` only (``marshal``, never objects),
behind a checksum: a missing, truncated, corrupt or foreign file is ignored
and rebuilt, never trusted. It is rewritten atomically, with only the
fragments the latest build used, and not at all when nothing changed.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import sys
from importlib import metadata
from pathlib import Path
from typing import Any, Callable

from generator.core.files import write_atomically
from generator.core.hashing import code_digest

Fragment = tuple[Any, ...]  # of str / bytes

_LIBRARIES = ("icalendar", "markdown", "nh3")
_MAGIC = b"symposium-site export fragments 1\n"


def _version() -> str:
    """What the serializers are, besides the records: this code and the libraries it calls.

    A hash of the source files rather than a hand-kept number, so no change to
    the exports (or to the Markdown that iCalendar descriptions go through)
    can ever reuse a fragment written by the code before it.
    """
    libraries = " ".join(f"{name}={metadata.version(name)}" for name in _LIBRARIES)
    return f"{code_digest('exports', 'content')} {libraries} python={sys.version_info[:2]}"


VERSION = _version()


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode("ascii")


def _is_fragment(value: Any) -> bool:
    return isinstance(value, tuple) and all(isinstance(part, (str, bytes)) for part in value)


def read_fragments(path: Path | None) -> dict[str, Fragment]:
    """The fragments stored at ``path``; an empty dict for anything but an intact file of ours."""
    if path is None:
        return {}
    try:
        data = path.read_bytes()
    except OSError:
        return {}
    header = len(_MAGIC) + 32
    if len(data) < header or not data.startswith(_MAGIC):
        return {}
    payload = memoryview(data)[header:]
    if hashlib.sha256(payload).digest() != data[len(_MAGIC):header]:
        return {}
    try:
        stored = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return {}
    if not isinstance(stored, dict):
        return {}
    return {key: value for key, value in stored.items() if isinstance(key, str) and _is_fragment(value)}


def encode_fragments(fragments: dict[str, Fragment]) -> bytes:
    """The cache file's bytes: a magic line, the payload's SHA-256, the marshalled dict."""
    payload = marshal.dumps(fragments)
    return _MAGIC + hashlib.sha256(payload).digest() + payload


class FragmentCache:
    """Fragments by key, for records serialized with the same ``constants``: read from the cache file, and used.

    A key is the SHA-256 of :data:`VERSION`, the constants and the record, as
    canonical JSON; the constants (the conference's ids, zone, base URL) are
    hashed once and the hash state copied for each record.
    """

    def __init__(self, path: Path | None, constants: dict[str, Any]) -> None:
        self.path = path
        self.stored = read_fragments(path)
        self.used: dict[str, Fragment] = {}
        self.made = 0
        self._prefix = hashlib.sha256(VERSION.encode("utf-8") + b"\0" + _canonical(constants) + b"\0")

    def key(self, record: Any) -> str:
        digest = self._prefix.copy()
        digest.update(_canonical(record))
        return digest.hexdigest()

    def get(self, record: Any, make: Callable[[Any], Fragment]) -> Fragment:
        """The fragment of ``record``: from the cache when its key is known, else ``make(record)``."""
        key = self.key(record)
        fragment = self.used.get(key) or self.stored.get(key)
        if fragment is None:
            fragment = make(record)
            self.made += 1
        self.used[key] = fragment
        return fragment

    def get_by_inputs(self, inputs: str, record: Callable[[], Any], make: Callable[[Any], Fragment]) -> Fragment:
        """The fragment of the record that ``record()`` would build from exactly these ``inputs`` (the digests
        of every file it reads): taken by them from the cache, so the record is not even built, when an
        earlier build saw the same inputs; else by the record itself (:meth:`get`)."""
        digest = self._prefix.copy()
        digest.update(b"inputs\0" + inputs.encode("utf-8"))
        key = digest.hexdigest()
        fragment = self.used.get(key) or self.stored.get(key)
        if fragment is None:
            fragment = self.get(record(), make)
        self.used[key] = fragment
        return fragment

    def save(self) -> None:
        """Rewrite the cache file with the fragments in use, unless it holds exactly those already."""
        if self.path is not None and (self.made or self.used.keys() != self.stored.keys()):
            write_atomically(self.path, encode_fragments(self.used))
