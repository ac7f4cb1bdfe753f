"""The build, top to bottom: load -> validate -> link -> render -> write.

Each stage is one module with a small pure interface; this module only strings
them together, so a reader sees the whole build in one screen.
"""

from __future__ import annotations

import os
from pathlib import Path

from .content_cache import ContentCache, file_digest
from .dependencies import ContentDigests, summary_digest
from .diagnostics import ContentError, Diagnostics
from .link import Program, link_content
from .load import SourceDocument, load_content, parse_yaml
from .validate import validate_content


def load_program(content_root: Path, cache_dir: Path | None = None) -> Program:
    """Read, validate and link a content folder; raises ContentError listing every problem.

    With ``cache_dir``, a file whose exact bytes were parsed by an earlier build
    is not parsed again. Cached files carry no source positions, so when the
    content has any problem it is loaded again without the cache, and every
    message names the right line. ``program.digests`` records what was read.
    """
    if cache_dir is not None:
        cache = ContentCache(cache_dir)
        reader = _Reader(content_root, cache)
        try:
            program = _load(content_root, reader)
        except ContentError:
            pass  # report from a careful load below, positions and all
        else:
            cache.save()
            program.digests = reader.digests()
            return program
    reader = _Reader(content_root, None)
    program = _load(content_root, reader)
    program.digests = reader.digests()
    return program


def _load(content_root: Path, reader: _Reader) -> Program:
    diagnostics = Diagnostics(root=content_root)
    files = load_content(content_root, diagnostics, parse=reader)
    validated = validate_content(files, diagnostics)
    return link_content(validated, content_root, diagnostics)


class _Reader:
    """Parses content files (or takes them from the cache) and notes a digest of each one's bytes."""

    def __init__(self, root: Path, cache: ContentCache | None):
        self.root = root
        self.cache = cache
        self.files: dict[str, str] = {}
        self.summaries: dict[str, str] = {}

    def __call__(self, path: Path, diagnostics: Diagnostics) -> SourceDocument | None:
        try:
            raw = path.read_bytes()
        except OSError:
            return parse_yaml(path, diagnostics)  # reports why it cannot be read
        text, root = str(path), str(self.root)
        relative = (text[len(root) + 1:] if text.startswith(root + os.sep) else path.relative_to(self.root).as_posix())
        relative = relative.replace(os.sep, "/")
        digest = self.files[relative] = file_digest(raw)
        hit = self.cache.lookup(relative, digest) if self.cache is not None else None
        if hit is not None:
            data, self.summaries[relative] = hit
            return SourceDocument(path, data, {}, {})
        document = parse_yaml(path, diagnostics)
        if document is not None:
            self.summaries[relative] = (self.cache.store(relative, digest, document.data) if self.cache is not None
                                        else summary_digest(relative, document.data))
        return document

    def digests(self) -> ContentDigests:
        """Digests of every content file, the parsed ones and the others (photos, notes) alike."""
        files = dict(self.files)
        root = str(self.root)
        for directory, folders, names in os.walk(root):
            folders[:] = sorted(name for name in folders if not name.startswith("."))
            prefix = os.path.relpath(directory, root).replace(os.sep, "/") + "/"
            prefix = "" if prefix == "./" else prefix
            for name in names:
                relative = prefix + name
                if relative not in files and not name.startswith("."):
                    try:
                        files[relative] = file_digest(Path(directory, name).read_bytes())
                    except OSError:
                        files[relative] = "unreadable"
        return ContentDigests(files, dict(self.summaries))


__all__ = ["ContentError", "load_program"]
