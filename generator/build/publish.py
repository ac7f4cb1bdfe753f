"""Publishing: the staged site swapped in atomically, or a small change written in place.

A failed build leaves the last site untouched: pages are written into a staging
folder beside the output and renamed over it only when every stage succeeded.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterable, Iterator

from generator.core.files import OutputFile, Signature, link_files, scan


class StagedSite:
    """The site a build is writing. New files go into :attr:`folder`; :meth:`keep` carries the last build's
    unchanged files over; :meth:`publish` makes it the site.

    ``in_place_of`` (the published site's files as they are on disk) selects publishing in place: kept
    files then simply stay where they are.
    """

    def __init__(self, folder: Path, out: Path, trash: Path | None = None,
                 in_place_of: dict[str, Signature] | None = None):
        self.folder = folder
        self.out = out
        self.trash = trash
        self.in_place = in_place_of is not None
        self._published_files = in_place_of or {}

    def keep(self, paths: Iterable[str]) -> None:
        """Carry these unchanged files of the published site into the new one."""
        if not self.in_place:
            link_files(self.out, self.folder, list(paths))

    def path_of(self, relative: str) -> Path:
        """Where the new site's file ``relative`` is now: staged, or (in place) kept in the published site."""
        staged = self.folder / relative
        if self.in_place and not staged.exists():
            return self.out / relative
        return staged

    def publish(self, expected: Iterable[str]) -> dict[str, Signature]:
        """Make the staged site the published one; returns every file of it with its signature.

        ``expected`` is every file the new site has. In place, the published files
        not among them are deleted, and a file expected but neither staged nor
        published is a bug that stops the build before anything changed.
        """
        staged = scan(self.folder)
        if not self.in_place:
            _swap_in(self.folder, self.out, self.trash)
            return staged
        wanted = set(expected)
        missing = sorted(wanted - staged.keys() - self._published_files.keys())
        if missing:
            raise RuntimeError(f"internal error: the new site lacks {len(missing)} file(s), e.g. {missing[0]}")
        # A crash part-way leaves a mix of old and new files, which the next build notices by their
        # signatures (the manifest is only written after this) and replaces; no file is ever half-written.
        for relative in sorted(staged):
            target = f"{self.out}/{relative}"
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.replace(f"{self.folder}/{relative}", target)
        gone = sorted(self._published_files.keys() - wanted - staged.keys())
        for relative in gone:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{self.out}/{relative}")
        _remove_empty_folders(self.out, {relative.rpartition("/")[0] for relative in gone})
        files = {relative: signature for relative, signature in self._published_files.items()
                 if relative in wanted and relative not in staged}
        files.update(staged)  # a rename keeps size and modification time
        return files


def _remove_empty_folders(root: Path, folders: set[str]) -> None:
    """Remove these folders of ``root`` (and then their parents) where deleting files left them empty."""
    for folder in sorted(folders, key=lambda folder: -folder.count("/")):  # deepest first
        while folder:
            try:
                os.rmdir(f"{root}/{folder}")
            except OSError:  # not empty (or gone): its parents are not empty either
                break
            folder = folder.rpartition("/")[0]


@contextlib.contextmanager
def staged_site(out: Path, trash: Path | None = None,
                in_place_of: dict[str, Signature] | None = None) -> Iterator[StagedSite]:
    """A :class:`StagedSite` for ``out``; unless it was published by the end of the block, it is discarded.

    A swapped-out site is moved into ``trash`` (when given and on the same file
    system) instead of being deleted at once: deleting a 10,000-talk site's
    files takes seconds, which :func:`empty_trash` spends during the next build.
    """
    out = out.resolve()
    _check_replaceable(out)
    if in_place_of is not None and not out.is_dir():
        in_place_of = None
    out.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f".{out.name}.build-", dir=out.parent))
    try:
        os.chmod(folder, 0o777 & ~_umask())  # mkdtemp makes it 0700: a web server could not read the site
        yield StagedSite(folder, out, trash, in_place_of)
    finally:
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)


#: Run by :func:`empty_trash` in its own process: delete every entry the trash held when it started.
_EMPTY_TRASH = (
    "import os, shutil, sys\n"
    "for name in sorted(os.listdir(sys.argv[1])):\n"
    "    shutil.rmtree(os.path.join(sys.argv[1], name), ignore_errors=True)\n"
)


class TrashCleaner:
    """Deletes replaced sites in a child process while the build goes on; :meth:`join` waits for it.

    A process rather than a thread: ``shutil.rmtree`` is a Python loop that holds
    the GIL between its syscalls, and tens of thousands of files of it slowed the
    build's own hashing and loading by about a second on a 2-core machine.
    """

    def __init__(self, trash: Path):
        self._process: subprocess.Popen | None = None
        if trash.is_dir() and any(trash.iterdir()):
            self._process = subprocess.Popen(
                [sys.executable, "-I", "-S", "-c", _EMPTY_TRASH, str(trash)],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def join(self) -> None:
        if self._process is not None:
            self._process.wait()


def empty_trash(trash: Path) -> TrashCleaner:
    """Start deleting the sites earlier builds replaced (see :func:`staged_site`)."""
    return TrashCleaner(trash)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _check_replaceable(out: Path) -> None:
    """Refuse to swap away a folder that is not a built site (``--out .`` or ``--out content`` by mistake).

    Every build writes index.html, so a previous site always has one; a
    non-empty folder without it is someone's files, and the swap would delete them.
    """
    if out.is_dir() and any(out.iterdir()) and not (out / "index.html").is_file():
        raise FileExistsError(f"refusing to replace {out}: it is not empty and holds no index.html, so it is "
                              "not a site built by symposium; choose another output folder")
    if Path.cwd().resolve() == out or out in Path.cwd().resolve().parents:
        raise FileExistsError(f"refusing to replace {out}: it holds the current folder")


def _swap_in(staging: Path, out: Path, trash: Path | None = None) -> None:
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"{out} exists and is not a folder")
    retired = None
    if out.exists():
        retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        retired.rmdir()
        os.replace(out, retired)
    try:
        os.replace(staging, out)
    except BaseException:
        if retired is not None:
            os.replace(retired, out)
        raise
    if retired is None:
        return
    if trash is not None:
        try:
            trash.mkdir(parents=True, exist_ok=True)
            os.replace(retired, trash / retired.name)
            return
        except OSError:  # another file system: delete it now
            pass
    shutil.rmtree(retired, ignore_errors=True)


def static_files(source: Path, prefix: str = "assets") -> list[OutputFile]:
    """The static assets under ``source``, as site files under ``prefix``, skipping dotfiles (editor swap
    files, .DS_Store)."""
    files = []
    for path in sorted(source.rglob("*")) if source.is_dir() else []:
        relative = path.relative_to(source)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        files.append(OutputFile(f"{prefix}/{relative.as_posix()}", path.read_bytes()))
    return files
