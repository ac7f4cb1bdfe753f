"""The linked program as plain JSON-ready data, for scripts, tests and ``symposium dump``."""

from __future__ import annotations

from typing import Any

from generator.content.graph import Program, SlotNode, SpeakerNode


def _slot(slot: SlotNode) -> dict[str, Any]:
    talk = slot.talk
    return {
        "id": slot.id,
        "kind": slot.kind.value,
        "start": slot.start.isoformat(),
        "end": slot.end.isoformat() if slot.end else None,
        "title": slot.talk.title if talk is not None else slot.title,
        "subtitle": talk.subtitle if talk is not None else None,
        "tba": slot.tba,
        "talk": talk.id if talk is not None else None,
        "speakers": [speaker.id for speaker in slot.speakers],
        "abstract": talk.abstract if talk is not None else None,
        "joint_work": list(talk.joint_work) if talk is not None else [],
        "companion": (talk.companion.slot.id if talk is not None and talk.companion is not None
                      and talk.companion.slot is not None else None),
        "venue": slot.venue.id if slot.venue else None,
        "room": slot.room.id if slot.room else None,
        "track": slot.track.id if slot.track else None,
        "all_rooms": slot.all_rooms,
        "notes": slot.notes,
    }


def _speaker(speaker: SpeakerNode) -> dict[str, Any]:
    return {
        "id": speaker.id,
        "name": speaker.name,
        "affiliation": speaker.affiliation,
        "affiliations": list(speaker.affiliations),
        "position": speaker.position,
        "bio": speaker.bio,
        "talks": [talk.id for talk in speaker.talks],
        "publications": [
            {
                "title": publication.title,
                "authors": [author.name for author in publication.authors],
                "equal_contribution": [author.name for author in publication.authors if author.equal_contribution],
                "et_al": publication.et_al,
                "year": publication.year,
                "venue": publication.venue,
                "doi": publication.doi,
                "arxiv": publication.arxiv,
                "url": publication.url,
                "abstract": publication.abstract,
                "notes": publication.notes,
            }
            for publication in speaker.publications
        ],
    }


def program_to_dict(program: Program) -> dict[str, Any]:
    event = program.event
    return {
        "event": {
            "name": event.name,
            "timezone": event.timezone,
            "start": event.start.isoformat(),
            "end": event.end.isoformat(),
            "city": event.city,
        },
        "venues": [
            {"id": venue.id, "name": venue.name, "address": venue.address,
             "rooms": [{"id": room.id, "name": room.name} for room in venue.rooms]}
            for venue in program.venues.values()
        ],
        "tracks": [{"id": track.id, "name": track.name, "color": track.color} for track in program.tracks.values()],
        "days": [{"date": day.id, "title": day.title, "slots": [slot.id for slot in day.slots]} for day in program.days],
        "slots": [_slot(slot) for slot in program.slots],
        "speakers": [_speaker(speaker) for speaker in program.speakers_sorted],
    }
