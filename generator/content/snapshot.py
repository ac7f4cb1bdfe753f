"""The linked program kept between builds (``.cache/content/program.bin``), for a new process to start from.

A build in a new process would otherwise read every content file's data from the content
cache, validate all of them again and link the whole program (about 1.9 s at N = 10,000) to
show one edited abstract. With the last linked program at hand, it validates the files that
changed since and puts them into it (see :mod:`relink`), when their edits allow that.

The file has two parts, each behind its own checksum:

- a *header* in marshal (plain values): the digest and summary digest of every content file
  the program was linked from, each talk's and speaker's link key, the files that had
  warnings, and a tag of everything the program's shape depends on (this package's content,
  core and simulation code, the content cache's format, pydantic, Python). A build decides
  from it alone whether the program can be reused; when not, it is the only part read;
- the program itself, pickled. Loading a pickle can run code, so this widens nothing that
  ``.cache/`` must already be trusted with: ``.cache/jinja/`` holds Jinja's compiled
  templates, which run. A damaged or foreign file is never unpickled (checksums, tag).

Pydantic models are pickled as their class, field values and given fields (not pydantic's own
state dict), and equal small models are shared (see :class:`_Pickler`): at N = 10,000 the
program reads back in about 0.2 s, against 0.5 s for a plain pickle.
"""

from __future__ import annotations

import functools
import hashlib
import io
import marshal
import os
import pickle
import struct
import sys
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from generator import __version__
from generator.content import cache as content_cache
from generator.content.graph import Program
from generator.content.relink import LinkKey, link_keys
from generator.core.files import write_atomically
from generator.core.hashing import code_digest

_MAGIC = b"symposium program snapshot 1\n"
_SIZES = struct.Struct("<16s16sQ")  # header checksum, program checksum, header length
NAME = "program.bin"


def _tag(root: Path) -> str:
    import pydantic

    return "|".join([
        _MAGIC.decode().strip(), __version__, sys.version, str(pickle.HIGHEST_PROTOCOL), pydantic.VERSION,
        content_cache.FORMAT, code_digest("content", "core", "simulation"), str(root), os.path.abspath(root)])


def _checksum(data: bytes | memoryview) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


_set = object.__setattr__


def _model(cls: type[BaseModel], values: dict[str, Any], fields: set[str]) -> BaseModel:
    """A pydantic model as :class:`_Pickler` wrote it: what ``BaseModel.__setstate__`` does, without its state dict."""
    model = cls.__new__(cls)
    _set(model, "__dict__", values)
    _set(model, "__pydantic_fields_set__", fields)
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    return model


def _is_plain_class(cls: type) -> bool:
    """A pydantic model class pickled by its ``__getstate__`` (not one of its own)."""
    return issubclass(cls, BaseModel) and cls.__getstate__ is BaseModel.__getstate__


def _text_only(annotation: Any) -> bool:
    """Whether a field's values are all ``str``, ``bool`` or None (``Text``, ``bool``, ``str | None``, ...)."""
    if annotation in (str, bool, type(None)):
        return True
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _text_only(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return all(_text_only(argument) for argument in typing.get_args(annotation))
    return False


@functools.lru_cache(maxsize=None)
def _kind(cls: type) -> int:
    """0: pickled as any object; 1: a plain model (see :func:`_model`); 2: a plain model of text and flags only,
    shared between the lists that hold equal ones."""
    if not _is_plain_class(cls):
        return 0
    return 2 if all(_text_only(field.annotation) for field in cls.model_fields.values()) else 1


class _Pickler(pickle.Pickler):
    """Pickles pydantic models for :func:`_model`, sharing what equal models hold.

    Models in lists whose fields are all text or flags (the 145,000 authors of publications
    at N = 10,000, of 7,700 names) are pickled once per value and shared by every list
    that holds one equal to it, and so are equal sets of given fields: models are frozen,
    so nothing can tell them apart but ``is``, which no stage uses on them. That halves
    the time to read a program back.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._fields: dict[frozenset[str], set[str]] = {}
        self._leaves: dict[tuple, BaseModel] = {}

    def reducer_override(self, obj: Any) -> Any:
        if not _kind(type(obj)) or obj.__pydantic_extra__ is not None or obj.__pydantic_private__ is not None:
            return NotImplemented
        values = obj.__dict__
        if any(type(value) is list for value in values.values()):
            values = {name: [self._leaf(item) for item in value] if type(value) is list else value
                      for name, value in values.items()}
        fields = obj.__pydantic_fields_set__
        return _model, (type(obj), values, self._fields.setdefault(frozenset(fields), fields))

    def _leaf(self, item: Any) -> Any:
        """The first model pickled equal to ``item`` (of its class, with the same values and given fields)."""
        if _kind(type(item)) != 2 or item.__pydantic_extra__ is not None or item.__pydantic_private__ is not None:
            return item
        key = (type(item), frozenset(item.__pydantic_fields_set__), tuple(item.__dict__.values()))
        return self._leaves.setdefault(key, item)


@dataclass
class Snapshot:
    """What a build linked (see the module's description); :meth:`program` unpickles the program when asked."""

    files: dict[str, str]  # content file -> digest of its bytes
    summaries: dict[str, str]  # content file -> summary digest
    keys: dict[str, LinkKey]  # talk or speaker file -> link key
    warned: frozenset[str]  # display names of the files the program's warnings are about
    _raw: bytes | None = None
    _offset: int = 0
    _checksum: bytes = b""

    def key_of(self, relative: str) -> LinkKey | None:
        return self.keys.get(relative)

    def program(self) -> Program | None:
        """The program, unpickled (once; None when that part of the file is damaged)."""
        raw, self._raw = self._raw, None
        if raw is None:
            return None
        payload = memoryview(raw)[self._offset:]
        if _checksum(payload) != self._checksum:
            return None
        try:
            program = pickle.loads(payload)
        except Exception:  # noqa: BLE001 - a class that moved, a damaged file: link from the files instead
            return None
        return program if isinstance(program, Program) else None


def read_snapshot(folder: Path, root: Path) -> Snapshot | None:
    """The header of the snapshot in ``folder`` for the content folder ``root``; None when missing or not usable."""
    try:
        raw = (folder / NAME).read_bytes()
    except OSError:
        return None
    start = len(_MAGIC) + _SIZES.size
    if len(raw) < start or not raw.startswith(_MAGIC):
        return None
    header_checksum, program_checksum, length = _SIZES.unpack_from(raw, len(_MAGIC))
    header = memoryview(raw)[start:start + length]
    if len(header) != length or _checksum(header) != header_checksum:
        return None
    try:
        data = marshal.loads(header)
    except (EOFError, ValueError, TypeError):
        return None
    if not (isinstance(data, dict) and data.get("tag") == _tag(root)):
        return None
    return Snapshot(data["files"], data["summaries"], data["keys"], frozenset(data["warned"]),
                    raw, start + length, program_checksum)


def write_snapshot(folder: Path, root: Path, program: Program, warned: set[str]) -> None:
    """Keep ``program`` (linked from the files in ``program.digests``) for the next build's :func:`read_snapshot`."""
    digests = program.digests
    header = marshal.dumps({"tag": _tag(root), "files": digests.files, "summaries": digests.summaries,
                            "keys": link_keys(program), "warned": sorted(warned)})
    stream = io.BytesIO()
    program.digests = None  # in the header already
    try:
        _Pickler(stream, protocol=pickle.HIGHEST_PROTOCOL).dump(program)
    finally:
        program.digests = digests
    payload = stream.getbuffer()
    write_atomically(folder / NAME, b"".join((_MAGIC, _SIZES.pack(_checksum(header), _checksum(payload), len(header)),
                                               header, payload)))
