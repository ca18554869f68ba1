"""Someone helping to run a session (an assistant moderator, a co-facilitator, a research assistant) or recording
it (a transcriber, a note taker, an observer, an interpreter) is not a participant: read as the interviewer's side,
with a warning naming the file and the label; the user's labels still win."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from qualkit.codebook import parse_codebook
from qualkit.coding import Coder
from qualkit.compare import Participants
from qualkit.readers import (
    ReadOptions, helper_kind, names_no_participant, read_transcripts, read_transcripts_report,
)
from qualkit.transcript import INTERVIEWER, PARTICIPANT
from tests.test_readers_support import read_warned as read

HELPERS = Path(__file__).resolve().parent / "fixtures" / "roles_helpers"
GENNOVATE = Path(__file__).resolve().parent.parent / "benchmarks" / "fixtures" / "gennovate" / "transcripts"
I, P = INTERVIEWER, PARTICIPANT


def roles(transcript):
    return dict((t.speaker, t.role) for t in transcript.turns)


def test_a_focus_groups_helpers_are_the_interviewer_side_and_warned_of_by_file_and_label():
    transcript, messages = read(HELPERS / "focus_group.txt")
    assert roles(transcript) == {"Moderator": I, "Ann": P, "Bob": P, "Assistant Moderator": I, "Transcriber": I,
                                 "Co-facilitator": I, "Cat": P, "Observer": I}
    assert messages == [
        f"{HELPERS / 'focus_group.txt'}: 'Assistant Moderator' and 'Co-facilitator' help to run the session and "
        "'Transcriber' and 'Observer' record it: read as the interviewer, not participants (their speech is not "
        "coded); map a label to a participant's name in an alias file if it names one"]


def test_a_helpers_words_are_neither_coded_nor_a_participant(nlp):
    transcript, _ = read(HELPERS / "focus_group.txt")
    book = parse_codebook("name: t\nthemes:\n  - name: Care\n    codes:\n      - id: er\n        name: Emergency room\n"
                          "        patterns: [emergency room]\n")
    coded = [(s.speaker, s.text) for s in Coder(book, nlp).code([transcript])]
    assert coded == [("Bob", "Well, after eight there is nowhere to go except the emergency room."),
                     ("Cat", "Yes, my mother waited four hours in the emergency room last winter.")]
    assert Participants.of([transcript]).people("focus_group") == (
        "focus_group: Ann", "focus_group: Bob", "focus_group: Cat")


def test_helper_labels_used_once_are_read_as_labels_and_numbered_facilitators_are_interviewers():
    transcript, messages = read(HELPERS / "numbered_and_once.txt")
    assert [(t.speaker, t.role) for t in transcript.turns] == [
        ("Facilitator", I), ("Participant 1", P), ("Research assistant", I), ("Participant 2", P), ("Note taker", I),
        ("Facilitator 2", I), ("Participant 1", P), ("Interpreter", I), ("Participant 2", P)]
    assert transcript.turn_text(transcript.turns[3]) == "About twenty minutes by bus, sometimes more."
    assert messages == [
        f"{HELPERS / 'numbered_and_once.txt'}: 'Research assistant' helps to run the session and 'Note taker' and "
        "'Interpreter' record it: read as the interviewer, not participants (their speech is not coded); map a label "
        "to a participant's name in an alias file if it names one"]


def test_the_interviewer_is_still_found_among_the_others_when_a_transcriber_speaks():
    transcript, messages = read(HELPERS / "no_interviewer_label.txt")
    assert roles(transcript) == {"Sarah": I, "John": P, "Transcriber": I}
    assert messages == [
        f"{HELPERS / 'no_interviewer_label.txt'}: 'Transcriber' records the session: read as the interviewer, not a "
        "participant (its speech is not coded); map the label to a participant's name in an alias file if it names "
        "one; no label names the interviewer; 'Sarah' read as the interviewer (asks in 100% of 4 turns, 7.5 words a "
        "turn, against 0% and 10 words for the others); use --interviewer to choose another"]


def test_a_participant_with_an_interpreter_is_the_one_participant_and_no_one_is_asked_to_name_an_interviewer():
    transcript, messages = read(HELPERS / "interpreted.txt")
    assert roles(transcript) == {"Participant": P, "Interpreter": I}
    assert messages == [f"{HELPERS / 'interpreted.txt'}: 'Interpreter' records the session: read as the interviewer, "
                        "not a participant (its speech is not coded); map the label to a participant's name in an "
                        "alias file if it names one"]


@pytest.mark.parametrize("options", [
    ReadOptions(interviewer_labels=("Moderator", "Transcriber", "Observer", "Assistant Moderator", "Co-facilitator")),
    ReadOptions(interviewer_labels=("Moderator", "Assistant Moderator", "Co-facilitator", "Transcriber", "Observer",
                                    "Ann")),
])
def test_the_users_interviewer_labels_win_and_are_not_warned_of(options):
    transcript, messages = read(HELPERS / "focus_group.txt", options)
    named = {label.casefold() for label in options.interviewer_labels}
    assert roles(transcript) == {s: I if s.casefold() in named else P for s in roles(transcript)}
    assert messages == []


def test_a_helper_label_mapped_to_a_participants_name_is_that_participant():
    transcript, messages = read(HELPERS / "interpreted.txt", ReadOptions(aliases={"Interpreter": "Amina"}))
    assert roles(transcript) == {"Participant": P, "Amina": P}
    assert not any("records the session" in m for m in messages)


def test_a_study_read_together_finds_its_interviewer_beside_an_observer_in_every_file():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        transcripts = read_transcripts([HELPERS / "study"])
    assert [roles(t) for t in transcripts] == [{"Dan": I, f"Carer{n}": P, "Observer": I} for n in (1, 2, 3)]
    notes = [str(w.message) for w in caught if "read with the other transcripts" in str(w.message)]
    assert notes == [f"{HELPERS / 'study' / f'family{n}.txt'}: read with the other transcripts, 'Dan' speaks in 3 of 3 "
                     "transcripts while the others speak in this one only, so is read as the interviewer (this replaces "
                     "the note that everyone is a participant); use --interviewer to choose another" for n in (1, 2, 3)]


@pytest.mark.parametrize("label, kind", [
    ("Assistant Moderator", "runs"), ("Asst. Moderator", "runs"), ("Co-facilitator", "runs"), ("Cofacilitator", "runs"),
    ("Second moderator", "runs"), ("2nd Moderator", "runs"), ("Research assistant 2", "runs"),
    ("Moderator's assistant", "runs"), ("Transcriber", "records"), ("[Transcriber's note]", "records"),
    ("Note taker", "records"), ("Note-taker", "records"), ("Notes", "records"), ("Observer 2", "records"),
    ("Interpreter (Somali)", "records"), ("Translator", "records"),
    ("Moderator", None), ("Facilitator 2", None), ("Interviewer 2", None), ("Participant", None),
    ("Participant (interpreter)", None), ("Jane (observer)", None), ("Noted", None), ("Anna", None), ("RA", None),
])
def test_helper_labels(label, kind):
    assert helper_kind(label) == kind


def test_compare_counts_people_with_the_readers_one_list():
    from qualkit import compare

    assert compare.names_no_participant is names_no_participant
    assert names_no_participant("All") and names_no_participant("Transcriber") and not names_no_participant("Anna")


def test_gennovate_focus_groups_read_without_their_study_labels_leave_the_transcribers_summaries_uncoded():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        transcripts = read_transcripts([GENNOVATE])
    assert {t.id: roles(t) for t in transcripts} == {
        name: {"Moderator": I, "Transcriber": I, "Participant": P} for name in ("BD3E_F", "ET1E_F", "ET1E_M")}
    assert sorted(str(w.message) for w in caught) == [
        f"{GENNOVATE / name}.txt: 'Transcriber' records the session: read as the interviewer, not a participant (its "
        "speech is not coded); map the label to a participant's name in an alias file if it names one"
        for name in ("BD3E_F", "ET1E_F", "ET1E_M")]
    transcriber = [t.turn_text(turn) for t in transcripts for turn in t.turns if turn.speaker == "Transcriber"]
    spoken = [t.turn_text(turn) for t in transcripts for turn in t.participant_turns()]
    assert len(transcriber) == 65 and "“Ladder of Power and Freedom” Total: 11 Votes" in transcriber
    assert not set(transcriber) & set(spoken)


def test_gennovate_read_with_its_study_labels_is_not_warned_of():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        transcripts = read_transcripts([GENNOVATE], ReadOptions(interviewer_labels=("Moderator", "Transcriber")))
    assert all(roles(t) == {"Moderator": I, "Transcriber": I, "Participant": P} for t in transcripts)
    assert [str(w.message) for w in caught] == []


@pytest.mark.parametrize("folder", ["pdpilot/transcripts", "serdif/transcripts", "metamuse/edited", "exports/vtt",
                                    "exports/txt", "exports/docx"])
def test_real_transcripts_without_helpers_are_read_as_before(shared_data, folder):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = read_transcripts_report([shared_data / folder], skip_bad=True)
    assert not any(helper_kind(t.speaker) for transcript in result.transcripts for t in transcript.turns)
    assert not [w for w in caught if "run the session" in str(w.message) or "the session:" in str(w.message)]
