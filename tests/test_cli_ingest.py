"""`qualkit ingest` through click's CliRunner."""

from __future__ import annotations

import csv

import pytest

from click.testing import CliRunner

from qualkit.cli import main
from tests.conftest import FIXTURES, STUDY


def test_ingest_prints_speakers_and_writes_turns(tmp_path):
    turns = tmp_path / "turns.csv"
    result = CliRunner().invoke(main, ["ingest", str(STUDY / "transcripts"), "--turns", str(turns)])
    assert result.exit_code == 0, result.output
    assert "A01 (participant): 2 turns, 31 words" in result.output
    assert "Interviewer (interviewer): 2 turns" in result.output
    rows = list(csv.DictReader(turns.open(encoding="utf-8")))
    assert [r["speaker"] for r in rows if r["transcript"] == "B01"] == ["Interviewer", "B01", "Interviewer", "B01"]
    assert rows[1]["text"] == "Yes. I felt isolated after the operation, on my own most days.\nIt was hard."


def test_ingest_lists_every_bad_file_and_exits_1(tmp_path):
    (tmp_path / "a.txt").write_text("")
    (tmp_path / "b.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    (tmp_path / "c.txt").write_text("Interviewer: Hello?\nParticipant: Hi.\n")
    result = CliRunner().invoke(main, ["ingest", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "Error: 2 files cannot be read (nothing was written; --skip-bad reads the rest):",
        f"{tmp_path / 'a.txt'}: file is empty",
        f"{tmp_path / 'b.doc'}: an old binary Word file (.doc), which qualkit cannot read: open it in Word or "
        "LibreOffice and save it as .docx"]


def test_code_stops_on_a_bad_transcript_and_leaves_no_output(tmp_path):
    folder = tmp_path / "interviews"
    folder.mkdir()
    for name in ("A01.txt", "B01.txt"):
        (folder / name).write_text((STUDY / "transcripts" / name).read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "Z01.txt").write_bytes(b"\x00\x01binary")
    out = tmp_path / "coded"
    result = CliRunner().invoke(main, ["code", str(folder), "--codebook", str(STUDY / "codebook.yaml"),
                                       "--out", str(out)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        f"Error: {folder / 'Z01.txt'}: binary file, not a transcript")
    assert not out.exists()


@pytest.mark.parametrize("command", [["code", "-o", "coded", "--jobs", "1"], ["code", "-o", "coded", "--jobs", "2"],
                                     ["run", "-a", "", "--group-by", "title", "--out", "report", "-t"]])
def test_a_readers_warning_reaches_the_user(tmp_path, monkeypatch, command):
    folder = tmp_path / "interviews"
    folder.mkdir()
    (folder / "W01.txt").write_bytes(b"Interviewer: Caf\xe9?\nW01: I felt isolated, na\xefve.\n")
    (folder / "A01.txt").write_text((STUDY / "transcripts" / "A01.txt").read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    args = [*command, str(folder), "-c", str(STUDY / "codebook.yaml")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert f"warning: {folder / 'W01.txt'}, line 1: not UTF-8; read as Windows-1252" in result.output


def test_a_folders_attribute_sheet_is_not_read_as_a_transcript_but_an_utterance_table_is(tmp_path):
    folder = tmp_path / "interviews"
    folder.mkdir()
    (folder / "A01.txt").write_text((STUDY / "transcripts" / "A01.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "participants.csv").write_text((STUDY / "participants.csv").read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "focus.csv").write_text("transcript,speaker,text\nF01,Interviewer,Hello?\nF01,F01,Hi there.\n",
                                      encoding="utf-8")
    result = CliRunner().invoke(main, ["ingest", str(folder)])
    assert result.exit_code == 0, result.output
    assert "2 transcript(s) read, 1 file(s) left out as not transcripts" in result.output
    assert f"left out {folder / 'participants.csv'}: a sheet without speaker and text columns (attributes?)" \
        in result.output
    assert "focus.csv [csv] F01: 2 turns" in result.output


DAN = "".join(f"Dan: What about point {n}?\nParticipant: I felt isolated and lonely after the move, on my own most "
              f"days, point {n}.\n" for n in range(4))


@pytest.mark.parametrize("command", [["ingest"], ["code", "-c", str(STUDY / "codebook.yaml"), "-o", "coded"],
                                     ["themes", "--k", "2"]])
def test_the_readers_speaker_warning_is_printed_once_by_every_command(tmp_path, monkeypatch, command):
    folder = tmp_path / "interviews"
    folder.mkdir()
    for name in ("A01.txt", "B01.txt"):
        (folder / name).write_text((STUDY / "transcripts" / name).read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "D01.txt").write_text(DAN, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, [command[0], str(folder), *command[1:]])
    assert result.exit_code == 0, result.output
    expected = (f"{folder / 'D01.txt'}: no label names the interviewer; 'Dan' read as the interviewer (asks in 100% of "
                "4 turns, 4 words a turn, against 0% and 15 words for the others); use --interviewer to choose another")
    assert result.output.count(expected) == 1


def test_ctrl_c_prints_one_line_exits_130_and_leaves_the_previous_output(tmp_path, monkeypatch):
    turns = tmp_path / "turns.csv"
    turns.write_text("previous good output\n")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("qualkit.ingest.ingest", interrupted)
    result = CliRunner().invoke(main, ["ingest", str(STUDY / "transcripts"), "--turns", str(turns)])
    assert result.exit_code == 130
    assert result.output.strip().splitlines() == [
        "interrupted: stopped before finishing; nothing new was written and earlier output is unchanged"]
    assert "Traceback" not in result.output
    assert turns.read_text() == "previous good output\n"


def test_themes_json_into_a_missing_folder_is_written_and_an_unwritable_one_is_one_error(tmp_path):
    themes = [str(FIXTURES / "themes" / "transcripts"), "--interviewer", "Interviewer", "--k", "3"]
    out = tmp_path / "new" / "folder" / "themes.json"
    result = CliRunner().invoke(main, ["themes", *themes, "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("{")
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = CliRunner().invoke(main, ["themes", *themes, "--json", str(blocker / "themes.json")])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == f"Error: {blocker / 'themes.json'}: cannot write: {blocker} is a file, not a folder"


def test_warnings_are_printed_once_and_grouped_by_file(capsys):
    from qualkit.cli.common import echo_warnings

    echo_warnings(["/d/a.txt: first about a", "/d/b.txt, line 3: about b", "/d/a.txt, line 9: second about a",
                   "/d/b.txt, line 3: about b", "too few units"])
    assert capsys.readouterr().err.splitlines() == [
        "warning: /d/a.txt: first about a", "warning: /d/a.txt, line 9: second about a",
        "warning: /d/b.txt, line 3: about b", "warning: too few units"]


def test_ingest_shows_the_cover_block_it_kept_as_attributes():
    result = CliRunner().invoke(main, ["ingest", str(FIXTURES / "transcripts" / "labels" / "cover_block.txt")])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1:5] == [
        "  JS (interviewer): 2 turns, 6 words", "  BJ (participant): 2 turns, 5 words",
        "  attributes: project: Allotments; date: 3 May 2019; interviewer: Jane Smith; narrator: Bob Jones; "
        "duration: 45 min",
        "  preamble: 18 words before the first turn"]
