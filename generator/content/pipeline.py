"""The build, top to bottom: load -> validate -> link -> render -> write.

Each stage is one module with a small pure interface; this module only strings
them together, so a reader sees the whole build in one screen.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.content.cache import ContentCache, content_digests
from generator.content.digests import ContentDigests, summary_digest
from generator.content.graph import Program
from generator.content.link import link_content
from generator.content.load import (
    SourceDocument,
    load_content,
    parse_yaml,
    source_digest,
)
from generator.content.models import Speaker, Talk
from generator.content.relink import (
    LinkKey,
    relink,
    speaker_key,
    speaker_node_key,
    talk_key,
    talk_node_key,
)
from generator.content.snapshot import Snapshot, read_snapshot, write_snapshot
from generator.content.validate import Memo, validate_content
from generator.core.diagnostics import ContentError, Diagnostics
from generator.core.memory import gc_paused


@dataclass
class BuildMemory:
    """What a long-running process (``symposium serve``) keeps between its builds, in memory only.

    Every content file's parsed document and validated models, by the digest of the
    file's bytes: a rebuild after an edit parses and validates only the edited
    files, where a new process reads every file's data back from the disk cache
    and validates it again (seconds for a 10,000-talk program). Models are frozen,
    so one build cannot change what the next one reuses. Each build keeps only
    the entries it used, so memory follows the content rather than its history.

    And the last linked program, which an edit that linking only copies (an abstract, a
    title: see :mod:`relink`) updates in place instead of linking every file again.
    """

    documents: dict[str, tuple[str, SourceDocument, str]] = field(default_factory=dict)  # path -> digest, doc, summary
    models: dict[tuple[str, str, str], Any] = field(default_factory=dict)  # (model, path, digest) -> validated model
    program: Program | None = None

    def successor(self) -> BuildMemory:
        """An empty memory for the next build to fill (see :meth:`adopt`)."""
        return BuildMemory()

    def adopt(self, newer: BuildMemory) -> None:
        """Keep exactly what the latest build used."""
        self.documents, self.models, self.program = newer.documents, newer.models, newer.program


#: Past this many files changed since the program was linked, it is linked again from every file.
RELINK_LIMIT = 500
_ENTITY = {"talks": Talk, "speakers": Speaker}


def load_program(content_root: Path, cache_dir: Path | None = None,
                 digests: dict[str, str] | None = None, memory: BuildMemory | None = None) -> Program:
    """Read, validate and link a content folder; raises ContentError listing every problem.

    With ``cache_dir``, a file whose exact bytes were parsed by an earlier build
    is not parsed again (its positions, when a message needs them, are found by
    reading it again), and the program an earlier build linked is reused when
    the files changed since allow it (see :mod:`relink` and :mod:`snapshot`).
    ``digests`` are the files' digests when the caller has them already (see
    :func:`content_digests`); ``program.digests`` records what was read, for the
    pages' dependency keys. With ``memory`` (see :class:`BuildMemory`), files,
    models and the program an earlier build of this process used are taken from there.
    """
    digests = content_digests(content_root) if digests is None else digests
    cache = ContentCache(cache_dir) if cache_dir is not None else None
    with gc_paused():  # tens of thousands of objects, no cycles worth looking for
        if memory is not None and memory.program is not None:
            program = _relinked(_Remembered(memory.program), content_root, cache, digests, memory)
        else:
            snapshot = read_snapshot(cache_dir, content_root) if cache_dir is not None else None
            program = _relinked(snapshot, content_root, cache, digests, memory) if snapshot is not None else None
            if program is not None and memory is not None:
                memory.program = program
    if program is not None:
        if cache is not None:
            cache.save(prune=False)
        return program
    used = memory.successor() if memory is not None else None
    reader = _Reader(content_root, cache, digests, memory, used)
    diagnostics = Diagnostics(root=content_root)
    with gc_paused():
        files = load_content(content_root, diagnostics, parse=reader)
        validated = validate_content(files, diagnostics, known=memory.models if memory is not None else None,
                                     remember=used.models if used is not None else None)
        program = link_content(validated, content_root, diagnostics)
    if cache is not None:
        cache.save()
    program.digests = ContentDigests(dict(digests), reader.summaries)
    if cache_dir is not None and (memory is None or memory.program is None):
        write_snapshot(cache_dir, content_root, program, {problem.file for problem in program.warnings})
    if memory is not None and used is not None:
        used.program = program
        memory.adopt(used)
    return program


class _Remembered:
    """What :func:`_relinked` needs of the program a serving process linked last (a :class:`Snapshot`'s part)."""

    def __init__(self, program: Program):
        self._program = program
        self.files = program.digests.files
        self.summaries = program.digests.summaries
        self.warned = frozenset(problem.file for problem in program.warnings)

    def key_of(self, relative: str) -> LinkKey | None:
        folder, _, name = relative.partition("/")
        ident = name.removesuffix(".yaml")
        if folder == "talks" and ident in self._program.talks:
            return talk_node_key(self._program.talks[ident])
        if folder == "speakers" and ident in self._program.speakers:
            return speaker_node_key(self._program.speakers[ident])
        return None

    def program(self) -> Program:
        return self._program


def _relinked(base: Snapshot | _Remembered, root: Path, cache: ContentCache | None, digests: dict[str, str],
              memory: BuildMemory | None) -> Program | None:
    """The program linked from ``base``'s files with the files changed since put in (see :mod:`relink`); None
    (and nothing changed) where the changes do not allow that: any file but a talk's or a speaker's changed, one
    was added or removed, one has an error, a link key or a warning, or too many changed."""
    files = base.files
    if files.keys() != digests.keys():
        return None
    changed = [path for path, value in digests.items() if files[path] != value]
    if len(changed) > RELINK_LIMIT:
        return None
    diagnostics = Diagnostics(root=root)
    edited: dict[str, dict[str, Any]] = {"talks": {}, "speakers": {}}
    keys: dict[str, LinkKey | None] = {}
    for relative in changed:
        folder, _, name = relative.partition("/")
        if folder not in _ENTITY or "/" in name or not name.endswith(".yaml"):
            return None
        keys[relative] = base.key_of(relative)
        if keys[relative] is None:
            return None
        path = root / relative
        if diagnostics.display_name(path) in base.warned:
            return None
        edited[folder][name[:-len(".yaml")]] = path
    used = BuildMemory(dict(memory.documents), memory.models) if memory is not None else None
    reader = _Reader(root, cache, dict(digests), memory, used)
    memo = Memo(memory.models if memory is not None else {}, {} if used is not None else None)
    models: dict[str, dict[str, Any]] = {"talks": {}, "speakers": {}}
    for folder, paths in edited.items():
        for ident, path in paths.items():
            document = reader(path, diagnostics)
            model = memo.validate(document, _ENTITY[folder], diagnostics) if document is not None else None
            if model is None or diagnostics or (talk_key(model) if folder == "talks" else speaker_key(model)) \
                    != keys[f"{folder}/{ident}.yaml"]:
                return None
            models[folder][ident] = model
    program = base.program()
    if program is None or not relink(program, models["talks"], models["speakers"]):
        return None
    summaries = dict(base.summaries)
    summaries.update(reader.summaries)
    program.digests = ContentDigests(dict(reader.digests), summaries)
    if memory is not None and used is not None:
        memory.documents = used.documents
        memory.models.update(memo.remember or {})
    return program


class _Reader:
    """Parses content files, or takes their data from the cache when their digest is known there."""

    def __init__(self, root: Path, cache: ContentCache | None, digests: dict[str, str],
                 memory: BuildMemory | None = None, used: BuildMemory | None = None):
        self.root = str(root)
        self.cache = cache
        self.digests = digests
        self.summaries: dict[str, str] = {}
        self.memory = memory
        self.used = used

    def __call__(self, path: Path, diagnostics: Diagnostics) -> SourceDocument | None:
        text = str(path)
        relative = (text[len(self.root) + 1:] if text.startswith(self.root + os.sep)
                    else os.path.relpath(text, self.root)).replace(os.sep, "/")
        known = self.digests.get(relative)
        remembered = self.memory.documents.get(relative) if self.memory is not None and known else None
        if remembered is not None and remembered[0] == known:
            if self.cache is not None:
                self.cache.keep(relative)
            self.summaries[relative] = remembered[2]
            return self._remember(relative, known, remembered[1])
        hit = self.cache.lookup(relative, known) if self.cache is not None and known else None
        if hit is not None:
            data, self.summaries[relative] = hit
            return self._remember(relative, known, SourceDocument.from_data(path, data, known))
        try:
            raw = path.read_bytes()
        except OSError:
            return parse_yaml(path, diagnostics)  # reports why it cannot be read
        digest = self.digests[relative] = source_digest(raw)
        document = parse_yaml(path, diagnostics, raw=raw)
        if document is not None:
            self.summaries[relative] = (self.cache.store(relative, digest, document.data) if self.cache is not None
                                        else summary_digest(relative, document.data))
            self._remember(relative, digest, document)
        return document

    def _remember(self, relative: str, digest: str, document: SourceDocument) -> SourceDocument:
        if self.used is not None:
            self.used.documents[relative] = (digest, document, self.summaries[relative])
        return document


__all__ = ["ContentError", "content_digests", "load_program"]
