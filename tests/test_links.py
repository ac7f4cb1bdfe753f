"""No broken links: every href, src and srcset in the built site resolves.

Each page is parsed with html.parser; relative links are resolved against the
page's own address (so ``../speakers/x.html`` from ``talks/`` works), a link
that starts with ``/`` against the site root. Internal links must name an
existing file, and a ``#fragment`` an element id in the target page (or the
same page). External http(s) and mailto links are not fetched (no network),
only checked to be well formed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

import pytest

LINK_ATTRIBUTES = {"href", "src", "srcset", "poster", "action"}
EXTERNAL_SCHEMES = {"http", "https", "mailto"}
HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?(:\d{1,5})?$"
                      r"|^(localhost|\d{1,3}(\.\d{1,3}){3})(:\d{1,5})?$", re.IGNORECASE)
EMAIL = re.compile(r"^[^@\s/]+@([a-z0-9-]+\.)+[a-z]{2,63}$", re.IGNORECASE)
SITE = "http://site.invalid/"  # a stand-in origin so urljoin resolves '../x' and '/x' the way a browser would


@dataclass
class Link:
    page: str  # the page's path inside the site, e.g. "talks/a.html"
    line: int
    attribute: str
    value: str

    def __str__(self) -> str:
        return f"{self.page}:{self.line}: {self.attribute}={self.value!r}"


@dataclass
class ParsedPage(HTMLParser):
    """One page's element ids and outgoing links, with line numbers."""

    name: str
    ids: set[str] = field(default_factory=set)
    links: list[Link] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (name == "name" and tag == "a"):
                self.ids.add(value)
            elif name in LINK_ATTRIBUTES and not (tag == "a" and name == "href" and value == ""):
                for url in (srcset_urls(value) if name == "srcset" else [value.strip()]):
                    self.links.append(Link(self.name, line, name, url))

    handle_startendtag = handle_starttag


def srcset_urls(srcset: str) -> list[str]:
    """The URLs of a ``srcset`` ("a.png 1x, b.png 2x"): the first word of each comma-separated candidate."""
    return [candidate.split()[0] for candidate in srcset.split(",") if candidate.strip()]


def parse_site(site: Path) -> dict[str, ParsedPage]:
    """Every generated page of ``site`` by its site-relative path (Pagefind's bundled UI is not ours)."""
    pages = {}
    for path in sorted(site.rglob("*.html")):
        name = path.relative_to(site).as_posix()
        if name.startswith("pagefind/"):
            continue
        page = ParsedPage(name)
        page.feed(path.read_text(encoding="utf-8"))
        page.close()
        pages[name] = page
    return pages


def target_of(link: Link) -> tuple[str, str] | None:
    """(site-relative path, fragment) that an internal link points to; None for an external one."""
    parts = urlsplit(link.value)
    if parts.scheme or parts.netloc:
        return None
    resolved = urlsplit(urljoin(SITE + link.page, link.value))
    path = unquote(resolved.path).lstrip("/")
    if path == "" or path.endswith("/"):
        path += "index.html"
    return str(PurePosixPath(path)), unquote(resolved.fragment)


def broken_internal_links(site: Path, pages: dict[str, ParsedPage]) -> list[str]:
    """Links whose file is missing, one line each (like a browser, '..' stops at the site root)."""
    problems = []
    root = site.resolve()
    for page in pages.values():
        for link in page.links:
            target = target_of(link)
            if target is None:
                continue
            file = (site / target[0]).resolve()
            if not file.is_relative_to(root) or not file.is_file():
                problems.append(f"{link}: no file {target[0]}")
    return problems


def broken_fragments(site: Path, pages: dict[str, ParsedPage]) -> list[str]:
    """Links whose ``#fragment`` names no id in the target page, one line each."""
    problems = []
    for page in pages.values():
        for link in page.links:
            target = target_of(link)
            if target is None or not target[1] or not (site / target[0]).is_file():
                continue
            path, fragment = target
            if path not in pages:
                problems.append(f"{link}: #{fragment} into {path}, which is not an HTML page")
            elif fragment != "top" and fragment not in pages[path].ids:  # '#top' scrolls to the top by definition
                problems.append(f"{link}: no id {fragment!r} in {path}")
    return problems


def malformed_external_links(pages: dict[str, ParsedPage]) -> list[str]:
    """External links that a browser could not follow: unknown scheme, no host, spaces, a bad e-mail address."""
    problems = []
    for page in pages.values():
        for link in page.links:
            parts = urlsplit(link.value)
            if not (parts.scheme or parts.netloc):
                continue
            if parts.scheme == "data" and link.attribute == "src":
                continue
            if parts.scheme not in EXTERNAL_SCHEMES:
                problems.append(f"{link}: scheme {parts.scheme!r} is not http(s) or mailto")
            elif parts.scheme == "mailto":
                if not EMAIL.match(unquote(parts.path)):
                    problems.append(f"{link}: not an e-mail address")
            elif not HOSTNAME.match(parts.netloc) or re.search(r"\s", link.value):
                problems.append(f"{link}: not a well-formed web address")
    return problems


@pytest.fixture(scope="module", params=["figures_site", "multitrack_site", "split_site"])
def site(request: pytest.FixtureRequest) -> tuple[Path, dict[str, ParsedPage]]:
    """The real site (with its live figures), the multi-track example and a synthetic program split into a
    page per day (day strips, pagers, list pages), each parsed once."""
    folder = request.getfixturevalue(request.param)
    if isinstance(folder, tuple):  # figures_site is (folder, with_figures)
        folder = folder[0]
    return folder, parse_site(folder)


def test_every_page_links_somewhere(site):
    folder, pages = site
    assert len(pages) > 10 and all(page.links for page in pages.values()), \
        [name for name, page in pages.items() if not page.links]
    assert any(name.startswith("talks/") for name in pages) and any(name.startswith("speakers/") for name in pages)


def test_every_internal_link_points_to_an_existing_file(site):
    folder, pages = site
    problems = broken_internal_links(folder, pages)
    assert not problems, "\n".join(problems)


def test_every_fragment_points_to_an_existing_id(site):
    folder, pages = site
    problems = broken_fragments(folder, pages)
    assert not problems, "\n".join(problems)


def test_external_links_are_well_formed(site):
    folder, pages = site
    problems = malformed_external_links(pages)
    assert not problems, "\n".join(problems)


# The checker itself, on a hand-made two-folder site: each broken link is reported with its page and line.

def tiny_site(folder: Path) -> Path:
    (folder / "talks").mkdir(parents=True)
    (folder / "index.html").write_text(
        '<main id="main"><a href="talks/a.html#abstract">a</a>\n<a href="talks/missing.html">m</a>\n'
        '<a href="#nowhere">n</a> <img src="logo.png" srcset="logo.png 1x, logo@2x.png 2x" alt=""></main>',
        encoding="utf-8")
    (folder / "logo.png").write_bytes(b"")
    (folder / "talks" / "a.html").write_text(
        '<h2 id="abstract">A</h2>\n<a href="../index.html#main">home</a>\n<a href="/index.html#gone">x</a>\n'
        '<a href="../../etc/passwd">up</a>\n<a href="https://exa mple.org/">s</a> <a href="https://lu.se/x#y">ok</a>\n'
        '<a href="mailto:someone">e</a> <a href="mailto:a@b.se">ok</a> <a href="javascript:alert(1)">j</a>',
        encoding="utf-8")
    return folder


def test_the_checker_reports_missing_files_with_page_and_line(tmp_path):
    folder = tiny_site(tmp_path)
    problems = broken_internal_links(folder, parse_site(folder))
    assert problems == ["index.html:2: href='talks/missing.html': no file talks/missing.html",
                        "index.html:3: srcset='logo@2x.png': no file logo@2x.png",
                        "talks/a.html:4: href='../../etc/passwd': no file etc/passwd"]


def test_the_checker_reports_fragments_without_an_id(tmp_path):
    folder = tiny_site(tmp_path)
    problems = broken_fragments(folder, parse_site(folder))
    assert problems == ["index.html:3: href='#nowhere': no id 'nowhere' in index.html",
                        "talks/a.html:3: href='/index.html#gone': no id 'gone' in index.html"]


def test_the_checker_reports_malformed_external_links(tmp_path):
    problems = malformed_external_links(parse_site(tiny_site(tmp_path)))
    assert problems == ["talks/a.html:5: href='https://exa mple.org/': not a well-formed web address",
                        "talks/a.html:6: href='mailto:someone': not an e-mail address",
                        "talks/a.html:6: href='javascript:alert(1)': scheme 'javascript' is not http(s) or mailto"]
