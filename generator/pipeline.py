"""The build, top to bottom: load -> validate -> link -> render -> write.

Each stage is one module with a small pure interface; this module only strings
them together, so a reader sees the whole build in one screen.
"""

from __future__ import annotations

from pathlib import Path

from .diagnostics import ContentError, Diagnostics
from .link import Program, link_content
from .load import load_content
from .validate import validate_content


def load_program(content_root: Path) -> Program:
    """Read, validate and link a content folder; raises ContentError listing every problem."""
    diagnostics = Diagnostics(root=content_root)
    files = load_content(content_root, diagnostics)
    validated = validate_content(files, diagnostics)
    return link_content(validated, content_root, diagnostics)


__all__ = ["ContentError", "load_program"]
