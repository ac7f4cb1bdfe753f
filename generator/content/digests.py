"""Which pages an edit can change: a key per page, made of the content files the page shows.

A rebuild renders a page only when its key differs from the one the last build
recorded (and the file it wrote then is still intact). Keys are conservative:

- every page depends on the *site-wide* digest: options, templates, static
  assets, the generator's own code, and every content file that is not a talk or
  a speaker (event, venues, the program's days, figures.yaml, photos);
- a talk's page on its talk file, and on the summaries (see below) of its
  speakers, of its companion talk and of that talk's speakers;
- a speaker's page on the speaker's file and the summaries of their talks;
- every other page (home, program, lists, feeds of the whole site) on the
  *summary* of every talk and speaker: the file with its long texts left out,
  since no list shows an abstract or a biography. Editing an abstract therefore
  re-renders one talk page, not the 10,000-talk program.

The differential test in tests/test_incremental.py checks the rule the other way
round: after random edits, a rebuild gives the same bytes as a cold build.
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass, field
from typing import Any

#: Fields that only a talk's or a speaker's own page shows: left out of the summary the list pages depend on.
LONG_TEXTS = {"talks": frozenset({"abstract"}),
              "speakers": frozenset({"bio", "about", "interests", "education"})}
#: Content folders whose files belong to one page each (plus their neighbours'); every other file is site-wide.
ENTITY_FOLDERS = tuple(LONG_TEXTS)


def _hash(*parts: str) -> str:
    state = hashlib.blake2b(digest_size=16)
    for part in parts:
        state.update(part.encode("utf-8"))
        state.update(b"\0")
    return state.hexdigest()


def summary_digest(relative_path: str, data: Any) -> str:
    """A digest of what list pages may show of a content file: all of it but its long texts.

    Pickle is used only to serialise plain YAML data into bytes to hash (the same
    data always gives the same bytes); nothing is ever unpickled from it.
    """
    folder = relative_path.split("/", 1)[0]
    if isinstance(data, dict) and folder in LONG_TEXTS:
        data = {key: value for key, value in data.items() if key not in LONG_TEXTS[folder]}
    return hashlib.blake2b(pickle.dumps(data, protocol=5), digest_size=16).hexdigest()


@dataclass(frozen=True)
class ContentDigests:
    """What the load stage saw: a digest of every content file, and of each file's summary."""

    files: dict[str, str] = field(default_factory=dict)  # "talks/x.yaml" -> digest of its bytes
    summaries: dict[str, str] = field(default_factory=dict)  # the same paths -> summary_digest

    def site_wide(self) -> list[tuple[str, str]]:
        return sorted((path, value) for path, value in self.files.items()
                      if path.split("/", 1)[0] not in ENTITY_FOLDERS or "/" not in path)


