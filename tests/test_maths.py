"""Maths in abstracts and publications: $...$ and $$...$$ become MathML when the site is built.

No script renders maths in the browser: TeX is converted by latex2mathml at build
time, the result is written by our own serializer (every element and attribute
checked against an allow-list) and sanitized again by nh3. TeX that cannot be
converted safely shows as its source in <code>. Dollar amounts stay text.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import build
from generator.content.markup import (
    MATH_ATTRIBUTES,
    MATH_TAGS,
    plain_text,
    render_inline,
    render_markdown,
    render_maths_text,
    tex_to_mathml,
)


class _Tags(HTMLParser):
    """Every start tag with its attributes; the tags inside <math> separately."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.in_maths: list[tuple[str, dict[str, str]]] = []
        self.depth = 0

    def handle_starttag(self, tag, attrs):
        values = {key: value or "" for key, value in attrs}
        self.tags.append((tag, values))
        if tag == "math":
            self.depth += 1
        if self.depth:
            self.in_maths.append((tag, values))

    def handle_endtag(self, tag):
        if tag == "math":
            self.depth -= 1


def tags(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser


def assert_only_allowed_mathml(html: str) -> None:
    for tag, attributes in tags(html).in_maths:
        assert tag in MATH_TAGS, tag
        allowed = {"display", "alttext"} if tag == "math" else MATH_ATTRIBUTES
        assert set(attributes) <= allowed, (tag, attributes)


# -- what becomes maths, and what stays text --------------------------------------------------------

def test_the_abstracts_formula_renders_as_mathml_with_the_common_macros():
    html = render_markdown(r"of the form $f(x)=g(Ux)$ where $U: \R^d \to \R^r$ with $d≫r$.")
    assert html.count("<math ") == 3 and "$" not in re.sub(r'alttext="[^"]*"', "", html)
    assert "ℝ" in html and "<msup>" in html and "<mo>→</mo>" in html  # \R is \mathbb{R}, ^ a superscript
    assert 'alttext="U: \\R^d \\to \\R^r"' in html  # the source, for plain text and assistive technology
    for macro, letter in [("N", "ℕ"), ("Z", "ℤ"), ("Q", "ℚ"), ("C", "ℂ"), ("E", "𝔼"), ("P", "ℙ")]:
        assert letter in tex_to_mathml("\\" + macro)
    assert "⇒" in tex_to_mathml(r"a \Rightarrow b")  # \R expands only as a whole command name
    assert_only_allowed_mathml(html)


def test_display_maths_is_a_block():
    html = render_markdown(r"The loss is $$\sum_{i=1}^n (x_i - \mu)^2$$ in total.")
    assert '<math display="block"' in html and "<munderover>" in html
    assert "<em>" not in html  # Markdown never saw the underscores


@pytest.mark.parametrize("text", [
    "It costs $5 and $10 to attend.",
    "Between $5 and $10.",
    "Prices: $5, $10, $20.",
    "A lone $ sign and a $ closing one.",
    "Fees were $ 5 and 10 $ here.",
])
def test_currency_is_not_maths(text):
    html = render_markdown(text)
    assert "<math" not in html and "<code>" not in html
    assert plain_text(text) == text


def test_escaped_dollars_and_code_spans_are_not_maths():
    assert "<math" not in render_markdown(r"a \$x$ b")
    html = render_markdown("run `echo $HOME$PATH` and `$x$`")
    assert "<math" not in html and "<code>$x$</code>" in html


def test_tex_that_cannot_be_converted_falls_back_to_its_source_in_code():
    for tex in [r"\unknowncommand x", r"\frac{a", r"a}b{", r"\color{red}{x}", r"\style{color:red}{x}"]:
        html = render_markdown(f"see ${tex}$ here")
        assert "<math" not in html, tex
        assert "<code>$" in html and tex.split("{")[0] in html, tex


def test_hostile_tex_cannot_inject_anything():
    payloads = [
        r"$\href{javascript:alert(1)}{x}$",
        r"$\href{https://evil.example}{x}$",
        r"$\class{evil}{x}$ $\cssId{evil}{x}$",
        r"$<script>alert(1)</script>$",
        r"$\text{<img src=x onerror=alert(1)>}$",
        r"$\text{</math><script>alert(1)</script>}$",
        r"$\mathrm{<svg onload=alert(1)>}$",
        r"$x$<script>alert(1)</script>",
        r"$$\text{<iframe src=//evil.example>}$$",
        "$x\" onmouseover=\"alert(1)$",
        r"[link](http://a.example/ 'title $x$ \" onclick=\"alert(1)')",
    ]
    for payload in payloads:
        for html in (render_markdown(payload), render_maths_text(payload), render_inline(payload)):
            parsed = tags(html)
            names = {tag for tag, _ in parsed.tags}
            assert not names & {"script", "img", "svg", "iframe"}, (payload, html)
            for tag, attributes in parsed.tags:
                assert not any(name.startswith("on") or name in ("href", "style", "class", "src")
                               for name in attributes if tag != "a"), (payload, html)
                assert "javascript:" not in attributes.get("href", ""), (payload, html)
            assert_only_allowed_mathml(html)


def test_raw_mathml_in_markdown_is_still_stripped():
    html = render_markdown('<math><mi href="javascript:alert(1)">x</mi></math> and $y$')
    assert html.count("<math") == 1 and "javascript" not in html


def test_plain_text_keeps_the_tex_source():
    text = r"where $U: \R^d \to \R^r$ and $$x_i$$."
    assert plain_text(text) == text  # iCalendar and JSON-LD read the formula as it was written


def test_publication_titles_are_text_with_maths():
    html = render_maths_text(r"Learning $\R^d$ <b>bold</b> & co")
    assert "<math " in html and "&lt;b&gt;bold&lt;/b&gt; &amp; co" in html
    assert render_maths_text("No maths, <b> & $5") == "No maths, &lt;b&gt; &amp; $5"


def test_conversion_is_deterministic():
    tex = r"\frac{1}{2}\|x\|_2^2 + \lambda \sum_i |x_i|"
    first = tex_to_mathml(tex)
    tex_to_mathml.cache_clear()
    assert tex_to_mathml(tex) == first and first.startswith('<math display="inline"')


# -- in a built site -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def maths_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import shutil

    from conftest import CONTENT

    content = tmp_path_factory.mktemp("maths") / "content"
    shutil.copytree(CONTENT, content)
    talk = content / "talks" / "ochs.yaml"
    talk.write_text(talk.read_text(encoding="utf-8").rstrip("\n") + "\nabstract: |\n"
                    "  We study $U: \\R^d \\to \\R^r$ for $5 and $10 a day.\n\n"
                    "  Hostile: $\\href{javascript:alert(1)}{x}$ and $<script>alert(1)</script>$.\n",
                    encoding="utf-8")
    return build(content, content.parent / "site", search=False)


def test_an_abstract_with_maths_renders_math_elements_on_the_talk_page(maths_site):
    html = (maths_site / "talks" / "ochs.html").read_text(encoding="utf-8")
    assert html.count("<math ") == 2 and "ℝ" in html
    assert "$5 and $10 a day" in html
    assert "<code>$\\href{javascript:alert(1)}{x}$</code>" in html
    assert "<script>alert" not in html and 'href="javascript' not in html
    assert_only_allowed_mathml(html)


def test_the_speakers_publication_abstract_renders_its_maths(built_site):
    html = (built_site / "speakers" / "alex-damian.html").read_text(encoding="utf-8")
    assert '<math display="inline" alttext="U: \\R^d \\to \\R^r">' in html
    assert "$U:" not in html.replace('alttext="U:', "")
