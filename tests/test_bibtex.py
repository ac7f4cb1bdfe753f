"""`symposium import-bibtex`: BibTeX into a speaker's publications, merged, text-preserving, validated."""

from __future__ import annotations

import difflib
from pathlib import Path

import yaml

from generator.cli import main
from generator.content.models import Speaker

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


def test_duplicates_and_entries_without_title_or_author_are_skipped_or_merged_with_a_reason(content, capsys):
    before = _publications(content)
    assert _import(content, "publications.bib") == 0
    out = capsys.readouterr().out
    assert ('damian2024central: merged into "Understanding Optimization in Deep Learning with Central Flows" '
            "(same title): added year, arxiv") in out
    central = _publications(content)["Understanding Optimization in Deep Learning with Central Flows"]
    assert (central["year"], central["arxiv"]) == (2024, "2410.24206")
    assert central["authors"][0] == "Jeremy M. Cohen*"  # the speaker file's authors, marks included, are kept
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
    assert "0 added, 0 merged, 6 skipped" in capsys.readouterr().err
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
    assert 'bot2024tikhonov: merged into "Tikhonov flows (preprint title)" (same DOI): added venue, year' in out
    assert 'damian2024central: merged into "Central flows, early version" (same arXiv id): added year' in out
    publications = _publications(content, "jeremy-cohen")
    assert publications["Tikhonov flows (preprint title)"]["doi"] == "10.1137/23m1571234"  # the file's own spelling
    assert publications["Central flows, early version"]["arxiv"] == "2410.24206v1"


def test_the_rest_of_the_speaker_file_is_kept_byte_for_byte(content):
    path = content / "speakers" / "alex-damian.yaml"
    original = "# Profile transcribed from the seeds; keep this note.\n" + path.read_text(encoding="utf-8")
    path.write_text(original, encoding="utf-8")
    assert _import(content, "publications.bib") == 0
    text = path.read_text(encoding="utf-8")
    # every line stays, in order: the merge into the central-flows entry and the new entries only add lines
    assert [line for line in difflib.ndiff(original.splitlines(), text.splitlines()) if line.startswith("- ")] == []
    assert text.startswith(original.split("\n  - title: \"Computational")[0])  # up to the merged entry's end


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


# --- the same work under another title, DOI or arXiv id: merged, not added again ------------------


def test_the_same_title_under_another_first_author_is_neither_merged_nor_added(content, capsys):
    path = content / "speakers" / "jeremy-cohen.yaml"
    path.write_text(path.read_text(encoding="utf-8") + """publications:
  - title: "Compositional learning with transformers, from easy-to-hard data and back"
    authors: ["Somebody Else"]
""", encoding="utf-8")
    assert _import(content, "publications.bib", speaker="jeremy-cohen") == 0
    assert ("wang2025compositional: skipped, same title as a publication already in the speaker file but another "
            "first author; if it is the same work, add what it adds by hand") in capsys.readouterr().out
    compositional = [p for title, p in _publications(content, "jeremy-cohen").items() if "ompositional" in title]
    assert compositional == [{"title": "Compositional learning with transformers, from easy-to-hard data and back",
                              "authors": ["Somebody Else"]}]


def test_a_short_title_is_the_work_whose_title_starts_with_it_when_the_first_author_agrees(content, capsys):
    path = content / "speakers" / "alex-damian.yaml"
    count = len(yaml.safe_load(path.read_text(encoding="utf-8"))["publications"])
    assert _import(content, "same-works.bib") == 0
    out = capsys.readouterr().out
    assert ('damian2023selfstabilization: merged into "Self-Stabilization" (same title before the colon and first '
            "author): added venue, year, arxiv, url, 2 more authors (the list is complete now: et_al removed); kept "
            'its title (the file says "Self-Stabilization: The Implicit Bias of Gradient Descent at the Edge of '
            'Stability")') in out
    publications = _publications(content)
    merged = publications["Self-Stabilization"]
    assert merged["authors"] == ["Alex Damian", "Eshaan Nichani", "Jason D. Lee"] and "et_al" not in merged
    assert (merged["venue"], merged["year"], merged["arxiv"]) == (
        "The Eleventh International Conference on Learning Representations", 2023, "2209.15594")
    assert merged["url"] == "https://openreview.net/forum?id=nhKHA59gXz"
    assert merged["abstract"].startswith("Traditional analyses of gradient descent")  # what the YAML had stays
    assert merged["notes"] == "Free, publicly-accessible full text available May 28, 2024"
    # another first author: a different work that only shares the words before the colon
    assert "Self-Stabilization: A Survey" in publications
    # another capitalisation, and an arXiv id only Google Scholar's journal field carries (no venue from it)
    causal = publications["How Transformers Learn Causal Structure with Gradient Descent"]
    assert (causal["year"], causal["arxiv"]) == (2024, "2402.14735") and "venue" not in causal
    assert len(yaml.safe_load(path.read_text(encoding="utf-8"))["publications"]) == count + 1
    capsys.readouterr()
    assert main(["check", "--content", str(content)]) == 0


def test_a_merge_changes_only_the_lines_it_must(content):
    path = content / "speakers" / "alex-damian.yaml"
    before = path.read_text(encoding="utf-8").splitlines()
    assert _import(content, "same-works.bib") == 0
    after = path.read_text(encoding="utf-8").splitlines()
    diff = [line for line in difflib.ndiff(before, after) if line[:1] in "+-"]
    assert [line for line in diff if line.startswith("-")] == ['-     authors: ["Alex Damian"]', "-     et_al: true"]
    assert [line for line in diff if line.startswith("+")] == [
        "+     year: 2024",  # the causal-structure paper
        '+     arxiv: "2402.14735"',
        '+     authors: ["Alex Damian", "Eshaan Nichani", "Jason D. Lee"]',  # Self-Stabilization
        '+     venue: "The Eleventh International Conference on Learning Representations"',
        "+     year: 2023",
        '+     arxiv: "2209.15594"',
        '+     url: "https://openreview.net/forum?id=nhKHA59gXz"',
        '+   - title: "Self-Stabilization: A Survey"',  # appended: another first author
        '+     authors: ["Jan Kowalski"]',
        '+     venue: "Journal of Examples"',
        "+     year: 2024",
    ]


def test_merging_twice_changes_nothing_the_second_time(content, capsys):
    assert _import(content, "same-works.bib") == 0
    text = (content / "speakers" / "alex-damian.yaml").read_bytes()
    capsys.readouterr()
    assert _import(content, "same-works.bib") == 0
    captured = capsys.readouterr()
    assert "0 added, 0 merged, 3 skipped" in captured.err
    assert ("damian2023selfstabilization: skipped, same arXiv id as a publication already in the speaker file"
            in captured.out)
    assert (content / "speakers" / "alex-damian.yaml").read_bytes() == text


def test_arxiv_ids_are_found_in_the_doi_the_journal_and_the_url_and_titles_ignore_accents(content, capsys):
    path = content / "speakers" / "radu-i-bot.yaml"
    path.write_text(path.read_text(encoding="utf-8") + """publications:
  - title: "Paper One"
    authors: ["Radu Ioan Boţ"]
    arxiv: "2301.00001v1"
  - title: "Paper Two (preprint)"
    authors: ["Radu Ioan Boţ"]
    arxiv: "2302.00002"
  - title: "Paper Three (preprint)"
    authors: ["Radu Ioan Boţ"]
    url: "https://arxiv.org/abs/2303.00003"
  - title: "Über monotone Operatoren: eine Einführung"
    authors: ["Radu Ioan Boţ"]
""", encoding="utf-8")
    assert _import(content, "arxiv-ids.bib", speaker="radu-i-bot") == 0
    out = capsys.readouterr().out
    assert 'bot2023one: merged into "Paper One" (same arXiv id): added year, doi' in out
    assert 'bot2023two: merged into "Paper Two (preprint)" (same arXiv id): added year' in out
    assert 'bot2023three: merged into "Paper Three (preprint)" (same arXiv id): added year, arxiv' in out
    assert ('bot2020uber: merged into "Über monotone Operatoren: eine Einführung" (same title): '
            "added venue, year") in out
    publications = _publications(content, "radu-i-bot")
    assert len(publications) == 4
    assert publications["Paper One"]["doi"] == "10.48550/arXiv.2301.00001"
    assert publications["Paper One"]["arxiv"] == "2301.00001v1"  # the speaker file's id stays
    assert publications["Paper Three (preprint)"]["url"] == "https://arxiv.org/abs/2303.00003"
    assert publications["Paper Three (preprint)"]["arxiv"] == "2303.00003v2"


def test_block_style_lists_comments_and_block_scalars_are_merged_into_as_text(content, capsys):
    path = content / "speakers" / "radu-i-bot.yaml"
    tail = """publications:
  # Kept from the seeds.
  - et_al: true
    title: "Self-Stabilization"
    authors:
      - Alex Damian   # first author
    abstract: |
      Kept as written.

  # The next one is not in the .bib file.
  - title: "Something Else"
    authors: [Someone]
"""
    path.write_text(path.read_text(encoding="utf-8") + tail, encoding="utf-8")
    assert _import(content, "same-works.bib", speaker="radu-i-bot") == 0
    text = path.read_text(encoding="utf-8")
    assert text.endswith("""publications:
  # Kept from the seeds.
  - et_al: false
    title: "Self-Stabilization"
    authors:
      - Alex Damian   # first author
      - "Eshaan Nichani"
      - "Jason D. Lee"
    abstract: |
      Kept as written.
    venue: "The Eleventh International Conference on Learning Representations"
    year: 2023
    arxiv: "2209.15594"
    url: "https://openreview.net/forum?id=nhKHA59gXz"

  # The next one is not in the .bib file.
  - title: "Something Else"
    authors: [Someone]
  - title: "Self-Stabilization: A Survey"
    authors: ["Jan Kowalski"]
    venue: "Journal of Examples"
    year: 2024
  - title: "How transformers learn causal structure with gradient descent"
    authors: ["Eshaan Nichani", "Alex Damian", "Jason D Lee"]
    year: 2024
    arxiv: "2402.14735"
""")
    assert _publications(content, "radu-i-bot")["Self-Stabilization"]["abstract"] == "Kept as written.\n"
    capsys.readouterr()
    assert main(["check", "--content", str(content)]) == 0


def test_a_flow_style_publication_is_refused_rather_than_rewritten(content, capsys):
    path = content / "speakers" / "radu-i-bot.yaml"
    path.write_text(path.read_text(encoding="utf-8")
                    + 'publications:\n  - {title: "Self-Stabilization", authors: ["Alex Damian"], et_al: true}\n')
    before = path.read_bytes()
    assert _import(content, "same-works.bib", speaker="radu-i-bot") == 2
    assert "{flow, mapping}" in capsys.readouterr().err
    assert path.read_bytes() == before


def test_an_et_al_list_is_only_completed_by_a_list_that_continues_it(content, capsys):
    path = content / "speakers" / "radu-i-bot.yaml"
    path.write_text(path.read_text(encoding="utf-8") + """publications:
  - title: "Self-Stabilization"
    authors: ["Alex Damian", "Jason D. Lee"]
    et_al: true
""", encoding="utf-8")
    assert _import(content, "same-works.bib", speaker="radu-i-bot") == 0
    merged = _publications(content, "radu-i-bot")["Self-Stabilization"]
    # the file's second author is Eshaan Nichani, not Jason D. Lee: its list does not continue this one
    assert merged["authors"] == ["Alex Damian", "Jason D. Lee"] and merged["et_al"] is True
    assert merged["year"] == 2023
