"""``symposium serve``: build, serve on localhost, rebuild on change, reload open tabs.

The organizer's loop is: edit a YAML file, save, look. So the server builds
into a scratch folder (never ``site/``), watches ``content/``, ``templates/``
and ``static/`` with watchfiles, and rebuilds on every change. Pages are served
with a tiny script injected into the HTTP response (the built files stay
clean) that polls ``/__livereload`` for a build counter and reloads the tab
when it moves. Until the first build is done, a page not built yet is a
"building…" page that reloads itself, and the terminal shows the build's
progress. When a rebuild fails the last good site stays up and every
page shows an overlay with the same ``file:line: error`` lines as ``check``;
the next good build clears it.

The live figures take minutes to compute, so the server shares their cache with
``symposium build`` (``.cache/figures/``): whichever computes them first, the
other reuses them. Its other caches (the manifest and search state of *its*
site, the trash) are its own, in ``.cache/serve/``: shared with ``build``,
each would describe the other's site, and every build would start cold.
"""

from __future__ import annotations

import argparse
import errno
import gc
import html
import json
import os
import signal
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Iterable

from generator.core.diagnostics import ContentError, UsageError, warning_report
from generator.core.paths import STATIC, TEMPLATES

DEFAULT_OUT = Path(".cache") / "serve-site"
#: The output folder of `symposium build` by default; its caches (``.cache/``) are the ones serve shares.
BUILD_OUT = Path("site")
LIVERELOAD_PATH = "/__livereload"
POLL_MS = 400
#: Seconds after a build, and after the last page served, before the server tidies its memory.
TIDY_AFTER = 1.0

#: Appended to every served HTML page: poll the build counter, reload when it changes.
LIVERELOAD_SCRIPT = f"""<script id="symposium-livereload">(function () {{
  var seen = null;
  function poll() {{
    fetch("{LIVERELOAD_PATH}", {{cache: "no-store"}}).then(function (r) {{ return r.json(); }}).then(function (state) {{
      if (seen !== null && state.build !== seen) {{ location.reload(); return; }}
      seen = state.build; setTimeout(poll, {POLL_MS});
    }}).catch(function () {{ setTimeout(poll, 1000); }});
  }}
  poll();
}})();</script>"""

#: Served instead of the site's service worker, which would otherwise answer reloads from its cache.
NO_SERVICE_WORKER = ("self.addEventListener('install', function () { self.skipWaiting(); });\n"
                     "self.addEventListener('activate', function () { self.registration.unregister(); });\n")


@dataclass
class BuildState:
    """What the server knows about the latest build; shared between the watcher and request threads."""

    build: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    last_page_request: float = 0.0  # time.monotonic() of the last request other than live-reload's polls

    def page_requested(self) -> None:
        self.last_page_request = time.monotonic()

    def record(self, errors: list[str]) -> None:
        with self.lock:
            self.build += 1
            self.errors = list(errors)

    def snapshot(self) -> tuple[int, list[str]]:
        with self.lock:
            return self.build, list(self.errors)


def overlay_html(errors: list[str]) -> str:
    """A fixed overlay listing build errors; plain HTML so it works in any page."""
    items = "\n".join(f"<li>{html.escape(line)}</li>" for line in errors)
    count = f"{len(errors)} error{'s' if len(errors) != 1 else ''}"
    return (
        '<div id="symposium-errors" role="alert" style="position:fixed;inset:0;z-index:2147483647;overflow:auto;'
        'background:rgba(20,20,24,.94);color:#fff;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;padding:2rem">'
        f'<h2 style="color:#ff8080;margin-top:0">Build failed: {count}</h2>'
        f'<ul style="list-style:none;padding:0">{items}</ul>'
        '<p style="color:#bbb">Fix the file and save: this page reloads by itself. '
        "The site below is the last good build.</p></div>"
    )


#: Served for a page while the first build runs (the live-reload script is added, as to every page).
BUILDING_HTML = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">'
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>Building the site…</title></head>'
    '<body style="font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem">'
    '<h1>Building the site…</h1><p>The first build is running; the terminal that runs '
    '<code>symposium serve</code> shows how far it is. When the live figures are not cached yet, computing '
    'them takes a few minutes, once.</p><p>This page reloads by itself when the site is ready.</p></body></html>'
)


def inject(page: str, state: tuple[int, list[str]]) -> str:
    """The page as served: the live-reload script, and the error overlay while the build is broken."""
    build, errors = state
    extra = (overlay_html(errors) if errors else "") + LIVERELOAD_SCRIPT
    lower = page.lower()
    at = lower.rfind("</body>")
    return page[:at] + extra + page[at:] if at != -1 else page + extra


def describe_failure(error: BaseException) -> list[str]:
    """Error lines for the overlay and the terminal: file:line for content and template errors."""
    if isinstance(error, ContentError):
        return [problem.format() for problem in error.diagnostics.sorted()]
    messages = getattr(error, "messages", None)  # FigureConfigError: already "file:line: error: ..." lines
    if isinstance(messages, list) and messages and all(isinstance(line, str) for line in messages):
        return list(messages)
    filename, lineno = getattr(error, "filename", None), getattr(error, "lineno", None)
    message = getattr(error, "message", None) or str(error) or type(error).__name__
    if filename and lineno:
        return [f"{filename}:{lineno}: error: {message}"]
    frame = traceback.extract_tb(error.__traceback__)[-1:] if error.__traceback__ else []
    where = f" (at {frame[0].filename}:{frame[0].lineno})" if frame else ""
    return [f"error: {type(error).__name__}: {message}{where}"]


def _handler(directory: Path, state: BuildState) -> type[SimpleHTTPRequestHandler]:
    class Handler(SimpleHTTPRequestHandler):
        """Static files from the build folder, HTML with live reload injected, never cached."""

        extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".webmanifest": "application/manifest+json",
                          ".js": "text/javascript", ".ics": "text/calendar", ".wasm": "application/wasm"}

        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(directory), **kwargs)

        def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
            pass  # the terminal shows builds, not every request

        def end_headers(self) -> None:
            self.send_header("Cache-Control", "no-store")
            super().end_headers()

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0].split("#", 1)[0]
            if path == LIVERELOAD_PATH:
                build, errors = state.snapshot()
                return self._send(json.dumps({"build": build, "errors": errors}).encode(), "application/json")
            state.page_requested()
            if path.endswith("/sw.js"):
                return self._send(NO_SERVICE_WORKER.encode(), "text/javascript")
            page = self._html_file(path)
            if page is not None:
                text = page.read_text(encoding="utf-8", errors="replace")
                return self._send(inject(text, state.snapshot()).encode("utf-8"), "text/html; charset=utf-8")
            if state.snapshot()[1] and (path.endswith("/") or path.endswith(".html")):
                # No site to show yet (the first build failed): the overlay alone, still reloading.
                blank = "<!doctype html><html lang=en><title>Build failed</title><body></body></html>"
                return self._send(inject(blank, state.snapshot()).encode("utf-8"), "text/html; charset=utf-8",
                                  HTTPStatus.SERVICE_UNAVAILABLE)
            if state.snapshot()[0] == 0 and (path.endswith(("/", ".html")) or "." not in path.rsplit("/", 1)[-1]):
                # The first build is still running: say so, instead of a 404 the tab would keep.
                return self._send(inject(BUILDING_HTML, state.snapshot()).encode("utf-8"),
                                  "text/html; charset=utf-8", HTTPStatus.SERVICE_UNAVAILABLE, retry_after=True)
            missing = self._missing_page(path)
            if missing is not None:  # the site's own 404 page, as GitHub Pages would serve it
                text = missing.read_text(encoding="utf-8", errors="replace")
                return self._send(inject(text, state.snapshot()).encode("utf-8"), "text/html; charset=utf-8",
                                  HTTPStatus.NOT_FOUND)
            return super().do_GET()

        def _missing_page(self, path: str) -> Path | None:
            target = Path(self.translate_path(path))
            not_found = directory / "404.html"
            return not_found if not target.exists() and not_found.is_file() else None

        def _html_file(self, path: str) -> Path | None:
            target = Path(self.translate_path(path))
            if target.is_dir():
                target = target / "index.html"
            elif not target.exists() and target.with_suffix(".html").is_file() and not target.suffix:
                target = target.with_suffix(".html")  # pretty URLs, as on GitHub Pages
            return target if target.suffix == ".html" and target.is_file() else None

        def _send(self, body: bytes, content_type: str, status: HTTPStatus = HTTPStatus.OK,
                  retry_after: bool = False) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            if retry_after:
                self.send_header("Retry-After", "2")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

    return Handler


def start_server(host: str, port: int, directory: Path, state: BuildState) -> ThreadingHTTPServer:
    """Bind and serve in a daemon thread; a busy port is a UsageError (exit 2)."""
    try:
        server = ThreadingHTTPServer((host, port), _handler(directory, state))
    except OSError as error:
        if error.errno in (errno.EADDRINUSE, errno.EACCES):
            raise UsageError(f"cannot listen on {host}:{port}: {error.strerror} "
                             f"(is another server running? pick another with --port)") from None
        raise
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="symposium-serve", daemon=True).start()
    return server


@dataclass
class Rebuilder:
    """Runs builds for the server: full builds for content/templates, a copy for static-only edits."""

    options: object  # BuildOptions; typed loosely to keep the import lazy
    state: BuildState
    say: Callable[[str], None]
    memory: object = None  # pipeline.BuildMemory: this process's last build's files and models
    tidy_due: float | None = None  # time.monotonic() from which the memory may be tidied (see tidy_when_idle)

    def full(self, progress: Callable[[str], None] | None = None) -> None:
        """A full build; ``progress`` (build/progress.py's status_reporter, for the first build) is closed after it."""
        from generator.build.site import build_site
        from generator.content.pipeline import BuildMemory

        if self.memory is None:
            self.memory = BuildMemory()
        self.tidy_due = None
        started = time.perf_counter()
        try:
            try:
                report = build_site(self.options, progress=progress, memory=self.memory)
            finally:
                close = getattr(progress, "close", None)  # a terminal's status line: cleared before we say more
                if close is not None:
                    close()
        except Exception as error:  # any failure keeps the server up and shows the overlay
            lines = describe_failure(error)
            self.state.record(lines)
            self.say("\n".join(lines) + f"\nbuild failed ({len(lines)} error{'s' if len(lines) != 1 else ''}); "
                     "serving the last good site, waiting for a fix")
        else:
            first = self.state.snapshot()[0] == 0
            self.state.record([])
            if report.warnings:
                self.say(warning_report(report.warnings))
            self.say(f"{'built' if first else 'rebuilt'} {report.pages} pages in {time.perf_counter() - started:.2f}s")
        self.tidy_due = time.monotonic() + TIDY_AFTER

    def tidy_when_idle(self) -> None:
        """Between builds, once open tabs have reloaded and the organizer reads: free the last build's
        program (it has reference cycles), then freeze what the memory keeps, so no collection during
        the next build walks it. A full collection holds the interpreter for about a second on a
        10,000-talk program, which must not delay a reload or a page; an edit that comes first simply
        skips it, and the next build collects as it goes."""
        now = time.monotonic()
        if self.tidy_due is None or now < self.tidy_due or now - self.state.last_page_request < TIDY_AFTER:
            return
        self.tidy_due = None
        gc.collect()
        gc.freeze()

    def static_only(self) -> None:
        from generator.build.publish import static_files

        out = Path(self.options.out)
        if not out.is_dir() or self.state.snapshot()[1]:
            return self.full()
        for file in static_files(STATIC):
            (out / file.path).parent.mkdir(parents=True, exist_ok=True)
            (out / file.path).write_bytes(file.content)
        self.state.record([])
        self.say("copied static assets")

    def on_changes(self, changed: Iterable[Path], static: Path) -> None:
        paths = [Path(p).resolve() for p in changed]
        if paths and all(_inside(path, static) for path in paths):
            self.static_only()
        else:
            self.full()


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def _watched_filter(out: Path) -> Callable[[object, str], bool]:
    """Ignore the build output, editor swap files and dotfiles."""
    from watchfiles import DefaultFilter

    default = DefaultFilter()
    out = out.resolve()

    def keep(change: object, path: str) -> bool:
        name = os.path.basename(path)
        if name.startswith(".") or name.endswith(("~", ".swp", ".swx")) or _inside(Path(path), out):
            return False
        return default(change, path)

    return keep


def serve_cache(say: Callable[[str], None]) -> Path:
    """The server's cache folder, ``.cache/serve/`` within the cache of `symposium build` (``--out site``),
    with ``figures`` in it a link to that build's figure cache, so that neither computes them again.

    Where a link cannot be made (a file system without them), the server keeps figures of its own, and says so.
    """
    from generator.build.site import BuildOptions

    shared = BuildOptions(content=Path("content"), out=BUILD_OUT).cache_dir
    own, link = shared / "serve", shared / "serve" / "figures"
    try:
        (shared / "figures").mkdir(parents=True, exist_ok=True)
        own.mkdir(parents=True, exist_ok=True)
        if not link.is_symlink() and not link.exists():
            link.symlink_to(Path("..") / "figures", target_is_directory=True)
    except OSError as error:
        say(f"note: cannot share the live figures' cache with `symposium build` ({error.strerror or error}); "
            f"the server keeps its own in {link.as_posix()}")
    return own


def cmd_serve(args: argparse.Namespace) -> int:
    from watchfiles import watch

    from generator.build.progress import status_reporter
    from generator.build.site import BuildOptions

    content = Path(args.content)
    if not content.is_dir():
        raise UsageError(f"content folder '{args.content}' does not exist (pass --content DIR)")
    templates = Path(args.templates) if args.templates else TEMPLATES
    out = Path(args.out)
    if out.resolve() == BUILD_OUT.resolve():
        raise UsageError("serve builds into a scratch folder; choose an --out other than site/")

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    state = BuildState()
    server = start_server(args.host, args.port, out, state)  # first: a busy port leaves no trace
    options = BuildOptions(content=content, out=out, templates=templates, base_url="/",
                           figures=not args.no_figures, search=not args.no_search, minify=False,
                           cache=serve_cache(say))
    host, port = server.server_address[:2]
    say(f"serving http://{host}:{port}/ (Ctrl-C to stop); building into {out.as_posix()}")
    rebuilder = Rebuilder(options, state, say)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    stop = threading.Event()
    try:
        watched = [folder for folder in (content, templates, STATIC) if folder.is_dir()]
        built = False
        # yield_on_timeout: the first (empty) yield means the watcher is live, so the first build
        # starts only then and no edit made while it runs can be missed.
        for changes in watch(*watched, watch_filter=_watched_filter(out), debounce=150, step=50, rust_timeout=200,
                             yield_on_timeout=True, stop_event=stop, raise_interrupt=True):
            if not built:
                say("watching " + ", ".join(folder.as_posix() for folder in watched))
                say("first build: open tabs show a \"building…\" page until it is done")
                rebuilder.full(progress=status_reporter())
                built = True
            elif changes:
                rebuilder.on_changes((Path(path) for _, path in changes), STATIC)
            else:
                rebuilder.tidy_when_idle()
    except KeyboardInterrupt:
        say("stopped")
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
    return 0


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def register(subparsers: argparse._SubParsersAction) -> None:
    help_text = "build, serve on localhost, rebuild on change and reload open pages"
    sub = subparsers.add_parser("serve", help=help_text, description=help_text)
    sub.add_argument("--content", default="content", help="content folder (default: content)")
    sub.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default: 8000; 0 picks a free one)")
    sub.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    sub.add_argument("--out", default=str(DEFAULT_OUT), help=f"build folder (default: {DEFAULT_OUT.as_posix()})")
    sub.add_argument("--templates", default=None, help="templates folder (default: the project's templates/)")
    sub.add_argument("--no-figures", action="store_true", help="skip the live-figures simulation")
    sub.add_argument("--no-search", action="store_true", help="skip the Pagefind search index")
    sub.set_defaults(handler=cmd_serve)
