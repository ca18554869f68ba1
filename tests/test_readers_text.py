"""Plain-text transcripts: the layouts researchers receive, encodings, front matter and bad files."""

from __future__ import annotations

import codecs
import warnings

import pytest

from qualkit.errors import TranscriptError
from qualkit.readers import ReadOptions, read_transcript
from qualkit.transcript import INTERVIEWER, PARTICIPANT
from tests.test_readers_support import FIXTURES, check_offsets, unaccounted


def turns(transcript):
    return [(t.speaker, transcript.turn_text(t)) for t in transcript.turns]


@pytest.mark.parametrize(
    "name, expected",
    [
        ("rev_timed.txt", [("Speaker 1", "00:00"), ("Speaker 2", "00:37"), ("Speaker 1", "01:02:03")]),
        ("dash_timed.txt", [("Adam Wiggins", "00:00:29"), ("Mark McGranaghan", "00:00:41"), ("Adam Wiggins", "00:00:42")]),
        ("bracket_time.txt", [("Interviewer", "00:00:05"), ("Respondent", "00:00:07"), ("Interviewer", "00:01:23")]),
        ("otter.txt", [("Jane Doe", "0:00"), ("Sam Lee", "0:12"), ("Jane Doe", "1:05")]),
        ("codes.txt", [("I", None), ("R", None), ("I", None), ("P07", None)]),
        ("tab_aligned.txt", [("Interviewer", None), ("Participant", None), ("Interviewer", None), ("Participant", None)]),
    ],
)
def test_layouts_give_speakers_and_times(name, expected):
    transcript = read_transcript(FIXTURES / name)
    assert [(t.speaker, t.timestamp) for t in transcript.turns] == expected
    check_offsets(transcript)
    assert unaccounted((FIXTURES / name).read_text(), transcript) == []


def test_wrapped_turn_keeps_its_lines_and_untimed_colon_words_stay_speech():
    transcript = read_transcript(FIXTURES / "dash_timed.txt")
    assert "Note: it is about the\nteam." in transcript.turn_text(transcript.turns[0])
    assert transcript.turn_text(transcript.turns[2]).endswith("side: we released linked cards.")


def test_otter_preamble_and_wrapped_paragraph():
    transcript = read_transcript(FIXTURES / "otter.txt")
    assert transcript.text[slice(*transcript.preamble)].strip() == "Team sync notes"
    assert transcript.turn_text(transcript.turns[0]) == "Okay, let's get going. First item is the\nroadmap."


def test_front_matter_gives_id_attributes_and_interviewer():
    transcript = read_transcript(FIXTURES / "front_matter.md")
    assert transcript.id == "LW07" and transcript.attributes == {"site": "Leeds"}
    assert [t.role for t in transcript.turns] == [INTERVIEWER, PARTICIPANT, INTERVIEWER, PARTICIPANT]
    assert transcript.text[slice(*transcript.preamble)].startswith("# Interview LW07")
    assert transcript.turn_text(transcript.turns[0]).endswith("how you\nfound the job?")


def test_tab_aligned_continuation_line_stays_in_turn():
    transcript = read_transcript(FIXTURES / "tab_aligned.txt")
    assert turns(transcript)[1] == ("Participant", "I start early, around six.\n\tThen I walk the dog.")


def test_zoom_saved_captions_merge_blocks_of_one_speaker():
    transcript = read_transcript(FIXTURES / "zoom_saved_captions.txt")
    assert transcript.format == "zoom-captions"
    assert turns(transcript) == [("Experimenter", "Hello! Um, so… We will wait for one more person."),
                                 ("G1P1", "Okay, that works. I can wait."), ("Experimenter", "Let us start.")]
    assert [t.timestamp for t in transcript.turns] == ["19:00:25", "19:00:48", "19:04:00"]


def test_webvtt_saved_as_txt_is_sniffed():
    with pytest.warns(UserWarning, match="content is vtt"):
        transcript = read_transcript(FIXTURES / "zoom_renamed.txt")
    assert transcript.format == "vtt"
    assert turns(transcript) == [("Anna Berg", "Hello everyone. Can you hear me?"), ("TOM HUNT", "Yes, fine.")]


BODY = "Interviewer: Caf\u00e9 first?\nParticipant: Yes \u2013 always.\n"


@pytest.mark.parametrize(
    "encoded",
    [
        BODY.encode("utf-8"),
        codecs.BOM_UTF8 + BODY.encode("utf-8"),
        BODY.encode("utf-16"),
        BODY.replace("\n", "\r\n").encode("utf-8"),
        BODY.replace("\n", "\r").encode("utf-8"),
    ],
    ids=["utf8", "utf8-bom", "utf16", "crlf", "cr"],
)
def test_encodings_and_line_endings(tmp_path, encoded):
    path = tmp_path / "enc.txt"
    path.write_bytes(encoded)
    transcript = read_transcript(path)
    assert turns(transcript) == [("Interviewer", "Caf\u00e9 first?"), ("Participant", "Yes \u2013 always.")]
    assert "\r" not in transcript.text


def test_windows_1252_is_read_with_a_warning_naming_the_file(tmp_path):
    path = tmp_path / "old.txt"
    path.write_bytes(BODY.encode("cp1252"))
    with pytest.warns(UserWarning, match=r"old\.txt, line \d+: not UTF-8; read as Windows-1252"):
        transcript = read_transcript(path)
    assert transcript.turn_text(transcript.turns[1]) == "Yes \u2013 always."


def test_a_utf8_file_with_a_stray_byte_keeps_its_curly_quotes_and_says_where(tmp_path):
    """One Windows-1252 byte pasted into a UTF-8 file (with its byte-order mark) must not turn every curly
    quote of the file into mojibake: the stray byte alone is replaced, and its line is named."""
    path = tmp_path / "mixed.txt"
    path.write_bytes(b"\xef\xbb\xbf" + "Interviewer: How\u2019s the group?\nSam: It\u2019s good \u2013 mostly.\n".encode("utf-8")
                     + b"Interviewer: And the caf\xe9?\nSam: Fine.\n")
    with pytest.warns(UserWarning, match=r"mixed\.txt, line 3: 1 byte not UTF-8 in a UTF-8 file; read with each "
                                         r"replaced by \ufffd"):
        transcript = read_transcript(path)
    assert [transcript.turn_text(t) for t in transcript.turns] == [
        "How\u2019s the group?", "It\u2019s good \u2013 mostly.", "And the caf\ufffd?", "Fine."]
    assert transcript.turns[0].speaker == "Interviewer"


@pytest.mark.parametrize(
    "name, message",
    [
        ("empty.txt", "empty.txt: file is empty"),
        ("binary.txt", "binary.txt: binary file, not a transcript"),
        ("notes.pages", "notes.pages: unknown transcript format '.pages'"),
        ("corrupt.docx", "corrupt.docx: corrupt .docx file"),
        ("missing.txt", "missing.txt: transcript file not found"),
    ],
)
def test_bad_files_raise_one_clear_error(name, message):
    with pytest.raises(TranscriptError) as error:
        read_transcript(FIXTURES / name)
    assert message in str(error.value)
    assert str(error.value).startswith(str(FIXTURES / name))


def test_alias_and_interviewer_options():
    options = ReadOptions(aliases={"speaker 1": "Host"}, interviewer_labels=("Host",))
    transcript = read_transcript(FIXTURES / "rev_timed.txt", options)
    assert [(t.speaker, t.role) for t in transcript.turns] == [
        ("Host", INTERVIEWER), ("Speaker 2", PARTICIPANT), ("Host", INTERVIEWER)]


def test_no_warning_for_plain_utf8():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_transcript(FIXTURES / "codes.txt")


def test_a_file_without_labels_is_read_not_refused():
    # Was refused with "no speaker turns found" before issue 16; unlabelled documents are now read, with a warning.
    with pytest.warns(UserWarning, match=r"no_turns\.txt: no speaker labels; no questions alternating with answers; "
                                         r"each of the 1 paragraphs read as a turn of one speaker, 'Participant'"):
        transcript = read_transcript(FIXTURES / "no_turns.txt")
    assert [(t.speaker, t.role) for t in transcript.turns] == [("Participant", PARTICIPANT)]
    assert transcript.turn_text(transcript.turns[0]).endswith("Nothing here is a speaker turn.")


def test_front_matter_dates_are_attributes_and_a_list_is_said_to_be_left_out(tmp_path):
    from qualkit.readers import read_transcript

    path = tmp_path / "D01.txt"
    path.write_text("---\nid: D01\ndate: 2026-02-17\nsite:\ntags: [a, b]\n---\nInterviewer: How was it?\nD01: Fine.\n",
                    encoding="utf-8")
    with pytest.warns(UserWarning) as caught:
        transcript = read_transcript(path)
    assert transcript.attributes["date"] == "2026-02-17"
    assert transcript.attributes["site"] == ""
    assert "tags" not in transcript.attributes
    assert f"{path}: front matter field 'tags' holds a list, not one value; not kept as an attribute" in [
        str(w.message) for w in caught]
