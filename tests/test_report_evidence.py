"""What a journal reviewer checks in a report, on small fixtures: quotes (whole sentences, never an exclusion),
saturation, set-aside hits, cases by code (CSV, .sav), framework rows with several attributes and case memos,
Markdown escaping, Word pictures within the page, a study's reviewed coding, and broken run files."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil

import docx
import pyreadstat
import pytest
from click.testing import CliRunner

from qualkit.cli import main
from qualkit.report import render_outputs, report_context, study_data, write_report
from qualkit.compare import Participants
from qualkit.report.evidence import cases_by_code, participants_of, saturation, sources_read
from qualkit.report.quotes import exclusion_check, quote_span
from qualkit.study import StudySettings, run_study
from tests.conftest import FIXTURES, STUDY

REPORT = FIXTURES / "report"
EVIDENCE = FIXTURES / "report" / "evidence"


@pytest.fixture(scope="module")
def result():
    return run_study(StudySettings(transcripts=(str(REPORT / "transcripts"),), attributes=str(REPORT / "participants.csv"),
                                   codebook=str(REPORT / "codebook.yaml"), n_themes=1, also_group_by=("site",)))


@pytest.fixture(scope="module")
def out(result, tmp_path_factory):
    folder = tmp_path_factory.mktemp("evidence") / "reports"
    write_report(result, folder)
    return folder


def section(markdown: str, heading: str) -> str:
    start = markdown.index(heading + "\n")
    rest = markdown[start + len(heading) + 1:]
    end = rest.find("\n## ")
    return rest[:end] if end >= 0 else rest


# -- quotes ------------------------------------------------------------------------------------------------------

TURN = "P01: Yes. It was a long year for all of us in the team. Then it got better."
QUOTING = 'LW02: She said "I spent an hour in tears. I cannot afford the school shoes and the coat" to me.'


@pytest.mark.parametrize("text, coded, quoted", [
    (TURN, "Yes.", "Yes. It was a long year for all of us in the team."),  # at least 8 words: the next sentence
    (TURN, "Then it got better.", "It was a long year for all of us in the team. Then it got better."),  # or the one before
    (TURN, "long year", "It was a long year for all of us in the team."),  # a match widens to its sentence
    (QUOTING, 'I cannot afford the school shoes and the coat" to me.', QUOTING[6:]),  # its quotation opened before
])
def test_a_quote_is_whole_sentences_of_at_least_8_words_with_paired_quotation_marks(text, coded, quoted):
    start = text.index(coded)
    a, b = quote_span(text, (text.index(":") + 2, len(text)), start, start + len(coded))
    assert text[a:b] == quoted


def test_a_transcribers_note_between_sentences_starts_the_next_sentence():
    text = ("P01: It sounds daft, to be honest with you all. [laughs] It sounds daft but once the light came "
            "back I felt better.")
    start = text.index("once the light")
    a, b = quote_span(text, (5, len(text)), start, start + len("once the light"))
    assert text[a:b] == "[laughs] It sounds daft but once the light came back I felt better."


def test_a_short_turn_is_quoted_whole():
    text = "P01: Yes. Lonely."
    assert quote_span(text, (5, len(text)), 10, 17) == (5, len(text))


def test_exclusion_note_phrases_and_exclude_patterns_rule_a_passage_out():
    code = {"exclude": 'Not "before I was on my own" - alone for a task.', "patterns": ["on my own", "exclude step"]}
    check = exclusion_check(code)
    assert check("I shadowed her for two weeks before I was on my own, which helped.") == \
        'quotes the exclusion note\'s "before i was on my own"'
    assert check("She set me ten thousand steps a day.") == "matches the exclude pattern 'step'"
    assert check("After he died I was on my own all week.") == ""


def test_no_quote_is_a_passage_its_code_excludes(result):
    data = study_data(result)
    data["codebook"]["codes"][0]["exclude"] = 'Not "My daughter thinks the targets are mad".'
    context = report_context(data)
    family = next(c for c in context["codes"] if c["id"] == "family")
    assert family["segments"] == 3 and len(family["quotes"]) == 2
    assert all("thinks the targets are mad" not in q["full_text"] for q in family["quotes"])
    matrix = next(m for m in context["framework"] if m["theme"] == "Support")
    p01 = next(r for r in matrix["rows"] if r["participant"] == "P01")
    assert p01["cells"][0]["segments"] == 1 and p01["cells"][0]["quote"] is None


# -- saturation --------------------------------------------------------------------------------------------------

def run_data(orders, codes_by_transcript):
    codes = sorted({c for cs in codes_by_transcript.values() for c in cs} | {"never"})
    return {
        "codebook": {"codes": [{"id": c, "path": f"T > {c}", "name": c} for c in codes]},
        "transcripts": [{"id": tid, "attributes": ({"order": str(order)} if order is not None else {})}
                        for tid, order in orders.items()],
        "segments": [{"transcript": tid, "code_id": c} for tid, cs in codes_by_transcript.items() for c in cs],
    }


def saturation_of(data):
    """The saturation table as a report makes it, its rows named as ``sources_read`` names the transcripts."""
    unit = sources_read(participants_of(data["transcripts"]), [t["id"] for t in data["transcripts"]],
                        survey=bool(data.get("settings", {}).get("text_column")))["unit"]
    return saturation(data, unit)


def test_saturation_counts_new_codes_in_interview_order():
    # files read A, B, C, D; interviewed in the order C, A, D, B (the 'order' attribute)
    data = run_data({"A": 2, "B": 4, "C": 1, "D": 3},
                    {"A": ["x", "y"], "B": ["x"], "C": ["x"], "D": ["z", "y"]})
    found = saturation_of(data)
    assert found["order"] == "by the 'order' attribute"
    assert [(r["transcript"], r["codes"], r["new"], r["cumulative"], r["new_codes"]) for r in found["rows"]] == [
        ("C", 1, 1, 1, ["T > x"]), ("A", 2, 1, 2, ["T > y"]), ("D", 2, 1, 3, ["T > z"]), ("B", 1, 0, 3, [])]
    assert found["last_new"] == 3 and found["last_new_transcript"] == "D"
    assert found["statement"].startswith("In these 4 interviews, ordered by the 'order' attribute, the last new code "
                                         "appeared in interview 3 (D); the 1 interview(s) after it added no code")
    assert "not by itself a demonstration of saturation" in found["statement"]


def test_saturation_names_focus_groups_and_survey_responses_not_interviews():
    data = run_data({"FG1": 1, "FG2": 2}, {"FG1": ["x"], "FG2": ["x"]})
    for transcript in data["transcripts"]:
        transcript["participant_speakers"] = [{"speaker": "Anna"}, {"speaker": "Ben"}]
    found = saturation_of(data)
    assert (found["unit"], found["units"]) == ("focus group", "focus groups")
    assert found["statement"].startswith("In these 2 focus groups, ordered by the 'order' attribute, the last new "
                                         "code appeared in focus group 1 (FG1); the 1 focus group(s) after it")
    survey = {**run_data({"R1": None, "R2": None}, {"R1": ["x"], "R2": ["y"]}), "settings": {"text_column": "comment"}}
    assert saturation_of(survey)["statement"].startswith("The last response (R2, 2 of 2) still added 1 new code(s)")


def test_saturation_falls_back_to_file_order_and_says_so():
    found = saturation_of(run_data({"A": None, "B": 1}, {"A": ["x"], "B": ["y"]}))
    assert [r["transcript"] for r in found["rows"]] == ["A", "B"]
    assert found["order"].startswith("in file order")
    assert "these data show no point after which no new code appeared" in found["statement"]


def test_saturation_orders_by_date():
    data = run_data({"A": None, "B": None}, {"A": ["x"], "B": ["y"]})
    data["transcripts"][0]["attributes"] = {"date": "2026-03-02"}
    data["transcripts"][1]["attributes"] = {"date": "2026-02-27"}
    assert [r["transcript"] for r in saturation_of(data)["rows"]] == ["B", "A"]


@pytest.mark.parametrize("speakers, survey, headline, methods, unit", [
    ({"I1": ["P"], "I2": ["P"]}, False, "2 interviews", "2 interview transcripts", "interview"),
    ({"FG1": ["Anna", "Ben"]}, False, "1 focus group", "1 focus group transcript", "focus group"),
    ({"I1": ["P"], "FG1": ["Anna", "Ben"], "FG2": ["Cy", "Di", "All"]}, False, "1 interview and 2 focus groups",
     "3 transcripts (1 interview and 2 focus groups)", "transcript"),
    # one named speaker and a chorus is one participant: an interview
    ({"I1": ["P", "All"]}, False, "1 interview", "1 interview transcript", "interview"),
    ({f"R{i}": ["response"] for i in range(1200)}, True, "1,200 survey responses", "1,200 survey responses", "response"),
])
def test_the_headline_names_interviews_focus_groups_and_survey_responses(speakers, survey, headline, methods, unit):
    assert sources_read(Participants(speakers), list(speakers), survey) == {
        "headline": headline, "methods": methods, "unit": unit}


# -- cases by code -----------------------------------------------------------------------------------------------

def test_cases_by_code_csv_and_sav_reopen_with_variables_and_labels(out):
    rows = list(csv.DictReader((out / "tables" / "cases_by_code.csv").open(encoding="utf-8")))
    assert list(rows[0]) == ["participant", "group", "site", "family", "family_n", "code_security", "code_security_n",
                             "targets", "targets_n"]
    assert [(r["participant"], r["family"], r["family_n"], r["targets_n"]) for r in rows] == [
        ("P01", "1", "1", "2"), ("P02", "1", "1", "2"), ("P03", "1", "1", "0")]
    frame, meta = pyreadstat.read_sav(str(out / "tables" / "cases_by_code.sav"))
    assert list(frame.columns) == list(rows[0])
    assert frame["targets_n"].tolist() == [2, 2, 0]
    assert meta.column_names_to_labels["targets"] == "Work > Targets (1 = coded)"
    assert meta.column_names_to_labels["targets_n"] == "Work > Targets: coded segments"
    assert meta.variable_value_labels["family"] == {0: "absent", 1: "present"}
    labels = list(csv.DictReader((out / "tables" / "cases_by_code_labels.csv").open(encoding="utf-8")))
    family = next(r for r in labels if r["variable"] == "family")
    assert (family["code_id"], family["code_path"], family["definition"]) == ("family", "Support > Family support",
                                                                              "Help from relatives.")


def test_variable_names_are_valid_and_unique():
    data = {"codebook": {"codes": [{"id": "a-b", "path": "X > a-b"}, {"id": "a_b", "path": "X > a_b"},
                                   {"id": "1st", "path": "X > 1st"}]},
            "transcripts": [{"id": "T1", "attributes": {"age band": "30", "Age band": "x"}}], "segments": []}
    columns, _, _ = cases_by_code(data, participants_of(data["transcripts"]))
    assert columns == ["participant", "age_band", "Age_band_2", "a_b", "a_b_n", "a_b_2", "a_b_2_n", "v_1st", "v_1st_n"]


# -- framework matrix, several attributes, case memos --------------------------------------------------------------

def test_several_group_by_attributes_give_framework_rows_and_tables(out):
    md = (out / "appendix.md").read_text(encoding="utf-8")
    assert "| Participant | group | site | Targets |" in md
    assert "| P01 | worker | Northfield | 2: “My daughter thinks the targets are mad, honestly.” (turn 2) |" in md
    by_site = section(md, "## Codes by site")
    assert "| Work > Targets | 1/2 (50.0%); 2 seg. | 1/1 (100.0%); 2 seg. |" in by_site


def test_a_memo_on_a_participant_and_code_is_the_cells_summary(result):
    data = study_data(result)
    data["extra"]["memos"] = [{"target": "case_code", "target_id": "P02|targets", "text": "Resents the board.",
                               "coder": "RH"}]
    outputs = render_outputs(data, formats=("md", "tables"), kinds=("appendix",))
    assert "| P02 | worker | Riverside | 2: *Summary:* Resents the board. (RH); “My son works there too." in \
        outputs["appendix.md"]
    rows = list(csv.DictReader(io.StringIO(outputs["tables/framework_matrix.csv"])))
    assert [(r["participant"], r["group"], r["site"], r["code_id"], r["segments"], r["summary"]) for r in rows
            if r["summary"]] == [("P02", "worker", "Riverside", "targets", "2", "Resents the board.")]


# -- set-aside hits, methods ---------------------------------------------------------------------------------------

def test_set_aside_section_counts_and_shows_examples_with_reasons(tmp_path):
    result = run_study(StudySettings(transcripts=(str(EVIDENCE / "transcripts"),),
                                     attributes=str(EVIDENCE / "participants.csv"),
                                     codebook=str(EVIDENCE / "codebook.yaml"), n_themes=1))
    write_report(result, tmp_path / "r")
    md = section((tmp_path / "r" / "appendix.md").read_text(encoding="utf-8"), "## Set-aside hits")
    hits = list(csv.DictReader((tmp_path / "r" / "set_aside_hits.csv").open(encoding="utf-8")))
    assert {(h["code_id"], h["status"]) for h in hits} == {("isolation", "negated"), ("targets", "excluded")}
    assert "### Isolation > Feeling isolated\n\n1 negated, 0 vetoed, 0 outside a restriction." in md
    assert [s.text for s in result.segments if s.code_id == "isolation"] == ["I felt isolated before I started going."]
    assert "### Work > Targets\n\n0 negated, 1 vetoed, 0 outside a restriction." in md
    negated = next(h for h in hits if h["status"] == "negated")
    assert (f"- Negated: “I never felt isolated there, they were good to me.” (E01, turn {int(negated['turn']) + 1}, "
            f"chars {negated['start']}–{negated['end']}; matched: isolated; negated by 'never')") in md
    vetoed = next(h for h in hits if h["status"] == "excluded")
    assert (f"- Vetoed (exclude pattern): “She set me a target of ten thousand steps a day, which I liked.” (E02, turn 2, "
            f"chars {vetoed['start']}–{vetoed['end']}; matched: target; excluded by 'step')") in md


def test_methods_prose_names_the_runs_figures(result, out):
    md = section((out / "appendix.md").read_text(encoding="utf-8"), "## Methods")
    data = json.loads((out / "run.json").read_text(encoding="utf-8"))
    words = sum(t.participant_words() for t in result.transcripts)
    assert f"Data. 3 interview transcripts ({words:,} words of participant speech) were analysed, by group: user (n=1) and worker (n=2)." in md
    assert f"The run produced {len(result.segments)} coded segments; 3 of 3 codes were applied." in md
    assert f"SHA-256 {result.codebook.sha256[:12]}" in md
    assert "patterns (phrase in 3 codes) were matched on participant speech only, and a hit coded its sentence" in md
    assert "0 negated, 0 vetoed and 0 outside a restriction" in md
    assert "| COREQ | 22 | Data saturation | Appendix, Saturation (new codes per interview, as evidence) |" in md
    assert "| COREQ | 28 | Participant checking | **Researcher to report** |" in md
    assert "- human coding: none" in md
    assert data["methods"]["human_coding"] == "none"


# -- Markdown and Word -------------------------------------------------------------------------------------------

def test_markdown_shows_transcript_markup_literally(out):
    md = (out / "thematic.md").read_text(encoding="utf-8")
    assert "the **website** shows \\<script>alert(1)\\</script> when you open it" in md
    assert not re.search(r"(?<!\\)<(script|/script)>", md)


@pytest.mark.parametrize("text, shown", [
    ("<inaudible> and then", "\\<inaudible> and then"),
    ("*laughs* yes", "\\*laughs\\* yes"),
    ("<script>alert(1)</script>", "\\<script>alert(1)\\</script>"),
    ("[crosstalk] a_b `code`", "\\[crosstalk\\] a\\_b \\`code\\`"),
    ("two\nlines", "two lines"),
])
def test_markdown_text_is_escaped_to_show_literally(text, shown):
    from qualkit.report.writer import markdown_text

    assert markdown_text(text) == shown


def test_every_picture_in_the_word_files_fits_its_page(out):
    pictures = 0
    for path in out.glob("*.docx"):
        document = docx.Document(str(path))
        sections = list(document.sections)
        index = 0
        for block in document.element.body.iterchildren():
            section = sections[min(index, len(sections) - 1)]
            width = section.page_width - section.left_margin - section.right_margin
            height = section.page_height - section.top_margin - section.bottom_margin
            for extent in block.xpath(".//wp:inline/wp:extent"):
                pictures += 1
                assert int(extent.get("cx")) <= width, path.name
                assert int(extent.get("cy")) <= height, path.name
            if block.xpath("./w:pPr/w:sectPr"):
                index += 1
    assert pictures >= 4


# -- a study's reviewed coding -----------------------------------------------------------------------------------

def test_run_on_a_study_reports_its_reviewed_coding(tmp_path):
    from qualkit.store import init_study

    settings = StudySettings(transcripts=(str(STUDY / "transcripts"),), attributes=str(STUDY / "participants.csv"),
                             codebook=str(STUDY / "codebook.yaml"), n_themes=1)
    with init_study(tmp_path / "study", settings) as study:
        first, second = study.segments()[:2]
        study.decide(first["segment_id"], "accept", coder="RH")
        study.decide(second["segment_id"], "reject", coder="RH")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", "--study", str(tmp_path / "study"), "--themes", "1", "--out", str(out)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader((out / "coded_segments.csv").open(encoding="utf-8")))
    assert [(r["segment_id"], r["status"], r["code_id"]) for r in rows] == [(first["segment_id"], "accepted",
                                                                             first["code_id"])]
    md = (out / "appendix.md").read_text(encoding="utf-8")
    assert "Review. Of the 7 automatic codings, RH reviewed 2: 1 accepted, 1 rejected and 0 recoded to another code, " \
           "with 5 still pending; 0 passages were coded by hand." in md
    assert "warning: 5 automatic codings of" in result.output
    trail = md.split("### Methods trail")[1]
    assert "- review: automatic 7, accepted 1, rejected 1, recoded 0, manual 0, pending 5, orphaned 0" in trail
    assert "- reviewers: RH" in trail
    accepted = {first["code_id"]: "100%", second["code_id"]: "0%"}
    assert all(f"{code}: {share}" in trail for code, share in accepted.items())


def test_a_study_with_two_coders_shows_their_agreement_and_every_quote_is_reviewed(tmp_path):
    from qualkit.store import init_study

    settings = StudySettings(transcripts=(str(STUDY / "transcripts"),), attributes=str(STUDY / "participants.csv"),
                             codebook=str(STUDY / "codebook.yaml"), n_themes=1)
    with init_study(tmp_path / "study", settings) as study:
        segments = study.segments()
        for number, segment in enumerate(segments):
            study.decide(segment["segment_id"], "accept", coder="RH")
            study.decide(segment["segment_id"], "accept" if number else "reject", coder="AB")
    result = run_study(StudySettings(study=str(tmp_path / "study"), n_themes=1))
    md = render_outputs(study_data(result), kinds=("appendix",), formats=("md",))["appendix.md"]
    review = section(md, "## Review")
    assert "Reviewers: AB, RH." in review
    assert "AB, RH, on the 7 segments two or more of them decided: Krippendorff's alpha " in review
    assert "| AB and RH | 7 | 86% |" in review
    context = report_context(study_data(run_study(StudySettings(study=str(tmp_path / "study"), n_themes=1,
                                                                coding="auto"))))
    quotes = [q for code in context["codes"] for q in code["quotes"]]
    assert segments[0]["text"] not in [q["coded_text"] for q in quotes]  # the last decision rejected it
    assert quotes and all(q["status"] == "accepted" and not q["unreviewed"] for q in quotes)


# -- broken run files --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("key", ["segments", "codebook", "settings"])
def test_report_from_a_run_file_missing_a_key_is_one_line(out, tmp_path, key):
    folder = tmp_path / "run"
    shutil.copytree(out, folder)
    data = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    del data[key]
    (folder / "run.json").write_text(json.dumps(data), encoding="utf-8")
    before = (folder / "appendix.md").read_text(encoding="utf-8")
    result = CliRunner().invoke(main, ["report", "--from", str(folder)])
    assert result.exit_code == 1
    assert result.output == (f"Error: {folder / 'run.json'}: run file has no {key!r} (is it whole? run 'qualkit run' "
                             "again to rewrite it)\n")
    assert (folder / "appendix.md").read_text(encoding="utf-8") == before
