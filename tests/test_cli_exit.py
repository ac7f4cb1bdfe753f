"""``symposium build`` ends its process without the interpreter's teardown, unless a profiler or tracer runs.

The teardown frees a big program object by object (0.25-0.35 s of a rebuild at N = 10,000);
cProfile and coverage write their results at exit, so under them the process ends normally.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BASE = Path(__file__).resolve().parent / "bad_content" / "base"


def _build(tmp_path: Path, *before: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *before, "-m", "generator", "build", "--content", str(BASE),
                           "--out", str(tmp_path / "site"), "--no-figures", "--no-search"],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)


def test_a_build_still_says_what_it_built_and_exits_zero(tmp_path: Path) -> None:
    first = _build(tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("built ") and first.stdout.endswith("\n")
    again = _build(tmp_path)
    assert again.returncode == 0 and "up to date" in again.stdout


def test_under_cprofile_the_profile_is_still_written(tmp_path: Path) -> None:
    profile = tmp_path / "build.prof"
    result = _build(tmp_path, "-m", "cProfile", "-o", str(profile))
    assert result.returncode == 0, result.stderr
    assert profile.is_file() and profile.stat().st_size > 0
