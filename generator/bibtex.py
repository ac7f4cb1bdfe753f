"""``symposium import-bibtex FILE.bib --speaker ID``: a BibTeX file into a speaker's publications.

bibtexparser v2 does the parsing; its middlewares decode LaTeX to Unicode
(``Bo{\\c{t}}`` -> Boţ), split the author list and the name parts, so
"Last, First" becomes "First Last". Equal-contribution marks (``$^*$``,
``\\textsuperscript{*}``, a bare ``*``) become the project's trailing ``*``.
An entry that is a publication the speaker already lists (see :func:`merge`)
fills in what that publication lacks; the others are appended. Both are text
edits of the speaker file, so the organizer's comments and layout survive;
nothing is written unless the result validates.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import re
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bibtexparser
import yaml
from bibtexparser import middlewares
from bibtexparser.middlewares.middleware import BlockMiddleware
from bibtexparser.model import Entry
from pydantic import ValidationError

from .cli import UsageError
from .diagnostics import ContentError, Diagnostics
from .load import parse_yaml
from .models import Publication, Speaker
from .validate import validate_document
from .scaffold import ListEditError, report_problems, append_to_list, check_appended, yaml_string

#: Spellings of an equal-contribution mark after an author's name, in LaTeX.
_EQUAL_MARK = re.compile(r"\s*(?:\$\s*\^\s*\{?\s*\*\s*\}?\s*\$|\\textsuperscript\s*\{\s*\*\s*\}|\^\{?\*\}?|\*)")
_ARXIV_ID = re.compile(r"(\d{4}\.\d{4,5}(?:v\d+)?|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})")
_DOI = re.compile(r"(10\.\d{4,9}/\S+)")


class _EqualContributionMarks(BlockMiddleware):
    """Rewrite every equal-contribution mark in ``author`` as a plain ``*`` before LaTeX decoding,
    which would otherwise keep ``$^*$`` as text or drop ``\\textsuperscript``."""

    def __init__(self) -> None:
        super().__init__(allow_inplace_modification=True)

    def transform_entry(self, entry: Entry, library: Any) -> Entry:
        author = entry.fields_dict.get("author")
        if author is not None and isinstance(author.value, str):
            author.value = _EQUAL_MARK.sub("*", author.value)
        return entry


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


@dataclass
class ImportReport:
    """What an import did, for the organizer: added titles, merged and skipped entries with reasons."""

    added: list[dict[str, Any]] = field(default_factory=list)
    merged: list[Merged] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


# --- BibTeX -> publication dicts -------------------------------------------------------------------

def parse_bibtex(path: Path) -> list[Entry]:
    """Entries of a .bib file; raises ContentError naming file and line for any malformed block."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"cannot read {path}: {error}") from None
    logging.getLogger("bibtexparser").setLevel(logging.ERROR)  # its warnings repeat what we report
    library = bibtexparser.parse_string(text, append_middleware=[
        _EqualContributionMarks(),
        middlewares.LatexDecodingMiddleware(),
        middlewares.SeparateCoAuthors(),
        middlewares.SplitNameParts(),
    ])
    if library.failed_blocks:
        diagnostics = Diagnostics()
        for block in library.failed_blocks:
            error = getattr(block, "error", None)
            reason = getattr(error, "abort_reason", None) or str(error or "") or "could not parse this block"
            message = " ".join(reason.replace("`", "'").split())
            diagnostics.error(path, (block.start_line or 0) + 1, 1, f"malformed BibTeX: {message}",
                              "fix the entry (often a missing '}' or ',') and import again")
        raise ContentError(diagnostics)
    return list(library.entries)


def _field(entry: Entry, name: str) -> str | None:
    for key, item in entry.fields_dict.items():
        if key.lower() == name and isinstance(item.value, str):
            value = " ".join(item.value.replace("{", "").replace("}", "").split())
            return unicodedata.normalize("NFC", value) or None
    return None


def _author_name(parts: Any) -> tuple[str, bool]:
    """"First von Last, Jr" from bibtexparser's NameParts, and whether it carried a ``*``."""
    words = [*parts.first, *parts.von, *parts.last]
    name = " ".join(word.replace("*", "").strip() for word in words if word.replace("*", "").strip())
    if parts.jr:
        name += ", " + " ".join(parts.jr)
    equal = any("*" in word for word in [*parts.first, *parts.von, *parts.last, *parts.jr])
    return unicodedata.normalize("NFC", name.replace("{", "").replace("}", "")), equal


def _arxiv(entry: Entry) -> str | None:
    eprint, prefix = _field(entry, "eprint"), (_field(entry, "archiveprefix") or _field(entry, "eprinttype") or "")
    if eprint and (prefix.lower() == "arxiv" or not prefix):
        match = _ARXIV_ID.search(eprint)
        if match:
            return match.group(1)
    for name in ("doi", "url", "journal"):  # 10.48550/arXiv.2209.15594, arxiv.org/abs/..., "arXiv preprint arXiv:..."
        value = _field(entry, name) or ""
        if "arxiv" in value.lower():
            match = _ARXIV_ID.search(value)
            if match:
                return match.group(1)
    return None


def entry_to_publication(entry: Entry) -> tuple[dict[str, Any] | None, str]:
    """One publication as it will be written, or None and the reason to skip it."""
    title = _field(entry, "title")
    author_field = entry.fields_dict.get("author")
    names = author_field.value if author_field is not None and isinstance(author_field.value, list) else []
    if not title:
        return None, "it has no title"
    authors, et_al = [], False
    for parts in names:
        name, equal = _author_name(parts)
        if name.lower() == "others":
            et_al = True
        elif name:
            authors.append(name + ("*" if equal else ""))
    if not authors:
        return None, "it has no authors"
    publication: dict[str, Any] = {"title": title, "authors": authors}
    if et_al:
        publication["et_al"] = True
    venue = _field(entry, "journal") or _field(entry, "booktitle")
    if venue and not venue.lower().startswith("arxiv"):
        publication["venue"] = venue
    year = _field(entry, "year")
    if year and year.isdigit():
        publication["year"] = int(year)
    doi_match = _DOI.search(_field(entry, "doi") or "")
    if doi_match:
        publication["doi"] = doi_match.group(1)
    arxiv = _arxiv(entry)
    if arxiv:
        publication["arxiv"] = arxiv
    url = _field(entry, "url")
    if url and url.lower().startswith(("http://", "https://")):
        publication["url"] = url
    try:
        Publication.model_validate(publication)
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(str(part) for part in problem["loc"])
        return None, f"{where}: {problem['msg']}"
    return publication, ""


# --- merging ---------------------------------------------------------------------------------------

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
        match = _ARXIV_ID.search(candidate)
        if match:
            return re.sub(r"v\d+$", "", match.group(1))
    return None


def _doi_of(publication: dict[str, Any]) -> str | None:
    match = _DOI.search(str(publication.get("doi") or ""))
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
        return "title" if not known_first or not new_first or known_first == new_first else _OTHER_AUTHOR
    short = (_short_title(known_title) == normalised_title(new_title)
             or _short_title(new_title) == normalised_title(known_title))
    if short and known_first and known_first == new_first:
        return "title before the colon and first author"
    return None


#: The same title under another first author: not merged (it may be another work), not added (it may not).
_OTHER_AUTHOR = "title but another first author"
_PRIORITY = ["DOI", "arXiv id", "title", "title before the colon and first author", _OTHER_AUTHOR]


@dataclass
class _Record:
    publication: dict[str, Any]
    index: int | None  # in the speaker file, or None for an entry added from the file
    key: str = ""
    merged: Merged | None = None


def _find(records: list[_Record], publication: dict[str, Any]) -> tuple[_Record, str] | None:
    """The record ``publication`` is the same work as, by the most specific reason (a DOI beats a title)."""
    found = [(record, reason) for record in records if (reason := same_work(record.publication, publication))]
    return min(found, key=lambda pair: _PRIORITY.index(pair[1]), default=None)


def _completes_authors(known: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """The authors the file adds to an ``et_al`` list it continues name by name (surnames), else []."""
    have, full = known.get("authors") or [], new.get("authors") or []
    if known.get("et_al") is not True or len(full) <= len(have):
        return []
    if any(surname(mine) != surname(theirs) for mine, theirs in zip(have, full)):
        return []
    return list(full[len(have):])


def merge(existing: list[Any], entries: list[Entry]) -> ImportReport:
    """Sort the file's entries into new publications, merges into ``existing`` ones, and skips.

    An entry that is a publication the speaker already lists (:func:`same_work`)
    is merged into it rather than added again: the speaker file's entry keeps
    every field it has, its title included (the organizer may have shortened
    it on purpose; the report quotes the file's), and gains the fields it
    lacks from the file: venue, year, DOI, arXiv id, URL. Its author list is
    only ever extended: where it is marked ``et_al`` and the file's list starts
    with the same people (by surname), the file's further authors are appended
    and ``et_al`` takes the file's value. Nothing else the speaker file says is
    replaced or removed (only an ``et_al: true`` that the completed list makes
    untrue), so an import adds information and loses none. An entry that adds
    nothing is skipped, and so is one already earlier in the file.
    """
    report = ImportReport()
    records = [_Record(dict(publication), index) for index, publication in enumerate(existing)
               if isinstance(publication, dict)]
    for entry in entries:
        publication, reason = entry_to_publication(entry)
        if publication is None:
            report.skipped.append(f"{entry.key}: skipped, {reason}")
            continue
        match = _find(records, publication)
        if match is None:
            records.append(_Record(publication, None, entry.key))
            report.added.append(publication)
            continue
        record, why = match
        if why == _OTHER_AUTHOR:
            where = "already in the speaker file" if record.index is not None else f"earlier in the file ({record.key})"
            report.skipped.append(f"{entry.key}: skipped, same title as a publication {where} but another first "
                                  "author; if it is the same work, add what it adds by hand")
            continue
        if record.index is None:
            report.skipped.append(f"{entry.key}: skipped, same {why} as a publication earlier in the file "
                                  f"({record.key})")
            continue
        known = record.publication
        fields = {name: publication[name] for name in FILLED_FIELDS
                  if publication.get(name) not in (None, "") and known.get(name) in (None, "")}
        more_authors = _completes_authors(known, publication)
        if not fields and not more_authors:
            report.skipped.append(f"{entry.key}: skipped, same {why} as a publication already in the speaker file")
            continue
        if record.merged is None:
            record.merged = Merged(record.index, str(known.get("title", "")), [], why)
            report.merged.append(record.merged)
        merged = record.merged
        merged.keys.append(str(entry.key))
        merged.file_titles.append(publication["title"])
        merged.fields.update(fields)
        known.update(fields)
        if more_authors:
            merged.more_authors += more_authors
            known["authors"] = [*(known.get("authors") or []), *more_authors]
            merged.et_al = bool(publication.get("et_al"))
            if merged.et_al:
                known["et_al"] = True
            else:
                known.pop("et_al", None)
    return report


def publication_lines(publication: dict[str, Any]) -> list[str]:
    """The YAML lines of one publication, in the style of the shipped content."""
    lines = []
    for key, value in publication.items():
        if isinstance(value, list):
            lines.append(f"{key}: [{', '.join(yaml_string(item) for item in value)}]")
        elif isinstance(value, bool):
            lines.append(f"{key}: {'true' if value else 'false'}")
        elif isinstance(value, int):
            lines.append(f"{key}: {value}")
        else:
            lines.append(f"{key}: {yaml_string(value)}")
    return lines


# --- writing ---------------------------------------------------------------------------------------

def _insertion_line(lines: list[str], end: yaml.Mark, indent: int) -> int:
    """Index of the line before which new text goes to follow a node that ends at ``end``.

    A node that ends inside a line (``year: 2023``, ``[a, b]``) is followed by
    the next line. A block node ends where the next token starts, after any
    blank lines and the comments that introduce the next item (comments at most
    as indented as ``indent``); walk back over those so they stay with it.
    """
    line = end.line
    if line < len(lines) and lines[line][:end.column].strip():
        return line + 1
    while line > 0:
        text = lines[line - 1]
        stripped = text.strip()
        if stripped and not (stripped.startswith("#") and len(text) - len(text.lstrip()) <= indent):
            break
        line -= 1
    return line


def merge_into_text(text: str, existing: list[Any], merges: list[Merged], path: Path) -> str:
    """``text`` with each of ``merges`` written into its publication, everything else kept byte for byte.

    Missing fields are added as lines at the end of the publication (after a
    block ``abstract: |`` too), further authors at the end of its ``authors``
    list, flow or block; ``et_al: true`` becomes ``false`` where the file's
    list is complete, or its line is removed when it is a line of its own.
    Raises ListEditError where a publication cannot be edited as text (a
    ``{flow: mapping}``) or the result would differ in anything but the merge.
    """
    if not text.endswith("\n"):
        text += "\n"
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        raise ListEditError(f"{path}: cannot edit a file that is not valid YAML ({error})") from None
    found = [value for key, value in (root.value if isinstance(root, yaml.MappingNode) else [])
             if key.value == "publications"]
    if not found or not isinstance(found[-1], yaml.SequenceNode) or found[-1].flow_style:
        raise ListEditError(f"{path}: 'publications:' should be a list with one '- ' item per line to merge into it")
    items = found[-1].value
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    expected = [dict(item) if isinstance(item, dict) else item for item in existing]
    edits: list[tuple[int, int, int, str]] = []  # start, end, order at the same start (higher first), new text
    for merged in merges:
        item = items[merged.index]
        if not isinstance(item, yaml.MappingNode) or item.flow_style:
            raise ListEditError(f"{path}:{item.start_mark.line + 1}: the publication {yaml_string(merged.title)} "
                                "is written as a {flow, mapping}; write it with one 'key: value' per line, "
                                "then import again")
        values = {key.value: value for key, value in item.value}
        publication = expected[merged.index]
        if merged.more_authors:
            authors = values["authors"]
            if authors.flow_style:
                at = authors.end_mark.index - 1  # the closing ']'
                inside = text[authors.start_mark.index:at].rstrip()
                joined = ", ".join(yaml_string(name) for name in merged.more_authors)
                edits.append((at, at, 0, (" " if inside.endswith(",") else ", ") + joined))
            else:
                dash = authors.start_mark.column
                line = _insertion_line(lines, authors.end_mark, dash)
                new_lines = "".join(f"{' ' * dash}- {yaml_string(name)}\n" for name in merged.more_authors)
                edits.append((starts[line], starts[line], 0, new_lines))
            publication["authors"] = [*publication["authors"], *merged.more_authors]
            if merged.et_al is False:
                node = values["et_al"]
                line = node.start_mark.line
                if lines[line].strip() == f"et_al: {text[node.start_mark.index:node.end_mark.index]}":
                    edits.append((starts[line], starts[line + 1], 2, ""))
                    publication.pop("et_al")
                else:
                    edits.append((node.start_mark.index, node.end_mark.index, 2, "false"))
                    publication["et_al"] = False
        if merged.fields:
            indent = item.start_mark.column
            line = _insertion_line(lines, item.end_mark, indent)
            new_lines = "".join(f"{' ' * indent}{field_line}\n" for field_line in publication_lines(merged.fields))
            edits.append((starts[line], starts[line], 1, new_lines))
            publication.update(merged.fields)
    after = text
    for start, end, _, new in sorted(edits, key=lambda edit: (edit[0], edit[2]), reverse=True):
        after = after[:start] + new + after[end:]
    old, new = yaml.safe_load(text) or {}, yaml.safe_load(after) or {}
    same_rest = ({key: value for key, value in old.items() if key != "publications"}
                 == {key: value for key, value in new.items() if key != "publications"})
    if not same_rest or new.get("publications") != expected:
        raise ListEditError(f"{path}: could not add to the publications it lists without changing the rest of "
                            "the file; add the fields by hand")
    return after


def _validate_speaker_text(text: str, display: Path) -> None:
    """Run the loader and the Speaker model over ``text``; ContentError (file:line) if invalid."""
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder) / display.name
        scratch.write_text(text, encoding="utf-8")
        scratch_diagnostics = Diagnostics()
        document = parse_yaml(scratch, scratch_diagnostics)
    diagnostics = Diagnostics()
    for problem in scratch_diagnostics.problems:
        diagnostics.error(display, problem.line, problem.column, problem.message, problem.hint)
    if document is not None:
        validate_document(dataclasses.replace(document, path=display), Speaker, diagnostics)
    if diagnostics:
        raise ContentError(diagnostics)


def import_bibtex(bib: Path, speaker_file: Path) -> ImportReport:
    """Merge ``bib`` into ``speaker_file``'s publications and append the new ones; writes nothing if the
    result is invalid."""
    entries = parse_bibtex(bib)
    before = speaker_file.read_text(encoding="utf-8")
    _validate_speaker_text(before, speaker_file)
    document = parse_yaml(speaker_file, Diagnostics())
    existing = (document.data or {}).get("publications") or [] if document is not None else []
    report = merge(existing, entries)
    if not report.added and not report.merged:
        return report
    after = before
    try:
        if report.merged:
            after = merge_into_text(after, existing, report.merged, speaker_file)
        if report.added:
            items = [publication_lines(publication) for publication in report.added]
            appended = append_to_list(after, "publications", items, speaker_file)
            check_appended(after, appended, "publications", len(items), speaker_file)
            after = appended
    except ListEditError as error:
        raise UsageError(str(error)) from None
    _validate_speaker_text(after, speaker_file)
    speaker_file.write_text(after, encoding="utf-8")
    return report


def cmd_import_bibtex(args: argparse.Namespace) -> int:
    bib = Path(args.file)
    if not bib.is_file():
        raise UsageError(f"BibTeX file '{args.file}' does not exist")
    content = Path(args.content)
    speaker_file = content / "speakers" / f"{args.speaker}.yaml"
    if not speaker_file.is_file():
        raise UsageError(f"no speaker '{args.speaker}': {speaker_file.as_posix()} does not exist "
                         f"(create it with: symposium new speaker \"Full Name\")")
    try:
        report = import_bibtex(bib, speaker_file)
    except ContentError as error:
        return report_problems(error.diagnostics)
    for publication in report.added:
        print(f"added: {publication['title']}")
    for merged in report.merged:
        print(merged.describe())
    for line in report.skipped:
        print(line)
    print(f"{len(report.added)} added, {len(report.merged)} merged, {len(report.skipped)} skipped "
          f"-> {speaker_file.as_posix()}", file=sys.stderr)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    help_text = "merge the publications of a BibTeX file into a speaker's (keeps the file's comments)"
    sub = subparsers.add_parser("import-bibtex", help=help_text, description=help_text)
    sub.add_argument("file", help="the .bib file")
    sub.add_argument("--speaker", required=True, help="speaker id (a file in speakers/)")
    sub.add_argument("--content", default="content", help="content folder (default: content)")
    sub.set_defaults(handler=cmd_import_bibtex)
