"""Property: whatever the label style, cover block and casing, every word of speech lands in exactly one
turn, of the right speaker and role (issue 16)."""

from __future__ import annotations

import warnings

from hypothesis import HealthCheck, given, settings, strategies as st

from qualkit.readers import read_transcript
from qualkit.transcript import INTERVIEWER, PARTICIPANT

ASKERS = ["Interviewer", "I", "Int.", "Q", "Moderator", "Researcher"]
ANSWERERS = ["Participant", "Respondent", "P07", "Sam Lee", "Interviewee", "R"]
STYLES = ["{label}: ", "**{label}:** ", "{label}:\t", "[00:0{n}:1{n}] {label}: ", "{label} (0{n}:2{n}) - ",
          "{label} - ", "# {label}: ", "{label} / Leeds: "]
WORDS = st.sampled_from("we went to the clinic every week and it was fine most days nurse bus money "
                        "time people felt alone help sometimes never quite".split())
COVER_LINES = ["Project: Clinics", "Date: 3 May 2019", "Interviewer: Jane Smith", "Duration: 40 min", "Place: Leeds",
               "Persons present: Jane Smith, Bob Jones", "Transcriber: A. Clerk", "Location: the day centre",
               "Interviewee: Bob Jones"]


def cased(label: str, casing: str) -> str:
    if casing == "upper":
        return label.upper()
    if casing == "lower" and " " not in label:
        return label.lower()
    return label


@st.composite
def transcripts(draw):
    asker, answerer = draw(st.sampled_from(ASKERS)), draw(st.sampled_from(ANSWERERS))
    casing = draw(st.sampled_from(["as is", "upper", "lower"]))
    style = draw(st.sampled_from(STYLES))
    blank = draw(st.sampled_from(["\n", "\n\n"]))
    cover = draw(st.lists(st.sampled_from(COVER_LINES), unique=True, max_size=5))
    if cover and all(line.startswith(("Interviewer:", "Interviewee:")) for line in cover):
        cover.append("Date: 1 June 2020")  # a cover names more than who took part
    spoken = []
    for number in range(draw(st.integers(2, 6)) * 2):
        words = draw(st.lists(WORDS, min_size=1, max_size=12))
        text = " ".join(words) + ("?" if number % 2 == 0 else ".")
        if len(words) > 6 and draw(st.booleans()):
            cut = text.index(" ", len(text) // 2)
            text = text[:cut] + "\n" + text[cut + 1:]  # a hard-wrapped line
        spoken.append((INTERVIEWER if number % 2 == 0 else PARTICIPANT, number % 2, text))
    labels = [cased(asker, casing), cased(answerer, casing)]
    body = blank.join(style.format(label=labels[who], n=n % 10) + text for n, (_, who, text) in enumerate(spoken))
    title = draw(st.sampled_from(["", "Interview 7\n\n", "# Transcript\n\n"]))
    return title + ("\n".join(cover) + "\n\n" if cover else "") + body + "\n", spoken, labels, style


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(transcripts())
def test_every_word_of_speech_lands_in_one_turn_of_the_right_speaker(tmp_path, case):
    text, spoken, labels, style = case
    cover = text.split(style.format(label=labels[0], n=0) + spoken[0][2], 1)[0]  # not at a cover line's own label
    path = tmp_path / "generated.txt"
    path.write_text(text, encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        transcript = read_transcript(path)
    assert len(transcript.turns) == len(spoken), (style, labels)
    for turn, (role, who, words) in zip(transcript.turns, spoken):
        assert transcript.turn_text(turn).split() == words.split(), (style, labels)
        assert turn.role == role, (style, labels, turn.speaker)
        assert turn.speaker.casefold().startswith(labels[who].casefold()), (style, labels)
    assert all(word not in " ".join(transcript.turn_text(t) for t in transcript.turns) for word in ("Clinics", "Leeds"))
    assert len(transcript.attributes) == cover.count(": ") - cover.count("\n# ")
