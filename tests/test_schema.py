"""`symposium schema`: the committed JSON Schemas match the models and accept the real content."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from generator.cli import main
from generator.commands.schema import CONTENT_GLOBS, build_schemas, render_schema
from generator.content.load import parse_yaml
from generator.core.diagnostics import Diagnostics

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "schema"


def _load(path: Path):
    """Content as the generator reads it (dates and times stay strings, as in the editor)."""
    document = parse_yaml(path, Diagnostics())
    assert document is not None, path
    return document.data


@pytest.mark.parametrize("name", sorted(build_schemas()))
def test_committed_schema_matches_the_models(name):
    shipped = SHIPPED / f"{name}.schema.json"
    assert shipped.is_file(), f"schema/{name}.schema.json is missing: run `symposium schema`"
    assert shipped.read_text(encoding="utf-8") == render_schema(build_schemas()[name]), (
        f"schema/{name}.schema.json is out of date with generator/models.py: run `symposium schema`")


def test_schema_command_writes_one_file_per_content_kind(tmp_path, capsys):
    assert main(["schema", "--out", str(tmp_path / "out")]) == 0
    written = sorted(path.name for path in (tmp_path / "out").iterdir())
    assert {"event.schema.json", "venues.schema.json", "day.schema.json", "talk.schema.json",
            "speaker.schema.json"} <= set(written)
    assert all(f"{name}.schema.json" in written for name in build_schemas())
    assert "wrote" in capsys.readouterr().out


@pytest.mark.parametrize("name", ["event", "venues", "day", "talk", "speaker"])
def test_every_shipped_content_file_validates_against_its_schema(name):
    schema = json.loads((SHIPPED / f"{name}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    files = sorted(ROOT.glob(CONTENT_GLOBS[name]))
    assert files
    for path in files:
        errors = [f"{path.name}: {'/'.join(map(str, error.path))}: {error.message}"
                  for error in validator.iter_errors(_load(path))]
        assert not errors, errors


def test_schema_catches_a_misspelt_key_and_a_bad_time():
    validator = jsonschema.Draft202012Validator(json.loads((SHIPPED / "day.schema.json").read_text()))
    day = {"date": "2026-05-06", "slots": [{"start": "9.00", "kind": "break", "titel": "Coffee"}]}
    messages = [error.message for error in validator.iter_errors(day)]
    assert any("titel" in message for message in messages)
    assert any("9.00" in message for message in messages)


def test_author_may_be_a_plain_name_with_an_equal_contribution_star():
    validator = jsonschema.Draft202012Validator(json.loads((SHIPPED / "speaker.schema.json").read_text()))
    speaker = {"name": "A B", "publications": [{"title": "T", "authors": ["Jane Doe*", {"name": "John Roe"}]}]}
    assert list(validator.iter_errors(speaker)) == []


def test_vscode_settings_map_every_schema_to_its_content_files():
    settings = json.loads((ROOT / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    mapping = settings["yaml.schemas"]
    for name in build_schemas():
        assert mapping[f"./schema/{name}.schema.json"] == CONTENT_GLOBS[name]
        assert (SHIPPED / f"{name}.schema.json").is_file()
