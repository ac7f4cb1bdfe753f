"""Recognising the same publication under two records: a BibTeX entry and a speaker's list.

The same DOI or arXiv id, the same title up to case, accents and punctuation, or a
short title equal to the other's part before the colon by the same first author.
A merge keeps every field the speaker's file has and fills in what it lacks.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from generator.commands.scaffold import yaml_string

ARXIV_ID = re.compile(r"(\d{4}\.\d{4,5}(?:v\d+)?|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})")


DOI_PATTERN = re.compile(r"(10\.\d{4,9}/\S+)")


#: The fields a BibTeX entry can add to a publication the speaker already lists.
FILLED_FIELDS = ("venue", "year", "doi", "arxiv", "url")


_NAME_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}


def normalised_title(title: str) -> str:
    """Title compared without case, accents, punctuation or spacing."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "", ascii_text.lower())


def _short_title(title: str) -> str | None:
    """The normalised part before the first colon ("Self-Stabilization: The Implicit Bias ..."), if any."""
    head, colon, _ = title.partition(":")
    return (normalised_title(head) or None) if colon else None


def _plain_name(author: Any) -> str:
    """An author as the speaker file gives one ("Jane Doe*" or {name: ..., equal_contribution: ...}), unmarked."""
    name = author.get("name", "") if isinstance(author, dict) else author
    return str(name or "").strip().rstrip("*").strip()


def surname(author: Any) -> str:
    """An author's normalised family name: the last word of "First Last", the part before the comma of
    "Last, First", without "Jr"-like suffixes ("Radu Ioan Boţ" and "Bot, Radu I." both give "bot")."""
    name = _plain_name(author)
    head, comma, _ = name.partition(",")
    if comma:
        name = head  # "Last, First" or "First Last, Jr"
    words = [normalised_title(word) for word in name.split()]
    words = [word for word in words if word and word not in _NAME_SUFFIXES]
    return words[-1] if words else ""


def _arxiv_of(publication: dict[str, Any]) -> str | None:
    """The arXiv id without version: the ``arxiv`` field, else an arXiv DOI (10.48550/arXiv.X) or URL."""
    candidates = [str(publication.get("arxiv") or "")]
    candidates += [str(publication.get(name) or "") for name in ("doi", "url")
                   if "arxiv" in str(publication.get(name) or "").lower()]
    for candidate in candidates:
        match = ARXIV_ID.search(candidate)
        if match:
            return re.sub(r"v\d+$", "", match.group(1))
    return None


def _doi_of(publication: dict[str, Any]) -> str | None:
    match = DOI_PATTERN.search(str(publication.get("doi") or ""))
    return match.group(1).lower() if match else None


def _first_surname(publication: dict[str, Any]) -> str:
    authors = publication.get("authors") or []
    return surname(authors[0]) if authors else ""


def same_work(known: dict[str, Any], new: dict[str, Any]) -> str | None:
    """Why ``new`` is the publication ``known`` (the reason, for the report), or None.

    The same DOI or arXiv id (from the ``arxiv`` field, an arXiv DOI or URL,
    versions ignored) or the same title, compared without case, accents,
    punctuation or spacing. A title that is only the part before the other's
    colon ("Self-Stabilization" for "Self-Stabilization: The Implicit Bias of
    ...") is the same work when the first authors' surnames agree too. The
    same title under another first author is reported as such, for the
    organizer to decide.
    """
    for kind, of in (("DOI", _doi_of), ("arXiv id", _arxiv_of)):
        if of(known) and of(known) == of(new):
            return kind
    known_title, new_title = str(known.get("title") or ""), str(new.get("title") or "")
    known_first, new_first = _first_surname(known), _first_surname(new)
    if normalised_title(known_title) and normalised_title(known_title) == normalised_title(new_title):
        return "title" if not known_first or not new_first or known_first == new_first else OTHER_AUTHOR
    short = (_short_title(known_title) == normalised_title(new_title)
             or _short_title(new_title) == normalised_title(known_title))
    if short and known_first and known_first == new_first:
        return "title before the colon and first author"
    return None


#: The same title under another first author: not merged (it may be another work), not added (it may not).
OTHER_AUTHOR = "title but another first author"


_PRIORITY = ["DOI", "arXiv id", "title", "title before the colon and first author", OTHER_AUTHOR]


@dataclass
class Record:
    publication: dict[str, Any]
    index: int | None  # in the speaker file, or None for an entry added from the file
    key: str = ""
    merged: Merged | None = None


def find_record(records: list[Record], publication: dict[str, Any]) -> tuple[Record, str] | None:
    """The record ``publication`` is the same work as, by the most specific reason (a DOI beats a title)."""
    found = [(record, reason) for record in records if (reason := same_work(record.publication, publication))]
    return min(found, key=lambda pair: _PRIORITY.index(pair[1]), default=None)


def completes_authors(known: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """The authors the file adds to an ``et_al`` list it continues name by name (surnames), else []."""
    have, full = known.get("authors") or [], new.get("authors") or []
    if known.get("et_al") is not True or len(full) <= len(have):
        return []
    if any(surname(mine) != surname(theirs) for mine, theirs in zip(have, full)):
        return []
    return list(full[len(have):])


@dataclass
class Merged:
    """What the file adds to a publication the speaker already lists (index ``index`` of ``publications:``)."""

    index: int
    title: str
    keys: list[str]
    reason: str
    fields: dict[str, Any] = field(default_factory=dict)
    more_authors: list[str] = field(default_factory=list)
    et_al: bool | None = None  # the file's et_al, when its authors complete an et_al list
    file_titles: list[str] = field(default_factory=list)

    def describe(self) -> str:
        added = list(self.fields)
        if self.more_authors:
            count = len(self.more_authors)
            added.append(f"{count} more author{'s' if count != 1 else ''}"
                         + (" (the list is complete now: et_al removed)" if self.et_al is False else ""))
        line = (f"{', '.join(self.keys)}: merged into {yaml_string(self.title)} (same {self.reason}): "
                f"added {', '.join(added)}")
        other = [title for title in self.file_titles if normalised_title(title) != normalised_title(self.title)]
        if other:
            line += f"; kept its title (the file says {yaml_string(other[0])})"
        return line
