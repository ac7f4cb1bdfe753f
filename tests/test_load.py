"""Loading: the fast path reads what the careful path reads, and positions come when a message needs them.

A common, valid file is built without recording positions (load.py's fast
path); anything unusual goes through the careful path, which records the line
and column of every value and reports problems. These tests hold the two paths
to the same data and the same messages: on every case of the bad-content
corpus, on valid trees, and on random YAML.
"""

from __future__ import annotations

import gc
import importlib.util
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_bad_content import CASES, make_tree

from generator.content import load, yaml_tree
from generator.content.load import (
    SourceChanged,
    SourceDocument,
    load_content,
    parse_yaml,
    source_digest,
)
from generator.content.pipeline import load_program
from generator.content.validate import validate_content
from generator.core.diagnostics import ContentError, Diagnostics

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "tests" / "bad_content" / "base"


def _synth():
    spec = importlib.util.spec_from_file_location("bench_synth_for_load", ROOT / "benchmarks" / "synth.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def outcome(content: Path) -> str:
    """What `symposium check` would report, or a summary of the program."""
    try:
        program = load_program(content)
    except ContentError as error:
        return str(error)
    return f"ok: {len(program.slots)} slots, {len(program.talks)} talks, {len(program.speakers)} speakers"


def loaded(content: Path) -> dict[str, Any]:
    """The data of every loaded file, by path."""
    files = load_content(content, Diagnostics(root=content))
    documents = [files.event, files.venues, files.figures, *files.days, *files.talks, *files.speakers]
    return {str(document.path): document.data for document in documents if document is not None}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_fast_and_careful_loading_report_the_same_for_every_corpus_case(case: dict[str, Any], tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    content = make_tree(tmp_path, case)
    fast = outcome(content), loaded(content)
    monkeypatch.setattr(load, "_FLAT_ENOUGH", 0)
    careful = outcome(content), loaded(content)
    assert fast == careful


def test_the_fast_path_reads_common_files_and_keeps_no_positions() -> None:
    for path in sorted(BASE.rglob("*.yaml")):
        document = parse_yaml(path, Diagnostics())
        assert document is not None and document.positions is None, path


def test_a_valid_synthetic_tree_loads_and_validates_the_same_both_ways(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    synth = _synth()
    content = synth.write_content(synth.generate(30, seed=3), tmp_path / "synth")
    fast = loaded(content)
    fast_models = validate_content(load_content(content, Diagnostics()), Diagnostics())
    monkeypatch.setattr(load, "_FLAT_ENOUGH", 0)
    assert loaded(content) == fast
    careful_models = validate_content(load_content(content, Diagnostics()), Diagnostics())
    assert [talk.model for talk in careful_models.talks] == [talk.model for talk in fast_models.talks]
    assert [speaker.model for speaker in careful_models.speakers] == [speaker.model for speaker in fast_models.speakers]


def _careful(path: Path) -> tuple[Any, dict, dict]:
    parsed = load._careful_parse(path, path.read_text(encoding="utf-8-sig"), Diagnostics())
    assert parsed is not None
    return parsed


@pytest.mark.parametrize("root", [BASE, ROOT / "content"], ids=["corpus-base", "real-content"])
def test_positions_found_later_equal_those_recorded_while_reading(root: Path) -> None:
    for path in sorted(root.rglob("*.yaml")):
        document = parse_yaml(path, Diagnostics())
        data, positions, key_positions = _careful(path)
        assert document is not None and document.data == data
        for loc, place in positions.items():
            assert document.position(loc) == place, (path, loc)
        for loc, place in key_positions.items():
            assert document.position(loc, key=True) == place, (path, loc)


def cached_document(tmp_path: Path) -> tuple[Path, bytes, SourceDocument]:
    """A copy of a content file and a document made from its data, the way the build's cache makes one."""
    path = tmp_path / "first-talk.yaml"
    shutil.copy(BASE / "talks" / "first-talk.yaml", path)
    raw = path.read_bytes()
    return path, raw, SourceDocument.from_data(path, yaml.safe_load(raw), source_digest(raw))


def test_a_document_made_from_cached_data_finds_its_positions_when_asked(tmp_path: Path) -> None:
    path, _, document = cached_document(tmp_path)
    _, positions, _ = _careful(path)
    assert document.position(("speakers", 0)) == positions[("speakers", 0)]
    assert document.position(("speakers", 7, "nothing")) == positions[("speakers",)]


def test_positions_in_a_file_changed_since_it_was_read_are_refused_not_guessed(tmp_path: Path) -> None:
    path, raw, document = cached_document(tmp_path)
    path.write_bytes(b"title: Something else entirely\n" + raw)
    with pytest.raises(SourceChanged) as raised:
        document.position(("title",))
    assert "the file changed while it was being read" in str(raised.value)
    assert isinstance(raised.value, ContentError)  # reported like any content problem: no traceback


def test_a_comment_added_since_reading_moves_the_positions_with_it(tmp_path: Path) -> None:
    path, raw, document = cached_document(tmp_path)
    path.write_bytes(b"# a new first line\n" + raw)
    assert document.position(("title",)) == (2, 8)


def test_a_file_with_more_structure_than_the_fast_path_takes_reads_the_same(tmp_path: Path) -> None:
    path = tmp_path / "many.yaml"
    path.write_text("name: Many\naffiliations:\n" + "".join(f"  - 'Place {i}: a-b'\n" for i in range(2000)),
                    encoding="utf-8")
    document = parse_yaml(path, Diagnostics())
    assert document is not None and document.positions is not None  # over the bound: read carefully
    assert document.data["affiliations"][1999] == "Place 1999: a-b"
    assert document.data == _careful(path)[0]


def test_loading_and_validating_leave_the_cycle_collector_as_they_found_it(tmp_path: Path) -> None:
    assert gc.isenabled()
    validate_content(load_content(BASE, Diagnostics()), Diagnostics())
    assert gc.isenabled()
    gc.disable()
    try:
        validate_content(load_content(BASE, Diagnostics()), Diagnostics())
        assert not gc.isenabled()
    finally:
        gc.enable()


# Random YAML: values dumped by PyYAML, then decorated with what the fast path must hand over.
_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                     st.text(st.characters(blacklist_categories=("Cs",)), max_size=8),
                     st.sampled_from(["08:30", "1:2:3", "yes", "No", "~", "0x1f", "017", "1_000", ".inf", "1e3",
                                      "2026-05-05", "2026-05-05 10:00", "<<", "=", "!", "&a", "*a", "- x", "[a]"]))
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=3)
                       | st.dictionaries(st.text(max_size=4) | st.sampled_from(["<<", "a", "b"]), inner, max_size=3),
                       max_leaves=10)
_decorations = st.sampled_from(["", "x: &a [1, 2]\ny: *a\n", "base: &b {k: 1}\nmore:\n  <<: *b\n  j: 2\n",
                                "k: !!str 12\n", "k: !!binary aGVsbG8=\n", "k: !local x\n", "k: 1\nk: 2\n",
                                "? [a]\n: b\n", "k: '08:30'\nj: 08:30\n", "k: !!int '3'\n", "k: ! 12\n",
                                "k: &s text\nj: *s\n", "k: !!float 1\n", "k: {a: 1, a: 2}\n", "k: [[[[[]]]]]\n"])


@settings(max_examples=300, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(_values, _decorations)
def test_random_yaml_reads_the_same_on_the_fast_and_the_careful_path(value: Any, decoration: str) -> None:
    text = yaml.safe_dump(value, allow_unicode=True)
    if isinstance(value, dict) or value is None:
        text = decoration + (text if isinstance(value, dict) and value else "")
    if not text.strip():
        return
    diagnostics = Diagnostics()
    careful = load._careful_parse(Path("random.yaml"), text, diagnostics)
    try:
        fast = yaml_tree.plain_data(yaml.compose(text, Loader=yaml_tree.Loader))
    except (yaml_tree.Unusual, yaml.YAMLError):
        return  # handed to the careful path: nothing to compare
    assert careful is not None and not diagnostics, text
    assert fast == careful[0], text
