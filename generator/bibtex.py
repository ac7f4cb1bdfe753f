"""``symposium import-bibtex FILE.bib --speaker ID``: a BibTeX file into a speaker's publications.

bibtexparser v2 does the parsing; its middlewares decode LaTeX to Unicode
(``Bo{\\c{t}}`` -> Boţ), split the author list and the name parts, so
"Last, First" becomes "First Last". Equal-contribution marks (``$^*$``,
``\\textsuperscript{*}``, a bare ``*``) become the project's trailing ``*``.
New entries are appended as text to the speaker file's ``publications:`` list,
so the organizer's comments and layout survive; nothing is written unless the
result validates.
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
class ImportReport:
    """What an import did, for the organizer: added titles and skipped entries with reasons."""

    added: list[dict[str, Any]] = field(default_factory=list)
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
    for name in ("url", "journal"):
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

def normalised_title(title: str) -> str:
    """Title compared without case, accents, punctuation or spacing."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "", ascii_text.lower())


def _identities(publication: dict[str, Any]) -> list[tuple[str, str]]:
    """The DOI, arXiv id (without version) and normalised title, most specific first."""
    keys = []
    if publication.get("doi"):
        keys.append(("DOI", str(publication["doi"]).lower()))
    if publication.get("arxiv"):
        keys.append(("arXiv id", re.sub(r"v\d+$", "", str(publication["arxiv"]))))
    return keys + [("title", normalised_title(str(publication.get("title", ""))))]


def merge(existing: list[dict[str, Any]], entries: list[Entry]) -> ImportReport:
    """New publications from ``entries`` that ``existing`` lacks (by DOI, arXiv id or title)."""
    report = ImportReport()
    seen: dict[tuple[str, str], str] = {}
    for publication in existing:
        for identity in _identities(publication):
            seen.setdefault(identity, "already in the speaker file")
    for entry in entries:
        publication, reason = entry_to_publication(entry)
        if publication is None:
            report.skipped.append(f"{entry.key}: skipped, {reason}")
            continue
        duplicate = next(((kind, seen[(kind, value)]) for kind, value in _identities(publication)
                          if (kind, value) in seen), None)
        if duplicate:
            kind, where = duplicate
            report.skipped.append(f"{entry.key}: skipped, same {kind} as a publication {where}")
            continue
        for identity in _identities(publication):
            seen[identity] = f"earlier in the file ({entry.key})"
        report.added.append(publication)
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
    """Append the new publications of ``bib`` to ``speaker_file``; writes nothing if the result is invalid."""
    entries = parse_bibtex(bib)
    before = speaker_file.read_text(encoding="utf-8")
    _validate_speaker_text(before, speaker_file)
    document = parse_yaml(speaker_file, Diagnostics())
    existing = (document.data or {}).get("publications") or [] if document is not None else []
    report = merge([item for item in existing if isinstance(item, dict)], entries)
    if not report.added:
        return report
    items = [publication_lines(publication) for publication in report.added]
    try:
        after = append_to_list(before, "publications", items, speaker_file)
        check_appended(before, after, "publications", len(items), speaker_file)
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
    for line in report.skipped:
        print(line)
    print(f"{len(report.added)} added, {len(report.skipped)} skipped -> {speaker_file.as_posix()}",
          file=sys.stderr)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    help_text = "add the publications of a BibTeX file to a speaker (keeps the file's comments)"
    sub = subparsers.add_parser("import-bibtex", help=help_text, description=help_text)
    sub.add_argument("file", help="the .bib file")
    sub.add_argument("--speaker", required=True, help="speaker id (a file in speakers/)")
    sub.add_argument("--content", default="content", help="content folder (default: content)")
    sub.set_defaults(handler=cmd_import_bibtex)
