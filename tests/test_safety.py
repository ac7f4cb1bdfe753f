"""Content is data, never code: hostile markup in any text field cannot reach a built page as markup.

One site is built (module fixture) from a small content tree whose abstracts,
bios, titles, names, affiliations, notes and descriptions carry script
injections; every output file is then parsed and searched for anything
that would run. Also: ids cannot leave the output folder, and photos must
be real images inside content/.
"""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from defusedxml import ElementTree

from generator.build.site import BuildOptions, build_site
from generator.content.markup import render_inline, render_markdown, sanitize
from generator.content.pipeline import load_program
from generator.core.diagnostics import ContentError
from generator.core.files import OutputFile

BASE = Path(__file__).resolve().parent / "bad_content" / "base"

#: Every payload carries PWNED so that a surviving piece is easy to find.
PAYLOADS = [
    '<script>alert("PWNED")</script>',
    '<img src=x onerror="alert(\'PWNED\')">',
    '<svg onload="alert(\'PWNED\')"><circle r="1"/></svg>',
    '<iframe src="https://evil.example/PWNED"></iframe>',
    '<style>body { background: url("https://evil.example/PWNED") }</style>',
    '<object data="https://evil.example/PWNED.swf"></object>',
    '<embed src="https://evil.example/PWNED.swf">',
    '<a href="javascript:alert(\'PWNED\')">click</a>',
    '<a href="JaVaScRiPt:alert(\'PWNED\')">click</a>',
    '<a href="&#106;avascript:alert(\'PWNED\')">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5QV05FRDwvc2NyaXB0Pg==">PWNED data</a>',
    '<p onmouseover="alert(\'PWNED\')">hover</p>',
    '<form action="https://evil.example/PWNED"><input name="q"></form>',
    '<math><mi xlink:href="javascript:alert(\'PWNED\')">x</mi></math>',
    '<base href="https://evil.example/PWNED/">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example/PWNED">',
    '[markdown link](javascript:alert("PWNED"))',
    '![markdown image](javascript:alert("PWNED"))',
    '[data link](data:text/html,<script>alert("PWNED")</script>)',
    '<!-- PWNED comment --><div style="background:url(javascript:alert(\'PWNED\'))">styled</div>',
]
HOSTILE_MARKDOWN = "\n\n".join(PAYLOADS)
#: Single-line fields (titles, names, ...) are plain text, escaped wherever they go; BROKEOUT marks them.
BREAKOUT = '</script><script>alert("BROKEOUT")</script><img src=x onerror=alert("BROKEOUT")>'
TAGLINE = "<b onclick=alert(1)>BROKEOUT</b>"
AFFILIATION = "<iframe src=//evil.example>BROKEOUT</iframe>"
SINGLE_LINE_PAYLOADS = [BREAKOUT, TAGLINE, AFFILIATION]
DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "style", "form", "input", "base", "meta", "svg", "math",
                  "frame", "frameset", "applet", "link"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset"}


def _yaml_block(text: str, indent: int = 2) -> str:
    pad = " " * indent
    return "|\n" + "".join(pad + line + "\n" if line else "\n" for line in text.splitlines())


def _quoted(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid YAML double-quoted scalar


def hostile_tree(folder: Path) -> Path:
    """The base tree with payloads in every free-text field an organizer fills in."""
    content = folder / "content"
    shutil.copytree(BASE, content)
    (content / "event.yaml").write_text(
        f"name: {_quoted('Symposium ' + BREAKOUT)}\nstart: 2026-05-05\nend: 2026-05-06\n"
        f"timezone: Europe/Stockholm\ncity: {_quoted('Lund ' + BREAKOUT)}\ndefault_venue: main-hall\n"
        f"tagline: {_quoted(TAGLINE)}\ndescription: {_yaml_block(HOSTILE_MARKDOWN)}"
        f"links:\n  - label: {_quoted(BREAKOUT)}\n    url: https://example.org/\n"
        f"tracks:\n  - id: theory\n    name: {_quoted('Theory ' + BREAKOUT)}\n"
        f"    description: {_yaml_block(HOSTILE_MARKDOWN, 6)}",
        encoding="utf-8")
    (content / "venues.yaml").write_text(
        f"venues:\n  - id: main-hall\n    name: {_quoted('Hall ' + BREAKOUT)}\n"
        f"    address: {_quoted(BREAKOUT + ' street')}\n"
        f"    notes: {_yaml_block(HOSTILE_MARKDOWN, 6)}"
        "    rooms:\n      - id: room-a\n        name: Room A\n      - id: room-b\n        name: Room B\n",
        encoding="utf-8")
    program = (content / "program/2026-05-05.yaml").read_text(encoding="utf-8")
    program = program.replace("title: Day 1", f"title: {_quoted('Day ' + BREAKOUT)}")
    program = program.replace("    title: Coffee\n", f"    title: {_quoted('Coffee ' + BREAKOUT)}\n"
                                                     f"    notes: {_yaml_block(HOSTILE_MARKDOWN, 6)}")
    (content / "program/2026-05-05.yaml").write_text(program, encoding="utf-8")
    (content / "talks/first-talk.yaml").write_text(
        f"title: {_quoted('Edge of Stability ' + BREAKOUT)}\n"
        f"subtitle: {_quoted(BREAKOUT)}\nspeakers: [ada-lovelace]\ntrack: theory\n"
        f"abstract: {_yaml_block(HOSTILE_MARKDOWN)}joint_work: [{_quoted(BREAKOUT)}]\n"
        f"links:\n  - label: {_quoted('<svg onload=alert(1)>')}\n    url: https://example.org/slides\n",
        encoding="utf-8")
    (content / "speakers/ada-lovelace.yaml").write_text(
        f"name: {_quoted('Ada ' + BREAKOUT)}\nfamily_name: Lovelace\n"
        f"affiliations: [{_quoted(AFFILIATION)}]\n"
        f"position: {_quoted(BREAKOUT)}\nbio: {_yaml_block(HOSTILE_MARKDOWN)}about: {_yaml_block(HOSTILE_MARKDOWN)}"
        "photo: photos/ada-lovelace.jpg\n"
        f"interests:\n  - title: {_quoted(BREAKOUT)}\n    description: {_yaml_block(HOSTILE_MARKDOWN, 6)}"
        f"publications:\n  - title: {_quoted('Notes ' + BREAKOUT)}\n    authors: [{_quoted('Ada ' + BREAKOUT)}]\n"
        f"    venue: {_quoted(BREAKOUT)}\n    year: 1936\n    abstract: {_yaml_block(HOSTILE_MARKDOWN, 6)}"
        f"    notes: {_quoted(BREAKOUT)}\n",
        encoding="utf-8")
    return content


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    content = hostile_tree(folder)
    build_site(BuildOptions(content=content, out=folder / "site", figures=False, search=False))
    return folder / "site"


class _Elements(HTMLParser):
    """Collects every start tag with its attributes, and the text of each <script>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[tuple[dict[str, str], str]] = []
        self._script: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self.tags.append((tag, attributes))
        if tag == "script":
            self._script = attributes
            self.scripts.append((attributes, ""))

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            attributes, text = self.scripts[-1]
            self.scripts[-1] = (attributes, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None


def parse_html(text: str) -> _Elements:
    parser = _Elements()
    parser.feed(text)
    parser.close()
    return parser


def site_files(site: Path, *suffixes: str) -> list[Path]:
    return sorted(path for path in site.rglob("*") if path.is_file() and path.suffix in suffixes)


def test_the_hostile_content_is_valid_content(tmp_path: Path) -> None:
    """Markup in text is allowed (and made harmless), so the build below really renders it."""
    program = load_program(hostile_tree(tmp_path))
    assert "<script>" in program.talks["first-talk"].abstract


def test_no_page_contains_a_dangerous_element(hostile_site: Path) -> None:
    pages = site_files(hostile_site, ".html")
    assert len(pages) >= 8
    for page in pages:
        for tag, attributes in parse_html(page.read_text(encoding="utf-8")).tags:
            if tag in DANGEROUS_TAGS - {"script", "meta", "link", "svg", "form", "input"}:
                pytest.fail(f"{page.relative_to(hostile_site)}: <{tag} {attributes}>")
            if tag in ("meta", "link", "svg", "form", "input"):  # the site's own: content only as inert text
                assert "evil.example" not in attributes.get("href", "") + attributes.get("action", ""), page
                assert attributes.get("http-equiv", "").lower() != "refresh", (page, attributes)
                assert not any(name.startswith("on") for name in attributes), (page, tag, attributes)


def test_no_page_has_an_event_handler_or_script_url(hostile_site: Path) -> None:
    for page in site_files(hostile_site, ".html"):
        for tag, attributes in parse_html(page.read_text(encoding="utf-8")).tags:
            for name, value in attributes.items():
                where = f"{page.relative_to(hostile_site)}: <{tag} {name}={value!r}>"
                assert not name.startswith("on"), where
                assert name != "style" or "PWNED" not in value and "url(" not in value, where
                if name in URL_ATTRIBUTES:
                    scheme = re.sub(r"[\s\x00-\x1f]", "", value).lower()
                    assert not scheme.startswith(("javascript:", "data:", "vbscript:")), where


def test_every_script_is_the_sites_own_or_inert_json(hostile_site: Path) -> None:
    """A '</script>' in a title cannot close the JSON-LD block and open a script of its own."""
    json_ld = 0
    for page in site_files(hostile_site, ".html"):
        for attributes, text in parse_html(page.read_text(encoding="utf-8")).scripts:
            where = page.relative_to(hostile_site)
            if attributes.get("type") in ("application/ld+json", "application/json"):  # data, not code
                json_ld += 1
                assert "<" not in text, (where, text)
                json.loads(text)  # still one valid JSON document
            else:
                assert "alert(" not in text and "PWNED" not in text and "BROKEOUT" not in text, (where, text)
    assert json_ld > 0, "no JSON-LD block was checked"


def test_json_ld_carries_no_active_markup(hostile_site: Path) -> None:
    """Structured data is read by search engines and link previews: descriptions are plain text."""
    checked = 0
    for page in site_files(hostile_site, ".html"):
        for attributes, text in parse_html(page.read_text(encoding="utf-8")).scripts:
            if attributes.get("type") != "application/ld+json":
                continue
            for value in _json_strings(json.loads(text)):
                checked += 1
                for literal in SINGLE_LINE_PAYLOADS:
                    value = value.replace(literal, "")
                assert not ACTIVE.search(value), f"{page.relative_to(hostile_site)}: {value[:200]!r}"
    assert checked


def test_the_payload_text_is_shown_as_text_not_lost(hostile_site: Path) -> None:
    """Escaping, not deletion, for single-line fields: the talk page still shows its literal title."""
    page = (hostile_site / "talks/first-talk.html").read_text(encoding="utf-8")
    assert "Edge of Stability" in page
    assert "&lt;/script&gt;&lt;script&gt;" in page or "&lt;/script>&lt;script>" in page


def _json_strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _json_strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _json_strings(item)]
    return []


ACTIVE = re.compile(r"<\s*(script|iframe|object|embed|style|svg|img|form|base|meta|math|a|p|div)\b|\bon\w+\s*=|"
                    r"javascript:|data:text/html|<!--", re.IGNORECASE)


@pytest.mark.parametrize("name", [pytest.param("schedule.json"),
                                  pytest.param("schedule.xml"),
                                  "schedule.ics", "talks/first-talk.ics"])
def test_exports_carry_no_active_markup(hostile_site: Path, name: str) -> None:
    """Feeds are read by calendar apps and other sites, which may render HTML.

    Markdown fields (abstracts, bios, notes; marked PWNED) reach them as plain text or sanitized HTML;
    single-line fields (marked BROKEOUT) are the organizer's literal text, correctly escaped for each format.
    """
    path = hostile_site / name
    if not path.is_file():
        pytest.skip(f"{name} is not written yet")
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        values = _json_strings(json.loads(text))
    elif path.suffix == ".xml":
        values = [t for element in ElementTree.fromstring(text.encode("utf-8")).iter()
                  for t in (element.text, element.tail, *element.attrib.values()) if t]
    else:
        unfolded = text.replace("\n ", "").replace("\n\t", "")
        values = [line.replace("\\n", "\n").replace("\\,", ",").replace("\\;", ";") for line in unfolded.splitlines()]
    assert any("PWNED" in value for value in values), "the hostile abstracts did not reach this export at all"
    for value in values:
        for literal in SINGLE_LINE_PAYLOADS:
            value = value.replace(literal, "")
        assert not ACTIVE.search(value), f"{name}: {value[:300]!r}"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_rendering_drops_every_payload(payload: str) -> None:
    html = render_markdown(payload)
    for tag, attributes in parse_html(html).tags:
        assert tag not in DANGEROUS_TAGS, html
        assert not any(name.startswith("on") or name == "style" for name in attributes), html
        for name in URL_ATTRIBUTES & set(attributes):
            assert attributes[name].lower().startswith(("http:", "https:", "mailto:", "#", "/")) or \
                ":" not in attributes[name].split("/")[0], html
    attribute_values = [value.lower() for _, attributes in parse_html(html).tags for value in attributes.values()]
    assert not any("javascript:" in value or "data:" in value for value in attribute_values), html


def test_the_sanitizer_keeps_ordinary_markup() -> None:
    html = render_markdown("*emphasis*, **strong**, `code`, [a link](https://example.org) and\n\n- a list")
    assert "<em>emphasis</em>" in html and "<strong>strong</strong>" in html and "<code>code</code>" in html
    assert '<a href="https://example.org" rel="noopener noreferrer">a link</a>' in html
    assert "<li>a list</li>" in html
    assert render_inline("A *title*") == "A <em>title</em>"
    assert sanitize('<a href="mailto:x@example.org">mail</a>') == \
        '<a href="mailto:x@example.org" rel="noopener noreferrer">mail</a>'


@pytest.mark.parametrize("path", ["../x.html", "/etc/passwd", "talks/../../x", "a/./b", "", ".", "talks//x.html",
                                  "..", "talks/.."])
def test_an_output_path_cannot_leave_the_site_folder(path: str) -> None:
    with pytest.raises(ValueError, match="outside the site folder"):
        OutputFile(path, b"")


def test_every_built_file_lies_inside_the_site_folder(hostile_site: Path) -> None:
    root = hostile_site.resolve()
    files = [path for path in hostile_site.rglob("*") if path.is_file() or path.is_symlink()]
    assert files
    for path in files:
        assert not path.is_symlink(), path
        assert root in path.resolve().parents, path


def _check_errors(content: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_program(content)
    return [problem.format() for problem in caught.value.diagnostics.sorted()]


def test_a_photo_symlinked_from_outside_content_is_refused(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(BASE, content)
    secret = tmp_path / "secret.jpg"
    secret.write_bytes((content / "photos/ada-lovelace.jpg").read_bytes())
    (content / "photos/ada-lovelace.jpg").unlink()
    (content / "photos/ada-lovelace.jpg").symlink_to(secret)
    assert _check_errors(content) == [
        "content/speakers/ada-lovelace.yaml:5:8: error: photo 'photos/ada-lovelace.jpg' is outside the content "
        "folder (give a path inside content/, e.g. photos/jane-doe.jpg)"]


@pytest.mark.parametrize(("name", "data", "accepted"), [
    ("a.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 8, True),
    ("a.gif", b"GIF89a" + b"\x00" * 8, True),
    ("a.webp", b"RIFF\x00\x00\x00\x00WEBPVP8 ", True),
    ("a.avif", b"\x00\x00\x00\x1cftypavif\x00\x00", True),
    ("a.png", b"\xff\xd8\xff\xe0 a JPEG named .png", False),
    ("a.webp", b"<svg onload=alert(1)>", False),
    ("a.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", False),
    ("a.html", b"<html></html>", False),
])
def test_a_photo_must_be_an_image_of_an_allowed_type(tmp_path: Path, name: str, data: bytes, accepted: bool) -> None:
    content = tmp_path / "content"
    shutil.copytree(BASE, content)
    (content / "photos" / name).write_bytes(data)
    speaker = content / "speakers/ada-lovelace.yaml"
    speaker.write_text(speaker.read_text(encoding="utf-8").replace("photos/ada-lovelace.jpg", f"photos/{name}"),
                       encoding="utf-8")
    if accepted:
        assert load_program(content).speakers["ada-lovelace"].photo == f"photos/{name}"
    else:
        errors = _check_errors(content)
        assert len(errors) == 1, errors
        assert errors[0].startswith("content/speakers/ada-lovelace.yaml:5:8: error: photo "), errors
