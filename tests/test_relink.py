"""A program relinked from the last one (content/relink.py, content/snapshot.py) equals one linked afresh.

A build reuses the program an earlier build linked (from ``.cache/content/program.bin`` in a
new process, from memory in ``serve``) when only copied fields of talks and speakers changed.
Whatever was edited, the program it hands on must be the one linking every file gives.
"""

from __future__ import annotations

import dataclasses
import enum
import shutil
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml
from pydantic import BaseModel

import generator.content.pipeline as pipeline
from generator.content.graph import Program
from generator.content.pipeline import BuildMemory, load_program
from generator.content.snapshot import NAME

BASE = Path(__file__).resolve().parent / "bad_content" / "base"
_NODES = ("RoomNode", "VenueNode", "SpeakerNode", "TalkNode", "SlotNode", "DayNode")


def shape(value: Any, top: bool = True) -> Any:
    """Everything a program holds, as plain data: nodes inside nodes by their kind and id, so cycles end."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        name = type(value).__name__
        if name in _NODES and not top:
            return (name, value.id)
        return (name, {field.name: shape(getattr(value, field.name), False)
                       for field in dataclasses.fields(value)})
    if isinstance(value, BaseModel):
        return (type(value).__name__, sorted(value.model_fields_set), shape(dict(value), False))
    if isinstance(value, dict):
        return {key: shape(item, False) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [shape(item, False) for item in value]
    if isinstance(value, (str, int, float, bool, type(None), enum.Enum)):
        return value
    return repr(value)


def program_shape(program: Program) -> dict[str, Any]:
    return {"program": shape(program),
            "talks": [shape(node) for node in program.talks.values()],
            "speakers": [shape(node) for node in program.speakers.values()],
            "slots": [shape(node) for node in program.slots],
            "days": [shape(node) for node in program.days],
            "venues": [shape(node) for node in program.venues.values()],
            "rooms": [shape(node) for node in program.rooms]}


def _synthetic(tmp_path: Path, talks: int) -> Path:
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("bench_synth_relink",
                                                  Path(__file__).resolve().parent.parent / "benchmarks" / "synth.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    content, _ = module.write_both(talks, tmp_path / "synth", seed=5)
    return content


def _yaml_edit(path: Path, change: Callable[[dict], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture
def links(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records each time the whole program is linked (rather than relinked)."""
    calls: list[str] = []
    real = pipeline.link_content
    monkeypatch.setattr(pipeline, "link_content", lambda content, root, diagnostics: calls.append(str(root))
                        or real(content, root, diagnostics))
    return calls


def _edits(content: Path) -> list[tuple[str, bool, Callable[[], None]]]:
    """(what, whether the last program can be reused, the edit)."""
    talks = sorted((content / "talks").glob("*.yaml"))
    speakers = sorted((content / "speakers").glob("*.yaml"))
    day = sorted((content / "program").glob("*.yaml"))[0]
    shared = next(path for path in talks if len(yaml.safe_load(path.read_text(encoding="utf-8"))["speakers"]) > 1)
    return [
        ("an abstract", True, lambda: _yaml_edit(talks[0], lambda d: d.update(abstract="Only *this* changed."))),
        ("the same abstract again", True, lambda: _yaml_edit(talks[0], lambda d: d.update(abstract="Again."))),
        ("a title", True, lambda: _yaml_edit(talks[1], lambda d: d.update(title="A Retitled Talk"))),
        ("a subtitle and links", True, lambda: _yaml_edit(talks[2], lambda d: d.update(
            subtitle="Now with a subtitle", links=[{"label": "Slides", "url": "https://example.org/s.pdf"}]))),
        ("joint work", True, lambda: _yaml_edit(talks[3], lambda d: d.update(joint_work=["A. Person"]))),
        ("a biography", True, lambda: _yaml_edit(speakers[1], lambda d: d.update(bio="A new *biography*."))),
        ("an affiliation", True, lambda: _yaml_edit(speakers[2], lambda d: d.update(affiliations=["Institute X"]))),
        ("a publication", True, lambda: _yaml_edit(speakers[3], lambda d: d.update(
            publications=[{"title": "A Fresh Paper", "authors": ["Renamed Person*", "B. Other"], "year": 2025}]))),
        ("two files at once", True, lambda: (_yaml_edit(talks[4], lambda d: d.update(abstract="Four.")),
                                             _yaml_edit(speakers[4], lambda d: d.update(position="Dean")))),
        ("a speaker's name", False, lambda: _yaml_edit(speakers[0], lambda d: d.update(name="Renamed Person"))),
        ("a speaker's family name", False, lambda: _yaml_edit(speakers[5], lambda d: d.update(family_name="Zed"))),
        ("a talk's speakers", False, lambda: _yaml_edit(shared, lambda d: d.update(speakers=d["speakers"][:1]))),
        ("an abstract after that", True, lambda: _yaml_edit(talks[6], lambda d: d.update(abstract="After."))),
        ("a slot's time", False, lambda: day.write_text(day.read_text(encoding="utf-8").replace(
            'start: "09:00"', 'start: "08:55"', 1), encoding="utf-8")),
        ("the event's name", False, lambda: _yaml_edit(content / "event.yaml", lambda d: d.update(name="Renamed"))),
        ("a new talk file", False, lambda: shutil.copy(talks[7], content / "talks" / "zz-unscheduled.yaml")),
        ("a deleted talk file", False, lambda: (content / "talks" / "zz-unscheduled.yaml").unlink()),
        ("an abstract at last", True, lambda: _yaml_edit(talks[8], lambda d: d.update(abstract="Last."))),
    ]


@pytest.mark.parametrize("serving", [False, True], ids=["new process", "serving process"])
def test_after_each_kind_of_edit_the_program_is_the_one_linking_every_file_gives(
        tmp_path: Path, links: list[str], serving: bool) -> None:
    content = _synthetic(tmp_path, 30)
    cache = tmp_path / "cache"
    memory = BuildMemory() if serving else None
    load_program(content, cache, memory=memory)
    assert (cache / NAME).is_file()
    for what, reused, change in _edits(content):
        change()
        links.clear()
        program = load_program(content, cache, memory=memory)
        assert bool(links) != reused, f"after editing {what}, the program was {'not ' * reused}linked again"
        assert program_shape(program) == program_shape(load_program(content)), f"after editing {what}"
        fresh = load_program(content, tmp_path / f"fresh-{what}")
        assert program.digests == fresh.digests, f"after editing {what}"


def test_a_file_with_a_warning_is_linked_again_so_the_warning_moves_with_it(tmp_path: Path, links: list[str]) -> None:
    """Warnings carry a line: an edit of a file that has one may move it, so the program is linked again."""
    content = tmp_path / "content"
    shutil.copytree(BASE, content)
    orphan = content / "talks" / "orphan-talk.yaml"
    orphan.write_text("title: Nobody Schedules Me\nspeakers: [alan-turing]\nabstract: |\n  Short.\n", encoding="utf-8")
    cache = tmp_path / "cache"
    first = load_program(content, cache)
    assert any("orphan-talk" in problem.file for problem in first.warnings)
    orphan.write_text("title: Nobody Schedules Me\nspeakers: [alan-turing]\nabstract: |\n  Now\n  longer.\n",
                      encoding="utf-8")
    links.clear()
    program = load_program(content, cache)
    assert links, "a warned file's edit was relinked"
    assert program.warnings == load_program(content).warnings
    (content / "talks" / "first-talk.yaml").write_text(
        (content / "talks" / "first-talk.yaml").read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    links.clear()
    program = load_program(content, cache)
    assert not links
    assert program_shape(program) == program_shape(load_program(content))


def test_an_edit_with_an_error_is_reported_as_without_the_last_program(tmp_path: Path) -> None:
    from generator.core.diagnostics import ContentError

    content = _synthetic(tmp_path, 10)
    cache = tmp_path / "cache"
    memory = BuildMemory()
    load_program(content, cache, memory=memory)
    talk = sorted((content / "talks").glob("*.yaml"))[0]
    talk.write_text(talk.read_text(encoding="utf-8").replace("abstract: |\n", "abstract: |\n  \u200f\n", 1),
                    encoding="utf-8")
    with pytest.raises(ContentError) as fresh:
        load_program(content)
    for where in (None, memory):
        with pytest.raises(ContentError) as raised:
            load_program(content, cache, memory=where)
        assert str(raised.value) == str(fresh.value)


@pytest.mark.parametrize("damage", ["flipped", "truncated", "garbage"])
def test_a_damaged_snapshot_is_ignored(tmp_path: Path, links: list[str], damage: str) -> None:
    content = _synthetic(tmp_path, 10)
    cache = tmp_path / "cache"
    load_program(content, cache)
    snapshot = cache / NAME
    data = bytearray(snapshot.read_bytes())
    if damage == "flipped":
        data[-3] ^= 0x10
    elif damage == "truncated":
        data = data[: len(data) // 2]
    else:
        data = bytearray(b"\x80\x05garbage" * 10)
    snapshot.write_bytes(bytes(data))
    talk = sorted((content / "talks").glob("*.yaml"))[0]
    _yaml_edit(talk, lambda d: d.update(abstract="Changed."))
    links.clear()
    program = load_program(content, cache)
    assert links
    assert program_shape(program) == program_shape(load_program(content))


def test_a_snapshot_of_other_code_or_another_folder_is_not_used(tmp_path: Path, links: list[str],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import generator.content.cache

    content = _synthetic(tmp_path, 10)
    cache = tmp_path / "cache"
    load_program(content, cache)
    moved = tmp_path / "moved"
    shutil.copytree(content, moved)
    links.clear()
    assert load_program(moved, cache).content_root == moved
    assert links, "a program linked from another folder was reused"
    load_program(content, cache)
    links.clear()
    monkeypatch.setattr(generator.content.cache, "FORMAT", generator.content.cache.FORMAT + "-other-parser")
    load_program(content, cache)
    assert links, "a program linked by other code was reused"


def test_reusing_the_program_keeps_the_content_cache_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A relinked build reads only the edited files, and must not drop the others from the content cache."""
    content = _synthetic(tmp_path, 20)
    cache = tmp_path / "cache"
    load_program(content, cache)
    talks = sorted((content / "talks").glob("*.yaml"))
    for talk in talks[:3]:
        _yaml_edit(talk, lambda d: d.update(abstract="Edited."))
        load_program(content, cache)
    parsed: list[str] = []
    real = pipeline.parse_yaml
    monkeypatch.setattr(pipeline, "parse_yaml", lambda path, diagnostics, raw=None:
                        parsed.append(path.name) or real(path, diagnostics, raw=raw))
    _yaml_edit(content / "event.yaml", lambda d: d.update(name="Renamed"))
    load_program(content, cache)
    assert parsed == ["event.yaml"]
