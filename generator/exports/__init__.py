"""Exports stage: calendar and schedule feeds made from the linked program.

``ical`` writes iCalendar (``schedule.ics``, ``talks/<id>.ics``); ``frab``
writes the frab/c3voc schedule (``schedule.json``, ``schedule.xml``);
``common`` holds what both agree on (ids, rooms, addresses, plain text).
"""

from __future__ import annotations

from ..link import Program
from ..write import OutputFile
from .frab import schedule_files
from .ical import calendar_files


def export_files(program: Program, base_url: str) -> list[OutputFile]:
    """Every feed file of the site (iCalendar, frab XML/JSON), in a fixed order."""
    return calendar_files(program, base_url) + schedule_files(program, base_url)
