"""Rebuilds reuse the last build's work, and are never wrong because of it.

A rebuild must give exactly the bytes a cold build gives; it may only skip
work (Markdown, minification, writing, the search index) whose inputs did not
change, and it must ignore a cache it cannot trust.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Callable

import pytest

from generator.build.manifest import MANIFEST_FORMAT
from generator.build.site import BuildOptions, build_site
from generator.core.files import read_checked, write_checked
from generator.core.paths import TEMPLATES

BASE = Path(__file__).resolve().parent / "bad_content" / "base"


def fingerprint(folder: Path) -> dict[str, str]:
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def inodes(folder: Path) -> dict[str, int]:
    return {path.relative_to(folder).as_posix(): path.stat().st_ino for path in folder.rglob("*") if path.is_file()}


@pytest.fixture
def tree(tmp_path: Path):
    content = tmp_path / "content"
    shutil.copytree(BASE, content)
    site = tmp_path / "site"

    def build(memory=None, **extra):
        return build_site(BuildOptions(content=content, out=site, figures=False, search=False, **extra),
                          memory=memory)

    build()
    return content, site, build


def cold_build(content: Path, tmp_path: Path, **extra) -> dict[str, str]:
    out = tmp_path / "cold" / "site"
    build_site(BuildOptions(content=content, out=out, figures=False, search=False, **extra))
    return fingerprint(out)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_rebuild_with_nothing_changed_does_nothing(tree) -> None:
    _, site, build = tree
    before = inodes(site)
    report = build()
    assert report.up_to_date
    assert inodes(site) == before


def test_editing_a_speakers_name_updates_every_page_that_shows_it(tree, tmp_path: Path) -> None:
    content, site, build = tree
    edit(content / "speakers/ada-lovelace.yaml", "name: Ada Lovelace", "name: Augusta Ada King")
    build()
    showing = [path for path in site.rglob("*.html") if "Augusta Ada King" in path.read_text(encoding="utf-8")]
    names = {path.relative_to(site).as_posix() for path in showing}
    assert {"speakers/ada-lovelace.html", "talks/first-talk.html", "program.html", "speakers.html"} <= names
    assert not any("Ada Lovelace" in path.read_text(encoding="utf-8") for path in site.rglob("*.html"))
    assert fingerprint(site) == cold_build(content, tmp_path)


def test_only_files_whose_bytes_change_are_rewritten(tree) -> None:
    content, site, build = tree
    before_hashes, before_inodes = fingerprint(site), inodes(site)
    edit(content / "talks/second-talk.yaml", "abstract: |\n", "abstract: |\n  A new first sentence.\n")
    report = build()
    after_hashes, after_inodes = fingerprint(site), inodes(site)
    changed = {path for path in after_hashes if after_hashes[path] != before_hashes.get(path)}
    assert "talks/second-talk.html" in changed
    kept = [path for path in after_hashes if path not in changed and path in before_inodes]
    assert kept, "some files should have been left alone"
    assert all(after_inodes[path] == before_inodes[path] for path in kept)
    assert report.rewritten == len(changed)


def test_a_serving_process_validates_only_the_files_an_edit_changed(tree, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """``serve`` keeps its last build's documents and models (pipeline.BuildMemory) in memory."""
    import generator.content.validate
    from generator.content.pipeline import BuildMemory
    from generator.core.diagnostics import ContentError

    content, site, build = tree
    memory = BuildMemory()
    build(memory=memory)  # nothing changed: the site is up to date and nothing is loaded
    edit(content / "talks/second-talk.yaml", "abstract: |\n", "abstract: |\n  A first edit.\n")
    build(memory=memory)
    validated: list[str] = []
    real = generator.content.validate.validate_document

    def counting(document, model, diagnostics):
        validated.append(document.path.name)
        return real(document, model, diagnostics)

    monkeypatch.setattr(generator.content.validate, "validate_document", counting)
    edit(content / "talks/second-talk.yaml", "A first edit.", "A second edit.")
    build(memory=memory)
    assert validated == ["second-talk.yaml"]
    assert fingerprint(site) == cold_build(content, tmp_path)

    edit(content / "talks/second-talk.yaml", "title: ", "title: [unclosed")
    with pytest.raises(ContentError, match="second-talk.yaml"):  # a remembered model never hides an error
        build(memory=memory)
    edit(content / "talks/second-talk.yaml", "title: [unclosed", "title: Fixed ")
    validated.clear()
    build(memory=memory)
    assert validated == ["second-talk.yaml"]
    assert fingerprint(site) == cold_build(content, tmp_path / "again")


def test_deleting_a_talk_removes_its_page(tree, tmp_path: Path) -> None:
    content, site, build = tree
    program = content / "program/2026-05-05.yaml"
    text = program.read_text(encoding="utf-8")
    assert "talk: second-talk" in text
    slot_start = text.rindex("  - ", 0, text.index("talk: second-talk"))
    slot_end = text.find("\n  - ", text.index("talk: second-talk"))
    program.write_text(text[:slot_start] + (text[slot_end + 1:] if slot_end != -1 else ""), encoding="utf-8")
    (content / "talks/second-talk.yaml").unlink()
    build()
    assert not (site / "talks/second-talk.html").exists()
    assert "second-talk" not in (site / "sitemap.xml").read_text(encoding="utf-8")
    assert fingerprint(site) == cold_build(content, tmp_path)


def test_changing_a_template_rebuilds_every_page_that_uses_it(tree, tmp_path: Path) -> None:
    content, site, build = tree
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    build(templates=templates)
    edit(templates / "base.html", "</main>", "<p class=\"marker\">template-marker</p></main>")
    build(templates=templates)
    pages = [path for path in site.rglob("*.html") if path.name != "404.html"]
    assert pages and all("template-marker" in path.read_text(encoding="utf-8") for path in pages)
    assert fingerprint(site) == cold_build(content, tmp_path, templates=templates)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "lying"])
def test_a_corrupted_cache_is_ignored_and_rebuilt(tree, tmp_path: Path, damage: str) -> None:
    content, site, build = tree
    cache = site.parent / ".cache"
    manifest = cache / "site-manifest.bin"
    markdown = cache / "markdown.json"
    assert manifest.is_file() and markdown.is_file()
    if damage == "garbage":
        manifest.write_bytes(b"\x00\xff not marshal")
        markdown.write_bytes(b"{{{{")
    elif damage == "truncated":
        manifest.write_bytes(manifest.read_bytes()[:100])
        markdown.write_text(markdown.read_text(encoding="utf-8")[:100], encoding="utf-8")
    else:  # well-formed, but every cached rendering and every recorded hash is wrong
        data = json.loads(markdown.read_text(encoding="utf-8"))
        data["html"] = {key: "<p>WRONG</p>" for key in data["html"]}
        markdown.write_text(json.dumps(data), encoding="utf-8")
        data = read_checked(manifest, MANIFEST_FORMAT)
        data["inputs"] = "0" * 32
        write_checked(manifest, MANIFEST_FORMAT, data)
        (site / "talks/first-talk.html").write_text("<p>WRONG</p>", encoding="utf-8")
        edit(content / "talks/first-talk.yaml", "large step sizes", "large step sizes, again")
    build()
    assert fingerprint(site) == cold_build(content, tmp_path)
    assert "WRONG" not in "".join(path.read_text(encoding="utf-8") for path in site.rglob("*.html"))


def test_a_hand_edited_site_is_rebuilt_not_trusted(tree) -> None:
    _, site, build = tree
    before = fingerprint(site)
    (site / "index.html").write_text("defaced", encoding="utf-8")
    report = build()
    assert not report.up_to_date
    assert fingerprint(site) == before


def test_the_markdown_cache_is_reused_by_a_later_process(tree) -> None:
    """Cache keys must not depend on a process's hash seed (a set's repr does)."""
    import os
    import subprocess
    import sys

    content, site, _ = tree
    cache = site.parent / ".cache" / "markdown.json"

    def build_in_a_new_process(seed: str) -> None:
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "generator", "build", "--content", str(content), "--out", str(site),
                        "--no-figures", "--no-search"], check=True, env=env, capture_output=True, timeout=300)

    build_in_a_new_process("1")
    before = cache.stat().st_mtime_ns
    (cache.parent / "site-manifest.bin").unlink()  # so every page is rendered again, and every text looked up
    build_in_a_new_process("2")
    assert cache.stat().st_mtime_ns == before, "every text was rendered again: the cache missed"


def _synthetic(tmp_path: Path, talks: int) -> Path:
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("bench_synth_incremental",
                                                  Path(__file__).resolve().parent.parent / "benchmarks" / "synth.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    content, _ = module.write_both(talks, tmp_path / "synth", seed=11)
    return content


def _yaml_edit(path: Path, change) -> None:
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _edits(content: Path) -> list[tuple[str, Callable[[], None]]]:
    """Edits of every kind a page can depend on, each touching as little as an organizer would."""
    talks = sorted((content / "talks").glob("*.yaml"))
    speakers = sorted((content / "speakers").glob("*.yaml"))
    day = sorted((content / "program").glob("*.yaml"))[0]
    shared = next(path for path in talks if len(yaml_load(path)["speakers"]) > 1)
    return [
        ("an abstract", lambda: _yaml_edit(talks[0], lambda d: d.update(abstract="Only *this* changed."))),
        ("a title", lambda: _yaml_edit(talks[1], lambda d: d.update(title="A Retitled Talk"))),
        ("a speaker's name", lambda: _yaml_edit(speakers[0], lambda d: d.update(name="Renamed Person"))),
        ("a biography", lambda: _yaml_edit(speakers[1], lambda d: d.update(bio="A new *biography*."))),
        ("an affiliation", lambda: _yaml_edit(speakers[2], lambda d: d.update(affiliations=["Institute of Unlikely Tests"]))),
        ("a publication", lambda: _yaml_edit(speakers[3], lambda d: d.update(
            publications=[{"title": "A Fresh Paper", "authors": ["Renamed Person"], "year": 2025}]))),
        ("a talk's speakers", lambda: _yaml_edit(shared, lambda d: d.update(speakers=d["speakers"][:1]))),
        ("a slot's time", lambda: day.write_text(day.read_text(encoding="utf-8").replace(
            'start: "09:00"', 'start: "08:55"', 1), encoding="utf-8")),
        ("the event's name", lambda: _yaml_edit(content / "event.yaml", lambda d: d.update(name="Renamed Symposium"))),
    ]


def yaml_load(path: Path):
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("jobs", [None, 2], ids=["one process", "forked workers"])
@pytest.mark.filterwarnings("ignore:os.fork\\(\\) was called:RuntimeWarning")  # JAX, if other tests loaded it
def test_after_each_kind_of_edit_a_rebuild_gives_the_bytes_of_a_cold_build(tmp_path: Path, jobs: int | None) -> None:
    """The dependency keys are conservative enough: no page is ever left stale, whatever was edited.

    With workers, the feeds are made in a forked child (parallel.ForkedCall) and big changes rendered on a pool.
    """
    content = _synthetic(tmp_path, 40)
    site = tmp_path / "site"
    options = BuildOptions(content=content, out=site, figures=False, search=False, jobs=jobs)
    build_site(options)
    for number, (what, change) in enumerate(_edits(content)):
        before = fingerprint(site)
        change()
        build_site(options)
        after = fingerprint(site)
        assert after == cold_build(content, tmp_path / f"cold-{number}"), f"stale pages after editing {what}"
        assert after != before, f"editing {what} changed nothing"


def test_editing_an_abstract_renders_only_that_talks_page(tmp_path: Path, monkeypatch) -> None:
    from generator.build import parallel

    content = _synthetic(tmp_path, 40)
    options = BuildOptions(content=content, out=tmp_path / "site", figures=False, search=False)
    build_site(options)
    rendered: list[str] = []
    original = parallel._render_chunk
    monkeypatch.setattr(parallel, "_render_chunk", lambda indices: rendered.extend(
        parallel._FORK_STATE["jobs"][i][0] for i in indices) or original(indices))
    talk = sorted((content / "talks").glob("*.yaml"))[5]
    _yaml_edit(talk, lambda d: d.update(abstract="A shorter abstract."))
    build_site(options)
    assert rendered == [f"talks/{talk.stem}.html"]


def test_a_damaged_content_cache_shard_is_ignored(tree, tmp_path: Path) -> None:
    content, site, build = tree
    shards = sorted((site.parent / ".cache" / "content").glob("*.bin"))
    assert shards, "the first build keeps what each content file parsed to"
    for shard in shards:
        data = bytearray(shard.read_bytes())
        data[-1] ^= 0xFF  # one flipped bit of payload: the checksum no longer matches
        shard.write_bytes(bytes(data))
    edit(content / "talks/first-talk.yaml", "large step sizes", "large step sizes, again")
    build()
    assert fingerprint(site) == cold_build(content, tmp_path)


def test_parsed_content_cached_by_other_parser_code_is_not_used(tree, monkeypatch: pytest.MonkeyPatch) -> None:
    """The package version does not move when load.py does; the cache's format tag carries the code's digest."""
    import generator.content.cache
    import generator.content.pipeline
    from generator.core.hashing import code_digest

    assert generator.content.cache.FORMAT.endswith(
        code_digest("content", "core"))
    content, _, build = tree
    parsed: list[str] = []
    real = generator.content.pipeline.parse_yaml
    monkeypatch.setattr(generator.content.pipeline, "parse_yaml",
                        lambda path, diagnostics, raw=None: parsed.append(path.name) or real(path, diagnostics, raw=raw))
    monkeypatch.setattr(generator.content.cache, "FORMAT", generator.content.cache.FORMAT + "-changed-parser")
    edit(content / "talks/first-talk.yaml", "large step sizes", "large step sizes, again")
    build()
    assert len(parsed) == sum(1 for path in content.rglob("*.yaml")), "every file is parsed again"


def test_an_error_found_with_cached_files_still_names_the_right_line(tree) -> None:
    """Cached files carry no positions; a message about one reads the file again for its line."""
    from generator.core.diagnostics import ContentError

    content, _, build = tree
    talk = content / "talks/first-talk.yaml"  # unchanged, so it comes from the cache this time
    number = next(i for i, line in enumerate(talk.read_text(encoding="utf-8").splitlines(), start=1)
                  if line.startswith("speakers:"))
    (content / "speakers/ada-lovelace.yaml").unlink()
    with pytest.raises(ContentError) as raised:
        build()
    assert f"talks/first-talk.yaml:{number}:" in str(raised.value)
    assert "ada-lovelace" in str(raised.value)


# ----------------------------------------------------------------- content digests by stat signature


@pytest.fixture()
def folder_with_index(tmp_path: Path, monkeypatch) -> tuple[Path, Path, list[str]]:
    """Three files, hashed once into an index that trusts anything older than itself; and a log of reads."""
    from generator.content import cache as content_cache

    monkeypatch.setattr(content_cache, "RACY_NS", 0)
    folder = tmp_path / "content"
    (folder / "talks").mkdir(parents=True)
    for name in ("a", "b", "c"):
        (folder / "talks" / f"{name}.yaml").write_text(f"title: {name}\n", encoding="utf-8")
    index = tmp_path / "digests.bin"
    content_cache.content_digests(folder, index=index)
    hashed: list[str] = []
    real_digest = content_cache.digest
    monkeypatch.setattr(content_cache, "digest", lambda raw: hashed.append(raw) or real_digest(raw))
    return folder, index, hashed


def _plain_digests(folder: Path) -> dict[str, str]:
    from generator.content.cache import content_digests

    return content_digests(folder)


def test_an_unchanged_file_is_known_by_its_stat_signature_and_not_read_again(folder_with_index) -> None:
    from generator.content.cache import content_digests

    folder, index, hashed = folder_with_index
    digests = content_digests(folder, index=index)
    assert hashed == [], "no file was read"
    assert digests == _plain_digests(folder)
    hashed.clear()
    (folder / "talks/b.yaml").write_text("title: B, edited\n", encoding="utf-8")
    digests = content_digests(folder, index=index)
    assert hashed == [b"title: B, edited\n"], "only the edited file is read"
    assert digests == _plain_digests(folder)


def test_an_edit_that_keeps_size_and_mtime_is_still_seen(folder_with_index) -> None:
    """``cp -p`` or ``touch -r`` can put an mtime back, but not the ctime: the edit is found."""
    from generator.content.cache import content_digests

    folder, index, _ = folder_with_index
    path = folder / "talks/a.yaml"
    before = path.stat()
    path.write_text("title: z\n", encoding="utf-8")  # same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    assert content_digests(folder, index=index) == _plain_digests(folder)


def test_a_file_written_just_before_the_index_is_hashed_again(folder_with_index, monkeypatch) -> None:
    """Git's "racily clean" case: a file as new as the index could change without its mtime moving."""
    from generator.content import cache as content_cache

    folder, index, hashed = folder_with_index
    monkeypatch.setattr(content_cache, "RACY_NS", 2_000_000_000)
    (folder / "talks/c.yaml").write_text("title: c, new\n", encoding="utf-8")
    content_cache.content_digests(folder, index=index)  # the index is written now, within 2 s of every file
    hashed.clear()
    digests = content_cache.content_digests(folder, index=index)
    assert len(hashed) == 3
    assert digests == _plain_digests(folder)


@pytest.mark.parametrize("damage", [b"", b"\x00" * 40, b"garbage that is no marshal data at all"])
def test_a_damaged_digest_index_only_means_every_file_is_hashed(folder_with_index, damage: bytes) -> None:
    from generator.content.cache import content_digests

    folder, index, hashed = folder_with_index
    index.write_bytes(damage)
    digests = content_digests(folder, index=index)
    assert len(hashed) == 3
    assert digests == _plain_digests(folder)
