"""A build replaces the site all at once or not at all.

It writes into a hidden staging folder beside the output and swaps it in
only after every step succeeded; bad content, a template that raises and a
Ctrl-C in the middle of writing each leave the previous site byte-for-byte
as it was, with no staging folder left behind.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
from pathlib import Path

import pytest

import generator.build.parallel
import generator.build.site
from generator.build.publish import staged_site
from generator.build.site import BuildOptions, build_site
from generator.core.diagnostics import ContentError
from generator.core.files import scan
from generator.core.paths import TEMPLATES

BASE = Path(__file__).resolve().parent / "bad_content" / "base"


def fingerprint(folder: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every file under ``folder``."""
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.startswith(".site."))


def options(content: Path, out: Path, **extra) -> BuildOptions:
    return BuildOptions(content=content, out=out, figures=False, search=False, **extra)


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    """A content tree, a site built from it, and that site's fingerprint."""
    content = tmp_path / "content"
    shutil.copytree(BASE, content)
    site = tmp_path / "site"
    build_site(options(content, site))
    before = fingerprint(site)
    assert "index.html" in before and "talks/first-talk.html" in before
    return content, site, before


def test_bad_content_leaves_the_previous_site_untouched(built, tmp_path: Path) -> None:
    content, site, before = built
    talk = content / "talks/first-talk.yaml"
    talk.write_text(talk.read_text(encoding="utf-8").replace("ada-lovelace", "ada-lovelance"), encoding="utf-8")
    with pytest.raises(ContentError, match="unknown speaker 'ada-lovelance'"):
        build_site(options(content, site))
    assert fingerprint(site) == before
    assert leftovers(tmp_path) == []


def test_a_template_that_raises_leaves_the_previous_site_untouched(built, tmp_path: Path) -> None:
    content, site, before = built
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    page = templates / "talk.html"
    text = page.read_text(encoding="utf-8")
    assert "</article>" in text
    page.write_text(text.replace("</article>", "{{ this_variable_does_not_exist }}</article>", 1), encoding="utf-8")
    with pytest.raises(Exception, match="this_variable_does_not_exist"):
        build_site(options(content, site, templates=templates))
    assert fingerprint(site) == before
    assert leftovers(tmp_path) == []


def test_ctrl_c_in_the_middle_of_writing_leaves_the_previous_site_untouched(built, tmp_path: Path,
                                                                          monkeypatch) -> None:
    content, site, before = built
    written: list[str] = []

    put = generator.build.parallel.Sink.put

    def write_some_then_interrupt(sink, path: str, content: bytes):
        if len(written) == 3:
            raise KeyboardInterrupt
        written.append(path)
        return put(sink, path, content)

    monkeypatch.setattr(generator.build.parallel.Sink, "put", write_some_then_interrupt)
    talk = content / "talks/first-talk.yaml"  # a real change, so the build has pages to write
    talk.write_text(talk.read_text(encoding="utf-8").replace("Edge of Stability", "Edge of Chaos"), encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        build_site(options(content, site))
    assert written, "the interrupt came before anything was written"
    assert fingerprint(site) == before
    assert leftovers(tmp_path) == []


def test_a_successful_build_replaces_the_site_and_cleans_up(built, tmp_path: Path) -> None:
    content, site, before = built
    (site / "stale-page.html").write_text("from an older build", encoding="utf-8")
    talk = content / "talks/first-talk.yaml"
    talk.write_text(talk.read_text(encoding="utf-8").replace("Edge of Stability", "Edge of Chaos"), encoding="utf-8")
    build_site(options(content, site))
    after = fingerprint(site)
    assert "stale-page.html" not in after
    assert after["talks/first-talk.html"] != before["talks/first-talk.html"]
    assert "Edge of Chaos" in (site / "talks/first-talk.html").read_text(encoding="utf-8")
    assert leftovers(tmp_path) == []


def test_a_replaced_site_is_deleted_by_the_next_build_not_left_to_pile_up(built, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(generator.build.site, "IN_PLACE_PAGES", -1)  # every rebuild swaps a whole new site in
    content, site, _ = built
    trash = tmp_path / ".cache" / "trash"
    talk = content / "talks/first-talk.yaml"
    for title in ("Edge of Chaos", "Edge of Order", "Edge of Reason"):
        text = talk.read_text(encoding="utf-8")
        talk.write_text(text.replace(text.split("title: ", 1)[1].split("\n", 1)[0], title, 1), encoding="utf-8")
        build_site(options(content, site))
        assert title in (site / "talks/first-talk.html").read_text(encoding="utf-8")
        assert len(list(trash.iterdir())) == 1, "only the site this build replaced waits in the trash"
    assert leftovers(tmp_path) == []


def test_a_small_edit_is_published_in_place_touching_only_the_files_that_changed(built, tmp_path: Path) -> None:
    content, site, before = built
    inodes = {path: os.stat(site / path).st_ino for path in before}
    talk = content / "talks/first-talk.yaml"
    talk.write_text(talk.read_text(encoding="utf-8").replace("title: ", "title: Revised ", 1), encoding="utf-8")
    build_site(options(content, site))
    after = fingerprint(site)
    changed = {path for path in after if after[path] != before.get(path)}
    assert "talks/first-talk.html" in changed and "index.html" in after
    assert all(os.stat(site / path).st_ino == inodes[path] for path in after if path not in changed), \
        "an unchanged file was replaced"
    assert not (tmp_path / ".cache" / "trash").exists(), "nothing was swapped out"
    assert leftovers(tmp_path) == []
    fresh = tmp_path / "fresh"
    build_site(options(content, fresh, cache=tmp_path / "fresh-cache"))
    assert after == fingerprint(fresh)


def test_two_builds_of_the_same_content_are_byte_identical(built, tmp_path: Path) -> None:
    content, site, before = built
    again = tmp_path / "again"
    build_site(options(content, again))
    assert fingerprint(again) == before
    build_site(options(content, site))
    assert fingerprint(site) == before


def test_the_published_site_is_readable_by_a_web_server(built) -> None:
    """mkdtemp makes its folder private (0700); the swapped-in site must follow the umask like any folder."""
    _, site, _ = built
    mode = stat.S_IMODE(site.stat().st_mode)
    mask = os.umask(0)
    os.umask(mask)
    assert mode == 0o777 & ~mask
    assert mode & 0o005 == 0o005 or mask & 0o005


@pytest.mark.parametrize("mistake", ["content", "."])
def test_a_folder_that_is_not_a_site_is_never_swapped_away(built, tmp_path: Path, monkeypatch, mistake: str) -> None:
    """`--out content` or `--out .` by mistake must not delete the organizer's files."""
    content, _, _ = built
    monkeypatch.chdir(tmp_path)
    before = fingerprint(content)
    with pytest.raises(FileExistsError, match="refusing to replace"):
        build_site(options(content, tmp_path / mistake))
    assert fingerprint(content) == before
    assert leftovers(tmp_path) == []


def test_the_staging_folder_is_removed_when_the_block_fails(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError):
        with staged_site(tmp_path / "site") as staging:
            (staging.folder / "index.html").write_text("half", encoding="utf-8")
            raise RuntimeError("render failed")
    assert list(tmp_path.iterdir()) == []


def published_site(folder: Path, files: dict[str, str]) -> dict[str, int]:
    """A site in ``folder`` with these files; returns their inodes."""
    for relative, text in files.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_text(text, encoding="utf-8")
    return {relative: os.stat(folder / relative).st_ino for relative in files}


def test_publishing_in_place_renames_new_files_over_old_deletes_gone_ones_and_keeps_the_rest(tmp_path: Path) -> None:
    site = tmp_path / "site"
    inodes = published_site(site, {"index.html": "home", "talks/a.html": "a", "talks/b.html": "b",
                                   "old/only.html": "only", "old/deeper/x.js": "x"})
    with staged_site(site, in_place_of=scan(site)) as staged:
        (staged.folder / "talks").mkdir()
        (staged.folder / "talks/a.html").write_text("a, revised", encoding="utf-8")
        (staged.folder / "talks/c.html").write_text("c", encoding="utf-8")
        assert staged.path_of("talks/a.html") == staged.folder / "talks/a.html"
        assert staged.path_of("index.html") == site.resolve() / "index.html"
        files = staged.publish({"index.html", "talks/a.html", "talks/c.html"})
    assert fingerprint(site) == fingerprint_of({"index.html": "home", "talks/a.html": "a, revised", "talks/c.html": "c"})
    assert os.stat(site / "index.html").st_ino == inodes["index.html"], "an unchanged file was replaced"
    assert not (site / "old").exists(), "a folder left empty was not removed"
    assert files == scan(site)
    assert leftovers(tmp_path) == []


def test_publishing_in_place_refuses_a_site_that_would_lack_an_expected_file(tmp_path: Path) -> None:
    site = tmp_path / "site"
    published_site(site, {"index.html": "home", "talks/a.html": "a"})
    before = fingerprint(site)
    with pytest.raises(RuntimeError, match="lacks 1 file"):
        with staged_site(site, in_place_of=scan(site)) as staged:
            (staged.folder / "index.html").write_text("new home", encoding="utf-8")
            staged.publish({"index.html", "talks/a.html", "talks/missing.html"})
    assert fingerprint(site) == before
    assert leftovers(tmp_path) == []


def fingerprint_of(files: dict[str, str]) -> dict[str, str]:
    return {relative: hashlib.sha256(text.encode("utf-8")).hexdigest() for relative, text in sorted(files.items())}
