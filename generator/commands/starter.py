"""The starter event that ``symposium init`` writes: a fictional one-day workshop, every field explained.

Kept as Python strings rather than data files so that it ships inside the package
with no packaging settings. ``tests/test_new_event.py`` checks that it passes
``check`` without a warning, builds, and says nothing of the Lund symposium.
"""

from __future__ import annotations

#: The one day of the program (the file name in program/ and the event's start and end).
DAY = "2027-06-14"
#: A free afternoon hour of :data:`DAY`, for the "next steps" example of ``symposium new talk``.
FREE_START, FREE_END = "14:00", "14:45"

EVENT = f"""\
# event.yaml: what the event is, when and where.
# Lines starting with # are comments; to use an optional field, remove its '# '.
# After each edit, `symposium check --content <this folder>` names any mistake with its file and line.

name: My Workshop                  # the full name: page titles, the home page, calendar feeds
short_name: MyWS 2027              # optional: a shorter name for the navigation bar
tagline: A day of talks on a topic we care about   # optional: a line under the name on the home page
description: |                     # optional, Markdown: the introduction on the home page
  Welcome to **My Workshop**. Replace this text with what the event is about,
  who it is for, and how to register.
start: {DAY}                  # the first day, YYYY-MM-DD
end: {DAY}                    # the last day; program/ holds one file per day between start and end
timezone: Europe/Berlin            # an IANA time zone (America/New_York, Asia/Tokyo, ...): every time
                                   #   in program/ is local to it
city: Example City                 # optional: shown with the dates
default_venue: main-building       # optional: the venue of every slot whose day or slot names none
                                   #   (an id from venues.yaml)
# url: https://example.org/my-workshop/   # optional: the published site's address, for full links
#                                          #   in the calendar feeds, the sitemap and link previews
# organizers:                      # optional: named in the pages' data for search engines
#   - name: Your Name
#     affiliation: Your Institution
#     url: https://example.org
# tracks:                          # optional: themes of parallel sessions; a talk or slot picks one
#   - id: theory                   #   with 'track: theory'
#     name: Theory
#     color: "#1f77b4"             # a hex colour, always shown beside the name
#     description: Markdown ...
"""

VENUES = """\
# venues.yaml: the places of the event, listed on the "Practical information" page.
# A slot takes place at its own 'venue', else its day's 'venue', else event.yaml's 'default_venue'.

venues:
  - id: main-building              # lowercase words joined by hyphens; other files refer to the venue by it
    name: Main Building, Example University
    address: 1 Example Street, Example City   # optional; without map_url, the map button searches for it
    # map_url: https://www.openstreetmap.org/...   # optional: the map link to show instead
    notes: |                       # optional, Markdown: how to get there, entrances, accessibility
      The lecture hall is on the ground floor, to the left of the main entrance.
    # rooms:                       # optional: for parallel sessions; a slot picks one with 'room: hall-a'
    #   - id: hall-a
    #     name: Lecture Hall A
    #     capacity: 120            # optional
"""

PROGRAM = f"""\
# program/{DAY}.yaml: one day of the program; the file is named after its date.
# To add a talk and its slot in one go:
#   symposium new talk --day {DAY} --start {FREE_START} --end {FREE_END} --speaker SPEAKER-ID --title "..."

date: {DAY}
title: Workshop day                # optional: the day's heading
# venue: main-building             # optional: where this day's slots are, instead of the default_venue
slots:                             # in time order; times are HH:MM on a 24-hour clock, local time
  - start: "09:00"
    end: "09:30"                   # optional: a slot without an end is a moment, such as a departure
    kind: registration             # one of: talk, lightning, poster, break, meal, registration, opening,
    title: Registration and coffee #   closing, reception, social, transport, workshop, panel
  - start: "09:30"
    end: "10:15"
    kind: talk
    talk: alex-example-keynote     # a file in talks/, without .yaml: the slot shows its title and speakers
    # optional for any slot: venue, room, track, notes (Markdown), all_rooms: true (a plenary in every room)
  - start: "10:15"
    end: "10:45"
    kind: break
    title: Coffee break            # slots without a talk need a title
  - start: "10:45"
    end: "11:30"
    kind: talk
    talk: sam-sample-methods
  - start: "12:00"
    end: "13:00"
    kind: meal
    title: Lunch
"""

TALKS = {
    "alex-example-keynote": """\
# talks/alex-example-keynote.yaml: one talk; its id is the file name. A slot in program/ schedules it.

title: "Opening Keynote: Why We Meet"   # or `tba: true` while the title is not known
speakers: [alex-example]           # ids of files in speakers/; list several for a joint talk
abstract: |                        # optional, Markdown (with $x^2$ for maths): the talk's page
  Replace this with the abstract of the talk. Markdown works: *emphasis*,
  lists, and [links](https://example.org).
# subtitle: ...
# joint_work: [Jane Doe, John Roe] # shown as "Based on joint work with ..."
# companion: other-talk-id         # the other part of a two-part talk; both files name each other
# part: 1
# track: track-id                  # a track from event.yaml
# links:                           # slides, a recording, a paper
#   - label: Slides
#     url: https://example.org/slides.pdf
""",
    "sam-sample-methods": """\
# talks/sam-sample-methods.yaml: one talk; its id is the file name. A slot in program/ schedules it.

title: Methods That Work in Practice
speakers: [sam-sample]
abstract: |
  Replace this with the abstract of the talk.
# subtitle, joint_work, companion, part, track, links: see alex-example-keynote.yaml
""",
}

SPEAKERS = {
    "alex-example": """\
# speakers/alex-example.yaml: one speaker; the id is the file name (`symposium new speaker "Full Name"`
# makes it from the name). Talks name their speakers by it.

name: Alex Example
affiliations: [Example University] # shown under the name; list several if needed
position: Professor of Examples    # optional
bio: |                             # optional, Markdown: the speaker's page
  Alex Example works on examples of all kinds. Replace this with a short biography.
# family_name: Example             # for sorting, when it is not the last word of the name
# about: |                         # Markdown: a longer "about" section
#   ...
# photo: photos/alex-example.jpg   # a JPEG, PNG, GIF, WebP or AVIF file inside this folder
# links:
#   - label: Homepage
#     url: https://example.org
# interests:
#   - title: Examples
#     description: Markdown ...
# education:
#   - degree: Ph.D. in Mathematics
#     institution: ...
#     year: 2010
# publications:                    # or: symposium import-bibtex FILE.bib --speaker alex-example
#   - title: "..."
#     authors: ["Alex Example", "Sam Sample"]   # a trailing * marks equal contribution
#     venue: ...
#     year: 2026
#     doi: 10.1000/xyz123
""",
    "sam-sample": """\
# speakers/sam-sample.yaml: one speaker; the id is the file name.

name: Sam Sample
affiliations: [Sample Institute]
bio: |
  Sam Sample builds methods and tests them. Replace this with a short biography.
# position, family_name, about, photo, links, interests, education, publications:
# see alex-example.yaml
""",
}


def starter_files() -> dict[str, tuple[str, str]]:
    """Each file of the starter event: relative path -> (schema name, text)."""
    files = {"event.yaml": ("event", EVENT), "venues.yaml": ("venues", VENUES), f"program/{DAY}.yaml": ("day", PROGRAM)}
    files.update((f"talks/{name}.yaml", ("talk", text)) for name, text in TALKS.items())
    files.update((f"speakers/{name}.yaml", ("speaker", text)) for name, text in SPEAKERS.items())
    return files
