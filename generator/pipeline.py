"""The build, top to bottom: load -> validate -> link -> render -> write.

Each stage is one module with a small pure interface; this module only strings
them together, so a reader sees the whole build in one screen.
"""

from __future__ import annotations

import os
from pathlib import Path

from .content_cache import ContentCache, content_digests
from .dependencies import ContentDigests, summary_digest
from .diagnostics import ContentError, Diagnostics
from .link import Program, link_content
from .load import SourceDocument, gc_paused, load_content, parse_yaml, source_digest
from .validate import validate_content


def load_program(content_root: Path, cache_dir: Path | None = None,
                 digests: dict[str, str] | None = None) -> Program:
    """Read, validate and link a content folder; raises ContentError listing every problem.

    With ``cache_dir``, a file whose exact bytes were parsed by an earlier build
    is not parsed again (its positions, when a message needs them, are found by
    reading it again). ``digests`` are the files' digests when the caller has
    them already (see :func:`content_digests`); ``program.digests`` records what
    was read, for the pages' dependency keys.
    """
    digests = content_digests(content_root) if digests is None else digests
    cache = ContentCache(cache_dir) if cache_dir is not None else None
    reader = _Reader(content_root, cache, digests)
    diagnostics = Diagnostics(root=content_root)
    with gc_paused():  # tens of thousands of objects, no cycles worth looking for
        files = load_content(content_root, diagnostics, parse=reader)
        validated = validate_content(files, diagnostics)
        program = link_content(validated, content_root, diagnostics)
    if cache is not None:
        cache.save()
    program.digests = ContentDigests(dict(digests), reader.summaries)
    return program


class _Reader:
    """Parses content files, or takes their data from the cache when their digest is known there."""

    def __init__(self, root: Path, cache: ContentCache | None, digests: dict[str, str]):
        self.root = str(root)
        self.cache = cache
        self.digests = digests
        self.summaries: dict[str, str] = {}

    def __call__(self, path: Path, diagnostics: Diagnostics) -> SourceDocument | None:
        text = str(path)
        relative = (text[len(self.root) + 1:] if text.startswith(self.root + os.sep)
                    else os.path.relpath(text, self.root)).replace(os.sep, "/")
        known = self.digests.get(relative)
        hit = self.cache.lookup(relative, known) if self.cache is not None and known else None
        if hit is not None:
            data, self.summaries[relative] = hit
            return SourceDocument.from_data(path, data, known)
        try:
            raw = path.read_bytes()
        except OSError:
            return parse_yaml(path, diagnostics)  # reports why it cannot be read
        digest = self.digests[relative] = source_digest(raw)
        document = parse_yaml(path, diagnostics, raw=raw)
        if document is not None:
            self.summaries[relative] = (self.cache.store(relative, digest, document.data) if self.cache is not None
                                        else summary_digest(relative, document.data))
        return document


__all__ = ["ContentError", "content_digests", "load_program"]
