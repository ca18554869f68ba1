"""Who is the interviewer: decided from the labels, the cover block, or who asks the questions.

A speaker is the interviewer when its label (or a part of it: ``Interviewer (Sarah)``, ``Int.``,
``Interviewer 2``) is an interviewer label, or names a person the front matter or cover block calls the
interviewer (full name, first or last name, initials). When no speaker matches, the speaker who asks
(the largest share of turns ending in a question, with shorter turns than the others) is chosen when
the evidence is clear, and the caller warns naming who and why; otherwise everyone is a participant,
with a warning saying how to name the interviewer. Someone helping to run or record the session
(``Assistant Moderator``, ``Co-facilitator``, ``Transcriber``, ``Observer``) is not a participant: the label
is read as the interviewer's side, with a warning naming it unless it is named as an interviewer. Files read
together get one more look (``recurring_interviewers``): the named speaker in nearly every interview of a study
runs them.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from statistics import median
from typing import Iterable, NamedTuple, Sequence

from qualkit.readers.vocab import (
    PARTICIPANT_ID, RECORDS, ROLE_PARTICIPANT, RUNS, helper_kind, label_matches, name_forms, role_parts,
)
from qualkit.readers.unlabelled import is_question
from qualkit.transcript import INTERVIEWER, PARTICIPANT, Transcript

MIN_TURNS = 3


def forms_of(names: Iterable[str]) -> set[str]:
    """Return every form the given labels or names may be written in."""
    forms: set[str] = set()
    for name in names:
        forms |= name_forms(str(name))
    return forms


def is_participant_label(label: str, participant_forms: set[str]) -> bool:
    """Return whether a label says its speaker is a participant (``Participant``, ``R``, ``P07``, a named narrator)."""
    parts = role_parts(label)
    return bool(parts) and (parts[0] in ROLE_PARTICIPANT or bool(PARTICIPANT_ID.match(parts[0].replace(" ", "")))
                            or label_matches(label, participant_forms))


def decide_roles(
    spoken: Sequence[tuple[str, str]], interviewer_names: Iterable[str], participant_names: Iterable[str] = (),
) -> tuple[dict[str, str], str | None]:
    """Return a role per speaker for ``spoken`` (speaker, words) turns, and a note when roles were inferred.

    A label naming someone who helps to run or record the session (``helper_kind``: ``Assistant Moderator``,
    ``Transcriber``) is read as the interviewer's side unless the interviewer names, or the participant names,
    name it; the interviewer is then still looked for among the others."""
    speakers = list(dict.fromkeys(speaker for speaker, _ in spoken))
    asking = forms_of(interviewer_names)
    told = forms_of(participant_names)
    roles = {s: INTERVIEWER if label_matches(s, asking) else PARTICIPANT for s in speakers}
    helpers = {s: kind for s in speakers if roles[s] == PARTICIPANT and not label_matches(s, told)
               and (kind := helper_kind(s)) is not None}
    roles.update(dict.fromkeys(helpers, INTERVIEWER))
    rest = [(s, words) for s, words in spoken if s not in helpers]
    found, note = _asker(rest, roles, told)
    if found is not None:
        roles[found] = INTERVIEWER
    notes = [n for n in (helpers_note(helpers), note) if n]
    return roles, "; ".join(notes) or None


def helpers_note(helpers: dict[str, str]) -> str | None:
    """Return the note saying which labels were read as helping to run or record the session, or None."""
    if not helpers:
        return None
    said = []
    for kind, singular, plural in ((RUNS, "helps to run", "help to run"), (RECORDS, "records", "record")):
        labels = [s for s, k in helpers.items() if k == kind]
        if labels:
            what = "it" if said else "the session"
            said.append(f"{_listed(labels)} {singular if len(labels) == 1 else plural} {what}")
    one = len(helpers) == 1
    return (f"{' and '.join(said)}: read as the interviewer, not {'a participant' if one else 'participants'} "
            f"({'its' if one else 'their'} speech is not coded); map {'the label' if one else 'a label'} to a "
            "participant's name in an alias file if it names one")


def _listed(labels: Sequence[str]) -> str:
    quoted = [repr(label) for label in labels]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} and {quoted[-1]}"


def _asker(spoken: Sequence[tuple[str, str]], roles: dict[str, str], told: set[str]) -> tuple[str | None, str | None]:
    """Return the speaker of ``spoken`` who clearly asks the questions when no one there is the interviewer yet,
    and the note saying so (or that no one clearly asks)."""
    speakers = list(dict.fromkeys(speaker for speaker, _ in spoken))
    if any(roles[s] == INTERVIEWER for s in speakers) or len(speakers) < 2:
        return None, None
    turns: dict[str, list[str]] = defaultdict(list)
    asks: dict[str, list[bool]] = defaultdict(list)
    sizes: dict[str, list[int]] = defaultdict(list)
    for speaker, words in spoken:
        turns[speaker].append(words)
        asks[speaker].append(is_question(words))
        sizes[speaker].append(len(words.split()))
    candidates = [s for s in speakers if not is_participant_label(s, told)]
    evidence = {s: (sum(asks[s]) / len(asks[s]), median(sizes[s])) for s in speakers}
    ranked = sorted((s for s in candidates if len(turns[s]) >= MIN_TURNS), key=lambda s: evidence[s][0], reverse=True)
    everyone = len(speakers)
    if ranked:
        chosen = ranked[0]
        share, words = evidence[chosen]
        rest_asks = [a for s in speakers if s != chosen for a in asks[s]]
        rest_share = sum(rest_asks) / len(rest_asks) if rest_asks else 0.0
        rest_words = median(n for s in speakers if s != chosen for n in sizes[s]) if rest_asks else 0
        runner_up = max((evidence[s][0] for s in ranked[1:] if sum(asks[s]) >= MIN_TURNS), default=0.0)
        asked = round(share * len(turns[chosen]))
        clear = share >= 0.25 and asked >= MIN_TURNS and share >= 2 * max(rest_share, runner_up)
        if clear and (words <= rest_words or share >= 3 * rest_share):
            return chosen, (f"no label names the interviewer; {chosen!r} read as the interviewer (asks in "
                           f"{share:.0%} of {len(turns[chosen])} turns, {words:g} words a turn, against {rest_share:.0%} "
                           f"and {rest_words:g} words for the others); use --interviewer to choose another")
    return None, (f"no label names the interviewer and no speaker clearly asks the questions; all {everyone} "
                   "speakers read as participants (their speech is coded); name the interviewer with --interviewer")


# Labels that name no one (a transcription service's numbered speakers): recurring across files says nothing.
GENERIC_LABEL = re.compile(r"(?:(?:speaker|spk|s|person|voice|unknown|unidentified)\s*[-_#]?\s*)?(?:\d+|[a-z])?",
                           re.IGNORECASE)


def recurring_interviewers(transcripts: Sequence[Transcript]) -> tuple[list[Transcript], dict[str, str]]:
    """Return the transcripts with the study's own interviewers found across files, and a note per changed file.

    In a study read together (three files or more), the person who speaks in (nearly) every transcript while
    the others each speak in one is the one running the interviews: an interviewer called by name, podcast
    hosts with a guest, a focus-group moderator. This applies only to a file where no interviewer was found
    (someone helping to run or record the session, ``helper_kind``, is not one), never to generic, participant or
    helpers' labels, and only when someone in the file is left to be the participant.
    """
    found = study_interviewers([speakers_of(t) for t in transcripts])
    out = [with_interviewers(t, found[t.id].names) if t.id in found else t for t in transcripts]
    return out, {id_: decided.note for id_, decided in found.items()}


class StudyInterviewers(NamedTuple):
    """The study's own interviewers found in one transcript across files, the note saying so, and the file."""

    names: tuple[str, ...]
    note: str
    source: str


@dataclass(frozen=True)
class Speakers:
    """What the study-wide look at interviewers needs of one transcript (so a corpus streamed file by file
    can be looked at without keeping its text): its id and source, its speakers in order of first turn,
    and whether an interviewer was found in it."""

    id: str
    source: str
    speakers: tuple[str, ...]
    has_interviewer: bool


def speakers_of(transcript: Transcript) -> Speakers:
    """Return who speaks in a transcript, for ``study_interviewers``."""
    return Speakers(transcript.id, transcript.source, tuple(dict.fromkeys(turn.speaker for turn in transcript.turns)),
                    any(turn.role == INTERVIEWER and helper_kind(turn.speaker) is None for turn in transcript.turns))


def with_interviewers(transcript: Transcript, names: Iterable[str]) -> Transcript:
    """Return the transcript with the named speakers' turns read as the interviewer's."""
    names = set(names)
    return replace(transcript, turns=tuple(replace(turn, role=INTERVIEWER) if turn.speaker in names else turn
                                           for turn in transcript.turns))


def study_interviewers(study: Sequence[Speakers]) -> dict[str, StudyInterviewers]:
    """Return, per transcript id, the study's own interviewers found in it across files (see
    ``recurring_interviewers``) and the note saying so; transcripts left as they are have no entry."""
    if len(study) < 3:
        return {}
    files_of = Counter(s for t in study for s in t.speakers)
    need = max(3, math.ceil(2 * len(study) / 3))
    found: dict[str, StudyInterviewers] = {}
    for transcript in study:
        speakers = [s for s in transcript.speakers if helper_kind(s) is None]  # a helper's role is decided already
        recurring = tuple(s for s in speakers if files_of[s] >= need and not is_participant_label(s, set())
                          and not GENERIC_LABEL.fullmatch(s.strip()))
        others = [s for s in speakers if s not in recurring]
        if transcript.has_interviewer or not recurring or not others or any(files_of[s] > 1 for s in others):
            continue
        who = " and ".join(repr(s) for s in recurring)
        counts = {files_of[s] for s in recurring}
        where = f"{min(counts)} of {len(study)}" if len(counts) == 1 else f"at least {min(counts)} of {len(study)}"
        found[transcript.id] = StudyInterviewers(recurring, (
            f"{transcript.source}: read with the other transcripts, {who} "
            f"{'speaks' if len(recurring) == 1 else 'speak'} in {where} transcripts while the others speak in this "
            "one only, so "
            f"{'is' if len(recurring) == 1 else 'are'} read as the interviewer{'' if len(recurring) == 1 else 's'} "
            "(this replaces the note that everyone is a participant); use --interviewer to choose another"),
            transcript.source)
    return found
