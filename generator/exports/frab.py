"""The frab/c3voc schedule (``schedule.json``, ``schedule.xml``) that pretalx publishes and apps read.

Giggity, ConfClerk and EventFahrplan read this format; the importer reads it
back. Both files are made from one dictionary (the JSON form), so they can
never disagree. Every slot is an event, breaks and meals included, with
``type`` set to the slot's kind, so an app shows the whole day.

Round-tripping: an event's ``slug`` is ``<acronym>-<number>-<slot id>`` (the
XML schema wants that shape, and a bare id like ``he`` is too short for it),
so the slot id (= the talk id for talk slots) is the slug without the
``<acronym>-<id>-`` prefix; ``guid`` is a uuid5 of the slot id. A person
carries ``guid`` (uuid5 of the speaker id), ``slug`` (the speaker id),
``name``/``public_name`` and ``biography`` (Markdown, as pretalx writes it);
a TBA talk is titled plain "TBA" (unlike the calendar, where the speaker's
name must go into the summary) so an importer recognises it;
``abstract`` is the talk's Markdown, ``date`` the local start with its offset.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import xml.etree.ElementTree as ET
from typing import Any

from ..link import DayNode, Program, SlotNode, SpeakerNode
from ..render import page_url
from ..write import OutputFile
from . import common

SCHEMA_URL = "https://c3voc.de/schedule/schema.json"


def event_slug(acronym: str, number: int, slot_id: str) -> str:
    return f"{acronym}-{number}-{slot_id}"


def slot_id_of(event: dict[str, Any], acronym: str) -> str | None:
    """The slot id inside an event's slug (what an importer needs), or None for a foreign slug."""
    prefix = f"{acronym}-{event.get('id')}-"
    slug = event.get("slug") or ""
    return slug[len(prefix):] if slug.startswith(prefix) and len(slug) > len(prefix) else None


def person(program: Program, speaker: SpeakerNode, base: str | None) -> dict[str, Any]:
    """A pretalx-style person; the c3voc schema accepts it as a PretalxPerson (no integer id)."""
    entry: dict[str, Any] = {
        "guid": common.speaker_guid(program, speaker),
        "slug": speaker.id,
        "name": speaker.name,
        "public_name": speaker.name,
        "biography": common.feed_markdown(speaker.bio),
    }
    url = common.absolute(base, page_url("speaker", speaker.id))
    if url:
        entry["url"] = url
    return entry


def abstract(slot: SlotNode) -> str | None:
    """The talk's abstract; for a break or the dinner, its notes."""
    return common.feed_markdown(slot.talk.abstract if slot.talk is not None else slot.notes)


def event_description(slot: SlotNode) -> str | None:
    """Joint work and the slot's notes, for talk slots (whose abstract is the talk's)."""
    if slot.talk is None:
        return None
    parts = [common.joint_work_sentence(slot.talk.joint_work), slot.notes or ""]
    return common.feed_markdown("\n\n".join(part for part in parts if part) or None)


def event(program: Program, slot: SlotNode, room: common.ScheduleRoom, number: int, base: str | None) -> dict[str, Any]:
    """One slot as a frab event, in local time with its UTC offset."""
    talk = slot.talk
    entry: dict[str, Any] = {
        "guid": common.slot_guid(program, slot),
        "id": number,
        "date": slot.start.isoformat(),
        "start": slot.start.strftime("%H:%M"),
    }
    if slot.end is not None:
        entry["end"] = slot.end.isoformat()
    entry |= {
        "duration": common.duration(slot),
        "room": room.name,
        "slug": event_slug(common.acronym(program), number, slot.id),
        "url": common.absolute(base, common.slot_page(slot)) or common.slot_page(slot),
        "title": slot.display_title,  # "TBA" for a TBA talk: apps show its persons beside it
        "subtitle": talk.subtitle if talk is not None else None,
        "track": slot.track.name if slot.track is not None else None,
        "type": slot.kind.value,
        "language": common.LANGUAGE,
        "abstract": abstract(slot),
        "description": event_description(slot),
        "persons": [person(program, speaker, base) for speaker in slot.speakers],
        "links": [{"title": link.label, "url": link.url} for link in (talk.links if talk is not None else [])],
    }
    return entry


def day(program: Program, index: int, node: DayNode, rooms: list[common.ScheduleRoom], numbers: dict[str, int],
        base: str | None) -> dict[str, Any]:
    """A day: from its first start to its last end, the rooms with events that day, in conference order."""
    by_room: dict[str, list[dict[str, Any]]] = {room.name: [] for room in rooms}
    for slot in node.slots:
        room = common.room_of(slot, rooms)
        by_room[room.name].append(event(program, slot, room, numbers[slot.id], base))
    starts = [slot.start for slot in node.slots]
    ends = [slot.end or slot.start for slot in node.slots]
    empty = dt.datetime.combine(node.date, dt.time(0), tzinfo=program.zone)  # a day with no slots yet
    first = min(starts, default=empty).isoformat()
    last = max(ends, default=empty).isoformat()
    return {
        "index": index,
        "date": node.id,
        "day_start": first,
        "day_end": last,
        "rooms": {name: events for name, events in by_room.items() if events},
    }


def schedule_dict(program: Program, base_url: str) -> dict[str, Any]:
    """The whole schedule in the c3voc JSON form; ``version`` is a hash of everything else."""
    base = common.absolute_base(program, base_url)
    rooms = common.schedule_rooms(program)
    numbers = common.slot_numbers(program)
    event_info = program.event
    conference: dict[str, Any] = {
        "acronym": common.acronym(program),
        "title": event_info.name,
        **({"description": common.feed_markdown(event_info.description)} if event_info.description else {}),
        "start": event_info.start.isoformat(),
        "end": event_info.end.isoformat(),
        "daysCount": len(program.days),
        "timeslot_duration": common.timeslot(program),
        "time_zone_name": program.zone.key,
    }
    if base:
        conference["url"] = base
    conference["tracks"] = [{"name": track.name, "slug": track.id, "color": track.color.lower()}
                            for track in program.tracks.values()]
    conference["rooms"] = [{"name": room.name, "slug": room.slug, "guid": common.room_guid(program, room)}
                           for room in rooms]
    conference["days"] = [day(program, index, node, rooms, numbers, base)
                          for index, node in enumerate(program.days, start=1)]
    schedule: dict[str, Any] = {"version": "", "conference": conference}
    if base:
        schedule["base_url"] = base
    schedule["version"] = hashlib.sha256(_dumps(schedule).encode("utf-8")).hexdigest()[:12]
    return {"$schema": SCHEMA_URL, "generator": {"name": common.GENERATOR}, "schedule": schedule}


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1)


def _text(parent: ET.Element, tag: str, value: Any, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    element.text = "" if value is None else str(value)
    return element


def _is_http(url: str | None) -> bool:
    return bool(url) and url.startswith(("http://", "https://"))


def schedule_xml(data: dict[str, Any]) -> bytes:
    """The same schedule as frab XML (elements in the order frab and pretalx write them)."""
    schedule = data["schedule"]
    conference = schedule["conference"]
    root = ET.Element("schedule")
    ET.SubElement(root, "generator", {"name": data["generator"]["name"]})
    _text(root, "version", schedule["version"])
    conf = ET.SubElement(root, "conference")
    for key in ("title", "acronym", "start", "end"):
        _text(conf, key, conference[key])
    _text(conf, "days", conference["daysCount"])
    _text(conf, "timeslot_duration", conference["timeslot_duration"])
    if "base_url" in schedule:
        _text(conf, "base_url", schedule["base_url"])
    if "url" in conference:
        _text(conf, "url", conference["url"])
    _text(conf, "time_zone_name", conference["time_zone_name"])
    for track in conference["tracks"]:
        attributes = {"name": track["name"], "color": track["color"]}
        if track["slug"][:1].isalpha():  # the XML schema wants track slugs to start with a letter
            attributes["slug"] = track["slug"]
        _text(conf, "track", track["name"], **attributes)
    guids = {room["name"]: room["guid"] for room in conference["rooms"]}
    for day_data in conference["days"]:
        day_element = ET.SubElement(root, "day", {"index": str(day_data["index"]), "date": day_data["date"],
                                                  "start": day_data["day_start"], "end": day_data["day_end"]})
        for room_name, events in day_data["rooms"].items():
            room_element = ET.SubElement(day_element, "room", {"name": room_name, "guid": guids[room_name]})
            for item in events:
                _event_xml(room_element, item)
    ET.indent(root, space=" ")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False) + b"\n"


def _event_xml(parent: ET.Element, item: dict[str, Any]) -> None:
    element = ET.SubElement(parent, "event", {"guid": item["guid"], "id": str(item["id"])})
    for key in ("date", "start", "duration", "room", "slug"):
        _text(element, key, item[key])
    if _is_http(item["url"]):
        _text(element, "url", item["url"])
    _text(element, "title", item["title"])
    if item["subtitle"] is not None:
        _text(element, "subtitle", item["subtitle"])
    for key in ("track", "type", "language", "abstract", "description"):
        _text(element, key, item[key])
    persons = ET.SubElement(element, "persons")
    for entry in item["persons"]:
        _text(persons, "person", entry["public_name"], guid=entry["guid"])
    links = ET.SubElement(element, "links")
    for link in item["links"]:
        _text(links, "link", link["title"], href=link["url"])


def _defanged(value: Any) -> Any:
    """Every string of the feed without raw HTML: apps may render any field, titles included."""
    if isinstance(value, str):
        return common.feed_markdown(value)
    if isinstance(value, dict):
        return {_defanged(key): _defanged(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_defanged(item) for item in value]
    return value


def schedule_files(program: Program, base_url: str) -> list[OutputFile]:
    """``schedule.json`` and ``schedule.xml``, byte-for-byte the same for the same content."""
    data = _defanged(schedule_dict(program, base_url))
    return [OutputFile("schedule.json", (_dumps(data) + "\n").encode("utf-8")),
            OutputFile("schedule.xml", schedule_xml(data))]
