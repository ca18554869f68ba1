"""Reading folders: bad files listed together or skipped, per-file summaries, the turns table, attributes."""

from __future__ import annotations

import re
import shutil
import warnings

import pandas as pd
import pytest

from qualkit.attributes import join_attributes, read_attributes
from qualkit.errors import ReportError, TranscriptError
from qualkit.ingest import TURN_COLUMNS, format_report, ingest, parquet_available, write_turns
from qualkit.readers import ReadOptions, read_transcripts, read_transcripts_report
from tests.test_readers_support import FIXTURES


@pytest.fixture()
def folder(tmp_path):
    """A study folder with three good transcripts and three bad files."""
    for name in ("rev_timed.txt", "teams.vtt", "typed_bold.docx", "empty.txt", "binary.txt", "corrupt.docx"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    return tmp_path


def test_bad_files_are_listed_together_before_anything_is_returned(folder):
    with pytest.raises(TranscriptError) as error:
        ingest([folder])
    lines = str(error.value).splitlines()
    assert lines[0] == "3 files cannot be read (nothing was written; --skip-bad reads the rest):"
    assert [line.split(": ")[0] for line in lines[1:]] == [str(folder / n) for n in ("binary.txt", "corrupt.docx", "empty.txt")]


def test_skip_bad_returns_the_good_and_reports_the_skipped(folder):
    report = ingest([folder], skip_bad=True)
    assert [f.transcript for f in report.files] == ["rev_timed", "teams", "typed_bold"]
    assert [path for path, _ in report.skipped] == [str(folder / n) for n in ("binary.txt", "corrupt.docx", "empty.txt")]
    text = format_report(report)
    assert f"skipped {folder / 'empty.txt'}: file is empty" in text
    assert text.endswith("3 transcript(s) read, 3 file(s) skipped")


def test_read_transcripts_skip_bad_warns_per_file(folder):
    with pytest.warns(UserWarning, match="skipped .*empty.txt: file is empty"):
        transcripts = read_transcripts([folder], skip_bad=True)
    assert len(transcripts) == 3
    assert len(read_transcripts_report([folder], skip_bad=True).skipped) == 3


def test_summary_gives_format_speakers_turns_words_and_warnings():
    report = ingest([FIXTURES / "zoom_renamed.txt", FIXTURES / "rev_timed.txt"],
                    ReadOptions(aliases={"Speaker 1": "Host"}, interviewer_labels=("Host",)))
    zoom, rev = report.files
    assert zoom.format == "vtt" and any("content is vtt" in w for w in zoom.warnings)
    assert [(s.speaker, s.turns, s.words) for s in zoom.speakers] == [("Anna Berg", 1, 6), ("TOM HUNT", 1, 2)]
    assert [(s.speaker, s.role, s.turns) for s in rev.speakers] == [("Host", "interviewer", 2), ("Speaker 2", "participant", 1)]
    assert "  Host (interviewer): 2 turns, 16 words" in format_report(report)


def test_a_speaker_used_once_among_many_turns_is_flagged(tmp_path):
    path = tmp_path / "typo.txt"
    path.write_text("".join(f"Dan: q{n}?\nParticipant: a{n}\n" for n in range(10)) + "Particpant: one more\n")
    (summary,) = ingest([path]).files
    assert f"{path}, line 21: label 'Particpant' is used once and is read as 'Participant' (a likely typo; " \
           "map it in an alias file if not)" in summary.warnings
    assert [(s.speaker, s.role, s.turns) for s in summary.speakers] == [("Dan", "interviewer", 10),
                                                                        ("Participant", "participant", 11)]


def test_turns_table_csv(tmp_path):
    report = ingest([FIXTURES / "utterances.csv"])
    out = write_turns(report.transcripts, tmp_path / "out" / "turns.csv")
    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(table.columns) == TURN_COLUMNS
    assert table[["transcript", "turn", "speaker"]].values.tolist()[:2] == [["HT01", "0", "Dana Brook"], ["HT01", "1", "Participant"]]
    first = report.transcripts[0]
    row = table.iloc[1]
    assert first.text[int(row["start"]):int(row["end"])] == row["text"]


def test_turns_table_refuses_unknown_extension(tmp_path):
    with pytest.raises(ReportError, match=r"turns.xls: unknown turns table format '.xls' \(use .csv or .parquet\)"):
        write_turns([], tmp_path / "turns.xls")


def test_parquet_without_pyarrow_says_what_to_do(tmp_path, monkeypatch):
    # pyarrow is in the test extra; hide it, as on a machine that lacks it.
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "pyarrow" else real(name, *a))
    assert not parquet_available()
    with pytest.raises(ReportError, match=r"turns.parquet: writing .parquet needs pyarrow \(pip install pyarrow\)"):
        write_turns([], tmp_path / "turns.parquet")
    assert not (tmp_path / "turns.parquet").exists()


@pytest.mark.skipif(not parquet_available(), reason="pyarrow is not installed")
def test_turns_table_as_parquet_reads_back(tmp_path):
    import pandas as pd

    transcripts = list(ingest([FIXTURES / "rev_timed.txt"]).transcripts)
    path = write_turns(transcripts, tmp_path / "turns.parquet")
    table = pd.read_parquet(path)
    assert len(table) == len(transcripts[0].turns)
    first = transcripts[0].turns[0]
    assert table.iloc[0]["text"] == transcripts[0].text[first.start:first.end]


def test_attributes_from_sheet_keyed_by_file_name_and_reports_of_unmatched(tmp_path):
    sheet = tmp_path / "people.csv"
    sheet.write_text("id,site\nrev_timed,Leeds\nZZ9,York\n")
    transcripts = [t for t in ingest([FIXTURES / "rev_timed.txt", FIXTURES / "front_matter.md"]).transcripts]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        joined = join_attributes(transcripts, read_attributes(sheet), str(sheet))
    assert joined[0].attributes == {"site": "Leeds"}
    assert joined[1].attributes == {"site": "Leeds"}  # from its front matter
    messages = [str(w.message) for w in caught]
    assert f"{sheet}: no row for transcript 'LW07'" in messages
    assert f"{sheet}: row 'ZZ9' matches no transcript" in messages


def test_turns_table_under_a_file_is_one_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ReportError, match=re.escape(f"{blocker / 'turns.csv'}: cannot write turns table: {blocker} is a "
                                                    "file, not a folder")):
        write_turns([], blocker / "turns.csv")
