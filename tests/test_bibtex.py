"""`symposium import-bibtex`: BibTeX into a speaker's publications, merged, text-preserving, validated."""

from __future__ import annotations

from pathlib import Path

import yaml

from generator.cli import main
from generator.models import Speaker

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "bibtex"


def _publications(content: Path, speaker: str = "alex-damian") -> dict[str, dict]:
    data = yaml.safe_load((content / "speakers" / f"{speaker}.yaml").read_text(encoding="utf-8"))
    return {publication["title"]: publication for publication in data.get("publications") or []}


def _import(content: Path, bib: str, speaker: str = "alex-damian") -> int:
    return main(["import-bibtex", str(FIXTURES / bib), "--speaker", speaker, "--content", str(content)])


def test_latex_accents_become_unicode_and_last_first_names_are_turned_around(content):
    assert _import(content, "publications.bib") == 0
    tikhonov = next(p for title, p in _publications(content).items() if title.startswith("Tikhonov"))
    assert tikhonov["authors"] == ["Radu Ioan Boţ", "Dang-Khoa Nguyen", "Alex Damian"]
    sharp = _publications(content)["Sharp Rates for Adam on Quadratics"]
    assert sharp["authors"][0] == "María García" and sharp["authors"][2] == "Jörg Müller"


def test_doi_arxiv_url_venue_year_and_et_al_are_kept(content):
    assert _import(content, "publications.bib") == 0
    publications = _publications(content)
    tikhonov = next(p for title, p in publications.items() if title.startswith("Tikhonov"))
    assert tikhonov["doi"] == "10.1137/23M1571234"  # the https://doi.org/ prefix is dropped
    assert (tikhonov["venue"], tikhonov["year"]) == ("SIAM Journal on Optimization", 2024)
    sharp = publications["Sharp Rates for Adam on Quadratics"]
    assert sharp["arxiv"] == "2305.01234v2"
    assert sharp["url"] == "https://example.org/sharp-rates"
    assert sharp["et_al"] is True  # "and others"


def test_equal_contribution_marks_become_a_trailing_star(content):
    assert _import(content, "publications.bib") == 0
    publications = _publications(content)
    compositional = publications["Compositional Learning with Transformers, from Easy-to-Hard Data and Back"]
    assert compositional["authors"] == ["Zixuan Wang*", "Eshaan Nichani*", "Alberto Bietti"]  # $^*$, \textsuperscript{*}
    assert publications["Sharp Rates for Adam on Quadratics"]["authors"][1] == "Alex Damian*"  # a bare *
    speaker = Speaker.model_validate(yaml.safe_load((content / "speakers" / "alex-damian.yaml").read_text()))
    starred = [a.name for p in speaker.publications for a in p.authors if a.equal_contribution]
    assert "Zixuan Wang" in starred and "Eshaan Nichani" in starred


def test_duplicates_and_entries_without_title_or_author_are_skipped_with_a_reason(content, capsys):
    before = _publications(content)
    assert _import(content, "publications.bib") == 0
    out = capsys.readouterr().out
    assert "damian2024central: skipped, same title as a publication already in the speaker file" in out
    assert "untitled2022: skipped, it has no title" in out
    assert "noauthors2021: skipped, it has no authors" in out
    after = _publications(content)
    assert len(after) == len(before) + 3
    titles = [p["title"] for p in yaml.safe_load((content / "speakers" / "alex-damian.yaml").read_text())["publications"]]
    assert len(titles) == len(set(titles))


def test_importing_twice_adds_nothing_the_second_time(content, capsys):
    assert _import(content, "publications.bib") == 0
    text = (content / "speakers" / "alex-damian.yaml").read_bytes()
    capsys.readouterr()
    assert _import(content, "publications.bib") == 0
    assert "0 added, 6 skipped" in capsys.readouterr().err
    assert (content / "speakers" / "alex-damian.yaml").read_bytes() == text


def test_duplicates_are_matched_by_doi_and_arxiv_id_even_under_another_title(content, capsys):
    path = content / "speakers" / "jeremy-cohen.yaml"
    path.write_text(path.read_text(encoding="utf-8") + """publications:
  - title: "Tikhonov flows (preprint title)"
    authors: ["Radu Ioan Boţ"]
    doi: "10.1137/23m1571234"
  - title: "Central flows, early version"
    authors: ["Jeremy M. Cohen"]
    arxiv: "2410.24206v1"
""", encoding="utf-8")
    assert _import(content, "publications.bib", speaker="jeremy-cohen") == 0
    out = capsys.readouterr().out
    assert "bot2024tikhonov: skipped, same DOI" in out
    assert "damian2024central: skipped, same arXiv id" in out


def test_the_rest_of_the_speaker_file_is_kept_byte_for_byte(content):
    path = content / "speakers" / "alex-damian.yaml"
    original = "# Profile transcribed from the seeds; keep this note.\n" + path.read_text(encoding="utf-8")
    path.write_text(original, encoding="utf-8")
    assert _import(content, "publications.bib") == 0
    assert path.read_text(encoding="utf-8").startswith(original)


def test_a_speaker_without_publications_gets_the_key(content, capsys):
    path = content / "speakers" / "radu-i-bot.yaml"
    original = path.read_text(encoding="utf-8")
    assert "publications" not in original
    assert _import(content, "publications.bib", speaker="radu-i-bot") == 0
    text = path.read_text(encoding="utf-8")
    assert text.startswith(original) and len(_publications(content, "radu-i-bot")) == 4
    capsys.readouterr()
    assert main(["check", "--content", str(content)]) == 0


def test_a_malformed_bib_file_is_reported_with_file_and_line_and_nothing_is_written(content, capsys):
    path = content / "speakers" / "alex-damian.yaml"
    before = path.read_bytes()
    assert _import(content, "malformed.bib") == 1
    err = capsys.readouterr().err
    assert "malformed.bib:7:1: error: malformed BibTeX" in err
    assert "nothing was written" in err and "Traceback" not in err
    assert path.read_bytes() == before


def test_an_invalid_speaker_file_is_reported_and_left_alone(content, capsys):
    path = content / "speakers" / "alex-damian.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("affiliations:", "affilations:"), encoding="utf-8")
    before = path.read_bytes()
    assert _import(content, "publications.bib") == 1
    err = capsys.readouterr().err
    assert "alex-damian.yaml:2:1: error:" in err and "affilations" in err
    assert path.read_bytes() == before


def test_a_flow_style_publication_list_is_refused_rather_than_rewritten(content, capsys):
    path = content / "speakers" / "radu-i-bot.yaml"
    path.write_text(path.read_text(encoding="utf-8") + 'publications: [{title: "X", authors: ["Y"]}]\n')
    before = path.read_bytes()
    assert _import(content, "publications.bib", speaker="radu-i-bot") == 2
    assert "[flow, list]" in capsys.readouterr().err
    assert path.read_bytes() == before


def test_an_unknown_speaker_is_a_usage_error(content, capsys):
    assert _import(content, "publications.bib", speaker="nobody") == 2
    assert "no speaker 'nobody'" in capsys.readouterr().err
