"""Transcripts in layouts the other reader tests do not hold: bracketed speaker labels beside bracketed
transcriber's marks, labels run together on one line, tables of turns in any column order."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from qualkit.readers import read_transcript
from qualkit.transcript import INTERVIEWER, PARTICIPANT
from tests.test_readers_support import check_offsets

ROBUST = Path(__file__).resolve().parent / "fixtures" / "readers"
I, P = INTERVIEWER, PARTICIPANT


def read(path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        transcript = read_transcript(path)
    check_offsets(transcript)
    return transcript, [str(w.message).removeprefix(f"{path}").lstrip(":, ") for w in caught]


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
    assert "[laughs] (also used inside speech)" in messages[0]


def test_bracketed_labels_on_their_own_line_and_a_mark_inside_a_paragraph():
    transcript, messages = read(ROBUST / "brackets_own_line.txt")
    assert turns(transcript) == [
        ("Interviewer", I, "So how long have you been a link worker?"),
        ("Participant", P, "About two years.\n[Pause]\nFeels longer."),
        ("Interviewer", I, "What is the hardest part?"),
        ("Participant", P, "The waiting lists, honestly."),
    ]
    assert messages == ["line 1: bracketed line openings read as transcriber's marks inside turns, not speakers: "
                        "[pause] (inside a paragraph, where the labels open paragraphs)"]


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


# Word tables of turns: any column order, a header or none, a number column, one column, a merged title row.

QA = [("Interviewer", "How did you start?"), ("Participant", "Through a friend."), ("Interviewer", "And then?"),
      ("Participant", "I stayed.")]


def word_table(path, rows, merged_title=None):
    import docx

    document = docx.Document()
    table = document.add_table(rows=len(rows) + bool(merged_title), cols=len(rows[0]))
    if merged_title:
        title = table.cell(0, 0).merge(table.cell(0, len(rows[0]) - 1))
        title.text = merged_title
    for i, row in enumerate(rows, start=bool(merged_title)):
        for j, cell in enumerate(row):
            table.cell(i, j).text = cell
    document.save(path)
    return path


@pytest.mark.parametrize("rows", [
    [("Speaker", "Time", "Text")] + [(s, f"00:0{i}:00", x) for i, (s, x) in enumerate(QA)],
    [("#", "Time", "Speaker", "Text")] + [(str(i + 1), f"00:0{i}:00", s, x) for i, (s, x) in enumerate(QA)],
    [("Text", "Speaker", "Start")] + [(x, s, f"00:0{i}:00") for i, (s, x) in enumerate(QA)],
    [(s + ":", f"[00:0{i}:00]", x) for i, (s, x) in enumerate(QA)],
], ids=["speaker-time-text", "number-time-speaker-text", "text-speaker-start", "no-header-time-between"])
def test_a_word_table_of_turns_in_any_column_order(tmp_path, rows):
    transcript, messages = read(word_table(tmp_path / "t.docx", rows))
    assert [(t.speaker, t.role, t.timestamp, transcript.turn_text(t)) for t in transcript.turns] == [
        (s, I if s == "Interviewer" else P, f"00:0{i}:00", x) for i, (s, x) in enumerate(QA)]
    assert messages == []


def test_a_one_column_word_table_is_read_as_paragraphs_with_their_labels(tmp_path):
    transcript, messages = read(word_table(tmp_path / "t.docx", [(f"{s}: {x}",) for s, x in QA]))
    assert [(t.speaker, transcript.turn_text(t)) for t in transcript.turns] == QA
    assert messages == []


def test_a_merged_title_row_is_a_title_not_a_speaker(tmp_path):
    transcript, _ = read(word_table(tmp_path / "t.docx", [(s, x) for s, x in QA], merged_title="Interview 3, 12 May"))
    assert [(t.speaker, transcript.turn_text(t)) for t in transcript.turns] == QA
    assert transcript.text[slice(*transcript.preamble)].strip() == "Interview 3, 12 May"


def test_a_word_table_that_is_not_turns_is_left_out_and_said(tmp_path):
    import docx

    document = docx.Document()
    for s, x in QA:
        document.add_paragraph(f"{s}: {x}")
    table = document.add_table(rows=2, cols=3)
    for i, row in enumerate([("Code", "Count", "Share"), ("Access", "12", "40% of all")]):
        for j, cell in enumerate(row):
            table.cell(i, j).text = cell
    path = tmp_path / "t.docx"
    document.save(path)
    transcript, messages = read(path)
    assert [(t.speaker, transcript.turn_text(t)) for t in transcript.turns] == QA
    assert messages == ["table 1 (2 rows, 3 columns) is not a table of turns (a speaker and their words in each row); "
                        "its text is left out"]


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


# Survey tables: another delimiter, two columns of one name, rows wider than the header, a quote never closed.

def survey(name, text="comment", id_column="id"):
    from qualkit.readers import SurveyColumns, read_survey

    path = ROBUST / name
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        responses = [(t.id, t.text, dict(t.attributes)) for t in read_survey(path, SurveyColumns(text, id_column))]
    return responses, [str(w.message) for w in caught]


def test_a_semicolon_separated_csv_is_read_and_said():
    responses, messages = survey("survey_semicolons.csv")
    assert responses == [("1", "Too far, really", {"site": "Leeds"}), ("2", "Fine", {"site": "York"})]
    assert messages == [f"{ROBUST / 'survey_semicolons.csv'}: its header has no commas but semicolons; read as "
                        "separated by semicolons"]


def test_two_columns_of_one_name_are_both_kept_and_said():
    responses, messages = survey("survey_same_name.csv")
    assert responses[0] == ("1", "first", {"comment_2": "second", "site": "Leeds"})
    assert messages == [f"{ROBUST / 'survey_same_name.csv'}: columns share a name: 'comment' (column 3 read as "
                        "'comment_2')"]


def test_cells_past_the_header_are_said_not_dropped_silently():
    responses, messages = survey("survey_wide_rows.csv")
    assert responses == [("1", "Too far", {}), ("2", "Fine", {})]
    assert messages == [f"{ROBUST / 'survey_wide_rows.csv'}: 1 row holds more cells than the header's 2 columns "
                        "(row 2); the cells past column 2 are not kept"]


def test_a_quote_never_closed_is_an_error_naming_the_row_not_one_response_swallowing_the_rest():
    from qualkit.errors import TranscriptError

    with pytest.raises(TranscriptError) as error:
        survey("survey_open_quote.csv")
    assert str(error.value) == (f"{ROBUST / 'survey_open_quote.csv'}, row 3: a quote (\") opened in this row is never "
                                "closed, so the 2 lines after it would be read into one cell; close the quote")


# JSON exports of other speech-to-text tools: Whisper (no speakers), AssemblyAI (milliseconds, partial word
# lists), Deepgram (results.utterances, numeric speakers).

def test_whisper_json_without_speakers_is_one_unknown_speaker_and_said():
    transcript, messages = read(ROBUST / "json_whisper.json")
    assert [(t.speaker, transcript.turn_text(t)) for t in transcript.turns] == [
        ("Unknown", "Hello there, how are you?"), ("Unknown", "Fine thanks.")]
    assert messages == ["no speaker in any segment; read as one speaker 'Unknown'"]


def test_assemblyai_json_times_in_milliseconds_and_its_text_over_a_partial_word_list():
    transcript, messages = read(ROBUST / "json_assemblyai.json")
    assert [(t.speaker, t.timestamp, t.end_timestamp, transcript.turn_text(t)) for t in transcript.turns] == [
        ("A", "00:00:00.250", "00:00:01.800", "How are you?"), ("B", "00:00:02.000", "00:00:03.000", "Fine thanks.")]
    assert messages[0] == "segment times are whole numbers, hundreds or more a segment: read as milliseconds"


@pytest.mark.parametrize("name", ["json_deepgram.json", "json_numeric_speakers.json"])
def test_numeric_speakers_are_named_like_caption_voices(name):
    transcript, _ = read(ROBUST / name)
    assert transcript.speakers() == ("Speaker 0", "Speaker 1")


# Workbooks of several sheets: each sheet of turns a transcript; a survey says it reads its first sheet.

def workbook(path, sheets):
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    book.save(path)
    return path


def test_each_sheet_of_turns_is_a_transcript_named_by_its_sheet_and_other_sheets_are_said(tmp_path):
    from qualkit.readers import read_transcripts

    path = workbook(tmp_path / "study.xlsx", {
        "P01": [("Speaker", "Text"), ("Interviewer", "How did you start?"), ("P01", "Through a friend.")],
        "P02": [("Speaker", "Text"), ("Interviewer", "How did you start?"), ("P02", "By chance.")],
        "Notes": [("Interviewed in May",)]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        transcripts = read_transcripts([path])
    assert [(t.id, [(x.speaker, t.turn_text(x)) for x in t.turns]) for t in transcripts] == [
        ("P01", [("Interviewer", "How did you start?"), ("P01", "Through a friend.")]),
        ("P02", [("Interviewer", "How did you start?"), ("P02", "By chance.")])]
    assert [str(w.message) for w in caught] == [
        f"{path}: 2 sheets of turns, each read as a transcript named by its sheet ('P01', 'P02')",
        f"{path}: sheet 'Notes' holds no speaker and text columns; not read"]


def test_one_sheet_of_turns_beside_a_notes_sheet_keeps_the_file_name(tmp_path):
    path = workbook(tmp_path / "HT03.xlsx", {
        "Transcript": [("Speaker", "Text"), ("Interviewer", "How did you start?"), ("HT03", "Through a friend.")],
        "Notes": [("Interviewed in May",)]})
    transcript, messages = read(path)
    assert transcript.id == "HT03"
    assert messages == ["sheet 'Notes' holds no speaker and text columns; not read"]


def test_a_survey_workbook_says_its_other_sheets_are_not_read(tmp_path):
    from qualkit.readers import SurveyColumns, read_survey

    path = workbook(tmp_path / "survey.xlsx", {"Responses": [("id", "comment"), (1, "Too far"), (2, "Fine")],
                                               "Wave 2": [("id", "comment"), (3, "Better")], "Empty": []})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        responses = [(t.id, t.text) for t in read_survey(path, SurveyColumns("comment", "id"))]
    assert responses == [("1", "Too far"), ("2", "Fine")]
    assert [str(w.message) for w in caught] == [
        f"{path}: survey responses are read from the first sheet ('Responses') only; the other sheet ('Wave 2') is not read"]


def test_a_markdown_table_of_turns_is_read_as_turns_and_said():
    transcript, messages = read(ROBUST / "markdown_table.md")
    assert [(t.speaker, t.role, transcript.turn_text(t)) for t in transcript.turns] == [
        (s, I if s == "Interviewer" else P, x) for s, x in QA]
    assert transcript.text[slice(*transcript.preamble)].strip() == "# Interview 4"
    assert messages == ["read as a Markdown table of turns (4 rows)"]


def test_a_markdown_table_inside_a_labelled_transcript_stays_text(tmp_path):
    path = tmp_path / "t.md"
    path.write_text("Interviewer: What did you score?\n\n| Week | Score |\n|---|---|\n| 1 | 10 |\n| 2 | 12 |\n\n"
                    "Participant: That table, mostly.\n", encoding="utf-8")
    transcript, messages = read(path)
    assert [t.speaker for t in transcript.turns] == ["Interviewer", "Participant"]
    assert "| 2 | 12 |" in transcript.turn_text(transcript.turns[0])
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


# RTF (Express Scribe, f4transkript, Word's Save as RTF), also when saved as .txt.

def test_an_rtf_transcript_is_read_as_its_plain_text(tmp_path):
    transcript, messages = read(ROBUST / "bold_labels.rtf")
    assert [(t.speaker, t.role, transcript.turn_text(t)) for t in transcript.turns] == [
        ("Interviewer", I, "How did you start?"), ("Participant", P, "Through a friend, café owner."),
        ("Interviewer", I, "And then?"), ("Participant", P, "I stayed – always.")]
    assert transcript.format == "rtf" and messages == []
    renamed = tmp_path / "saved.txt"
    renamed.write_bytes((ROBUST / "bold_labels.rtf").read_bytes())
    transcript, messages = read(renamed)
    assert transcript.format == "rtf" and len(transcript.turns) == 4
    assert messages == ["content is rtf, not text as the extension says; read as rtf"]


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


def test_names_in_word_paragraphs_of_their_own_are_speakers_and_said(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("Interview 7")
    for name, words in [("Jane Smith", "So tell me how you came to the service."), ("Bob Jones", "My GP sent me."),
                        ("Jane Smith", "What made you stay?"), ("Bob Jones", "The people.")]:
        document.add_paragraph().add_run(name).bold = True
        document.add_paragraph(words)
    path = tmp_path / "t.docx"
    document.save(path)
    transcript, messages = read(path)
    assert [(t.speaker, transcript.turn_text(t)) for t in transcript.turns] == [
        ("Jane Smith", "So tell me how you came to the service."), ("Bob Jones", "My GP sent me."),
        ("Jane Smith", "What made you stay?"), ("Bob Jones", "The people.")]
    assert transcript.text[slice(*transcript.preamble)].strip() == "Interview 7"
    assert messages[0] == ("speaker names stand in paragraphs of their own above their words ('Jane Smith', "
                           "'Bob Jones'): read as labels")


def test_an_unlabelled_word_document_is_stored_once_not_twice(tmp_path):
    import docx

    document = docx.Document()
    for words in ["A title", "How did you start here?", "Through a friend.", "And then what?", "I stayed."]:
        document.add_paragraph(words)
    path = tmp_path / "t.docx"
    document.save(path)
    transcript, _ = read(path)
    assert transcript.text.count("Through a friend.") == 1
    assert transcript.text[slice(*transcript.preamble)].strip() == "A title"


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


def test_word_tracked_changes_and_content_controls_are_read_as_word_shows_them(tmp_path):
    import docx
    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    document = docx.Document()
    document.add_paragraph("Interviewer: How did you start?")
    para = document.add_paragraph("Participant: Through a ")
    para._p.append(parse_xml(f'<w:ins {w} w:id="1" w:author="A"><w:r><w:t xml:space="preserve">good </w:t></w:r></w:ins>'))
    para._p.append(parse_xml(f'<w:del {w} w:id="2" w:author="A"><w:r><w:delText>bad </w:delText></w:r></w:del>'))
    para.add_run("friend.")
    document.add_paragraph("Interviewer: And then?")
    body = document.element.body
    body.insert(len(body) - 1, parse_xml(f"<w:sdt {w}><w:sdtContent><w:p><w:r><w:t>Participant: I stayed.</w:t></w:r>"
                                         "</w:p></w:sdtContent></w:sdt>"))
    path = tmp_path / "t.docx"
    document.save(path)
    transcript, messages = read(path)
    assert [(t.speaker, transcript.turn_text(t)) for t in transcript.turns] == [
        ("Interviewer", "How did you start?"), ("Participant", "Through a good friend."),
        ("Interviewer", "And then?"), ("Participant", "I stayed.")]
    assert messages == ["has tracked changes; read as Word shows it with the changes accepted (insertions kept, "
                        "deletions left out)"]


# Labels behind list bullets or caption chevrons, and labels whose parentheses hold a comma.

@pytest.mark.parametrize("name, second", [("bulleted_labels.md", "Participant"), ("chevron_labels.txt", "Participant"),
                                          ("label_with_comma_in_parentheses.txt", "P1 (female, 45)")])
def test_labels_behind_bullets_or_chevrons_and_with_commas_in_parentheses(name, second):
    transcript, messages = read(ROBUST / name)
    assert [(t.speaker, t.role, transcript.turn_text(t)) for t in transcript.turns] == [
        ("Interviewer", I, "How are you?"), (second, P, "Fine thanks."), ("Interviewer", I, "Why?"), (second, P, "Because.")]
    assert messages == []


def test_a_survey_sheet_with_title_rows_above_its_header_says_where_the_header_is(tmp_path):
    from qualkit.errors import TranscriptError

    path = workbook(tmp_path / "survey.xlsx", {"Responses": [("Clinic survey 2024",), (), ("id", "comment"), (1, "Too far")]})
    from qualkit.readers import SurveyColumns, read_survey

    with pytest.raises(TranscriptError) as error:
        list(read_survey(path, SurveyColumns("comment", "id")))
    assert str(error.value) == (f"{path}: no column 'comment' (--text-column); its columns are 'Clinic survey 2024', ''; "
                                "row 3 holds 'comment': delete the rows above it, so that the header is the first row")


def test_a_json_file_that_is_not_a_transcript_is_left_out_of_a_folder_and_refused_when_named(tmp_path):
    from qualkit.errors import TranscriptError
    from qualkit.readers import read_transcripts_report

    folder = tmp_path / "study"
    folder.mkdir()
    (folder / "P01.txt").write_text("Interviewer: How was it?\nParticipant: Fine.\n", encoding="utf-8")
    (folder / "metadata.json").write_text('{"study": "clinic", "version": 2}', encoding="utf-8")
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        result = read_transcripts_report([folder])
    assert [t.id for t in result.transcripts] == ["P01"]
    assert result.not_transcripts == ((str(folder / "metadata.json"),
                                       "not a transcript: its JSON has no list of 'segments' (keys: study, version)"),)
    with pytest.raises(TranscriptError) as error:
        read_transcript(folder / "metadata.json")
    assert str(error.value) == (f"{folder / 'metadata.json'}: not a transcript: its JSON has no list of 'segments' "
                                "(keys: study, version)")


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
