"""Documents, tables and exports in forms the other reader tests do not hold: Word tables of turns in any column
order, names in paragraphs of their own, tracked changes, RTF, workbooks of several sheets, Markdown tables, JSON
of other speech-to-text tools, and survey tables with other delimiters, repeated or missing columns and open quotes."""

from __future__ import annotations

import warnings

import pytest

from qualkit.readers import read_transcript
from qualkit.transcript import INTERVIEWER as I, PARTICIPANT as P
from tests.test_readers_support import ROBUST, read_said as read


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


def test_a_json_time_that_is_true_or_false_is_no_time(tmp_path):
    path = tmp_path / "t.json"
    path.write_text('{"segments": [{"speaker": "A", "start": true, "end": 1.5, "text": "How are you?"},'
                    ' {"speaker": "B", "start": 2, "end": false, "text": "Fine thanks."}]}', encoding="utf-8")
    transcript, _ = read(path)
    assert [(t.timestamp, t.end_timestamp) for t in transcript.turns] == [(None, "00:00:01.500"), ("00:00:02.000", None)]


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


def test_a_survey_sheet_with_title_rows_above_its_header_says_where_the_header_is(tmp_path):
    path = workbook(tmp_path / "survey.xlsx", {"Responses": [("Clinic survey 2024",), (), ("id", "comment"), (1, "Too far")]})
    from qualkit.readers import SurveyColumns, read_survey

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        found = list(read_survey(path, SurveyColumns("comment", "id")))
    assert [(t.id, t.text) for t in found] == [("1", "Too far")]
    assert [str(w.message) for w in caught] == [f"{path}: the header is row 3 ('id', 'comment'); the rows above it (a "
                                                "title or blank) are not read"]


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
