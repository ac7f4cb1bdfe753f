"""``symposium init DIR``: start a new event from a small, valid, commented example.

The starter (``commands/starter.py``) is a fictional one-day workshop: event.yaml,
venues.yaml with one venue, one day in program/, two talks and their two
speakers, each field explained in a comment. It passes ``check`` without a
warning and builds. ``init`` never overwrites: a folder that exists and is not
empty is a usage error (exit 2), and nothing is written.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from generator.commands.scaffold import modeline
from generator.commands.starter import DAY, FREE_END, FREE_START, starter_files
from generator.core.diagnostics import EXIT_OK, UsageError


def _refuse(target: Path) -> None:
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise UsageError(f"{target.as_posix()} exists and is not a folder; choose a new folder for the event")
    if target.is_dir() and any(target.iterdir()):
        raise UsageError(f"{target.as_posix()} is not empty; nothing was written (choose a new folder, "
                         "e.g. symposium init my-event)")


def write_starter(target: Path) -> list[Path]:
    """Write the starter event into ``target`` (new or empty); returns the files written.

    On a failure part-way (a full disk), what was written is removed again.
    """
    _refuse(target)
    made: list[Path] = []  # files and folders this call created, in order
    try:
        missing = [folder for folder in (target, *target.parents) if not folder.exists()]
        for folder in reversed(missing):
            folder.mkdir()
            made.append(folder)
        written = []
        for relative, (schema, text) in starter_files().items():
            path = target / relative
            if not path.parent.exists():
                path.parent.mkdir(parents=True)
                made.append(path.parent)
            with path.open("x", encoding="utf-8") as file:  # "x": never over a file that appeared meanwhile
                made.append(path)
                file.write(modeline(path, schema) + text)
            written.append(path)
    except BaseException:
        for path in reversed(made):
            if path.is_dir():
                path.rmdir()
            else:
                path.unlink(missing_ok=True)
        raise
    return written


def cmd_init(args: argparse.Namespace) -> int:
    target = Path(args.dir)
    written = write_starter(target)
    where = target.as_posix()
    print(f"created a starter event in {where}/ (\"My Workshop\", one day, {DAY}):")
    for path in written:
        print(f"  {path.as_posix()}")
    talk = f"--day {DAY} --start {FREE_START} --end {FREE_END} --speaker SPEAKER-ID --title \"...\""
    print("next:",
          f"  1. edit the files: every field is explained in their comments (start with {where}/event.yaml)",
          f"  2. symposium serve --content {where}       # then open http://127.0.0.1:8000/; pages reload as you save",
          f"  3. symposium new speaker \"Full Name\" --content {where}",
          f"     symposium new talk {talk} --content {where}",
          f"  4. symposium check --content {where}       # every problem at once, as file:line:col",
          f"     symposium build --content {where} --out site", sep="\n")
    return EXIT_OK


def register(subparsers: argparse._SubParsersAction) -> None:
    help_text = "start a new event: a small, valid, commented example in a new folder (never overwrites)"
    sub = subparsers.add_parser("init", help=help_text, description=help_text)
    sub.add_argument("dir", metavar="DIR", help="the new content folder (must not exist, or be empty)")
    sub.set_defaults(handler=cmd_init)
