"""The Jinja environment: the templates' loader, and the filters and globals they may use."""

from __future__ import annotations

from pathlib import Path

import jinja2
from markupsafe import Markup

from generator.content.addresses import page_url
from generator.content.markup import render_inline, render_markdown, render_maths_text
from generator.core.paths import TEMPLATES
from generator.render.formats import (
    BAND_KINDS,
    KIND_LABELS,
    clock,
    date_range,
    duration,
    join_names,
    json_script,
    long_date,
    map_link,
    photo_path,
    short_date,
    utc_offset,
)
from generator.render.minify import MinifyingLoader
from generator.render.views import match_author


def make_environment(templates: Path | None = None, cache_dir: Path | None = None,
                     minify: bool = False) -> jinja2.Environment:
    """The Jinja environment: autoescaping on, undefined variables are errors.

    ``cache_dir`` keeps compiled templates between builds (Jinja checks each
    template's source before trusting its bytecode), which saves most of a
    small site's render time. ``minify`` loads the HTML templates minified by
    htmlmin (minify.py), so the pages they render need no minifying.
    """
    bytecode_cache = None
    if cache_dir is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        bytecode_cache = jinja2.FileSystemBytecodeCache(str(cache_dir))
    loader: jinja2.BaseLoader = jinja2.FileSystemLoader(str(templates or TEMPLATES))
    if minify:
        loader = MinifyingLoader(loader)
    environment = jinja2.Environment(
        bytecode_cache=bytecode_cache,
        loader=loader,
        autoescape=jinja2.select_autoescape(["html", "xml", "svg"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters.update(
        markdown=lambda text: Markup(render_markdown(text)),
        inline=lambda text: Markup(render_inline(text)),
        maths=lambda text: Markup(render_maths_text(text)),
        time=clock,
        utc_offset=utc_offset,
        tojson_script=json_script,
        long_date=long_date,
        short_date=short_date,
        duration=duration,
        join_names=join_names,
        map_link=map_link,
    )
    environment.globals.update(page_url=page_url, kind_labels=KIND_LABELS, band_kinds=BAND_KINDS,
                               match_author=match_author, date_range=date_range, photo_path=photo_path)
    return environment
