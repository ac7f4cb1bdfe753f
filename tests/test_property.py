"""Property: whatever the content, `symposium check` accepts it or explains every problem on one line.

Hypothesis starts from the small valid tree in tests/bad_content/base/ and
applies random mutations: random bytes, random YAML values (odd Unicode
included) under known or random keys, deleted and duplicated keys, values
swapped between types, text spliced into a file, new files with odd names.
For every example the command must exit 0 (with one-line warnings, if any), or exit 1 with every error line
shaped ``content/FILE:LINE:COL: error: MESSAGE``; never a traceback or a
hang. A second property builds trees with odd but visible text in free-text fields and
requires that whatever `check` accepts also builds. ``derandomize=True`` makes the
examples the same on every run (CI).
"""

from __future__ import annotations

import contextlib
import io
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.cli import main

BASE = Path(__file__).resolve().parent / "bad_content" / "base"
BASE_FILES = {path.relative_to(BASE).as_posix(): path.read_bytes()
              for path in sorted(BASE.rglob("*")) if path.is_file()}
YAML_FILES = sorted(name for name in BASE_FILES if name.endswith(".yaml"))
ERROR_LINE = re.compile(r"^content/[^:]+:\d+:\d+: error: .+")
#: Valid content may still be warned about (a talk no slot schedules, a speaker without a talk, ...).
WARNING_LINE = re.compile(r"^(content/[^:]+:\d+:\d+: warning: .+|\d+ warnings? \(the content is valid\)\.)$")
SUMMARY = re.compile(r"^\d+ errors? found; nothing was built\.$")
KNOWN_KEYS = ["name", "title", "start", "end", "date", "timezone", "slots", "kind", "talk", "speakers", "venue",
              "room", "track", "id", "tba", "abstract", "bio", "photo", "links", "url", "label", "rooms",
              "affiliations", "publications", "authors", "year", "companion", "part", "all_rooms", "end_date",
              "default_venue", "tracks", "color", "venues", "notes", "joint_work", "<<"]

# Text from every Unicode category but surrogates: controls, format characters (direction marks,
# zero-width joiners), private use, unassigned code points, line and paragraph separators.
odd_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
words = st.sampled_from(["", "index", "../x", "/etc/passwd", "a.b", "ada-lovelace", "first-talk", "09:00", "24:00",
                         "2026-05-05", "2026-03-29", "Europe/Stockholm", "true", "~", "*", "&a", "!!binary",
                         "<script>alert(1)</script>", "photos/ada-lovelace.jpg", "\u200f", "Bo\u0074\u0327",
                         "02:30", "23:59", "0001-01-01", "9999-12-31", "Pacific/Kiritimati", "America/Adak",
                         "second-talk", "alan-turing", "main-hall", "room-a", "theory", "talk", "break"])
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), odd_text, words, st.dates().map(str))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.one_of(st.sampled_from(KNOWN_KEYS), odd_text), inner, max_size=3),
                      max_leaves=8)
file_names = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00:"), min_size=1,
                     max_size=12).filter(lambda name: name not in (".", ".."))


def mappings(data: Any) -> list[dict]:
    """Every mapping inside a parsed document, outermost first."""
    found = []
    stack = [data]
    while stack:
        item = stack.pop(0)
        if isinstance(item, dict):
            found.append(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


@st.composite
def mutated_trees(draw: st.DrawFn) -> dict[str, bytes]:
    """The base tree with one to three random mutations."""
    files = dict(BASE_FILES)
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(sorted(files)))
        kind = draw(st.sampled_from(["bytes", "set", "delete", "duplicate", "swap", "splice", "new_file"]))
        if kind == "bytes":
            files[name] = draw(st.binary(max_size=200))
        elif kind == "splice":
            text = files[name]
            at = draw(st.integers(0, len(text)))
            files[name] = text[:at] + draw(odd_text).encode("utf-8") + text[at:]
        elif kind == "new_file":
            folder = draw(st.sampled_from(["talks", "speakers", "program", "photos", ""]))
            suffix = draw(st.sampled_from([".yaml", ".yml", ".YAML", ".jpg", ""]))
            path = f"{folder}/{draw(file_names)}{suffix}".lstrip("/")
            files[path] = yaml.safe_dump(draw(values), allow_unicode=True).encode("utf-8")
        else:
            try:
                data = yaml.safe_load(files[name].decode("utf-8"))
            except (UnicodeDecodeError, yaml.YAMLError):
                continue
            targets = mappings(data)
            if not targets:
                continue
            target = draw(st.sampled_from(range(len(targets))).map(targets.__getitem__))
            keys = sorted(target, key=str)
            if kind == "set" or not keys:
                target[draw(st.one_of(st.sampled_from(KNOWN_KEYS), odd_text))] = draw(values)
            elif kind == "delete":
                del target[draw(st.sampled_from(keys))]
            elif kind == "swap":
                key = draw(st.sampled_from(keys))
                target[key] = draw(st.sampled_from([[target[key]], {"value": target[key]}, str(target[key]), 1, None]))
            text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
            if kind == "duplicate" and keys:
                key = draw(st.sampled_from(keys))
                text += yaml.safe_dump({key: target[key]}, allow_unicode=True)
            files[name] = text.encode("utf-8")
    return files


#: Free-text fields (file, path to the key) that validation accepts almost any visible text in.
TEXT_FIELDS = [("event.yaml", ("name",)), ("event.yaml", ("city",)), ("venues.yaml", ("venues", 0, "name")),
               ("venues.yaml", ("venues", 0, "address")), ("program/2026-05-05.yaml", ("title",)),
               ("program/2026-05-05.yaml", ("slots", 3, "title")), ("talks/first-talk.yaml", ("title",)),
               ("talks/first-talk.yaml", ("abstract",)), ("talks/second-talk.yaml", ("joint_work", 0)),
               ("speakers/ada-lovelace.yaml", ("name",)), ("speakers/ada-lovelace.yaml", ("bio",)),
               ("speakers/alan-turing.yaml", ("affiliations", 0)),
               ("speakers/alan-turing.yaml", ("publications", 0, "title")),
               ("speakers/alan-turing.yaml", ("publications", 0, "authors", 0))]
visible_text = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Zl", "Zp")), min_size=1, max_size=40)


@st.composite
def retexted_trees(draw: st.DrawFn) -> dict[str, bytes]:
    """The base tree with odd but visible text in a few free-text fields: mostly valid content."""
    files = dict(BASE_FILES)
    for name, path in draw(st.lists(st.sampled_from(TEXT_FIELDS), min_size=1, max_size=4)):
        data = yaml.safe_load(files[name].decode("utf-8"))
        target = data
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = draw(st.one_of(visible_text, words))
        files[name] = yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8")
    return files


def check(files: dict[str, bytes], command: str = "check") -> tuple[int, str]:
    with tempfile.TemporaryDirectory() as folder:
        content = Path(folder) / "content"
        for relative, data in files.items():
            path = content / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        extra = ["--out", str(Path(folder) / "site"), "--no-figures", "--no-search"] if command == "build" else []
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main([command, "--content", str(content), *extra])
        return code, err.getvalue() + out.getvalue()


@pytest.mark.timeout(180)
@settings(max_examples=200, derandomize=True, deadline=2000, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated_trees())
def test_check_accepts_or_explains_every_problem_on_one_line(files: dict[str, bytes]) -> None:
    code, output = check(files)
    lines = output.splitlines()
    if code == 0:
        assert lines and lines[-1].startswith("ok: "), output
        assert all(WARNING_LINE.match(line) for line in lines[:-1]), output
        return
    assert code == 1, output
    assert lines and SUMMARY.match(lines[-1]), output
    for line in lines[:-1]:
        assert ERROR_LINE.match(line), f"not a one-line error: {line!r}\n{output}"
    assert int(lines[-1].split()[0]) == len(lines) - 1


@pytest.mark.timeout(120)
@settings(max_examples=20, derandomize=True, deadline=5000, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(retexted_trees())
def test_whatever_check_accepts_also_builds(files: dict[str, bytes]) -> None:
    """Rendering and exports must cope with every odd value validation lets through."""
    code, output = check(files)
    if code == 0:
        built, report = check(files, "build")
        assert built == 0, report


def test_the_unmutated_base_tree_passes() -> None:
    assert check(BASE_FILES) == (0, "ok: 4 slots on 1 days, 2 talks, 2 speakers\n")
