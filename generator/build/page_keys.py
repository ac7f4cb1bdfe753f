"""Page keys: what each page's bytes depend on, so a rebuild renders only the pages whose key changed."""

from __future__ import annotations

from typing import Any, Iterable

from generator.content.digests import ENTITY_FOLDERS, ContentDigests, _hash


def page_keys(program: Any, digests: ContentDigests, environment: str,
              pages: Iterable[str]) -> dict[str, str]:
    """The key of every page in ``pages``; ``environment`` digests options, templates, assets and code."""
    site = _hash(environment, *(f"{path}={value}" for path, value in digests.site_wide()))
    files = digests.files

    def file_of(folder: str, ident: str) -> str:
        return files.get(f"{folder}/{ident}.yaml", "?")

    def summary_of(folder: str, ident: str) -> str:
        path = f"{folder}/{ident}.yaml"
        return digests.summaries.get(path) or files.get(path, "?")

    lists = _hash(site, *(f"{path}={digests.summaries.get(path, files[path])}" for path in sorted(files)
                          if path.split("/", 1)[0] in ENTITY_FOLDERS))
    keys: dict[str, str] = {}
    for talk in program.talks.values():
        shown = [file_of("talks", talk.id), *(summary_of("speakers", s.id) for s in talk.speakers)]
        if talk.companion is not None:
            shown += [summary_of("talks", talk.companion.id),
                      *(summary_of("speakers", s.id) for s in talk.companion.speakers)]
        keys[f"talks/{talk.id}.html"] = _hash(site, "talk", *shown)
    for speaker in program.speakers.values():
        shown = [file_of("speakers", speaker.id), *(summary_of("talks", t.id) for t in speaker.talks)]
        keys[f"speakers/{speaker.id}.html"] = _hash(site, "speaker", *shown)
    return {path: keys.get(path) or _hash(lists, path) for path in pages}
