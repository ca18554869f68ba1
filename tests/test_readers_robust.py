"""Plain-text transcripts in layouts the other reader tests do not hold: bracketed speaker labels beside bracketed
transcriber's marks, timestamps and decorations around labels, turns run together on one line, caption cues and
numbered lines in a .txt, names alone above their words, documents that are no interview."""

from __future__ import annotations

import pytest

from qualkit.readers import read_transcript
from qualkit.transcript import INTERVIEWER, PARTICIPANT
from tests.test_readers_support import ROBUST, read_said as read

I, P = INTERVIEWER, PARTICIPANT


def turns(transcript):
    return [(t.speaker, t.role, transcript.turn_text(t)) for t in transcript.turns]


# Square-bracket labels: [Interviewer] / [P03]: / [Health Trainer 2], never [laughs] or [inaudible 00:12:03].

def test_bracketed_role_labels_are_speakers_and_marks_inside_turns_stay_text():
    transcript, messages = read(ROBUST / "brackets_roles.txt")
    assert turns(transcript) == [
        ("Interviewer", I, "So how did you first hear about the service?"),
        ("P03", P, "I think it was my GP. [laughs] He said it would help."),
        ("Interviewer", I, "And what happened next?"),
        ("P03", P, "Well, I rang them up.\n[inaudible 00:12:03] and then they sent a letter."),
        ("Interviewer", I, "Did that work for you?"),
        ("P03", P, "Yes. [pause] Mostly.\n[crosstalk]"),
        ("Interviewer", I, "Okay, thanks."),
    ]
    assert messages == ["line 1: bracketed line openings read as transcriber's marks inside turns, not speakers: "
                        "[crosstalk] (lower case, unlike the labels)"]


def test_a_bracketed_label_with_a_colon_need_not_name_a_role_and_the_asker_is_said():
    transcript, messages = read(ROBUST / "brackets_colon.txt")
    assert [(s, r) for s, r, _ in turns(transcript)] == [("Health Trainer 2", I), ("P03", P)] * 3
    assert transcript.turn_text(transcript.turns[1]) == "I think I mostly walk. [laughs]\n[redacted] told me to walk more."
    assert transcript.turn_text(transcript.turns[3]) == "[name] did, at the surgery."
    assert messages[:2] == [
        "line 1: bracketed label [Health Trainer 2] read as a speaker (recurring at line starts like the labels, "
        "though naming no role or id); if it is a transcriber's mark, map it to the speaker it interrupts in an alias file",
        "line 1: bracketed line openings read as transcriber's marks inside turns, not speakers: "
        "[redacted] (lower case, unlike the labels)"]
    assert messages[2].startswith("no label names the interviewer; 'Health Trainer 2' read as the interviewer")


def test_a_capitalised_mark_that_also_sits_inside_speech_is_not_a_speaker():
    transcript, messages = read(ROBUST / "brackets_names.txt")
    assert transcript.speakers() == ("Sam", "Alex")
    assert transcript.turn_text(transcript.turns[3]) == "The waiting lists, honestly.\n[Laughs] Sorry, it's not funny."
    assert transcript.turn_text(transcript.turns[5]) == "The people.\n[Inaudible] and the team."
    assert messages[0] == ("line 1: bracketed line openings read as transcriber's marks inside turns, not speakers: "
                           "[Laughs] (also used inside speech); [Inaudible] (the words after it continue a sentence)")


def test_bracketed_labels_on_their_own_line_and_a_mark_inside_a_paragraph():
    transcript, messages = read(ROBUST / "brackets_own_line.txt")
    assert turns(transcript) == [
        ("Interviewer", I, "So how long have you been a link worker?"),
        ("Participant", P, "About two years.\n[Pause]\nFeels longer."),
        ("Interviewer", I, "What is the hardest part?"),
        ("Participant", P, "The waiting lists, honestly."),
    ]
    assert messages == ["line 1: bracketed line openings read as transcriber's marks inside turns, not speakers: "
                        "[Pause] (inside a paragraph, where the labels open paragraphs)"]


def test_bracketed_marks_in_a_file_whose_labels_have_colons_stay_text():
    transcript, messages = read(ROBUST / "colon_labels_bracket_marks.txt")
    assert transcript.speakers() == ("Interviewer", "Participant")
    assert transcript.turn_text(transcript.turns[1]) == "About two years.\n[Laughs] Feels longer, really."
    assert messages == []


@pytest.mark.parametrize("line", ["[Laughs] so anyway.", "[inaudible] it was fine.", "[Crosstalk]"])
def test_a_bracketed_mark_never_becomes_a_speaker_in_a_bracket_labelled_file(tmp_path, line):
    path = tmp_path / "t.txt"
    path.write_text(f"[Interviewer] How was it?\n[P1] Good.\n{line}\n[Interviewer] Why?\n[P1] Quick.\n{line}\n"
                    "[Interviewer] Thanks.\n", encoding="utf-8")
    transcript, _ = read(path)
    assert transcript.speakers() == ("Interviewer", "P1")
    assert transcript.turn_text(transcript.turns[1]) == f"Good.\n{line}"


def test_a_capitalised_mark_opening_sentences_is_read_as_a_speaker_and_said(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("[Interviewer] How was it?\n[P1] Good.\n[Laughs] So anyway.\n[Interviewer] Why?\n[P1] Quick.\n"
                    "[Laughs] Yes.\n[Interviewer] Thanks.\n", encoding="utf-8")
    transcript, messages = read(path)
    assert transcript.speakers() == ("Interviewer", "P1", "Laughs")
    assert messages == ["line 1: bracketed label [Laughs] read as a speaker (recurring at line starts like the labels, "
                        "though naming no role or id); if it is a transcriber's mark, map it to the speaker it "
                        "interrupts in an alias file"]


# Where a timestamp sits, the spaces and colons a label is written with, line endings and letter case.

TIMED = [("Interviewer", I, "00:01:02", "How long have you worked here?"), ("Participant", P, "00:01:10", "About six years now."),
         ("Interviewer", I, "00:01:30", "And what changed?"), ("Participant", P, "00:01:35", "The targets mostly.")]


@pytest.mark.parametrize("name", ["time_bracket_after_label.txt", "time_bare_before_label.txt",
                                  "time_paren_before_label.txt", "time_after_colon.txt"])
def test_a_timestamp_before_or_after_the_label_is_the_turns_time_not_speech(name):
    transcript, messages = read(ROBUST / name)
    assert [(t.speaker, t.role, t.timestamp, transcript.turn_text(t)) for t in transcript.turns] == TIMED
    assert messages == []


def test_a_timestamp_in_parentheses_after_the_label_already_read():
    transcript, messages = read(ROBUST / "time_paren_after_label.txt")
    assert [(t.speaker, t.timestamp) for t in transcript.turns][:2] == [("Interviewer", "00:01:02"), ("Participant", "00:01:10")]
    assert messages == []


@pytest.mark.parametrize("name, first, second", [
    ("no_break_space.txt", "Interviewer", "Participant"),    # Word puts a no-break space after the colon
    ("fullwidth_colon.txt", "Interviewer", "Participant"),   # a full-width colon (CJK input)
    ("space_before_colon.txt", "Interviewer", "Participant"),  # ``Interviewer :`` and a tab before the colon
    ("bom_crlf_upper.txt", "INTERVIEWER", "RESPONDENT"),     # byte-order mark, CRLF, capitals
    ("cr_only.txt", "Interviewer", "Participant"),           # old Mac line endings
    ("mixed_case.txt", "INTERVIEWER", "Participant"),        # INTERVIEWER / Interviewer / interviewer: one speaker
])
def test_labels_written_with_other_spaces_colons_line_ends_and_case(name, first, second):
    transcript, messages = read(ROBUST / name)
    assert [(t.speaker, t.role) for t in transcript.turns][:4] == [(first, I), (second, P), (first, I), (second, P)]
    assert transcript.turn_text(transcript.turns[0]) == "How are you?"
    assert all(not transcript.turn_text(t).startswith((":", "\xa0", "：")) for t in transcript.turns)
    assert messages == []


def test_a_turn_whose_time_was_left_out_is_still_a_turn_of_its_speaker():
    transcript, messages = read(ROBUST / "one_time_missing.txt")
    assert [(t.speaker, t.timestamp, transcript.turn_text(t)) for t in transcript.turns] == [
        ("Interviewer", "00:01", "How was it?"), ("Participant", "00:05", "Fine."), ("Interviewer", "00:09", "Why?"),
        ("Participant", None, "Staff."), ("Interviewer", "00:15", "Ok.")]
    assert messages == []


@pytest.mark.parametrize("name", ["no_space_after_colon.txt", "one_label_without_space.txt"])
def test_a_label_with_its_speech_right_after_the_colon(name):
    transcript, messages = read(ROBUST / name)
    assert [(t.speaker, t.role) for t in transcript.turns] == [("Interviewer", I), ("Participant", P)] * 2
    assert transcript.turn_text(transcript.turns[1]).startswith("Fine thanks")
    assert messages == []


def test_a_word_and_a_colon_without_a_space_inside_speech_stays_speech(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("Interviewer: When?\nParticipant: Early.\nRe:the letter, it came.\nInterviewer: Ok.\n"
                    "Participant: Yes.\n", encoding="utf-8")
    transcript, _ = read(path)
    assert transcript.turn_text(transcript.turns[1]) == "Early.\nRe:the letter, it came."


@pytest.mark.parametrize("name", ["otter_dash.txt", "otter_two_spaces.txt", "speaker_time_line.txt"])
def test_a_speaker_and_time_on_their_own_line_open_the_paragraph_below(name):
    transcript, _ = read(ROBUST / name)
    assert [(t.speaker, t.timestamp, transcript.turn_text(t)) for t in transcript.turns] == [
        ("Speaker 1", "00:00:05", "So tell me how you came to the service."),
        ("Speaker 2", "00:00:12", "My GP sent me, really." + (" I was not sure at first." if name != "otter_dash.txt" else "")),
        ("Speaker 1", "00:00:30", "What made you stay?"),
        ("Speaker 2", "00:00:33", "The people." + (" They listened." if name != "otter_dash.txt" else "")),
    ]


def test_a_file_holding_only_a_byte_order_mark_is_empty():
    from qualkit.errors import TranscriptError

    path = ROBUST / "bom_only.txt"
    with pytest.raises(TranscriptError) as error:
        read_transcript(path)
    assert str(error.value) == f"{path}: file is empty (only a byte-order mark or blank lines)"


# Turns run together on one line (a transcript pasted without its line breaks, a missed line break).

def test_a_whole_transcript_on_one_line_is_split_at_its_speakers_labels_and_said():
    transcript, messages = read(ROBUST / "one_line.txt")
    assert turns(transcript) == [
        ("Interviewer", I, "How are you?"),
        ("Participant", P, "Fine thanks, I went to the clinic. He said. Doctor: you need rest."),
        ("Interviewer", I, "Tell me about the clinic."),
        ("Participant", P, "It is good, mostly."),
    ]
    assert messages == ["3 turns start inside a line, after the end of a sentence (first: 'Participant' on line 1): "
                        "read as turns, as if the line broke there"]


def test_a_missed_line_break_is_split_but_a_word_before_a_colon_in_speech_is_not():
    transcript, messages = read(ROBUST / "missed_line_break.txt")
    assert [s for s, _, _ in turns(transcript)] == ["Interviewer", "Participant"] * 3
    assert transcript.turn_text(transcript.turns[2]) == "And the clinic?"
    assert transcript.turn_text(transcript.turns[3]) == "It is good, mostly. The nurse told me. Note: bring your card."
    assert messages == ["1 turn starts inside a line, after the end of a sentence (first: 'Interviewer' on line 2): "
                        "read as turns, as if the line broke there"]


# Caption cues in a .txt (a Teams transcript copied out, WebVTT without its header) and numbered lines.

def test_a_teams_transcript_copied_into_a_text_file_is_read_as_cues_and_said():
    transcript, messages = read(ROBUST / "teams_copied.txt")
    assert [(t.speaker, t.timestamp, t.end_timestamp, transcript.turn_text(t)) for t in transcript.turns] == [
        ("Jane Smith", "0:0:0.0", "0:0:5.120", "So tell me how you came to the service."),
        ("Bob Jones", "0:0:5.120", "0:0:9.800", "My GP sent me, really."),
        ("Jane Smith", "0:0:9.800", "0:0:12.0", "What made you stay?"),
        ("Bob Jones", "0:0:12.0", "0:0:15.0", "The people."),
    ]
    assert transcript.format == "cues"
    assert messages[0] == "read as 4 caption cues (a time range, then the words) with speakers from a speaker line " \
                          "under each time (2 speakers)"


def test_webvtt_cues_without_the_header_keep_their_voices():
    transcript, messages = read(ROBUST / "vtt_without_header.txt")
    assert [(t.speaker, transcript.turn_text(t)) for t in transcript.turns] == [
        ("Jane Smith", "So tell me how you came to the service."), ("Bob Jones", "My GP sent me, really.")]
    assert messages[0] == "read as 2 caption cues (a time range, then the words) with speakers from voices (<v Name>) (2 speakers)"


def test_cues_that_name_no_one_are_one_unknown_speaker_never_a_name_from_the_first_line():
    transcript, messages = read(ROBUST / "cues_without_names.txt")
    assert [(t.speaker, transcript.turn_text(t)) for t in transcript.turns] == [
        ("Unknown", "So tell me how you came to the service. My GP sent me, really.")]
    assert messages[0] == "read as 2 caption cues (a time range, then the words) that name no speaker: one speaker 'Unknown'"


def test_line_numbers_are_blanked_not_speech_or_labels_and_offsets_match_the_file():
    path = ROBUST / "line_numbers.txt"
    transcript, messages = read(path)
    assert [(t.speaker, t.role) for t in transcript.turns] == [("Interviewer", I), ("Participant", P)] * 2
    assert transcript.turn_text(transcript.turns[1]) == "About six years now, I started\n \tin the community team, then moved."
    source = path.read_text(encoding="utf-8")
    assert len(transcript.text) == len(source)
    assert all(source[t.start:t.end] == transcript.turn_text(t) for t in transcript.turns[:1])
    assert messages[0] == ("lines are numbered (1-6): the numbers are read as line numbers, not speech, and blanked with "
                           "spaces in the stored text (offsets still match the file)")


def test_numbers_opening_some_lines_of_speech_are_not_line_numbers(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("Interviewer: How many visits?\nParticipant: Well\n3 in May, then\n12 in June.\nInterviewer: Why?\n"
                    "Participant: Pain.\n", encoding="utf-8")
    transcript, messages = read(path)
    assert transcript.turn_text(transcript.turns[1]) == "Well\n3 in May, then\n12 in June."
    assert messages == []


# Role letters with a full stop or a parenthesis (Q. / A., Q) / A)), never a list's a) b) or a line's Dr. Jones.

@pytest.mark.parametrize("name", ["q_dot_a_dot.txt", "q_paren_a_paren.txt"])
def test_question_and_answer_letters_with_a_stop_or_parenthesis_are_labels(name):
    transcript, messages = read(ROBUST / name)
    assert [(t.speaker, t.role, transcript.turn_text(t)) for t in transcript.turns] == [
        ("Q", I, "How long have you worked here?"), ("A", P, "About six years now."),
        ("Q", I, "And what changed?"), ("A", P, "The targets mostly.")]
    assert messages == []


def test_list_letters_and_titles_opening_lines_of_speech_stay_speech():
    transcript, _ = read(ROBUST / "lists_in_speech.txt")
    assert transcript.speakers() == ("Interviewer", "Participant")
    assert transcript.turn_text(transcript.turns[3]) == ("Yes, another list.\na) parking is free.\nb) ask at the desk.\n"
                                                         "Dr. Jones signed it.\nDr. Jones is nice.")


def test_a_label_with_a_title_and_full_stop_before_its_colon_is_whole():
    transcript, _ = read(ROBUST / "titles_with_full_stops.txt")
    assert transcript.speakers() == ("Dr. Jones", "Mrs. Smith")


# A speaker's name alone on the line above their words (no colon, no time).

@pytest.mark.parametrize("name, first, second", [("names_on_own_line.txt", "Jane Smith", "Bob Jones"),
                                                 ("roles_on_own_line.txt", "INTERVIEWER", "PARTICIPANT")])
def test_a_name_alone_above_each_paragraph_is_its_speaker_and_said(name, first, second):
    transcript, messages = read(ROBUST / name)
    assert [t.speaker for t in transcript.turns] == [first, second] * 2
    assert transcript.turn_text(transcript.turns[1]).startswith("About six years now.")
    assert messages[0] == (f"line 1: speaker names stand alone on the line opening each paragraph ({first!r}, "
                           f"{second!r}): read as labels")


def test_a_title_line_over_paragraphs_is_not_a_speaker(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("Interview Notes\nWe met at the clinic.\n\nThe Clinic\nIt was busy.\n\nAfter Lunch\nWe left.\n",
                    encoding="utf-8")
    transcript, messages = read(path)
    assert [t.speaker for t in transcript.turns] == ["Participant"] * len(transcript.turns)
    assert not any("stand alone" in m for m in messages)


def test_a_tools_closing_line_is_not_the_last_speakers_speech_and_is_said():
    transcript, messages = read(ROBUST / "otter_footer.txt")
    assert [(t.speaker, transcript.turn_text(t)) for t in transcript.turns] == [
        ("Speaker 1", "So tell me about it."), ("Speaker 2", "It was fine.")]
    assert messages[0] == "the closing line 'Transcribed by https://otter.ai' is read as a tool's footer, not speech"


def test_a_last_paragraph_mentioning_a_website_in_a_sentence_stays_speech(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("Interviewer: Where can I read more?\nParticipant: The leaflet.\n\nSee www.nhs.uk for it.\n",
                    encoding="utf-8")
    transcript, messages = read(path)
    assert transcript.turn_text(transcript.turns[-1]) == "The leaflet.\n\nSee www.nhs.uk for it."
    assert messages == []


# Labels behind list bullets or caption chevrons, and labels whose parentheses hold a comma.

@pytest.mark.parametrize("name, second", [("bulleted_labels.md", "Participant"), ("chevron_labels.txt", "Participant"),
                                          ("label_with_comma_in_parentheses.txt", "P1 (female, 45)")])
def test_labels_behind_bullets_or_chevrons_and_with_commas_in_parentheses(name, second):
    transcript, messages = read(ROBUST / name)
    assert [(t.speaker, t.role, transcript.turn_text(t)) for t in transcript.turns] == [
        ("Interviewer", I, "How are you?"), (second, P, "Fine thanks."), ("Interviewer", I, "Why?"), (second, P, "Because.")]
    assert messages == []


# Documents that are no interview: a topic guide (questions without answers), one stray ``Word:`` label.

def test_a_topic_guide_is_not_a_transcript(tmp_path):
    from qualkit.errors import NotTranscriptError

    path = tmp_path / "guide.txt"
    path.write_text("Topic guide: link workers, wave 2\n\nIntroduction: thank the participant and explain the study.\n\n"
                    "How did you come to work as a link worker?\nWhat does a typical week look like for you?\n"
                    "How do you decide who to see first?\nWhat gets in the way of your work?\n"
                    "Is there anything else you would like to add?\n", encoding="utf-8")
    with pytest.raises(NotTranscriptError) as error:
        read_transcript(path)
    assert str(error.value) == (f"{path}: not a transcript: 5 of its 6 lines are questions with no answers between "
                                "them (a topic guide or questionnaire?), and it has no speaker labels")


def test_one_stray_word_before_a_colon_is_no_speaker_of_the_whole_text(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("We met at the clinic on Monday.\n\nBackground: the service opened in May.\n\n"
                    "I went twice and it helped a lot.\n", encoding="utf-8")
    transcript, messages = read(path)
    assert transcript.speakers() == ("Participant",)
    assert transcript.turn_text(transcript.turns[1]) == "Background: the service opened in May."
    assert messages[0].startswith("no speaker labels;")
