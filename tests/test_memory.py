"""core.memory: what a one-off build does with memory it no longer needs."""

from __future__ import annotations

import gc
import weakref

from generator.core.memory import gc_paused, release_memory


class Node:
    def __init__(self) -> None:
        self.partner: Node | None = None


def test_release_frees_frozen_reference_cycles() -> None:
    """The linked program holds cycles and is frozen out of collections (gc_paused(freeze=True)): dropping the
    last reference alone frees nothing, release_memory does."""
    with gc_paused(freeze=True):
        first, second = Node(), Node()
        first.partner, second.partner = second, first
    watched = weakref.ref(first)
    del first, second
    gc.collect()
    try:
        assert watched() is not None  # frozen: an ordinary collection leaves the cycle alone
        release_memory()
        assert watched() is None
    finally:
        gc.unfreeze()
