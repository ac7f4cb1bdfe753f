"""Screenshots of the built site for people to look at: ``python tests/screenshots.py SITE_DIR OUT_DIR``.

Writes phone (360×800) and desktop (1280×900) full-page PNGs of the home,
program, a talk and a speaker page, in light and dark mode. The program is
pinned to a moment during the event (``?now=``) so the now/next marks show.
Used by ``make screenshots``; needs Playwright and /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest import CHROMIUM, serve  # noqa: E402

VIEWPORTS = {"phone": {"width": 360, "height": 800}, "desktop": {"width": 1280, "height": 900}}
SCHEMES = ("light", "dark")


def pages(site: Path) -> dict[str, str]:
    """Name -> path of the pages to photograph: home, program, the first talk and speaker with text."""
    talks = sorted(site.glob("talks/*.html"))
    speakers = sorted(site.glob("speakers/*.html"))
    chosen_talk = next((p for p in talks if "central-flows-part-1" in p.name), talks[0] if talks else None)
    chosen_speaker = next((p for p in speakers if p.stem == "alex-damian"), speakers[0] if speakers else None)
    result = {"home": "index.html", "program": "program.html?now=2026-05-07T10:55"}
    if chosen_talk:
        result["talk"] = chosen_talk.relative_to(site).as_posix()
    if chosen_speaker:
        result["speaker"] = chosen_speaker.relative_to(site).as_posix()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--viewport-only", action="store_true", help="only the first screenful, not the whole page")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        print(f"error: {args.site} holds no built site (run `make site` first)", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    server = serve(args.site)
    base = next(server)
    written = 0
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM),
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                      "--disable-component-update", "--no-first-run"])
            for device, viewport in VIEWPORTS.items():
                for scheme in SCHEMES:
                    context = browser.new_context(viewport=viewport, color_scheme=scheme, service_workers="block")
                    page = context.new_page()
                    for name, path in pages(args.site).items():
                        page.goto(base + path)
                        page.wait_for_load_state("networkidle")
                        target = args.out / f"{device}-{scheme}-{name}.png"
                        page.screenshot(path=str(target), full_page=not args.viewport_only)
                        written += 1
                    context.close()
            browser.close()
    finally:
        server.close()
    print(f"wrote {written} screenshots to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
