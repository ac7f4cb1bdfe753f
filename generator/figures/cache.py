"""Drawn live figures kept beside the simulation's cached arrays.

A build whose figures did not change then needs neither JAX nor NumPy: it
reads each figure's chart, words and data back from one JSON file, keyed by
everything that shaped it (the figure's config, the JAX version, the
simulation's source, and the drawing code). A file that is damaged or was
made for another key is ignored, and the figure is drawn again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from generator.core.files import write_atomically
from generator.core.hashing import code_digest
from generator.core.paths import SIMULATION


@dataclass(frozen=True)
class Figure:
    """A drawn figure: everything its page section and its files need, JSON-ready.

    ``chart``: the panels (HTML headings and one ``<svg>`` each) and the legend;
    ``intro``: what the figure shows and why it matters; ``caption``: sentences from the
    measured values; ``trust``: how accurate and what it cost, a sentence each;
    ``data``: published as ``figures/<name>.json``; ``columns``: [CSV header, dotted key
    into ``data``] of ``figures/<name>.csv``; ``summary``: the statistics the words quote.
    """

    name: str
    title: str
    caption: str
    chart: str
    data: dict
    summary: dict
    intro: str = ""
    trust: list = field(default_factory=list)
    columns: list = field(default_factory=list)

    def value(self, key: str):
        """The data at a dotted key: "series.2.loss" is data["series"][2]["loss"]."""
        node = self.data
        for part in key.split("."):
            node = node[int(part)] if isinstance(node, list) else node[part]
        return node

    def csv(self) -> str:
        """One row per step, one column per ``columns`` entry; empty cells where a value is undefined."""
        values = [self.value(key) for _, key in self.columns]
        rows = max((len(v) for v in values), default=0)
        lines = [",".join(header for header, _ in self.columns)]
        lines += [",".join(_cell(v[i] if i < len(v) else None) for v in values) for i in range(rows)]
        return "\r\n".join(lines) + "\r\n"

    def files(self) -> list[tuple[str, bytes]]:
        """The figure's published files: ``figures/<name>.json`` and ``figures/<name>.csv``."""
        data = json.dumps(self.data, sort_keys=True, separators=(",", ":")).encode("utf-8")
        return [(f"figures/{self.name}.json", data), (f"figures/{self.name}.csv", self.csv().encode("utf-8"))]


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def simulation_key(spec, simulation_dir: Path = SIMULATION) -> str:
    """sha256 of the spec's simulation (canonical JSON), the JAX version and the simulation
    sources: what the arrays depend on (a new title or list of talks draws again, no more)."""
    from importlib.metadata import (
        version,  # the installed versions, without importing JAX
    )

    digest = hashlib.sha256()
    digest.update(json.dumps(spec.simulation.model_dump(mode="json"), sort_keys=True, separators=(",", ":")).encode())
    digest.update(b"\0jax " + version("jax").encode() + b" jaxlib " + version("jaxlib").encode())
    for source in sorted(simulation_dir.glob("*.py")):
        digest.update(b"\0" + source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


def drawing_key(spec) -> str:
    """The simulation's key plus the whole spec and the code that turns its arrays into the figure."""
    whole = json.dumps(spec.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{simulation_key(spec)}\0{whole}\0{code_digest('figures')}".encode()).hexdigest()


def _path(cache_dir: Path, spec, key: str) -> Path:
    return Path(cache_dir) / f"{spec.name}-{key[:16]}.figure.json"


def _checksum(figure: dict) -> str:
    return hashlib.sha256(json.dumps(figure, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def read_drawn(cache_dir: Path, spec) -> Figure | None:
    """The drawn figure for ``spec``, if a valid one is cached."""
    key = drawing_key(spec)
    try:
        stored = json.loads(_path(cache_dir, spec, key).read_text(encoding="utf-8"))
        if stored["key"] != key or stored["check"] != _checksum(stored["figure"]):
            return None
        return Figure(**stored["figure"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_drawn(cache_dir: Path, spec, figure: Figure) -> None:
    """Store a drawn figure atomically (a half-written file would only be ignored)."""
    key = drawing_key(spec)
    payload = asdict(figure)
    stored = {"key": key, "check": _checksum(payload), "figure": payload}
    write_atomically(_path(cache_dir, spec, key), json.dumps(stored, sort_keys=True).encode("utf-8"))


def cached_figures(specs: list, cache_dir: Path) -> list[Figure] | None:
    """Every figure from the drawn cache, or None when any one must be computed or drawn."""
    figures = [read_drawn(cache_dir, spec) for spec in specs]
    return None if any(figure is None for figure in figures) else figures  # type: ignore[return-value]
