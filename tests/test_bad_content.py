"""The bad-content corpus: every defect in tests/bad_content/cases.yaml gives its exact error.

Each case mutates a copy of the small valid tree in tests/bad_content/base/
and lists the complete set of ``file:line:col: error: ...`` lines that
``symposium check`` must print (exit 1, no traceback); a case marked
``accept: true`` documents input that is deliberately allowed (exit 0).

Mutations, applied in this order:

    write:  {path: text}       replace (or create) a file
    bytes:  {path: text}       the same, each character U+0000-U+00FF written as that byte
    repeat: {path: [head, unit, count, tail]}  head + unit * count + tail * count (huge or deep files)
    append: {path: text}       add text at the end of a file
    replace: [[path, old, new], ...]     replace the first ``old`` (which must occur)
    rename: {old path: new path}
    delete: [path, ...]
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.cli import main

CORPUS = Path(__file__).resolve().parent / "bad_content"
CASES: list[dict[str, Any]] = yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))
SUMMARY_SUFFIX = "found; nothing was built."


def make_tree(tmp_path: Path, case: dict[str, Any]) -> Path:
    """A fresh copy of the base tree named ``content`` with the case's mutations applied."""
    content = tmp_path / "content"
    shutil.copytree(CORPUS / "base", content)
    for relative, text in (case.get("write") or {}).items():
        _target(content, relative).write_text(text, encoding="utf-8")
    for relative, text in (case.get("bytes") or {}).items():
        _target(content, relative).write_bytes(text.encode("latin-1"))
    for relative, (head, unit, count, *tail) in (case.get("repeat") or {}).items():
        _target(content, relative).write_text(head + unit * count + "".join(tail) * count, encoding="utf-8")
    for relative, text in (case.get("append") or {}).items():
        path = content / relative
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
    for relative, old, new in case.get("replace") or []:
        path = content / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"case {case['name']}: {old!r} is not in {relative}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    for old, new in (case.get("rename") or {}).items():
        (content / old).rename(_target(content, new))
    for relative in case.get("delete") or []:
        (content / relative).unlink()
    return content


def _target(content: Path, relative: str) -> Path:
    path = content / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def run_check(content: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["check", "--content", str(content)])
    captured = capsys.readouterr()
    return code, captured.err + captured.out


def error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if ": error: " in line]


def test_the_base_tree_is_valid(tmp_path: Path, capsys) -> None:
    code, output = run_check(make_tree(tmp_path, {"name": "base"}), capsys)
    assert code == 0, output
    assert output == "ok: 4 slots on 1 days, 2 talks, 2 speakers\n"


def test_the_corpus_is_large_and_names_are_unique() -> None:
    names = [case["name"] for case in CASES]
    assert len(names) == len(set(names))
    assert sum(1 for case in CASES if not case.get("accept")) >= 40


@pytest.mark.timeout(30)  # a YAML bomb must fail fast, not hang
@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_each_defect_gives_exactly_the_expected_errors(case: dict[str, Any], tmp_path: Path, capsys) -> None:
    content = make_tree(tmp_path, case)
    code, output = run_check(content, capsys)
    assert "Traceback" not in output
    if case.get("accept"):
        assert code == 0, output
        assert output.startswith("ok: ")
        return
    assert code == 1, output
    assert error_lines(output) == case["expect"], output
    count = len(case["expect"])
    assert output.splitlines()[-1] == f"{count} error{'s' if count != 1 else ''} {SUMMARY_SUFFIX}"


@pytest.mark.parametrize("name", ["yaml_syntax_unclosed_bracket", "billion_laughs", "not_utf8"])
def test_the_real_command_line_prints_the_same_errors(name: str, tmp_path: Path) -> None:
    case = next(case for case in CASES if case["name"] == name)
    content = make_tree(tmp_path, case)
    result = subprocess.run([sys.executable, "-m", "generator", "check", "--content", str(content)],
                            capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert error_lines(result.stderr) == case["expect"]
