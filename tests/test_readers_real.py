"""Every real transcript in ../shared/data is read with the right turns, and nothing of its speech is lost."""

from __future__ import annotations

import difflib
import re
import warnings
from itertools import groupby
from pathlib import Path

import docx
import pytest
import webvtt

from qualkit.errors import TranscriptError
from qualkit.readers import ReadOptions, read_transcript
from tests.test_readers_support import check_offsets, unaccounted

# file (relative to the data folder) -> (format, turns, {speaker: turns})
PINNED = {
    "metamuse/edited/10-tools-for-thought.txt": ("text", 62, {"Mark McGranaghan": 26, "Adam Wiggins": 36}),
    "metamuse/edited/33-cities.txt": ("text", 110, {"Devon Zuegel": 60, "Adam Wiggins": 28, "Mark McGranaghan": 22}),
    "metamuse/edited/34-bring-your-own-client.txt": ("text", 104, {"Geoffrey Litt": 56, "Adam Wiggins": 32, "Mark McGranaghan": 16}),
    "metamuse/edited/37-visual-programming.txt": ("text", 86, {"Maggie Appleton": 41, "Adam Wiggins": 33, "Mark McGranaghan": 12}),
    "metamuse/plaintext_timestamped/49-software-longevity.txt": ("text", 74, {"Mark McGranaghan": 30, "Adam Wiggins": 44}),
    "metamuse/plaintext_timestamped/72-remote-work.txt": ("text", 172, {"Mark McGranaghan": 72, "Adam Wiggins": 100}),
    "metamuse/plaintext_timestamped/74-linking.txt": ("text", 154, {"Mark McGranaghan": 43, "Adam Wiggins": 77, "Julia Roggatz": 34}),
    "metamuse/rev_original/1-tool-switching.txt": ("text", 64, {"Speaker 1": 33, "Speaker 2": 30, "Speaker 3": 1}),
    "metamuse/rev_original/10-tools-for-thought.txt": ("text", 60, {"Mark McGranaghan": 25, "Adam Wiggins": 35}),
    "metamuse/rev_original/18-privacy.txt": ("text", 71, {"Speaker 1": 31, "Speaker 2": 39, "Speaker 3": 1}),
    "metamuse/rev_original/33-cities.txt": ("text", 96, {"Devon Zuegel": 56, "Adam Wiggins": 22, "Mark McGranaghan": 18}),
    "metamuse/rev_original/34-bring-your-own-client.txt": ("text", 86, {"Geoffrey Litt": 57, "Adam Wiggins": 29}),
    "metamuse/rev_original/37-visual-programming.txt": ("text", 83, {"Speaker 1": 40, "Speaker 2": 32, "Speaker 3": 10, "Speaker 4": 1}),
    "metamuse/vtt/10-tools-for-thought.vtt": ("vtt", 47, {"Speaker 0": 24, "Speaker 1": 23}),
    "metamuse/vtt/33-cities.vtt": ("vtt", 84, {"Speaker 0": 39, "Speaker 1": 27, "Speaker 2": 18}),
    "metamuse/vtt/34-bring-your-own-client.vtt": ("vtt", 78, {"Speaker 0": 36, "Speaker 3": 30, "Speaker 2": 12}),
    "metamuse/vtt/37-visual-programming.vtt": ("vtt", 69, {"Speaker 0": 30, "Speaker 1": 28, "Speaker 2": 11}),
    "metamuse/reduct_json/74-linking.json": ("json", 154, {"Mark McGranaghan": 43, "Adam Wiggins": 77, "Julia Roggatz": 34}),
    "exports/vtt/zoom-cloud-transcript__zoomstudentengagement__GMT20240124-202901_Recording.transcript.vtt": (
        "vtt", 26, {"Srijani Ghosh": 7, "Conor Healy": 12, "Dr. Melissa Ko": 2, "Shreeharsh Kelkar": 3, "Unknown": 1, "Ryan Sloan": 1}),
    "exports/vtt/zoom-cloud-cc__zoomstudentengagement__GMT20240124-202901_Recording.cc.vtt": ("vtt", 1, {"Unknown": 1}),
    "exports/vtt/zoom-cloud-transcript__zoomGroupStats__meeting001_transcript.vtt": (
        "vtt", 34, {"Andrew Knight": 14, "Paul McCartney": 10, "George Harrison": 2, "Ringo Starr": 1, "John Lennon": 5, "Unknown": 2}),
    "exports/vtt/zoom-cloud-transcript__ethereum-pm__acde-2026-02-12_230_transcript.vtt": (
        "vtt", 124, {"Ansgar Dietrichs": 36, "nixo": 1, "Justin Florentine (Besu)": 8, "Mario Havel": 2, "Stefan Starflinger": 6,
                     "Andrew Ashikhmin": 6, "Toni Wahrstätter": 8, "frangio": 6, "Ben Adams": 5, "Dragan Rakita": 4,
                     "Marius van der Wijden": 4, "marek": 3, "Felix (Geth)": 16, "Fabio Di Fabio": 1, "Mario Vega": 2,
                     "Anders Elowsson": 9, "lightclient": 3, "Gottfried Herold": 2, "Marc": 1, "Fredrik": 1}),
    "exports/txt/zoom-saved-captions__transcript-phase-coder__meeting_saved_closed_caption.txt": (
        "zoom-captions", 289, {"Experimenter": 52, "G3P1": 107, "G3P2": 130}),
    "exports/docx/teams-docx-2023-reduced__unstructured__teams_chat.docx": ("docx", 2, {"Some Body": 1, "James Bond": 1}),
}
PDPILOT = {"P1": (94, 47, 47), "P2": (165, 81, 84), "P3": (121, 61, 60), "P4": (109, 54, 55), "P5": (134, 67, 67),
           "P6": (99, 50, 49), "P7": (104, 52, 52)}
PDPILOT_OPTIONS = ReadOptions(aliases={"Particpant": "Participant"}, interviewer_labels=("Dan",))
# Rev's numeric voices -> the names the hand-edited text gives.
VOICES = {
    "10-tools-for-thought": {"Speaker 0": "Mark McGranaghan", "Speaker 1": "Adam Wiggins"},
    "33-cities": {"Speaker 0": "Devon Zuegel", "Speaker 1": "Adam Wiggins", "Speaker 2": "Mark McGranaghan"},
    "34-bring-your-own-client": {"Speaker 0": "Geoffrey Litt", "Speaker 3": "Adam Wiggins", "Speaker 2": "Mark McGranaghan"},
    "37-visual-programming": {"Speaker 0": "Maggie Appleton", "Speaker 1": "Adam Wiggins", "Speaker 2": "Mark McGranaghan"},
}


def read_quietly(path, options=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_transcript(path, options)


def source_speech(path: Path) -> str:
    """The source's speech text, taken independently of qualkit's readers."""
    if path.suffix == ".vtt":
        return "\n".join(c.text for c in webvtt.read(str(path)).captions)
    if path.suffix == ".docx":
        return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    if path.suffix == ".json":
        import json

        return " ".join("".join(w["word"] for w in s["wdlist"]) for s in json.loads(path.read_text())["segments"])
    return path.read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("name", sorted(PINNED))
def test_real_file_turns_speakers_and_nothing_lost(shared_data, name):
    path = shared_data / name
    transcript = read_quietly(path)
    fmt, count, speakers = PINNED[name]
    assert (transcript.format, len(transcript.turns)) == (fmt, count)
    assert {s: sum(t.speaker == s for t in transcript.turns) for s in transcript.speakers()} == speakers
    check_offsets(transcript)
    assert unaccounted(source_speech(path), transcript) == []


def test_every_real_transcript_file_is_pinned(shared_data):
    found = {str(p.relative_to(shared_data)) for folder in ("metamuse", "exports")
             for p in (shared_data / folder).rglob("*") if p.suffix in (".txt", ".vtt", ".json", ".docx")
             and "licences" not in p.parts and p.name != "SOURCE.txt"}
    assert found == set(PINNED)


@pytest.mark.parametrize("participant", sorted(PDPILOT))
def test_pdpilot_text_turns(shared_data, participant):
    text = read_quietly(shared_data / "pdpilot" / "transcripts" / f"{participant}.txt", PDPILOT_OPTIONS)
    total, dan, participant_turns = PDPILOT[participant]
    assert len(text.turns) == total
    assert text.speakers() == ("Dan", "Participant")
    assert sum(t.speaker == "Dan" and t.role == "interviewer" for t in text.turns) == dan
    assert sum(t.speaker == "Participant" for t in text.turns) == participant_turns
    check_offsets(text)
    assert unaccounted((shared_data / "pdpilot" / "transcripts" / f"{participant}.txt").read_text(), text,
                       ("Particpant",)) == []


# pypdf takes 1-5 s per file: P1 (short) and P7 (hyphenated words, the
# longest) cover the PDF layout; the benchmark reads all seven.
@pytest.mark.parametrize("participant", ["P1", "P7"])
def test_pdpilot_pdf_gives_the_same_turns_as_the_text(shared_data, participant):
    text = read_quietly(shared_data / "pdpilot" / "transcripts" / f"{participant}.txt", PDPILOT_OPTIONS)
    pdf = read_quietly(shared_data / "pdpilot" / "original_pdf" / f"{participant}.pdf", PDPILOT_OPTIONS)
    total, dan, participant_turns = PDPILOT[participant]
    for transcript in (text, pdf):
        assert len(transcript.turns) == total
        assert transcript.speakers() == ("Dan", "Participant")
        assert sum(t.speaker == "Dan" and t.role == "interviewer" for t in transcript.turns) == dan
        assert sum(t.speaker == "Participant" for t in transcript.turns) == participant_turns
        check_offsets(transcript)
    assert [t.speaker for t in pdf.turns] == [t.speaker for t in text.turns]
    assert [pdf.turn_text(t).split() for t in pdf.turns] == [text.turn_text(t).split() for t in text.turns]


@pytest.mark.parametrize("name, problem", [
    ("code-system.pdf", "not a transcript: 66 of its 91 lines are short and not sentences"),
    ("coded-segments.pdf", "a table of coded segments, not a transcript"),
    ("protocol.pdf", "one word per line; not a transcript"),
])
def test_pdpilot_pdfs_that_are_not_transcripts_are_refused(shared_data, name, problem):
    with pytest.raises(TranscriptError, match=re.escape(f"{name}: ") + ".*" + re.escape(problem)):
        read_transcript(shared_data / "pdpilot" / "original_pdf" / name)


def words(transcript):
    return [w for t in transcript.turns for w in re.findall(r"[\w']+", transcript.turn_text(t).casefold())]


@pytest.mark.parametrize("episode", sorted(VOICES))
def test_metamuse_vtt_and_edited_text_agree(shared_data, episode):
    vtt = read_quietly(shared_data / "metamuse" / "vtt" / f"{episode}.vtt", ReadOptions(aliases=VOICES[episode]))
    edited = read_quietly(shared_data / "metamuse" / "edited" / f"{episode}.txt")
    runs = [[speaker for speaker, _ in groupby(t.speaker for t in x.turns)] for x in (vtt, edited)]
    assert runs[0] == runs[1]
    a, b = words(vtt), words(edited)
    matched = sum(block.size for block in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks())
    share = matched / max(len(a), len(b))
    assert share >= 0.98, f"{episode}: {share:.2%} of words match in order ({len(a)} vtt, {len(b)} edited)"


def interviewers(transcript):
    return sorted({t.speaker for t in transcript.turns if t.role == "interviewer"})


@pytest.mark.parametrize("participant", sorted(PDPILOT))
def test_pdpilot_interviewer_dan_is_found_without_any_option(shared_data, participant):
    for path in (shared_data / "pdpilot" / "transcripts" / f"{participant}.txt",
                 shared_data / "pdpilot" / "original_pdf" / f"{participant}.pdf"):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            transcript = read_transcript(path)
        total, dan, _ = PDPILOT[participant]
        assert transcript.speakers() == ("Dan", "Participant") and len(transcript.turns) == total
        assert interviewers(transcript) == ["Dan"]
        assert sum(t.role == "interviewer" for t in transcript.turns) == dan
        assert any("'Dan' read as the interviewer (asks in" in str(w.message) for w in caught)


def test_serdif_task_sheet_and_moderator_are_the_interviewer_side(shared_data):
    for path in sorted((shared_data / "serdif" / "transcripts").glob("*.txt")):
        transcript = read_quietly(path)
        assert set(transcript.speakers()) <= {"Interviewer", "Participant", "MODERATOR"}
        assert interviewers(transcript) == ["Interviewer", "MODERATOR"]
        assert sum(t.speaker == "Interviewer" for t in transcript.turns) == 41  # the task-sheet items
    for path in sorted((shared_data / "serdif" / "original").rglob("*.odt")):
        transcript = read_quietly(path)
        assert transcript.speakers() in (("Participant", "MODERATOR"), ("MODERATOR", "Participant"))
        assert interviewers(transcript) == ["MODERATOR"]


@pytest.mark.parametrize("name, interviewer", [
    ("exports/vtt/zoom-cloud-transcript__ethereum-pm__acde-2026-02-12_230_transcript.vtt", ["Ansgar Dietrichs"]),
    ("exports/txt/zoom-saved-captions__transcript-phase-coder__meeting_saved_closed_caption.txt", ["Experimenter"]),
])
def test_the_meeting_chair_or_experimenter_is_the_interviewer(shared_data, name, interviewer):
    assert interviewers(read_quietly(shared_data / name)) == interviewer


def test_podcast_hosts_are_the_interviewers_when_the_episodes_are_read_together(shared_data):
    # No host asks in a quarter of his turns, but the two hosts speak in every episode and each guest in one.
    from qualkit.readers import read_transcripts

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        episodes = {t.id: t for t in read_transcripts([shared_data / "metamuse" / "edited"])}
    for episode, guest in (("33-cities", "Devon Zuegel"), ("34-bring-your-own-client", "Geoffrey Litt"),
                           ("37-visual-programming", "Maggie Appleton")):
        assert interviewers(episodes[episode]) == ["Adam Wiggins", "Mark McGranaghan"]
        assert {t.speaker for t in episodes[episode].turns if t.role == "participant"} == {guest}
    # the hosts alone (no guest) stay as they were: no one would be left to be the participant
    assert interviewers(episodes["10-tools-for-thought"]) == []


@pytest.mark.parametrize("folder, transcripts, left_out", [
    ("pdpilot/original_pdf", 7, ["code-system.pdf", "coded-segments.pdf", "protocol.pdf"]),
    ("metamuse/edited", 4, []),
    ("serdif", 34, ["LICENSE", "README.md", "README.md", "README.md", "SERDIF_P2_ThematicAnalysis.sqlite3",
                    "SOURCE.txt", "all_tags_20220303.csv", "codebook.csv", "codebook_20220303_8.csv",
                    "coded_segments.csv", "swj2022-figures.py"]),
    ("exports", 6, ["README.md", "SHA256SUMS", "SOURCES.tsv", "ethereum-pm-LICENSE", "transcript-phase-coder-LICENSE",
                    "unstructured-LICENSE.md", "zoomGroupStats-LICENSE", "zoomGroupStats-LICENSE.md",
                    "zoomstudentengagement-LICENSE", "zoomstudentengagement-LICENSE.md"]),
])
def test_real_folders_are_read_recursively_and_their_notes_left_out(shared_data, folder, transcripts, left_out):
    from qualkit.ingest import ingest

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = ingest([shared_data / folder])
    assert len(report.files) == transcripts
    assert sorted(Path(p).name for p, _ in report.not_transcripts) == sorted(left_out)
