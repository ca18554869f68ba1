"""Hostile inputs through the commands a user runs: one line naming the file and the problem, exit code 1,
no traceback, nothing written half-way, and what qualkit leaves out said."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import warnings

import pytest
from click.testing import CliRunner

from qualkit.attributes import read_attributes
from qualkit.cli import main
from qualkit.errors import AttributesError
from tests.conftest import FIXTURES, STUDY

BAD = FIXTURES / "bad_inputs"
CODEBOOK = str(STUDY / "codebook.yaml")


def invoke(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def error_line(result) -> str:
    """The one line the user reads (click's runner shows stderr and stdout together)."""
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.output.splitlines()[-1]


@pytest.fixture
def a_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not a folder\n")
    return path


@pytest.mark.parametrize("args", [
    ["run", "-t", STUDY / "transcripts", "-a", "", "-c", CODEBOOK, "-o", "{file}/reports"],
    ["codebook", "export", CODEBOOK, "-o", "{file}/codebook.csv"],
    ["codebook", "import", STUDY / "participants.csv", "-o", "{file}/codebook.yaml"],
    ["themes", STUDY / "transcripts", "--json", "{file}/themes.json"],
    ["ingest", STUDY / "transcripts", "--turns", "{file}/turns.csv"],
    ["study", "init", "{file}/study", "-t", STUDY / "transcripts", "-a", "", "-c", CODEBOOK],
    ["export", "qdpx", "-t", STUDY / "transcripts", "-a", "", "-c", CODEBOOK, "-o", "{file}/s.qdpx"],
], ids=lambda args: " ".join(map(str, args[:2])))
def test_an_output_under_a_file_is_refused_before_any_work(args, a_file):
    """(qualkit code's coding library checks its --out itself, before coding: tests/test_survey.py.)"""
    result = invoke(*(str(a).replace("{file}", str(a_file)) for a in args))
    assert result.exit_code == 1
    assert error_line(result).endswith(f": cannot write: {a_file} is a file, not a folder")
    assert "Traceback" not in result.output and a_file.read_text() == "not a folder\n"


def test_an_output_folder_that_cannot_be_written_is_refused(tmp_path, monkeypatch):
    """Permissions do not tell (root writes anywhere, a read-only mount refuses it): qualkit tries."""
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("tempfile.mkstemp", refuse)
    result = invoke("codebook", "export", CODEBOOK, "-o", tmp_path / "book.csv")
    assert result.exit_code == 1
    assert error_line(result) == f"Error: {tmp_path / 'book.csv'}: cannot write: {tmp_path}: Permission denied"
    assert list(tmp_path.iterdir()) == []


def test_a_file_the_library_cannot_open_is_one_line_naming_it(tmp_path, monkeypatch):
    """An OSError from any library call (unreadable file, a disk that fails mid-write) is no traceback."""
    def unreadable(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(STUDY / "codebook.yaml"))

    monkeypatch.setattr("qualkit.codebook.load_codebook", unreadable)
    result = invoke("codebook", "export", CODEBOOK, "-o", tmp_path / "book.csv")
    assert (result.exit_code, error_line(result)) == (1, f"Error: {STUDY / 'codebook.yaml'}: Permission denied")


@pytest.mark.parametrize("args, message", [
    (["report", "--from", "{missing}"], "Error: Invalid value for '--from': Directory '{missing}' does not exist."),
    (["import", "qdpx", "{folder}", "-o", "{folder}/study"], "Error: Invalid value for 'FILE': File '{folder}' is a directory."),
    (["run", "-t", STUDY / "transcripts", "-o", "{file}"], "Error: Invalid value for '--out' / '-o': Directory '{file}' is a file."),
], ids=["missing folder", "folder for a file", "file for a folder"])
def test_a_path_of_the_wrong_kind_is_bad_input_exit_1(args, message, tmp_path, a_file):
    names = {"{missing}": str(tmp_path / "nope"), "{folder}": str(tmp_path), "{file}": str(a_file)}
    fill = lambda text: [text := text.replace(k, v) for k, v in names.items()][-1]  # noqa: E731
    result = invoke(*(fill(str(a)) for a in args))
    assert (result.exit_code, result.output.splitlines()) == (1, [fill(message)])


def test_an_empty_attributes_sheet_is_one_line(tmp_path):
    result = invoke("run", "-t", STUDY / "transcripts", "-a", BAD / "attributes_empty.csv", "-c", CODEBOOK,
                    "-o", tmp_path / "reports")
    assert result.exit_code == 1
    assert error_line(result) == (f"Error: {BAD / 'attributes_empty.csv'}: cannot read attributes sheet: Could not "
                                  "determine delimiter (is it an empty file, or not a table?)")
    assert not (tmp_path / "reports").exists()


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_an_attributes_column_without_a_header_is_said_and_not_read_as_unnamed(tmp_path, suffix):
    import pandas as pd

    sheet = tmp_path / f"people{suffix}"
    rows = [["id", "group", "", "site", ""], ["HT01", "trainer", "rang twice", "Leeds", ""], ["HT02", "worker", "", "York", ""]]
    table = pd.DataFrame(rows[1:], columns=rows[0]).rename(columns={"": None})
    table.columns = ["id", "group", "", "site", " "]
    table.to_csv(sheet, index=False) if suffix == ".csv" else table.to_excel(sheet, index=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        found = read_attributes(sheet)
    assert found == {"HT01": {"group": "trainer", "site": "Leeds"}, "HT02": {"group": "worker", "site": "York"}}
    # the empty last column says nothing; the one holding a note is named by its place
    assert [str(w.message) for w in caught] == [
        f"{sheet}: column 3 holds values under no header, left out: give a header to read one as an attribute"]


def test_an_attributes_header_used_twice_is_one_line(tmp_path):
    sheet = tmp_path / "people.csv"
    sheet.write_text("id,group,site,group\nHT01,trainer,Leeds,worker\n", encoding="utf-8")
    with pytest.raises(AttributesError) as error:
        read_attributes(sheet)
    assert str(error.value) == f"{sheet}: column 'group' appears twice (columns 2 and 4): rename one"
    result = invoke("run", "-t", STUDY / "transcripts", "-a", sheet, "-c", CODEBOOK, "-o", tmp_path / "reports")
    assert (result.exit_code, error_line(result)) == (1, f"Error: {sheet}: column 'group' appears twice (columns 2 and 4): rename one")
    assert not (tmp_path / "reports").exists()


def test_code_refuses_two_files_that_would_be_one_transcript(tmp_path):
    folder = tmp_path / "interviews"
    folder.mkdir()
    shutil.copy(BAD / "A01.txt", folder / "A01.txt")
    shutil.copy(BAD / "A01.txt", folder / "A01.md")
    result = invoke("code", folder, "-c", CODEBOOK, "-o", tmp_path / "coded")
    assert result.exit_code == 1
    assert error_line(result) == (f"Error: {folder / 'A01.txt'}: transcript id 'A01' is also used by {folder / 'A01.md'} "
                                  "(a transcript is named after its file: keep one of them, or rename one)")
    assert not (tmp_path / "coded").exists()


def test_hidden_files_lock_files_and_hidden_folders_left_out_are_said(tmp_path):
    folder = tmp_path / "interviews"
    (folder / ".old").mkdir(parents=True)
    shutil.copy(BAD / "A01.txt", folder / "A01.txt")
    shutil.copy(BAD / "A01.txt", folder / ".old" / "A02.txt")
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (folder / "~$A01.docx").write_bytes(b"lock")
    result = invoke("ingest", folder)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-4:-1] == [
        f"left out {folder / '.DS_Store'}: a hidden file", f"left out {folder / '.old'}: a hidden folder (1 file)",
        f"left out {folder / '~$A01.docx'}: an Office lock file (left while its document is open in Word or Excel)"]
    assert result.output.splitlines()[-1] == "1 transcript(s) read, 3 file(s) left out as not transcripts"


def test_a_run_written_inside_the_transcripts_folder_is_not_read_as_transcripts(tmp_path):
    folder = tmp_path / "interviews"
    shutil.copytree(STUDY / "transcripts", folder)
    args = ["run", "-t", folder, "-a", "", "-c", CODEBOOK, "--group-by", "group", "-o", folder / "reports"]
    assert invoke(*args).exit_code == 0
    again = invoke(*args)
    assert again.exit_code == 0, again.output
    files = len([path for path in (folder / "reports").rglob("*") if path.is_file()])
    assert (f"warning: left out 1 file(s) that are not transcripts: {folder / 'reports'} (the output folder of a "
            f"qualkit run: {files} files)") in again.output.splitlines()
    assert "Coded 3 transcripts" in again.output


def test_a_run_into_the_transcripts_folder_itself_is_refused(tmp_path):
    folder = tmp_path / "interviews"
    shutil.copytree(STUDY / "transcripts", folder)
    result = invoke("run", "-t", folder, "-a", "", "-c", CODEBOOK, "-o", folder)
    assert result.exit_code == 1
    assert error_line(result) == (f"Error: --out {folder}: is the transcripts folder {folder}; the reports would be "
                                  "read as transcripts next time: write them into another folder (or a folder inside it)")
    assert sorted(p.name for p in folder.iterdir()) == ["A01.txt", "B01.txt", "C01.txt"]


def as_user_without_override(args: list[str]) -> subprocess.CompletedProcess[str]:
    """Run qualkit as this user, obeying file permissions even as root (whose override is dropped)."""
    command = [sys.executable, "-c", "from qualkit.cli import main; main()", *args]
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv: permissions cannot be obeyed")
        drop = "-dac_override,-dac_read_search"
        command = ["setpriv", f"--inh-caps={drop}", f"--bounding-set={drop}", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_a_folder_that_cannot_be_listed_is_one_error_not_transcripts_missed(tmp_path):
    folder = tmp_path / "interviews"
    shutil.copytree(STUDY / "transcripts", folder / "site_b")
    shutil.copy(BAD / "A01.txt", folder / "Z01.txt")
    (folder / "site_b").chmod(0)
    try:
        result = as_user_without_override(["ingest", str(folder)])
    finally:
        (folder / "site_b").chmod(0o755)
    assert (result.returncode, result.stderr) == (1, f"Error: {folder / 'site_b'}: cannot read the folder: Permission denied\n")
    assert "Traceback" not in result.stderr


def test_a_file_that_cannot_be_read_is_one_line_and_exit_1(tmp_path):
    locked = tmp_path / "A01.txt"
    shutil.copy(BAD / "A01.txt", locked)
    locked.chmod(0)
    result = as_user_without_override(["ingest", str(locked)])
    assert (result.returncode, result.stderr) == (1, f"Error: Invalid value for 'PATHS...': Path '{locked}' is not readable.\n")


def test_a_turns_table_written_into_the_transcripts_folder_is_not_read_again(tmp_path):
    folder = tmp_path / "interviews"
    shutil.copytree(STUDY / "transcripts", folder)
    assert invoke("ingest", folder, "--turns", folder / "turns.csv").exit_code == 0
    again = invoke("ingest", folder)
    assert again.exit_code == 0, again.output
    assert again.output.splitlines()[-2:] == [
        f"left out {folder / 'turns.csv'}: a turns table of transcripts read before (qualkit ingest --turns), not a transcript",
        "3 transcript(s) read, 1 file(s) left out as not transcripts"]


@pytest.mark.parametrize("command", ["run", "report"])
def test_a_folder_holding_a_users_own_report_is_not_written_over(command, tmp_path):
    out = tmp_path / "documents"
    out.mkdir()
    (out / "report.md").write_text("my own report\n")
    run = ["run", "-t", STUDY / "transcripts", "-a", "", "-c", CODEBOOK, "--group-by", "group"]
    if command == "report":
        assert invoke(*run, "-o", tmp_path / "first").exit_code == 0
    args = [*run, "-o", out] if command == "run" else ["report", "--from", tmp_path / "first", "-o", out, "-f", "md"]
    result = invoke(*args)
    assert result.exit_code == 1
    assert error_line(result) == (f"Error: --out {out}: holds report.md, not written by a qualkit run (no run.json of "
                                  "one); they would be replaced: choose another folder, or move them")
    assert [p.name for p in out.iterdir()] == ["report.md"] and (out / "report.md").read_text() == "my own report\n"


def test_a_previous_run_in_the_folder_is_replaced_by_a_new_one(tmp_path):
    run = ["run", "-t", STUDY / "transcripts", "-a", "", "-c", CODEBOOK, "--group-by", "group", "-o", tmp_path / "out"]
    assert invoke(*run).exit_code == 0
    again = invoke(*run, "--seed", "3")
    assert again.exit_code == 0, again.output
    assert '"seed": 3' in (tmp_path / "out" / "run.json").read_text()


def test_a_turns_table_name_qualkit_cannot_write_is_said_before_reading(tmp_path):
    result = invoke("ingest", STUDY / "transcripts", "--turns", tmp_path / "turns.xls")
    assert (result.exit_code, result.output.splitlines()) == (
        1, [f"Error: {tmp_path / 'turns.xls'}: unknown turns table format '.xls' (use .csv or .parquet)"])


def test_a_missing_template_folder_is_said_before_coding(tmp_path):
    result = invoke("run", "-t", STUDY / "transcripts", "-a", "", "-c", CODEBOOK, "--template-dir", tmp_path / "nope",
                    "-o", tmp_path / "out")
    assert (result.exit_code, result.output.splitlines()) == (
        1, [f"Error: Invalid value for '--template-dir': Directory '{tmp_path / 'nope'}' does not exist."])
