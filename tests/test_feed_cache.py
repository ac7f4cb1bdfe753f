"""The feeds' fragment cache in shards, the schedule assembled once, and feeds handed to the build as made.

An edit rewrites the one shard holding its slot, a damaged shard costs only its own slots,
and the feeds are the same bytes whatever the cache held and however they are handed over.
"""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import generator.exports
from generator.content import markup
from generator.content.pipeline import load_program
from generator.exports import export_files, frab, slot_fragment
from generator.exports.common import Feed, slot_record
from generator.exports.fragments import SHARDS, read_fragments, shard_of


def _synthetic(tmp_path: Path, talks: int) -> Path:
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("bench_synth_feed_cache",
                                                  Path(__file__).resolve().parent.parent / "benchmarks" / "synth.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    content, _ = module.write_both(talks, tmp_path / "synth", seed=3)
    return content


def _exported(program, cache: Path | None) -> dict[str, bytes]:
    return {file.path: file.content for file in export_files(program, "https://example.org/", cache)}


def _shards(cache: Path) -> dict[str, tuple[int, int]]:
    return {path.name: (path.stat().st_ino, path.stat().st_mtime_ns)
            for path in sorted((cache.parent / f"{cache.name}.d").glob("*.bin"))}


@pytest.fixture()
def serialized(monkeypatch) -> list[str]:
    made: list[str] = []
    real = generator.exports.slot_fragment
    monkeypatch.setattr(generator.exports, "slot_fragment",
                        lambda constants, record: made.append(record["id"]) or real(constants, record))
    return made


def test_an_edit_rewrites_only_the_shard_of_its_slot(tmp_path: Path, serialized: list[str]) -> None:
    content = _synthetic(tmp_path, 60)
    cache = tmp_path / "exports.fragments"
    program = load_program(content)
    cold = _exported(program, None)
    assert _exported(program, cache) == cold
    assert len(_shards(cache)) > SHARDS // 2, "the slots are spread over the shards"
    before = _shards(cache)
    talk = sorted((content / "talks").glob("*.yaml"))[7]
    data = yaml.safe_load(talk.read_text(encoding="utf-8"))
    data["abstract"] = "A *new* abstract."
    talk.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    serialized.clear()
    edited = load_program(content)
    rebuilt = _exported(edited, cache)
    assert serialized == [talk.stem]
    assert rebuilt == _exported(edited, None)
    after = _shards(cache)
    changed = {name for name in after if after[name] != before.get(name)}
    assert changed == {f"{shard_of(talk.stem):02d}.bin"}
    serialized.clear()
    assert _exported(edited, cache) == rebuilt
    assert serialized == []
    assert len(set(read_fragments(cache).values())) == len(edited.slots)


def test_a_damaged_shard_costs_only_its_own_slots(tmp_path: Path, serialized: list[str]) -> None:
    content = _synthetic(tmp_path, 30)
    cache = tmp_path / "exports.fragments"
    program = load_program(content)
    cold = _exported(program, cache)
    shard = sorted((cache.parent / f"{cache.name}.d").glob("*.bin"))[0]
    data = bytearray(shard.read_bytes())
    data[-1] ^= 0x01
    shard.write_bytes(bytes(data))
    serialized.clear()
    again = _exported(program, cache)
    number = int(shard.stem)
    assert sorted(serialized) == sorted(slot.id for slot in program.slots if shard_of(slot.id) == number)
    assert again == cold
    serialized.clear()
    assert _exported(program, cache) == cold and serialized == []


def test_feeds_handed_over_as_made_are_the_same_files_in_the_same_order(tmp_path: Path) -> None:
    content = _synthetic(tmp_path, 20)
    program = load_program(content)
    files = export_files(program, "/", tmp_path / "cache")
    seen: list[tuple[str, bytes]] = []
    handed = export_files(program, "/", tmp_path / "cache", put=lambda path, data: seen.append((path, bytes(data)))
                          or path)
    assert handed == [file.path for file in files]
    assert seen == [(file.path, file.content) for file in files]


def test_the_schedule_version_is_the_hash_of_the_document_without_one(tmp_path: Path) -> None:
    content = _synthetic(tmp_path, 20)
    for cache in (None, tmp_path / "cache", tmp_path / "cache"):
        files = _exported(load_program(content), cache)
        text = files["schedule.json"]
        version = json.loads(text)["schedule"]["version"]
        blank = text.replace(f'"version":"{version}"'.encode(), b'"version":""', 1)
        assert blank.endswith(b"}}\n") and version == hashlib.sha256(blank[:-1]).hexdigest()[:12]
        assert f"<version>{version}</version>".encode() in files["schedule.xml"]


# ----------------------------------------------------------------- schedule.xml's frame, as ElementTree writes it


def _xml_by_elementtree(feed, head, days, version) -> bytes:
    """schedule.xml as the exports wrote it before: ElementTree writes the frame, the events' text goes in its place."""
    root = ET.Element("schedule")
    ET.SubElement(root, "generator", {"name": "symposium-site"})
    frab._text(root, "version", version)
    conf = ET.SubElement(root, "conference")
    for key in ("title", "acronym", "start", "end"):
        frab._text(conf, key, head[key])
    frab._text(conf, "days", head["daysCount"])
    frab._text(conf, "timeslot_duration", head["timeslot_duration"])
    if feed.base:
        frab._text(conf, "base_url", markup.feed_markdown(feed.base))
    if "url" in head:
        frab._text(conf, "url", head["url"])
    frab._text(conf, "time_zone_name", head["time_zone_name"])
    for track in head["tracks"]:
        attributes = {"name": track["name"], "color": track["color"]}
        if track["slug"][:1].isalpha():
            attributes["slug"] = track["slug"]
        frab._text(conf, "track", track["name"], **attributes)
    guids = {room["name"]: room["guid"] for room in head["rooms"]}
    texts = []
    for fields, rooms in days:
        day_element = ET.SubElement(root, "day", {"index": str(fields["index"]), "date": fields["date"],
                                                  "start": fields["day_start"], "end": fields["day_end"]})
        for room_name, events in rooms.items():
            name = markup.feed_markdown(room_name)
            room_element = ET.SubElement(day_element, "room", {"name": name, "guid": guids[name]})
            for _, xml_text in events:
                room_element.append(ET.Comment("event"))
                texts.append(xml_text)
    ET.indent(root, space=" ")
    frame = ET.tostring(root, encoding="utf-8").split(b"<!--event-->")
    body = b"".join(part for pair in zip(frame, [*texts, b""]) for part in pair)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body + b"\n"


def _parts(program, base_url: str):
    feed = Feed.of(program, base_url)
    events = {slot.id: slot_fragment(feed.constants, slot_record(feed, slot))[2:] for slot in program.slots}
    return feed, frab.conference(feed), frab.schedule_days(feed, events)


@pytest.mark.parametrize("where", ["content", "synthetic"])
@pytest.mark.parametrize("base_url", ["/", "https://example.org/sym/"])
def test_the_xml_frame_is_what_elementtree_writes(tmp_path: Path, where: str, base_url: str) -> None:
    root = Path(__file__).resolve().parent.parent / "content" if where == "content" else _synthetic(tmp_path, 25)
    feed, head, days = _parts(load_program(root), base_url)
    for version in ("", "0123abcd4567"):
        assert frab.schedule_xml(feed, head, days, version) == _xml_by_elementtree(feed, head, days, version)


_TEXT = st.text(st.sampled_from("ab &<>\"'\t\r\n\u00e9\u2014\U0001f600;:=/"), max_size=12)


@given(title=_TEXT, rooms=st.lists(_TEXT.filter(bool), min_size=0, max_size=3, unique=True),
       tracks=st.lists(st.tuples(_TEXT, _TEXT), max_size=3), counts=st.lists(st.integers(0, 3), max_size=4),
       url=st.booleans(), base=st.sampled_from([None, "https://x.example/?a=1&b=<2>"]))
@settings(max_examples=200, derandomize=True, database=None, deadline=None)
def test_the_xml_frame_matches_elementtree_on_any_text(title, rooms, tracks, counts, url, base) -> None:
    head = {"title": title, "acronym": "a&b", "start": "2026-01-01", "end": "2026-01-02", "daysCount": len(counts),
            "timeslot_duration": "00:05", "time_zone_name": "Europe/Stockholm",
            "tracks": [{"name": name, "color": "#aabbcc", "slug": slug} for name, slug in tracks],
            "rooms": [{"name": markup.feed_markdown(name), "guid": f"g-{index}"} for index, name in enumerate(rooms)]}
    if url:
        head["url"] = "https://example.org/<x>"
    days = []
    for index, count in enumerate(counts, start=1):
        by_room = {name: [(b"{}", f"<event n='{index}.{k}'>\n    <x/>\n   </event>".encode()) for k in range(count)]
                   for name in rooms[:count]}
        days.append(({"index": index, "date": f"2026-01-0{index}", "day_start": "s\"<", "day_end": "e\n"},
                     {name: events for name, events in by_room.items() if events}))
    feed = SimpleNamespace(base=base)
    assert frab.schedule_xml(feed, head, days, "v1") == _xml_by_elementtree(feed, head, days, "v1")
