"""Imported content written as an organizer would write it: YAML files with block text and quoted times,
written into a new folder all at once."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from generator.commands.schedule_models import (
    SourceConference,
    SourceEvent,
    SourceLink,
    SourcePerson,
    one_line,
)
from generator.commands.schedule_reader import html_to_markdown
from generator.content.models import RESERVED_IDS, check_slug, slugify


class _Dumper(yaml.SafeDumper):
    """Block scalars for multi-line text, so abstracts read as they were written."""


class QuotedTime(str):
    """HH:MM, always quoted as in the README, so no YAML tool reads it as a number of minutes."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(QuotedTime, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:str", str(value),
                                                                            style='"'))


def dump_yaml(data: dict[str, Any], comment: str = "") -> str:
    text = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100, default_flow_style=False)
    return (f"# {comment}\n" if comment else "") + text


def write_content(imported: ImportedContent, target: Path) -> None:
    """Write into a new or empty folder: everything goes to a staging folder beside it, then one rename."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise FileExistsError(f"'{target}' is not empty; import writes only into a new or empty folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.import-", dir=target.parent))
    try:
        for relative, text in imported.files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        staging.chmod(0o755)
        os.rename(staging, target)  # replaces an empty folder; refuses a non-empty one
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


VENUE_ID = "main-venue"


def _links(links: list[SourceLink]) -> list[dict[str, str]]:
    result = []
    for link in links:
        url = link.url.strip()
        if re.fullmatch(r"https?://[^\s<>\"]+", url, re.IGNORECASE):
            result.append({"label": one_line(link.title or "") or url, "url": url})
    return result


def talk_yaml(event: SourceEvent, title: str, tba: bool, speakers: list[str], abstract: str | None,
               joint_work: list[str]) -> str:
    talk: dict[str, Any] = {"tba": True} if tba else {"title": title}
    subtitle = one_line(event.subtitle or "")
    if subtitle:
        talk["subtitle"] = subtitle
    talk["speakers"] = speakers
    if abstract:
        talk["abstract"] = abstract
    if joint_work:
        talk["joint_work"] = joint_work
    if _links(event.links):
        talk["links"] = _links(event.links)
    return dump_yaml(talk)


def speaker_yaml(person: SourcePerson) -> str:
    speaker: dict[str, Any] = {"name": person.display_name}
    bio = html_to_markdown(person.biography)
    if bio:
        speaker["bio"] = bio
    if _links(person.links):
        speaker["links"] = _links(person.links)
    return dump_yaml(speaker)


def event_yaml(conference: SourceConference, start: dt.date, end: dt.date, zone: ZoneInfo, zone_comment: str,
                tracks: list[dict[str, str]], source_name: str) -> str:
    name = one_line(conference.title or "") or one_line(conference.acronym or "") or "Imported event"
    event: dict[str, Any] = {"name": name}
    acronym = one_line(conference.acronym or "")
    if acronym and acronym != name:
        event["short_name"] = acronym
    event.update({"start": start, "end": end, "timezone": zone.key, "default_venue": VENUE_ID})
    if tracks:
        event["tracks"] = tracks
    text = dump_yaml(event, f"Imported from {Path(source_name).name} by `symposium import`.")
    if zone_comment:
        text = text.replace(f"timezone: {zone.key}\n", f"timezone: {zone.key}  # {zone_comment}\n", 1)
    return text


@dataclass
class ImportedContent:
    """The content folder to write, as {relative path: text}, and notes for the organizer."""

    files: dict[str, str]
    notes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


MAX_ID_LENGTH = 60


#: Letters that Unicode does not decompose into ASCII, so that "Ole Ødegård" becomes "ole-odegard".
class UniqueIds:
    """Deterministic, valid, unique slugs: the first 'keynote' keeps it, the next is 'keynote-2'."""

    def __init__(self) -> None:
        self.used: set[str] = set(RESERVED_IDS)

    def take(self, text: str, fallback: str, preferred: str | None = None) -> str:
        """The preferred id when it is a valid, unused slug; else one made from ``text``."""
        if preferred and preferred not in self.used:
            try:
                self.used.add(check_slug(preferred))
                return preferred
            except ValueError:
                pass
        base = slugify(text)[:MAX_ID_LENGTH].strip("-") or fallback
        candidate, number = base, 1
        while candidate in self.used:
            number += 1
            candidate = f"{base}-{number}"
        check_slug(candidate)
        self.used.add(candidate)
        return candidate
