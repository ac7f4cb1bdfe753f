"""The feeds' fragment cache in shards, the schedule assembled once, and feeds handed to the build as made.

An edit rewrites the one shard holding its slot, a damaged shard costs only its own slots,
and the feeds are the same bytes whatever the cache held and however they are handed over.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import yaml

import generator.exports
from generator.content.pipeline import load_program
from generator.exports import export_files
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
