"""Templates minified once by htmlmin render the pages that htmlmin would make of each rendered page.

The contract: a page rendered from the minified templates is the same document as
htmlmin applied to the page rendered from the templates as written (the same
elements, attributes and text, a run of whitespace counting as one space), about
the same size, and the same bytes every time.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import pytest
from conftest import CONTENT, ROOT

from generator.content.pipeline import load_program
from generator.core.paths import TEMPLATES
from generator.render.environment import make_environment
from generator.render.minify import MinifyingLoader, minify_html, minify_template
from generator.render.pages import Renderer, SiteContext


class _Document(HTMLParser):
    """A page as parser events: tags with their attributes, and text with each whitespace run as one space.

    Whitespace-only text in <head> is left out: browsers never render it.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple] = []
        self.in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.in_head = self.in_head or tag == "head"
        self.events.append(("start", tag, [(name, value or "") for name, value in attrs]))

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        self.in_head = self.in_head and tag != "head"
        self.events.append(("end", tag))

    def handle_data(self, data: str) -> None:
        if self.events and self.events[-1][0] == "text":
            data = self.events.pop()[1] + data
        text = re.sub(r"\s+", " ", data)
        if text and not (self.in_head and text == " "):
            self.events.append(("text", text))

    def handle_comment(self, data: str) -> None:
        self.events.append(("comment", data))

    def handle_decl(self, decl: str) -> None:
        self.events.append(("declaration", decl.lower()))


def document(html: str) -> list[tuple]:
    parser = _Document()
    parser.feed(html)
    parser.close()
    return parser.events


def render_both(tmp_path: Path, source: str, **values: object) -> tuple[str, str]:
    """(htmlmin of the page rendered as written, the page rendered from the minified template)."""
    (tmp_path / "page.html").write_text(source, encoding="utf-8")
    written = make_environment(tmp_path).get_template("page.html").render(**values)
    minified = make_environment(tmp_path, minify=True).get_template("page.html").render(**values)
    return minify_html(written), minified


# -- Jinja inside HTML: each place a tag can stand ------------------------------------------------

CASES = {
    "a tag in attribute position": (
        '<ul>\n{% for item in items %}\n<li{% if item == current %} class="current"{% endif %}>\n'
        '  {{ item }}\n</li>\n{% endfor %}\n</ul>\n',
        {"items": ["a", "b"], "current": "b"}),
    "attributes written by a macro, outside any tag": (
        '{% macro attributes(id) -%}\nid="slot-{{ id }}" class="slot{% if id == 2 %} is-band{% endif %}"\n'
        '{%- endmacro %}\n<p {{ attributes(1) }} data-x="1">one</p>\n<p {{ attributes(2) }}>two</p>\n',
        {}),
    "tags in attribute values": (
        '<a href="{{ root }}talks/{{ id }}.html"\n   class="talk {{ extra }}{% if tba %} is-tba{% endif %}">\n'
        '  Talk &amp; more</a>\n', {"root": "../", "id": "t1", "extra": "x", "tba": True}),
    "a tag as the element name": (
        '<section>\n  <{{ heading }} class="title">  Hello\n  </{{ heading }}>\n</section>\n', {"heading": "h3"}),
    "tags inside script and pre": (
        '<script type="application/json">\n  {"a": {{ value|tojson }},\n   "b": 1}\n</script>\n'
        '<pre>\n  {{ code }}\n    indented\n{% if more %}  more\n{% endif %}</pre>\n<p>\n  after\n</p>\n',
        {"value": [1, 2], "code": "x < y", "more": True}),
    "whitespace-control dashes": (
        '<p>\n  {%- if a -%}\n    yes\n  {%- endif -%}\n</p>\n<p>\n  {{- name -}}\n  !\n</p>\n'
        '<p>{{ first }}\n  {{ second }}</p>\n', {"a": True, "name": "N", "first": "1", "second": "2"}),
    "comments and raw blocks": (
        '<div>\n  {# a note for template authors #}\n  <p>{% raw %}{{ not jinja }}{% endraw %}</p>\n'
        '  <!-- an HTML comment -->\n</div>\n', {}),
    "tags in the head": (
        '<!doctype html>\n<html>\n<head>\n<title>\n  {{ title }}\n</title>\n{% if canonical %}\n'
        '<link rel="canonical" href="{{ canonical }}">\n{% endif %}\n</head>\n<body>\n<input type="checkbox" '
        'checked="checked"{% if off %} disabled{% endif %}>\n</body>\n</html>\n',
        {"title": "T", "canonical": "https://example.org/", "off": True}),
}
#: Where a tag splits a run of whitespace, the two halves can both reach the page: one space more
#: than htmlmin would leave, never one less. Unindented templates (ours) rarely do this.
SPLIT_WHITESPACE = {
    "an indented loop": (
        '<ul>\n  {% for item in items %}\n  <li>{{ item }}</li>\n  {% endfor %}\n</ul>\n', {"items": "ab"}),
    "a tag that renders nothing between two words": (
        '<p>one {% if false %}two{% endif %} three {{ empty }} four</p>\n', {"empty": ""}),
}


@pytest.mark.parametrize("source, values", CASES.values(), ids=CASES.keys())
def test_a_template_minified_once_renders_what_htmlmin_makes_of_each_page(tmp_path, source, values):
    expected, minified = render_both(tmp_path, source, **values)
    assert minified == expected


@pytest.mark.parametrize("source, values", SPLIT_WHITESPACE.values(), ids=SPLIT_WHITESPACE.keys())
def test_whitespace_split_by_a_tag_may_keep_a_space_more_but_the_document_is_the_same(tmp_path, source, values):
    expected, minified = render_both(tmp_path, source, **values)
    assert document(minified) == document(expected)
    assert 0 < len(minified) - len(expected) <= 2


def test_the_minified_template_keeps_no_whitespace_run_outside_jinja_tags(tmp_path):
    source = ('<ul>\n  {% for item in items %}\n  <li{% if item %} class="x"{% endif %}>\n'
              '    {{ item }}\n  </li>\n</ul>\n')
    minified = minify_template(source, make_environment(tmp_path))
    markup = re.sub(r"\{%.*?%\}|\{\{.*?\}\}", "|", minified, flags=re.S)
    assert markup == '<ul> | <li| class="x"|> | </li> </ul> '


def test_a_syntax_error_names_the_template_and_its_line(tmp_path):
    (tmp_path / "page.html").write_text('<ul>\n  <li>\n    {{ name }}\n  </li>\n  {% endfor %}\n</ul>\n')
    with pytest.raises(jinja2.TemplateSyntaxError) as error:
        make_environment(tmp_path, minify=True).get_template("page.html")
    assert (error.value.name, error.value.lineno) == ("page.html", 5)
    assert "endfor" in str(error.value)


def test_a_bad_expression_reports_its_own_line(tmp_path):
    (tmp_path / "page.html").write_text('<p>\n  fine\n</p>\n<p class="{{ a }}">\n  {{ 1 + }}\n</p>\n')
    with pytest.raises(jinja2.TemplateSyntaxError) as error:
        make_environment(tmp_path, minify=True).get_template("page.html")
    assert (error.value.name, error.value.lineno) == ("page.html", 5)


def test_a_template_htmlmin_would_break_is_served_as_written(tmp_path):
    """A tag inside an HTML comment would vanish with the comment: that template is left alone."""
    source = '<p>\n  <!-- {% if x %} -->\n  yes\n  <!-- {% endif %} -->\n</p>\n'
    assert minify_template(source, make_environment(tmp_path)) == source


def test_templates_that_are_not_html_are_served_as_written():
    loader = MinifyingLoader(jinja2.FileSystemLoader(str(TEMPLATES)))
    for name in ("sitemap.xml", "sw.js"):
        source, _, _ = loader.get_source(make_environment(), name)
        assert source == (TEMPLATES / name).read_text(encoding="utf-8")


# -- whole sites --------------------------------------------------------------------------------

def _render_pages(content: Path) -> dict[str, tuple[str, str, str]]:
    """Each HTML page as (htmlmin of the page as rendered, minified-template page, the same again)."""
    program = load_program(content)

    def pages(**options: bool) -> dict[str, str]:
        renderer = Renderer(program, make_environment(**options), SiteContext())
        return {page.path: page.content.decode("utf-8") for page in renderer.all_pages()}

    written, minified, again = pages(), pages(minify=True), pages(minify=True)
    return {path: (minify_html(written[path]), minified[path], again[path]) for path in written}


def _synthetic_content(folder: Path) -> Path:
    spec = importlib.util.spec_from_file_location("bench_synth", ROOT / "benchmarks" / "synth.py")
    synth = sys.modules.setdefault(spec.name, importlib.util.module_from_spec(spec))
    spec.loader.exec_module(synth)
    content, _ = synth.write_both(50, folder, seed=3)
    return content


@pytest.fixture(scope="module", params=["seed site", "synthetic 50 talks"])
def site_pages(request, tmp_path_factory) -> dict[str, tuple[str, str, str]]:
    if request.param == "seed site":
        return _render_pages(CONTENT)
    return _render_pages(_synthetic_content(tmp_path_factory.mktemp("synth")))


def test_every_page_is_the_same_document_as_htmlmin_of_the_rendered_page(site_pages):
    for path, (expected, minified, _) in site_pages.items():
        assert document(minified) == document(expected), path


def test_pages_are_within_one_percent_of_whole_page_htmlmin(site_pages):
    for path, (expected, minified, _) in site_pages.items():
        assert len(minified) <= len(expected) * 1.01, path
    total_expected = sum(len(expected) for expected, _, _ in site_pages.values())
    total_minified = sum(len(minified) for _, minified, _ in site_pages.values())
    assert total_minified <= total_expected * 1.002


def test_pages_are_byte_identical_across_renders(site_pages):
    for path, (_, minified, again) in site_pages.items():
        assert minified == again, path


def test_the_document_comparison_notices_a_changed_space():
    """The comparison the site tests rely on tells 'a b' from 'ab' and a missing attribute."""
    assert document("<p>a <b>b</b></p>") != document("<p>a<b>b</b></p>")
    assert document('<p class="x">a</p>') != document("<p>a</p>")
    assert document("<p>a \n b</p>") == document("<p>a b</p>")
