"""Write stage: put rendered files on disk so a failed build never harms the last good site.

Everything is written into a staging folder beside the output and swapped in
with two renames only after every step succeeded; on any error (or Ctrl-C)
the staging folder is removed and the published site stays byte-for-byte as it was.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator


@dataclass(frozen=True)
class OutputFile:
    """One file of the site: a relative POSIX path and its bytes."""

    path: str
    content: bytes

    def __post_init__(self) -> None:
        # Split by hand: PurePosixPath would quietly drop the "." and "" segments of "a/./b" and "a//b".
        segments = self.path.split("/")
        if any(segment in ("", ".", "..") for segment in segments) or "\\" in self.path or "\x00" in self.path:
            raise ValueError(f"refusing to write outside the site folder: {self.path!r}")


@contextlib.contextmanager
def staging_folder(out: Path, trash: Path | None = None) -> Iterator[Path]:
    """A fresh folder beside ``out``; swapped into place on success, deleted on failure.

    The replaced site is moved into ``trash`` (when given and on the same file
    system) instead of being deleted at once: deleting a 10,000-talk site's
    files takes seconds, which :func:`empty_trash` spends during the next build.
    """
    out = out.resolve()
    _check_replaceable(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.build-", dir=out.parent))
    try:
        os.chmod(staging, 0o777 & ~_umask())  # mkdtemp makes it 0700: a web server could not read the site
        yield staging
        _swap_in(staging, out, trash)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


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
    """Start deleting the sites earlier builds replaced (see :func:`staging_folder`)."""
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


def copy_tree(source: Path, destination: Path) -> None:
    """Copy static assets, skipping dotfiles (editor swap files, .DS_Store)."""
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one rename, so no reader (or crash) ever sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
