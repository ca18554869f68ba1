"""`qualkit run` through click's CliRunner: success, and one exact message per kind of bad input."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualkit.cli import main
from qualkit.settings import SAMPLE_ATTRIBUTES
from tests.conftest import STUDY


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


def run(runner: CliRunner, *args: str):
    return runner.invoke(main, ["run", *args], catch_exceptions=False)


def test_run_writes_report_and_segments(runner, study_args, tmp_path):
    out = tmp_path / "out"
    result = run(runner, *study_args, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "Coded 3 transcripts: 7 segments" in result.output
    assert {p.name for p in out.iterdir()} >= {"report.html", "report.md", "coded_segments.csv"}
    rows = list(csv.DictReader((out / "coded_segments.csv").open(encoding="utf-8")))
    assert [(r["transcript"], r["code_id"], r["matched"]) for r in rows] == [
        ("A01", "isolation", "felt isolated | on my own"),
        ("A01", "targets", "targets"),
        ("A01", "targets", "targets"),
        ("A01", "paperwork", "paperwork"),
        ("B01", "isolation", "feeling isolated"),
        ("B01", "paperwork", "filled in forms"),
        ("B01", "targets", "Tick boxes"),
    ]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<mark>felt isolated</mark>" in html
    assert "A01, worker, North" in html
    assert "Have you ever felt isolated?" not in html  # interviewer speech is never quoted


def copy_study(tmp_path: Path) -> Path:
    target = tmp_path / "study"
    shutil.copytree(STUDY, target)
    return target


def bad_input_cases(tmp_path: Path) -> list[tuple[list[str], str]]:
    study = copy_study(tmp_path)
    t, a, c = str(study / "transcripts"), str(study / "participants.csv"), str(study / "codebook.yaml")
    (study / "bad.yaml").write_text("themes:\n  - name: A\n    codes:\n      - name: B\n        patterns: {x: 1\n")
    (study / "unknown.yaml").write_text("themes:\n  - name: A\n    codes:\n      - name: B\n        code_ref: x\n")
    (study / "noid.csv").write_text("who,group\nA01,worker\n")
    turnless = study / "turnless"
    turnless.mkdir()
    (turnless / "Z01.txt").write_text("Just some notes without any speaker labels at all.\n")
    empty = study / "empty"
    empty.mkdir()
    (empty / "E01.txt").write_text("  \n")
    return [
        (["-t", t, "-a", a, "-c", str(study / "missing.yaml")], f"Error: {study / 'missing.yaml'}: codebook file not found"),
        (["-t", str(study / "nowhere"), "-a", a, "-c", c], f"Error: {study / 'nowhere'}: transcript file not found"),
        (["-t", t, "-a", str(study / "none.csv"), "-c", c], f"Error: {study / 'none.csv'}: attributes sheet not found"),
        (["-t", t, "-a", a, "-c", str(study / "bad.yaml")],
         f"Error: {study / 'bad.yaml'}, line 6, column 1: malformed YAML: expected ',' or '}}', but got '<stream end>'"),
        (["-t", t, "-a", a, "-c", str(study / "unknown.yaml")],
         f"Error: {study / 'unknown.yaml'}, line 5, column 9, code 'B': unknown field 'code_ref' (fields here: codes, "
         "color, colour, definition, description, examples, exclude, id, include, name, negation, patterns, roles, "
         "speakers, unit, within)"),
        (["-t", str(turnless), "-a", a, "-c", c],
         f"Error: --attributes {a}: none of its 3 ids matches a transcript (sheet: A01, B01, C01; transcripts: Z01)"),
        (["-t", str(empty), "-a", a, "-c", c], f"Error: {empty / 'E01.txt'}: file is empty"),
        (["-t", t, "-a", str(study / "noid.csv"), "-c", c],
         f"Error: {study / 'noid.csv'}: no 'id' column (columns: who, group)"),
        (["-t", t, "-a", a, "-c", c, "--group-by", "group", "--group-by", "sex"],
         f"Error: --group-by 'sex': no such attribute in the attributes ({a}) (attributes: group, site, title)"),
        (["-t", t, "-c", c],  # -a left out: the bundled sample's sheet is not joined onto your own transcripts
         f"Error: --attributes {SAMPLE_ATTRIBUTES}: none of its 16 ids matches a transcript (sheet: HT01, HT02, HT03, "
         "...; transcripts: A01, B01, C01) (it is the bundled sample's sheet, used when --attributes is left out: "
         "give your own with --attributes FILE, or --attributes '' for none)"),
        (["-t", t, "-a", a, "-c", c, "--human", str(study / "nobody.csv")],
         f"Error: --human {study / 'nobody.csv'}: human coding file not found"),
    ]


@pytest.mark.parametrize("case", range(11))
def test_bad_input_gives_one_clear_line_and_writes_nothing(runner, tmp_path, case):
    args, message = bad_input_cases(tmp_path)[case]
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.md").write_text("the previous good report\n")
    (out / "run.json").write_text('{"format": "qualkit-run"}')  # a previous run's folder
    result = run(runner, *args, "--themes", "1", "--out", str(out))
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == message
    assert sorted(p.name for p in out.iterdir()) == ["report.md", "run.json"]
    assert (out / "report.md").read_text() == "the previous good report\n"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".qualkit-")]


def test_unknown_speaker_label_is_reported_with_its_line(runner, tmp_path):
    study = copy_study(tmp_path)
    (study / "transcripts" / "A01.txt").write_text(
        "---\nspeakers: [Interviewer, A01]\n---\nInterviewer: Hello.\nA01: Hi.\nA1: Typo label.\n")
    result = run(runner, "-t", str(study / "transcripts"), "-a", str(study / "participants.csv"),
                 "-c", str(study / "codebook.yaml"), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: {study / 'transcripts' / 'A01.txt'}, line 6: unknown speaker label 'A1' (known: A01, Interviewer)")


def test_every_command_is_documented_in_the_readme():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for name, command in main.commands.items():
        assert command.help, f"command {name} has no help text"
        assert f"qualkit {name}" in readme, f"command {name} is not in the README"


def test_several_group_by_attributes_and_a_human_coding_of_ones_own(runner, study_args, tmp_path):
    human = Path(__file__).resolve().parent / "fixtures" / "report" / "evidence" / "human_XY.csv"
    out = tmp_path / "out"
    result = run(runner, *study_args, "--group-by", "group", "--group-by", "site", "--human", str(human),
                 "--out", str(out))
    assert result.exit_code == 0, result.output
    appendix = (out / "appendix.md").read_text(encoding="utf-8")
    assert "## Codes by site\n" in appendix
    assert "| Participant | group | site | Feeling isolated |" in appendix
    assert f"- human coding: {human}" in appendix
    assert f"compared with human_XY's coding ({human})" in appendix  # coder named after the file
    assert "Agreement. The coding was compared sentence by sentence with human\\_XY's coding" in appendix


def test_skip_bad_reads_the_rest_and_lists_what_was_skipped_in_the_methods(runner, tmp_path):
    study = copy_study(tmp_path)
    (study / "transcripts" / "E01.txt").write_text("  \n")
    out = tmp_path / "out"
    args = ["-t", str(study / "transcripts"), "-a", str(study / "participants.csv"), "-c", str(study / "codebook.yaml"),
            "--themes", "1", "--out", str(out)]
    refused = run(runner, *args)
    assert refused.exit_code == 1 and refused.output.strip().splitlines()[-1] == \
        f"Error: {study / 'transcripts' / 'E01.txt'}: file is empty"
    result = run(runner, *args, "--skip-bad")
    assert result.exit_code == 0, result.output
    assert "Coded 3 transcripts" in result.output
    methods = (out / "appendix.md").read_text(encoding="utf-8").split("\n## Methods\n")[1].replace("\\_", "_")
    assert f"- skipped files: {study / 'transcripts' / 'E01.txt'}: file is empty\n" in methods
    assert f"Files that could not be read and were left out: {study / 'transcripts' / 'E01.txt'}: file is empty." in methods


def test_without_a_sheet_the_default_group_by_is_one_group_and_says_so(runner, tmp_path):
    out = tmp_path / "out"
    result = run(runner, "-t", str(STUDY / "transcripts"), "-a", "", "-c", str(STUDY / "codebook.yaml"), "--themes", "1",
                 "--out", str(out))
    assert result.exit_code == 0, result.output
    assert ("warning: no attributes sheet and no transcript has a 'group' attribute: every participant is in one group "
            "(give --attributes and --group-by to compare groups)") in result.output
    refused = run(runner, "-t", str(STUDY / "transcripts"), "-a", "", "-c", str(STUDY / "codebook.yaml"),
                  "--group-by", "site", "--out", str(out))
    assert refused.exit_code == 1
    assert refused.output.strip().splitlines()[-1] == (
        "Error: --group-by 'site': no such attribute in the transcripts' attributes (attributes: title)")


SURVEY = Path(__file__).resolve().parent / "fixtures" / "survey"


def test_run_reads_a_survey_table_one_response_a_participant_grouped_by_its_columns(runner, tmp_path):
    out = tmp_path / "out"
    result = run(runner, "-t", str(SURVEY / "responses.csv"), "--text-column", "comment", "--id-column", "response_id",
                 "-c", str(SURVEY / "sample_codebook.yaml"), "--group-by", "site", "--themes", "1", "--out", str(out))
    assert result.exit_code == 0, result.output
    # the bad rows are counted and named, never dropped silently; the bundled sample's sheet is not joined
    assert ("4 rows left out: 2 with empty text (rows 4, 9); 1 with a duplicate id (row 6); "
            "1 with undecodable bytes (not UTF-8) (row 7)") in result.output
    assert "Coded 4 responses" in result.output
    rows = list(csv.DictReader((out / "coded_segments.csv").open(encoding="utf-8")))
    assert rows and {r["transcript"] for r in rows} <= {"R001", "R002", "R004", "R007"}
    texts = {"R004": "I felt lonely after my husband died,\nand the group at the community centre gave me somewhere to go."}
    for row in rows:
        assert row["role"] == "participant"
        if row["transcript"] in texts:
            assert texts[row["transcript"]][int(row["start"]):int(row["end"])] == row["text"]
    appendix = (out / "appendix.md").read_text(encoding="utf-8")
    assert "Westgate" in appendix and "Northfield" in appendix
    # a survey's rows are responses, not interviews, in the report's headline and its methods
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "4 survey responses; " in report and "interview" not in report.split("words of participant speech")[0]
    assert "Data. 4 survey responses (" in appendix + report


def test_themes_reads_a_survey_table(runner):
    result = runner.invoke(main, ["themes", str(SURVEY / "responses.csv"), "--text-column", "comment", "--themes", "2"])
    assert result.exit_code == 0, result.output
    quoted = re.findall(r'\((\S+), (\d+)-(\d+)\)$', result.output, re.M)
    # every quote is a response of the table (ids from row numbers), at offsets into the response's text
    assert quoted and all(doc.startswith("responses-") and int(start) == 0 for doc, start, _ in quoted)
    # the table's few words cannot carry the 2 themes asked for: the count is said, not silently cut
    assert "1 theme (nmf, k 1: set by the user (2 asked; at most 1 possible with 6 texts and 1 terms)" in result.output


def test_run_says_when_codes_have_no_patterns(runner, study_args, tmp_path):
    # A codebook imported from a spreadsheet often has names and definitions only: say so, not just "0 segments".
    book = tmp_path / "bare.yaml"
    book.write_text("themes:\n  - name: Care\n    codes:\n      - {id: kind, name: Kind staff, definition: Staff kindness}\n"
                    "      - {id: wait, name: Waiting, patterns: [waiting list]}\n", encoding="utf-8")
    args = [a if a != str(STUDY / "codebook.yaml") else str(book) for a in study_args]
    result = run(runner, *args, "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert (f"{book}: 1 of its 2 codes have no patterns (kind): such codes code nothing automatically; add patterns "
            "(see codebooks/README.md), or code them by hand in a study's review (qualkit study init, qualkit review)"
            ) in result.output


def test_a_case_sheet_keyed_by_file_names_under_another_column_is_joined_and_said(runner, tmp_path):
    """NVivo and MAXQDA export cases or documents as 'Name' (or 'Document name') with the file's name:
    the sheet is joined by it, and the run says which column it read as the ids."""
    sheet = tmp_path / "cases.csv"
    rows = list(csv.DictReader((STUDY / "participants.csv").open(encoding="utf-8")))
    with sheet.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Name", "Role", "Site"])
        writer.writerows([f"{row['id']}.txt", row["group"], row["site"]] for row in rows)
    out = tmp_path / "out"
    result = runner.invoke(main, ["run", "-t", str(STUDY / "transcripts"), "-a", str(sheet), "-c",
                                  str(STUDY / "codebook.yaml"), "--group-by", "Role", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"warning: {sheet}: no 'id' column, so the 'Name' column is read as the transcript ids" in result.output
    assert "matches no transcript" not in result.output and "no row for transcript" not in result.output
    groups = {row["group"] for row in rows}
    comparison = (out / "comparison.md").read_text(encoding="utf-8")
    assert all(f"{group} (n=" in comparison for group in groups)
