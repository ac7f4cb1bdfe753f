"""Shared fixtures: the real site built once per session, served over HTTP, and a small multi-room site.

Building takes well under a second, so the session fixtures build with the
search index on (the browser tests need it) and figures off (the simulation
has its own tests).
"""

from __future__ import annotations

import functools
import http.server
import shutil
import struct
import textwrap
import threading
import zlib
from pathlib import Path
from typing import Iterator

import pytest

from generator.build.site import BuildOptions, build_site

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
CHROMIUM = Path("/usr/bin/chromium")


def build(content: Path, out: Path, base_url: str = "/", search: bool = True) -> Path:
    """Build ``content`` into ``out`` the way ``symposium build --no-figures`` does; returns ``out``."""
    build_site(BuildOptions(content=content, out=out, base_url=base_url, figures=False, search=search,
                            cache=out.parent / ".cache"))
    return out


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".webmanifest": "application/manifest+json", ".js": "text/javascript",
                      ".ics": "text/calendar", ".wasm": "application/wasm"}

    def log_message(self, format: str, *args: object) -> None:  # keep test output readable
        pass




class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        """A browser closing a connection early is normal; anything else is still reported."""
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 at a free port; yields the base URL (ending in '/')."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A private copy of the real content, for tests that edit it."""
    copy = tmp_path / "content"
    shutil.copytree(CONTENT, copy)
    return copy


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real content built once for the whole session (figures off, search on)."""
    return build(CONTENT, tmp_path_factory.mktemp("site") / "site")


@pytest.fixture(scope="session")
def site_url(built_site: Path) -> Iterator[str]:
    """``built_site`` served over HTTP on 127.0.0.1 (service workers and Pagefind need http)."""
    yield from serve(built_site)


MULTIROOM = {
    "event.yaml": """\
        name: Parallel Days
        start: 2031-03-04
        end: 2031-03-04
        timezone: America/Chicago
        city: Chicago
        default_venue: hall
        tracks:
          - {id: theory, name: Theory, color: "#1f77b4"}
          - {id: practice, name: Practice, color: "#d62728"}
        """,
    "venues.yaml": """\
        venues:
          - id: hall
            name: Conference Hall
            address: 1 Main Street, Chicago
            rooms:
              - {id: room-a, name: Room A}
              - {id: room-b, name: Room B}
        """,
    "program/2031-03-04.yaml": """\
        date: 2031-03-04
        slots:
          - {start: "09:00", end: "09:30", kind: opening, title: Welcome, all_rooms: true}
          - {start: "09:30", end: "10:15", kind: talk, talk: bounds, room: room-a, track: theory}
          - {start: "09:30", end: "10:00", kind: talk, talk: solvers, room: room-b, track: practice}
          - {start: "10:15", end: "10:45", kind: break, title: Coffee, all_rooms: true}
          - {start: "10:45", end: "11:30", kind: talk, talk: keynote, all_rooms: true}
        """,
    "talks/bounds.yaml": "title: Lower Bounds for Everything\nspeakers: [ada-lovelace]\nabstract: Tight bounds.\n",
    "talks/solvers.yaml": "title: Solvers in Practice\nspeakers: [alan-turing]\n",
    "talks/keynote.yaml": "tba: true\nspeakers: [grace-hopper]\n",
    "speakers/ada-lovelace.yaml": """\
        name: Ada Lovelace
        affiliations: [Analytical Engines Ltd]
        publications:
          - {title: "Notes on the Engine", authors: ["Ada Lovelace*", "Charles Babbage*"], year: 1943}
          - {title: "Undated Thoughts", authors: ["Ada Lovelace"]}
        """,
    "speakers/alan-turing.yaml": """\
        name: Alan Turing
        affiliations: [Bletchley Park]
        publications:
          - {title: "notes on the engine", authors: ["Ada Lovelace", "Charles Babbage"], year: 1943}
        """,
    "speakers/grace-hopper.yaml": "name: Grace Hopper\naffiliations: [US Navy]\nphoto: photos/grace.png\n",
}


def tiny_png() -> bytes:
    """A valid 1×1 grey PNG, for a speaker photo."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\x80")) + chunk(b"IEND", b"")


def write_tree(folder: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def multiroom_content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A one-day, two-room program with tracks, a plenary, parallel talks and a TBA keynote."""
    content = write_tree(tmp_path_factory.mktemp("multiroom") / "content", MULTIROOM)
    (content / "photos").mkdir()
    (content / "photos" / "grace.png").write_bytes(tiny_png())
    return content


@pytest.fixture(scope="session")
def multiroom_site(multiroom_content: Path) -> Path:
    return build(multiroom_content, multiroom_content.parent / "site", search=False)


@pytest.fixture(scope="session")
def multiroom_url(multiroom_site: Path) -> Iterator[str]:
    yield from serve(multiroom_site)


def small_figures(config: dict) -> dict:
    """A figures config with each simulation sized down (seconds, not minutes); names, kinds and titles kept."""
    for figure in config.get("figures", []):
        simulation = figure["simulation"]
        simulation["data"] = {**simulation.get("data", {}), "n": 100}
        simulation["model"] = {**simulation.get("model", {}), "hidden": [16, 16]}
        simulation["steps"] = min(simulation.get("steps", 40), 40)
    return config


@pytest.fixture(scope="session")
def figures_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bool]:
    """The real content with its live figures, sized down; returns (folder, with_figures).

    Figures are on only where ``content/figures.yaml`` and ``generator.figures.make`` exist; their
    simulations are cached by content hash in ``.cache/test-figures`` so later sessions skip them.
    """
    import shutil

    import yaml

    content = tmp_path_factory.mktemp("figures-site") / "content"
    shutil.copytree(CONTENT, content)
    try:
        import generator.figures.make  # noqa: F401
        with_figures = (content / "figures.yaml").is_file()
    except ImportError:
        with_figures = False
    if with_figures:
        config = yaml.safe_load((content / "figures.yaml").read_text(encoding="utf-8"))
        (content / "figures.yaml").write_text(yaml.safe_dump(small_figures(config), sort_keys=False),
                                              encoding="utf-8")
    out = content.parent / "site"
    build_site(BuildOptions(content=content, out=out, figures=with_figures, search=True,
                            cache=ROOT / ".cache" / "test-figures"))
    return out, with_figures


@pytest.fixture(scope="session")
def multitrack_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``examples/multitrack`` (two days, parallel rooms, tracks) built like the real content."""
    return build(ROOT / "examples" / "multitrack", tmp_path_factory.mktemp("multitrack") / "site")


#: Talks of the synthetic program that is too big for one page: 7 days (a page each), 350 speakers
#: (two pages of them), publications by year, and a search page that points to the lists.
SPLIT_TALKS = 420


@pytest.fixture(scope="session")
def split_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """benchmarks/synth.py's program of ``SPLIT_TALKS`` talks (from 11 January 2027, eight rooms), built like
    the real content: the site of a program split into a page per day."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("split_synth", ROOT / "benchmarks" / "synth.py")
    synth = sys.modules["split_synth"] = importlib.util.module_from_spec(spec)  # its dataclasses look it up
    spec.loader.exec_module(synth)
    folder = tmp_path_factory.mktemp("split")
    return build(synth.write_content(synth.generate(SPLIT_TALKS), folder / "content"), folder / "site")


@pytest.fixture(scope="session")
def split_url(split_site: Path) -> Iterator[str]:
    yield from serve(split_site)


def schedule_data(site: Path) -> tuple[dict, list[dict]]:
    """The schedule index home and My schedule embed, and every slot of the day files it names, in order."""
    import json
    import re

    text = (site / "my-schedule.html").read_text(encoding="utf-8")
    index = json.loads(re.search(r'<script type="application/json" id="schedule-index">(.*?)</script>', text).group(1))
    slots = []
    for day in index["days"]:
        script = (site / day["data"]).read_text(encoding="utf-8")
        assert script.startswith("symposiumScheduleDay(") and script.endswith(");\n")
        data = json.loads(script[len("symposiumScheduleDay("):-3])
        assert data["date"] == day["date"]
        slots += data["slots"]
    return index, slots


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright; the browser tests skip where it is missing."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run"])
        yield instance
        instance.close()


#: Skip reasons that mean a system tool is missing, with the command that installs it.
MISSING_TOOLS = {
    "chromium is not installed": "apt-get install chromium chromium-driver",
    "axe-core is not installed": "npm ci",
    "Nu HTML checker": "apt-get install default-jre-headless",
}


def pytest_unconfigure(config) -> None:
    """End with one loud line per missing tool: a green run that skipped the browser is not the whole suite.

    Written at unconfigure, after pytest's own summary, so it is the last thing a reader sees.
    """
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    counts: dict[str, int] = {}
    for report in reporter.stats.get("skipped", []):
        reason = str(report.longrepr[-1]) if isinstance(report.longrepr, tuple) else str(report.longrepr)
        for needle, command in MISSING_TOOLS.items():
            if needle in reason:
                counts[command] = counts.get(command, 0) + 1
    for command, count in counts.items():
        reporter.write_line(
            f"NOT RUN: {count} {'tests need' if count != 1 else 'test needs'} a tool this machine lacks; "
            f"install it with `{command}` (as .ci/run does) and run `make test` again",
            red=True, bold=True)
