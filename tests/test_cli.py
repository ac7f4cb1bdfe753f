"""The command line's own behaviour: a reader that stops reading ends every command quietly.

`symposium dump | head` used to print "symposium: error: [Errno 32] Broken pipe"
and exit 2. These tests run the real command in another process with a real pipe:
either the pipe's reading end is closed before the command writes anything (so
every write fails, deterministically), or a shell pipes it into `head -c 10`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator import cli
from generator.cli import EXIT_BROKEN_PIPE, EXIT_USAGE, main

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
BIB = ROOT / "tests" / "fixtures" / "bibtex" / "publications.bib"
PRETALX = ROOT / "tests" / "fixtures" / "frab" / "pretalx-schedule.json"
COMMAND = [sys.executable, "-m", "generator"]


def _env(unbuffered: bool = False) -> dict[str, str]:
    """The environment of the command; stdout is block-buffered as for any user unless ``unbuffered``."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
    return {**env, "PYTHONPATH": str(ROOT), **({"PYTHONUNBUFFERED": "1"} if unbuffered else {})}


def _with_closed_stdout(args: list[str], tmp_path: Path,
                        unbuffered: bool = False) -> subprocess.CompletedProcess[bytes]:
    """Run ``symposium ARGS`` with its stdout a pipe whose reading end is already closed."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # from now on every write to the pipe fails with EPIPE
    try:
        return subprocess.run([*COMMAND, *args], stdout=write_end, stderr=subprocess.PIPE, cwd=tmp_path,
                              env=_env(unbuffered), timeout=120)
    finally:
        os.close(write_end)


def _quiet(stderr: bytes) -> bool:
    """No word of the pipe on stderr (a command's own report there, like import-bibtex's counts, is fine)."""
    text = stderr.decode()
    return not any(word in text for word in ("Broken pipe", "BrokenPipe", "Exception ignored", "Traceback", "error"))


def _warnings_only(stderr: bytes) -> bool:
    """Nothing on stderr but the content's warnings (``file:line:col: warning: ...`` and their count), if any."""
    return all(": warning: " in line or line.endswith("(the content is valid).") for line in stderr.decode().splitlines())


def _commands(tmp_path: Path) -> dict[str, list[str]]:
    content = tmp_path / "content"
    if not content.exists():
        import shutil

        shutil.copytree(CONTENT, content)
    return {
        "check": ["check", "--content", str(content)],
        "dump": ["dump", "--content", str(content)],
        "build": ["build", "--content", str(content), "--out", str(tmp_path / "site"), "--no-figures", "--no-search"],
        "schema": ["schema", "--out", str(tmp_path / "schema")],
        "new speaker": ["new", "speaker", "Ada Lovelace", "--content", str(content)],
        "import-bibtex": ["import-bibtex", str(BIB), "--speaker", "alex-damian", "--content", str(content)],
        "import": ["import", str(PRETALX), "--content", str(tmp_path / "imported")],
        "--help": ["--help"],
        "check --help": ["check", "--help"],
    }


@pytest.mark.parametrize("name", ["check", "dump", "build", "schema", "new speaker", "import-bibtex", "import",
                                  "--help", "check --help"])
def test_every_command_ends_quietly_when_nobody_reads_its_output(name, tmp_path):
    run = _with_closed_stdout(_commands(tmp_path)[name], tmp_path)
    assert _quiet(run.stderr), run.stderr.decode()  # no "Broken pipe", no "Exception ignored", no traceback
    assert run.returncode == EXIT_BROKEN_PIPE  # what a shell reports for `yes | head`


@pytest.mark.parametrize("name", ["dump", "check --help"])
def test_unbuffered_output_ends_quietly_too(name, tmp_path):
    """With PYTHONUNBUFFERED every write fails at once, inside the command (or inside argparse, which
    swallows the error of printing its help and exits 0)."""
    run = _with_closed_stdout(_commands(tmp_path)[name], tmp_path, unbuffered=True)
    assert _quiet(run.stderr), run.stderr.decode()
    assert run.returncode == (0 if "--help" in name else EXIT_BROKEN_PIPE)


def test_the_work_is_still_done_when_only_the_report_cannot_be_written(tmp_path):
    commands = _commands(tmp_path)
    assert _with_closed_stdout(commands["build"], tmp_path).returncode == EXIT_BROKEN_PIPE
    assert (tmp_path / "site" / "index.html").is_file()  # the summary line comes after the build


def test_dump_into_head_prints_ten_bytes_and_no_word_of_the_pipe(tmp_path):
    script = f'"$@" dump --content {CONTENT} | head -c 10; echo " exit=${{PIPESTATUS[0]}}"'
    run = subprocess.run(["bash", "-c", script, "bash", *COMMAND], capture_output=True, env=_env(), timeout=120)
    assert _warnings_only(run.stderr), run.stderr.decode()
    printed, _, status = run.stdout.decode().rpartition(" exit=")
    assert printed == '{\n  "event'
    # 141 when head had already gone at the next write; 0 if the whole dump fitted into the pipe first
    assert int(status) in (0, EXIT_BROKEN_PIPE)


def test_a_closed_stderr_ends_quietly_too(tmp_path):
    """`symposium check --content nowhere 2>&1 >/dev/null | true`: the error message itself cannot be written."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        run = subprocess.run([*COMMAND, "check", "--content", str(tmp_path / "nowhere")], stdout=subprocess.DEVNULL,
                             stderr=write_end, env=_env(), timeout=120)
    finally:
        os.close(write_end)
    assert run.returncode == EXIT_BROKEN_PIPE


def test_output_read_to_the_end_still_exits_zero(tmp_path):
    run = subprocess.run([*COMMAND, "dump", "--content", str(CONTENT)], capture_output=True, env=_env(), timeout=120)
    assert run.returncode == 0 and _warnings_only(run.stderr) and run.stdout.startswith(b'{\n  "event"')


def test_a_broken_pipe_that_is_not_stdout_is_still_an_error(monkeypatch, capsys):
    """A pipe to a subprocess or a socket breaking is a failure of the command, not a reader that left."""
    def handler(args):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(cli, "cmd_check", handler)
    assert main(["check"]) == EXIT_USAGE
    assert "symposium: error: [Errno 32] Broken pipe" in capsys.readouterr().err
