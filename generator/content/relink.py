"""Edits the link stage only copies, applied to a program linked before instead of linking it again.

Most of a talk's or a speaker's file is copied by the link stage into its node as it is (an
abstract, a title, links, a biography, publications) and checked against nothing else. The rest
ties the graph together or is checked against other files or the disk: a talk's speakers, track
and companion; a speaker's name (no two may read the same, and it decides the sort order) and
photo (a file that must exist). That rest is a file's *link key*. An edit that keeps every edited
file's link key (and adds, removes or renames no file, and touches no other file) gives the same
program as linking everything again, with the copied fields of the edited nodes replaced; so an
abstract edited at N = 10,000 costs one file's validation instead of 18,000 files' and a link.

The link stage builds its nodes with :func:`talk_node` and :func:`speaker_node`, so what is
copied here and what linking copies are one list. ``tests/test_relink.py`` checks the rule the
other way round: after each kind of edit, the relinked program equals a freshly linked one.
"""

from __future__ import annotations

from typing import Any, Hashable

from generator.content.graph import Program, SpeakerNode, TalkNode
from generator.content.models import Speaker, Talk, Track


def _talk_copied(talk: Talk) -> dict[str, Any]:
    """Every field of a talk's node that is its model's value as it is."""
    return {"title": talk.title, "tba": talk.tba, "subtitle": talk.subtitle, "abstract": talk.abstract,
            "joint_work": list(talk.joint_work), "part": talk.part, "links": list(talk.links)}


def _speaker_copied(speaker: Speaker) -> dict[str, Any]:
    """Every field of a speaker's node that is its model's value as it is."""
    return {"affiliations": list(speaker.affiliations), "position": speaker.position, "bio": speaker.bio,
            "about": speaker.about, "links": list(speaker.links), "interests": list(speaker.interests),
            "education": list(speaker.education), "publications": list(speaker.publications)}


def _family_name(speaker: Speaker) -> str:
    return speaker.family_name or speaker.name.split()[-1]


def talk_node(ident: str, talk: Talk, speakers: list[SpeakerNode], track: Track | None) -> TalkNode:
    """A talk's node, its speakers and track resolved (its companion and slot are linked later)."""
    return TalkNode(ident, speakers=speakers, track=track, **_talk_copied(talk))


def speaker_node(ident: str, speaker: Speaker) -> SpeakerNode:
    """A speaker's node (their talks are linked later)."""
    return SpeakerNode(ident, speaker.name, _family_name(speaker), photo=speaker.photo, **_speaker_copied(speaker))


LinkKey = tuple[Hashable, ...]


def talk_key(talk: Talk) -> LinkKey:
    """What of a talk's file linking does more with than copy it."""
    return ("talk", tuple(talk.speakers), talk.track, talk.companion)


def speaker_key(speaker: Speaker) -> LinkKey:
    """What of a speaker's file linking does more with than copy it."""
    return ("speaker", speaker.name, _family_name(speaker), speaker.photo)


def talk_node_key(node: TalkNode) -> LinkKey:
    """:func:`talk_key` of the model a linked node was made from."""
    return ("talk", tuple(speaker.id for speaker in node.speakers), node.track.id if node.track else None,
            node.companion.id if node.companion else None)


def speaker_node_key(node: SpeakerNode) -> LinkKey:
    """:func:`speaker_key` of the model a linked node was made from."""
    return ("speaker", node.name, node.family_name, node.photo)


def link_keys(program: Program) -> dict[str, LinkKey]:
    """The link key of every talk and speaker file of a linked program, by its path in the content folder."""
    keys = {f"talks/{ident}.yaml": talk_node_key(node) for ident, node in program.talks.items()}
    keys.update((f"speakers/{ident}.yaml", speaker_node_key(node)) for ident, node in program.speakers.items())
    return keys


def relink(program: Program, talks: dict[str, Talk], speakers: dict[str, Speaker]) -> bool:
    """Put edited talks and speakers (by id) into a linked program, in place, where linking would only copy them.

    False, with the program unchanged, when any of them is not in the program or its link key
    differs from its node's (link it again then).
    """
    talk_nodes = [(program.talks.get(ident), talk) for ident, talk in talks.items()]
    speaker_nodes = [(program.speakers.get(ident), speaker) for ident, speaker in speakers.items()]
    if not (all(node is not None and talk_node_key(node) == talk_key(talk) for node, talk in talk_nodes)
            and all(node is not None and speaker_node_key(node) == speaker_key(speaker)
                    for node, speaker in speaker_nodes)):
        return False
    for node, model in talk_nodes:
        for name, value in _talk_copied(model).items():
            setattr(node, name, value)
    for node, model in speaker_nodes:
        for name, value in _speaker_copied(model).items():
            setattr(node, name, value)
    return True
