"""Markdown's faster path gives byte for byte what stock Python-Markdown (sane_lists + smarty) gives.

markup.markdown_html converts a text without smarty when smarty could not change it (no quote, "--",
"...", "<" or STX/ETX), its inline processors skip patterns the text lacks what they need for, and
link patterns find brackets a faster way. Each is checked here against the stock converter: on chosen
texts (quotes in code spans, maths, entities, link titles, raw HTML) and on random ones.
"""

from __future__ import annotations

import re

import markdown as markdown_lib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown.inlinepatterns import LinkInlineProcessor

from generator.content import markup

_STOCK = markdown_lib.Markdown(extensions=["sane_lists", "smarty"], output_format="html")


def stock(text: str) -> str:
    _STOCK.reset()
    return _STOCK.convert(text)


def rendered_before(text: str) -> str:
    """render_markdown's result with the stock converter in markdown_html's place (formulas, sanitizing)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(markup, "markdown_html", stock)
        return markup._markdown_with_maths(text)


EXAMPLES = [
    "Plain text, a [link](https://example.org) and *emphasis*.",
    "A list:\n\n- one\n- two\n\n1. first\n2. second\n\n3) sane\n",
    "He said \"it's fine\" -- then --- left...",
    "'Quoted' at the start, the '80s, rock 'n' roll, \"'nested' quotes\".",
    "`code with \"quotes\" and -- dashes...` outside it is plain",
    "Maths $f'(x) = \"y\"$ and $$a -- b$$ here, and $5 and $10 as money.",
    "Entities: &quot;quoted&quot; &#39;single&#39; &mdash; &#8212;'x' &amp; &lt;b&gt; R&D",
    "[a link](https://example.org \"its title, with 'quotes'\") and [another](<https://a.b> 'title')",
    "An <span lang=\"fr\">élément</span> and <b>bold</b> -<!-- comment -->- x",
    "Joined by STX: -\x02- and .\x03.. and '\x02'",
    "carriage\rreturns -\r- and tabs\t-\t-",
    "A hard  \nbreak, \\'escaped quote\\' and \\\"double\\\", \\-\\- escaped dashes",
    "Nested [brackets [inside] here](http://x) and [unclosed [ [ bracket",
    "![image](http://x/y.png \"t\") and <http://auto.link> and <me@example.org>",
    "> a quote -- with\n> two lines...\n\n    code -- block 'x'\n",
    "*a*-*b* and .*.*. and -*-*- and **'strong'** and _'under'_",
    "# Heading 'one'\n\nSetext\n------\n\n* * *\n",
    "a -</>- b, x .</>.. y, a </ x> b, a <!x> b, a <? x ?> b",
    "[ref][1] and [1]\n\n[1]: http://example.org \"Title 'q'\"",
    "",
    "...",
    "--",
    "'",
]


@pytest.mark.parametrize("text", EXAMPLES)
def test_markdown_html_is_stock_markdown(text: str) -> None:
    assert markup.markdown_html(text) == stock(text)


@pytest.mark.parametrize("text", EXAMPLES)
def test_render_markdown_is_as_before(text: str) -> None:
    assert markup._markdown_with_maths(text) == rendered_before(text)
    assert markup.render_markdown(text) == (rendered_before(text) if text else "")


def test_examples_take_both_paths() -> None:
    fast = [text for text in EXAMPLES if markup._SMARTY_MAY_CHANGE.search(text) is None]
    assert 2 <= len(fast) < len(EXAMPLES) - 5
    assert markup.markdown_html("a -\x02- b") == stock("a -\x02- b") == "<p>a &ndash; b</p>"


#: Pieces of Markdown, so that random texts hold quotes, dashes and dots inside code, links, HTML and maths.
PIECES = ["'", '"', "-", "--", "---", ".", "...", "`", "``", "*", "**", "_", "[", "]", "(", ")", "![", "<", ">",
          "&", "&quot;", "&#39;", "&mdash;", "&nbsp;", "$", "\\", "\\'", "\n", "\n\n", "\n- ", "\n1. ", "\n> ",
          "  \n", "    ", "\t", "\r", "\x02", "\x03", " ", "a", "word", "s", "80s", "3", "#", ";", "/", "!", "?",
          ":", "–", "—", "http://x.y", "<b>", "</b>", "</>", "<!--", "-->", "<span>", "me@x.org", "[a](b \"t\")",
          "[1]: /u 'q'", "$x'$", "$$a--b$$", "$f(x)$"]


@settings(max_examples=600, derandomize=True, deadline=None, database=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_random_markdown_is_stock_markdown(text: str) -> None:
    assert markup.markdown_html(text) == stock(text)


@settings(max_examples=200, derandomize=True, deadline=None, database=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_random_rendering_is_as_before(text: str) -> None:
    assert markup._markdown_with_maths(text) == rendered_before(text)


@settings(max_examples=300, derandomize=True, deadline=None, database=None)
@given(st.text(alphabet="'\"-.`*_[]()!<>&#;\\$ \n\t\x02\x03aZ1", max_size=40))
def test_random_characters_are_stock_markdown(text: str) -> None:
    assert markup.markdown_html(text) == stock(text)


@settings(max_examples=300, derandomize=True, deadline=None, database=None)
@given(st.text(alphabet="[]a!\\", max_size=30))
def test_bracket_ends_are_the_librarys(text: str) -> None:
    assert markup._bracket_ends(text) == LinkInlineProcessor._findBracketEnds(text)


def test_every_inline_pattern_can_be_skipped() -> None:
    """Each pattern of the converter is in the table, so a Python-Markdown upgrade that changes one shows
    here (output would stay right: a pattern not in the table is always tried; only the time would grow)."""
    needed = markup._needed_strings()
    assert all(1 <= len(strings) <= 2 for strings in needed.values())  # what the skipping loop checks
    converter = markup._converter()
    patterns = [*converter.inlinePatterns, *converter.treeprocessors["smarty"].inlinePatterns]
    assert len(patterns) == 14 + 18
    assert all(pattern.getCompiledRegExp().pattern in needed for pattern in patterns)


_NEEDED = sorted(markup._needed_strings().items())


@settings(max_examples=800, derandomize=True, deadline=None, database=None)
@given(st.sampled_from(_NEEDED), st.lists(st.sampled_from(PIECES), max_size=20).map("".join))
def test_a_skipped_pattern_would_not_have_matched(entry: tuple[str, tuple[str, ...]], text: str) -> None:
    source, strings = entry
    if not any(string in text for string in strings):
        assert re.compile(source, re.DOTALL | re.UNICODE).search(text) is None
