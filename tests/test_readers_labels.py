"""Labels learned from each file, cover blocks, unlabelled documents and the interviewer decided (issue 16)."""

from __future__ import annotations

import warnings

import pytest

from qualkit.errors import TranscriptError
from qualkit.readers import ReadOptions, read_transcripts, read_transcripts_report
from qualkit.transcript import INTERVIEWER, PARTICIPANT
from tests.test_readers_support import FIXTURES, read_warned as read

LABELS = FIXTURES / "labels"
I, P = INTERVIEWER, PARTICIPANT


def turns(transcript):
    return [(t.speaker, t.role, transcript.turn_text(t)) for t in transcript.turns]


@pytest.mark.parametrize("name, first, second", [
    ("lower_case.txt", "interviewer", "interviewee"),
    ("markdown_bold.md", "Interviewer", "Sam"),
    ("number_sign.md", "Interviewer", "P1"),
    ("slash_site.txt", "Interviewer / Leeds", "P03 / Leeds"),
    ("dash.txt", "Interviewer", "Sam"),
    ("role_name.txt", "Interviewer (Sarah)", "Participant (Tom)"),
    ("abbreviation.txt", "Int.", "Resp."),
])
def test_label_styles_give_speakers_roles_and_whole_speech(name, first, second):
    transcript, messages = read(LABELS / name)
    got = turns(transcript)
    assert [(s, r) for s, r, _ in got] == [(first, I), (second, P), (first, I), (second, P)]
    assert got[0][2].casefold() == "how did you start?"
    assert got[1][2].casefold().startswith("through a friend")
    assert got[3][2].casefold().startswith("i stayed.")
    assert messages == []


def test_one_off_words_inside_speech_stay_speech():
    transcript, _ = read(LABELS / "lower_case.txt")
    assert transcript.turn_text(transcript.turns[-1]) == "I stayed. So basically: it worked.\nNote: she laughed."


def test_a_dash_inside_speech_is_not_a_label():
    transcript, _ = read(LABELS / "dash.txt")
    assert transcript.turn_text(transcript.turns[1]) == "Through a friend - a good one."


def test_title_and_initials_with_the_interviewer_chosen_by_questions_and_warned():
    transcript, messages = read(LABELS / "title_initials.txt")
    assert [(t.speaker, t.role) for t in transcript.turns[:2]] == [("Dr A.B.", I), ("Mrs C.D.", P)]
    assert messages == [
        f"{LABELS / 'title_initials.txt'}: no label names the interviewer; 'Dr A.B.' read as the interviewer (asks in "
        "100% of 3 turns, 3 words a turn, against 0% and 10 words for the others); use --interviewer to choose another"]


def test_interviewer_option_overrides_the_choice():
    transcript, messages = read(LABELS / "title_initials.txt", ReadOptions(interviewer_labels=("Mrs C.D.",)))
    assert [(t.speaker, t.role) for t in transcript.turns[:2]] == [("Dr A.B.", P), ("Mrs C.D.", I)]
    assert messages == []


def test_no_clear_asker_means_everyone_is_coded_with_a_warning(tmp_path):
    path = tmp_path / "chat.txt"
    path.write_text("".join(f"Ann: I think so, line {n}.\nBob: Me too, line {n}.\n" for n in range(4)))
    transcript, messages = read(path)
    assert {t.role for t in transcript.turns} == {P}
    assert messages == [f"{path}: no label names the interviewer and no speaker clearly asks the questions; all 2 "
                        "speakers read as participants (their speech is coded); name the interviewer with --interviewer"]


def test_cover_block_becomes_attributes_and_names_the_roles():
    transcript, messages = read(LABELS / "cover_block.txt")
    assert transcript.attributes == {"project": "Allotments", "date": "3 May 2019", "interviewer": "Jane Smith",
                                     "narrator": "Bob Jones", "duration": "45 min"}
    assert turns(transcript) == [("JS", I, "How did you start?"), ("BJ", P, "Through a friend."),
                                 ("JS", I, "And then?"), ("BJ", P, "I stayed.")]
    assert transcript.text[slice(*transcript.preamble)].rstrip().endswith("Duration: 45 min")
    assert messages == []


def test_cover_block_with_role_labels_in_the_body(tmp_path):
    path = tmp_path / "typed.txt"
    path.write_text("Date: 12/05/2021\nPlace: Leeds\nPersons present: Ann Lee, Bob Ray\n\n"
                    "Interviewer: Hello?\nParticipant: Hi.\nInterviewer: And?\nParticipant: Fine.\n")
    transcript, _ = read(path)
    assert transcript.attributes == {"date": "12/05/2021", "place": "Leeds", "persons_present": "Ann Lee, Bob Ray"}
    assert [t.speaker for t in transcript.turns] == ["Interviewer", "Participant", "Interviewer", "Participant"]


def test_likely_typo_is_read_as_the_label_it_resembles_with_a_warning(tmp_path):
    path = tmp_path / "typo.txt"
    path.write_text("".join(f"Interviewer: Question {n}?\nParticipant: Answer {n}.\n" for n in range(6))
                    + "Particpant: One more.\n")
    transcript, messages = read(path)
    assert transcript.speakers() == ("Interviewer", "Participant")
    assert messages == [f"{path}, line 13: label 'Particpant' is used once and is read as 'Participant' (a likely "
                        "typo; map it in an alias file if not)"]


def test_a_label_used_once_among_many_is_named_in_a_warning(tmp_path):
    path = tmp_path / "once.txt"
    path.write_text("".join(f"INTERVIEWER: Question {n}?\n\nTOM: Answer {n}.\n\n" for n in range(6))
                    + "SARAH: I came in late.\n")
    transcript, messages = read(path)
    assert transcript.speakers() == ("INTERVIEWER", "TOM", "SARAH")
    assert messages == [f"{path}, line 25: label 'SARAH' is used only once (the others: 'INTERVIEWER', 'TOM'); read "
                        "as a speaker: a typo or speech? map it in an alias file"]


def test_questions_and_answers_without_labels():
    transcript, messages = read(LABELS / "questions_answers.txt")
    assert turns(transcript)[:2] == [("Interviewer", I, "How did you start?"),
                                     ("Participant", P, "Through a friend. It was a long time ago.")]
    assert len(transcript.turns) == 6
    assert transcript.text[slice(*transcript.preamble)].strip() == "Interview 4"
    assert messages == [f"{LABELS / 'questions_answers.txt'}: no speaker labels; read as alternating questions and "
                        "answers: 3 paragraphs ending in '?' as 'Interviewer', the 3 others as 'Participant'"]


def test_one_voice_without_labels_is_one_turn_per_paragraph():
    transcript, messages = read(LABELS / "one_voice.txt")
    assert [t.speaker for t in transcript.turns] == ["Participant"] * 3
    assert messages == [f"{LABELS / 'one_voice.txt'}: no speaker labels; no questions alternating with answers; each "
                        "of the 3 paragraphs read as a turn of one speaker, 'Participant'"]


def test_unlabelled_word_file_with_bold_questions(tmp_path):
    import docx

    document = docx.Document()
    for question, answer in [("Tell me about the job.", "It was hard."), ("How long did you stay?", "Two years."),
                             ("What about the team.", "They were kind.")]:
        document.add_paragraph().add_run(question).bold = True
        document.add_paragraph(answer)
    path = tmp_path / "styled.docx"
    document.save(path)
    transcript, messages = read(path)
    assert turns(transcript)[:2] == [("Interviewer", I, "Tell me about the job."), ("Participant", P, "It was hard.")]
    assert messages == [f"{path}: no speaker labels; paragraphs alternate between two styles: the 3 in the style with "
                        "more questions read as 'Interviewer', the others as 'Participant'"]


@pytest.fixture
def study_folder(tmp_path):
    (tmp_path / "site1").mkdir()
    (tmp_path / "site2" / "deep").mkdir(parents=True)
    (tmp_path / "site1" / "A01.txt").write_text("Interviewer: Hi?\nA01: Hello.\n")
    (tmp_path / "site2" / "deep" / "B01.txt").write_text("Interviewer: Hi?\nB01: Hello.\n")
    (tmp_path / "SOURCE.txt").write_text("Upstream repo : https://example.org/x\nLicence : CC BY 4.0\n")
    (tmp_path / "README.md").write_text("# Notes\n\n- see https://example.org\n- more\n")
    (tmp_path / "photo.png").write_bytes(b"\x89PNG\r\n")
    return tmp_path


def test_folders_are_read_recursively_and_notes_are_left_out_and_listed(study_folder):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = read_transcripts_report([study_folder])
    assert [t.id for t in result.transcripts] == ["A01", "B01"]
    assert [(p.removeprefix(str(study_folder) + "/"), r) for p, r in result.not_transcripts] == [
        ("README.md", "notes, not a transcript (its name and no speaker turns)"),
        ("SOURCE.txt", "notes, not a transcript (its name and no speaker turns)"),
        ("photo.png", "an image")]
    assert [str(w.message) for w in caught] == [
        f"left out 3 file(s) that are not transcripts: {study_folder / 'README.md'} (notes, not a transcript (its name "
        f"and no speaker turns)); {study_folder / 'SOURCE.txt'} (notes, not a transcript (its name and no speaker "
        f"turns)); {study_folder / 'photo.png'} (an image)"]


def test_every_bad_file_is_named_and_skip_bad_lists_them(study_folder):
    (study_folder / "site1" / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64))
    (study_folder / "site2" / "empty.txt").write_text("")
    with pytest.raises(TranscriptError) as error:
        read_transcripts([study_folder])
    assert str(error.value).splitlines() == [
        "2 files cannot be read (nothing was written; --skip-bad reads the rest):",
        f"{study_folder / 'site1' / 'old.doc'}: an old binary Word file (.doc), which qualkit cannot read: open it in "
        "Word or LibreOffice and save it as .docx",
        f"{study_folder / 'site2' / 'empty.txt'}: file is empty"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = read_transcripts_report([study_folder], skip_bad=True)
    assert [t.id for t in result.transcripts] == ["A01", "B01"]
    assert [p for p, _ in result.skipped] == [str(study_folder / "site1" / "old.doc"),
                                              str(study_folder / "site2" / "empty.txt")]


def test_a_spreadsheet_that_is_really_csv_is_read_as_csv_with_a_warning(tmp_path):
    path = tmp_path / "turns.xlsx"
    path.write_text("speaker,text\nInterviewer,Hello?\nP1,Hi.\n")
    transcript, messages = read(path)
    assert [t.speaker for t in transcript.turns] == ["Interviewer", "P1"]
    assert messages == [f"{path}: content is CSV text, not an Excel workbook as the extension says; read as CSV "
                        "(rename it to turns.csv)"]


def test_only_the_moderator_labelled_means_the_rest_is_the_participant():
    transcript, messages = read(LABELS / "moderator_only.txt")
    assert turns(transcript) == [
        ("MODERATOR", I, "Please read the first task."),
        ("Participant", P, "I am looking at the home page now.\n\nIt says the data come from three sources."),
        ("MODERATOR", I, "Anything unclear?"), ("Participant", P, "No, it is fine.")]
    assert transcript.text[slice(*transcript.preamble)].strip() == "Session 3"
    assert "(The participant scrolls down)" not in " ".join(transcript.turn_text(t) for t in transcript.turns)
    assert messages == [f"{LABELS / 'moderator_only.txt'}: only the interviewer's paragraphs are labelled "
                        "('MODERATOR'); the 3 unlabelled paragraphs read as 'Participant'"]


def test_a_cover_block_of_names_only_is_not_speech(tmp_path):
    path = tmp_path / "names.txt"
    path.write_text("Interviewer: Jane Smith\nInterviewee: Bob Jones\n\n"
                    "Interviewer: How did you start?\nInterviewee: Through a friend.\n"
                    "Interviewer: And then?\nInterviewee: I stayed.\n")
    transcript, messages = read(path)
    assert transcript.attributes == {"interviewer": "Jane Smith", "interviewee": "Bob Jones"}
    assert [t.speaker for t in transcript.turns] == ["Interviewer", "Interviewee"] * 2
    assert transcript.turn_text(transcript.turns[0]) == "How did you start?"
    assert messages == []


def test_short_first_turns_are_not_taken_for_a_cover_block(tmp_path):
    path = tmp_path / "short.txt"
    path.write_text("Interviewer: Hello.\nParticipant: Hi.\n\nInterviewer: How did you start?\nParticipant: Luck.\n")
    transcript, _ = read(path)
    assert transcript.attributes == {}
    assert [transcript.turn_text(t) for t in transcript.turns][:2] == ["Hello.", "Hi."]


def test_word_file_cover_block_and_initials(tmp_path):
    import docx

    document = docx.Document()
    for line in ["Interview transcript", "Date: 4 June 2022", "Place: Leeds", "Interviewer: Jane Smith",
                 "Respondent: Bob Jones", "JS: How did you start?", "BJ: Through a friend.", "It was a long time ago.",
                 "JS: And then?", "BJ: I stayed."]:
        document.add_paragraph(line)
    path = tmp_path / "cover.docx"
    document.save(path)
    transcript, messages = read(path)
    assert transcript.attributes == {"date": "4 June 2022", "place": "Leeds", "interviewer": "Jane Smith",
                                     "respondent": "Bob Jones"}
    assert turns(transcript) == [("JS", I, "How did you start?"), ("BJ", P, "Through a friend. It was a long time ago."),
                                 ("JS", I, "And then?"), ("BJ", P, "I stayed.")]
    assert messages == []


def test_opendocument_questions_in_italics(tmp_path):
    from odf.opendocument import OpenDocumentText
    from odf.style import Style, TextProperties
    from odf.text import P as Para

    document = OpenDocumentText()
    italic = Style(name="Q", family="paragraph")
    italic.addElement(TextProperties(fontstyle="italic"))
    document.automaticstyles.addElement(italic)
    for question, answer in [("Tell me about the job.", "It was hard."), ("How long did you stay?", "Two years."),
                             ("And the team.", "Kind.")]:
        document.text.addElement(Para(stylename=italic, text=question))
        document.text.addElement(Para(text=answer))
    path = tmp_path / "italic.odt"
    document.save(str(path))
    transcript, messages = read(path)
    assert [(t.speaker, t.role) for t in transcript.turns] == [("Interviewer", I), ("Participant", P)] * 3
    assert transcript.turn_text(transcript.turns[4]) == "And the team."
    assert messages == [f"{path}: no speaker labels; paragraphs alternate between two styles: the 3 in the style with "
                        "more questions read as 'Interviewer', the others as 'Participant'"]


def test_a_typo_in_a_word_file_is_placed_by_paragraph(tmp_path):
    import docx

    document = docx.Document()
    for n in range(6):
        document.add_paragraph(f"Interviewer: Question {n}?")
        document.add_paragraph(f"Participant: Answer {n}.")
    document.add_paragraph("Particpant: One more.")
    path = tmp_path / "typo.docx"
    document.save(path)
    transcript, messages = read(path)
    assert transcript.speakers() == ("Interviewer", "Participant")
    assert messages == [f"{path}, paragraph 13: label 'Particpant' is used once and is read as 'Participant' (a "
                        "likely typo; map it in an alias file if not)"]


def test_oral_history_table_of_initials_takes_roles_from_the_cover(tmp_path):
    import docx

    document = docx.Document()
    for line in ("Project: Mill voices", "Date: 2 March 1998", "Interviewer: Ann Cole", "Narrator: Ted Barker"):
        document.add_paragraph(line)
    table = document.add_table(rows=0, cols=2)
    for who, said in [("AC", "Where were you born?"), ("TB", "In Salford, in 1931."), ("AC", "And your father?"),
                      ("TB", "He worked at the mill.")]:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = who, said
    path = tmp_path / "oral.docx"
    document.save(path)
    transcript, messages = read(path)
    assert turns(transcript) == [("AC", I, "Where were you born?"), ("TB", P, "In Salford, in 1931."),
                                 ("AC", I, "And your father?"), ("TB", P, "He worked at the mill.")]
    assert transcript.attributes["narrator"] == "Ted Barker"
    assert messages == []


def test_a_document_with_headings_is_not_a_transcript_and_a_folder_of_none_says_what_each_file_was(tmp_path):
    prose = " ".join(["The module describes how projects are exchanged between tools."] * 40)
    (tmp_path / "standard.txt").write_text("".join(f"{heading}: {prose}\n\n" for heading in
                                                   ("Editor", "Library", "Module", "Release Date")))
    (tmp_path / "README.md").write_text("# About\n\n- see https://example.org\n")
    with pytest.raises(TranscriptError) as error:
        read_transcripts([tmp_path])
    assert str(error.value) == (
        f"{tmp_path}: no transcript read ({tmp_path / 'README.md'}: notes, not a transcript (its name and no speaker "
        f"turns); {tmp_path / 'standard.txt'}: a document, not a transcript: its 4 'Label:' headings are mostly used "
        "once (4) and open long stretches of text (360 words in the middle one))")


def test_a_typo_in_a_short_transcript_is_still_caught(tmp_path):
    path = tmp_path / "short.txt"
    path.write_text("Interviewer: One?\nParticipant: Yes.\nInterviewer: Two?\nParticipant: No.\n"
                    "Interviewer: Three?\nParticpant: Maybe.\nParticipant: Done.\n")
    transcript, messages = read(path)
    assert transcript.speakers() == ("Interviewer", "Participant")
    assert messages == [f"{path}, line 6: label 'Particpant' is used once and is read as 'Participant' (a likely "
                        "typo; map it in an alias file if not)"]


def _named_study(folder, interviewer="Sarah", people=("Tom", "Ann", "Raj"), speaker_words=None):
    folder.mkdir()
    for person in people:
        (folder / f"{person}.txt").write_text(
            f"{interviewer}: Thanks for coming. Tell me about the service.\n{person}: It helped me a lot with money.\n"
            f"{interviewer}: Right, and then what happened next with the worker.\n{person}: We met every week.\n",
            encoding="utf-8")
    return folder


def test_the_person_in_every_interview_of_a_study_is_its_interviewer(tmp_path):
    # An interviewer called by first name, who asks few questions with a '?': found across the folder.
    from qualkit.readers import read_transcripts

    folder = _named_study(tmp_path / "study")
    with pytest.warns(UserWarning) as caught:
        transcripts = read_transcripts([folder])
    for transcript in transcripts:
        roles = {turn.speaker: turn.role for turn in transcript.turns}
        assert roles == {"Sarah": "interviewer", transcript.id: "participant"}
    assert (f"{folder / 'Ann.txt'}: read with the other transcripts, 'Sarah' speaks in 3 of 3 transcripts while the "
            "others speak in this one only, so is read as the interviewer (this replaces the note that everyone is a "
            "participant); use --interviewer to choose another") in [str(w.message) for w in caught]


@pytest.mark.parametrize("interviewer", ["Speaker 1", "Participant", "0"])
def test_generic_or_participant_labels_are_never_taken_for_the_interviewer_across_files(tmp_path, interviewer):
    from qualkit.readers import read_transcripts

    folder = _named_study(tmp_path / "study", interviewer=interviewer)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        transcripts = read_transcripts([folder])
    assert all(turn.role == "participant" for t in transcripts for turn in t.turns)


def test_a_study_of_two_files_is_not_enough_to_tell(tmp_path):
    from qualkit.readers import read_transcripts

    folder = _named_study(tmp_path / "study", people=("Tom", "Ann"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        transcripts = read_transcripts([folder])
    assert all(turn.role == "participant" for t in transcripts for turn in t.turns)
