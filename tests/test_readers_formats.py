"""Captions, documents, JSON and utterance tables: each format's quirks on small shipped fixtures."""

from __future__ import annotations

import shutil

import pytest

from qualkit.errors import TranscriptError
from qualkit.readers import ReadOptions, load_aliases, read_many, read_transcript
from qualkit.transcript import INTERVIEWER
from tests.test_readers_support import FIXTURES, check_offsets


def turns(transcript):
    return [(t.speaker, transcript.turn_text(t)) for t in transcript.turns]


def test_rev_numeric_voices_carry_to_following_cues_and_keep_cue_times():
    transcript = read_transcript(FIXTURES / "rev_numeric.vtt")
    assert turns(transcript) == [
        ("Speaker 0", "I think the process is messy. And you need to let go a little."),
        ("Speaker 1", "Hello and welcome. Today we talk about tools."),
        ("Speaker 0", "Glad to be here."),
    ]
    assert [(t.timestamp, t.end_timestamp) for t in transcript.turns][0] == ("00:00:00.120", "00:00:04.590")
    check_offsets(transcript)


def test_teams_cue_ids_comma_names_wrapped_text_and_no_final_newline():
    transcript = read_transcript(FIXTURES / "teams.vtt")
    assert [t.speaker for t in transcript.turns] == ["Smith, Jane", "Okoro, Chidi"]
    assert " ".join(transcript.turn_text(transcript.turns[0]).split()) == (
        "Thanks for joining. I wanted to ask about the rollout. and the training.")


def test_noscribe_title_note_unclosed_voice_pause_and_overlap_marker():
    transcript = read_transcript(FIXTURES / "noscribe.vtt")
    assert turns(transcript) == [
        ("S00", "So, tell me about the move. (..)"),
        ("S01", "We moved in 2019 //S00: mhm // because of work."),
        ("S00", "Right, and then?"),
    ]
    assert "noScribe" not in transcript.text


def test_zoom_names_inside_cues_device_and_capitals():
    transcript = read_transcript(FIXTURES / "zoom.vtt")
    assert [t.speaker for t in transcript.turns] == ["Kai Moss", "Rita Paul\u2019s iPad", "JOHN DOE", "Kai Moss"]
    assert transcript.turn_text(transcript.turns[3]) == "Good. Thanks."


def test_captions_without_speakers_give_one_unknown_speaker_and_a_warning():
    with pytest.warns(UserWarning, match="no speaker names"):
        transcript = read_transcript(FIXTURES / "captions_only.vtt")
    assert transcript.speakers() == ("Unknown",) and len(transcript.turns) == 1


def test_srt_speakers_from_name_prefix_and_carried_cue():
    transcript = read_transcript(FIXTURES / "speakers.srt")
    assert [t.speaker for t in transcript.turns] == ["Nadia", "Omar", "Nadia"]
    assert transcript.turn_text(transcript.turns[1]).endswith("by the old harbour.")
    assert transcript.turns[1].end_timestamp == "00:00:08.000"


def test_typed_word_transcript_bold_surnames_lines_as_paragraphs_no_header_footer():
    transcript = read_transcript(FIXTURES / "typed_bold.docx")
    assert turns(transcript) == [
        ("Mercer", "Thank you for coming in today. Could you tell me about your first week?"),
        ("Okafor", "It was hard. I did not know anyone, and the building was confusing."),
        ("Mercer", "What helped?"),
        ("Okafor", "A colleague showed me around."),
    ]
    assert "Case 14" not in transcript.text and "Page 1" not in transcript.text
    assert transcript.text[slice(*transcript.preamble)].strip() == "Interview with participant 14, 3 March 2021"


def test_service_docx_tab_labels_and_table_of_turns_without_metadata_table():
    transcript = read_transcript(FIXTURES / "service_tab.docx")
    assert [t.speaker for t in transcript.turns] == ["Interviewer", "Respondent"] * 3
    assert transcript.turn_text(transcript.turns[-1]) == "Like losing a friend."
    assert "saved-by" not in transcript.text and "ACME" not in transcript.text
    assert transcript.turns[0].role == INTERVIEWER


def test_odt_bold_labels_and_continuation():
    transcript = read_transcript(FIXTURES / "bold_labels.odt")
    assert [t.speaker for t in transcript.turns] == ["Interviewer", "Ms Haddad"] * 2
    assert transcript.turn_text(transcript.turns[-1]) == "In the winter of 1969. She laughs and goes on about the cold."


def test_pdf_without_line_numbers_header_page_numbers_or_repeated_line():
    transcript = read_transcript(FIXTURES / "numbered.pdf")
    assert [t.speaker for t in transcript.turns] == ["Interviewer", "Respondent", "Interviewer", "Respondent",
                                                     "Interviewer"]
    assert transcript.turn_text(transcript.turns[1]) == (
        "In the spring of 2014. The water came up through the floor drains and we had to carry the boxes up "
        "to the first-floor bedroom.")
    assert "Harbour study" not in transcript.text and "Page" not in transcript.text


def test_pdf_of_coded_segments_is_refused():
    with pytest.raises(TranscriptError, match="not_transcript.pdf: a table of coded segments, not a transcript"):
        read_transcript(FIXTURES / "not_transcript.pdf")


def test_html_visible_text_bold_labels_no_script_comment_or_nav():
    transcript = read_transcript(FIXTURES / "transcript.html")
    assert turns(transcript) == [
        ("Interviewer", "How did you start cycling?"),
        ("Rosa", "My brother taught me.\nI was seven. It was on a gravel road."),
        ("Interviewer", "And now?"),
        ("Rosa", "Every day, to work."),
    ]
    assert "not speech" not in transcript.text and "Home" not in transcript.text


def test_reduct_json_words_and_timings():
    transcript = read_transcript(FIXTURES / "reduct_small.json")
    assert turns(transcript) == [("Mark", "It's very common."), ("Adam", "Hello Mark."), ("Adam", "Next topic.")]
    assert (transcript.turns[2].timestamp, transcript.turns[2].end_timestamp) == ("00:00:04.000", "00:01:05.250")


def test_csv_table_many_transcripts_continuing_speaker_initials_entities_and_notes():
    with pytest.warns(UserWarning, match=r"utterances.csv: the timestamp column holds notes.*row 4 '\(laughs\)'"):
        first, second = read_many(FIXTURES / "utterances.csv", ReadOptions(aliases={"DB": "Dana Brook"}))
    assert (first.id, second.id) == ("HT01", "HT02")
    assert turns(first) == [("Dana Brook", "Shall we begin?"),
                            ("Participant", "Yes & thanks for having me. I was nervous, though."),
                            ("Dana Brook", "That is normal.")]
    assert turns(second)[1] == ("Participant", "Glad to be here \u2013 again.")


def test_read_transcript_refuses_a_table_with_several_transcripts():
    with pytest.raises(TranscriptError, match=r"utterances.csv: holds 2 transcripts \(HT01, HT02\)"):
        with pytest.warns(UserWarning):
            read_transcript(FIXTURES / "utterances.csv")


def test_xlsx_table_with_named_columns():
    options = ReadOptions(columns={"transcript": "Interview", "speaker": "Who", "text": "Utterance", "timestamp": "Time"})
    first, second = read_many(FIXTURES / "utterances.xlsx", options)
    assert turns(first) == [("Interviewer", "Shall we start?"), ("Kim", "Yes. I am ready.")]
    assert second.turns[1].timestamp == "00:00:04"


def test_table_with_a_wrong_column_name_says_which_columns_exist():
    with pytest.raises(TranscriptError, match=r"utterances.xlsx: no text column 'Words' \(columns: Interview, Time, Who, Utterance\)"):
        read_many(FIXTURES / "utterances.xlsx", ReadOptions(columns={"text": "Words"}))


@pytest.mark.parametrize("name", ["aliases.yaml", "aliases.csv"])
def test_load_aliases(name):
    aliases = load_aliases(FIXTURES / "config" / name)
    expected = {"aliases.yaml": {"Speaker 1": "Dan", "Particpant": "Participant"},
                "aliases.csv": {"Speaker 2": "Participant", "DB": "Dana Brook"}}[name]
    assert aliases == expected


def test_load_aliases_bad_file(tmp_path):
    path = tmp_path / "aliases.yaml"
    path.write_text("- just\n- a list\n")
    with pytest.raises(TranscriptError, match="aliases.yaml: alias file must map labels to names"):
        load_aliases(path)


def test_docx_renamed_without_extension_change_is_sniffed(tmp_path):
    path = tmp_path / "interview.txt"
    shutil.copy(FIXTURES / "typed_bold.docx", path)
    with pytest.warns(UserWarning, match="content is docx"):
        assert read_transcript(path).format == "docx"
