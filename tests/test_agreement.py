"""Agreement between codings: kappa and alpha by hand, unit coding rules, and reading human codings."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from qualkit.agreement import cohen_kappa, compare_codings, krippendorff_alpha
from qualkit.cli import main
from qualkit.errors import CodingError
from qualkit.agreement import read_human_coding
from qualkit.readers import ReadOptions, read_transcripts, transcript_files
from qualkit.segments import CodedSegment, Unit
from tests.conftest import FIXTURES

THEMES = FIXTURES / "themes"


def test_kappa_by_hand():
    # 10 units: both yes 4, A only 1, B only 2, both no 3 -> po 0.7, pe 0.5*0.6+0.5*0.4 = 0.5, kappa 0.4
    a = np.array([1, 1, 1, 1, 1, 0, 0, 0, 0, 0], bool)
    b = np.array([1, 1, 1, 1, 0, 1, 1, 0, 0, 0], bool)
    assert cohen_kappa(a, b) == pytest.approx(0.4)


def test_alpha_matches_krippendorff_textbook_example():
    # Krippendorff (2011) "Computing Krippendorff's alpha-reliability", nominal example: alpha = 0.743.
    nan = np.nan
    data = np.array([
        [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
        [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
    ])
    assert round(krippendorff_alpha(data), 3) == 0.743


def _unit(start, end):
    return Unit("T", 0, "P", start, end, "x" * (end - start))


def _seg(code, start, end):
    return CodedSegment("T", "P", "participant", 0, code, code, start, end, "")


def test_per_code_figures_and_disagreements():
    units = [_unit(0, 10), _unit(11, 20), _unit(21, 30), _unit(31, 40)]
    a = [_seg("x", 0, 10), _seg("x", 11, 20)]
    b = [_seg("x", 0, 10), _seg("x", 21, 30), _seg("y", 33, 36)]
    result = compare_codings(units, a, b, coder_a="auto", coder_b="RH")
    rows = result.per_code.set_index("code")
    assert rows.loc["x", ["n_a", "n_b", "n_both", "precision", "recall"]].tolist() == [2, 2, 1, 0.5, 0.5]
    assert rows.loc["y", ["n_a", "n_b", "n_both"]].tolist() == [0, 1, 0]
    assert [(d.start, d.code, d.coded_by) for d in result.disagreements] == [(11, "x", "auto"), (21, "x", "RH"), (31, "y", "RH")]
    assert result.overall["n_both"] == 1 and result.overall["f1"] == pytest.approx(2 / 5)


def test_a_segment_touching_a_unit_does_not_code_it():
    units = [_unit(0, 100)]
    result = compare_codings(units, [_seg("x", 90, 150)], [_seg("x", 0, 100)])
    assert result.per_code.loc[0, "n_a"] == 0


@pytest.fixture(scope="module")
def fixture_transcripts():
    return read_transcripts(transcript_files([THEMES / "transcripts"]), ReadOptions(interviewer_labels=("Interviewer",)))


def test_table_coding_is_located_and_unlocated_segments_are_reported(fixture_transcripts):
    coding = read_human_coding(THEMES / "human.csv", fixture_transcripts, coder="RH")
    assert [(s.transcript, s.code_path, s.text[:12]) for s in coding.segments] == [
        ("G01", "Travel > Buses", "The bus to t"), ("G01", "Money", "Money is tig"), ("G02", "Travel > Buses", "I take the b")]
    assert [(u.row, u.document, u.reason) for u in coding.unlocated] == [
        (5, "G02", "words not found in the transcript"), (6, "G03", "no transcript 'G03'")]
    assert coding.summary().endswith("human.csv: 3 of 5 segments located (2 not found)")


def test_a_file_that_is_not_a_coding_names_what_is_missing(tmp_path, fixture_transcripts):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,value\na,1\n")
    with pytest.raises(CodingError, match=r"bad.csv: not a coding table: .* missing document, code_path, text"):
        read_human_coding(bad, fixture_transcripts)


def test_pdpilot_human_segments_are_located(shared_data):
    transcripts = read_transcripts(transcript_files([shared_data / "pdpilot" / "transcripts"]),
                                   ReadOptions(interviewer_labels=("Dan",)))
    coding = read_human_coding(shared_data / "pdpilot" / "coded_segments.csv", transcripts)
    assert (len(coding.segments), len(coding.unlocated)) == (261, 1)
    assert coding.unlocated[0].document == "P4" and coding.unlocated[0].row == 8


def test_agree_command_writes_json(tmp_path):
    out = tmp_path / "agreement.json"
    result = CliRunner().invoke(main, ["agree", str(THEMES / "human.csv"), str(THEMES / "human.csv"), "-t",
                                       str(THEMES / "transcripts"), "--interviewer", "Interviewer", "--json", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["overall"]["kappa"] == 1.0 and data["overall"]["n_both"] == 3
    assert [c["code"] for c in data["codes"]] == ["Money", "Travel > Buses"]
    assert "not located: line 5, G02, Money: words not found in the transcript" in result.output


def _coding(path, rows):
    path.write_text("document,code_path,segment\n" + "".join(f"{d},{c},\"{s}\"\n" for d, c, s in rows), encoding="utf-8")
    return str(path)


@pytest.fixture
def located_row():
    import pandas as pd

    row = pd.read_csv(THEMES / "human.csv").iloc[0]
    return str(row["document"]), str(row["segment"])


@pytest.mark.parametrize("code_b, cause", [
    ("access > cost of travel", "their code paths differ only in case (e.g. 'Access > Cost of travel' and "
                                "'access > cost of travel'); write them alike in both files"),
    ("Access/Cost of travel", "their code paths use different separators (e.g. 'Access > Cost of travel' and "
                              "'Access/Cost of travel'); write paths as 'Parent > Child' in both files"),
    ("Other > Thing", "(A: 'Access > Cost of travel'; B: 'Other > Thing'); agreement would be meaningless: are these "
                      "codings of the same codebook?"),
])
def test_agree_refuses_codings_that_share_no_code_naming_the_cause(tmp_path, located_row, code_b, cause):
    document, segment = located_row
    a = _coding(tmp_path / "a.csv", [(document, "Access > Cost of travel", segment)])
    b = _coding(tmp_path / "b.csv", [(document, code_b, segment)])
    out = tmp_path / "agree.json"
    result = CliRunner().invoke(main, ["agree", a, b, "-t", str(THEMES / "transcripts"), "--json", str(out)])
    assert result.exit_code == 1
    separator = " " if cause.startswith("(") else ": "
    assert result.output.splitlines()[-1] == f"Error: {a} and {b} share no code{separator}{cause}"
    assert not out.exists()


def test_agree_refuses_a_coding_whose_documents_match_no_transcript(tmp_path, located_row):
    document, segment = located_row
    a = _coding(tmp_path / "a.csv", [("Interview 9.docx", "Access", segment)])
    b = _coding(tmp_path / "b.csv", [(document, "Access", segment)])
    result = CliRunner().invoke(main, ["agree", a, b, "-t", str(THEMES / "transcripts")])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1].startswith(
        f"Error: {a}: none of its 1 segments is located: its document names ('Interview 9.docx') match no "
        "transcript (transcripts: ")
    assert result.output.splitlines()[-1].endswith("); name the documents by transcript id or file name")


def test_agree_refuses_an_empty_coding(tmp_path, located_row):
    a = _coding(tmp_path / "a.csv", [])
    b = _coding(tmp_path / "b.csv", [(located_row[0], "Access", located_row[1])])
    result = CliRunner().invoke(main, ["agree", a, b, "-t", str(THEMES / "transcripts")])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == f"Error: {a}: holds no coded segments (an empty file?); nothing to compare"


def _transcripts():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_transcripts(transcript_files([THEMES / "transcripts"]), ReadOptions())


def test_coded_segments_as_other_tools_export_them_are_read(tmp_path):
    """MAXQDA's coded segments (an .xlsx: Document name with its extension, Parent\\Child codes, Created by),
    Taguette's highlights (document, tag, content) and ATLAS.ti's quotations (several codes a cell, one a
    line, Group::Code) all give the same located segments, and the columns read are said."""
    import warnings

    import pandas as pd

    said = ["The bus to the clinic is always late and the bus driver never waits.",
            "Money is tight since the benefits were cut"]
    maxqda = tmp_path / "maxqda.xlsx"
    pd.DataFrame({"Color": ["#f00", "#0f0"], "Document group": ["", ""], "Document name": ["G01.txt", "G01.txt"],
                  "Code": ["Travel\\Buses", "Money"], "Begin": [1, 2], "End": [1, 2], "Segment": said,
                  "Created by": ["ana", "ana"]}).to_excel(maxqda, index=False)
    taguette = tmp_path / "taguette.csv"
    pd.DataFrame({"id": [1, 2], "document": ["G01.odt", "G01.odt"], "tag": ["Travel > Buses", "Money"],
                  "content": said}).to_csv(taguette, index=False)
    atlas = tmp_path / "atlas.csv"
    pd.DataFrame({"ID": ["1:1"], "Document": ["G01"], "Codes": ["Travel::Buses\nMoney"],
                  "Quotation Content": [said[0]]}).to_csv(atlas, index=False, sep=";")
    transcripts = _transcripts()
    read = {}
    for path in (maxqda, taguette, atlas):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            read[path.stem] = read_human_coding(path, transcripts)
        assert [str(w.message).split(": read as")[0] for w in caught] == [str(path)]
    words = [said[0].rstrip("."), said[1]]  # located by their words: from the first word to the last
    assert [(s.transcript, s.code_path, s.text, s.coder) for s in read["maxqda"].segments] == [
        ("G01", "Travel > Buses", words[0], "ana"), ("G01", "Money", words[1], "ana")]
    assert [(s.code_path, s.start, s.end) for s in read["taguette"].segments] == [
        (s.code_path, s.start, s.end) for s in read["maxqda"].segments]
    assert [(s.code_path, s.text) for s in read["atlas"].segments] == [("Travel > Buses", words[0]), ("Money", words[0])]
    assert not any(coding.unlocated for coding in read.values())
