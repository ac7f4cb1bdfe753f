"""Hashes: one digest for bytes, and one for the code a cache's contents depend on."""

from __future__ import annotations

import hashlib

from generator.core.paths import GENERATOR


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def code_digest(*packages: str) -> str:
    """A digest of every module in these generator packages (``"content"``, ``"exports"``), for the
    caches whose contents that code decides: the package's version number does not move when the code
    does, and a whole folder is hashed so a module added to it cannot be forgotten."""
    state = hashlib.blake2b(digest_size=16)
    for package in packages:
        for source in sorted((GENERATOR / package).rglob("*.py")):
            state.update(source.relative_to(GENERATOR).as_posix().encode() + b"\0" + source.read_bytes() + b"\0")
    return state.hexdigest()
