"""The search index is updated, not rebuilt: a base index plus a delta of the pages changed since.

Each test starts from the real content built once (search off), indexed once
from scratch; it copies that site the way a build stages a new one (hard links),
changes pages, and calls ``update_search_index`` with the previous site, as
build.py does. What Pagefind indexed is read back from its fragment files.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import NamedTuple

import pytest
from conftest import CONTENT, serve

import generator.build.search
from generator.build.search import (
    DELTA,
    DELTA_INFO,
    OUTPUT,
    SearchUpdate,
    delta_limit,
    update_search_index,
)
from generator.build.site import BuildOptions, build_site

TALK = "talks/bot-tikhonov.html"
OTHER_TALK = "talks/central-flows-part-1.html"


def page_hashes(site: Path) -> dict[str, str]:
    """Every HTML page of a site -> a hash of its bytes, as build.py passes them."""
    return {path.relative_to(site).as_posix(): hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
            for path in sorted(site.rglob("*.html"))}


def stage(previous: Path, target: Path) -> Path:
    """A new site made of hard links to the previous one's pages, without its search index (like staging)."""
    shutil.copytree(previous, target, copy_function=os.link,
                    ignore=lambda folder, names: [name for name in names if name in (OUTPUT, DELTA)]
                    if Path(folder) == previous else [])
    return target


def rewrite(site: Path, page: str, old: str, new: str) -> None:
    """Edit one page of a staged site without touching the previous site's hard-linked copy."""
    path = site / page
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.unlink()
    path.write_text(text.replace(old, new), encoding="utf-8")


def indexed_urls(folder: Path) -> set[str]:
    """The page URLs one Pagefind index holds, read from its fragments."""
    urls = set()
    for fragment in (folder / "fragment").glob("*.pf_fragment"):
        data = gzip.decompress(fragment.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        urls.add(json.loads(data[len(b"pagefind_dcd"):])["url"])
    return urls


def delta_info(site: Path) -> dict:
    return json.loads((site / OUTPUT / DELTA_INFO).read_text(encoding="utf-8"))


def files_of(site: Path) -> dict[str, bytes]:
    """Every file of both indexes, by path, for byte-for-byte comparison."""
    return {path.relative_to(site).as_posix(): path.read_bytes() for folder in (OUTPUT, DELTA)
            for path in sorted((site / folder).rglob("*")) if path.is_file()}


class Indexed(NamedTuple):
    """A site with a search index, and the state file it was indexed with."""

    site: Path
    state: Path


@pytest.fixture(scope="module")
def pages_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real content built once, without a search index."""
    out = tmp_path_factory.mktemp("search-pages") / "site"
    build_site(BuildOptions(content=CONTENT, out=out, figures=False, search=False, cache=out.parent / ".cache"))
    return out


@pytest.fixture(scope="module")
def cold(pages_only: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Indexed, str]:
    """``pages_only`` indexed from scratch (no previous site), once."""
    folder = tmp_path_factory.mktemp("search-cold")
    site = stage(pages_only, folder / "site")
    state = folder / "state.json"
    return Indexed(site, state), reported(site, update_search_index(site, page_hashes(site), None, state))


@pytest.fixture
def base(cold: tuple[Indexed, str], tmp_path: Path) -> Indexed:
    """A private copy of the cold-indexed site and its state, as the previous build of a test."""
    site = tmp_path / "previous"
    shutil.copytree(cold[0].site, site, copy_function=os.link)
    state = tmp_path / "state.json"
    shutil.copyfile(cold[0].state, state)
    return Indexed(site, state)


def next_build(previous: Indexed, target: Path, edit=None) -> tuple[Indexed, str]:
    """Stage a new site from ``previous``, apply ``edit`` to it, and update its search index."""
    site = stage(previous.site, target)
    if edit is not None:
        edit(site)
    update = update_search_index(site, page_hashes(site), previous.site, previous.state)
    return Indexed(site, previous.state), reported(site, update)


def reported(site: Path, update: SearchUpdate) -> str:
    """The update's summary, once the files it says the index has are checked to be exactly those on disk."""
    on_disk = {path.relative_to(site).as_posix() for folder in (OUTPUT, DELTA) for path in (site / folder).rglob("*")
               if path.is_file()}
    assert update.files == on_disk
    return update.summary


def edit_abstract(site: Path) -> None:
    rewrite(site, TALK, "cocoercivity", "hypomonotonicity")


def test_a_cold_build_makes_a_base_of_every_indexed_page_and_no_delta(cold):
    indexed, summary = cold
    marked = {"/" + path for path in page_hashes(indexed.site)
              if b"data-pagefind-body" in (indexed.site / path).read_bytes()}
    assert summary == f"full: {len(page_hashes(indexed.site))} pages"
    assert indexed_urls(indexed.site / OUTPUT) == marked and "/" + TALK in marked
    assert not (indexed.site / DELTA).exists()
    assert delta_info(indexed.site) == {"index": None, "stale": []}
    files = json.loads((indexed.site / OUTPUT / "files.json").read_text())
    assert "pagefind.js" in files and all((indexed.site / OUTPUT / name).is_file() for name in files)


def test_an_edit_makes_a_delta_of_exactly_that_page_and_marks_it_stale_in_the_base(base, tmp_path):
    (site, _), summary = next_build(base, tmp_path / "new", edit_abstract)
    assert summary == "delta: 1 page"
    assert indexed_urls(site / DELTA) == {"/" + TALK}
    assert delta_info(site) == {"index": f"{DELTA}/", "stale": [TALK]}
    assert b"hypomonotonicity" in gzip.decompress(next((site / DELTA / "fragment").glob("*")).read_bytes())
    # the base is the previous one, hard-linked, not re-indexed
    assert (site / OUTPUT / "pagefind.js").stat().st_ino == (base.site / OUTPUT / "pagefind.js").stat().st_ino
    assert files_of(site)[f"{OUTPUT}/pagefind-entry.json"] == files_of(base.site)[f"{OUTPUT}/pagefind-entry.json"]
    files = json.loads((site / DELTA / "files.json").read_text())
    assert "pagefind.js" in files and any(name.startswith("fragment/") for name in files)


def test_a_deleted_page_is_stale_and_in_no_index(base, tmp_path):
    (site, _), summary = next_build(base, tmp_path / "new", lambda site: (site / TALK).unlink())
    assert summary == "delta: 1 page"
    assert delta_info(site) == {"index": None, "stale": [TALK]}
    assert not (site / DELTA).exists()


def test_a_second_edit_accumulates_in_the_delta(base, tmp_path):
    first, _ = next_build(base, tmp_path / "first", edit_abstract)
    (site, _), summary = next_build(first, tmp_path / "second",
                                    lambda site: rewrite(site, OTHER_TALK, "</h1>", "</h1><p>Amended.</p>"))
    assert summary == "delta: 2 pages"
    assert indexed_urls(site / DELTA) == {"/" + TALK, "/" + OTHER_TALK}
    assert delta_info(site)["stale"] == sorted([TALK, OTHER_TALK])


def test_a_page_edited_back_to_its_base_version_leaves_the_delta(base, tmp_path):
    first, _ = next_build(base, tmp_path / "first", edit_abstract)
    (site, _), summary = next_build(first, tmp_path / "second",
                                    lambda site: rewrite(site, TALK, "hypomonotonicity", "cocoercivity"))
    assert summary == "delta: 0 pages"
    assert delta_info(site) == {"index": None, "stale": []} and not (site / DELTA).exists()


def test_past_the_threshold_the_base_is_rebuilt_and_the_delta_dropped(base, tmp_path):
    pages = page_hashes(base.site)
    people = sorted(path for path in pages if path.startswith(("talks/", "speakers/")))
    assert len(people) > delta_limit(len(pages))

    def edit_every_talk_and_speaker(site: Path) -> None:
        for page in people:
            rewrite(site, page, "</h1>", "</h1><p>Room changed.</p>")

    (site, _), summary = next_build(base, tmp_path / "new", edit_every_talk_and_speaker)
    assert summary == f"full: {len(pages)} pages"
    assert not (site / DELTA).exists() and delta_info(site) == {"index": None, "stale": []}
    assert "/" + TALK in indexed_urls(site / OUTPUT)
    # the next edit starts a delta over the new base
    (_, summary) = next_build(Indexed(site, base.state), tmp_path / "after", edit_abstract)
    assert summary == "delta: 1 page"


@pytest.mark.parametrize("damage", ["truncated", "flipped", "checksum", "schema", "missing", "index gone",
                                    "new pagefind"])
def test_a_damaged_state_or_index_means_a_full_rebuild_never_a_wrong_index(base, tmp_path, damage, monkeypatch):
    first, _ = next_build(base, tmp_path / "first", edit_abstract)
    data = json.loads(first.state.read_text())
    if damage == "truncated":
        first.state.write_bytes(first.state.read_bytes()[:-40])
    elif damage == "flipped":  # still valid JSON: the checksum catches it
        first.state.write_text(first.state.read_text().replace("talks/bot-tikhonov.html", "talks/bot-tikhonov.htm"))
    elif damage == "checksum":
        first.state.write_text(json.dumps({**data, "check": "0" * 32}))
    elif damage == "schema":
        body = {**data, "removed": {"not": "a list"}}
        body["check"] = generator.build.search._checksum({key: body[key] for key in
                                                   ("base", "base_index", "changed", "removed", "delta_index", "tool")})
        first.state.write_text(json.dumps(body))
    elif damage == "missing":
        first.state.unlink()
    elif damage == "index gone":  # the previous site lost a file of its base index
        next((first.site / OUTPUT / "index").glob("*")).unlink()
    else:  # Pagefind was upgraded since: never a base and a delta from two versions
        monkeypatch.setattr(generator.build.search, "_tool", lambda: "pagefind 9.9")
    (site, _), summary = next_build(first, tmp_path / "second")
    assert summary.startswith("full: ")
    assert not (site / DELTA).exists() and delta_info(site) == {"index": None, "stale": []}
    assert "/" + TALK in indexed_urls(site / OUTPUT)
    assert any(b"hypomonotonicity" in gzip.decompress(path.read_bytes())
               for path in (site / OUTPUT / "fragment").glob("*"))


def test_a_damaged_delta_is_made_again_over_the_same_base(base, tmp_path):
    first, _ = next_build(base, tmp_path / "first", edit_abstract)
    next((first.site / DELTA / "fragment").glob("*")).unlink()
    (site, _), summary = next_build(first, tmp_path / "second")
    assert summary == "delta: 1 page"
    assert indexed_urls(site / DELTA) == {"/" + TALK}
    assert (site / OUTPUT / "pagefind.js").stat().st_ino == (base.site / OUTPUT / "pagefind.js").stat().st_ino


def test_nothing_changed_reuses_base_and_delta_without_running_pagefind(base, tmp_path, monkeypatch):
    first, _ = next_build(base, tmp_path / "first", edit_abstract)

    def pagefind_must_not_run(*args: object) -> None:
        raise AssertionError("Pagefind ran although no page changed")

    monkeypatch.setattr(generator.build.search, "_run_pagefind", pagefind_must_not_run)
    (site, _), summary = next_build(first, tmp_path / "second")
    assert summary == "reused"
    assert files_of(site) == files_of(first.site)
    assert (site / DELTA / "pagefind.js").stat().st_ino == (first.site / DELTA / "pagefind.js").stat().st_ino


def test_the_same_edits_give_byte_identical_indexes(pages_only, tmp_path):
    results = []
    for run in ("one", "two"):
        state = tmp_path / run / "state.json"
        site = stage(pages_only, tmp_path / run / "cold")
        reported(site, update_search_index(site, page_hashes(site), None, state))
        edited, _ = next_build(Indexed(site, state), tmp_path / run / "edited", edit_abstract)
        results.append(files_of(edited.site))
    assert results[0] == results[1]


def test_the_threshold_grows_with_the_site_but_keeps_a_delta_run_short():
    assert delta_limit(50) == 20
    assert delta_limit(1_800) < delta_limit(5_000) < 250
    assert delta_limit(18_000) == delta_limit(1_000_000) == 250


@pytest.mark.browser
def test_after_an_abstract_edit_search_finds_the_new_word_not_the_old_one_and_still_other_talks(
        browser, tmp_path, cold):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    talk = content / "talks" / "bot-tikhonov.yaml"
    talk.write_text(talk.read_text(encoding="utf-8").replace("cocoercivity", "hypomonotonicity"), encoding="utf-8")
    out = tmp_path / "edited" / "site"
    build_site(BuildOptions(content=content, out=out, figures=False, search=False, cache=out.parent / ".cache"))
    previous = Indexed(cold[0].site, tmp_path / "state.json")
    shutil.copyfile(cold[0].state, previous.state)
    assert reported(out, update_search_index(out, page_hashes(out), previous.site, previous.state)).startswith("delta: ")
    assert delta_info(out)["index"] == f"{DELTA}/" and TALK in delta_info(out)["stale"]

    with contextlib.contextmanager(serve)(out) as url:
        page = browser.new_page()
        errors: list[str] = []
        page.on("console", lambda message: message.type == "error" and errors.append(message.text))
        page.goto(url + "search.html")

        def found(query: str) -> list[str]:
            page.fill("#search-q", query)
            page.press("#search-q", "Enter")
            page.wait_for_function("q => document.querySelector('.search-status').textContent.includes(q)",
                                   arg=f"“{query}”", timeout=15_000)
            return [link.get_attribute("href") for link in page.locator("#search-results li a").all()]

        try:
            assert found("hypomonotonicity") == ["/" + TALK]
            assert found("cocoercivity") == []
            assert "/" + OTHER_TALK in found("central flows")
            assert found("tikhonov").count("/" + TALK) == 1  # from the delta only, not from the stale base too
            # the service worker keeps the delta too: the same search works offline
            page.wait_for_function("""async () => {
                const registration = await navigator.serviceWorker.ready;
                const names = await caches.keys();
                if (!registration.active || !navigator.serviceWorker.controller || !names.length) return false;
                const cache = await caches.open(names[0]);
                return Boolean(await cache.match("pagefind-delta/pagefind.js"))
                    && Boolean(await cache.match("pagefind/delta.json"));
            }""", timeout=20_000)
            page.context.set_offline(True)
            page.goto(url + "search.html")
            assert found("hypomonotonicity") == ["/" + TALK] and found("cocoercivity") == []
            assert errors == []
        finally:
            page.close()


def test_builds_that_update_the_site_in_place_keep_one_consistent_index(tmp_path, monkeypatch):
    """Through build_site: a small edit publishes in place (write.StagedSite), so the base index stays where it
    is, the delta replaces the last one file for file, and a base rebuilt in place leaves no delta behind."""
    import generator.build.search
    from generator.core.files import scan

    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    site = tmp_path / "site"
    options = BuildOptions(content=content, out=site, figures=False, search=True)
    build_site(options)
    talk = content / "talks" / Path(TALK).with_suffix(".yaml").name
    entry = site / OUTPUT / "pagefind-entry.json"
    base_inode = entry.stat().st_ino

    def edit(old: str, new: str) -> None:
        text = talk.read_text(encoding="utf-8")
        assert old in text
        talk.write_text(text.replace(old, new), encoding="utf-8")

    def consistent() -> None:
        for folder in (OUTPUT, DELTA):
            if (site / folder).is_dir():
                listed = json.loads((site / folder / "files.json").read_text(encoding="utf-8"))
                assert all((site / folder / name).is_file() for name in listed)
        assert build_site(options).up_to_date, "the manifest describes every file on disk, no more, no less"
        assert scan(site) == {path.relative_to(site).as_posix(): (path.stat().st_size, path.stat().st_mtime_ns)
                              for path in site.rglob("*") if path.is_file()}

    edit("cocoercivity", "hypomonotonicity")
    build_site(options)
    assert delta_info(site) == {"index": f"{DELTA}/", "stale": [TALK]}
    assert indexed_urls(site / DELTA) == {"/" + TALK}
    assert entry.stat().st_ino == base_inode, "the base index was left in place"
    first_delta = {path.name for path in (site / DELTA).rglob("*") if path.is_file()}
    consistent()

    edit("hypomonotonicity", "weak monotonicity")
    build_site(options)
    assert b"weak monotonicity" in b"".join(gzip.decompress(path.read_bytes())
                                             for path in (site / DELTA / "fragment").glob("*"))
    assert not any(b"hypomonotonicity" in gzip.decompress(path.read_bytes())
                   for path in (site / DELTA / "fragment").glob("*")), "the last delta's fragment is gone"
    assert {path.name for path in (site / DELTA).rglob("*") if path.is_file()} != first_delta
    consistent()

    monkeypatch.setattr(generator.build.search, "delta_limit", lambda pages: 0)  # the next edit rebuilds the base
    edit("weak monotonicity", "strong monotonicity")
    build_site(options)
    assert not (site / DELTA).exists() and delta_info(site) == {"index": None, "stale": []}
    assert "/" + TALK in indexed_urls(site / OUTPUT) and entry.stat().st_ino != base_inode
    assert any(b"strong monotonicity" in gzip.decompress(path.read_bytes())
               for path in (site / OUTPUT / "fragment").glob("*"))
    consistent()


def test_a_site_that_marks_no_page_is_indexed_whole_as_pagefind_would(tmp_path):
    """Only marked pages go to Pagefind (it would skip the others after parsing them); a site whose templates
    mark none gets every page indexed, which is what Pagefind does without markers."""
    site = tmp_path / "site"
    for name, words in [("index.html", "welcome"), ("talks/a.html", "sharpness")]:
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(f"<!doctype html><html lang=en><body><main><h1>{words}</h1>"
                                 f"<p>{words} words</p></main></body></html>", encoding="utf-8")
    update_search_index(site, page_hashes(site), None, tmp_path / ".cache" / "search-index.json")
    assert indexed_urls(site / OUTPUT) == {"/", "/talks/a.html"}
