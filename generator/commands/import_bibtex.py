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

from generator.commands.same_work import (
    ARXIV_ID,
    DOI_PATTERN,
    FILLED_FIELDS,
    OTHER_AUTHOR,
    Merged,
    Record,
    completes_authors,
    find_record,
)
from generator.commands.scaffold import (
    ListEditError,
    append_to_list,
    check_appended,
    end_of_item,
    report_problems,
    yaml_string,
)
from generator.content.load import parse_yaml
from generator.content.models import Publication, Speaker
from generator.content.validate import validate_document
from generator.core.diagnostics import ContentError, Diagnostics, UsageError

#: Spellings of an equal-contribution mark after an author's name, in LaTeX.
_EQUAL_MARK = re.compile(r"\s*(?:\$\s*\^\s*\{?\s*\*\s*\}?\s*\$|\\textsuperscript\s*\{\s*\*\s*\}|\^\{?\*\}?|\*)")
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
        match = ARXIV_ID.search(eprint)
        if match:
            return match.group(1)
    for name in ("doi", "url", "journal"):  # 10.48550/arXiv.2209.15594, arxiv.org/abs/..., "arXiv preprint arXiv:..."
        value = _field(entry, name) or ""
        if "arxiv" in value.lower():
            match = ARXIV_ID.search(value)
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
    doi_match = DOI_PATTERN.search(_field(entry, "doi") or "")
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
    return end_of_item(lines, 0, line, indent)


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
            edits += _author_edits(text, lines, starts, values, merged, publication)
        if merged.fields:
            indent = item.start_mark.column
            line = _insertion_line(lines, item.end_mark, indent)
            new_lines = "".join(f"{' ' * indent}{field_line}\n" for field_line in publication_lines(merged.fields))
            edits.append((starts[line], starts[line], 1, new_lines))
            publication.update(merged.fields)
    return _applied(text, edits, expected, path)


def _author_edits(text: str, lines: list[str], starts: list[int], values: dict[str, yaml.Node], merged: Merged,
                  publication: dict[str, Any]) -> list[tuple[int, int, int, str]]:
    """Edits that append ``merged.more_authors`` to a flow or block ``authors`` list, and settle ``et_al``;
    ``publication`` (what the file must read as afterwards) follows them."""
    edits = []
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
    return edits


def _applied(text: str, edits: list[tuple[int, int, int, str]], expected: list[Any], path: Path) -> str:
    """``text`` with the edits made (last first), checked to read as before but for the publications merged."""
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
    records = [Record(dict(publication), index) for index, publication in enumerate(existing)
               if isinstance(publication, dict)]
    for entry in entries:
        publication, reason = entry_to_publication(entry)
        if publication is None:
            report.skipped.append(f"{entry.key}: skipped, {reason}")
            continue
        match = find_record(records, publication)
        if match is None:
            records.append(Record(publication, None, entry.key))
            report.added.append(publication)
            continue
        record, why = match
        if why == OTHER_AUTHOR:
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
        more_authors = completes_authors(known, publication)
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
