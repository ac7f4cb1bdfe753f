"""Progress bars for long work (the figure simulation, big builds).

A bar helps a person watching a terminal and only clutters a log, so every
helper here draws with tqdm when stderr is a terminal and stays silent (or
falls back to plain messages) otherwise.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Callable, Iterable, Iterator, TextIO, TypeVar

from tqdm import tqdm

T = TypeVar("T")


def is_interactive(stream: TextIO | None = None) -> bool:
    """True when ``stream`` (default stderr) is a terminal a bar can redraw in place."""
    stream = stream if stream is not None else sys.stderr
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or replaced streams
        return False


def track(items: Iterable[T], description: str, total: int | None = None,
          stream: TextIO | None = None) -> Iterator[T]:
    """Iterate ``items`` with a bar on a terminal; no output at all otherwise."""
    stream = stream if stream is not None else sys.stderr
    yield from tqdm(items, desc=description, total=total, file=stream, leave=False, unit="",
                    disable=not is_interactive(stream), dynamic_ncols=True)


@contextmanager
def bar(description: str, total: int | None = None, stream: TextIO | None = None) -> Iterator[Callable[[int], None]]:
    """A bar advanced by calling the yielded ``advance(n)``; removed when the block ends."""
    stream = stream if stream is not None else sys.stderr
    with tqdm(desc=description, total=total, file=stream, leave=False, unit="",
              disable=not is_interactive(stream), dynamic_ncols=True) as progress_bar:
        yield progress_bar.update


def status_reporter(stream: TextIO | None = None) -> Callable[[str], None]:
    """A ``progress(message)`` callback for ``build_site``.

    On a terminal each message replaces the previous one on a single status line
    (a tqdm bar without a count, cleared at exit); in a log each message is one
    plain line, so CI output still says what the build was doing.
    """
    stream = stream if stream is not None else sys.stderr
    if not is_interactive(stream):
        def plain(message: str) -> None:
            print(message, file=stream, flush=True)

        return plain
    status = tqdm(total=None, file=stream, leave=False, bar_format="{desc} [{elapsed}]", dynamic_ncols=True)

    def show(message: str) -> None:
        status.set_description_str(message, refresh=True)

    show.close = status.close  # type: ignore[attr-defined]
    return show
