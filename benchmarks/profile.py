"""Where our build spends its time: cProfile of ``python -m generator build`` on synthetic content.

Rendering runs in one process (``--jobs 1``) so that the profile sees all of
it. Prints the top functions by cumulative time (the project's own code and
templates) and by own time (everything), and keeps the ``.prof`` file for
``snakeviz`` or ``python -m pstats``.

    .venv/bin/python benchmarks/profile.py 1000 --out /tmp/n1000.prof
"""

from __future__ import annotations

import argparse
import io
import pstats
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synth  # noqa: E402  (sibling module; this file is run as a script)


def top(stats_file: Path, limit: int) -> str:
    """Two tables: cumulative time in generator/ and templates/, own time anywhere."""
    out = io.StringIO()
    stats = pstats.Stats(str(stats_file), stream=out)
    stats.sort_stats("cumulative").print_stats(r"generator/|templates/", limit)
    stats.sort_stats("tottime").print_stats(limit)
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("talks", type=int, nargs="?", default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="where to keep the .prof file")
    parser.add_argument("--limit", type=int, default=30, help="rows per table")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="symposium-profile-") as scratch:
        work = Path(scratch)
        content, _ = synth.write_both(args.talks, work / "src", args.seed)
        prof = args.out or work / "build.prof"
        command = [sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "generator", "build",
                   "--content", str(content), "--out", str(work / "site"), "--no-figures", "--jobs", "1"]
        result = subprocess.run(command, cwd=work, capture_output=True, text=True)
        if result.returncode != 0:
            print(result.stderr[-3000:], file=sys.stderr)
            return result.returncode
        print(result.stdout.strip().splitlines()[-1])
        print(top(prof, args.limit))
    return 0


if __name__ == "__main__":
    sys.exit(main())
