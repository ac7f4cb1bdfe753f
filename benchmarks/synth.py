"""Seeded synthetic symposium content, written twice: as our YAML and as a Hugo site.

The benchmark compares like with like, so both trees hold the same talks,
speakers, days and rooms, and the Hugo layouts render the same kinds of pages
(a page per talk, per speaker and per day, a program, a speaker list, a home
page) from the same Markdown. Files are written as plain strings rather than
through a YAML dumper: 10,000 talks must be generated in seconds, and block
scalars (``|``) with a fixed two-space indent keep the YAML valid.

    python benchmarks/synth.py 1000 /tmp/synth      # -> /tmp/synth/content, /tmp/synth/hugo
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

ROOM_NAMES = ["Hall A", "Hall B", "Aula", "Room 101", "Room 102", "Room 201", "Room 202", "Auditorium"]
# Talk slots of a day (40 minutes each), with a coffee break and lunch across all rooms.
TALK_STARTS = ["09:00", "09:45", "10:30", "11:45", "12:30", "14:15", "15:00", "15:45"]
TALK_MINUTES = 40
BREAKS = [("11:15", "11:45", "break", "Coffee"), ("13:15", "14:15", "meal", "Lunch")]
FIRST_DAY = dt.date(2027, 1, 11)
VENUE_ID = "congress-centre"

FIRST_NAMES = """Anna Boris Chiara Dmitri Elena Farid Greta Hiroshi Ines Jonas Katarzyna Lars Maria Nikolai
Olga Pierre Qing Rosa Stefan Tomoko Ulrich Valentina Wei Xenia Yusuf Zofia Amir Beatriz Carlos Dagny Emil
Fatima Gustav Hanna Ivan Julia Kenji Leila Mateo Nora Oskar Priya Rafael Sigrid Tariq Ursula Viktor Wiebke
Yara Zoltán Agnès Björn Çağla Dörte Élodie Søren""".split()
FAMILY_NAMES = """Andersson Bergström Castillo Dubois Eriksson Fischer García Hansen Ivanova Jansen Kowalski
Lindqvist Moreau Nakamura Okafor Petrov Quist Rossi Schmidt Tanaka Ueda Varga Wagner Xu Yilmaz Zhang Almeida
Bianchi Costa Dahl Engström Ferrari Gómez Holm Iversen Jovanović Kim Larsen Müller Nilsson Olsen Popescu
Rahman Santos Takahashi Urban Vogel Weber Yamamoto Zieliński Åberg Öztürk Novák Horváth Kovačević Lefèvre
Østergaard Ślusarczyk""".split()
INITIALS = "ABCDEFGHIJKLMNOPRSTVW"
WORDS = """gradient descent stochastic convex nonconvex optimization learning neural network momentum adaptive
step size convergence rate bound analysis variance reduction federated distributed communication sparse
regularization loss landscape curvature Hessian eigenvalue stability sharpness implicit bias generalization
training dynamics scaling law transformer attention kernel regime feature representation sample complexity
proximal operator splitting monotone inclusion saddle point minimax game equilibrium primal dual method
algorithm iteration complexity lower upper tight worst case performance estimation Lyapunov function
continuous time flow discretization schedule warmup decay batch noise heavy tailed clipping robust private
quantization compression low rank matrix factorization spectral norm orthogonal preconditioning Newton
quasi second order trust region line search acceleration Nesterov restart averaging Polyak heavy ball
""".split()
TOPICS = """Momentum Methods|Adaptive Step Sizes|Federated Optimization|Variance Reduction|Edge of Stability|
Implicit Regularization|Proximal Splitting|Minimax Problems|Performance Estimation|Spectral Optimizers|
Learning-Rate Schedules|Second-Order Methods|Low-Rank Training|Private Learning|Heavy-Tailed Noise|
Sharpness-Aware Training|Central Flows|Monotone Inclusions|Scaling Laws|Feature Learning""".replace("\n", "").split("|")
SETTINGS = """Nonconvex Losses|Deep Networks|Transformers|Large Language Models|Distributed Data|Saddle-Point
Problems|Composite Objectives|Overparameterized Models|Noisy Gradients|Constrained Problems|Kernel Machines|
Reinforcement Learning""".replace("\n", " ").split("|")
SETTINGS = [setting.strip() for setting in SETTINGS]
TEMPLATES = ["{t} for {s}", "On {t} in {s}", "A Unified View of {t} and {s}", "{t}: Theory and Practice",
             "Why {t} Works for {s}", "Revisiting {t} for {s}", "Tight Bounds for {t}", "{t} Beyond {s}"]
AFFILIATIONS = ["Lund University", "KTH Royal Institute of Technology", "EPFL", "ETH Zürich", "Inria Paris",
                "University of Vienna", "MIT", "Princeton University", "University of Tokyo", "KAUST",
                "Max Planck Institute for Intelligent Systems", "University of Cambridge", "Mila", "CISPA",
                "Universidad de Chile", "University of Cape Town"]
POSITIONS = ["professor", "associate professor", "assistant professor", "research scientist", "postdoctoral fellow"]
VENUES = ["NeurIPS", "ICML", "ICLR", "COLT", "SIAM Journal on Optimization", "Mathematical Programming", "JMLR",
          "AISTATS", "IEEE Transactions on Signal Processing", "Foundations of Computational Mathematics"]


def slugify(text: str) -> str:
    """The same ASCII slug rule as the generator's ids ("Zoltán K. Åberg" -> "zoltan-k-aberg")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


@dataclass
class Publication:
    title: str
    authors: list[str]
    venue: str
    year: int
    doi: str


@dataclass
class Speaker:
    id: str
    name: str
    family_name: str
    affiliation: str
    bio: str
    publications: list[Publication]
    talks: list[str] = field(default_factory=list)


@dataclass
class Talk:
    id: str
    title: str
    speakers: list[str]
    abstract: str
    joint_work: list[str]
    date: dt.date
    start: str
    end: str
    room: int


@dataclass
class Synthetic:
    """One generated symposium; both writers read only this."""

    n_talks: int
    seed: int
    rooms: int
    days: list[dt.date]
    talks: list[Talk]
    speakers: list[Speaker]

    @property
    def name(self) -> str:
        return f"Synthetic Symposium on Optimization ({self.n_talks} talks)"


def _add_minutes(clock: str, minutes: int) -> str:
    hours, mins = map(int, clock.split(":"))
    total = hours * 60 + mins + minutes
    return f"{total // 60:02d}:{total % 60:02d}"


def _sentence(rng: random.Random, low: int, high: int) -> str:
    words = rng.choices(WORDS, k=rng.randint(low, high))
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def _abstract(rng: random.Random, talk_id: str) -> str:
    """About 150 words of Markdown: emphasis, strong text, a link and a bullet list."""
    first = [_sentence(rng, 12, 16) for _ in range(4)]
    first[1] = first[1][:-1] + f" with *{' '.join(rng.choices(WORDS, k=2))}*."
    first.append(f"See the [preprint](https://example.org/papers/{talk_id}) for details.")
    items = [f"- {_sentence(rng, 6, 9)}" for _ in range(3)]
    items[0] = f"- **{rng.choice(WORDS)}** " + items[0][2:]
    second = [_sentence(rng, 12, 16) for _ in range(4)]
    return "\n".join([" ".join(first), "", "Our contributions:", "", *items, "", " ".join(second)])


def _bio(rng: random.Random, name: str, position: str, affiliation: str, ident: str) -> str:
    """About 120 words of Markdown about a speaker, with emphasis and a link."""
    opening = (f"{name} is {'an' if position[0] in 'aeiou' else 'a'} {position} at {affiliation}, "
               f"working on *{' '.join(rng.choices(WORDS, k=3))}*.")
    body = " ".join(_sentence(rng, 12, 16) for _ in range(6))
    closing = f"More on the [personal page](https://example.org/people/{ident}). {_sentence(rng, 8, 12)}"
    return "\n".join([opening + " " + body, "", closing])


def _names(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """``count`` distinct (full name, family name) pairs; their slugs are distinct too."""
    total = len(FIRST_NAMES) * len(INITIALS) * len(FAMILY_NAMES)
    if count > total:
        raise ValueError(f"at most {total} distinct synthetic names")
    names = []
    for index in rng.sample(range(total), count):
        first, rest = divmod(index, len(INITIALS) * len(FAMILY_NAMES))
        initial, family = divmod(rest, len(FAMILY_NAMES))
        names.append((f"{FIRST_NAMES[first]} {INITIALS[initial]}. {FAMILY_NAMES[family]}", FAMILY_NAMES[family]))
    return names


def _publications(rng: random.Random, name: str, speaker_index: int, pool: list[str]) -> list[Publication]:
    publications = []
    for j in range(rng.randint(0, 10)):
        authors = rng.sample(pool, rng.randint(1, 4))
        authors.insert(rng.randint(0, len(authors)), name)
        topic, setting = rng.choice(TOPICS), rng.choice(SETTINGS)
        publications.append(Publication(
            title=rng.choice(TEMPLATES).format(t=topic, s=setting), authors=list(dict.fromkeys(authors)),
            venue=rng.choice(VENUES), year=rng.randint(2005, 2026), doi=f"10.5555/synth.{speaker_index}.{j}"))
    return publications


def generate(n_talks: int, seed: int = 0, max_rooms: int = 8) -> Synthetic:
    """N talks by about N/1.2 speakers, 8 talks a day per room in up to ``max_rooms`` rooms.

    A talk's first speaker is ``i mod S``; since S exceeds the number of rooms,
    the talks that run at the same time never share a first speaker, and
    co-speakers are only added where they are free at that time.
    """
    if n_talks < 1:
        raise ValueError("at least one talk")
    rng = random.Random(seed)
    n_speakers = max(1, round(n_talks / 1.2))
    rooms = max(1, min(max_rooms, n_speakers))
    per_day = rooms * len(TALK_STARTS)
    n_days = math.ceil(n_talks / per_day)
    days = [FIRST_DAY + dt.timedelta(days=d) for d in range(n_days)]

    names = _names(rng, n_speakers + 200)
    speaker_names, other_authors = names[:n_speakers], [name for name, _ in names[n_speakers:]]
    speakers = []
    for index, (name, family) in enumerate(speaker_names):
        ident = slugify(name)
        affiliation, position = rng.choice(AFFILIATIONS), rng.choice(POSITIONS)
        speakers.append(Speaker(ident, name, family, affiliation, _bio(rng, name, position, affiliation, ident),
                                _publications(rng, name, index, other_authors)))

    talks = []
    for block_start in range(0, n_talks, rooms):
        block = range(block_start, min(block_start + rooms, n_talks))
        busy = {i % n_speakers for i in block}
        for i in block:
            day_index, slot_index = divmod(i // rooms, len(TALK_STARTS))
            cast = [i % n_speakers]
            if rng.random() < 0.2:
                extra = rng.randrange(n_speakers)
                if extra not in busy:
                    busy.add(extra)
                    cast.append(extra)
            topic, setting = rng.choice(TOPICS), rng.choice(SETTINGS)
            title = rng.choice(TEMPLATES).format(t=topic, s=setting)
            ident = f"t{i + 1:05d}-{slugify(topic)}"
            start = TALK_STARTS[slot_index]
            joint = rng.sample(other_authors, rng.randint(0, 3))
            talks.append(Talk(ident, title, [speakers[s].id for s in cast], _abstract(rng, ident), joint,
                              days[day_index], start, _add_minutes(start, TALK_MINUTES), i % rooms + 1))
            for s in cast:
                speakers[s].talks.append(ident)
    return Synthetic(n_talks, seed, rooms, days, talks, speakers)


# --- writing: our YAML -----------------------------------------------------------------------

def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _block(key: str, text: str, indent: str = "") -> str:
    """``key: |`` followed by ``text`` indented two spaces deeper."""
    body = "\n".join(f"{indent}  {line}" if line else "" for line in text.split("\n"))
    return f"{indent}{key}: |\n{body}\n"


def _flow(items: list[str]) -> str:
    return "[" + ", ".join(_q(item) for item in items) + "]"


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def write_content(synth: Synthetic, root: Path) -> Path:
    """This project's content folder (README "The content folder"); returns it."""
    for sub in ("program", "talks", "speakers"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    _write(root / "event.yaml", (
        f"name: {_q(synth.name)}\nstart: {synth.days[0]}\nend: {synth.days[-1]}\ntimezone: Europe/Stockholm\n"
        f"city: Lund\ndefault_venue: {VENUE_ID}\n"
        + _block("description", f"A generated program of {synth.n_talks} talks (seed {synth.seed}) for benchmarks.")))
    rooms = "".join(f"      - id: room-{r}\n        name: {_q(ROOM_NAMES[r - 1])}\n        capacity: {100 * r}\n"
                    for r in range(1, synth.rooms + 1))
    _write(root / "venues.yaml", f"venues:\n  - id: {VENUE_ID}\n    name: Congress Centre\n"
                                 f"    address: Sölvegatan 1, 223 62 Lund\n    rooms:\n{rooms}")
    by_day: dict[dt.date, list[Talk]] = {}
    for talk in synth.talks:
        by_day.setdefault(talk.date, []).append(talk)
    for number, day in enumerate(synth.days, 1):
        entries = [(talk.start, f'  - start: "{talk.start}"\n    end: "{talk.end}"\n    kind: talk\n'
                                f"    talk: {talk.id}\n    room: room-{talk.room}\n") for talk in by_day[day]]
        entries += [(start, f'  - start: "{start}"\n    end: "{end}"\n    kind: {kind}\n    title: {title}\n'
                            f"    all_rooms: true\n") for start, end, kind, title in BREAKS]
        slots = "".join(text for _, text in sorted(entries, key=lambda entry: entry[0]))
        _write(root / "program" / f"{day}.yaml", f"date: {day}\ntitle: Day {number}\nvenue: {VENUE_ID}\nslots:\n{slots}")
    for talk in synth.talks:
        joint = f"joint_work: {_flow(talk.joint_work)}\n" if talk.joint_work else ""
        _write(root / "talks" / f"{talk.id}.yaml", f"title: {_q(talk.title)}\nspeakers: [{', '.join(talk.speakers)}]\n"
                                                   f"{_block('abstract', talk.abstract)}{joint}")
    for speaker in synth.speakers:
        lines = [f"name: {_q(speaker.name)}\naffiliations: [{_q(speaker.affiliation)}]\n", _block("bio", speaker.bio)]
        if speaker.publications:
            lines.append("publications:\n")
            for pub in speaker.publications:
                lines.append(f"  - title: {_q(pub.title)}\n    authors: {_flow(pub.authors)}\n"
                             f"    venue: {_q(pub.venue)}\n    year: {pub.year}\n    doi: {_q(pub.doi)}\n")
        _write(root / "speakers" / f"{speaker.id}.yaml", "".join(lines))
    return root


# --- writing: the Hugo site -------------------------------------------------------------------

HUGO_CONFIG = """baseURL = "/"
title = {title}
uglyURLs = true
relativeURLs = true
disableKinds = ["taxonomy", "term", "rss", "sitemap", "robotstxt"]
enableRobotsTXT = false

[markup.goldmark.renderer]
unsafe = false
[markup.goldmark.extensions.typographer]
disable = false
"""

HUGO_LAYOUTS = {
    "_default/baseof.html": """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ block "title" . }}{{ site.Title }}{{ end }}</title>
<link rel="stylesheet" href="{{ "assets/style.css" | relURL }}">
</head>
<body>
<header><a href="{{ "index.html" | relURL }}">{{ site.Title }}</a>
<nav><a href="{{ (site.GetPage "/program").RelPermalink }}">Program</a> <a href="{{ (site.GetPage "/speakers").RelPermalink }}">Speakers</a></nav>
</header>
<main id="main">
{{ block "main" . }}{{ end }}
</main>
</body>
</html>
""",
    "partials/slot.html": """{{ $s := . }}<li><time datetime="{{ $s.start }}">{{ $s.start }}</time>{{ with $s.end }}–<time>{{ . }}</time>{{ end }}
{{ with $s.talk }}{{ with site.GetPage (printf "/talks/%s" .) }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>
{{ $names := slice }}{{ range .Params.speakers }}{{ with site.GetPage (printf "/speakers/%s" .) }}{{ $names = $names | append .Title }}{{ end }}{{ end }}<span>{{ delimit $names ", " " and " }}</span>{{ end }}{{ with $s.room }} <span>{{ . }}</span>{{ end }}{{ else }}{{ $s.title }}{{ end }}</li>
""",
    "partials/day.html": """<section id="day-{{ .Params.day }}"><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time datetime="{{ .Params.day }}">{{ .Params.day }}</time></h2>
<ol>{{ range .Params.slots }}{{ partial "slot.html" . }}{{ end }}</ol>
</section>
""",
    "index.html": """{{ define "main" }}<h1>{{ site.Title }}</h1>
<p>{{ .Params.start }} – {{ .Params.end }}, {{ .Params.city }}</p>
{{ .Content }}
<h2>Days</h2>
<ul>{{ range (site.GetPage "/program").Pages.ByWeight }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> ({{ len .Params.slots }} slots)</li>{{ end }}</ul>
{{ end }}
""",
    "program/list.html": """{{ define "title" }}Program · {{ site.Title }}{{ end }}{{ define "main" }}<h1>Program</h1>
{{ range .Pages.ByWeight }}{{ partial "day.html" . }}{{ end }}
{{ end }}
""",
    "program/single.html": """{{ define "title" }}{{ .Title }} · {{ site.Title }}{{ end }}{{ define "main" }}<h1>{{ .Title }}</h1>
{{ partial "day.html" . }}
{{ end }}
""",
    "talks/single.html": """{{ define "title" }}{{ .Title }} · {{ site.Title }}{{ end }}{{ define "main" }}<article data-pagefind-body>
<h1>{{ .Title }}</h1>
<ul class="speakers">{{ range .Params.speakers }}{{ with site.GetPage (printf "/speakers/%s" .) }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <span>{{ index .Params.affiliations 0 }}</span></li>{{ end }}{{ end }}</ul>
<p><a href="{{ (site.GetPage (printf "/program/%s" .Params.day)).RelPermalink }}"><time datetime="{{ .Params.day }}T{{ .Params.start }}">{{ .Params.day }} {{ .Params.start }}</time></a>–<time>{{ .Params.end }}</time>, {{ .Params.room }}</p>
{{ .Content }}
{{ with .Params.joint_work }}<p>Based on joint work with {{ delimit . ", " " and " }}.</p>{{ end }}
</article>
{{ end }}
""",
    "speakers/single.html": """{{ define "title" }}{{ .Title }} · {{ site.Title }}{{ end }}{{ define "main" }}<article data-pagefind-body>
<h1>{{ .Title }}</h1>
<p>{{ delimit .Params.affiliations ", " }}</p>
{{ .Content }}
<h2>Talks</h2>
<ul>{{ range .Params.talks }}{{ with site.GetPage (printf "/talks/%s" .) }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time>{{ .Params.day }} {{ .Params.start }}</time></li>{{ end }}{{ end }}</ul>
{{ with .Params.publications }}<h2>Publications</h2>
<ol>{{ range . }}<li><cite>{{ .title }}</cite>. {{ delimit .authors ", " }}. {{ .venue }}, {{ .year }}. <a href="https://doi.org/{{ .doi }}">doi:{{ .doi }}</a></li>{{ end }}</ol>{{ end }}
</article>
{{ end }}
""",
    "speakers/list.html": """{{ define "title" }}Speakers · {{ site.Title }}{{ end }}{{ define "main" }}<h1>Speakers</h1>
<ul>{{ range sort .Pages "Params.family" }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <span>{{ index .Params.affiliations 0 }}</span></li>{{ end }}</ul>
{{ end }}
""",
    "404.html": """{{ define "main" }}<h1>Page not found</h1><p><a href="{{ "index.html" | relURL }}">Home</a></p>{{ end }}
""",
}


def _front(front: dict, body: str = "") -> str:
    """A Hugo page with JSON front matter (fast to write, always valid)."""
    return json.dumps(front, ensure_ascii=False) + "\n\n" + body + "\n"


def write_hugo(synth: Synthetic, root: Path) -> Path:
    """A Hugo site with the same pages as ours; returns its source folder."""
    for sub in ("content/program", "content/talks", "content/speakers", "static/assets"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    _write(root / "hugo.toml", HUGO_CONFIG.format(title=_q(synth.name)))
    for name, text in HUGO_LAYOUTS.items():
        (root / "layouts" / name).parent.mkdir(parents=True, exist_ok=True)
        _write(root / "layouts" / name, text)
    _write(root / "static/assets/style.css", "body{font-family:system-ui,sans-serif;max-width:50rem;margin:auto}\n")
    content = root / "content"
    _write(content / "_index.md", _front({"title": synth.name, "start": str(synth.days[0]),
                                          "end": str(synth.days[-1]), "city": "Lund"},
                                         f"A generated program of {synth.n_talks} talks (seed {synth.seed})."))
    _write(content / "program/_index.md", _front({"title": "Program"}))
    _write(content / "speakers/_index.md", _front({"title": "Speakers"}))
    _write(content / "talks/_index.md", _front({"title": "Talks", "build": {"render": "never"}}))
    by_day: dict[dt.date, list[dict]] = {day: [{"start": s, "end": e, "title": t} for s, e, _, t in BREAKS]
                                         for day in synth.days}
    for talk in synth.talks:
        by_day[talk.date].append({"start": talk.start, "end": talk.end, "talk": talk.id,
                                  "room": ROOM_NAMES[talk.room - 1], "room_number": talk.room})
        front = {"title": talk.title, "speakers": talk.speakers, "day": str(talk.date), "start": talk.start,
                 "end": talk.end, "room": ROOM_NAMES[talk.room - 1], "joint_work": talk.joint_work}
        _write(content / "talks" / f"{talk.id}.md", _front(front, talk.abstract))
    for number, (day, slots) in enumerate(by_day.items(), 1):
        slots.sort(key=lambda slot: (slot["start"], slot.get("room_number", 0)))
        _write(content / "program" / f"{day}.md",
               _front({"title": f"Day {number}", "day": str(day), "weight": number, "slots": slots}))
    for speaker in synth.speakers:
        front = {"title": speaker.name, "family": speaker.family_name, "affiliations": [speaker.affiliation],
                 "talks": speaker.talks,
                 "publications": [pub.__dict__ for pub in speaker.publications]}
        _write(content / "speakers" / f"{speaker.id}.md", _front(front, speaker.bio))
    return root


def write_both(n_talks: int, out: Path, seed: int = 0) -> tuple[Path, Path]:
    """Generate once, write ``out/content`` and ``out/hugo``."""
    synth = generate(n_talks, seed)
    return write_content(synth, out / "content"), write_hugo(synth, out / "hugo")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("talks", type=int, help="number of talks")
    parser.add_argument("out", type=Path, help="folder to write content/ and hugo/ into (should be empty)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    content, hugo = write_both(args.talks, args.out, args.seed)
    print(f"wrote {content} and {hugo}")


if __name__ == "__main__":
    main()
