"""Serialized pieces of the feeds, kept between builds and keyed by what went into them.

Every slot of the program becomes a few fragments (its VEVENT, its frab JSON
object, its frab XML element). Each fragment is made from a small plain
*record* (strings, numbers, lists, dicts) built from the linked program, and
the serializer sees nothing but that record; so the SHA-256 of the record's
canonical JSON, together with :data:`VERSION`, names the fragment exactly. A
rebuild after one abstract changed serializes that one slot again and takes
the rest from the cache.

Building every slot's record to look it up costs about a second at N = 10,000,
so a fragment is also filed under the digests of the content files its record
was built from (see ``exports.slot_inputs``): while those are unchanged, the
record is not built at all.

The cache is a small index file (the path the caller names) and :data:`SHARDS`
shard files beside it, in ``<name>.d/``; a slot's fragments live in the shard its
id falls in, so an edit rewrites one shard (1 MB at N = 10,000), not 75 MB. A shard
holds every fragment's pieces end to end, one run of bytes per piece, with their
lengths and the keys that name them: reading 20,000 fragments is a few large reads
and slices of them, not 80,000 small objects. Everything is plain ``str``/``bytes``
(``marshal`` and runs of bytes, never objects); the index holds the SHA-256 of
each shard, and itself is behind one: a missing, truncated, corrupt or foreign
file is ignored and rebuilt, never trusted. Files are rewritten atomically, with
only the fragments the latest build used, and not at all when nothing changed.
"""

from __future__ import annotations

import array
import hashlib
import itertools
import json
import marshal
import sys
import zlib
from importlib import metadata
from pathlib import Path
from typing import Any, Callable

from generator.core.files import write_atomically
from generator.core.hashing import code_digest

Fragment = tuple[Any, ...]  # of str / bytes (bytes-like: pieces read from a shard are memoryviews of it)

SHARDS = 64
_LIBRARIES = ("icalendar", "markdown", "nh3")
_MAGIC = b"symposium-site export fragments 3\n"


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


def shard_of(slot_id: str) -> int:
    return zlib.crc32(slot_id.encode("utf-8")) % SHARDS


def _shard_path(index: Path, number: int) -> Path:
    return index.parent / f"{index.name}.d" / f"{number:02d}.bin"


class _Shard:
    """The fragments of one shard file, each piece a slice of the file's bytes (nothing is copied until used)."""

    def __init__(self, keys: dict[str, int] | None = None, runs: list[memoryview] | None = None,
                 offsets: list[array.array] | None = None):
        self.keys = keys or {}  # key -> fragment number
        self._runs = runs or []
        self._offsets = offsets or []

    def fragment(self, number: int) -> Fragment:
        return tuple(run[offsets[number]:offsets[number + 1]] for run, offsets in zip(self._runs, self._offsets))


def _decode(data: bytes) -> _Shard | None:
    """A shard file's fragments (see :func:`encode_shard`); None when it is not one."""
    view = memoryview(data)
    if len(view) < 8:
        return None
    start = 8 + int.from_bytes(view[:8], "little")
    try:
        keys, numbers, lengths = marshal.loads(view[8:start])
        where = array.array("I", numbers)
        sizes = [array.array("Q", run) for run in lengths]
    except (EOFError, ValueError, TypeError):
        return None
    count = len(sizes[0]) if sizes else 0
    if not (isinstance(keys, list) and len(keys) == len(where) and all(len(run) == count for run in sizes)
            and all(number < count for number in where)):
        return None
    runs, offsets = [], []
    for run in sizes:
        ends = array.array("Q", itertools.accumulate(run, initial=0))
        runs.append(view[start:start + ends[-1]])
        offsets.append(ends)
        start += ends[-1]
    return _Shard(dict(zip(keys, where)), runs, offsets) if start == len(view) else None


def encode_shard(keys: dict[str, int], fragments: list[Fragment]) -> bytes:
    """A shard file's bytes: the length of the next part, then (marshalled) the keys, the fragment each names
    and the length of each piece of each fragment, then each piece's run of bytes."""
    parts = max((len(fragment) for fragment in fragments), default=0)
    if any(len(fragment) != parts for fragment in fragments):
        raise ValueError("fragments of one cache have the same number of pieces")
    lengths = [array.array("Q", (len(fragment[part]) for fragment in fragments)).tobytes() for part in range(parts)]
    head = marshal.dumps((list(keys), array.array("I", keys.values()).tobytes(), lengths))
    return b"".join([len(head).to_bytes(8, "little"), head,
                     *(fragment[part] for part in range(parts) for fragment in fragments)])


def _read_index(path: Path) -> list[bytes] | None:
    """Each shard's SHA-256 as the index at ``path`` records them; None for anything but an intact index of ours."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    header = len(_MAGIC) + 32
    if len(data) < header or not data.startswith(_MAGIC) or hashlib.sha256(data[header:]).digest() != \
            data[len(_MAGIC):header]:
        return None
    try:
        checksums = marshal.loads(data[header:])
    except (EOFError, ValueError, TypeError):
        return None
    if not (isinstance(checksums, list) and len(checksums) == SHARDS
            and all(isinstance(value, bytes) for value in checksums)):
        return None
    return checksums


def _read(path: Path | None) -> tuple[list[bytes], list[_Shard]]:
    """The index's checksums and the shards of the cache at ``path``; an empty shard (and checksum) for each
    that is missing, damaged or not the index's."""
    checksums = _read_index(path) if path is not None else None
    shards, valid = [], []
    for number in range(SHARDS):
        shard = None
        if checksums is not None and checksums[number]:
            try:
                data = _shard_path(path, number).read_bytes()  # type: ignore[arg-type]
            except OSError:
                data = None
            if data is not None and hashlib.sha256(data).digest() == checksums[number]:
                shard = _decode(data)
        shards.append(shard or _Shard())
        valid.append(checksums[number] if shard is not None else b"")  # type: ignore[index]
    return valid, shards


def read_fragments(path: Path | None) -> dict[str, Fragment]:
    """The fragments stored at ``path`` by key, as bytes; an empty dict for anything but an intact cache of ours."""
    return {key: tuple(bytes(piece) for piece in shard.fragment(number))
            for shard in _read(path)[1] for key, number in shard.keys.items()}


class FragmentCache:
    """Fragments by key, for records serialized with the same ``constants``: read from the cache, and used.

    A key is the SHA-256 of :data:`VERSION`, the constants and the record, as
    canonical JSON; the constants (the conference's ids, zone, base URL) are
    hashed once and the hash state copied for each record.
    """

    def __init__(self, path: Path | None, constants: dict[str, Any]) -> None:
        self.path = path
        self._checksums, self.stored = _read(path)
        #: per shard: key -> a stored fragment's number, or a fragment made now
        self.used: list[dict[str, int | Fragment]] = [{} for _ in range(SHARDS)]
        self.made = 0
        self._dirty: set[int] = set()
        self._prefix = hashlib.sha256(VERSION.encode("utf-8") + b"\0" + _canonical(constants) + b"\0")

    def key(self, record: Any) -> str:
        digest = self._prefix.copy()
        digest.update(_canonical(record))
        return digest.hexdigest()

    def _known(self, shard: int, key: str) -> Fragment | None:
        used = self.used[shard]
        found = used.get(key)
        if found is None:
            found = self.stored[shard].keys.get(key)
            if found is None:
                return None
            used[key] = found
        return self.stored[shard].fragment(found) if isinstance(found, int) else found

    def get(self, record: Any, make: Callable[[Any], Fragment]) -> Fragment:
        """The fragment of ``record`` (a slot's, with its ``id``): from the cache when its key is known, else
        ``make(record)``."""
        shard, key = shard_of(record["id"]), self.key(record)
        fragment = self._known(shard, key)
        if fragment is None:
            fragment = self.used[shard][key] = make(record)
            self.made += 1
            self._dirty.add(shard)
        return fragment

    def get_by_inputs(self, slot_id: str, inputs: str, record: Callable[[], Any],
                      make: Callable[[Any], Fragment]) -> Fragment:
        """The fragment of the record that ``record()`` would build for slot ``slot_id`` from exactly these
        ``inputs`` (the digests of every file it reads): taken by them from the cache, so the record is not
        even built, when an earlier build saw the same inputs; else by the record itself (:meth:`get`)."""
        shard = shard_of(slot_id)
        digest = self._prefix.copy()
        digest.update(b"inputs\0" + inputs.encode("utf-8"))
        key = digest.hexdigest()
        fragment = self._known(shard, key)
        if fragment is None:
            built = record()
            record_key = self.key(built)
            fragment = self.get(built, make)
            self.used[shard][key] = self.used[shard][record_key]
        return fragment

    def save(self) -> None:
        """Rewrite the shards whose fragments in use changed, then the index; nothing when nothing changed.

        A shard keeps the fragments this build used, under every key that names them.
        """
        if self.path is None:
            return
        checksums = self._checksums
        changed = False
        for number, used in enumerate(self.used):
            stored = self.stored[number]
            live = {found for found in used.values() if isinstance(found, int)}
            # every key of a fragment still in use stays (a record's, when it was found by its inputs)
            used.update((key, found) for key, found in stored.keys.items() if found in live and key not in used)
            if number not in self._dirty and used.keys() == stored.keys.keys() and checksums[number]:
                continue
            numbers: dict[int, int] = {}  # id() of a made fragment, or -1 - a stored one's number -> its number now
            fragments: list[Fragment] = []
            keys: dict[str, int] = {}
            for key, found in used.items():
                identity = -1 - found if isinstance(found, int) else id(found)
                if identity not in numbers:
                    numbers[identity] = len(fragments)
                    fragments.append(stored.fragment(found) if isinstance(found, int) else found)
                keys[key] = numbers[identity]
            data = encode_shard(keys, fragments) if keys else b""
            if data:
                write_atomically(_shard_path(self.path, number), data)
            else:
                _shard_path(self.path, number).unlink(missing_ok=True)
            checksums[number] = hashlib.sha256(data).digest() if data else b""
            changed = True
        if changed:
            payload = marshal.dumps(checksums)
            write_atomically(self.path, _MAGIC + hashlib.sha256(payload).digest() + payload)
