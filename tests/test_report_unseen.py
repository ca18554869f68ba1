"""How reports read on studies unlike the sample, on small fixtures: a survey of many responses whose
per-participant tables must not swamp the documents, a study with no group attribute, shares and counts
worded as a reader expects."""

from __future__ import annotations

import csv
import io
import warnings

import docx
import pytest

from qualkit.report import ReportOptions, render_outputs, study_data, write_report
from qualkit.study import StudySettings, run_study
from tests.conftest import FIXTURES
from tests.test_report_evidence import section

REPORT = FIXTURES / "report"
SURVEY = REPORT / "survey" / "responses.csv"


def reports_of(tmp_path_factory, name: str, table, codebook, **settings):
    """Run a survey table (warnings about the fixture kept quiet) and write its reports; return their folder."""
    folder = tmp_path_factory.mktemp(name) / "reports"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        write_report(run_study(StudySettings(transcripts=(str(table),), attributes=None, codebook=str(codebook),
                                             id_column="id", n_themes=1, **settings)), folder)
    return folder


@pytest.fixture(scope="module")
def survey(tmp_path_factory):
    """70 responses, 3 of them coded (R003 family, R040 targets, R065 family and web pages), by ward."""
    return reports_of(tmp_path_factory, "unseen", SURVEY, REPORT / "codebook.yaml", text_column="comment", group_by="ward")


def survey_data() -> dict:
    """The survey fixture's run data, grouped by ward."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return study_data(run_study(StudySettings(transcripts=(str(SURVEY),), attributes=None, codebook=str(REPORT / "codebook.yaml"),
                                                  text_column="comment", id_column="id", group_by="ward", n_themes=1)))


def docx_text(path) -> str:
    document = docx.Document(path if isinstance(path, io.BytesIO) else str(path))
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
    assert '<p class="note">The table shows the 3 responses that added a new code; the 67 others added none' in html
    assert '<p class="note">The first 60 of 70 participants; tables/cases_by_code.csv holds them all.</p>' in html
    word = docx_text(survey / "appendix.docx")
    assert "68 of the 70 participants, with no segment coded to this theme, are not shown" in word
    assert "The table shows the 3 responses that added a new code; the 67 others added none" in word
    assert "The first 60 of 70 participants; tables/cases_by_code.csv holds them all." in word


@pytest.fixture(scope="module")
def ungrouped(tmp_path_factory):
    """The same responses with no attributes sheet and the default --group-by group, which no response has."""
    return reports_of(tmp_path_factory, "ungrouped", SURVEY, REPORT / "codebook.yaml", text_column="comment")


def test_a_study_without_the_group_attribute_says_it_is_not_grouped_and_why_nothing_is_compared(ungrouped):
    opening = "70 survey responses; 846 words of participant speech. Not grouped: no response has a 'group' attribute."
    why = "Not compared: no participant has a 'group' attribute, so all are one group (give --attributes and --group-by to compare groups)."
    for kind in ("thematic", "comparison"):
        md = (ungrouped / f"{kind}.md").read_text(encoding="utf-8")
        html = (ungrouped / f"{kind}.html").read_text(encoding="utf-8")
        word = docx_text(ungrouped / f"{kind}.docx")
        for text in (md, html.replace("&#39;", "'"), word):
            assert opening in text and "(no value) (n=" not in text
    comparison = (ungrouped / "comparison.md").read_text(encoding="utf-8")
    assert why in comparison and why in docx_text(ungrouped / "comparison.docx")
    assert why in (ungrouped / "comparison.html").read_text(encoding="utf-8").replace("&#39;", "'")
    appendix = (ungrouped / "appendix.md").read_text(encoding="utf-8")
    assert "words of participant speech) were analysed, not grouped (no 'group' attribute)." in appendix


def test_counts_are_worded_with_their_noun_in_the_singular_and_plural(survey):
    md = (survey / "thematic.md").read_text(encoding="utf-8")
    targets = md[md.index("### Work > Targets"):]
    assert targets.split("\n\n")[2].startswith("1 segment, 1 participant: A 0/35 (0.0%); 0 seg.; B 1/35 (2.9%); 1 seg.")
    assert "3 segments from 2 participants." in md.split("### Support > Family support")[0]
    html = (survey / "thematic.html").read_text(encoding="utf-8")
    assert "1 segment, 1 participant." in html and "1 segments" not in html and "1 participants" not in html
    word = docx_text(survey / "thematic.docx")
    assert "1 segment, 1 participant: " in word and "1 segments" not in word


def test_a_share_that_is_not_zero_never_shows_as_zero():
    from qualkit.compare import share

    assert [share(1, 2311), share(0, 2311), share(1, 30000), share(1, 35), share(3, 0)] == [0.04, 0.0, 0.003, 2.9, 0.0]


def test_the_opening_sentence_separates_thousands():
    from qualkit.report.evidence import study_summary

    study = {"sources": {"headline": "6,196 survey responses", "unit": "response"}, "participant_words": 90976,
             "grouped": True, "group_by": "Trust", "groups": [{"name": "NEAS", "size": 3885}, {"name": "NHFT", "size": 2311}],
             "segments": 1, "codes_matched": 1, "codes": 29, "participant_note": "", "pseudonymised": False}
    assert study_summary(study) == ("6,196 survey responses; 90,976 words of participant speech. Grouped by Trust: "
                                    "NEAS (n=3,885), NHFT (n=2,311). 1 coded segment; 1 of 29 codes matched.")


def test_the_saturation_chart_counts_codes_in_whole_numbers_and_names_its_rows():
    import matplotlib

    from qualkit.report.charts import STYLE, saturation

    rows = [{"position": i, "transcript": f"FG{i}", "new": new, "cumulative": so_far}
            for i, new, so_far in [(1, 2, 2), (2, 2, 4), (3, 0, 4)]]
    with matplotlib.rc_context(STYLE):  # as the report draws it (ticks are placed when asked for)
        fig = saturation({"saturation": {"rows": rows, "order": "in file order", "unit": "focus group",
                                         "units": "focus groups"}})
        ticks = [float(t) for t in fig.axes[0].get_yticks()]
    assert ticks == [float(int(t)) for t in ticks]  # codes are counted: no tick at 2.5
    ax = fig.axes[0]
    assert ax.xaxis.label.get_text() == "focus groups in order (in file order), n=3"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["codes applied so far", "new codes in this focus group"]


def test_a_chart_axis_title_pushed_right_by_long_labels_is_wrapped_inside_the_figure():
    from qualkit.report.charts import theme_sizes

    themes = [{"name": f"Suggested {i}: final fantasy and kingdom of the long label", "participants": i} for i in range(1, 8)]
    context = {"themes": themes, "suggested": [], "study": {"participants": 41}}
    fig = theme_sizes(context)
    renderer = fig.canvas.get_renderer()
    label = fig.axes[0].xaxis.label
    box = label.get_window_extent(renderer)
    assert 0 <= box.x0 and box.x1 <= fig.bbox.width
    assert " ".join(label.get_text().split()) == ("participants (of 41): with a coded segment (codebook themes) "
                                                  "or a sentence (suggested themes)")


@pytest.fixture(scope="module")
def hebrew(tmp_path_factory):
    """Four Hebrew responses grouped by a 'speaker' column whose values are Hebrew letters (one empty)."""
    rtl = REPORT / "rtl"
    return reports_of(tmp_path_factory, "hebrew", rtl / "class.csv", rtl / "codebook.yaml", text_column="text", group_by="speaker")


def test_right_to_left_group_names_and_credits_keep_their_numbers_in_order_in_every_format(hebrew):
    mem, bet = "\u2068מ\u2069", "\u2068ב\u2069"
    md = (hebrew / "thematic.md").read_text(encoding="utf-8")
    assert f"(no value) 1/1 (100.0%); 1 seg.; {bet} 1/2 (50.0%); 1 seg.; {mem} 1/1 (100.0%); 1 seg." in md
    assert f"Grouped by speaker: (no value) (n=1), {bet} (n=2), {mem} (n=1)." in md
    assert "> — \u2068R2, ב\u2069 (R2, turn 1, chars 0–36; matched: \u2068המצלמה\u2069)" in md  # credited by the speaker column, once
    html = (hebrew / "thematic.html").read_text(encoding="utf-8")
    assert f"{mem}: 1/1 (100.0%); 1 seg." in html and '<p dir="auto">' in html
    word = docx_text(hebrew / "thematic.docx")
    assert f"{mem} 1/1 (100.0%); 1 seg." in word and "— \u2068R2, ב\u2069 (R2" in word
    comparison = (hebrew / "comparison.html").read_text(encoding="utf-8")
    assert '<h3>Themes</h3>\n<div class="wide"><table>' in comparison
    assert "(no value) 1/1 (100.0%)" in (hebrew / "comparison.md").read_text(encoding="utf-8")  # left-to-right text unchanged



def test_further_tables_have_headers_in_words_and_say_what_they_show():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = study_data(run_study(StudySettings(transcripts=(str(REPORT / "transcripts"),), attributes=str(REPORT / "participants.csv"),
                                                  codebook=str(REPORT / "codebook.yaml"), n_themes=1)))
    columns = ["code_id", "code", "group", "segments", "group_size", "share", "per_1000_words"]
    data["tables"]["theme_comparison"] = {"columns": columns, "rows": [dict(zip(columns, ["theme-1", "Suggested theme 1: bus",
                                                                                         "user", 2, 1, 100.0, 4.5]))]}
    outputs = render_outputs(data, ReportOptions(charts=False), ["appendix"], ["md", "html", "docx", "tables"])
    comparison = section(outputs["appendix.md"], "## Theme comparison")
    assert comparison.split("\n\n")[0].strip().startswith("Each suggested theme (and code) by group: segments")
    assert ("| id | code | group | segments | group size (participants) | share (% of group) | segments per 1,000 words |"
            in comparison)
    assert outputs["tables/theme_comparison.csv"].startswith("code_id,code,group,segments,group_size,share,per_1000_words")
    assert "<th>segments per 1,000 words</th>" in outputs["appendix.html"] and "<th>per_1000_words</th>" not in outputs["appendix.html"]
    word = docx_text(io.BytesIO(outputs["appendix.docx"]))
    assert "segments per 1,000 words" in word and "per_1000_words" not in word


def test_a_word_table_of_many_groups_and_few_rows_is_turned_so_its_cells_stay_readable():
    data = survey_data()
    for i, transcript in enumerate(data["transcripts"]):
        transcript["attributes"]["ward"] = f"Ward {i % 14 + 1:02d}"  # 14 wards of 5 responses
    outputs = render_outputs(data, ReportOptions(charts=False), ["comparison"], ["docx"])
    document = docx.Document(io.BytesIO(outputs["comparison.docx"]))
    themes = document.tables[0]
    assert [c.text for c in themes.rows[0].cells] == ["Theme", "Support", "Work"]
    assert [row.cells[0].text for row in themes.rows[1:3]] == ["Spread (points)", "Ward 01"]
    assert len(themes.rows) == 16 and len(themes.columns) == 3


def test_counts_of_rows_left_out_separate_thousands():
    data = survey_data()
    quiet = [t for t in data["transcripts"] if t["id"] == "R001"][0]
    data["transcripts"] += [{**quiet, "id": f"X{i:04d}"} for i in range(1000)]  # 1,000 more responses, none coded
    outputs = render_outputs(data, ReportOptions(charts=False), ["appendix"], ["md", "docx"])
    for text in (outputs["appendix.md"], docx_text(io.BytesIO(outputs["appendix.docx"]))):
        assert "1,068 of the 1,070 participants, with no segment coded to this theme, are not shown" in text
        assert "the 1,067 others added none" in text and "The first 60 of 1,070 participants" in text


def test_codes_nothing_was_coded_to_are_listed_together_not_one_empty_section_each(ungrouped):
    md = (ungrouped / "thematic.md").read_text(encoding="utf-8")
    work = md[md.index("## Work"):md.index("## Suggested themes")]
    assert "### Work > Targets" in work  # coded once: its own section
    support = md[md.index("## Support"):md.index("## Work")]
    assert "### Support > Web pages" in support and "No passage was coded" not in md
    data = survey_data()
    data["segments"] = [s for s in data["segments"] if s["code_id"] == "family"]
    outputs = render_outputs(data, ReportOptions(charts=False), ["thematic"], ["md", "html", "docx"])
    listed = "Not coded in these data (1 of 2 codes; definitions in the appendix's codebook): Support > Web pages."
    assert listed in outputs["thematic.md"] and "### Support > Web pages" not in outputs["thematic.md"]
    assert "Not coded in these data (1 of 1 codes; definitions in the appendix's codebook): Work > Targets." in outputs["thematic.md"]
    assert '<span id="code-code-security">Support &gt; Web pages</span>.' in outputs["thematic.html"]
    assert '<h3>Support &gt; Web pages</h3>' not in outputs["thematic.html"]
    assert listed in docx_text(io.BytesIO(outputs["thematic.docx"]))


def test_the_methods_say_why_fewer_themes_are_reported_than_were_fitted():
    from qualkit.report.methods import _themes_paragraph

    data = {"extra": {"theme_methods": {"k": 15, "residual": True, "units": 9020, "k_chosen_by": "stability"}},
            "codebook": {"top_themes": ["A"]}}
    text = _themes_paragraph(data, {"suggested": [{}] * 14})
    assert ("14 candidate themes were suggested" in text and "k = 15 was chosen by stability; 14 of the 15 themes fitted "
            "are reported (a theme merged into another that shared its passages, or left with no sentence of its own, is not).") in text
    assert "fitted are reported" not in _themes_paragraph(data, {"suggested": [{}] * 15})


def test_a_right_to_left_quote_is_a_right_to_left_paragraph_in_word(hebrew, survey):
    from docx.oxml.ns import qn

    def quotes(path):
        document = docx.Document(str(path))
        return [(p.text, p._p.pPr.find(qn("w:bidi")) is not None) for p in document.paragraphs if p.style.name == "Quote"]

    assert quotes(hebrew / "thematic.docx")[0] == ("המצלמה לא עובדת היום בכיתה שלנו בכלל.", True)
    assert not any(rtl for _, rtl in quotes(survey / "thematic.docx"))


def test_right_to_left_group_names_are_isolated_in_word_tables_and_the_comparison(hebrew):
    appendix = docx.Document(str(hebrew / "appendix.docx"))
    by_group = next(t for t in appendix.tables if "(N=" in t.rows[0].cells[-1].text)
    assert "\u2068מ\u2069 (N=1)" in [c.text for c in by_group.rows[0].cells]
    assert "Highest in (no value), lowest in \u2068ב\u2069: a spread of 50.0" in docx_text(hebrew / "comparison.docx")
