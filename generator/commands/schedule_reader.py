"""Reading a schedule file safely: frab XML, frab/pretalx JSON or c3voc schedule 2 -> SourceRoot.

defusedxml refuses DTDs, entity bombs and external entities; JSON has size and
depth limits; HTML in imported abstracts becomes plain Markdown.
"""

from __future__ import annotations

import html.parser
import json
import re
from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

import nh3
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser
from pydantic import ValidationError

from generator.commands.import_quirks import (
    visible_text,
)
from generator.commands.schedule_models import (
    ImportProblem,
    ScheduleError,
    SourceRoot,
    schedule_error,
    validation_problem,
)
from generator.content.models import (
    PROSE_FORMAT_CHARACTERS,
)

MAX_BYTES = 32 * 1024 * 1024


MAX_JSON_DEPTH = 32


_HTML_TAG = re.compile(r"</?(?:p|br|a|div|span|ul|ol|li|em|strong|b|i|u|code|pre|h[1-6]|blockquote)\b[^>]*>",
                       re.IGNORECASE)


def parse_schedule(text: str, source_name: str) -> SourceRoot:
    """Recognise frab XML or frab/c3voc JSON by content and read it safely."""
    if len(text) > MAX_BYTES:
        raise schedule_error(source_name, f"the file is over the {MAX_BYTES // (1024 * 1024)} MiB limit for a schedule")
    body = text.lstrip("\ufeff \t\r\n")
    if body.startswith("<"):
        data = _xml_data(text, source_name)
    elif body.startswith("{") or body.startswith("["):
        data = _json_data(text, source_name)
    else:
        raise schedule_error(source_name, "this is neither a frab XML nor a frab/c3voc JSON schedule "
                                 "(expected '<schedule>' or '{\"schedule\": ...}')", 1)
    from generator.commands.import_schedule2 import is_schedule2, read_schedule2

    if is_schedule2(data):
        return read_schedule2(data, source_name)
    try:
        return SourceRoot.model_validate(data)
    except ValidationError as errors:
        problems = [validation_problem(error, data, source_name) for error in errors.errors(include_url=False)]
        raise ScheduleError(problems[:20] + ([ImportProblem(source_name, None, f"... and {len(problems) - 20} more")]
                                             if len(problems) > 20 else [])) from None


def _json_data(text: str, source_name: str) -> Any:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise schedule_error(source_name, f"invalid JSON: {error.msg} (column {error.colno})", error.lineno) from None
    except RecursionError:
        raise schedule_error(source_name, "the JSON is nested too deeply to be a schedule") from None
    if _depth(data) > MAX_JSON_DEPTH:
        raise schedule_error(source_name, f"the JSON is nested more than {MAX_JSON_DEPTH} levels deep; a schedule needs ~8")
    if not isinstance(data, dict) or not isinstance(data.get("schedule"), dict):
        raise schedule_error(source_name, "this JSON is not a frab/c3voc schedule: it has no 'schedule' object "
                                 "(pretalx serves one at <event>/schedule/export/schedule.json)")
    return data


def _depth(data: Any) -> int:
    """Nesting depth, without recursion (the data may be hostile)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_JSON_DEPTH:
            return depth
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((child, depth + 1) for child in children)
    return deepest


class _LineBuilder(TreeBuilder):
    """Remembers the source line of every element, for errors an organizer can find."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[int, int] = {}
        self.parser: DefusedXMLParser | None = None

    def start(self, tag: str, attrs: dict[str, str]) -> Element:  # type: ignore[override]
        element = super().start(tag, attrs)
        if self.parser is not None:
            self.lines[id(element)] = self.parser.parser.CurrentLineNumber
        return element


def _xml_data(text: str, source_name: str) -> dict[str, Any]:
    """Parse frab XML with every DTD and entity refused, into the JSON format's shape."""
    builder = _LineBuilder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    builder.parser = parser
    try:
        parser.feed(text)
        root = parser.close()
    except DefusedXmlException as error:
        line = parser.parser.CurrentLineNumber
        raise schedule_error(source_name, f"refused: the XML declares a DTD or entities ({type(error).__name__}); "
                                 "a schedule never needs them, and they can expand or fetch files", line) from None
    except ParseError as error:
        line, column = error.position
        reason = str(error).split(":")[0]
        raise schedule_error(source_name, f"invalid XML: {reason} (column {column + 1})", line) from None
    if root.tag != "schedule":
        raise schedule_error(source_name, f"this XML is not a frab schedule: its root element is <{root.tag}>, "
                                 "not <schedule>", builder.lines.get(id(root)))
    generator = root.find("generator")
    return {"schedule": _xml_schedule(root, builder.lines),
            "generator": dict(generator.attrib) if generator is not None else None}


def _text(element: Element | None) -> str | None:
    return element.text if element is not None and element.text is not None else (None if element is None else "")


def _xml_schedule(root: Element, lines: dict[int, int]) -> dict[str, Any]:
    conference = root.find("conference")
    info: dict[str, Any] = {"days": []}
    if conference is not None:
        for key in ("title", "acronym", "start", "end", "time_zone_name"):
            info[key] = _text(conference.find(key))
        info["tracks"] = [dict(track.attrib) for track in conference.findall("track")]
    for day in root.findall("day"):
        rooms: dict[str, list[dict[str, Any]]] = {}
        for room in day.findall("room"):
            events = rooms.setdefault(room.get("name", ""), [])
            events.extend(_xml_event(event, lines) for event in room.findall("event"))
        info["days"].append({"_line": lines.get(id(day)), "date": day.get("date"), "rooms": rooms})
    return {"_line": lines.get(id(root)), "conference": info}


def _xml_event(event: Element, lines: dict[int, int]) -> dict[str, Any]:
    data: dict[str, Any] = {"_line": lines.get(id(event)), "guid": event.get("guid"), "id": event.get("id")}
    for key in ("date", "start", "end", "duration", "room", "slug", "title", "subtitle", "track", "type", "abstract",
                "description"):
        value = _text(event.find(key))
        if value is not None:
            data[key] = value
    data["persons"] = [{"id": person.get("id"), "guid": person.get("guid"), "name": person.text or ""}
                       for person in event.iterfind("persons/person")]
    data["links"] = [{"url": link.get("href", ""), "title": link.text} for link in event.iterfind("links/link")]
    return data


class _MarkdownWriter(html.parser.HTMLParser):
    """Sanitized HTML -> Markdown: paragraphs, line breaks, lists, emphasis and http(s) links."""

    BLOCKS = {"p", "div", "ul", "ol", "pre", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6"}
    MARKS = {"em": "*", "i": "*", "strong": "**", "b": "**", "code": "`"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS:
            self.parts.append("\n\n")
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in self.MARKS:
            self.parts.append(self.MARKS[tag])
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            usable = re.match(r"^(https?://|mailto:)[^\s<>()]+$", href, re.IGNORECASE)
            self.links.append(href if usable else None)
            if usable:
                self.parts.append("[")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self.parts.append("\n\n")
        elif tag in self.MARKS:
            self.parts.append(self.MARKS[tag])
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href:
                self.parts.append(f"]({href})")

    def handle_data(self, data: str) -> None:
        text = re.sub(r"[ \t\r\n]+", " ", data)
        self.parts.append(re.sub(r"([\\`*_\[\]<>])", r"\\\1", text))


def html_to_markdown(text: str | None) -> str | None:
    """Imported text as Markdown: HTML is sanitized then converted; plain text and Markdown are kept."""
    if text is None:
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text)
    text = visible_text(text, keep=PROSE_FORMAT_CHARACTERS)  # zero-width spaces and the like are fine in prose
    if _HTML_TAG.search(text):
        clean = nh3.clean(text, tags={"p", "br", "div", "ul", "ol", "li", "em", "i", "strong", "b", "code", "pre",
                                      "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "a"},
                          attributes={"a": {"href"}}, url_schemes={"http", "https", "mailto"}, link_rel=None)
        writer = _MarkdownWriter()
        writer.feed(clean)
        writer.close()
        text = "".join(writer.parts)
        text = "\n".join(line.strip(" ") for line in text.split("\n"))
        text = re.sub(r"\n{3,}", "\n\n", text)
    text = text.strip()
    return text or None
