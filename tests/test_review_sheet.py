"""The review as a spreadsheet: export, a filled-in import, and every problem an import refuses (with its
exact message, and the study unchanged)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from qualkit.cli import main
from qualkit.errors import ReviewError
from qualkit.review import MANUAL_COLUMNS, SEGMENT_COLUMNS, export_review, import_review
from qualkit.store import open_study
from tests.test_review_support import dump, find, review_template, study_dir  # noqa: F401  (fixtures)


def rows(sheet_path: Path, name: str = "segments") -> list[dict]:
    sheet = load_workbook(sheet_path)[name]
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], row)) for row in values[1:]]


def fill(sheet_path: Path, edits: dict[int, dict], manual: list[dict] | None = None) -> Path:
    """Write edits into an exported sheet: {row number (2 = first data row): {column: value}}."""
    book = load_workbook(sheet_path)
    sheet = book["segments"]
    header = [c.value for c in sheet[1]]
    for number, changes in edits.items():
        for column, value in changes.items():
            sheet.cell(row=number, column=header.index(column) + 1, value=value)
    for row in manual or []:
        book["manual"].append([row.get(c) for c in MANUAL_COLUMNS])
    book.save(sheet_path)
    return sheet_path


def row_of(sheet_path: Path, text: str, code_id: str) -> int:
    for number, row in enumerate(rows(sheet_path), start=2):
        if row["text"].replace("«", "").replace("»", "").startswith(text) and row["code_id"] == code_id:
            return number
    raise AssertionError(f"no row for {text!r} / {code_id}")


def assert_refused(study: Path, sheet_path: Path, message: str) -> None:
    """Importing the sheet fails with exactly ``message`` and writes nothing to the study."""
    before = dump(study)
    with pytest.raises(ReviewError) as raised:
        import_review(study, sheet_path, coder="bob")
    assert str(raised.value) == message
    assert dump(study) == before


@pytest.fixture()
def exported(study_dir: Path, tmp_path: Path) -> Path:
    out = tmp_path / "review.xlsx"
    assert export_review(study_dir, out, coder="bob") == 12
    return out


def test_export_has_exactly_the_issue_columns_and_one_row_per_automatic_segment(exported, study_dir):
    book = load_workbook(exported)
    assert book.sheetnames == ["segments", "manual"]
    assert [c.value for c in book["segments"][1]] == SEGMENT_COLUMNS == [
        "segment_id", "transcript", "speaker", "code_id", "code_path", "text", "context", "decision", "recode_to",
        "memo"]
    assert [c.value for c in book["manual"][1]] == MANUAL_COLUMNS == ["transcript", "code_id", "quote", "start",
                                                                        "end", "memo"]
    first = rows(exported)[0]
    segment = find(study_dir, "I felt isolated")
    assert first == {
        "segment_id": segment["segment_id"], "transcript": "R01", "speaker": "R01", "code_id": "isolation",
        "code_path": "Wellbeing > Isolation", "text": "I «felt isolated» after the move.",
        "context": "I felt isolated after the move. The paperwork for the new flat never stopped. "
                   "🙂 Our link worker helped with the housing forms.",
        "decision": None, "recode_to": None, "memo": None}


def test_a_filled_in_sheet_records_every_kind_of_decision_under_its_coder(exported, study_dir):
    fill(exported, {row_of(exported, "I felt isolated", "isolation"): {"decision": "accept"},
                    row_of(exported, "People feel isolated", "isolation"): {"decision": "Reject ", "memo": "bus"},
                    row_of(exported, "The paperwork for the new", "paperwork"): {"recode_to": "targets"},
                    row_of(exported, "The targets at work", "targets"): {"memo": "a memo alone"}},
         manual=[{"transcript": "R01", "code_id": "support", "quote": "My neighbour checks on me every day"},
                 {"transcript": "R02", "code_id": "targets", "start": 107, "end": 132, "memo": "hours"}])
    done = import_review(study_dir, exported, coder="bob")
    assert (done.accepted, done.rejected, done.recoded, done.memos, done.manual, done.unchanged) == (1, 1, 1, 2, 2, 0)
    assert find(study_dir, "I felt isolated")["status"] == "accepted"
    rejected = find(study_dir, "People feel isolated")
    assert (rejected["status"], rejected["memo"], rejected["decided_by"]) == ("rejected", "bus", "bob")
    assert find(study_dir, "The paperwork for the new", "paperwork")["recode_to"] == "targets"
    assert find(study_dir, "The targets at work")["memo"] == "a memo alone"
    with open_study(study_dir) as study:
        manual = [(s["transcript_id"], s["code_id"], s["text"], s["decided_by"])
                  for s in study.segments(status="manual")]
    assert manual == [("R01", "support", "My neighbour checks on me every day", "bob"),
                      ("R02", "targets", "The paperwork took hours.", "bob")]


def test_importing_the_same_sheet_twice_changes_nothing_the_second_time(exported, study_dir):
    fill(exported, {2: {"decision": "accept", "memo": "once"}},
         manual=[{"transcript": "R02", "code_id": "support", "quote": "we find support nearby"}])
    import_review(study_dir, exported, coder="bob")
    before = dump(study_dir)
    again = import_review(study_dir, exported, coder="bob")
    assert (again.accepted, again.memos, again.manual, again.unchanged) == (0, 0, 0, 1)
    assert dump(study_dir) == before


def test_an_import_that_fails_while_writing_leaves_the_study_unchanged(exported, study_dir, monkeypatch):
    # Validation passed, then the last write failed (a full disk, a killed process): the decisions already
    # made by this import must not stay behind on their own.
    from qualkit.errors import StoreError
    from qualkit.store import Study

    fill(exported, {2: {"decision": "accept"}, 3: {"decision": "reject"}},
         manual=[{"transcript": "R02", "code_id": "support", "quote": "we find support nearby"}])
    before = dump(study_dir)

    def failing(*args, **kwargs):
        raise StoreError("disk full")

    monkeypatch.setattr(Study, "add_manual", failing)
    with pytest.raises(StoreError, match="disk full"):
        import_review(study_dir, exported, coder="bob")
    assert dump(study_dir) == before


def test_export_for_a_coder_holds_that_coders_decisions(study_dir, tmp_path):
    segment = find(study_dir, "We had a target")
    with open_study(study_dir) as study:
        study.decide(segment["segment_id"], "recode", coder="bob", recode_to="paperwork", memo="months")
        study.decide(find(study_dir, "The targets at work")["segment_id"], "reject", coder="carol")
    export_review(study_dir, tmp_path / "bob.xlsx", coder="bob")
    by_id = {row["segment_id"]: row for row in rows(tmp_path / "bob.xlsx")}
    assert (by_id[segment["segment_id"]]["decision"], by_id[segment["segment_id"]]["recode_to"],
            by_id[segment["segment_id"]]["memo"]) == (None, "paperwork", "months")
    assert by_id[find(study_dir, "The targets at work")["segment_id"]]["decision"] is None


# Each bad sheet: the edits that make it bad, and the one line the import answers with.
BAD_SEGMENTS = [
    ({"segment_id": "s000"}, "row 2: unknown segment id 's000'"),
    ({"text": "I felt isolated."}, "row 2: column 'text' was edited; it is read-only "
                                   "(write only in decision, recode_to and memo)"),
    ({"code_id": "support"}, "row 2: column 'code_id' was edited; it is read-only "
                             "(write only in decision, recode_to and memo)"),
    ({"context": "something else"}, "row 2: column 'context' was edited; it is read-only "
                                    "(write only in decision, recode_to and memo)"),
    ({"transcript": "R02"}, "row 2: column 'transcript' was edited; it is read-only "
                            "(write only in decision, recode_to and memo)"),
    ({"speaker": "Interviewer"}, "row 2: column 'speaker' was edited; it is read-only "
                                 "(write only in decision, recode_to and memo)"),
    ({"code_path": "Wellbeing"}, "row 2: column 'code_path' was edited; it is read-only "
                                 "(write only in decision, recode_to and memo)"),
    ({"decision": "maybe"}, "row 2: decision 'maybe' is not accept, reject or empty"),
    ({"recode_to": "nosuch"}, "row 2: unknown code id 'nosuch' in recode_to"),
    ({"recode_to": "isolation"}, "row 2: recode_to 'isolation' is the segment's own code"),
    ({"decision": "reject", "recode_to": "support"}, "row 2: decision reject and a recode_to: leave one of them empty"),
]


@pytest.mark.parametrize("edits,message", BAD_SEGMENTS, ids=[m.split(": ", 1)[1][:30] for _, m in BAD_SEGMENTS])
def test_a_bad_segments_row_is_refused_with_one_line_and_the_study_unchanged(exported, study_dir, edits, message):
    # A good decision on a later row must not be written either.
    fill(exported, {2: edits, 5: {"decision": "accept"}})
    assert_refused(study_dir, exported, f"review.xlsx, sheet segments, {message}")


def test_a_segment_listed_twice_is_refused(exported, study_dir):
    first = rows(exported)[0]["segment_id"]
    fill(exported, {3: {**{c: v for c, v in rows(exported)[0].items() if c in SEGMENT_COLUMNS[:7]}}})
    assert_refused(study_dir, exported, f"review.xlsx, sheet segments, row 3: segment '{first}' is already on row 2")


BAD_MANUAL = [
    ({"transcript": "R99", "code_id": "support", "quote": "help"}, "unknown transcript 'R99'"),
    ({"transcript": "R01", "code_id": "nosuch", "quote": "move"}, "unknown code id 'nosuch'"),
    ({"transcript": "R01", "code_id": "support", "memo": "no place"}, "give a quote or start and end"),
    ({"transcript": "R01", "code_id": "support", "quote": "a sentence nobody said"},
     "quote not found in transcript 'R01'"),
    ({"transcript": "R01", "code_id": "support", "quote": "lonely hearts club"},
     "quote found 2 times in transcript 'R01': give start and end instead"),
    ({"transcript": "R02", "code_id": "support", "start": 10, "end": 5},
     "start and end must be whole numbers with 0 <= start < end <= 282 (got start '10', end '5')"),
    ({"transcript": "R02", "code_id": "support", "start": "x", "end": 5},
     "start and end must be whole numbers with 0 <= start < end <= 282 (got start 'x', end '5')"),
    ({"transcript": "R02", "code_id": "support", "quote": "hours", "start": 107, "end": 132},
     "the quote is not the text at 107-132 of transcript 'R02'"),
]


@pytest.mark.parametrize("row,message", BAD_MANUAL, ids=[m[:30] for _, m in BAD_MANUAL])
def test_a_bad_manual_row_is_refused_with_one_line_and_the_study_unchanged(exported, study_dir, row, message):
    fill(exported, {2: {"decision": "accept"}}, manual=[{"transcript": "R01", "code_id": "support", "quote": "move"}, row])
    assert_refused(study_dir, exported, f"review.xlsx, sheet manual, row 3: {message}")


def test_a_sheet_without_its_columns_or_sheets_is_refused(study_dir, tmp_path):
    book = Workbook()
    book.active.title = "decisions"
    book.save(tmp_path / "other.xlsx")
    with pytest.raises(ReviewError, match=r"^other.xlsx: no sheet 'segments' \(sheets: decisions\)$"):
        import_review(study_dir, tmp_path / "other.xlsx", coder="bob")
    book.active.title = "segments"
    book.active.append(SEGMENT_COLUMNS[:-1])
    book.save(tmp_path / "other.xlsx")
    with pytest.raises(ReviewError, match=r"^other.xlsx, sheet segments: missing column 'memo'$"):
        import_review(study_dir, tmp_path / "other.xlsx", coder="bob")
    (tmp_path / "broken.xlsx").write_text("not a workbook")
    with pytest.raises(ReviewError, match=r"^broken.xlsx: not an .xlsx workbook \(BadZipFile: "):
        import_review(study_dir, tmp_path / "broken.xlsx", coder="bob")


def test_review_export_and_import_commands(study_dir, tmp_path):
    out = tmp_path / "sheet.xlsx"
    runner = CliRunner()
    result = runner.invoke(main, ["review", "export", str(study_dir), "--out", str(out), "--coder", "dana"])
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote {out}: 12 segments to review (decisions shown are dana's).\n"
    fill(out, {2: {"decision": "accept"}, 3: {"decision": "reject"}})
    result = runner.invoke(main, ["review", "import", str(study_dir), str(out), "--coder", "dana"])
    assert result.exit_code == 0, result.output
    assert result.output == (f"Imported {out} as dana: 1 accepted, 1 rejected, 0 recoded, 0 manual codings, 0 memos; "
                             "0 rows already recorded.\n")
    fill(out, {4: {"decision": "perhaps"}})
    result = runner.invoke(main, ["review", "import", str(study_dir), str(out), "--coder", "dana"])
    assert result.exit_code == 1
    assert result.output == "Error: sheet.xlsx, sheet segments, row 4: decision 'perhaps' is not accept, reject or empty\n"


@pytest.mark.parametrize("args,message", [
    (["review", "import", "{study}", "{sheet}", "--coder", "9lives"],
     "Error: unknown coder name format: '9lives' (a letter, then up to 39 letters, digits, '_', '.' or '-')\n"),
    (["review", "export", "{tmp}", "--out", "{sheet}", "--coder", "dana"], "Error: {tmp}: not a qualkit study folder "
     "(no study.sqlite; make one with 'qualkit study init')\n"),
    (["review", "export", "{study}", "--out", "{tmp}/sheet.csv", "--coder", "dana"],
     "Error: {tmp}/sheet.csv: the review sheet is written as .xlsx\n"),
])
def test_review_commands_refuse_bad_input_with_one_line(study_dir, tmp_path, args, message):
    names = {"study": str(study_dir), "sheet": str(tmp_path / "sheet.xlsx"), "tmp": str(tmp_path)}
    if "import" in args:
        export_review(study_dir, tmp_path / "sheet.xlsx", coder="dana")
    result = CliRunner().invoke(main, [a.format(**names) for a in args])
    assert (result.exit_code, result.output) == (1, message.format(**names))
