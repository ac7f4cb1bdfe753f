"""`symposium serve`: a real server subprocess that rebuilds on save, shows errors, and reloads pages."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from generator.commands.serve import LIVERELOAD_PATH, describe_failure, inject

ROOT = Path(__file__).resolve().parent.parent
REBUILD_WITHIN_S = 2.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def _wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
        except (urllib.error.URLError, ConnectionError, OSError):
            last = None
        if last:
            return last
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Server:
    def __init__(self, process: subprocess.Popen, port: int, log: Path, content: Path):
        self.process, self.port, self.log, self.content = process, port, log, content
        self.url = f"http://127.0.0.1:{port}"

    def state(self) -> dict:
        return json.loads(_get(self.url + LIVERELOAD_PATH)[1])

    def page(self, path: str) -> str:
        return _get(self.url + path)[1]


@contextlib.contextmanager
def _sigint_not_ignored():
    """A suite started in the background (`cmd &` in a script) runs with SIGINT ignored, and a child
    would inherit that and never see Ctrl-C. A handler, unlike SIG_IGN, is reset by exec, so the
    server starts with the default disposition. (Not preexec_fn: it forks a multithreaded parent.)"""
    ignored = signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    if ignored:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        if ignored:
            signal.signal(signal.SIGINT, signal.SIG_IGN)


def _start(tmp_path: Path, port: int, *extra: str) -> subprocess.Popen:
    with (tmp_path / "serve.log").open("w") as log, _sigint_not_ignored():  # the child keeps its own log handle
        return subprocess.Popen(
            [sys.executable, "-m", "generator", "serve", "--content", str(tmp_path / "content"), "--port", str(port),
             "--out", str(tmp_path / "out"), "--no-figures", "--no-search", *extra],
            cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONFAULTHANDLER": "1"})


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _launch(folder: Path, request, prepare=lambda content: None) -> Server:
    shutil.copytree(ROOT / "content", folder / "content")
    prepare(folder / "content")
    port = _free_port()
    process = _start(folder, port)
    request.addfinalizer(lambda: _stop(process))
    running = Server(process, port, folder / "serve.log", folder / "content")
    _wait_for(lambda: running.state()["build"] >= 1, 60, "the first build")
    return running


@pytest.fixture(scope="module")
def server(tmp_path_factory, request) -> Server:
    """One server for the module; tests that edit content put it back as they found it."""
    return _launch(tmp_path_factory.mktemp("serve"), request)


@pytest.fixture
def own_server(tmp_path, request) -> Server:
    """A server of the test's own, for tests that stop it."""
    return _launch(tmp_path, request)


def test_served_pages_carry_the_live_reload_script_but_built_files_do_not(server):
    page = server.page("/talks/stich-federated-similarity.html")
    assert "Exploiting Similarity in Federated Learning" in page
    assert LIVERELOAD_PATH in page and 'id="symposium-errors"' not in page
    built = (server.content.parent / "out" / "talks" / "stich-federated-similarity.html").read_text(encoding="utf-8")
    assert LIVERELOAD_PATH not in built
    assert server.state()["errors"] == []


def test_an_edit_rebuilds_the_page_and_a_broken_file_shows_an_overlay_until_fixed(server):
    talk = server.content / "talks" / "stich-federated-similarity.yaml"
    original = talk.read_text(encoding="utf-8")

    talk.write_text(original.replace("Exploiting Similarity in Federated Learning", "Similarity, Revisited"),
                    encoding="utf-8")
    _wait_for(lambda: "Similarity, Revisited" in server.page("/talks/stich-federated-similarity.html"),
              REBUILD_WITHIN_S, "the edited title on the page")
    assert server.state()["errors"] == []

    talk.write_text(original.replace("speakers: [sebastian-stich]", "speakers: [sebastian-stitch]"), encoding="utf-8")
    expected = ("talks/stich-federated-similarity.yaml:2:12: error: unknown speaker 'sebastian-stitch' "
                "(did you mean 'sebastian-stich'?)")
    state = _wait_for(lambda: (s := server.state())["errors"] and s, REBUILD_WITHIN_S, "the build error")
    assert state["errors"] == [f"content/{expected}"]
    page = server.page("/program.html")
    assert 'id="symposium-errors"' in page
    assert "stich-federated-similarity.yaml:2:12: error: unknown speaker &#x27;sebastian-stitch&#x27;" in page
    assert "Similarity, Revisited" in server.page("/talks/stich-federated-similarity.html")  # last good site
    assert server.process.poll() is None  # a content error does not stop the server

    talk.write_text(original, encoding="utf-8")
    _wait_for(lambda: not server.state()["errors"], REBUILD_WITHIN_S, "the error to clear")
    page = server.page("/program.html")
    assert 'id="symposium-errors"' not in page
    assert "Exploiting Similarity in Federated Learning" in server.page("/talks/stich-federated-similarity.html")


def test_a_busy_port_is_a_clear_usage_error(server, tmp_path):
    result = subprocess.run([sys.executable, "-m", "generator", "serve", "--content", str(server.content),
                             "--port", str(server.port), "--out", str(tmp_path / "other"), "--no-figures"],
                            cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{server.port}" in result.stderr and "--port" in result.stderr
    assert "Traceback" not in result.stderr


def test_ctrl_c_stops_the_server_cleanly(own_server):
    own_server.process.send_signal(signal.SIGINT)
    try:
        returncode = own_server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:  # say where it hangs: faulthandler dumps every thread on SIGABRT
        own_server.process.send_signal(signal.SIGABRT)
        own_server.process.wait(timeout=10)
        raise AssertionError("the server did not stop on Ctrl-C; its log:\n"
                             + own_server.log.read_text(encoding="utf-8")) from None
    assert returncode == 0
    log = own_server.log.read_text(encoding="utf-8")
    assert "stopped" in log and "Traceback" not in log


def test_a_missing_page_gets_the_site_404_page_with_live_reload(server):
    status, page = _get(server.url + "/talks/no-such-talk.html")
    assert status == 404 and LIVERELOAD_PATH in page


def test_the_site_service_worker_is_replaced_so_reloads_are_never_stale(server):
    assert "unregister" in server.page("/sw.js")


def test_inject_places_the_overlay_and_script_before_the_closing_body_tag():
    page = inject("<html><body><p>hi</p></body></html>", (3, ["content/x.yaml:1:1: error: <bad>"]))
    assert page.endswith("</body></html>")
    assert page.index('id="symposium-errors"') < page.index("symposium-livereload") < page.index("</body>")
    assert "&lt;bad&gt;" in page


@pytest.mark.browser
def test_an_open_tab_reloads_itself_on_save_and_shows_then_clears_the_overlay(server, browser):
    talk = server.content / "talks" / "stich-federated-similarity.yaml"
    original = talk.read_text(encoding="utf-8")
    page = browser.new_page()
    try:
        page.goto(server.url + "/talks/stich-federated-similarity.html")
        assert "Exploiting Similarity" in page.locator("h1").inner_text()
        page.wait_for_timeout(600)  # let the script read the current build number
        talk.write_text(original.replace("Exploiting Similarity in Federated Learning", "Reloaded By Itself"),
                        encoding="utf-8")
        page.wait_for_function("document.querySelector('h1').textContent.includes('Reloaded By Itself')",
                               timeout=5000)
        talk.write_text(original.replace("speakers: [sebastian-stich]", "speakers: [nobody-here]"), encoding="utf-8")
        page.locator("#symposium-errors").wait_for(state="visible", timeout=5000)
        assert "stich-federated-similarity.yaml:2:12" in page.locator("#symposium-errors").inner_text()
        talk.write_text(original, encoding="utf-8")
        page.locator("#symposium-errors").wait_for(state="detached", timeout=5000)
        assert "Exploiting Similarity" in page.locator("h1").inner_text()
    finally:
        talk.write_text(original, encoding="utf-8")
        page.close()


def test_a_first_build_that_fails_still_serves_the_overlay_and_recovers(tmp_path, request):
    def misspell(content: Path) -> None:
        venues = content / "venues.yaml"
        venues.write_text(venues.read_text(encoding="utf-8").replace("venues:", "venue:", 1), encoding="utf-8")

    server = _launch(tmp_path, request, misspell)
    status, page = _get(server.url + "/")
    assert status == 503 and 'id="symposium-errors"' in page and "venues.yaml:1:1: error:" in page
    venues = server.content / "venues.yaml"
    venues.write_text(venues.read_text(encoding="utf-8").replace("venue:", "venues:", 1), encoding="utf-8")
    _wait_for(lambda: not server.state()["errors"], REBUILD_WITHIN_S, "the first good build")
    status, page = _get(server.url + "/")
    assert status == 200 and 'id="symposium-errors"' not in page


def test_failures_are_described_with_file_and_line_where_known():
    import jinja2

    class FigureConfigError(ValueError):  # the shape of generator.simulation.config.FigureConfigError
        def __init__(self, messages: list[str]):
            super().__init__("\n".join(messages))
            self.messages = messages

    try:
        jinja2.Environment().from_string("{% if %}")
    except jinja2.TemplateSyntaxError as error:
        error.filename = "templates/talk.html"
        assert describe_failure(error)[0].startswith("templates/talk.html:1: error: ")
    figure_error = FigureConfigError(["content/figures.yaml:3: error: steps must be at least 10"])
    assert describe_failure(figure_error) == ["content/figures.yaml:3: error: steps must be at least 10"]
    assert describe_failure(RuntimeError("boom"))[0].startswith("error: RuntimeError: boom")


def test_memory_is_tidied_only_once_the_reload_and_the_pages_are_served(monkeypatch, tmp_path) -> None:
    """A full collection holds the interpreter for about a second on a big program: never while tabs reload."""
    import gc

    import generator.build.site
    import generator.commands.serve as serve

    collections: list[int] = []
    monkeypatch.setattr(gc, "collect", lambda *args: collections.append(1) or 0)
    monkeypatch.setattr(gc, "freeze", lambda: None)
    monkeypatch.setattr(generator.build.site, "build_site",
                        lambda options, progress=None, memory=None: generator.build.site.BuildReport())
    clock = [100.0]
    monkeypatch.setattr(serve.time, "monotonic", lambda: clock[0])
    state = serve.BuildState()
    rebuilder = serve.Rebuilder(options=None, state=state, say=lambda message: None)
    rebuilder.full()
    assert state.snapshot()[0] == 1 and collections == []  # tabs are told to reload first
    rebuilder.tidy_when_idle()
    assert collections == []  # too soon after the build
    clock[0] += serve.TIDY_AFTER + 0.1
    state.page_requested()  # a tab fetches the rebuilt page
    rebuilder.tidy_when_idle()
    assert collections == []  # too soon after a page
    clock[0] += serve.TIDY_AFTER + 0.1
    rebuilder.tidy_when_idle()
    rebuilder.tidy_when_idle()
    assert collections == [1]  # once, when idle


def test_an_edit_under_static_only_copies_the_assets_into_the_served_site(tmp_path) -> None:
    from types import SimpleNamespace

    import generator.commands.serve as serve
    from generator.core.paths import STATIC

    out = tmp_path / "serve-site"
    out.mkdir()
    said: list[str] = []
    state = serve.BuildState()
    rebuilder = serve.Rebuilder(options=SimpleNamespace(out=out), state=state, say=said.append)
    rebuilder.on_changes([STATIC / "style.css"], STATIC)
    assert (out / "assets" / "style.css").read_bytes() == (STATIC / "style.css").read_bytes()
    assert said == ["copied static assets"] and state.snapshot() == (1, [])


def test_until_the_first_build_is_done_a_page_is_a_building_page_that_reloads_itself(tmp_path) -> None:
    """Not a bare 404: the tab would keep it after the build. The live-reload script brings the page."""
    import generator.commands.serve as serve

    out = tmp_path / "serve-site"
    out.mkdir()
    state = serve.BuildState()
    running = serve.start_server("127.0.0.1", 0, out, state)
    try:
        url = f"http://127.0.0.1:{running.server_address[1]}"
        for path in ("/", "/program.html", "/talks/richtarik.html", "/speakers/niao-he"):
            status, page = _get(url + path)
            assert status == 503 and "Building the site" in page, path
            assert LIVERELOAD_PATH in page and 'http-equiv="refresh"' in page
        assert _get(url + "/assets/style.css")[0] == 404  # not a page: no building page for it
        (out / "index.html").write_text("<html><body><p>the site</p></body></html>", encoding="utf-8")
        status, page = _get(url + "/")
        assert status == 200 and "the site" in page  # a page there already (an earlier run's) is shown
        state.record([])  # the first build is done: a missing page is a missing page again
        assert _get(url + "/program.html")[0] == 404
    finally:
        running.shutdown()
        running.server_close()


def test_the_first_build_reports_progress_and_closes_the_status_line(monkeypatch) -> None:
    import generator.build.site
    import generator.commands.serve as serve

    def build_site(options, progress=None, memory=None):
        progress("figures: computing sharpness")
        return generator.build.site.BuildReport(pages=3)

    monkeypatch.setattr(generator.build.site, "build_site", build_site)
    shown: list[str] = []

    def reporter(message: str) -> None:
        shown.append(message)

    reporter.close = lambda: shown.append("closed")  # type: ignore[attr-defined]
    said: list[str] = []
    serve.Rebuilder(options=None, state=serve.BuildState(), say=said.append).full(progress=reporter)
    assert shown == ["figures: computing sharpness", "closed"]
    assert said and said[0].startswith("built 3 pages")


def test_serve_shares_the_figure_cache_of_build_and_keeps_its_site_state_apart(monkeypatch, tmp_path) -> None:
    """Live figures take minutes: what `symposium build` computed, `serve` reuses, and the other way round."""
    from generator.build.site import BuildOptions
    from generator.commands.serve import serve_cache

    monkeypatch.chdir(tmp_path)
    own = serve_cache(lambda message: pytest.fail(message))
    built = BuildOptions(content=Path("content"), out=Path("site")).cache_dir
    served = BuildOptions(content=Path("content"), out=Path(".cache/serve-site"), cache=own).cache_dir
    assert (served / "figures").resolve() == (built / "figures").resolve() == (tmp_path / ".cache" / "figures")
    assert served.resolve() != built.resolve()  # the manifest and search state describe one site each
    (built / "figures" / "computed-by-build.figure.json").write_text("{}", encoding="utf-8")
    assert (served / "figures" / "computed-by-build.figure.json").is_file()
    assert serve_cache(lambda message: pytest.fail(message)) == own  # a second start finds it as it was


def test_a_running_server_builds_with_the_shared_cache(server) -> None:
    cache = server.content.parent / ".cache"  # the server runs in that folder, as `symposium build` would
    assert (cache / "serve" / "figures").is_symlink()
    assert (cache / "serve" / "figures").resolve() == (cache / "figures").resolve()
    assert (cache / "serve" / "site-manifest.bin").is_file()
    assert not (cache / "site-manifest.bin").exists()
    assert "first build" in server.log.read_text(encoding="utf-8")
