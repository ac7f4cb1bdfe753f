"""Load stage: YAML files -> plain Python data that remembers where each value came from.

PyYAML's constructors drop source positions, silently keep the last of two
duplicate keys, and turn ``08:30`` into the integer 510 (YAML 1.1 sexagesimal).
So we compose the node graph ourselves and build plain data from it, recording
the line and column of every value and key, and keeping scalar strings as
written wherever YAML 1.1 would guess something surprising.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .diagnostics import Diagnostics

try:  # the C composer is several times faster; fall back where libyaml is missing
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Loader = yaml.SafeLoader

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_NODES = 200_000  # after alias expansion: stops "billion laughs" documents
MAX_DEPTH = 64

Path_ = tuple[str | int, ...]

_TAG = "tag:yaml.org,2002:"
_BOOL = re.compile(r"^(?:true|false)$", re.IGNORECASE)
_SCALARS = yaml.SafeLoader("")  # only its int/float constructors are used
_SEXAGESIMAL = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")


@dataclass(frozen=True)
class SourceDocument:
    """One parsed content file and the position of everything in it."""

    path: Path
    data: Any
    positions: dict[Path_, tuple[int, int]] = field(repr=False)
    key_positions: dict[Path_, tuple[int, int]] = field(repr=False)

    def position(self, loc: Path_, *, key: bool = False) -> tuple[int, int]:
        """Line and column (1-based) of the value at ``loc``, or its nearest ancestor."""
        loc = tuple(loc)
        while True:
            if key and loc in self.key_positions:
                return self.key_positions[loc]
            if loc in self.positions:
                return self.positions[loc]
            if not loc:
                return (1, 1)
            loc = loc[:-1]


@dataclass(frozen=True)
class ContentFiles:
    """The content tree, read but not yet validated."""

    root: Path
    event: SourceDocument | None
    venues: SourceDocument | None
    days: list[SourceDocument]
    talks: list[SourceDocument]
    speakers: list[SourceDocument]


class _TooBig(Exception):
    def __init__(self, node: yaml.Node, message: str):
        super().__init__(message)
        self.node = node


class _Builder:
    """Turns a composed node graph into plain data, recording positions."""

    def __init__(self, document: Path, diagnostics: Diagnostics):
        self.document = document
        self.diagnostics = diagnostics
        self.positions: dict[Path_, tuple[int, int]] = {}
        self.key_positions: dict[Path_, tuple[int, int]] = {}
        self.count = 0

    def error(self, node: yaml.Node, message: str, hint: str = "") -> None:
        mark = node.start_mark
        self.diagnostics.error(self.document, mark.line + 1, mark.column + 1, message, hint)

    def build(self, node: yaml.Node, loc: Path_ = (), depth: int = 0) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooBig(node, f"the document expands to more than {MAX_NODES:,} values")
        if depth > MAX_DEPTH:
            raise _TooBig(node, f"the document is nested more than {MAX_DEPTH} levels deep")
        self.positions[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, loc, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, loc + (index,), depth + 1) for index, item in enumerate(node.value)]
        return self.scalar(node)

    def mapping(self, node: yaml.MappingNode, loc: Path_, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        pairs = list(node.value)
        index = 0
        while index < len(pairs):  # a while loop, since merge keys splice pairs in
            key_node, value_node = pairs[index]
            index += 1
            if key_node.tag == _TAG + "merge":
                merged = [value_node] if isinstance(value_node, yaml.MappingNode) else list(value_node.value)
                for source in merged:
                    if isinstance(source, yaml.MappingNode):
                        pairs.extend(pair for pair in source.value if pair[0].value not in result)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.error(key_node, "a key must be a plain word, not a list or mapping")
                continue
            key = str(key_node.value)
            if key in result:
                self.error(key_node, f"duplicate key '{key}' in one mapping",
                           "YAML would silently keep only the last one; remove or rename one of them")
                continue
            child = loc + (key,)
            self.key_positions[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = self.build(value_node, child, depth + 1)
        return result

    def scalar(self, node: yaml.ScalarNode) -> Any:
        tag, value = node.tag, node.value
        if tag == _TAG + "str" or node.style in ("'", '"', "|", ">"):
            return value
        if tag == _TAG + "null":
            return None
        if tag == _TAG + "bool":
            return value.lower() == "true" if _BOOL.match(value) else value
        if tag in (_TAG + "int", _TAG + "float"):
            if _SEXAGESIMAL.match(value):
                return value  # "08:30" stays a time, not 510
            construct = _SCALARS.construct_yaml_int if tag.endswith("int") else _SCALARS.construct_yaml_float
            try:
                return construct(node)
            except (ValueError, yaml.YAMLError):
                return value
        if tag == _TAG + "timestamp":
            return value  # pydantic parses dates and times from their ISO text
        self.error(node, f"unsupported YAML tag '{tag}'", "remove the '!' tag and write a plain value")
        return None


def parse_yaml(path: Path, diagnostics: Diagnostics) -> SourceDocument | None:
    """Read one YAML file; report every problem with its position; None if unusable."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        diagnostics.error(path, 1, 1, f"cannot read the file: {error.strerror}")
        return None
    if len(raw) > MAX_FILE_BYTES:
        diagnostics.error(path, 1, 1, f"file is {len(raw):,} bytes, over the {MAX_FILE_BYTES:,}-byte limit",
                          "split it into smaller files")
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        diagnostics.error(path, line, column, f"the file is not valid UTF-8 (byte 0x{raw[error.start]:02x})",
                          "save it as UTF-8 in your editor")
        return None
    if not text.strip() or all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()):
        diagnostics.error(path, 1, 1, "the file is empty", "fill it in or delete it")
        return None
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = error.problem or "invalid YAML"
        hint = "check the indentation and quoting near here"
        lines = text.splitlines()
        if "\t" in problem or (line <= len(lines) and "\t" in lines[line - 1]):
            hint = "YAML does not allow tabs for indentation; use spaces"
        elif "expected a single document" in problem:
            hint = "remove the '---' separating documents: one file holds one document"
        diagnostics.error(path, line, column, f"YAML syntax error: {problem}", hint)
        return None
    except yaml.YAMLError as error:
        diagnostics.error(path, 1, 1, f"YAML syntax error: {error}")
        return None
    if node is None:
        diagnostics.error(path, 1, 1, "the file is empty", "fill it in or delete it")
        return None
    builder = _Builder(path, diagnostics)
    try:
        data = builder.build(node)
    except _TooBig as error:
        builder.error(error.node, str(error), "YAML aliases that expand this much are refused")
        return None
    return SourceDocument(path, data, builder.positions, builder.key_positions)


def _yaml_files(folder: Path, diagnostics: Diagnostics) -> list[Path]:
    if not folder.is_dir():
        return []
    files = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        if path.suffix == ".yml":
            diagnostics.error(path, 1, 1, "content files must end in '.yaml'", f"rename it to {path.stem}.yaml")
        elif path.suffix == ".yaml" and path.is_file():
            files.append(path)
    return files


def load_content(root: Path, diagnostics: Diagnostics) -> ContentFiles:
    """Read every content file under ``root``; problems go to ``diagnostics``."""
    event_path = root / "event.yaml"
    if event_path.is_file():
        event = parse_yaml(event_path, diagnostics)
    else:
        event = None
        diagnostics.error(event_path, 1, 1, "event.yaml is missing",
                          "every content folder needs event.yaml with the event's name, dates and time zone")
    venues_path = root / "venues.yaml"
    venues = parse_yaml(venues_path, diagnostics) if venues_path.is_file() else None

    def folder(name: str) -> list[SourceDocument]:
        documents = (parse_yaml(path, diagnostics) for path in _yaml_files(root / name, diagnostics))
        return [document for document in documents if document is not None]

    return ContentFiles(root, event, venues, folder("program"), folder("talks"), folder("speakers"))
