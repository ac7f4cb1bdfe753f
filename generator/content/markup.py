"""Markdown from content -> safe HTML.

Organizers paste abstracts and biographies from e-mails and forms, so the HTML
that Markdown lets through is sanitized with nh3 (Ammonia) to a small
allow-list: no scripts, styles, frames, event handlers or javascript:/data: URLs.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from html.parser import HTMLParser

import markdown as markdown_lib
import nh3
from latex2mathml.converter import convert_to_element

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


# -- Markdown: Python-Markdown with sane_lists and smarty, made faster without changing a byte ---------

#: Whether smarty could change a text: every pattern it registers (smarty.py) needs a ' or " (its
#: quotes), "--" (dashes) or "..." (ellipses) in the text it reads. That text comes from the source
#: less the STX/ETX characters Markdown deletes first (so "-\x02-" reads "--"); raw HTML ("<") is
#: rewritten by Markdown's HTML parser before the tree is built, so it goes to smarty too. A text with
#: none of these converts to the same bytes without smarty, whose extra pass over the tree is skipped
#: (tests/test_markdown_speed_path.py checks it; benchmarks/markdown_cost.py measures it).
_SMARTY_MAY_CHANGE = re.compile("['\"<\x02\x03]|--|\\.\\.\\.")


def _needed_strings() -> dict[str, tuple[str, ...]]:
    """For an inline pattern's regular expression (its source), one or two strings, one of which each match
    contains (a pattern whose source is not here is always tried)."""
    from markdown import inlinepatterns as ip
    from markdown.extensions import smarty as sm

    single, double = ("'",), ('"',)
    return {
        ip.BACKTICK_RE: ("`",), ip.ESCAPE_RE: ("\\",), ip.NOIMG + r"\[": ("[",), ip.IMAGE_LINK_RE: ("![",),
        ip.AUTOLINK_RE: ("<",), ip.AUTOMAIL_RE: ("<",), ip.HTML_RE: ("<",), ip.ENTITY_RE: ("&",),
        ip.LINE_BREAK_RE: ("  \n",), r"\*|_": ("*", "_"),  # em_strong: its delimiters '*' and '_'
        r"(?<!-)---(?!-)": ("---",), r"(?<!-)--(?!-)": ("--",), r"(?<!\.)\.{3}(?!\.)": ("...",),
        sm.singleQuoteStartRe: single, sm.doubleQuoteStartRe: double, sm.doubleQuoteSetsRe: single,
        sm.singleQuoteSetsRe: single, sm.doubleQuoteSetsRe2: single, sm.singleQuoteSetsRe2: single,
        sm.decadeAbbrRe: single, sm.openingSingleQuotesRegex: single, sm.closingSingleQuotesRegex: single,
        sm.closingSingleQuotesRegex2: single, sm.remainingSingleQuotesRegex: single,
        sm.openingDoubleQuotesRegex: double, sm.closingDoubleQuotesRegex: double,
        sm.closingDoubleQuotesRegex2: double, sm.remainingDoubleQuotesRegex: double,
    }


_BRACKET = re.compile(r"[\[\]]")


def _bracket_ends(data: str) -> list[int | None]:
    """The list LinkInlineProcessor._findBracketEnds makes (for each index, the index just past the first
    "]" that takes the bracket depth below the depth there, or None), found from the brackets alone
    rather than character by character: the depth is the same between two brackets, and so is the end."""
    ends: list[int | None] = [None] * (len(data) + 1)
    starts, depths, depth = [0], [0], 0  # the runs of equal depth: where each starts, and its depth
    for bracket in _BRACKET.finditer(data):
        depth += 1 if bracket.group() == "[" else -1
        starts.append(bracket.end())
        depths.append(depth)
    starts.append(len(data) + 1)
    waiting: list[int] = []  # runs whose end is not found yet, depths rising
    for run, depth in enumerate(depths):
        while waiting and depth < depths[waiting[-1]]:
            done = waiting.pop()
            ends[starts[done]:starts[done + 1]] = [starts[run]] * (starts[done + 1] - starts[done])
        waiting.append(run)
    return ends


def _faster(md: markdown_lib.Markdown) -> markdown_lib.Markdown:
    """``md`` with the same output, sooner: its inline processors (Markdown's and smarty's) skip a pattern
    when the text lacks what every match needs, which is what trying it would find; link patterns find
    brackets with :func:`_bracket_ends` (not one character at a time). Overriding the name-mangled loop relies
    on InlineProcessor's internals: without them ``md`` is left as it is."""
    from markdown import util
    from markdown.inlinepatterns import LinkInlineProcessor
    from markdown.treeprocessors import InlineProcessor

    private = ("_InlineProcessor__handleInline", "_InlineProcessor__applyPattern")  # what the subclass relies on
    if not all(hasattr(InlineProcessor, name) for name in private):
        return md
    needed = _needed_strings()

    class SkippingInlineProcessor(InlineProcessor):
        def __init__(self, md: markdown_lib.Markdown, patterns) -> None:
            super().__init__(md)
            self.inlinePatterns = patterns  # the registry of the processor this one replaces, in its order
            self.plan = [(pattern, needed.get(pattern.getCompiledRegExp().pattern)) for pattern in patterns]

        # InlineProcessor.__handleInline, the same loop, but a pattern that cannot match is not tried
        def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
            if isinstance(data, util.AtomicString):
                return data
            plan, start, apply = self.plan, 0, self._InlineProcessor__applyPattern
            while patternIndex < len(plan):
                pattern, strings = plan[patternIndex]
                if strings is not None and strings[0] not in data and strings[-1] not in data:  # one or two
                    patternIndex, start = patternIndex + 1, 0  # as a pattern that found nothing
                    continue
                data, matched, start = apply(pattern, data, patternIndex, start)
                if not matched:
                    patternIndex += 1
            return data

    for name, priority in (("inline", 20), ("smarty", 6)):  # their documented priorities
        if name in md.treeprocessors:
            patterns = md.treeprocessors[name].inlinePatterns
            md.treeprocessors.register(SkippingInlineProcessor(md, patterns), name, priority)
    for pattern in md.inlinePatterns:
        if getattr(type(pattern), "_findBracketEnds", None) is LinkInlineProcessor._findBracketEnds:
            pattern._findBracketEnds = _bracket_ends
    return md


@functools.lru_cache(maxsize=None)
def _converter(smarty: bool = True) -> markdown_lib.Markdown:
    return _faster(markdown_lib.Markdown(extensions=["sane_lists", "smarty"] if smarty else ["sane_lists"],
                                         output_format="html"))


def markdown_html(text: str) -> str:
    """Markdown to HTML (not sanitized), byte for byte what Python-Markdown with sane_lists and smarty makes."""
    converter = _converter(_SMARTY_MAY_CHANGE.search(text) is not None)
    converter.reset()
    return converter.convert(text)


def sanitize(html: str, maths: bool = False) -> str:
    """Keep only the allow-listed tags and attributes; external links get rel=noopener.

    ``maths`` also allows the MathML that :func:`tex_to_mathml` writes (and nothing else of MathML).
    """
    tags, attributes = ALLOWED_TAGS, ALLOWED_ATTRIBUTES
    if maths:
        tags, attributes = tags | MATH_TAGS, {**attributes, **MATH_ALLOWED_ATTRIBUTES}
    return nh3.clean(html, tags=tags, attributes=attributes, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer", strip_comments=True)


# -- maths: $...$ and $$...$$ as MathML, made at build time -----------------------------------------

#: The MathML elements latex2mathml writes; anything else makes a formula fall back to its source.
MATH_TAGS = {
    "math", "mrow", "mi", "mn", "mo", "mtext", "mspace", "msub", "msup", "msubsup", "mfrac", "msqrt", "mroot",
    "mover", "munder", "munderover", "mstyle", "mtable", "mtr", "mtd", "mpadded", "mphantom", "menclose",
}
#: Their presentation attributes that latex2mathml writes. Never href, style, class, colours or events.
MATH_ATTRIBUTES = {
    "mathvariant", "stretchy", "fence", "form", "accent", "accentunder", "separator", "lspace", "rspace",
    "minsize", "maxsize", "movablelimits", "largeop", "symmetric", "displaystyle", "scriptlevel", "mathsize",
    "width", "height", "depth", "voffset", "linebreak", "linethickness", "notation", "columnalign",
    "columnlines", "columnspacing", "rowlines", "rowspacing", "rowalign", "frame",
}
MATH_ALLOWED_ATTRIBUTES = {tag: ({"display", "alttext"} if tag == "math" else MATH_ATTRIBUTES) for tag in MATH_TAGS}
#: Macros that abstracts use and latex2mathml lacks: number sets, expectation and probability.
TEX_MACROS = {"R": r"\mathbb{R}", "N": r"\mathbb{N}", "Z": r"\mathbb{Z}", "Q": r"\mathbb{Q}",
              "C": r"\mathbb{C}", "E": r"\mathbb{E}", "P": r"\mathbb{P}"}
_COMMAND = re.compile(r"\\(?:([A-Za-z]+)|.)", re.DOTALL)
#: What a formula may not use: links, styles, classes, colours and definitions (MathJax extensions).
_REFUSED = {"href", "url", "style", "class", "cssId", "color", "textcolor", "colorbox", "fcolorbox", "require",
            "def", "newcommand", "renewcommand", "let", "html", "unicode", "mathtip", "toggle", "rule"}
#: A code span (kept as it is), an escaped dollar, $$display$$, or $inline$: non-space after the opening
#: and before the closing dollar, no digit after it ("$5 and $10" is money), within one paragraph.
_MATH = re.compile(
    r"(?P<code>(?<!`)(`++)[\s\S]*?(?<!`)\2(?!`))"
    r"|(?P<escaped>\\\$)"
    r"|\$\$(?P<display>[^$]+?)\$\$"
    r"|\$(?P<inline>[^\s$](?:[^$\n]|\n(?![ \t]*\n))*?)(?<![\s\\])\$(?![\d$])")
_PLACEHOLDER = "\ue000math{}\ue001"
_PLACEHOLDERS = re.compile("\ue000math(\\d+)\ue001")
#: A tag as nh3 writes it (attribute values always double-quoted) or a formula's placeholder.
_TAG_OR_PLACEHOLDER = re.compile(r'<[^>"]*(?:"[^"]*"[^>"]*)*>|\ue000math(\d+)\ue001')


def _expand_macros(tex: str) -> str | None:
    """The formula with TEX_MACROS expanded; None when it uses a refused command or its braces do not match."""
    refused = False

    def expand(match: re.Match[str]) -> str:
        nonlocal refused
        name = match.group(1)
        refused = refused or name in _REFUSED
        return TEX_MACROS.get(name, match.group(0)) if name else match.group(0)

    expanded = _COMMAND.sub(expand, tex)
    depth = 0
    for character in _COMMAND.sub("", expanded):
        depth += {"{": 1, "}": -1}.get(character, 0)
        if depth < 0:
            return None
    return None if refused or depth else expanded


def _mathml(element, out: list[str]) -> bool:
    """Serialize latex2mathml's element tree, text escaped; False on any element, attribute or
    unknown command (a token starting with a backslash) outside what MATH_TAGS/MATH_ATTRIBUTES allow."""
    if element.tag not in MATH_TAGS or element.tag == "math" and out:
        return False
    text = html.unescape(element.text or "")
    tag = element.tag
    if tag == "mi" and len(text) == 1 and unicodedata.category(text)[0] in "PS":
        tag = "mo"  # ':' in 'U: X \to Y', or a pasted '≫': operators, spaced as such, not identifiers
    attributes = []
    for name, value in sorted(element.attrib.items()):
        if element.tag == "math" and name in ("xmlns", "display"):
            continue
        if name not in MATH_ATTRIBUTES:
            return False
        attributes.append(f' {name}="{html.escape(html.unescape(value))}"')
    out.append(f"<{tag}{''.join(attributes)}>")
    if text.startswith("\\") and tag != "mtext":
        return False
    out.append(html.escape(text, quote=False))
    for child in element:
        if not _mathml(child, out):
            return False
        out.append(html.escape(html.unescape(child.tail or ""), quote=False))
    out.append(f"</{tag}>")
    return True


@functools.lru_cache(maxsize=4096)
def tex_to_mathml(tex: str, display: bool = False) -> str:
    """A TeX formula as MathML (no script needed to read it), or its source in <code> when it cannot be
    converted safely. ``alttext`` keeps the source, for plain text and for readers that lack MathML."""
    delimiter = "$$" if display else "$"
    source = f"<code>{html.escape(delimiter + tex + delimiter, quote=False)}</code>"
    expanded = _expand_macros(tex.strip())
    if expanded is None:
        return source
    try:
        tree = convert_to_element(expanded, display="block" if display else "inline")
    except Exception:  # latex2mathml raises many kinds of error for TeX it cannot read
        return source
    out: list[str] = []
    if not _mathml(tree, out):
        return source
    mode = "block" if display else "inline"
    out[0] = f'<math display="{mode}" alttext="{html.escape(tex.strip())}">'
    return "".join(out)


def _formula(match: re.Match[str]) -> str:
    return tex_to_mathml(match.group("display"), True) if match.group("display") is not None \
        else tex_to_mathml(match.group("inline"))


def render_maths_text(text: str | None) -> str:
    """Plain text (a publication's title) as HTML: escaped, its formulas as MathML."""
    if not text:
        return ""
    parts, at = [], 0
    for match in _MATH.finditer(text):
        if match.group("display") is None and match.group("inline") is None:
            continue
        parts += [html.escape(text[at:match.start()], quote=False), _formula(match)]
        at = match.end()
    parts.append(html.escape(text[at:], quote=False))
    return sanitize("".join(parts), maths=True) if len(parts) > 1 else parts[0]


def _markdown_with_maths(text: str) -> str:
    """Markdown to sanitized HTML; each formula is set aside before Markdown (which would read its _ and *
    as emphasis) and put back, as MathML, into the sanitized HTML, which is then sanitized again."""
    formulas: list[re.Match[str]] = []

    def set_aside(match: re.Match[str]) -> str:
        if match.group("display") is None and match.group("inline") is None:
            return match.group(0)
        formulas.append(match)
        return _PLACEHOLDER.format(len(formulas) - 1)

    if "\ue000" not in text and "$" in text:
        text = _MATH.sub(set_aside, text)
    html_text = sanitize(markdown_html(text))
    if not formulas:
        return html_text

    def put_back(match: re.Match[str]) -> str:
        if match.group(1) is not None:  # in text: the formula
            return _formula(formulas[int(match.group(1))])
        return _PLACEHOLDERS.sub(lambda m: html.escape(formulas[int(m.group(1))].group(0)), match.group(0))

    return sanitize(_TAG_OR_PLACEHOLDER.sub(put_back, html_text), maths=True)


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
        html = _RENDERED[text] = _markdown_with_maths(text)
    return html


def remember(rendered: dict[str, str]) -> None:
    """Add renderings made elsewhere (a worker process, the build cache) so they are not redone."""
    _RENDERED.update(rendered)


def forget_renderings() -> None:
    """Drop every remembered rendering: a one-off build is done with them before its search index."""
    _RENDERED.clear()


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
        self.in_maths = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "math":  # a formula reads as its TeX source, as it was written
            values = dict(attrs)
            delimiter = "$$" if values.get("display") == "block" else "$"
            self.parts.append(delimiter + (values.get("alttext") or "") + delimiter)
            self.in_maths = True
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
        if tag == "math":
            self.in_maths = False

    def handle_data(self, data: str) -> None:
        if self.in_maths:
            return
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
