"""Minify HTML templates once, instead of every page they render.

htmlmin is the project's minifier, but it is pure Python (about 4 MB/s): run on
each rendered page it cost most of a large build's render time, to remove
whitespace that the templates put there. Run on a template's source, it removes
that whitespace once, and the pages need no minifying.

To let htmlmin read a template as HTML, each Jinja tag is swapped for a
placeholder that html.parser reads as part of the surrounding HTML, chosen by
where the tag stands:

* in text, an HTML comment htmlmin keeps (``<!--!jinjaph7x-->``): a tag that
  renders nothing then leaves the same whitespace as the page would have;
* inside a start or end tag (``<li{% if x %} class="a"{% endif %}>``,
  ``<{{ heading }}>``), an attribute or tag name;
* in an attribute value, a <script> or <style>, a plain word.

Whitespace that Jinja itself removes (``-``, ``trim_blocks``,
``lstrip_blocks``) is removed before minifying, and the tags are put back with
``+`` so Jinja removes nothing more. Each tag is put back on its own line
(newlines inside a tag are not output), so errors name the template's own lines.
Text values that Jinja inserts are not minified; they are data, escaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterator

import htmlmin
import jinja2
from htmlmin.python3html.parser import HTMLParser  # the parser htmlmin reads HTML with

#: The project's htmlmin options (the same as parallel.minify_html's).
HTMLMIN_OPTIONS = {"remove_comments": True, "reduce_boolean_attributes": True,
                   "remove_optional_attribute_quotes": False}
#: Templates minified by the loader; others (sitemap.xml, sw.js) are served as written.
HTML_SUFFIXES = (".html", ".htm")

_STRING = r"""(?:"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*')"""
_TAG = re.compile(
    r"\{%(?P<raw_left>[-+]?)(?P<raw_body>\s*raw\s*[-+]?%\}.*?\{%[-+]?\s*endraw\s*)(?P<raw_right>[-+]?)%\}"
    r"|\{#(?P<comment_left>[-+]?).*?(?P<comment_right>[-+]?)#\}"
    rf"|\{{%(?P<block_left>[-+]?)(?P<block_body>(?:{_STRING}|[^\"'])*?)(?P<block_right>[-+]?)%\}}"
    rf"|\{{\{{(?P<variable_left>[-+]?)(?P<variable_body>(?:{_STRING}|[^\"'])*?)(?P<variable_right>-?)\}}\}}",
    re.S,
)
_PLACEHOLDER = "jinjaph{}x"  # lower case: html.parser lowercases tag and attribute names
_PLACEHOLDERS = re.compile(r"jinjaph(\d+)x")


def minify_html(html: str) -> str:
    """HTML through htmlmin with the project's options."""
    return htmlmin.minify(html, **HTMLMIN_OPTIONS)


@dataclass
class _JinjaTag:
    kind: str  # "raw", "comment", "block" or "variable"
    left: str  # whitespace control after the opening delimiter: "-", "+" or ""
    body: str
    right: str
    line: int

    @property
    def strips_lines(self) -> bool:
        """trim_blocks and lstrip_blocks apply to blocks and comments, not to {{ variables }}."""
        return self.kind != "variable"

    def restored(self, pad: int) -> str:
        """The tag as it goes back: ``+`` where Jinja could strip, ``pad`` newlines to keep its line."""
        newlines = "\n" * max(pad, 0)
        if self.kind == "variable":
            return "{{" + newlines + self.body + "}}"
        return "{%+" + newlines + self.body + "+%}"


def _split(source: str) -> Iterator[str | _JinjaTag]:
    """The source as text and Jinja tags, in order."""
    position = 0
    for match in _TAG.finditer(source):
        yield source[position:match.start()]
        kind = match.lastgroup.split("_")[0]
        yield _JinjaTag(kind, match[f"{kind}_left"], match.groupdict().get(f"{kind}_body") or "",
                        match[f"{kind}_right"], source.count("\n", 0, match.start()) + 1)
        position = match.end()
    yield source[position:]


def _output_text(pieces: list[str | _JinjaTag], environment: jinja2.Environment) -> list[str | _JinjaTag]:
    """Each text as Jinja outputs it: what ``-``, trim_blocks and lstrip_blocks remove, removed.

    Follows jinja2.lexer: after a tag, ``-`` strips all whitespace and trim_blocks one
    newline; before a block, ``-`` strips all whitespace and lstrip_blocks the spaces
    between the line's start and the tag.
    """
    result: list[str | _JinjaTag] = []
    for index, piece in enumerate(pieces):
        if isinstance(piece, _JinjaTag):
            result.append(piece)
            continue
        before = pieces[index - 1] if index else None
        after = pieces[index + 1] if index + 1 < len(pieces) else None
        text, line_starting = piece, before is None
        if isinstance(before, _JinjaTag):
            if before.right == "-":
                text = text.lstrip()
            elif before.strips_lines and before.right != "+" and environment.trim_blocks:
                text = text.removeprefix("\n")
            line_starting = piece[:len(piece) - len(text)].endswith("\n")
        if isinstance(after, _JinjaTag):
            if after.left == "-":
                text = text.rstrip()
            elif after.strips_lines and after.left != "+" and environment.lstrip_blocks:
                start = text.rfind("\n") + 1
                if (start > 0 or line_starting) and text[start:].isspace():
                    text = text[:start]
        elif not environment.keep_trailing_newline:
            text = text.removesuffix("\n")
        result.append(text)
    return result


class _Placement(HTMLParser):
    """Where each placeholder stands: 'markup' (tag or attribute name), 'value', 'raw' or 'text'."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.places: dict[int, str] = {}

    def _mark(self, text: str | None, place: str) -> None:
        for number in _PLACEHOLDERS.findall(text or ""):
            self.places.setdefault(int(number), place)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._mark(tag, "markup")
        for name, value in attrs:
            self._mark(name, "markup")
            self._mark(value, "value")

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        self._mark(tag, "markup")

    def handle_data(self, data: str) -> None:
        self._mark(data, "raw" if self.cdata_elem else "text")

    def handle_comment(self, data: str) -> None:
        self._mark(data, "raw")


def _placements(pieces: list[str | _JinjaTag]) -> dict[int, str]:
    """Parse the template with a bare placeholder for each tag, to learn where each stands."""
    parser = _Placement()
    parser.feed("".join(_PLACEHOLDER.format(index) if isinstance(piece, _JinjaTag) else piece
                        for index, piece in enumerate(pieces)))
    parser.close()
    return parser.places


def minify_template(source: str, environment: jinja2.Environment) -> str:
    """A Jinja HTML template's source, minified by htmlmin, rendering the same pages as the source.

    A template whose tags htmlmin would drop or move (in an HTML comment, in a
    boolean attribute's value) is returned as written.
    """
    if "jinjaph" in source:
        return source
    pieces = [piece for piece in _output_text(list(_split(source)), environment)
              if not (isinstance(piece, _JinjaTag) and piece.kind == "comment")]
    places = _placements(pieces)
    html: list[str] = []
    forms: dict[int, str] = {}
    tags: dict[int, tuple[str, _JinjaTag]] = {}
    for index, piece in enumerate(pieces):
        if not isinstance(piece, _JinjaTag):
            html.append(piece)
            continue
        word, before, lead = _PLACEHOLDER.format(index), html[-1] if html else "", ""
        place = places.get(index, "raw")
        if place == "text":
            html.append(f"<!--!{word}-->")
            form = f"<!--{word}-->"
        elif place == "markup" and not before.endswith(("<", "</")):
            # htmlmin writes attributes one space apart; the tag gets a space only where the source had one
            form = " " + word
            html.append(form)
            lead = " " if before[-1:].isspace() else ""
        else:
            form = word
            html.append(word)
        forms[index], tags[index] = form, (lead, piece)
    minified = minify_html("".join(html))
    if any(minified.count(form) != 1 for form in forms.values()):
        return source
    return _restore(minified, forms, tags)


def _restore(minified: str, forms: dict[int, str], tags: dict[int, tuple[str, _JinjaTag]]) -> str:
    """Put each Jinja tag back where htmlmin left its placeholder, on its original line."""
    by_form = {form: index for index, form in forms.items()}
    pattern = re.compile("|".join(re.escape(form) for form in sorted(by_form, key=len, reverse=True)))
    output: list[str] = []
    line, position = 1, 0
    for match in pattern.finditer(minified):
        text = minified[position:match.start()]
        lead, tag = tags[by_form[match.group()]]
        line += text.count("\n")
        restored = lead + tag.restored(tag.line - line)
        output += [text, restored]
        line += restored.count("\n")
        position = match.end()
    output.append(minified[position:])
    return "".join(output)


class MinifyingLoader(jinja2.BaseLoader):
    """Wraps a loader: HTML templates come minified (once per load), other templates as written.

    Jinja's bytecode cache keys on the source it is given, so it keys on the minified source.
    """

    def __init__(self, loader: jinja2.BaseLoader):
        self.loader = loader

    def get_source(self, environment: jinja2.Environment,
                   template: str) -> tuple[str, str | None, Callable[[], bool] | None]:
        source, filename, uptodate = self.loader.get_source(environment, template)
        if template.endswith(HTML_SUFFIXES):
            source = minify_template(source, environment)
        return source, filename, uptodate

    def list_templates(self) -> list[str]:
        return self.loader.list_templates()
