"""The variables and cases of an exported project: a one-to-one interview is one case (its source, as
always); a focus group is one case per participant speaker, holding the selections of that speaker's
turns, since the whole source would give every member the others' words."""

from __future__ import annotations

import warnings
from typing import Callable, Mapping, Sequence

from lxml import etree

from qualkit.refi.codebook import xml_text
from qualkit.refi.guids import ForeignIds, Guids, stable_guid
from qualkit.refi.schema import PROJECT_NS
from qualkit.transcript import Transcript, Turn

NS = f"{{{PROJECT_NS}}}"
Variables = tuple[list[str], dict[str, str], dict[str, str]]
"""Attribute names in order, their REFI-QDA types and their variables' GUIDs."""


def participant_turns(transcripts: Sequence[Transcript]) -> dict[str, dict[str, list[Turn]]]:
    """Return ``{transcript id: {participant: turns}}`` for the focus groups among the transcripts: those
    with several named participant speakers, each a participant ``<id>: <speaker>`` as qualkit counts
    them (``compare.Participants``). A one-to-one interview is not in it."""
    from qualkit.compare import Participants

    people = Participants.of(transcripts)
    groups: dict[str, dict[str, list[Turn]]] = {}
    for t in transcripts:
        members = [(person, label) for person, label in people.members(t.id) if label]
        if members:
            groups[t.id] = {person: [turn for turn in t.turns if turn.speaker == label] for person, label in members}
    return groups


def turn_guid(transcript: str, turn: Turn) -> str:
    """Return the GUID of the selection of one focus-group turn (stable: the same turn, the same GUID)."""
    return stable_guid("turn", transcript, turn.index)


def add_turn_selections(source: etree._Element, transcript: str, members: Mapping[str, list[Turn]],
                        unit: Callable[[int], int], when: str) -> None:
    """Add an uncoded ``PlainTextSelection`` per turn of each participant of a focus group (their cases
    refer to them), named ``<participant>, turn <n>``."""
    for person, turns in members.items():
        for turn in turns:
            etree.SubElement(source, NS + "PlainTextSelection", guid=turn_guid(transcript, turn),
                             name=xml_text(f"{person}, turn {turn.index + 1}", "participant"),
                             startPosition=str(unit(turn.start)), endPosition=str(unit(turn.end)), creationDateTime=when)


def variables_and_cases(root: etree._Element, transcripts: Sequence[Transcript], ids: ForeignIds, guids: Guids,
                        source_guids: Mapping[str, str], groups: Mapping[str, Mapping[str, list[Turn]]],
                        types: Callable[[list[str]], str]) -> Variables:
    """Add ``<Variables>`` (the attributes, typed by ``types``) and ``<Cases>``; return the variables.

    A transcript that is one participant is one case named by its id, with its attributes and a
    ``SourceRef``; a focus group (in ``groups``) is one case per participant with the group's attributes
    and a ``SelectionRef`` per turn, and no ``SourceRef``. Warns naming the focus groups.
    """
    names = list(dict.fromkeys(k for t in transcripts for k in t.attributes))
    kinds = {n: types([str(t.attributes.get(n, "")) for t in transcripts]) for n in names}
    variable_guids = {n: guids.take(ids.variables.get(n), "variable", n) for n in names}
    if names:
        variables = etree.SubElement(root, NS + "Variables")
        for n in names:
            etree.SubElement(variables, NS + "Variable", guid=variable_guids[n], name=xml_text(n, "attribute name"),
                             typeOfVariable=kinds[n])
    found = (names, kinds, variable_guids)
    if not transcripts:
        return found
    cases = etree.SubElement(root, NS + "Cases")
    for t in transcripts:
        for person, turns in (groups.get(t.id) or {t.id: []}).items():
            case = etree.SubElement(cases, NS + "Case", guid=guids.take(ids.cases.get(person), "case", person),
                                    name=xml_text(person, "participant"))
            add_values(case, t, found)
            if t.id not in groups:
                etree.SubElement(case, NS + "SourceRef", targetGUID=source_guids[t.id])
            for turn in turns:
                etree.SubElement(case, NS + "SelectionRef", targetGUID=turn_guid(t.id, turn))
    if groups:
        shown = "; ".join(f"{tid}: {len(members)} ({', '.join(turns[0].speaker for turns in members.values())})"
                          for tid, members in list(groups.items())[:3])
        more = f"; and {len(groups) - 3} more" if len(groups) > 3 else ""
        warnings.warn(f"{len(groups)} focus group{'s' if len(groups) != 1 else ''} exported with one case per participant "
                      f"speaker, each case holding the selections of that speaker's turns ({shown}{more})", stacklevel=3)
    return found


def add_values(holder: etree._Element, t: Transcript, variables: Variables) -> None:
    """Add a transcript's attributes as typed ``<VariableValue>`` elements (on its cases and its source)."""
    names, kinds, variable_guids = variables
    for n in names:
        value = str(t.attributes.get(n, ""))
        if n not in t.attributes or (value == "" and kinds[n] != "Text"):
            continue
        element = etree.SubElement(holder, NS + "VariableValue")
        etree.SubElement(element, NS + "VariableRef", targetGUID=variable_guids[n])
        etree.SubElement(element, NS + kinds[n] + "Value").text = xml_text(value, f"{t.id}, attribute {n!r}")
