"""Markdown from content -> safe HTML.

Organizers paste abstracts and biographies from e-mails and forms, so the HTML
that Markdown lets through is sanitized with nh3 (Ammonia) to a small
allow-list: no scripts, styles, frames, event handlers or javascript:/data: URLs.
"""

from __future__ import annotations

import functools
import html
import re
from html.parser import HTMLParser

import markdown as markdown_lib
import nh3

ALLOWED_TAGS = {
    "p", "br", "em", "strong", "b", "i", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "sub", "sup", "abbr", "span", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}, "td": set(), "span": {"lang"}}
URL_SCHEMES = {"http", "https", "mailto"}


#: Python-Markdown is recursive and, for some inputs, quadratic: 8,000 "[" take 25 s and 2,000 nested
#: "1. " overflow the stack. Content stays far inside these limits (the longest real text has 2,000
#: characters and 5 brackets); models.py refuses text beyond them, so a build cannot hang or crash.
MAX_MARKDOWN_CHARACTERS = 10_000
MAX_BRACKETS = 100
MAX_NESTING = 20
_CONTAINER = re.compile(r"(?:[-*+]|\d{1,9}[.)]|>)(?:[ \t]+|$)")
_RULE = re.compile(r"^\s*([-*_])(?:[ \t]*\1){2,}[ \t]*$")
#: A line nested more than MAX_NESTING deep starts with at least that many characters of indentation
#: and list/quote markers (a tab is the shortest: one character, one level).
_DEEP_PREFIX = re.compile(r"^[ \t>*+\-0-9.)]{%d,}" % MAX_NESTING, re.MULTILINE)


def markdown_problem(text: str) -> str | None:
    """Why ``text`` is beyond what the Markdown renderer handles quickly and safely, or None."""
    if len(text) > MAX_MARKDOWN_CHARACTERS:
        return (f"the text is {len(text):,} characters long; a Markdown text holds at most "
                f"{MAX_MARKDOWN_CHARACTERS:,} (about 1,500 words): shorten it, or link to a longer text")
    if text.count("[") > MAX_BRACKETS:
        return f"the text has {text.count('[')} '[' characters; at most {MAX_BRACKETS} (each link uses one)"
    if not _DEEP_PREFIX.search(text):  # no line could nest that deep: skip the line-by-line count
        return None
    return deep_nesting(text)


def deep_nesting(text: str) -> str | None:
    """The first line nesting lists or quotes more than MAX_NESTING deep, described; or None."""
    for number, line in enumerate(text.splitlines(), start=1):
        if _RULE.match(line):
            continue
        expanded = line.expandtabs(4)
        rest = expanded.lstrip(" ")
        depth = (len(expanded) - len(rest)) // 4
        while (marker := _CONTAINER.match(rest)) is not None:
            depth += 1
            rest = rest[marker.end():]
        if depth > MAX_NESTING:
            return (f"the text nests lists or quotes {depth} levels deep on its line {number}; "
                    f"at most {MAX_NESTING}")
    return None


@functools.lru_cache(maxsize=None)
def _converter() -> markdown_lib.Markdown:
    return markdown_lib.Markdown(extensions=["sane_lists", "smarty"], output_format="html")


def sanitize(html: str) -> str:
    """Keep only the allow-listed tags and attributes; external links get rel=noopener."""
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer", strip_comments=True)


#: Rendered HTML by Markdown source. Unbounded on purpose: a build renders each
#: abstract for its page, its JSON-LD and its calendar entry; a 10,000-talk
#: program holds a few tens of MB here, and a persistent build cache refills it.
_RENDERED: dict[str, str] = {}


def render_markdown(text: str | None) -> str:
    """Markdown to sanitized HTML, each distinct text converted once per process."""
    if not text:
        return ""
    html = _RENDERED.get(text)
    if html is None:
        converter = _converter()
        converter.reset()
        html = _RENDERED[text] = sanitize(converter.convert(text))
    return html


def remember(rendered: dict[str, str]) -> None:
    """Add renderings made elsewhere (a worker process, the build cache) so they are not redone."""
    _RENDERED.update(rendered)


def rendered_since(known: set[str]) -> dict[str, str]:
    """Renderings this process made that ``known`` lacks: what a worker hands back."""
    return {text: html for text, html in _RENDERED.items() if text not in known}


def render_inline(text: str | None) -> str:
    """Markdown for one line (a title): no surrounding paragraph."""
    html = render_markdown(text)
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html


class _TextExtractor(HTMLParser):
    BLOCKS = {"p", "li", "br", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr", "hr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.href: str | None = None
        self.link_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS:
            self.parts.append("\n\n" if tag not in ("li", "br", "tr") else "\n")
        if tag == "li":
            self.parts.append("- ")
        if tag == "a":
            self.href = dict(attrs).get("href")
            self.link_text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.href and self.href not in "".join(self.link_text):
            self.parts.append(f" ({self.href})")
        if tag == "a":
            self.href = None

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        if self.href is not None:
            self.link_text.append(data)


_TAG_LIKE = re.compile(r"<[A-Za-z!/?]")


_UNSAFE_LINK = re.compile(r"(\]\(\s*<?\s*)(?:javascript|vbscript|data|file)\s*:[^)\s]*", re.IGNORECASE)


def feed_markdown(markdown: str | None) -> str | None:
    """Markdown for a feed that apps may render: any raw HTML in it is stripped (nh3), the text kept.

    Text without anything tag-like passes through unchanged, so ordinary abstracts
    (with '&' or 'a < b') survive a round trip through the feed byte for byte.
    """
    if not markdown:
        return markdown
    markdown = _UNSAFE_LINK.sub(r"\1#", markdown)  # [text](javascript:...) -> [text](#)
    if not _TAG_LIKE.search(markdown):
        return markdown
    for _ in range(3):  # entities that decode to new tags are stripped on the next pass
        markdown = nh3.clean(markdown, tags=set(), strip_comments=True)
        if not _TAG_LIKE.search(markdown):
            break
    return markdown


def plain_text(markdown: str | None) -> str:
    """Markdown as readable plain text (for iCalendar, which has no markup): links keep their address."""
    if not markdown:
        return ""
    extractor = _TextExtractor()
    extractor.feed(render_markdown(markdown))
    extractor.close()
    lines = [line.strip() for line in html.unescape("".join(extractor.parts)).splitlines()]
    text = "\n".join(lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip()
