"""Exports stage: calendar and schedule feeds made from the linked program."""

from __future__ import annotations

from ..link import Program
from ..write import OutputFile


def export_files(program: Program, base_url: str) -> list[OutputFile]:
    """Every feed file of the site (iCalendar, frab XML/JSON); filled in by the exports modules."""
    return []
