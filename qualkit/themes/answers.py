"""What a participant's sentence answers: its whole answer and the question before it, read across the
interviewer's back-channels (``Mm-hmm.``, ``Okay.``), which neither ask anything nor end an answer."""

from __future__ import annotations

from typing import Sequence

from qualkit.readers import RECORDS, helper_kind
from qualkit.segments import Unit
from qualkit.themes.model import INTERVIEW_STOP_WORDS
from qualkit.themes.quotes import content_words
from qualkit.transcript import INTERVIEWER, Transcript

# Measured (bench_themes.py, mean of seeds 0-4, F1 / P@5): an answer joined across back-channels, with the
# question before it, moved PDPilot (the interviewer says "Right.", "Okay.", "Got it." mid-answer: 206 of 1,480
# sentences saw a back-channel as their question) from .330 / .583 to .344 / .616, its held-out halves from
# .377 / .571 to .398 / .654, its second-level codes from .205 / .468 to .205 / .456; serdif (77 of 3,515
# sentences changed) from .319 / .680 to .323 / .648 (one quote of 25), halves .308 / .644 to .309 / .590,
# second level .231 / .360 to .232 / .357.
# Someone recording the session (a transcriber's summary, a note taker) asks nothing: the question before an
# answer is the last turn of the interviewer or someone helping to run the session. On the GENNOVATE focus
# groups, whose transcriber summarises each vote ("Respondents cast a total of 10 votes"), F1 / P@5 went from
# .325 / .259 to .355 / .357 (second-level codes .337 / .500 to .352 / .412); studies without such a speaker
# are unchanged.
AnswerKey = tuple[str, int]


def is_back_channel(text: str) -> bool:
    """Return whether an interviewer's turn only keeps the talk going (``Mhm.``, ``Okay. Yeah.``): it asks
    nothing (no question mark: ``Anything else?`` is a question) and has no word of its own beyond fillers,
    acknowledgements and transcribers' notes."""
    return "?" not in text and not content_words(text, INTERVIEW_STOP_WORDS)


def answer_starts(transcript: Transcript) -> list[int]:
    """Return, per turn, the first turn of the answer it belongs to: a participant's turns separated only
    by the interviewer's back-channels are one answer (``P: ... I: Mhm. P: ...``); any other turn starts
    its own."""
    turns = transcript.turns
    starts = list(range(len(turns)))
    for i in range(2, len(turns)):
        before, between, turn = turns[i - 2], turns[i - 1], turns[i]
        if (turn.role != INTERVIEWER and before.role != INTERVIEWER and between.role == INTERVIEWER
                and turn.speaker == before.speaker and is_back_channel(transcript.turn_text(between))):
            starts[i] = starts[i - 2]
    return starts


def answer_contexts(units: Sequence[Unit], transcripts: Sequence[Transcript]
                    ) -> tuple[list[str], list[str], list[AnswerKey]]:
    """Return, per unit, the text of its answer (its speaker's turns joined across back-channels), the
    interviewer's question before that answer (the last interviewer turn that is not a back-channel, else
    the last one; never a turn of someone recording the session, such as a transcriber's summary) and the
    answer's key (transcript, first turn)."""
    by_id = {t.id: t for t in transcripts}
    found: dict[AnswerKey, tuple[str, str]] = {}
    starts: dict[str, list[int]] = {}
    answers, questions, keys = [], [], []
    for unit in units:
        transcript = by_id.get(unit.transcript)
        if transcript is None or unit.turn >= len(transcript.turns):
            answers.append("")
            questions.append("")
            keys.append((unit.transcript, unit.turn))
            continue
        if transcript.id not in starts:
            starts[transcript.id] = answer_starts(transcript)
        first = starts[transcript.id][unit.turn]
        key = (unit.transcript, first)
        if key not in found:
            found[key] = (_answer_text(transcript, starts[transcript.id], first), _question(transcript, first))
        answers.append(found[key][0])
        questions.append(found[key][1])
        keys.append(key)
    return answers, questions, keys


def _answer_text(transcript: Transcript, starts: list[int], first: int) -> str:
    speaker = transcript.turns[first].speaker
    return " ".join(transcript.turn_text(turn) for turn, start in zip(transcript.turns[first:], starts[first:])
                    if start == first and turn.speaker == speaker)


def _question(transcript: Transcript, first: int) -> str:
    last = ""
    for turn in reversed(transcript.turns[:first]):
        if turn.role == INTERVIEWER and helper_kind(turn.speaker) != RECORDS:
            text = transcript.turn_text(turn)
            if not is_back_channel(text):
                return text
            last = last or text
    return last
