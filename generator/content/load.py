"""Load stage: YAML files -> plain Python data that can say where each value came from.

PyYAML's constructors drop source positions, silently keep the last of two
duplicate keys, and turn ``08:30`` into the integer 510 (YAML 1.1 sexagesimal).
So we compose the node graph ourselves and build plain data from it, keeping
scalar strings as written wherever YAML 1.1 would guess something surprising.

Two paths give the same data. The fast one (:func:`plain_data`) builds a
common, well-formed file without recording any position, and gives up on
anything unusual: an alias that expands too far, a merge key, a tag, a
duplicate key, deep nesting, a syntax error. The careful one
(:func:`_careful_parse`) then reads the file again, recording the line and
column of every value and key and reporting each problem. Positions of a
fast-read file are worked out by the careful path only when a message needs
one (:meth:`SourceDocument.position`), which is rare: errors are.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import yaml

from generator.content.yaml_tree import (
    MAX_DEPTH,
    BaseLoader,
    Builder,
    Loader,
    Path_,
    TooBig,
    Unusual,
    plain_data,
)
from generator.core.diagnostics import ContentError, Diagnostics
from generator.core.hashing import digest
from generator.core.memory import gc_paused

MAX_FILE_BYTES = 5 * 1024 * 1024
#: A file with fewer collection indicators than this cannot nest deep enough to crash libyaml's
#: recursive composer (it survives 20,000 levels and crashes near 60,000), so the fast path may compose it
#: without first walking the event stream. Every list or mapping starts at its own ':', '-', '?', '[' or '{'.
_FLAT_ENOUGH = 5_000

assert not Loader.yaml_path_resolvers, "resolve() above ignores path resolvers"


def source_digest(raw: bytes) -> str:
    """A digest of a file's bytes: what :meth:`SourceDocument.from_data` checks before re-reading positions.

    The build's own file digest (``core.hashing.digest``), so the content cache's digests serve here too.
    """
    return digest(raw)


class SourceChanged(ContentError):
    """A file changed between being read and a message needing a position in it."""

    def __init__(self, path: Path):
        diagnostics = Diagnostics()
        diagnostics.error(path, 1, 1, "the file changed while it was being read",
                          "run the command again once the file is saved")
        super().__init__(diagnostics)


_Positions = tuple[dict[Path_, tuple[int, int]], dict[Path_, tuple[int, int]]]


@dataclass(frozen=True)
class SourceDocument:
    """One parsed content file; it can tell the position of everything in it.

    ``positions`` and ``key_positions`` map a path such as ``("slots", 3, "start")``
    to a (line, column) of the value or key. When they are None (a file read by the
    fast path, or made by :meth:`from_data`), they are worked out on the first call
    of :meth:`position` by reading the file again carefully.
    """

    path: Path
    data: Any
    positions: dict[Path_, tuple[int, int]] | None = field(default=None, repr=False)
    key_positions: dict[Path_, tuple[int, int]] | None = field(default=None, repr=False)
    #: :func:`source_digest` of the bytes ``data`` was parsed from, when known
    digest: str | None = field(default=None, repr=False, compare=False)
    _lazy: list[_Positions] = field(default_factory=list, init=False, repr=False, compare=False)

    @classmethod
    def from_data(cls, path: Path, data: Any, digest: str | None) -> SourceDocument:
        """A document for data parsed earlier (e.g. kept in a cache) from the bytes with this ``digest``.

        Positions are found when first asked for, by parsing the file again. If
        its bytes no longer have ``digest`` and it no longer parses to ``data``,
        :meth:`position` raises :class:`SourceChanged` (a ContentError) rather
        than give a wrong line. With ``digest`` None only the data is compared.
        """
        return cls(path, data, digest=digest)

    def position(self, loc: Path_, *, key: bool = False) -> tuple[int, int]:
        """Line and column (1-based) of the value at ``loc``, or its nearest ancestor."""
        positions, key_positions = self._positions()
        loc = tuple(loc)
        while True:
            if key and loc in key_positions:
                return key_positions[loc]
            if loc in positions:
                return positions[loc]
            if not loc:
                return (1, 1)
            loc = loc[:-1]

    def _positions(self) -> _Positions:
        if self.positions is not None:
            return self.positions, self.key_positions or {}
        if not self._lazy:
            self._lazy.append(_locate(self.path, self.data, self.digest))
        return self._lazy[0]


def _locate(path: Path, data: Any, digest: str | None) -> _Positions:
    """Positions in ``path`` of the values of ``data``, from a careful parse of the file as it is now."""
    scratch = Diagnostics()
    raw = _read(path, scratch)
    text = _decode(path, raw, scratch) if raw is not None else None
    parsed = _careful_parse(path, text, scratch) if text is not None else None
    if parsed is None or (digest != source_digest(raw) and parsed[0] != data):  # type: ignore[arg-type]
        raise SourceChanged(path)
    return parsed[1], parsed[2]


@dataclass(frozen=True)
class ContentFiles:
    """The content tree, read but not yet validated."""

    root: Path
    event: SourceDocument | None
    venues: SourceDocument | None
    days: list[SourceDocument]
    talks: list[SourceDocument]
    speakers: list[SourceDocument]
    #: venues.yaml exists but could not be read: references to venues are then not checked
    venues_invalid: bool = False
    #: figures.yaml: the live-figures simulation's configuration, when the site has one
    figures: SourceDocument | None = None


#: Characters YAML 1.1 refuses in a stream (C0/C1 controls except tab, newlines and NEL; U+FFFE/U+FFFF).
_NOT_PRINTABLE = re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")


def _line_column(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character index."""
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _nesting_error(text: str) -> tuple[yaml.Mark, str] | None:
    """The first place nested deeper than MAX_DEPTH, found from the event stream.

    libyaml's composer recurses once per level and crashes the interpreter
    (a segfault, not an exception) around 100,000 levels, which a 400 kB
    file of brackets reaches; the parser's event stream is flat, so it is
    checked first.
    """
    try:
        return _first_too_deep(yaml.parse(text, Loader=BaseLoader))
    except yaml.YAMLError:
        if BaseLoader is yaml.SafeLoader:
            raise
        # libyaml 0.2.6 (in PyYAML 6.0.4's wheels) refuses 1,000 levels in its scanner, which reads
        # ahead of the events, so its error can come before the event that passes our limit. The
        # pure-Python parser has no limit of its own: ask it, and keep libyaml's wording otherwise.
        try:
            too_deep = _first_too_deep(yaml.parse(text, Loader=yaml.SafeLoader))
        except yaml.YAMLError:
            too_deep = None
        if too_deep is None:
            raise
        return too_deep


def _first_too_deep(events: Iterator[yaml.Event]) -> tuple[yaml.Mark, str] | None:
    depth = 0
    for event in events:
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                return event.start_mark, f"the document is nested more than {MAX_DEPTH} levels deep"
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
    return None


def _syntax_error(path: Path, text: str, error: yaml.MarkedYAMLError, diagnostics: Diagnostics) -> None:
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = error.problem or "invalid YAML"
    hint = "check the indentation and quoting near here"
    lines = text.splitlines()
    if line <= len(lines) and lines[line - 1][column - 1: column] == "\t":
        problem = "a tab character here"
        hint = "YAML does not allow tabs for indentation; use spaces"
    elif line <= len(lines) and "\t" in lines[line - 1]:
        hint = "YAML does not allow tabs for indentation; use spaces"
    elif "escape" in problem:
        hint = "in double quotes a backslash starts an escape; write the character itself, or use single quotes"
    elif "expected a single document" in str(error.context):
        problem = "a second document starts here"
        hint = "remove the '---' line: one file holds one document"
    elif "undefined alias" in problem:
        name = re.match(r"\*([^\s,\]\}]+)", lines[line - 1][column - 1:]) if line <= len(lines) else None
        alias = name.group(1) if name else "name"
        problem = f"the alias '*{alias}' names no anchor"
        hint = f"define '&{alias}' on an earlier value, or write the value out"
    diagnostics.error(path, line, column, f"YAML syntax error: {problem}", hint)


def parse_yaml(path: Path, diagnostics: Diagnostics, *, raw: bytes | None = None) -> SourceDocument | None:
    """Read one YAML file; report every problem with its position; None if unusable.

    ``raw`` is the file's bytes when the caller has already read them. A common,
    valid file is read by the fast path and its positions are found only if asked for.
    """
    if raw is None:
        raw = _read(path, diagnostics)
        if raw is None:
            return None
    text = _decode(path, raw, diagnostics)
    if text is None:
        return None
    digest = source_digest(raw)
    if len(raw) < _FLAT_ENOUGH or sum(map(raw.count, (b":", b"-", b"?", b"[", b"{"))) < _FLAT_ENOUGH:
        try:
            node = yaml.compose(text, Loader=Loader)
            if node is not None:
                return SourceDocument(path, plain_data(node), digest=digest)
        except (Unusual, yaml.YAMLError):
            pass  # the careful path reports it, if it is a problem
    parsed = _careful_parse(path, text, diagnostics)
    if parsed is None:
        return None
    data, positions, key_positions = parsed
    return SourceDocument(path, data, positions, key_positions, digest=digest)


def _read(path: Path, diagnostics: Diagnostics) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError as error:
        diagnostics.error(path, 1, 1, f"cannot read the file: {error.strerror}")
        return None


def _decode(path: Path, raw: bytes, diagnostics: Diagnostics) -> str | None:
    """The text of a file that is small enough, UTF-8, printable and not empty; None after reporting why not."""
    if len(raw) > MAX_FILE_BYTES:
        diagnostics.error(path, 1, 1, f"file is {len(raw):,} bytes, over the {MAX_FILE_BYTES:,}-byte limit",
                          "split it into smaller files")
        return None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        diagnostics.error(path, 1, 1, "the file is UTF-16, not UTF-8", "save it as UTF-8 in your editor")
        return None
    try:
        text = raw.decode("utf-8-sig")  # a leading byte-order mark (Windows editors) is accepted and dropped
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = len(raw[raw.rfind(b"\n", 0, error.start) + 1: error.start].decode("utf-8", "replace")) + 1
        diagnostics.error(path, line, column, f"the file is not valid UTF-8: byte 0x{raw[error.start]:02x} here",
                          "save it as UTF-8 in your editor")
        return None
    bad = _NOT_PRINTABLE.search(text)
    if bad:
        line, column = _line_column(text, bad.start())
        diagnostics.error(path, line, column, f"the file contains the control character U+{ord(bad.group()):04X}",
                          "YAML does not allow it; delete it: it often comes with text pasted from a PDF")
        return None
    if _is_empty(text):
        diagnostics.error(path, 1, 1, "the file is empty", "fill it in or delete it")
        return None
    return text


def _is_empty(text: str) -> bool:
    """Nothing but blank lines and comments."""
    start = text.lstrip()[:1]
    if start and start != "#":  # the common case, without splitting the file into lines
        return False
    return all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines())


def _careful_parse(path: Path, text: str, diagnostics: Diagnostics) -> tuple[Any, dict, dict] | None:
    """Data, value positions and key positions of a file's text; None after reporting its problems."""
    try:
        too_deep = _nesting_error(text)
        if too_deep is not None:
            mark, message = too_deep
            diagnostics.error(path, mark.line + 1, mark.column + 1, message,
                              "content needs only a few levels; flatten it")
            return None
        node = yaml.compose(text, Loader=Loader)
    except yaml.MarkedYAMLError as error:
        _syntax_error(path, text, error, diagnostics)
        return None
    except yaml.YAMLError as error:
        diagnostics.error(path, 1, 1, f"YAML syntax error: {' '.join(str(error).split())}")
        return None
    if node is None:
        diagnostics.error(path, 1, 1, "the file is empty", "fill it in or delete it")
        return None
    builder = Builder(path, diagnostics)
    try:
        data = builder.build(node)
    except TooBig as error:
        line, column = builder.key_positions.get(error.loc[:1]) or builder.positions.get(error.loc[:1], (1, 1))
        diagnostics.error(path, line, column, str(error), error.hint)
        return None
    if builder.errors:
        return None  # validating a half-read file would only add errors that follow from these
    return data, builder.positions, builder.key_positions


def _yaml_files(folder: Path, diagnostics: Diagnostics) -> list[Path]:
    if not folder.is_dir():
        return []
    files = []
    with os.scandir(folder) as listing:  # one system call per folder; names and kinds come with it
        entries = sorted(listing, key=lambda entry: entry.name)
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            continue
        path = folder / name
        if entry.is_dir():
            if any(child.suffix.lower() in (".yaml", ".yml") for child in path.rglob("*")):
                diagnostics.error(path, 1, 1, f"sub-folders of {folder.name}/ are not read",
                                  f"move the files in it up into {folder.name}/")
            continue
        suffix = os.path.splitext(name)[1]
        if suffix.lower() in (".yml", ".yaml") and suffix != ".yaml":  # .yml, .YAML: not silently skipped
            diagnostics.error(path, 1, 1, "content files must end in '.yaml'", f"rename it to {path.stem}.yaml")
        elif suffix == ".yaml" and entry.is_file():
            files.append(path)
    return files


def load_content(root: Path, diagnostics: Diagnostics,
                 parse: Callable[[Path, Diagnostics], SourceDocument | None] | None = None) -> ContentFiles:
    """Read every content file under ``root``; problems go to ``diagnostics``.

    ``parse`` reads one file (default :func:`parse_yaml`); the build passes one that consults its cache.
    """
    with gc_paused():
        return _load_content(root, diagnostics, parse or parse_yaml)


def _load_content(root: Path, diagnostics: Diagnostics,
                  read: Callable[[Path, Diagnostics], SourceDocument | None]) -> ContentFiles:
    event_path = root / "event.yaml"
    if event_path.is_file():
        event = read(event_path, diagnostics)
    else:
        event = None
        diagnostics.error(event_path, 1, 1, "event.yaml is missing",
                          "every content folder needs event.yaml with the event's name, dates and time zone")
    venues_path = root / "venues.yaml"
    venues = read(venues_path, diagnostics) if venues_path.is_file() else None

    def folder(name: str) -> list[SourceDocument]:
        documents = (read(path, diagnostics) for path in _yaml_files(root / name, diagnostics))
        return [document for document in documents if document is not None]

    figures_path = root / "figures.yaml"
    figures = read(figures_path, diagnostics) if figures_path.is_file() else None
    return ContentFiles(root, event, venues, folder("program"), folder("talks"), folder("speakers"),
                        venues_invalid=venues_path.is_file() and venues is None, figures=figures)
