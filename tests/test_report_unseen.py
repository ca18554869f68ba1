"""How reports read on studies unlike the sample, on small fixtures: a survey of many responses whose
per-participant tables must not swamp the documents, a study with no group attribute, shares and counts
worded as a reader expects."""

from __future__ import annotations

import csv
import warnings

import docx
import pytest

from qualkit.report import write_report
from qualkit.study import StudySettings, run_study
from tests.conftest import FIXTURES
from tests.test_report_evidence import section

REPORT = FIXTURES / "report"
SURVEY = REPORT / "survey" / "responses.csv"


def run_quietly(settings: StudySettings):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_study(settings)


@pytest.fixture(scope="module")
def survey(tmp_path_factory):
    """70 responses, 3 of them coded (R003 family, R040 targets, R065 family and web pages), by ward."""
    result = run_quietly(StudySettings(transcripts=(str(SURVEY),), attributes=None, codebook=str(REPORT / "codebook.yaml"),
                                       text_column="comment", id_column="id", group_by="ward", n_themes=1))
    folder = tmp_path_factory.mktemp("unseen") / "reports"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        write_report(result, folder)
    return folder


def docx_text(path) -> str:
    document = docx.Document(str(path))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_many_responses_show_only_the_rows_that_say_something_and_the_csv_keeps_all(survey):
    appendix = (survey / "appendix.md").read_text(encoding="utf-8")
    matrix = section(appendix, "## Framework matrix")
    support = matrix[matrix.index("### Support"):matrix.index("### Work")]
    assert [line.split(" | ")[0] for line in support.splitlines() if line.startswith("| R")] == ["| R003", "| R065"]
    assert "68 of the 70 participants, with no segment coded to this theme, are not shown; tables/framework_matrix.csv holds every row." in support
    with open(survey / "tables" / "framework_matrix.csv", encoding="utf-8") as f:
        assert len({row["participant"] for row in csv.DictReader(f)}) == 70
    saturation = section(appendix, "## Saturation")
    assert [line.split(" | ")[1] for line in saturation.splitlines() if line.startswith("| ") and "R0" in line] == ["R003", "R040", "R065"]
    assert "The table shows the 3 responses that added a new code; the 67 others added none" in saturation
    cases = section(appendix, "## Cases by code")
    assert sum(line.startswith("| R") for line in cases.splitlines()) == 60
    assert "The first 60 of 70 participants; tables/cases_by_code.csv holds them all." in cases
    html = (survey / "appendix.html").read_text(encoding="utf-8")
    assert "68 of the 70 participants, with no segment coded to this theme, are not shown" in html
    assert "<td>R007</td>" not in html.split('id="saturation"')[1].split("</table>")[0]
    word = docx_text(survey / "appendix.docx")
    assert "68 of the 70 participants, with no segment coded to this theme, are not shown" in word
    assert "The table shows the 3 responses that added a new code; the 67 others added none" in word
    assert "The first 60 of 70 participants; tables/cases_by_code.csv holds them all." in word
