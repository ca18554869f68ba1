"""Survey free text: tables of responses (CSV, XLSX, Parquet) read streaming, one participant turn each."""

from __future__ import annotations

import csv
import tracemalloc
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualkit.cli import main
from qualkit.errors import TranscriptError
from qualkit.readers import SurveyColumns, SurveyReport, plan_survey, read_survey

ROOT = Path(__file__).resolve().parents[1]
SURVEY = ROOT / "tests" / "fixtures" / "survey"
CODEBOOK = SURVEY / "sample_codebook.yaml"
COLUMNS = SurveyColumns("comment", "response_id")


def responses(path: Path, columns: SurveyColumns = COLUMNS) -> tuple[list, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        found = list(read_survey(path, columns))
    return found, [str(w.message) for w in caught]


def test_each_response_is_one_participant_turn_with_offsets_into_its_text():
    found, _ = responses(SURVEY / "responses.csv")
    assert [t.id for t in found] == ["R001", "R002", "R004", "R007"]
    lonely = found[2]
    assert lonely.text == ("I felt lonely after my husband died,\n"
                           "and the group at the community centre gave me somewhere to go.")
    (turn,) = lonely.turns
    assert (turn.role, turn.speaker, lonely.turn_text(turn)) == ("participant", "R004", lonely.text)
    assert dict(lonely.attributes) == {"site": "Eastbrook", "date": "2025-03-02", "question": "What could we do better?"}


@pytest.mark.parametrize("name, message", [
    ("responses.csv", "responses.csv: 4 rows left out: 2 with empty text (rows 4, 9); 1 with a duplicate id (row 6); "
                      "1 with undecodable bytes (not UTF-8) (row 7)"),
    ("responses.xlsx", "responses.xlsx: 3 rows left out: 2 with empty text (rows 4, 9); 1 with a duplicate id (row 6)"),
    ("responses.parquet", "responses.parquet: 4 rows left out: 3 with empty text (rows 4, 7, 9); "
                          "1 with a duplicate id (row 6)"),
])
def test_bad_rows_are_counted_and_reported_never_silently_dropped(name: str, message: str):
    _, caught = responses(SURVEY / name)
    assert [m.split("/")[-1] for m in caught] == [message]


def test_the_three_formats_give_the_same_responses():
    texts = {name: [t.text for t in responses(SURVEY / name)[0]] for name in
             ("responses.csv", "responses.xlsx", "responses.parquet")}
    assert texts["responses.parquet"] == texts["responses.csv"]
    # the workbook's row 7 is readable text (the CSV's holds bytes that are not UTF-8)
    assert texts["responses.xlsx"] == texts["responses.csv"][:3] + ["café was cold"] + texts["responses.csv"][3:]


def test_a_missing_column_is_one_error_naming_the_file_and_its_columns():
    with pytest.raises(TranscriptError) as error:
        list(read_survey(SURVEY / "responses.csv", SurveyColumns("Comments", "response_id")))
    assert str(error.value) == (f"{SURVEY / 'responses.csv'}: no column 'Comments' (--text-column) (did you mean 'comment'?); its columns are "
                                "'response_id', 'site', 'date', 'question', 'comment'")


def test_without_an_id_column_rows_number_the_responses(tmp_path: Path):
    path = tmp_path / "fft.csv"
    path.write_text("comment,ward\nVery kind staff,A3\nToo long a wait,B1\n", encoding="utf-8")
    found, caught = responses(path, SurveyColumns("comment"))
    assert [(t.id, t.text, dict(t.attributes)) for t in found] == [
        ("fft-2", "Very kind staff", {"ward": "A3"}), ("fft-3", "Too long a wait", {"ward": "B1"})]
    assert caught == []


@pytest.mark.parametrize("name", ["responses.csv", "responses.xlsx", "responses.parquet"])
def test_parts_of_a_table_read_the_same_responses_as_the_whole(name: str):
    whole, _ = responses(SURVEY / name)
    planned = SurveyReport()
    parts = plan_survey(SURVEY / name, COLUMNS, 2, report=planned)
    assert len(parts) >= 3 and planned.left_out == {"duplicate": 1}
    pieces = [t for part in parts for t in read_survey(SURVEY / name, COLUMNS, part=part, report=SurveyReport())]
    assert [(t.id, t.text) for t in pieces] == [(t.id, t.text) for t in whole]


def test_a_large_csv_is_streamed_not_loaded(tmp_path: Path):
    path = tmp_path / "big.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "site"])
        writer.writerows((f"The nurse was kind and the wait was short ({n}).", "A") for n in range(60_000))
    size = path.stat().st_size
    tracemalloc.start()
    try:
        count = sum(1 for _ in read_survey(path, SurveyColumns("text")))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 60_000
    assert peak < size / 4, f"reading a {size:,} byte table peaked at {peak:,} bytes"


def test_qualkit_code_codes_a_survey_table(tmp_path: Path):
    result = CliRunner().invoke(main, ["code", str(SURVEY / "responses.csv"), "-c", str(CODEBOOK), "-o", str(tmp_path),
                                       "--text-column", "comment", "--id-column", "response_id"])
    assert result.exit_code == 0, result.output
    assert "Coded 4 responses (65 words)" in result.output
    assert "Left out 4 rows (2 empty, 1 duplicate, 1 undecodable); see the warnings above." in result.output
    rows = list(csv.DictReader((tmp_path / "coded_segments.csv").open(encoding="utf-8")))
    lonely = next(r for r in rows if r["code_id"] == "isolation")
    assert (lonely["transcript"], lonely["start"], lonely["end"], lonely["matched"], lonely["match_offsets"]) == \
        ("R004", "0", "99", "lonely", "7-13")
    negated = list(csv.DictReader((tmp_path / "negated_hits.csv").open(encoding="utf-8")))
    assert [(r["transcript"], r["text"], r["reason"]) for r in negated] == [("R007", "isolated", "negated by 'never'")]


def test_qualkit_code_names_a_missing_column(tmp_path: Path):
    result = CliRunner().invoke(main, ["code", str(SURVEY / "responses.csv"), "-c", str(CODEBOOK), "-o",
                                       str(tmp_path / "out"), "--text-column", "answer"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        f"Error: {SURVEY / 'responses.csv'}: no column 'answer' (--text-column); its columns are 'response_id', "
        "'site', 'date', 'question', 'comment'")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("out, problem", [
    ("{file}/sub", "is a file, not a folder; cannot write the coding to"),
    ("/proc/qualkit-cannot-write-here", "cannot make the output folder"),
])
def test_an_output_folder_that_cannot_be_written_is_one_line(tmp_path: Path, out: str, problem: str):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = CliRunner().invoke(main, ["code", str(SURVEY / "responses.csv"), "-c", str(CODEBOOK), "-o",
                                       out.format(file=blocker), "--text-column", "comment"])
    assert result.exit_code == 1
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("Error: ") and problem in last and "Traceback" not in result.output


def test_two_processes_code_a_survey_table_like_one(tmp_path: Path):
    from qualkit.coding import code_corpus_files

    table = tmp_path / "fft.csv"
    with table.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "comment"])
        writer.writerows((f"R{n}", ["I felt lonely and isolated", "The GP referred me to a group",
                                    "Nothing to add", "I never felt isolated"][n % 4]) for n in range(1_500))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        one = code_corpus_files([table], CODEBOOK, tmp_path / "one", text_column="comment", id_column="id")
        two = code_corpus_files([table], CODEBOOK, tmp_path / "two", jobs=2, text_column="comment", id_column="id")
    assert one.segments > 700 and (one.segments, one.negated) == (two.segments, two.negated)
    for name in ("coded_segments.csv", "negated_hits.csv", "vetoed_hits.csv"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_a_pool_codes_parts_of_tables_like_one_process_with_the_same_rows_left_out(tmp_path: Path, monkeypatch):
    """With --jobs each worker reads its own part of a table: duplicate ids are found across parts and
    tables before any is coded, empty rows are counted in the part that holds them, and the outputs, the
    counts and each table's warning equal one process's."""
    from qualkit.coding import code_corpus_files

    monkeypatch.setitem(code_corpus_files.__globals__, "POOL_PART_ROWS", 7)  # several parts per table
    said = ["I felt lonely and isolated", "The GP referred me to a group", "", "I never felt isolated"]
    tables = [tmp_path / "march.csv", tmp_path / "april.csv"]
    for number, table in enumerate(tables):
        with table.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "site", "comment"])
            writer.writerows((f"R{n % 40}", "Northfield", said[n % 4]) for n in range(number * 30, number * 30 + 50))
    runs = {}
    for jobs in (1, 2):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            summary = code_corpus_files(tables, CODEBOOK, tmp_path / str(jobs), jobs=jobs, text_column="comment",
                                        id_column="id")
        runs[jobs] = summary, sorted(str(w.message) for w in caught)
    (one, one_said), (two, two_said) = runs[1], runs[2]
    assert one.left_out == two.left_out == {"empty": 25, "duplicate": 45}
    assert (one.transcripts, one.words, one.segments, one.negated) == (two.transcripts, two.words, two.segments, two.negated)
    assert one_said == two_said and len(one_said) == 2
    assert one_said[0].startswith(f"{tables[1]}: 50 rows left out: 13 with empty text (rows 2, 6, 10, 14, 18, ...)")
    for name in ("coded_segments.csv", "negated_hits.csv", "vetoed_hits.csv"):
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes()


def test_a_pool_reads_a_workbook_in_one_run_of_rows_per_worker(tmp_path: Path, monkeypatch):
    """openpyxl reads a sheet from the top down to the rows asked for, so a workbook is split into one run
    of rows per worker (not many small parts, each read from the top), with the same outputs."""
    from openpyxl import Workbook

    from qualkit.coding import code_corpus_files

    monkeypatch.setitem(code_corpus_files.__globals__, "POOL_PART_ROWS", 5)
    book = Workbook()
    book.active.append(["id", "comment"])
    for n in range(60):
        book.active.append([f"R{n % 50}", ["I felt lonely and isolated", "", "The GP referred me"][n % 3]])
    book.save(tmp_path / "fft.xlsx")
    seen: list[int] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        one = code_corpus_files([tmp_path / "fft.xlsx"], CODEBOOK, tmp_path / "1", text_column="comment", id_column="id")
        two = code_corpus_files([tmp_path / "fft.xlsx"], CODEBOOK, tmp_path / "2", jobs=2, text_column="comment",
                                id_column="id", progress=lambda chunks, n: seen.append(n) or chunks)
    assert seen == [2]
    assert one.left_out == two.left_out and one.left_out["empty"] == 20
    for name in ("coded_segments.csv", "negated_hits.csv", "vetoed_hits.csv"):
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes()


def test_a_survey_table_given_without_text_column_says_how_to_read_it(tmp_path: Path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["code", str(SURVEY / "responses.csv"), "--codebook", str(CODEBOOK),
                                       "--out", str(out)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {SURVEY / 'responses.csv'}: cannot tell which column holds the speaker "
                                    "(columns: response_id, site, date, question, comment)")
    assert result.output.rstrip().endswith("(a table of survey responses, one a row, is read with --text-column COLUMN)")
    assert not out.exists()
