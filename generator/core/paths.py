"""Where the generator's own files are: its package, and the templates and assets beside it."""

from __future__ import annotations

from pathlib import Path

GENERATOR = Path(__file__).resolve().parent.parent
PROJECT = GENERATOR.parent
TEMPLATES = PROJECT / "templates"
STATIC = PROJECT / "static"
SIMULATION = GENERATOR / "simulation"
