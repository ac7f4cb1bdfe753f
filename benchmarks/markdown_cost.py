"""What a Markdown text costs to convert: Python-Markdown as the generator used it before (sane_lists + smarty,
stock) against markup.markdown_html now (smarty only where it can change the text, impossible patterns skipped).

    .venv/bin/python benchmarks/markdown_cost.py [content-folder ...] [--repeats 3] [--every 1]

(about 3 minutes at N=10,000 on 2 busy cores; --every 4 times a quarter of the texts, all still compared)

Without a folder: the repository's content/ and the synthetic N=10,000 program in /tmp/w10k/src/content
(written first with synth.py when it is missing). The texts are those a build renders (build.parallel's
markdown_texts), as Markdown receives them (formulas set aside). Every text's HTML, the converter's and the
sanitized one, is checked to be the same both ways; the script exits 1 if any differs. Timings are the
minimum over the repeats, old and new alternating in one process (the machine is shared).
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import markdown as markdown_lib

from generator.build.parallel import markdown_texts
from generator.content import markup
from generator.content.pipeline import load_program

SYNTHETIC = Path("/tmp/w10k/src")


def old_converter() -> markdown_lib.Markdown:
    return markdown_lib.Markdown(extensions=["sane_lists", "smarty"], output_format="html")


def texts_of(content: Path) -> list[str]:
    return markdown_texts(load_program(content))


def as_markdown_sees_them(texts: list[str]) -> tuple[list[str], list[str]]:
    """Each text as markdown_html receives it (formulas set aside), and each sanitized rendering (new code)."""
    seen: list[str] = []
    new_html = markup.markdown_html

    def recording(text: str) -> str:
        seen.append(text)
        return new_html(text)

    markup.markdown_html = recording
    try:
        rendered = [markup._markdown_with_maths(text) for text in texts]
    finally:
        markup.markdown_html = new_html
    assert len(seen) == len(texts)
    return seen, rendered


def old_rendering(texts: list[str]) -> list[str]:
    """The sanitized renderings with the stock converter in markdown_html's place: what the build made before."""
    old, new_html = old_converter(), markup.markdown_html

    def stock(text: str) -> str:
        old.reset()
        return old.convert(text)

    markup.markdown_html = stock
    try:
        return [markup._markdown_with_maths(text) for text in texts]
    finally:
        markup.markdown_html = new_html


def timed(convert, texts: list[str]) -> tuple[float, list[str]]:
    gc.collect()
    start = time.perf_counter()
    out = [convert(text) for text in texts]
    return time.perf_counter() - start, out


def measure(content: Path, repeats: int, every: int) -> bool:
    started = time.perf_counter()
    texts = texts_of(content)
    print(f"\n{content}: {len(texts):,} Markdown texts (loaded in {time.perf_counter() - started:.1f} s)")
    inputs, new_rendered = as_markdown_sees_them(texts)
    fast = sum(markup._SMARTY_MAY_CHANGE.search(text) is None for text in inputs)
    print(f"  without smarty (no quote, '--', '...', '<', STX/ETX): {fast:,} of {len(inputs):,} "
          f"({fast / max(len(inputs), 1):.1%})")

    old = old_converter()

    def old_convert(text: str) -> str:
        old.reset()
        return old.convert(text)

    sample = inputs[::every]
    best_old = best_new = float("inf")
    same = True
    for repeat in range(repeats):
        seconds_old, out_old = timed(old_convert, sample)
        seconds_new, out_new = timed(markup.markdown_html, sample)
        best_old, best_new = min(best_old, seconds_old), min(best_new, seconds_new)
        if repeat == 0:
            if every > 1:  # the timing sample is not every text: compare all of them once
                out_old = [old_convert(text) for text in inputs]
                out_new = [markup.markdown_html(text) for text in inputs]
            differ = [text for text, a, b in zip(inputs, out_old, out_new) if a != b]
            if differ:
                same = False
                print(f"  DIFFERENT Markdown HTML for {len(differ)} texts, the first: {differ[0][:200]!r}")
    per_old, per_new = best_old / len(sample) * 1e3, best_new / len(sample) * 1e3
    print(f"  Markdown, ms per text (min of {repeats}, {len(sample):,} texts): old {per_old:.3f}, new {per_new:.3f} "
          f"({per_old / per_new:.2f}x); all texts, one process: old {per_old * len(texts) / 1e3:.2f} s, "
          f"new {per_new * len(texts) / 1e3:.2f} s")

    # The texts that need smarty: each with quotes, a dash and an ellipsis added (a tenth of the sample).
    quoted = [f'"{text[:400]}" -- it\'s so...' for text in sample[::10]]
    best_old = best_new = float("inf")
    for repeat in range(repeats):
        seconds_old, out_old = timed(old_convert, quoted)
        seconds_new, out_new = timed(markup.markdown_html, quoted)
        best_old, best_new = min(best_old, seconds_old), min(best_new, seconds_new)
        if repeat == 0 and out_old != out_new:
            same = False
            print("  DIFFERENT Markdown HTML for texts with quotes added")
    per_old, per_new = best_old / max(len(quoted), 1) * 1e3, best_new / max(len(quoted), 1) * 1e3
    print(f"  texts that need smarty ({len(quoted):,}: a tenth, the first 400 characters in quotes, with '--' "
          f"and '...'), ms per text: "
          f"old {per_old:.3f}, new {per_new:.3f} ({per_old / per_new:.2f}x)")

    old_sanitized = old_rendering(texts)
    differ = [text for text, a, b in zip(texts, old_sanitized, new_rendered) if a != b]
    if differ:
        same = False
        print(f"  DIFFERENT sanitized HTML for {len(differ)} texts, the first: {differ[0][:200]!r}")
    print(f"  output: {'the same' if same else 'DIFFERENT'} for every text "
          f"(Markdown's HTML and the sanitized rendering with formulas)")
    return same


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("content", nargs="*", type=Path)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--every", type=int, default=1, help="time every k-th text (all are compared)")
    args = parser.parse_args(argv)
    folders = args.content
    if not folders:
        if not (SYNTHETIC / "content").is_dir():
            sys.path.insert(0, str(ROOT / "benchmarks"))
            import synth

            print(f"writing the N=10,000 program to {SYNTHETIC} ...")
            synth.write_both(10000, SYNTHETIC, 0)
        folders = [ROOT / "content", SYNTHETIC / "content"]
    results = [measure(folder, args.repeats, args.every) for folder in folders]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
