"""``symposium import``: a pretalx or frab schedule (XML or JSON) -> a new content folder.

Three steps, each a pure function but the last: :func:`parse_schedule` reads the
untrusted file safely (defusedxml refuses DTDs, entity bombs and external
entities; JSON has size and depth limits) into a :class:`SourceRoot` of aware
instants (the c3voc "schedule 2" JSON through :mod:`generator.commands.import_schedule2`);
:func:`content_from_schedule` maps it onto this project's own layout
(event.yaml, venues.yaml, program/, talks/, speakers/) as ``{path: text}``,
keeping what the source system accepted (a speaker in two rooms at once becomes
an acknowledged clash, the same talk in two rooms a relay); :func:`write_content`
writes that into a new or empty folder atomically and never overwrites anything.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from generator.commands.import_quirks import (
    Timed,
    ZoneProblem,
    choose_zone,
    find_overlaps,
    find_relays,
    invisible_notes,
    known_zone,
)
from generator.commands.imported_yaml import (
    VENUE_ID,
    ImportedContent,
    QuotedTime,
    UniqueIds,
    dump_yaml,
    event_yaml,
    speaker_yaml,
    talk_yaml,
    write_content,
)
from generator.commands.schedule_models import (
    ImportProblem,
    ScheduleError,
    SourceConference,
    SourceDay,
    SourceEvent,
    SourcePerson,
    SourceRoot,
    one_line,
    schedule_error,
    source_color,
    source_date,
)
from generator.commands.schedule_reader import (
    MAX_BYTES,
    html_to_markdown,
    parse_schedule,
)
from generator.content.models import (
    TALK_KINDS,
    SlotKind,
    slugify,
)

#: frab/pretalx event types -> slot kinds; our own kinds map to themselves, so our exports round-trip.
KIND_ALIASES = {
    "lecture": "talk", "keynote": "talk", "podium": "panel", "discussion": "panel", "pause": "break",
    "coffee": "break", "lunch": "meal", "dinner": "meal", "hands-on": "workshop", "tutorial": "workshop",
    "lightning talk": "lightning", "lightning-talk": "lightning", "lightning talks": "lightning",
}
#: Track colours for tracks the schedule gives none (matplotlib's tab10, distinguishable and named in the legend).
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
           "#17becf"]
_JOINT_WORK = re.compile(r"^Based on joint work with (.+)\.$")


# --- mapping onto this project's content -----------------------------------------------------

@dataclass
class _Entry:
    """One scheduled event, with its true start and end."""

    source: SourceEvent
    room: str
    start: dt.datetime
    end: dt.datetime | None


def import_schedule(text: str, source_name: str, timezone: str | None = None) -> ImportedContent:
    """The whole import as a pure function: schedule text in, content files out (raises ScheduleError).

    ``timezone`` (``--timezone``) names the event's zone instead of the schedule's own or an inferred one.
    """
    return content_from_schedule(parse_schedule(text, source_name), source_name, timezone)


#: The order of a slot's keys in program/<date>.yaml.
_SLOT_KEYS = ("id", "start", "end", "end_date", "kind", "talk", "title", "room", "track", "relays", "clashes_with",
              "notes")


def content_from_schedule(root: SourceRoot, source_name: str, timezone: str | None = None) -> ImportedContent:
    conference = root.schedule.conference
    notes = _invisible_notes(conference)
    zone, zone_comment = _zone(conference, source_name, notes, timezone)
    entries = _entries(conference, zone, source_name)
    if not entries:
        raise schedule_error(source_name, "the schedule holds no events, so there is nothing to import (looked under "
                                 "schedule.conference.days[].rooms, and schedule.events for schedule 2); "
                                 "is it the full schedule export, and is the schedule released?")

    room_ids, rooms = _rooms(conference, entries)
    tracks, track_ids = _tracks(conference, entries)
    speakers, speaker_of = _speakers(entries, root.ours)
    people = [list(dict.fromkeys(speaker_of[person.key] for person in entry.source.persons
                                 if person.key in speaker_of)) for entry in entries]
    items = [Timed(entry.start, entry.end, entry.room, frozenset(people[index]), one_line(entry.source.title or ""))
             for index, entry in enumerate(entries)]
    relayed = find_relays(items)
    files: dict[str, str] = {}
    talk_ids = UniqueIds()
    slots: list[dict[str, Any]] = []
    for index, entry in enumerate(entries):
        event = entry.source
        if index in relayed:  # the same talk at the same time in another room: shown there, not repeated
            slot = {key: value for key, value in slots[relayed[index]].items() if key not in ("id", "notes")}
            slot["room"] = room_ids[entry.room]
            slots.append(slot)
            continue
        slot = _slot(entry, zone, conference, root.ours, people[index], talk_ids, files)
        slot["room"] = room_ids[entry.room]
        if event.track and one_line(event.track):
            slot["track"] = track_ids[one_line(event.track)]
        slots.append(slot)
    _mark_overlaps(entries, slots, items, relayed, talk_ids, notes, zone)
    contributors = sum(len(entry.source.contributors) for entry in entries)
    if contributors:
        notes.append(f"{contributors} participant{'s' if contributors > 1 else ''} listed with a role other than "
                     "speaker (such as CONTRIBUTOR) became the 'joint_work' of their talks, not speakers")

    days = _day_files(entries, slots, zone, files)
    dates = sorted(days)
    start = min(filter(None, [source_date(conference.start), dates[0]]))
    end = max(filter(None, [source_date(conference.end), dates[-1], start]))
    files["event.yaml"] = event_yaml(conference, start, end, zone, zone_comment, tracks, source_name)
    files["venues.yaml"] = dump_yaml({"venues": [{"id": VENUE_ID, "name": "Main venue", "rooms": rooms}]},
                                 "The schedule names only rooms: give the venue its real name and address.")
    for speaker_id, person in speakers.items():
        files[f"speakers/{speaker_id}.yaml"] = speaker_yaml(person)
    counts = {"slots": len(entries), "days": len(days), "talks": sum(path.startswith("talks/") for path in files),
              "speakers": len(speakers), "rooms": len(rooms), "tracks": len(tracks)}
    return ImportedContent(dict(sorted(files.items())), notes, counts)


def _invisible_notes(conference: SourceConference) -> list[str]:
    """What the import says about invisible characters: left out of names and titles, kept in prose."""
    events = [event for day in conference.days for events in day.rooms.values() for event in events]
    return invisible_notes(
        [conference.title, conference.acronym, *(track.name for track in conference.tracks),
         *(text for event in events for text in (event.title, event.subtitle, event.track, event.room,
                                                 *event.contributors, *(p.display_name_raw for p in event.persons)))],
        [text for event in events for text in (event.abstract, event.description,
                                                *(person.biography for person in event.persons))])


def _slot(entry: _Entry, zone: ZoneInfo, conference: SourceConference, ours: bool, person_ids: list[str],
          talk_ids: UniqueIds, files: dict[str, str]) -> dict[str, Any]:
    """One event as a slot of ours (without its room and track); a talk's file goes into ``files``."""
    event = entry.source
    kind = _kind(event.type, bool(event.persons))
    local_start = entry.start.astimezone(zone)
    slot: dict[str, Any] = {"start": QuotedTime(f"{local_start:%H:%M}")}
    if entry.end is not None and entry.end > entry.start:
        local_end = entry.end.astimezone(zone)
        slot["end"] = QuotedTime(f"{local_end:%H:%M}")
        if local_end.date() != local_start.date():
            slot["end_date"] = local_end.date()
    slot["kind"] = kind.value
    title = one_line(event.title or "")
    tba = title.upper() in {"", "TBA", "TBD"}
    abstract, description = html_to_markdown(event.abstract), html_to_markdown(event.description)
    joint_work: list[str] = []
    if ours:  # our description is the joint-work sentence, then the slot's notes
        joint_work, description = _split_description(description)
    else:
        abstract, description = _joined(abstract, description), None
    joint_work += [name for name in map(one_line, event.contributors) if name and name not in joint_work]
    if kind is SlotKind.talk or (kind in TALK_KINDS and (person_ids or abstract)):
        preferred = _our_slot_id(event, conference) if ours else None
        talk_id = talk_ids.take(title if not tba else "-".join(["tba", *person_ids[:1]]), "talk", preferred)
        slot["talk"] = talk_id
        files[f"talks/{talk_id}.yaml"] = talk_yaml(event, title, tba, person_ids, abstract, joint_work)
        if description:
            slot["notes"] = description
    else:
        slot["title"] = title or kind.value.capitalize()
        if abstract:
            slot["notes"] = abstract
    return slot


def _day_files(entries: list[_Entry], slots: list[dict[str, Any]], zone: ZoneInfo,
               files: dict[str, str]) -> dict[dt.date, list[dict[str, Any]]]:
    """program/<date>.yaml for each local date, into ``files``; returns the days' slots."""
    days: dict[dt.date, list[dict[str, Any]]] = {}
    for entry, slot in zip(entries, slots):
        ordered = {key: slot[key] for key in _SLOT_KEYS if key in slot}
        days.setdefault(entry.start.astimezone(zone).date(), []).append(ordered)
    for date, day_slots in days.items():
        files[f"program/{date.isoformat()}.yaml"] = dump_yaml({"date": date, "slots": day_slots})
    return days


# --- the time zone, and what the source system accepted: relays and clashes ----------------------

def _zone(conference: SourceConference, source_name: str, notes: list[str],
          chosen: str | None = None) -> tuple[ZoneInfo, str]:
    """The event's zone (see import_quirks.choose_zone) and the comment beside it in event.yaml."""
    instants = [event.date for day in conference.days for events in day.rooms.values() for event in events
                if event.date is not None and event.date.utcoffset() is not None]
    try:
        zone, comment, zone_notes = choose_zone(instants, (conference.time_zone_name or "").strip(), chosen)
    except ZoneProblem as problem:
        raise schedule_error(source_name, str(problem)) from None
    notes.extend(zone_notes)
    return zone, comment


def _mark_overlaps(entries: list[_Entry], slots: list[dict[str, Any]], items: list[Timed], relayed: dict[int, int],
                   talk_ids: UniqueIds, notes: list[str], zone: ZoneInfo) -> None:
    """Write 'relays' and 'clashes_with' where the schedule has what `symposium check` refuses unless told,
    giving the slots they name an 'id' when they have no talk (whose id is the slot's)."""
    ids = UniqueIds()
    ids.used |= talk_ids.used
    ids.used |= {f"{entry.start.astimezone(zone):%Y-%m-%d-%H%M}-{slot['kind']}-{slot['room']}"
                 for entry, slot in zip(entries, slots)}  # the ids the link stage gives slots without one

    def slot_id(index: int) -> str:
        slot = slots[index]
        if "id" not in slot:
            if index in relayed:
                slot["id"] = ids.take(f"{slot_id(relayed[index])}-{slot['room']}", "relay")
            elif "talk" in slot:
                return slot["talk"]
            else:
                slot["id"] = ids.take(slot["title"], "slot")
        return slot["id"]

    for index, original in relayed.items():
        slots[index]["relays"] = slot_id(original)
        slot_id(index)
    if relayed:
        count = len(relayed)
        notes.append(f"{count} event{'s' if count > 1 else ''} repeat{'s' if count == 1 else ''} another's title, "
                     "speakers and time in a second room: imported as relay slots ('relays: <slot id>'), which "
                     "`symposium check` names in a warning")
    for earlier, later, why in find_overlaps(items, relayed):
        slots[later].setdefault("clashes_with", []).append(slot_id(earlier))
        notes.append(f"clash kept as the schedule has it: '{items[later].title}' and '{items[earlier].title}' "
                     f"overlap at {entries[later].start.astimezone(zone):%Y-%m-%d %H:%M} ({why}); marked "
                     "'clashes_with', which `symposium check` shows as a warning")


def _entries(conference: SourceConference, zone: ZoneInfo, source_name: str) -> list[_Entry]:
    """Every event with aware start and end, in time order (then room, then title), for stable ids."""
    entries: list[_Entry] = []
    problems: list[ImportProblem] = []
    for day in conference.days:
        for room, events in day.rooms.items():
            for event in events:
                try:
                    start = _start(event, day, zone)
                    end = _end(event, start)
                except ValueError as error:
                    problems.append(ImportProblem(source_name, event.line or day.line,
                                                  f"event '{one_line(event.title or '?')}': {error}"))
                    continue
                entries.append(_Entry(event, room, start, end))
    if problems:
        raise ScheduleError(problems)
    room_order = {name: index for index, name in enumerate(_room_names(conference))}
    entries.sort(key=lambda e: (e.start, room_order.get(e.room, 0), e.source.title or "", str(e.source.guid)))
    return entries


def _start(event: SourceEvent, day: SourceDay, zone: ZoneInfo) -> dt.datetime:
    if event.date is not None:
        moment = event.date
    elif day.date is not None and event.start and re.fullmatch(r"\d{1,2}:\d{2}(:\d{2})?", event.start):
        hour, minute = (int(part) for part in event.start.split(":")[:2])
        moment = dt.datetime.combine(day.date, dt.time(hour, minute))
    else:
        raise ValueError("it has no 'date' (its start as an ISO date and time)")
    return moment.replace(tzinfo=zone) if moment.utcoffset() is None else moment


def _end(event: SourceEvent, start: dt.datetime) -> dt.datetime | None:
    """The true end: 'end' when given, else start + duration ('HH:MM', or pretalx's 'D:HH:MM')."""
    if event.end is not None:
        end = event.end if event.end.utcoffset() is not None else event.end.replace(tzinfo=start.tzinfo)
    elif event.duration:
        parts = event.duration.strip().split(":")
        if not all(part.isdigit() for part in parts) or len(parts) not in (2, 3):
            raise ValueError(f"duration '{event.duration}' is not HH:MM")
        days, hours, minutes = ([0] if len(parts) == 2 else []) + [int(part) for part in parts]
        end = start + dt.timedelta(days=days, hours=hours, minutes=minutes)
    else:
        return None
    if end < start:
        raise ValueError(f"it ends ({end.isoformat()}) before it starts ({start.isoformat()})")
    return end if end > start else None


def _room_names(conference: SourceConference) -> list[str]:
    names = [room.name for room in conference.rooms]
    names += [name for day in conference.days for name in day.rooms]
    return list(dict.fromkeys(names))


def _rooms(conference: SourceConference, entries: list[_Entry]) -> tuple[dict[str, str], list[dict[str, str]]]:
    used = {entry.room for entry in entries}
    ids = UniqueIds()
    room_ids: dict[str, str] = {}
    rooms = []
    for name in _room_names(conference):
        if name in used:
            room_ids[name] = ids.take(name, "room")
            rooms.append({"id": room_ids[name], "name": one_line(name) or room_ids[name]})
    return room_ids, rooms


def _tracks(conference: SourceConference, entries: list[_Entry]) -> tuple[list[dict[str, str]], dict[str, str]]:
    declared = {one_line(track.name): track for track in conference.tracks if one_line(track.name)}
    names = list(declared) + [one_line(entry.source.track or "") for entry in entries]
    ids = UniqueIds()
    tracks, track_ids = [], {}
    for name in dict.fromkeys(name for name in names if name):
        source = declared.get(name)
        slug = source.slug if source is not None and source.slug and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*",
                                                                                    source.slug) else name
        track_ids[name] = ids.take(slug, "track")
        color = source_color(source.color if source is not None else None) or PALETTE[len(tracks) % len(PALETTE)]
        tracks.append({"id": track_ids[name], "name": name, "color": color})
    return tracks, track_ids


def _speakers(entries: list[_Entry], ours: bool) -> tuple[dict[str, SourcePerson], dict[str, str]]:
    """One speaker per person (by guid, code, id), merged by name too: the content has one file per name."""
    ids = UniqueIds()
    speakers: dict[str, SourcePerson] = {}
    speaker_of: dict[str, str] = {}
    by_name: dict[str, str] = {}
    for entry in entries:
        for person in entry.source.persons:
            name = person.display_name
            if not name:
                continue
            folded = slugify(name) or name
            speaker_id = speaker_of.get(person.key) or by_name.get(folded)
            if speaker_id is None:
                speaker_id = ids.take(name, "speaker", person.slug if ours else None)
                speakers[speaker_id] = person.model_copy(update={"links": list(person.links)})
            else:
                known = speakers[speaker_id]
                updates: dict[str, Any] = {"links": known.links + [link for link in person.links
                                                                    if link not in known.links]}
                if not (known.biography or "").strip() and (person.biography or "").strip():
                    updates["biography"] = person.biography
                speakers[speaker_id] = known.model_copy(update=updates)
            speaker_of[person.key] = speaker_id
            by_name.setdefault(folded, speaker_id)
    return speakers, speaker_of


def _kind(event_type: str | None, has_persons: bool) -> SlotKind:
    """The slot kind of a frab type; anything with speakers that cannot present a talk becomes a talk."""
    name = (event_type or "").strip().lower()
    name = KIND_ALIASES.get(name, name)
    kind = SlotKind(name) if name in {kind.value for kind in SlotKind} else SlotKind.talk
    if has_persons and kind not in TALK_KINDS:
        return SlotKind.talk
    return kind


def _our_slot_id(event: SourceEvent, conference: SourceConference) -> str | None:
    """The slot id in our own exports' slug ``<acronym>-<number>-<slot id>``."""
    prefix = f"{conference.acronym}-{event.id}-"
    slug = event.slug or ""
    return slug[len(prefix):] if slug.startswith(prefix) and len(slug) > len(prefix) else None


def _split_description(description: str | None) -> tuple[list[str], str | None]:
    """Our exports' description: 'Based on joint work with A, B and C.' then the slot's notes."""
    if not description:
        return [], None
    first, _, rest = description.partition("\n\n")
    match = _JOINT_WORK.match(first)
    if match is None:
        return [], description
    names = re.split(r", | and ", match.group(1))
    return [name for name in names if name], rest or None


def _joined(abstract: str | None, description: str | None) -> str | None:
    if abstract and description and description != abstract:
        return f"{abstract}\n\n{description}"
    return abstract or description


# --- command line -----------------------------------------------------------------------------

def register(subparsers: argparse._SubParsersAction) -> None:
    help_text = "import a pretalx or frab schedule (schedule.xml or schedule.json) into a new content folder"
    parser = subparsers.add_parser("import", help=help_text, description=help_text)
    parser.add_argument("schedule", metavar="SCHEDULE", help="the schedule file, XML or JSON (told apart by content)")
    parser.add_argument("--content", default="content", help="new or empty folder to write (default: content)")
    parser.add_argument("--timezone", metavar="ZONE", default=None,
                        help="the event's IANA time zone, e.g. Europe/Berlin, instead of the schedule's own "
                             "time_zone_name or one inferred from its UTC offsets; it must fit those offsets")
    parser.set_defaults(handler=cmd_import)


def cmd_import(args: argparse.Namespace) -> int:
    from generator.content.pipeline import load_program
    from generator.core.diagnostics import (
        EXIT_CONTENT,
        EXIT_OK,
        ContentError,
        UsageError,
        warning_report,
    )

    source, target = Path(args.schedule), Path(args.content)
    if not source.is_file():
        raise UsageError(f"schedule file '{source}' does not exist")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageError(f"'{target}' is not empty; import writes only into a new or empty folder "
                         "(pass --content NEW-FOLDER)")
    if args.timezone is not None and known_zone(args.timezone) is None:
        import difflib

        close = difflib.get_close_matches(args.timezone, sorted(available_timezones()), n=1)
        raise UsageError(f"--timezone: unknown time zone '{args.timezone}' "
                         f"({f'did you mean {close[0]!r}?' if close else 'use an IANA name such as Europe/Berlin'})")
    name = source.as_posix()
    try:
        raw = source.read_bytes()
        if len(raw) > MAX_BYTES:
            raise schedule_error(name, f"the file is {len(raw):,} bytes, over the {MAX_BYTES:,}-byte limit for a schedule")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise schedule_error(name, "the file is not valid UTF-8", raw[: error.start].count(b"\n") + 1) from None
        imported = import_schedule(text, name, args.timezone)
    except ScheduleError as error:
        for problem in error.problems:
            print(problem.format(), file=sys.stderr)
        print(f"{len(error.problems)} error{'s' if len(error.problems) != 1 else ''} found; nothing was written.",
              file=sys.stderr)
        return EXIT_CONTENT
    write_content(imported, target)
    for note in imported.notes:
        print(f"symposium import: note: {note}", file=sys.stderr)
    counts = imported.counts
    print(f"imported {counts['slots']} slots on {counts['days']} days, {counts['talks']} talks, "
          f"{counts['speakers']} speakers, {counts['rooms']} rooms and {counts['tracks']} tracks into {target}")
    try:
        program = load_program(target)
    except ContentError as error:
        print(error.diagnostics.report().rsplit("\n", 1)[0], file=sys.stderr)
        print(f"the imported content does not pass `symposium check` yet; fix the problems above in {target}",
              file=sys.stderr)
        return EXIT_CONTENT
    if program.warnings:
        print(warning_report(program.warnings), file=sys.stderr)
    return EXIT_OK
