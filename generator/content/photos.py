"""Speaker photos: inside the content folder, of a type the site accepts, and really that type."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

#: Photo types by suffix, and a test of the file's first bytes: a renamed HTML or SVG file (which can carry
#: scripts) must not be published as a "photo". SVG is not accepted for that reason.
PHOTO_TYPES: dict[str, tuple[str, Callable[[bytes], bool]]] = {
    ".jpg": ("JPEG", lambda head: head.startswith(b"\xff\xd8\xff")),
    ".jpeg": ("JPEG", lambda head: head.startswith(b"\xff\xd8\xff")),
    ".png": ("PNG", lambda head: head.startswith(b"\x89PNG\r\n\x1a\n")),
    ".gif": ("GIF", lambda head: head[:6] in (b"GIF87a", b"GIF89a")),
    ".webp": ("WebP", lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP"),
    ".avif": ("AVIF", lambda head: head[4:12] in (b"ftypavif", b"ftypavis")),
}


def photo_problem(root: Path, photo: str) -> tuple[str, str] | None:
    """What is wrong with a speaker's ``photo`` path (message, hint), or None."""
    path = (root / photo).resolve()
    if Path(photo).is_absolute() or root.resolve() not in path.parents:
        return (f"photo '{photo}' is outside the content folder",
                "give a path inside content/, e.g. photos/jane-doe.jpg")
    if path.suffix.lower() not in PHOTO_TYPES:
        return (f"photo '{photo}' is not an image type the site accepts", "use " + ", ".join(sorted(PHOTO_TYPES)))
    if not path.is_file():
        return f"photo '{photo}' does not exist", f"put the file at content/{photo} or fix the path"
    kind, looks_right = PHOTO_TYPES[path.suffix.lower()]
    with path.open("rb") as file:
        head = file.read(16)
    if not looks_right(head):
        return (f"photo '{photo}' is not a {kind} image",
                f"its first bytes are not those of a {kind} file; export it again as {kind}")
    return None
