"""Markdown from content -> safe HTML.

Organizers paste abstracts and biographies from e-mails and forms, so the HTML
that Markdown lets through is sanitized with nh3 (Ammonia) to a small
allow-list: no scripts, styles, frames, event handlers or javascript:/data: URLs.
"""

from __future__ import annotations

import functools

import markdown as markdown_lib
import nh3

ALLOWED_TAGS = {
    "p", "br", "em", "strong", "b", "i", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "sub", "sup", "abbr", "span", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}, "td": set(), "span": {"lang"}}
URL_SCHEMES = {"http", "https", "mailto"}


@functools.lru_cache(maxsize=None)
def _converter() -> markdown_lib.Markdown:
    return markdown_lib.Markdown(extensions=["sane_lists", "smarty"], output_format="html")


def sanitize(html: str) -> str:
    """Keep only the allow-listed tags and attributes; external links get rel=noopener."""
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer", strip_comments=True)


@functools.lru_cache(maxsize=4096)
def render_markdown(text: str | None) -> str:
    """Markdown to sanitized HTML; the cache makes repeated bios and abstracts free."""
    if not text:
        return ""
    converter = _converter()
    converter.reset()
    return sanitize(converter.convert(text))


def render_inline(text: str | None) -> str:
    """Markdown for one line (a title): no surrounding paragraph."""
    html = render_markdown(text)
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html
