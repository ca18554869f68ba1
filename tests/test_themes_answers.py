"""What a sentence answers: its answer and question read across the interviewer's back-channels."""

from __future__ import annotations

import pytest

from qualkit.codebook import Codebook
from qualkit.coding import Coder, build_pipeline
from qualkit.readers import ReadOptions, read_transcripts
from qualkit.segments import Unit
from qualkit.themes import unit_contexts
from qualkit.themes.answers import is_back_channel
from qualkit.themes.suggest import _joined_turns
from tests.conftest import FIXTURES

ANSWERS = FIXTURES / "themes" / "answers"
BUS = ("The bus to the clinic is always late. So I wait at the bus stop for an hour. "
       "And the driver never waits.")


@pytest.fixture(scope="module")
def contexts():
    transcripts = read_transcripts([ANSWERS], ReadOptions(interviewer_labels=("Interviewer",)))
    units: list = []
    list(Coder(Codebook("none", "0", ()), build_pipeline()).code(transcripts, units))
    turns, questions = unit_contexts(units, transcripts)
    return {unit.text: (turn, question) for unit, turn, question in zip(units, turns, questions)}


@pytest.mark.parametrize("sentence", ["The bus to the clinic is always late.", "So I wait at the bus stop for an hour.",
                                      "And the driver never waits."])
def test_an_answer_goes_on_across_the_interviewers_back_channels(contexts, sentence):
    assert contexts[sentence] == (BUS, "How do you get to the clinic?")


def test_a_question_without_a_topic_word_still_ends_the_answer(contexts):
    assert contexts["The rent went up again."] == ("The rent went up again.", "Anything else?")
    assert contexts["Money is tight since the benefits were cut."] == (
        "Money is tight since the benefits were cut.", "Right, and money?")


@pytest.mark.parametrize(("text", "back_channel"), [
    ("Mhm.", True), ("Okay. Yeah. [laughs]", True), ("Yeah, right, okay, sure.", True),
    ("Anything else?", False), ("Yeah?", False), ("Okay, and the bus?", False), ("Interesting, the allotment.", False),
])
def test_a_back_channel_asks_nothing_and_says_nothing_of_its_own(text, back_channel):
    assert is_back_channel(text) is back_channel


def test_in_residual_mode_an_answers_context_is_its_uncoded_units_across_back_channels():
    units = [Unit("A", 1, "P", 0, 10, "x"), Unit("A", 3, "P", 30, 40, "y"), Unit("A", 5, "P", 50, 60, "z")]
    answers = [("A", 1), ("A", 1), ("A", 5)]
    assert _joined_turns(units, ["bus late", "bus stop", "rent"], answers) == ["bus late bus stop"] * 2 + ["rent"]


def test_a_transcribers_summary_is_never_the_question_an_answer_follows():
    """The question before an answer is the moderator's (or an assistant moderator's), never the summary of
    someone recording the session."""
    folder = FIXTURES / "themes" / "answers_recorded"
    with pytest.warns(UserWarning, match="'Transcriber' records it: read as the interviewer"):
        transcripts = read_transcripts([folder])
    units: list = []
    list(Coder(Codebook("none", "0", ()), build_pipeline()).code(transcripts, units))
    _, questions = unit_contexts(units, transcripts)
    asked = {unit.text: question for unit, question in zip(units, questions)}
    assert asked["We go to the advice centre near the market."] == "Where do you go when you need advice about money?"
    assert asked["My sister tells me what to do about the bills."] == "Where do you go when you need advice about money?"
    assert asked["The bank never lends to young women here."] == "And what about the bank?"
