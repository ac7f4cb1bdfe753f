"""Link stage: resolve ids into one object graph and check the schedule as a whole.

Validation looks at one file at a time; this stage sees them together: unknown
or duplicate ids, overlapping slots in one room, a speaker in two places at
once, slots outside the event's dates. An overlap the content acknowledges
(``clashes_with``, or a slot that ``relays`` another into a second room) is a
warning instead, printed to stderr with the valid program; so are content that would
build pages silently out of reach or out of place: a talk no slot schedules, a speaker
with no talk, a talk slot with no venue where venues exist and no default applies. The result is a plain
object graph that the render and export stages read without ever going back to the YAML.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from generator.content.graph import (
    DayNode,
    Program,
    RoomNode,
    SlotNode,
    SpeakerNode,
    TalkNode,
    VenueNode,
)
from generator.content.load import SourceDocument
from generator.content.models import (
    Day,
    Event,
    Slot,
    Speaker,
    Talk,
    Track,
    Venue,
    slugify,
)
from generator.content.photos import photo_problem
from generator.content.relink import speaker_node, talk_node
from generator.content.validate import Located, ValidatedContent
from generator.core.diagnostics import ContentError, Diagnostics, did_you_mean


@dataclass
class _Linker:
    content: ValidatedContent
    diagnostics: Diagnostics
    root: Path
    slot_sources: dict[int, tuple[SourceDocument, tuple]] = field(default_factory=dict)
    #: ids whose file exists but failed validation: not reported again as "unknown"
    invalid_ids: set[str] = field(default_factory=set)
    #: the id each relay slot names in 'relays', by id() of its node, resolved once every slot is known
    relay_ids: dict[int, str] = field(default_factory=dict)
    #: per day, its talk slots that name no venue where venues exist and no default applies (see warn_unused)
    placeless: list[tuple[SourceDocument, list[tuple]]] = field(default_factory=list)

    def unknown(self, source: SourceDocument, loc: tuple, what: str, ident: str, known: set[str]) -> None:
        if ident not in self.invalid_ids:
            self.error(source, loc, f"unknown {what} '{ident}'", did_you_mean(ident, known))

    def venue_error(self, source: SourceDocument, loc: tuple, message: str, hint: str = "") -> None:
        """An unknown venue or room; not reported when venues.yaml itself is invalid (already reported)."""
        if self.content.venues_valid:
            self.error(source, loc, message, hint)

    def error(self, source: SourceDocument, loc: tuple[str | int, ...], message: str, hint: str = "",
              key: bool = False) -> None:
        line, column = source.position(loc, key=key)
        self.diagnostics.error(source.path, line, column, message, hint)

    def warn(self, source: SourceDocument, loc: tuple[str | int, ...], message: str, hint: str = "") -> None:
        line, column = source.position(loc)
        self.diagnostics.warning(source.path, line, column, message, hint)

    def unique(self, items: list[tuple[str, SourceDocument, tuple]], what: str, where: str = "") -> None:
        first_seen: dict[str, tuple[SourceDocument, tuple]] = {}
        for ident, source, loc in items:
            if ident in first_seen:
                other, other_loc = first_seen[ident]
                line, _ = other.position(other_loc)
                first = self.diagnostics.display_name(other.path)
                self.error(source, loc, f"duplicate {what} id '{ident}'{where}", f"first defined at {first}:{line}")
            else:
                first_seen[ident] = (source, loc)

    def link(self) -> Program:
        event_located = self.content.event
        assert event_located is not None
        event = event_located.model
        zone = ZoneInfo(event.timezone)
        venues = self.venues()
        tracks = self.tracks(event_located)
        speakers = self.speakers()
        talks = self.talks(speakers, tracks)
        if event.default_venue is not None and event.default_venue not in venues:
            self.venue_error(event_located.source, ("default_venue",), f"unknown venue '{event.default_venue}'",
                       did_you_mean(event.default_venue, set(venues)))
        days = self.days(event, zone, venues, tracks, talks)
        self.resolve_slot_references(days)
        self.check_figure_talks(talks)
        program = Program(event, zone, venues, tracks, days, talks, speakers, self.root,
                          figures=list(self.content.figures))
        self.check_overlaps(program)
        return program

    def check_figure_talks(self, talks: dict[str, TalkNode]) -> None:
        """Each talk a live figure names in figures.yaml exists (the figure and the talk link to each other)."""
        source = self.content.figures_source
        for index, spec in enumerate(self.content.figures):
            for position, talk_id in enumerate(spec.talks):
                if talk_id not in talks and source is not None:
                    self.unknown(source, ("figures", index, "talks", position), "talk", talk_id, set(talks))

    def venues(self) -> dict[str, VenueNode]:
        located = self.content.venues
        self.unique([(v.id, v.source, ("venues", i, "id")) for i, v in enumerate(located)], "venue")
        venues: dict[str, VenueNode] = {}
        for index, item in enumerate(located):
            venue: Venue = item.model
            node = VenueNode(venue.id, venue.name, venue.address, venue.map_url, venue.notes)
            node.rooms = [RoomNode(room.id, room.name, node) for room in venue.rooms]
            self.unique([(room.id, item.source, ("venues", index, "rooms", r, "id"))
                         for r, room in enumerate(venue.rooms)], "room", f" in venue '{venue.id}'")
            venues.setdefault(venue.id, node)
        return venues

    def tracks(self, event: Located[Event]) -> dict[str, Track]:
        self.unique([(t.id, event.source, ("tracks", i, "id")) for i, t in enumerate(event.model.tracks)], "track")
        return {track.id: track for track in event.model.tracks}

    def speakers(self) -> dict[str, SpeakerNode]:
        speakers: dict[str, SpeakerNode] = {}
        names: dict[str, str] = {}
        for item in self.content.speakers:
            speaker: Speaker = item.model
            expected = slugify(speaker.name)
            if expected and expected in names and names[expected] != item.id:
                self.error(item.source, ("name",), f"speaker '{item.id}' has the same name as '{names[expected]}': "
                           f"both read '{expected}'", "merge the two files, or tell the people apart in 'name'")
            names.setdefault(expected, item.id)
            if speaker.photo is not None:
                self.check_photo(item, speaker.photo)
            speakers[item.id] = speaker_node(item.id, speaker)
        return speakers

    def check_photo(self, item: Located[Speaker], photo: str) -> None:
        problem = photo_problem(self.root, photo)
        if problem is not None:
            self.error(item.source, ("photo",), *problem)

    def talks(self, speakers: dict[str, SpeakerNode], tracks: dict[str, Track]) -> dict[str, TalkNode]:
        talks: dict[str, TalkNode] = {}
        for item in self.content.talks:
            talk: Talk = item.model
            resolved = []
            for index, speaker_id in enumerate(talk.speakers):
                if speaker_id in speakers:
                    resolved.append(speakers[speaker_id])
                else:
                    self.unknown(item.source, ("speakers", index), "speaker", speaker_id, set(speakers))
            track = None
            if talk.track is not None:
                track = tracks.get(talk.track)
                if track is None:
                    self.error(item.source, ("track",), f"unknown track '{talk.track}'",
                               did_you_mean(talk.track, set(tracks)))
            talks[item.id] = talk_node(item.id, talk, resolved, track)
        located = {item.id: item for item in self.content.talks}
        for item in self.content.talks:
            companion_id = item.model.companion
            if companion_id is None:
                continue
            companion = talks.get(companion_id)
            if companion is None or companion_id == item.id:
                hint = "a talk cannot be its own companion" if companion_id == item.id else did_you_mean(
                    companion_id, set(talks) - {item.id})
                self.error(item.source, ("companion",), f"unknown companion talk '{companion_id}'", hint)
                continue
            back = located.get(companion_id)
            if back is not None and back.model.companion != item.id:
                self.error(item.source, ("companion",),
                           f"'{companion_id}' does not name '{item.id}' as its companion",
                           f"add 'companion: {item.id}' to talks/{companion_id}.yaml")
            talks[item.id].companion = companion
        for talk in talks.values():
            for speaker in talk.speakers:
                speaker.talks.append(talk)
        return talks

    def days(self, event: Event, zone: ZoneInfo, venues: dict[str, VenueNode], tracks: dict[str, Track],
             talks: dict[str, TalkNode]) -> list[DayNode]:
        days: list[DayNode] = []
        seen_dates: dict[dt.date, Located[Day]] = {}
        slot_ids: list[tuple[str, SourceDocument, tuple]] = []
        scheduled: dict[str, tuple[SourceDocument, tuple]] = {}
        for item in sorted(self.content.days, key=lambda day: (day.model.date, str(day.source.path))):
            if not self.day_file(item, event, seen_dates, venues):
                continue
            day: Day = item.model
            slots = []
            placeless: list[tuple] = []  # talk slots with no venue, where venues exist and nothing gives a default
            for index, slot in enumerate(day.slots):
                node = self.slot(item, index, slot, zone, venues, tracks, talks, scheduled, placeless,
                                 day.venue or event.default_venue)
                if node is not None:
                    slot_ids.append((node.id, item.source, ("slots", index)))
                    slots.append(node)
            if placeless:
                self.placeless.append((item.source, placeless))
            slots.sort(key=lambda s: (s.start, s.room.id if s.room else "", s.id))
            days.append(DayNode(day.date, day.title, slots))
        self.unique(slot_ids, "slot")
        return days

    def day_file(self, item: Located[Day], event: Event, seen_dates: dict[dt.date, Located[Day]],
                 venues: dict[str, VenueNode]) -> bool:
        """Check a day file as a whole (its name, its date, its venue); False for a second file of one date."""
        day = item.model
        if item.source.path.stem != day.date.isoformat():
            self.error(item.source, ("date",), f"the file {item.source.path.name} holds the program of {day.date}",
                       f"rename it to {day.date.isoformat()}.yaml so days are easy to find")
        if day.date in seen_dates:
            other = seen_dates[day.date].source
            self.error(item.source, ("date",), f"a second program for {day.date}",
                       f"{self.diagnostics.display_name(other.path)} already holds that day; merge the two")
            return False
        seen_dates[day.date] = item
        if not event.start <= day.date <= event.end:
            self.error(item.source, ("date",), f"{day.date} is outside the event's dates",
                       f"event.yaml says the event runs {event.start} to {event.end}")
        if day.venue is not None and day.venue not in venues:
            self.venue_error(item.source, ("venue",), f"unknown venue '{day.venue}'",
                             did_you_mean(day.venue, set(venues)))
        return True

    def slot(self, item: Located[Day], index: int, slot: Slot, zone: ZoneInfo, venues: dict[str, VenueNode],
             tracks: dict[str, Track], talks: dict[str, TalkNode], scheduled: dict[str, tuple[SourceDocument, tuple]],
             placeless: list[tuple], day_venue: str | None) -> SlotNode | None:
        """One slot of a day linked to its venue, room, track and talk; None where it cannot be placed."""
        day, loc = item.model, ("slots", index)
        start = self.instant(item, loc + ("start",), day.date, slot.start, zone)
        end = None
        if slot.end is not None and slot.end_date is not None and slot.end_date <= day.date:
            self.error(item.source, loc + ("end_date",), f"'end_date' {slot.end_date} is not after the "
                       f"slot's day {day.date}", "leave 'end_date' out for a slot that ends on its day")
            return None
        if slot.end is not None:
            end = self.instant(item, loc + ("end",), slot.end_date or day.date, slot.end, zone)
        venue_id = slot.venue or day_venue
        venue = venues.get(venue_id) if venue_id else None
        if venue_id is None and slot.talk is not None and venues:
            placeless.append(loc)
        if slot.venue is not None and venue is None:
            self.venue_error(item.source, loc + ("venue",), f"unknown venue '{slot.venue}'",
                             did_you_mean(slot.venue, set(venues)))
        room = self.room(item, loc, slot, venue)
        track = None
        if slot.track is not None:
            track = tracks.get(slot.track)
            if track is None:
                self.error(item.source, loc + ("track",), f"unknown track '{slot.track}'",
                           did_you_mean(slot.track, set(tracks)))
        talk = None
        if slot.talk is not None:
            talk = talks.get(slot.talk)
            if talk is None:
                self.unknown(item.source, loc + ("talk",), "talk", slot.talk, set(talks))
            elif slot.relays is not None:
                pass  # a relay shows the talk of the slot it relays: see resolve_slot_references
            elif slot.talk in scheduled:
                other, other_loc = scheduled[slot.talk]
                line, _ = other.position(other_loc)
                self.error(item.source, loc + ("talk",), f"talk '{slot.talk}' is scheduled twice",
                           f"also at {self.diagnostics.display_name(other.path)}:{line}")
                return None  # its slot would also repeat the first one's id
            else:
                scheduled[slot.talk] = (item.source, loc + ("talk",))
        if start is None or (slot.end is not None and end is None):
            return None
        slot_id = slot.id or (f"{slot.relays}-{slot.room or 'relay'}" if slot.relays else
                              slot.talk if slot.talk else
                              f"{day.date.isoformat()}-{slot.start:%H%M}-{slot.kind.value}"
                              + (f"-{slot.room}" if slot.room else ""))
        node = SlotNode(slot_id, slot.kind, start, end, slot.title, talk, venue, room,
                        track or (talk.track if talk else None), slot.all_rooms, slot.notes,
                        clashes_with=tuple(slot.clashes_with))
        self.slot_sources[id(node)] = (item.source, loc)
        if slot.relays is not None:
            self.relay_ids[id(node)] = slot.relays
        elif talk is not None and talk.slot is None:
            talk.slot = node
        return node

    def room(self, item: Located[Day], loc: tuple, slot: Slot, venue: VenueNode | None) -> RoomNode | None:
        """The slot's room, looked up in its venue."""
        if slot.room is None:
            return None
        if venue is None:
            self.venue_error(item.source, loc + ("room",), f"room '{slot.room}' has no venue",
                             "give the slot (or its day) a 'venue' that lists this room")
            return None
        room = next((r for r in venue.rooms if r.id == slot.room), None)
        if room is None:
            self.venue_error(item.source, loc + ("room",), f"unknown room '{slot.room}' in venue '{venue.id}'",
                             did_you_mean(slot.room, {r.id for r in venue.rooms}))
        return room

    def warn_placeless(self, source: SourceDocument, locs: list[tuple], venues: set[str]) -> None:
        """One warning per day for its talk slots that name no venue, where venues exist but no default applies."""
        others = len(locs) - 1
        more = f" (and {others} more talk slot{'s' if others > 1 else ''} of this day)" if others else ""
        known = ", ".join(f"'{venue}'" for venue in sorted(venues)[:8]) + (", ..." if len(venues) > 8 else "")
        self.warn(source, locs[0] + ("start",), f"this talk slot{more} names no venue, and neither the day nor "
                  "event.yaml gives a default, so the talk's page cannot say where it takes place",
                  f"add 'venue: <id>' to the day or the slot, or 'default_venue: <id>' to event.yaml; venues: {known}")

    def warn_unused(self, program: Program) -> None:
        """Talks that no slot schedules and speakers who give no talk (their pages are built, but nothing links
        there), and talk slots whose place is unknown. Only for valid content, where they are not a symptom of an
        error: a talk file that failed validation would leave its speakers talkless."""
        for source, locs in self.placeless:
            self.warn_placeless(source, locs, set(program.venues))
        for item in self.content.talks:
            talk = program.talks.get(item.id)
            if talk is not None and talk.slot is None:
                self.warn(item.source, ("title",) if item.model.title is not None else ("tba",),
                          f"talk '{item.id}' is in no slot of the program: its page is built, but the program "
                          "does not show it", f"schedule it with 'talk: {item.id}' in a slot of a day in program/, "
                          "or delete the file")
        for item in self.content.speakers:
            speaker = program.speakers.get(item.id)
            if speaker is not None and not speaker.talks:
                self.warn(item.source, ("name",), f"speaker '{item.id}' gives no talk: their page is built, but "
                          "no talk links to it", f"name '{item.id}' in a talk's 'speakers' (symposium new talk "
                          f"--speaker {item.id} ...), or delete the file")

    def instant(self, item: Located[Day], loc: tuple, date: dt.date, time: dt.time, zone: ZoneInfo) -> dt.datetime | None:
        """The aware moment of a wall-clock time; refuses times a DST change skips or repeats."""
        moment = dt.datetime.combine(date, time, tzinfo=zone)
        round_trip = moment.astimezone(dt.timezone.utc).astimezone(zone)
        if round_trip.replace(tzinfo=None) != moment.replace(tzinfo=None):
            self.error(item.source, loc, f"{time:%H:%M} does not exist on {date} in {zone.key}",
                       "the clocks skip that hour for daylight saving time")
            return None
        if moment.utcoffset() != moment.replace(fold=1).utcoffset():
            self.error(item.source, loc, f"{time:%H:%M} happens twice on {date} in {zone.key}",
                       "the clocks go back that night; choose a time outside the repeated hour")
            return None
        return moment

    def resolve_slot_references(self, days: list[DayNode]) -> None:
        """'relays' and 'clashes_with' name other slots by id, on any day: resolve them now that all are known."""
        slots: dict[str, SlotNode] = {}
        for node in (node for day in days for node in day.slots):
            slots.setdefault(node.id, node)
        for node in (node for day in days for node in day.slots):
            source, loc = self.slot_sources[id(node)]
            relayed_id = self.relay_ids.get(id(node))
            target = slots.get(relayed_id) if relayed_id else None
            if relayed_id is None:
                pass
            elif target is None or target is node:
                self.error(source, loc + ("relays",), f"'relays' names an unknown slot '{relayed_id}'",
                           did_you_mean(relayed_id, set(slots) - {node.id}))
            elif id(target) in self.relay_ids:
                self.error(source, loc + ("relays",), f"'{relayed_id}' is itself a relay",
                           f"relay the slot it relays: 'relays: {self.relay_ids[id(target)]}'")
            elif node.talk is not None and node.talk is not target.talk:
                shown = f"talk '{target.talk.id}'" if target.talk else "no talk"
                self.error(source, loc + ("talk",), f"a relay shows the talk of the slot it relays: '{relayed_id}' "
                           f"presents {shown}, not '{node.talk.id}'", "give both slots the same 'talk'")
            elif not overlaps(node, target):
                self.error(source, loc + ("relays",), f"slot '{node.id}' relays '{relayed_id}' but not while it runs",
                           f"'{relayed_id}' runs {_span(target)}; a repeat at another time is a slot of its own")
            else:
                node.relays = target
            for index, other in enumerate(node.clashes_with):
                if other not in slots or other == node.id:
                    self.error(source, loc + ("clashes_with", index), f"'clashes_with' names an unknown slot '{other}'",
                               did_you_mean(other, set(slots) - {node.id}))

    def check_overlaps(self, program: Program) -> None:
        acknowledged = {frozenset((slot.id, other)): slot for slot in program.slots for other in slot.clashes_with}
        clashed: set[frozenset[str]] = set()
        by_space: dict[tuple, list[SlotNode]] = defaultdict(list)
        for slot in program.slots:
            venue_id = slot.venue.id if slot.venue else None
            if slot.all_rooms and slot.venue is not None and slot.venue.rooms:
                for room in slot.venue.rooms:
                    by_space[(venue_id, room.id)].append(slot)
            else:
                by_space[(venue_id, slot.room.id if slot.room else None)].append(slot)
        reported: set[tuple[str, str]] = set()
        for (venue_id, room_id), slots in sorted(by_space.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1]))):
            where = f"room '{room_id}'" if room_id else (f"venue '{venue_id}'" if venue_id else "the program")
            self.report_overlaps(slots, lambda a, b: f"overlaps '{b.id}' in {where}", reported, acknowledged, clashed)
        by_speaker: dict[str, list[SlotNode]] = defaultdict(list)
        for slot in program.slots:
            for speaker in slot.speakers if slot.relays is None else ():  # a relay's speakers are in the other room
                by_speaker[speaker.id].append(slot)
        for speaker_id, slots in sorted(by_speaker.items()):
            self.report_overlaps(
                slots, lambda a, b, s=speaker_id: f"has a clash: speaker '{s}' is also in '{b.id}' at that time",
                reported, acknowledged, clashed)
        ids = {slot.id for slot in program.slots}
        for slot in program.slots:
            source, loc = self.slot_sources[id(slot)]
            if slot.relays is not None and slot.speakers:
                names = ", ".join(f"'{speaker.id}'" for speaker in slot.speakers)
                where = f"room '{slot.relays.room.id}'" if slot.relays.room else "its own place"
                several = len(slot.speakers) > 1
                self.warn(source, loc + ("relays",), f"slot '{slot.id}' relays '{slot.relays.id}': its speaker"
                          f"{'s' if several else ''} {names} {'are' if several else 'is'} shown in two rooms at once, "
                          "on purpose", f"'{slot.relays.id}' runs {_span(slot.relays)} in {where}")
            for index, other in enumerate(slot.clashes_with):
                if frozenset((slot.id, other)) not in clashed and other != slot.id and other in ids:
                    self.warn(source, loc + ("clashes_with", index), f"slot '{slot.id}' does not clash with "
                              f"'{other}' (no shared room or speaker at the same time)", "remove it from 'clashes_with'")

    def report_overlaps(self, slots: list[SlotNode], describe, reported: set,
                        acknowledged: dict[frozenset[str], SlotNode], clashed: set[frozenset[str]]) -> None:
        ordered = sorted(slots, key=lambda slot: (slot.start, slot.id))
        for index, first in enumerate(ordered):
            for second in ordered[index + 1:]:
                first_end = first.end or first.start
                if second.start >= first_end and not (second.start == first.start):
                    break
                pair = (first.id, second.id, describe(second, first))
                if pair in reported or second is first:
                    continue
                reported.add(pair)
                holder = acknowledged.get(frozenset((first.id, second.id)))
                if holder is not None:  # acknowledged by either slot: shown where it is acknowledged
                    clashed.add(frozenset((first.id, second.id)))
                    other = first if holder is second else second
                    source, loc = self.slot_sources[id(holder)]
                    index = holder.clashes_with.index(other.id) if other.id in holder.clashes_with else 0
                    self.warn(source, loc + ("clashes_with", index), f"slot '{holder.id}' {describe(holder, other)}; "
                              "acknowledged in 'clashes_with'", f"'{other.id}' runs {_span(other)}")
                    continue
                source, loc = self.slot_sources[id(second)]
                self.error(source, loc + ("start",), f"slot '{second.id}' {describe(second, first)}",
                           f"'{first.id}' runs {_span(first)}")


def overlaps(a: SlotNode, b: SlotNode) -> bool:
    """Whether two slots share time; a slot without an end is a moment, which meets a slot starting then."""
    return a.start == b.start or (a.start < (b.end or b.start) and b.start < (a.end or a.start))


def _span(slot: SlotNode) -> str:
    end = f"{slot.end:%H:%M}" if slot.end else "its start"
    return f"{slot.start:%H:%M}-{end} on {slot.start:%Y-%m-%d}"


def link_content(content: ValidatedContent, root: Path, diagnostics: Diagnostics) -> Program:
    """Resolve ids and check the schedule; raises ContentError with every problem found.

    Runs even when some files failed validation, so one run reports every
    problem; references to those files are not reported a second time.
    """
    if content.event is None:
        raise ContentError(diagnostics)
    valid = {item.id for item in (*content.talks, *content.speakers)}
    present = {os.path.splitext(name)[0] for folder in ("talks", "speakers")  # also misnamed or misplaced files,
               for _, _, names in os.walk(root / folder) for name in names  # reported already
               if os.path.splitext(name)[1].lower() in (".yaml", ".yml")}
    linker = _Linker(content, diagnostics, root, invalid_ids=present - valid)
    program = linker.link()
    if diagnostics:
        raise ContentError(diagnostics)
    linker.warn_unused(program)
    program.warnings = sorted(set(diagnostics.warnings))
    return program
