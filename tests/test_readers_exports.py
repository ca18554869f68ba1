"""Layouts of real exports found outside the project's fixtures: Otter and Descript labels decorated in
Markdown with their times, and the whisper command line's text output. Each fixture is written here in the
shape of the public files it stands for (a podcast site's Markdown transcripts, whisper.cpp's ``.txt``)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from qualkit.errors import NotTranscriptError, TranscriptError
from qualkit.readers import read_transcripts
from qualkit.transcript import INTERVIEWER, PARTICIPANT
from tests.test_readers_support import read_said

EXPORTS = Path(__file__).resolve().parent / "fixtures" / "readers_exports"
I, P = INTERVIEWER, PARTICIPANT
DIALOGUE = [
    ("Dana", "Thanks for joining us. How did you first hear about the community nurse service?"),
    ("Ravi", "My GP mentioned it after my second fall. I was not sure I needed it at first."),
    ("Dana", "What changed your mind?"),
    ("Ravi", "The nurse came on a Tuesday and sorted out my tablets. That made a real difference."),
    ("Dana", "Was there anything you found hard?"),
    ("Ravi", "Waiting for the phone to be answered. Some days it rang for twenty minutes."),
]
TIMES = ["0:00", "0:09", "0:21", "0:25", "1:02", "1:06"]


@pytest.mark.parametrize("name, times", [
    ("bold_name_time_inline.md", TIMES),
    ("bold_name_time_line.md", ["00:00", "0:09", "00:21", "00:25", "01:02", "01:06"]),
])
def test_a_bold_name_then_a_bracketed_time_opens_a_turn(name, times):
    """``**Name** [0:00] words`` and ``**Name** [00:00]`` above the words (podcast sites' Markdown of Otter
    exports): the name is the speaker, the time the turn's, and neither is read as speech."""
    transcript, said = read_said(EXPORTS / name)
    assert [(t.speaker, transcript.turn_text(t)) for t in transcript.turns] == DIALOGUE
    assert [t.timestamp for t in transcript.turns] == times
    assert {t.speaker: t.role for t in transcript.turns} == {"Dana": I, "Ravi": P}
    assert transcript.text[:transcript.preamble[1]].strip() == ""
    assert [m for m in said if "no speaker labels" in m] == []


def test_otter_lines_with_bold_names_are_labels_beside_plain_ones():
    """Otter's ``Name  0:00`` line with the name made bold (``**Dana**    0:00  ``), beside Otter's own
    ``Unknown Speaker  0:17`` line: every one opens a turn, the first line is not preamble."""
    transcript, _ = read_said(EXPORTS / "bold_otter.md")
    got = [(t.speaker, transcript.turn_text(t)) for t in transcript.turns]
    assert got == [*DIALOGUE[:2], ("Unknown Speaker", "Sorry, the door."), *DIALOGUE[2:]]
    assert [t.timestamp for t in transcript.turns] == ["0:00", "0:09", "0:17", *TIMES[2:]]
    assert transcript.preamble == (0, 0)


def test_a_word_before_a_bracketed_time_once_inside_speech_stays_speech(tmp_path):
    """A line opening ``Then [00:12] ...`` once, among ``Name:`` turns, is speech, not a speaker."""
    path = tmp_path / "once.txt"
    path.write_text("Interviewer: How was the first week?\n\nParticipant: Hard. I rang twice.\n"
                    "Then [00:12] the nurse came and it got better.\n\nInterviewer: Thank you.\n", encoding="utf-8")
    transcript, _ = read_said(path)
    assert [t.speaker for t in transcript.turns] == ["Interviewer", "Participant", "Interviewer"]
    assert transcript.turn_text(transcript.turns[1]).endswith("Then [00:12] the nurse came and it got better.")


def test_whisper_command_line_text_is_read_as_cues_without_speakers():
    """The whisper command line's text (``[00:00.000 --> 00:04.200]  words`` a line) is caption cues naming
    no one: one 'Unknown' speaker, the times kept, no time range left in the words."""
    transcript, said = read_said(EXPORTS / "whisper_cli.txt")
    assert transcript.format == "cues"
    assert transcript.speakers() == ("Unknown",)
    text = transcript.turn_text(transcript.turns[0])
    assert "-->" not in text and "[00:" not in text
    assert text.startswith("Thanks for joining us. How did you first hear about the service?")
    assert text.endswith("That made a real difference.")
    assert transcript.turns[0].timestamp == "00:00.000"
    assert said == ["read as 6 caption cues (a time range, then the words) that name no speaker: one speaker "
                    "'Unknown'"]


def test_a_document_of_one_off_headings_is_not_read_as_speakers():
    """A meeting summary whose lines open ``Rationale:``, ``Concern:``, ``Decision:`` ... each once (no label
    used twice, none naming a role) is no conversation: one line naming the file and why, not seven speakers
    who each spoke once."""
    path = EXPORTS / "meeting_summary.txt"
    with pytest.raises(NotTranscriptError) as caught:
        read_said(path)
    assert str(caught.value) == (f"{path}: not a transcript: 15 of its 19 lines are short and not sentences (a list, "
                                 "e.g. a code system?), and it has no speaker labels")


def test_people_who_each_speak_once_are_still_speakers(tmp_path):
    """Two or three names that each open one turn (a short exchange) are still read as speakers."""
    path = tmp_path / "short.txt"
    path.write_text("Sam: Did the nurse come?\n\nAlex: She came on Tuesday.\n\nJo: And again on Friday.\n",
                    encoding="utf-8")
    transcript, _ = read_said(path)
    assert [t.speaker for t in transcript.turns] == ["Sam", "Alex", "Jo"]


@pytest.mark.parametrize("width", [0, 45])
def test_a_check_in_where_six_people_each_speak_once_is_speakers_however_its_lines_wrap(tmp_path, width):
    """A focus group's round of check-ins: a moderator known only by name and five people, each speaking once.
    Wrapped at a width, each turn runs over several lines; a turn is still one passage, so six labels opening
    every passage are speakers, not a document's headings (the wrapped copy had been read as one voice)."""
    import textwrap

    turns = [("Jo", "Welcome, everyone. Before we start, could each of you say in a sentence how the past month "
                    "has gone with the new discharge service?"),
             ("Aisha", "Mostly fine. The first phone call came two days after I got home, sooner than I expected."),
             ("Ben", "For me it was patchy. Nobody rang for a week and I had to chase the pharmacy myself."),
             ("Carmen", "I liked the nurse who visited. She explained my tablets properly, which the ward never did."),
             ("Dev", "Honestly I barely noticed it. My daughter did most of the ringing round for me."),
             ("Elif", "It was good once it started, but the leaflet gave the wrong number for the evening line.")]
    text = "\n\n".join(textwrap.fill(f"{name}: {words}", width) if width else f"{name}: {words}" for name, words in turns)
    path = tmp_path / "check_in.txt"
    path.write_text(text + "\n", encoding="utf-8")
    transcript, said = read_said(path)
    assert [t.speaker for t in transcript.turns] == [name for name, _ in turns]
    assert [" ".join(transcript.turn_text(t).split()) for t in transcript.turns] == [words for _, words in turns]
    assert not [m for m in said if "headings" in m]


def test_a_cover_block_after_an_archives_preamble_is_attributes_not_speech():
    """An oral-history archive's transcript: an abstract, a title line naming the narrator and a copyright
    statement, then ``Interviewee:``, ``Interviewer:``, ``Date:``, ``Place:`` lines right before the first
    exchange. Those lines are the transcript's attributes, not four one-off speakers."""
    transcript, said = read_said(EXPORTS / "oral_history_archive.md")
    got = [(t.speaker, t.role, transcript.turn_text(t)) for t in transcript.turns]
    assert got == [
        ("Interviewer", I, "Where did you train?"),
        ("Jane Doe", P, "In Leeds, at the old infirmary."),
        ("Interviewer", I, "What was it like?"),
        ("Jane Doe", P, "Hard work <laughs>, but we learned a lot on the wards."),
    ]
    assert dict(transcript.attributes) == {"interviewee": "Jane Doe", "interviewer": "Sam Lee",
                                           "date": "3 May 2019", "place": "Leeds"}
    assert transcript.text[:transcript.preamble[1]].rstrip().endswith("### Early Years")
    assert [m for m in said if "used only once" in m] == []


def test_front_matter_speakers_naming_only_the_guest_do_not_stop_the_file():
    """A site's front matter lists the episode's guest as ``speakers`` (Ravi Patel) while the text labels
    the hosts and the guest by first name: the list is not this file's labels, so the file is read (not
    refused for its first 'unknown' label) and the warning says the labels were not checked against it."""
    transcript, said = read_said(EXPORTS / "front_matter_guests.md")
    assert [t.speaker for t in transcript.turns] == ["Dana", "Chris", "Ravi", "Dana", "Ravi", "Chris"]
    assert ("the front matter's speakers (Ravi Patel) name 1 of the 3 labels used (Dana, Chris, Ravi): read as "
            "another tool's list, labels not checked against it") in said


def test_a_label_misspelling_a_front_matter_speaker_is_read_as_them_with_a_warning():
    transcript, said = read_said(EXPORTS / "front_matter_typo.md")
    assert [t.speaker for t in transcript.turns] == ["Dana Cole", "Ravi Patel", "Dana Cole", "Ravi Patel",
                                                     "Dana Cole"]
    assert transcript.turn_text(transcript.turns[3]) == "Getting through on the phone."
    assert ("label 'Ravi Patle' is not among the front matter's speakers and is read as 'Ravi Patel' (a likely "
            "typo; map it in an alias file if not)") in said


def test_a_stranger_among_front_matter_speakers_still_stops_the_file(tmp_path):
    """When the front matter lists the file's labels, a label outside it (and no misspelling of one) is
    still one error naming the file, line and label."""
    path = tmp_path / "declared.txt"
    path.write_text("---\nspeakers: [Interviewer, P01]\n---\nInterviewer: How was it?\n\nP01: Fine.\n\n"
                    "Interviewer: And the nurse?\n\nP01: Kind.\n\nNurse: I was there too.\n", encoding="utf-8")
    with pytest.raises(TranscriptError) as caught:
        read_said(path)
    assert str(caught.value) == f"{path}, line 12: unknown speaker label 'Nurse' (known: Interviewer, P01)"


def test_a_table_of_timed_rows_without_speakers_is_one_unknown_speaker():
    """whisper.cpp's ``.tsv`` (start and end in milliseconds, text; no speaker column) is read as a caption
    file naming no one is: one 'Unknown' turn, the times in hours, minutes and seconds, said in a warning;
    it had been refused for its missing speaker column."""
    transcript, said = read_said(EXPORTS / "whisper_cpp.tsv")
    assert transcript.speakers() == ("Unknown",) and len(transcript.turns) == 1
    text = transcript.turn_text(transcript.turns[0])
    assert text.startswith("Thanks for joining us.") and text.endswith("That made a real difference.")
    assert (transcript.turns[0].timestamp, transcript.turns[0].end_timestamp) == ("00:00:00.000", "00:01:05.300")
    assert said == ["no speaker column (columns: start, end, text); the timed rows read as one speaker 'Unknown'"]


def test_numeric_times_in_seconds_are_read_as_seconds():
    transcript, _ = read_said(EXPORTS / "segments_seconds.csv")
    assert (transcript.turns[0].timestamp, transcript.turns[0].end_timestamp) == ("00:00:00.000", "00:00:09.000")


def test_a_folder_reads_a_table_of_timed_rows_as_a_transcript(tmp_path):
    folder = tmp_path / "interviews"
    folder.mkdir()
    (folder / "one.tsv").write_bytes((EXPORTS / "whisper_cpp.tsv").read_bytes())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        transcripts = read_transcripts([folder])
    assert [t.id for t in transcripts] == ["one"]
    assert not [w for w in caught if "not transcripts" in str(w.message)]


def test_an_export_header_naming_the_interviewer_in_prose_decides_the_role():
    """An Otter export published with a header (``Interviewer is Sam Lee.``) above a group interview in
    which the interviewer asks few questions: Sam Lee is the interviewer, said in a warning; had been read
    as one more participant (everyone coded)."""
    transcript, said = read_said(EXPORTS / "otter_prose_interviewer.md")
    roles = {t.speaker: t.role for t in transcript.turns}
    assert roles == {"Sam Lee": I, "Ann Hill": P, "Ben Cho": P, "Cal Ward": P}
    assert ("line 10: the text above the first turn names 'Sam Lee' as the interviewer ('Interviewer is Sam "
            "Lee'): read as the interviewer") in said


def test_prose_naming_someone_who_never_speaks_decides_nothing(tmp_path):
    path = tmp_path / "other.md"
    path.write_text((EXPORTS / "otter_prose_interviewer.md").read_text(encoding="utf-8").replace(
        "Interviewer is Sam Lee.", "Interviewer is Pat Jones."), encoding="utf-8")
    transcript, said = read_said(path)
    assert {t.speaker: t.role for t in transcript.turns}["Sam Lee"] == P
    assert not [m for m in said if "names 'Pat Jones'" in m]


def test_a_meeting_chat_export_leaves_out_reactions_and_reply_quotes():
    """Zoom's saved chat (``time<TAB>Name:<TAB>message``): a reaction (``Reacted to "..." with 👍``) repeats
    another message and is no speech, and a reply opens with a quote of the message it answers; both are left
    out of the turns (offsets still point into the file), and the warning counts them."""
    transcript, said = read_said(EXPORTS / "zoom_chat.txt")
    got = [(t.speaker, transcript.turn_text(t)) for t in transcript.turns]
    assert got == [
        ("Dana Cole", "Welcome, everyone. Please use the chat for anything you would rather not say aloud."),
        ("Ravi Patel", "The phone line is the worst part. It rings for twenty minutes."),
        ("Ann Hill", "Same here, and nobody calls back."),
        ("Dana Cole", "Thank you both, that is really helpful."),
    ]
    assert [t.timestamp for t in transcript.turns] == ["00:01:10", "00:02:05", "00:03:40", "00:04:30"]
    assert ("read as a meeting chat: 2 reaction(s) ('Reacted to \"...\" with ...') left out and 1 reply quote(s) "
            "('Replying to \"...\"') kept out of the replies, as they repeat other messages") in said


def test_a_reports_bold_headings_in_word_are_not_speakers(tmp_path):
    """A Word report whose bold ``Heading:`` paragraphs (each once, one twice, none a role) each stand above
    a paragraph of text is no transcript of eight speakers: the headings are said to be headings, the paragraphs
    read as one voice."""
    import docx

    document = docx.Document()
    document.add_paragraph("Discharge medicines project: interim report")
    headings = ["Background", "Aims", "Methods", "Findings", "Methods", "Staffing", "Costs", "Next steps"]
    for heading in headings:
        document.add_paragraph().add_run(f"{heading}:").bold = True
        document.add_paragraph(f"The {heading.lower()} of the pharmacy screening trial are set out here.")
    path = tmp_path / "report.docx"
    document.save(path)
    transcript, said = read_said(path)
    assert transcript.speakers() == ("Participant",)
    assert ("paragraph 2: 6 line openings like 'Label:' ('Background', 'Aims', 'Methods', ...) are each used once "
            "or twice and name no role: read as a document's headings, not speakers") in said


def test_the_words_column_is_told_by_content_when_its_header_is_not_known():
    """A table of turns whose words column is headed in another language (``tekst``, as a Hebrew ``טקסט`` in a
    public classroom transcript): the column holding the most words a row is read as the words, said in a
    warning; it had been refused with an error naming Python read options a command-line user cannot give."""
    transcript, said = read_said(EXPORTS / "dutch_headers.csv")
    assert [(t.speaker, transcript.turn_text(t)) for t in transcript.turns][:2] == [
        ("Interviewer", "Hoe was de eerste week thuis na het ziekenhuis?"),
        ("Deelnemer", "Beter dan ik dacht. De wijkverpleegkundige kwam op dinsdag en regelde mijn medicijnen.")]
    assert "no column is headed as the words; 'tekst' read as them (the most words a row)" in said


def test_a_table_without_a_words_column_says_how_to_head_it(tmp_path):
    path = tmp_path / "codes.csv"
    path.write_text("speaker,code,count\nP01,A1,3\nP02,B2,4\n", encoding="utf-8")
    with pytest.raises(TranscriptError) as caught:
        read_said(path)
    assert str(caught.value) == (f"{path}: cannot tell which column holds the text (columns: speaker, code, count); "
                                 "head that column 'text'")


def test_a_markdown_escaped_time_after_the_label_is_the_turns_time():
    """Markdown converters escape square brackets: ``**Name:** \\[06:08\\] words`` (a podcast network's published
    transcripts) carries the turn's time, not words; an escaped mark (``\\[laughs\\]``) stays in the speech."""
    transcript, _ = read_said(EXPORTS / "escaped_times.md")
    got = [(t.timestamp, transcript.turn_text(t)) for t in transcript.turns]
    assert got[1:4] == [(None, "\\[laughs\\] Better than I feared, honestly."), ("06:08", "And the nurse visits?"),
                        ("06:12", "She came on the Tuesday and sorted my tablets.")]


def test_a_thread_labelling_every_line_keeps_its_names_as_speakers(tmp_path):
    """Six people who each write once, one of them twice (a comment thread): every line is labelled, so the
    labels are people, not a document's headings."""
    path = tmp_path / "thread.txt"
    path.write_text("".join(f"{name}: the clinic was fine for me.\n" for name in ("Kim", "Lee", "Mo", "Ned", "Ola", "Pat"))
                    + "Kim: Thanks, all.\n", encoding="utf-8")
    transcript, _ = read_said(path)
    assert [t.speaker for t in transcript.turns] == ["Kim", "Lee", "Mo", "Ned", "Ola", "Pat", "Kim"]


def test_a_time_then_a_name_alone_on_the_line_opens_a_turn():
    """``[00:00:01.15] - Speaker 1`` above each paragraph (a transcription service's text export, found in a
    public course transcript): the name is the speaker and the time the turn's; it had been read as unlabelled
    questions and answers with the time lines in the speech."""
    transcript, said = read_said(EXPORTS / "time_then_name_line.txt")
    got = [(t.speaker, t.timestamp, transcript.turn_text(t)) for t in transcript.turns]
    assert got == [("Speaker 1", "00:00:01.15", "How did the first week go?"),
                   ("Speaker 2", "00:00:04.20", "Better than I feared. The nurse came on Tuesday."),
                   ("Speaker 1", "00:00:09.02", "What was hardest?"), ("Speaker 2", "00:00:11.40", "The phone line.")]
    assert not [m for m in said if "no speaker labels" in m]


def test_a_chapter_list_of_times_and_titles_names_no_speakers(tmp_path):
    path = tmp_path / "webinar.txt"
    path.write_text("Chapters\n\n00:00 Introduction\n03:10 Discharge planning\n07:45 Medicines at home\n"
                    "12:30 Questions\n\nWelcome to the webinar. Today we talk about discharge.\n", encoding="utf-8")
    transcript, _ = read_said(path)
    assert transcript.speakers() == ("Participant",)


def test_a_speaker_in_brackets_after_a_cues_time_range_is_its_speaker():
    """``00:00:00,120 --> 00:00:09,720 [Speaker 0]`` then the words (the same course's other export): the
    bracketed name after the range is the cue's speaker, not a setting to drop."""
    transcript, said = read_said(EXPORTS / "cue_range_then_name.txt")
    assert [(t.speaker, transcript.turn_text(t)) for t in transcript.turns] == [
        ("Speaker 0", "How did the first week at home go?"),
        ("Speaker 1", "Better than I feared. The nurse came on the Tuesday."), ("Speaker 0", "What was hardest?")]
    assert ("read as 3 caption cues (a time range, then the words) with speakers from a [Name] after each time "
            "range (2 speakers)") in said


def test_chat_display_names_with_an_affiliation_are_whole_speakers():
    """Meeting display names carry an affiliation after a dash or a bar (``Danno F. - Tectonic.xyz:``,
    ``Ahmad B. | Nethermind:`` in a public Zoom chat): the whole name before the colon and tab is the speaker;
    the dash had cut the name (the affiliation read as speech) and a bar had merged the message into the one before."""
    transcript, _ = read_said(EXPORTS / "zoom_chat_affiliations.txt")
    assert [(t.speaker, transcript.turn_text(t)) for t in transcript.turns] == [
        ("Dana Cole - Ward 7", "Welcome, everyone. Please use the chat for anything you would rather not say aloud."),
        ("Ravi Patel | Patient Panel", "The phone line is the worst part."),
        ("Ann Hill | Carer | Leeds", "Same here, and nobody calls back."),
        ("Dana Cole - Ward 7", "Thank you both."), ("Ravi Patel | Patient Panel", "Thanks for asking.")]
