"""Problems found in content, reported together as ``file:line:col: error: ...``.

Every stage (load, models, link) appends to one :class:`Diagnostics`, so an
organizer sees every mistake of a run at once instead of fixing them one by one.
A warning (``file:line:col: warning: ...``) is shown but does not stop the build:
the link stage gives one for each clash the content acknowledges (``clashes_with``,
``relays``), so an accepted double booking is never silent, and one for each talk no slot
schedules, speaker with no talk, and talk slot whose place is unknown.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One content error, sortable by file and position."""

    file: str
    line: int
    column: int
    message: str
    hint: str = ""
    severity: str = "error"  # or "warning"

    def format(self) -> str:
        text = f"{self.file}:{self.line}:{self.column}: {self.severity}: {self.message}"
        return printable(f"{text} ({self.hint})" if self.hint else text)


def printable(text: str) -> str:
    """Escape what a terminal would not show or would act on (line breaks, direction marks, escape codes).

    Messages quote the organizer's text back; a newline in a file name or a
    key must not split one problem over two lines, and an invisible
    character is more helpful as ``\\u200f`` than as nothing.
    """
    return "".join(char if unicodedata.category(char) not in _HIDDEN else
                   (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}" if ord(char) < 0x10000
                    else f"\\U{ord(char):08x}") for char in text)


_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})


@dataclass
class Diagnostics:
    """Collects problems; ``root`` makes file names relative for display."""

    root: Path | None = None
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def error(self, file: Path | str, line: int, column: int, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.display_name(file), line, column, message, hint))

    def warning(self, file: Path | str, line: int, column: int, message: str, hint: str = "") -> None:
        """Something to show, which does not make the content invalid (``bool(self)`` stays False)."""
        self.warnings.append(Problem(self.display_name(file), line, column, message, hint, "warning"))

    def display_name(self, file: Path | str) -> str:
        path = Path(file)
        if self.root is not None:
            try:
                return (self.root.name / path.resolve().relative_to(self.root.resolve())).as_posix()
            except ValueError:
                pass
        return path.as_posix()

    def __bool__(self) -> bool:
        return bool(self.problems)

    def sorted(self) -> list[Problem]:
        return sorted(set(self.problems))

    def report(self) -> str:
        """Every error and warning in file order, then the count; for content that cannot be built."""
        lines = [problem.format() for problem in sorted(set(self.problems) | set(self.warnings))]
        count = len(set(self.problems))
        warned = _warning_count(self.warnings)
        lines.append(f"{count} error{'s' if count != 1 else ''}{f' and {warned}' if warned else ''} found; "
                     "nothing was built.")
        return "\n".join(lines)

    def warning_report(self) -> str:
        """The warnings of valid content, in file order, then their count; empty when there are none."""
        return warning_report(self.warnings)


def warning_report(warnings: list[Problem]) -> str:
    """Warnings of valid content, in file order, then their count; empty when there are none.

    The stages only collect them (``Program.warnings``); each command decides whether to show them.
    """
    if not warnings:
        return ""
    lines = [problem.format() for problem in sorted(set(warnings))]
    return "\n".join([*lines, f"{_warning_count(warnings)} (the content is valid)."])


def _warning_count(warnings: list[Problem]) -> str:
    count = len(set(warnings))
    return f"{count} warning{'s' if count != 1 else ''}" if count else ""


class ContentError(Exception):
    """Raised by a stage when the content cannot go further; carries all problems."""

    def __init__(self, diagnostics: Diagnostics):
        super().__init__(diagnostics.report())
        self.diagnostics = diagnostics


def did_you_mean(word: str, choices: list[str] | set[str] | tuple[str, ...]) -> str:
    """A hint naming the closest known choice, or listing a few when none is close."""
    options = sorted(choices)
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    if not options:
        return "none are defined"
    shown = ", ".join(f"'{option}'" for option in options[:8])
    more = ", ..." if len(options) > 8 else ""
    return f"known: {shown}{more}"


EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
#: What a shell reports for a program killed by SIGPIPE (128 + 13), as `yes | head` ends.
EXIT_BROKEN_PIPE = 141


class UsageError(Exception):
    """A problem with how the command was called, not with the content."""
