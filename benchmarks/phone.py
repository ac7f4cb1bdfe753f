"""What each page of a big synthetic site costs a phone: bytes, DOM size and main-thread work.

Builds the seeded synthetic content (benchmarks/synth.py) with N talks, serves it on
127.0.0.1, and opens one page of each kind in headless Chromium at 360 x 740 px, once
unthrottled and once with Chromium's 4x CPU throttle (a mid-range phone). For each it
reports the HTML's bytes, the bytes the first visit downloaded, DOM nodes, and the
main-thread work until the page settled (CDP Performance.getMetrics: TaskDuration, which
counts script, style, layout and paint on the main thread). Those visits block the service
worker; one more visit to the home page lets it install and counts the bytes the server sent
(the page, its assets and what the worker stores on a first visit). Last, the largest HTML page.

    python benchmarks/phone.py 1000 10000          # prints one table per N
    python benchmarks/phone.py 2000 --out /tmp/phone --keep

Chromium is Debian's /usr/bin/chromium, driven by Playwright (never a downloaded browser).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

import synth  # noqa: E402

from generator.build.site import BuildOptions, build_site  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 360, "height": 740}
#: Phone-class pages to measure (the first talk and speaker pages stand for their kinds).
FIXED_PAGES = ["index.html", "program.html", "speakers.html", "my-schedule.html", "search.html",
               "practical.html", "publications.html"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".js": "text/javascript", ".wasm": "application/wasm", ".webmanifest": "application/manifest+json"}

    def log_message(self, format: str, *args: object) -> None:
        pass

    def copyfile(self, source, outputfile) -> None:  # counts the bytes the server sends (the first visit's)
        self.server.sent += os.fstat(source.fileno()).st_size
        super().copyfile(source, outputfile)


def build(n_talks: int, folder: Path) -> Path:
    content = synth.write_content(synth.generate(n_talks), folder / "content")
    out = folder / "site"
    started = time.perf_counter()
    build_site(BuildOptions(content=content, out=out, figures=False, search=True, cache=folder / ".cache"))
    print(f"N={n_talks}: built in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return out


def pages_of(site: Path) -> list[str]:
    pages = [page for page in FIXED_PAGES if (site / page).is_file()]
    pages += sorted(path.relative_to(site).as_posix() for path in site.glob("program*/**/*.html"))[:1]
    for folder in ("speakers/list", "publications"):  # the pages of long lists, where they are split
        pages += sorted(path.relative_to(site).as_posix() for path in (site / folder).glob("*.html"))[:1]
    pages += sorted(path.relative_to(site).as_posix() for path in (site / "talks").glob("*.html"))[:1]
    pages += sorted(path.relative_to(site).as_posix() for path in (site / "speakers").glob("*.html"))[:1]
    return pages


def measure_page(browser, url: str, throttle: float) -> dict[str, float]:
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  service_workers="block")
    page = context.new_page()
    client = context.new_cdp_session(page)
    client.send("Performance.enable")
    client.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
    downloaded = []
    page.on("response", lambda response: downloaded.append(response))
    page.goto(url, wait_until="load", timeout=600_000)
    page.wait_for_timeout(500)  # let deferred scripts run
    metrics = {item["name"]: item["value"] for item in client.send("Performance.getMetrics")["metrics"]}
    nodes = page.evaluate("document.getElementsByTagName('*').length")
    total = 0
    for response in downloaded:
        try:
            total += len(response.body())
        except Exception:  # noqa: BLE001 - a redirect or an aborted request has no body
            pass
    context.close()
    return {"main_ms": metrics.get("TaskDuration", 0.0) * 1000, "nodes": nodes, "downloaded": total}


def first_visit(browser, base: str, server) -> int:
    """Bytes the server sends for a first visit to the home page with the service worker on: the page, its
    assets and data, and what the worker stores when it installs (sw.js: the shell and what fits its budget)."""
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    server.sent = 0
    page.goto(base + "index.html", wait_until="load", timeout=600_000)
    page.wait_for_function("""async () => {
        const registration = await navigator.serviceWorker.ready;
        return Boolean(registration.active);
    }""", timeout=600_000)
    page.wait_for_timeout(1000)  # the worker activated: its install (the precache) is done
    context.close()
    return server.sent


def run(n_talks: int, folder: Path) -> list[tuple]:
    from playwright.sync_api import sync_playwright

    site = build(n_talks, folder)
    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.sent = 0
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}/"
    rows = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                                "--disable-component-update", "--no-first-run"])
            for page in pages_of(site):
                fast = measure_page(browser, base + page, 1)
                slow = measure_page(browser, base + page, 4)
                rows.append((page, (site / page).stat().st_size, fast["downloaded"], fast["nodes"],
                             fast["main_ms"], slow["main_ms"]))
            rows.append(("first visit to index.html with the service worker (bytes served)", None,
                         first_visit(browser, base, server), None, None, None))
            browser.close()
    finally:
        server.shutdown()
    largest = max((path for path in site.rglob("*.html") if "pagefind" not in path.parts), key=lambda p: p.stat().st_size)
    rows.append((f"largest HTML page: {largest.relative_to(site).as_posix()}", largest.stat().st_size,
                 None, None, None, None))
    return rows


def table(n_talks: int, rows: list[tuple]) -> str:
    lines = [f"N = {n_talks:,} talks, 360 px viewport",
             "| page | HTML bytes | first visit downloads | DOM nodes | main thread 1x (ms) | 4x throttle (ms) |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for page, html, downloaded, nodes, fast, slow in rows:
        cells = [page, html, downloaded, nodes, fast, slow]
        lines.append("| " + " | ".join(cell if isinstance(cell, str) else "" if cell is None else
                                       f"{cell:,.0f}" for cell in cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="+", type=int, help="numbers of talks, e.g. 1000 10000")
    parser.add_argument("--out", type=Path, default=None, help="working folder (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the built sites")
    args = parser.parse_args()
    for n_talks in args.sizes:
        folder = (args.out or Path(tempfile.mkdtemp(prefix="phone-"))) / f"n{n_talks}"
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        try:
            print(table(n_talks, run(n_talks, folder)))
            print()
        finally:
            if not args.keep:
                shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
