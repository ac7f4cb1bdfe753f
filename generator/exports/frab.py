"""The frab/c3voc schedule (``schedule.json``, ``schedule.xml``) that pretalx publishes and apps read.

Giggity, ConfClerk and EventFahrplan read this format; the importer reads it
back. Each event's JSON object and XML element are made from one record (its
JSON form), so the two files can never disagree. Every slot is an event,
breaks and meals included, with ``type`` set to the slot's kind, so an app
shows the whole day.

Round-tripping: an event's ``slug`` is ``<acronym>-<number>-<slot id>`` (the
XML schema wants that shape, and a bare id like ``he`` is too short for it),
so the slot id (= the talk id for talk slots) is the slug without the
``<acronym>-<id>-`` prefix; ``guid`` is a uuid5 of the slot id. A person
carries ``guid`` (uuid5 of the speaker id), ``slug`` (the speaker id),
``name``/``public_name`` and ``biography`` (Markdown, as pretalx writes it);
a TBA talk is titled plain "TBA" (unlike the calendar, where the speaker's
name must go into the summary) so an importer recognises it;
``abstract`` is the talk's Markdown, ``date`` the local start with its offset.

No text is ever ``null``: ``subtitle``, ``track``, ``abstract``,
``description`` and a person's ``biography`` are ``""`` where the content says
nothing (pretalx too writes ``""`` for an empty subtitle, abstract or
description; the XML has always had empty elements). The c3voc schema allows null there, but
the programs that read these files were written against pretalx's and call
string methods on them: jekyll-theme-conference's importer strips
``abstract`` and ``description``, and its older one indexes ``abstract``,
``description``, ``track`` and ``biography`` and splits the abstract. So every
key stays and holds a string (tests/test_schedule_consumers.py reads the export
the way these programs do).

Speed: events are serialized one by one (``json`` with its C encoder, hence
compact JSON without indentation; ``ElementTree`` for XML) and spliced into
the document's frame, so a :class:`~.fragments.FragmentCache` can hand back
the text of every event whose record did not change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
import xml.etree.ElementTree as ET
from typing import Any

from generator.content import markup
from generator.content.graph import DayNode
from generator.core.files import OutputFile
from generator.exports import common

SCHEMA_URL = "https://c3voc.de/schedule/schema.json"
INDENT = " "  # of schedule.xml
EVENT_LEVEL = 3  # schedule > day > room > event


def event_slug(acronym: str, number: int, slot_id: str) -> str:
    return f"{acronym}-{number}-{slot_id}"


def slot_id_of(event: dict[str, Any], acronym: str) -> str | None:
    """The slot id inside an event's slug (what an importer needs), or None for a foreign slug."""
    prefix = f"{acronym}-{event.get('id')}-"
    slug = event.get("slug") or ""
    return slug[len(prefix):] if slug.startswith(prefix) and len(slug) > len(prefix) else None


def person(constants: dict[str, Any], speaker: list[Any]) -> dict[str, Any]:
    """A pretalx-style person; the c3voc schema accepts it as a PretalxPerson (no integer id)."""
    ident, name, _, bio, page = speaker
    entry: dict[str, Any] = {
        "guid": guid(constants, f"speaker:{ident}"),
        "slug": ident,
        "name": name,
        "public_name": name,
        "biography": bio or "",
    }
    url = common.absolute(constants["base"], page)
    if url:
        entry["url"] = url
    return entry


def guid(constants: dict[str, Any], name: str) -> str:
    return str(uuid.uuid5(uuid.UUID(constants["namespace"]), name))


def event(constants: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
    """One slot as a frab event, in local time with its UTC offset (texts not yet defanged).

    A talk slot's abstract is the talk's, its description the joint work and
    the slot's notes; a break's or the dinner's abstract is its notes.
    """
    is_talk = record["talk"]
    description = ""
    if is_talk:
        parts = [common.joint_work_sentence(record["joint_work"]), record["notes"] or ""]
        description = "\n\n".join(part for part in parts if part)
    entry: dict[str, Any] = {
        "guid": guid(constants, f"slot:{record['id']}"),
        "id": record["number"],
        "date": record["start"],
        "start": dt.datetime.fromisoformat(record["start"]).strftime("%H:%M"),
    }
    if record["end"] is not None:
        entry["end"] = record["end"]
    entry |= {
        "duration": record["duration"],
        "room": record["room"],
        "slug": event_slug(constants["acronym"], record["number"], record["id"]),
        "url": common.absolute(constants["base"], record["page"]) or record["page"],
        "title": record["title"],  # "TBA" for a TBA talk: apps show its persons beside it
        "subtitle": record["subtitle"] or "",
        "track": record["track"] or "",
        "type": record["kind"],
        "language": common.LANGUAGE,
        "abstract": (record["abstract"] if is_talk else record["notes"]) or "",
        "description": description,
        "persons": [person(constants, speaker) for speaker in record["speakers"]],
        "links": [{"title": title, "url": url} for title, url in record["links"]],
    }
    return entry


def _defanged(value: Any) -> Any:
    """Every string of the feed without raw HTML: apps may render any field, titles included."""
    if isinstance(value, str):
        return markup.feed_markdown(value)
    if isinstance(value, dict):
        return {_defanged(key): _defanged(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_defanged(item) for item in value]
    return value


def _dumps(value: Any) -> str:
    """Compact JSON: without ``indent``, ``json`` runs its C encoder (ten times the pure-Python one)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _text(parent: ET.Element, tag: str, value: Any, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    element.text = "" if value is None else str(value)
    return element


def _is_http(url: str | None) -> bool:
    return bool(url) and url.startswith(("http://", "https://"))


def event_element(item: dict[str, Any]) -> ET.Element:
    """An event as frab XML (elements in the order frab and pretalx write them)."""
    element = ET.Element("event", {"guid": item["guid"], "id": str(item["id"])})
    for key in ("date", "start", "duration", "room", "slug"):
        _text(element, key, item[key])
    if _is_http(item["url"]):
        _text(element, "url", item["url"])
    _text(element, "title", item["title"])
    if item["subtitle"]:
        _text(element, "subtitle", item["subtitle"])
    for key in ("track", "type", "language", "abstract", "description"):
        _text(element, key, item[key])
    persons = ET.SubElement(element, "persons")
    for entry in item["persons"]:
        _text(persons, "person", entry["public_name"], guid=entry["guid"])
    links = ET.SubElement(element, "links")
    for link in item["links"]:
        _text(links, "link", link["title"], href=link["url"])
    return element


def event_fragment(constants: dict[str, Any], record: dict[str, Any]) -> tuple[bytes, bytes]:
    """A slot's frab JSON object and XML element (indented for its depth in schedule.xml), UTF-8."""
    item = _defanged(event(constants, record))
    element = event_element(item)
    ET.indent(element, space=INDENT, level=EVENT_LEVEL)
    return _dumps(item).encode("utf-8"), ET.tostring(element, encoding="utf-8")


def _encoded(data: dict[str, Any]) -> list[tuple[str, bytes]]:
    return [(key, _dumps(value).encode("utf-8")) for key, value in data.items()]


def _day(program_zone: dt.tzinfo, index: int, node: DayNode) -> dict[str, Any]:
    """A day's own fields: from its first start to its last end (midnight for a day without slots yet)."""
    empty = dt.datetime.combine(node.date, dt.time(0), tzinfo=program_zone)
    return {
        "index": index,
        "date": node.id,
        "day_start": min((slot.start for slot in node.slots), default=empty).isoformat(),
        "day_end": max((slot.end or slot.start for slot in node.slots), default=empty).isoformat(),
    }


def conference(feed: common.Feed) -> dict[str, Any]:
    """The conference's own fields, tracks and rooms (its days are spliced in by the caller)."""
    event_info = feed.program.event
    data: dict[str, Any] = {
        "acronym": feed.acronym,
        "title": event_info.name,
        **({"description": event_info.description} if event_info.description else {}),
        "start": event_info.start.isoformat(),
        "end": event_info.end.isoformat(),
        "daysCount": len(feed.program.days),
        "timeslot_duration": common.timeslot(feed.program),
        "time_zone_name": feed.program.zone.key,
    }
    if feed.base:
        data["url"] = feed.base
    data["tracks"] = [{"name": track.name, "slug": track.id, "color": track.color.lower()}
                      for track in feed.program.tracks.values()]
    data["rooms"] = [{"name": room.name, "slug": room.slug, "guid": common.room_guid(feed.program, room)}
                     for room in feed.rooms]
    return _defanged(data)


Days = list[tuple[dict[str, Any], dict[str, list[tuple[bytes, bytes]]]]]


def schedule_days(feed: common.Feed, events: dict[str, tuple[bytes, bytes]]) -> Days:
    """Each day's fields, and its events' (JSON, XML) by room name, rooms in conference order."""
    days = []
    for index, node in enumerate(feed.program.days, start=1):
        by_room: dict[str, list[tuple[bytes, bytes]]] = {room.name: [] for room in feed.rooms}
        for slot in node.slots:
            by_room[feed.room_of(slot).name].append(events[slot.id])
        days.append((_day(feed.program.zone, index, node), {name: found for name, found in by_room.items() if found}))
    return days


def _opening(data: dict[str, Any]) -> bytes:
    """An object's JSON text up to the member the caller adds last: its brace, its members, a comma."""
    members = b",".join(_dumps(key).encode("utf-8") + b":" + value for key, value in _encoded(data))
    return b"{" + members + b"," if members else b"{"


def _conference_text(head: dict[str, Any], days: Days) -> list[bytes]:
    """The conference object's JSON text in pieces, every event's text as it is (joined once, by the caller)."""
    pieces = [_opening(head), b'"days":[']
    for index, (fields, rooms) in enumerate(days):
        pieces += [b"," if index else b"", _opening(fields), b'"rooms":{']
        for number, (name, events) in enumerate(rooms.items()):
            pieces += [b"," if number else b"", _dumps(markup.feed_markdown(name)).encode("utf-8"), b":["]
            for place, (json_text, _) in enumerate(events):
                if place:
                    pieces.append(b",")
                pieces.append(json_text)
            pieces.append(b"]")
        pieces.append(b"}}")
    pieces.append(b"]}")
    return pieces


def schedule_json(feed: common.Feed, head: dict[str, Any], days: Days) -> tuple[bytes, str]:
    """``schedule.json``, and its ``version``: a hash of the document with an empty version.

    The document is the events' texts spliced into the frame once, and hashed piece by piece: at
    N = 10,000 (35 MB) nested joins copied it five times.
    """
    conference_text = _conference_text(head, days)
    tail = b',"base_url":' + _dumps(feed.base).encode("utf-8") if feed.base else b""

    def opening(version: str) -> bytes:
        return (b'{"$schema":' + _dumps(SCHEMA_URL).encode("utf-8") + b',"generator":'
                + _dumps({"name": common.GENERATOR}).encode("utf-8") + b',"schedule":{"version":'
                + _dumps(version).encode("utf-8") + b',"conference":')

    state = hashlib.sha256(opening(""))
    for piece in conference_text:
        state.update(piece)
    state.update(tail + b"}}")
    version = state.hexdigest()[:12]
    return b"".join([opening(version), *conference_text, tail, b"}}\n"]), version


def _tag(tag: str, attributes: dict[str, str]) -> str:
    return "<" + tag + "".join(f' {name}="{ET._escape_attrib(value)}"' for name, value in attributes.items())


def _leaf(tag: str, value: Any, **attributes: str) -> str:
    """An element with text and no children, as ElementTree writes it (``<tag />`` when the text is empty)."""
    text = "" if value is None else str(value)
    return _tag(tag, attributes) + (f">{ET._escape_cdata(text)}</{tag}>" if text else " />")


def schedule_xml(feed: common.Feed, head: dict[str, Any], days: Days, version: str) -> bytes:
    """The same schedule as frab XML, each event's text (indented for its depth) spliced into the frame.

    The frame is written as ``ElementTree`` writes it indented (``ET.indent`` with one space), byte for
    byte (``tests/test_feed_cache.py`` compares the two): building it as 12,000 elements cost 0.1 s at
    N = 10,000.
    """
    conference = [_leaf(key, head[key]) for key in ("title", "acronym", "start", "end")]
    conference += [_leaf("days", head["daysCount"]), _leaf("timeslot_duration", head["timeslot_duration"])]
    if feed.base:
        conference.append(_leaf("base_url", markup.feed_markdown(feed.base)))
    if "url" in head:
        conference.append(_leaf("url", head["url"]))
    conference.append(_leaf("time_zone_name", head["time_zone_name"]))
    for track in head["tracks"]:
        attributes = {"name": track["name"], "color": track["color"]}
        if track["slug"][:1].isalpha():  # the XML schema wants track slugs to start with a letter
            attributes["slug"] = track["slug"]
        conference.append(_leaf("track", track["name"], **attributes))
    text = ['<?xml version="1.0" encoding="utf-8"?>\n<schedule>\n ', _leaf("generator", None, name=common.GENERATOR),
            "\n ", _leaf("version", version), "\n <conference>\n  ", "\n  ".join(conference), "\n </conference>"]
    pieces: list[Any] = []
    guids = {room["name"]: room["guid"] for room in head["rooms"]}
    for fields, rooms in days:
        text.append("\n " + _tag("day", {"index": str(fields["index"]), "date": fields["date"],
                                          "start": fields["day_start"], "end": fields["day_end"]}))
        if not rooms:
            text.append(" />")
            continue
        text.append(">")
        for room_name, events in rooms.items():
            name = markup.feed_markdown(room_name)
            text.append("\n  " + _tag("room", {"name": name, "guid": guids[name]}) + (">" if events else " />"))
            for _, xml_text in events:
                text.append("\n   ")
                pieces += ["".join(text).encode("utf-8"), xml_text]
                text.clear()
            if events:
                text.append("\n  </room>")
        text.append("\n </day>")
    text.append("\n</schedule>\n")
    return b"".join([*pieces, "".join(text).encode("utf-8")])


def schedule_files(feed: common.Feed, events: dict[str, tuple[bytes, bytes]]) -> list[OutputFile]:
    """``schedule.json`` and ``schedule.xml`` from each slot's :func:`event_fragment` by slot id."""
    head = conference(feed)
    days = schedule_days(feed, events)
    json_bytes, version = schedule_json(feed, head, days)
    return [OutputFile("schedule.json", json_bytes), OutputFile("schedule.xml", schedule_xml(feed, head, days, version))]
