"""YAML nodes -> plain data: the careful builder (positions, limits, duplicate keys) and the fast one.

Both keep YAML 1.1's surprising guesses as text (``08:30`` stays a time, not 510;
``yes`` stays a word), refuse tags, and bound what aliases can expand to, so a
hostile file costs no more memory or time than its size suggests.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from generator.core.diagnostics import Diagnostics

try:  # the C composer is several times faster; fall back where libyaml is missing
    BaseLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    BaseLoader = yaml.SafeLoader

MAX_NODES = 200_000  # after alias expansion: stops "billion laughs" documents
MAX_DEPTH = 64
MAX_CHARACTERS = 10_000_000  # of text after alias expansion: 50,000 aliases of a 1 MB string stop here

Path_ = tuple[str | int, ...]

_TAG = "tag:yaml.org,2002:"
_STR, _MAP, _SEQ, _MERGE = _TAG + "str", _TAG + "map", _TAG + "seq", _TAG + "merge"
_BOOL = re.compile(r"^(?:true|false)$", re.IGNORECASE)
_SCALARS = yaml.SafeLoader("")  # only its int/float constructors are used
_SCALAR_TAGS = frozenset(_TAG + name for name in ("str", "null", "bool", "int", "float", "timestamp"))
_SEXAGESIMAL = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")


class Loader(BaseLoader):  # type: ignore[misc, valid-type]
    """The safe loader with tag resolution remembered per plain scalar.

    libyaml calls back into Python to resolve every scalar; keys such as
    ``title`` recur in every file, and resolving one means trying up to ten
    regular expressions. Resolution depends on the text alone, so a cache
    gives the same tags.
    """

    _plain_tags: dict[str, str] = {}

    if BaseLoader is not yaml.SafeLoader:
        def __init__(self, stream: str) -> None:
            """Only the C parser's state: composing never uses the constructor's or the path resolvers'."""
            yaml.cyaml.CParser.__init__(self, stream)

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is not ScalarNode:
            return _MAP if kind is MappingNode else _SEQ
        if not implicit[0]:
            return _STR  # quoted, a block scalar, or tagged '!'
        tag = self._plain_tags.get(value)
        if tag is None:
            tag = super().resolve(kind, value, implicit)
            if len(value) <= 64:
                if len(self._plain_tags) >= 4096:
                    self._plain_tags.clear()
                self._plain_tags[value] = tag
        return tag


class TooBig(Exception):
    def __init__(self, loc: Path_, message: str, hint: str):
        super().__init__(message)
        self.loc = loc
        self.hint = hint


def _show_tag(tag: str) -> str:
    """``tag:yaml.org,2002:binary`` -> ``!!binary``, as the organizer typed it."""
    return "!!" + tag[len(_TAG):] if tag.startswith(_TAG) else tag


class Builder:
    """Turns a composed node graph into plain data, recording positions.

    Aliases are expanded (so every value gets a position), which is why the
    number of values and the nesting depth are bounded: a "billion laughs"
    document or an alias that contains itself stops with an error, not a hang.
    """

    def __init__(self, document: Path, diagnostics: Diagnostics):
        self.document = document
        self.diagnostics = diagnostics
        self.positions: dict[Path_, tuple[int, int]] = {}
        self.key_positions: dict[Path_, tuple[int, int]] = {}
        self.count = 0
        self.characters = 0
        self.errors = 0
        self.open: set[int] = set()  # ids of the collections being built: an alias to one is a loop
        self.merged_pairs: dict[int, list[tuple[yaml.Node, yaml.Node, bool]]] = {}  # by id of a mapping node

    def error(self, node: yaml.Node, message: str, hint: str = "") -> None:
        mark = node.start_mark
        self.errors += 1
        self.diagnostics.error(self.document, mark.line + 1, mark.column + 1, message, hint)

    def build(self, node: yaml.Node, loc: Path_ = (), depth: int = 0) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise TooBig(loc, f"the document expands to more than {MAX_NODES:,} values",
                          "YAML aliases that expand this much are refused")
        if depth > MAX_DEPTH:
            raise TooBig(loc, f"the document is nested more than {MAX_DEPTH} levels deep",
                          "content needs only a few levels; flatten it")
        self.positions[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.ScalarNode):
            self.characters += len(node.value)
            if self.characters > MAX_CHARACTERS:
                raise TooBig(loc, f"the document expands to more than {MAX_CHARACTERS:,} characters",
                              "YAML aliases that expand this much are refused")
            return self.scalar(node)
        if id(node) in self.open:
            raise TooBig(loc, "a YAML alias refers to the list or mapping that contains it",
                          "an alias must not point back at its own anchor")
        expected = _TAG + ("map" if isinstance(node, yaml.MappingNode) else "seq")
        if node.tag != expected:
            self.error(node, f"unsupported YAML tag '{_show_tag(node.tag)}'", "remove the tag and write plain YAML")
            return None
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self.mapping(node, loc, depth)
            return [self.build(item, loc + (index,), depth + 1) for index, item in enumerate(node.value)]
        finally:
            self.open.discard(id(node))

    def mapping(self, node: yaml.MappingNode, loc: Path_, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node, explicit in self.pairs(node):
            if not isinstance(key_node, yaml.ScalarNode):
                self.error(key_node, "a key must be a plain word, not a list or mapping")
                continue
            key = str(key_node.value)
            if key in result:
                if explicit:
                    self.error(key_node, f"duplicate key '{key}' in one mapping",
                               "YAML would silently keep only the last one; remove or rename one of them")
                continue  # a merged-in key that the mapping sets itself: the mapping's own value wins
            child = loc + (key,)
            self.key_positions[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = self.build(value_node, child, depth + 1)
        return result

    def pairs(self, node: yaml.MappingNode,
              seen: frozenset[int] = frozenset()) -> list[tuple[yaml.Node, yaml.Node, bool]]:
        """The mapping's own pairs first, then those of merge keys (``<<: *defaults``) in order.

        Merged pairs are kept once per key and each mapping's pairs are worked
        out once, so merge keys nested in merge keys cannot grow exponentially.
        """
        if id(node) in self.merged_pairs:
            return self.merged_pairs[id(node)]
        seen = seen | {id(node)}
        own = [(key, value, True) for key, value in node.value if key.tag != _TAG + "merge"]
        merged: list[tuple[yaml.Node, yaml.Node, bool]] = []
        merged_keys = {key.value for key, _, _ in own if isinstance(key, yaml.ScalarNode)}
        for key, value in node.value:
            if key.tag != _TAG + "merge":
                continue
            sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
            for source in sources:
                if not isinstance(source, yaml.MappingNode) or source.tag != _TAG + "map":
                    self.error(source, "a merge key '<<' takes a mapping or a list of mappings",
                               "write '<<: *defaults' where '&defaults' names a mapping")
                    continue
                if id(source) in seen or id(source) in self.open:
                    self.error(source, "a merge key '<<' refers to the mapping that contains it")
                    continue
                for k, v, _ in self.pairs(source, seen):
                    if not isinstance(k, yaml.ScalarNode) or k.value not in merged_keys:
                        merged.append((k, v, False))
                        if isinstance(k, yaml.ScalarNode):
                            merged_keys.add(k.value)
        self.merged_pairs[id(node)] = own + merged
        return own + merged

    def scalar(self, node: yaml.ScalarNode) -> Any:
        value = _scalar_value(node)
        if value is _UNSUPPORTED:  # !!binary, !!python/object, !local ...: never constructed
            self.error(node, f"unsupported YAML tag '{_show_tag(node.tag)}'", "remove the tag and write a plain value")
            return None
        return value


_UNSUPPORTED = object()


def _scalar_value(node: yaml.ScalarNode) -> Any:
    """The plain value of a scalar, YAML 1.1's surprising guesses kept as text; _UNSUPPORTED for other tags."""
    tag, value = node.tag, node.value
    if tag == _STR:
        return value
    if tag not in _SCALAR_TAGS:
        return _UNSUPPORTED
    if node.style in ("'", '"', "|", ">"):
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
    return value  # a timestamp: pydantic parses dates and times from their ISO text


class Unusual(Exception):
    """Raised by the fast path on anything the careful path must see (and perhaps report)."""


def plain_data(node: yaml.Node, depth: int = 0, budget: list[int] | None = None) -> Any:
    """The data of a common, well-formed document, built without positions; raises Unusual otherwise.

    It gives up wherever :class:`Builder` would report a problem or treat a
    node specially (merge keys), and a little before its limits, so what it
    returns is exactly what the builder would. ``budget``: values and characters left.
    """
    if budget is None:
        budget = [MAX_NODES, MAX_CHARACTERS]
    budget[0] -= 1
    if budget[0] < 0 or depth >= MAX_DEPTH:
        raise Unusual
    kind = node.__class__
    if kind is ScalarNode:
        value = node.value
        budget[1] -= len(value)
        if budget[1] < 0:
            raise Unusual
        if node.tag == _STR:
            return value
        value = _scalar_value(node)
        if value is _UNSUPPORTED:
            raise Unusual
        return value
    if kind is MappingNode and node.tag == _MAP:
        result = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key_node.__class__ is not ScalarNode or key_node.tag == _MERGE or key in result:
                raise Unusual
            if value_node.__class__ is ScalarNode and value_node.tag == _STR and depth + 1 < MAX_DEPTH:
                budget[0] -= 1  # the most common value, a string, without a call
                budget[1] -= len(value_node.value)
                result[key] = value_node.value
            else:
                result[key] = plain_data(value_node, depth + 1, budget)
        if budget[0] < 0 or budget[1] < 0:
            raise Unusual
        return result
    if kind is SequenceNode and node.tag == _SEQ:
        return [plain_data(item, depth + 1, budget) for item in node.value]
    raise Unusual
