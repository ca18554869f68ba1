"""Reports: the right quotes under the right codes, counts that match coded_segments.csv, attribution,
pseudonyms everywhere, escaping, Word and Excel tables, templates, and re-rendering from run.json."""

from __future__ import annotations

import csv
import io
import os
import re
import warnings
import zipfile
from collections import Counter
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner

from qualkit.cli import main
from qualkit.report import (
    QuotePolicy, ReportOptions, choose_quotes, load_pseudonyms, render_outputs, report_context, study_data,
    write_report,
)
from qualkit.report.quotes import quote_pieces
from qualkit.study import StudySettings, run_study
from tests.conftest import FIXTURES, ROOT

REPORT = FIXTURES / "report"
PSEUDONYMS = REPORT / "pseudonyms.csv"
REAL_NAMES = ("Maggie Thornton", "Hollins Road", "Northfield")


@pytest.fixture(scope="module")
def result():
    return run_study(StudySettings(transcripts=(str(REPORT / "transcripts"),), attributes=str(REPORT / "participants.csv"),
                                   codebook=str(REPORT / "codebook.yaml"), n_themes=1))


@pytest.fixture(scope="module")
def plain_out(result, tmp_path_factory):
    out = tmp_path_factory.mktemp("plain") / "reports"
    write_report(result, out)
    return out


@pytest.fixture(scope="module")
def pseudo_out(result, tmp_path_factory):
    out = tmp_path_factory.mktemp("pseudo") / "reports"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        write_report(result, out, ReportOptions(pseudonyms=str(PSEUDONYMS)))
    assert [str(w.message) for w in caught] == []
    return out


def section(markdown: str, heading: str) -> str:
    """The text under a Markdown heading, up to the next heading of any level."""
    start = markdown.index(heading + "\n")
    rest = markdown[start + len(heading) + 1:]
    end = re.search(r"^#{1,6} ", rest, flags=re.M)
    return rest[: end.start()] if end else rest


def test_every_kind_in_every_format_and_an_index(plain_out):
    names = {str(p.relative_to(plain_out)) for p in plain_out.rglob("*") if p.is_file()}
    for kind in ("thematic", "appendix", "comparison", "report"):
        assert {f"{kind}.html", f"{kind}.md", f"{kind}.docx"} <= names
    assert {"tables.xlsx", "tables/codebook.csv", "tables/codes_by_group.csv", "tables/framework_matrix.csv",
            "coded_segments.csv", "run.json", "index.html"} <= names
    index = (plain_out / "index.html").read_text(encoding="utf-8")
    for name in ("thematic.html", "appendix.docx", "comparison.md", "tables.xlsx", "coded_segments.csv"):
        assert f'href="{name}"' in index


def test_quotes_under_their_codes_with_attribution_and_reference(plain_out):
    md = (plain_out / "thematic.md").read_text(encoding="utf-8")
    family = section(md, "### Support > Family support")
    assert "3 segments, 3 participants: user 1/1 (100.0%); 1 seg.; worker 2/2 (100.0%); 2 seg." in family
    assert ("> My **daughter** thinks the targets are mad, honestly.\n"
            "> — P01, worker, Northfield (P01, turn 2 [01:05], chars 102–151; matched: daughter)") in family
    # a short sentence is quoted with the next one of its turn (whole sentences, at least 8 words)
    assert ("> My **son** works there too. He hates the targets.\n"
            "> — P02, worker, Riverside (P02, turn 4, chars 556–601; matched: son)") in family
    assert "website" not in family


def test_counts_match_coded_segments_csv(plain_out):
    rows = list(csv.DictReader((plain_out / "coded_segments.csv").open(encoding="utf-8")))
    groups = {r["id"]: r["group"] for r in csv.DictReader((REPORT / "participants.csv").open(encoding="utf-8"))}
    segments = Counter((r["code_path"], groups[r["transcript"]]) for r in rows)
    people = Counter((code, group) for code, group, _ in {(r["code_path"], groups[r["transcript"]], r["transcript"]) for r in rows})
    sizes = Counter(groups.values())
    table = section((plain_out / "appendix.md").read_text(encoding="utf-8"), "## Codes by group")
    for code in ("Support > Family support", "Support > Web pages", "Work > Targets"):
        cells = [f"{people[(code, g)]}/{sizes[g]} ({round(100 * people[(code, g)] / sizes[g], 1)}%); {segments[(code, g)]} seg."
                 for g in ("user", "worker")]
        assert re.search(rf"^\| {re.escape(code)} \| {re.escape(cells[0])}[^|]* \| {re.escape(cells[1])}[^|]* \|$", table, re.M)


def test_html_escapes_transcript_markup(plain_out):
    for kind in ("thematic", "report", "appendix"):
        html = (plain_out / f"{kind}.html").read_text(encoding="utf-8")
        assert "<script" not in html
    assert "shows &lt;script&gt;alert(1)&lt;/script&gt; when" in (plain_out / "thematic.html").read_text(encoding="utf-8")


def test_long_passage_is_trimmed_around_the_matched_words(result):
    context = report_context(result, ReportOptions(quotes=QuotePolicy(per_code=4)))
    targets = next(c for c in context["codes"] if c["id"] == "targets")
    long = next(q for q in targets["quotes"] if q["trimmed"])
    assert [p["text"] for p in long["pieces"] if p["cut"]] == ["[...] ", " [...]"]
    words = [p["text"] for p in long["pieces"] if not p["cut"]]
    assert words[1] == "target" and len(words[0].split()) == 15 and len(words[2].split()) == 15


def test_pseudonyms_applied_in_every_output(pseudo_out):
    for path in pseudo_out.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if path.suffix in (".docx", ".xlsx"):
            with zipfile.ZipFile(path) as archive:
                data = b" ".join(archive.read(n) for n in archive.namelist() if n.endswith(".xml"))
        text = data.decode("utf-8", errors="replace")
        for name in REAL_NAMES:
            assert name not in text, (path.name, name)
    md = (pseudo_out / "thematic.md").read_text(encoding="utf-8")
    assert ("> My **daughter** Ann comes round from Elm Street every day.\n"
            "> — P03, user, Site A (P03, turn 2, chars 33–101; matched: daughter)") in md


def test_leak_check_warns_about_a_real_name_left_in_a_template(result, tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "thematic.md.j2").write_text("Prepared for Maggie Thornton.\n{% include '_thematic.md.j2' %}\n")
    with pytest.warns(UserWarning) as caught:
        write_report(result, tmp_path / "out", ReportOptions(pseudonyms=str(PSEUDONYMS), template_dir=str(templates)))
    assert [str(w.message) for w in caught] == [
        "thematic.md: real name 'Maggie Thornton' still appears 1 time after pseudonymisation"]
    assert (tmp_path / "out" / "thematic.md").read_text(encoding="utf-8").startswith("Prepared for Maggie Thornton.")


def test_pseudonyms_keep_the_highlight_on_the_matched_words():
    p = load_pseudonyms(PSEUDONYMS)
    text, spans = p.text_and_spans("Maggie Thornton said the targets at Hollins Road.", [(25, 32), (36, 48)])
    assert text == "Ann said the targets at Elm Street."
    assert [text[a:b] for a, b in spans] == ["targets", "Elm Street"]


@pytest.mark.parametrize("content, message", [
    ("real,pseudonym\nMaggie,Ann,extra\n", "line 2: expected 'real name,pseudonym', got 3 columns"),
    ("Maggie,\n", "line 1: empty real name or pseudonym"),
])
def test_bad_pseudonym_file_names_the_line(tmp_path, content, message):
    from qualkit.errors import ReportError

    path = tmp_path / "names.csv"
    path.write_text(content)
    with pytest.raises(ReportError) as error:
        load_pseudonyms(path)
    assert str(error.value) == f"{path}, {message}"


def test_attribution_uses_only_the_listed_fields(result):
    context = report_context(result, ReportOptions(attribution=("site", "id", "gender")))
    quotes = [q["attribution"] for c in context["codes"] for q in c["quotes"]]
    assert set(quotes) == {"Northfield, P01", "Riverside, P02", "Northfield, P03"}


def item(transcript: str, start: int, words: int, text: str | None = None) -> dict:
    body = text or " ".join(["Word"] * (words - 1)) + " end."
    return {"transcript": transcript, "start": start, "end": start + len(body), "text": body}


def test_quote_policy_spreads_across_participants_and_groups_and_never_repeats():
    items = [item("A", 0, 20), item("A", 200, 21), item("A", 0, 20), item("B", 0, 30), item("C", 0, 25)]
    groups = {"A": "g1", "B": "g1", "C": "g2"}
    chosen = choose_quotes(items, QuotePolicy(per_code=3), groups)
    assert [(q["transcript"], q["start"]) for q in chosen] == [("C", 0), ("A", 200), ("B", 0)]
    more = choose_quotes(items, QuotePolicy(per_code=10), groups)
    assert sorted((q["transcript"], q["start"]) for q in more) == [("A", 0), ("A", 200), ("B", 0), ("C", 0)]


def test_quote_policy_prefers_complete_sentences_of_moderate_length():
    items = [item("A", 0, 3, "Too short here."), item("B", 0, 0, "and then it was the targets every week again and again"),
             item("C", 0, 12, "The targets were set every quarter by the manager and team.")]
    assert [q["transcript"] for q in choose_quotes(items, QuotePolicy(per_code=3))] == ["C", "B", "A"]


def test_quote_pieces_trim_only_long_passages():
    short = "I felt isolated after the operation."
    assert quote_pieces(short, [(2, 15)], QuotePolicy()) == [
        {"text": "I ", "match": False, "cut": False}, {"text": "felt isolated", "match": True, "cut": False},
        {"text": " after the operation.", "match": False, "cut": False}]
    long = " ".join(f"w{i}" for i in range(100))
    at = long.index("w50")
    pieces = quote_pieces(long, [(at, at + 3)], QuotePolicy(context_words=2))
    assert "".join(p["text"] for p in pieces) == "[...] w48 w49 w50 w51 w52 [...]"


def test_word_reports_have_real_headings_and_tables(plain_out):
    document = docx.Document(str(plain_out / "appendix.docx"))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:4] == ["Appendix: Report fixture codebook", "Codebook", "Codes by group", "Code prevalence by group"]
    codebook = document.tables[0]
    assert [c.text for c in codebook.rows[0].cells] == ["Code", "Definition", "Include", "Exclude", "Example quote"]
    assert [r.cells[0].text for r in codebook.rows[1:]] == ["Support > Family support", "Support > Web pages", "Work > Targets"]
    by_group = document.tables[1]
    assert [c.text for c in by_group.rows[3].cells] == ["Work > Targets", "0/1 (0.0%); 0 seg.", "2/2 (100.0%); 4 seg."]
    thematic = docx.Document(str(plain_out / "thematic.docx"))
    quotes = [p for p in thematic.paragraphs if p.style.name == "Quote"]
    assert [r.text for r in quotes[0].runs if r.bold] == ["daughter"]


def test_excel_workbook_holds_the_tables(plain_out):
    book = openpyxl.load_workbook(plain_out / "tables.xlsx")
    assert book.sheetnames[:5] == ["codebook", "codes_by_group", "framework_matrix", "group_differences", "cooccurrence"]
    rows = list(book["codes_by_group"].values)
    assert rows[0][:5] == ("code_id", "code", "group", "segments", "participants")
    assert ("targets", "Work > Targets", "worker", 4, 2) in [r[:5] for r in rows]


def test_framework_matrix_cell_is_the_count_and_the_shortest_good_quote(plain_out):
    md = section((plain_out / "appendix.md").read_text(encoding="utf-8"), "### Work")
    # a row per participant with the group-by attribute, ordered by it
    assert md.index("| P03 | user | 0 |") < md.index("| P01 | worker | 2: “My daughter thinks the targets are mad, honestly.” (turn 2) |")


def test_report_rerenders_from_run_json_without_coding(plain_out, tmp_path):
    out = tmp_path / "again"
    runner = CliRunner()
    result = runner.invoke(main, ["report", "--from", str(plain_out), "--kind", "thematic", "--format", "md",
                                  "--out", str(out), "--attribution", "id, group"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*.md")) == ["thematic.md"]
    md = (out / "thematic.md").read_text(encoding="utf-8")
    assert "> — P02, worker (P02, turn 4, chars 556–601; matched: son)" in md
    same = runner.invoke(main, ["report", "--from", str(plain_out), "-k", "thematic", "-f", "md", "-o", str(tmp_path / "same")])
    assert same.exit_code == 0
    assert (tmp_path / "same" / "thematic.md").read_text(encoding="utf-8") == (plain_out / "thematic.md").read_text(encoding="utf-8")


def test_report_without_run_json_is_one_clear_line(tmp_path):
    result = CliRunner().invoke(main, ["report", "--from", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.strip() == (f"Error: {tmp_path / 'run.json'}: not found "
                                     f"(is {tmp_path} the output folder of 'qualkit run'?)")


def test_template_error_names_the_template_and_line(result, tmp_path):
    (tmp_path / "thematic.md.j2").write_text("Hello\n{{ no_such_field }}\n")
    from qualkit.errors import ReportError

    with pytest.raises(ReportError) as error:
        render_outputs(study_data(result), ReportOptions(template_dir=str(tmp_path)), ["thematic"], ["md"])
    assert str(error.value) == "template thematic.md.j2, line 2: 'no_such_field' is undefined"


def test_example_template_renders(result):
    outputs = render_outputs(study_data(result), ReportOptions(template_dir=str(ROOT / "docs" / "example_template")),
                             ["thematic"], ["html"])
    html = outputs["thematic.html"]
    assert "Family support" in html and "My <mark>daughter</mark> thinks" in html


def test_fields_added_to_the_result_later_are_shown(result):
    data = study_data(result)
    data["tables"]["tests"] = {"columns": ["code", "p_value"], "rows": [{"code": "Work > Targets", "p_value": 0.4}]}
    for row in data["comparison"]:
        row["rate_per_1000"] = 1.5
    outputs = render_outputs(data, ReportOptions(charts=False), ["appendix"], ["md", "html"])
    assert "| Work > Targets | 0.4 |" in section(outputs["appendix.md"], "## Tests")
    assert re.search(r"\| 2/2 \(100.0%\); 4 seg\.;[^|]* rate per 1000: 1\.5", outputs["appendix.md"])
    assert "<h2 id=\"table-tests\">Tests</h2>" in outputs["appendix.html"]
    data["tables"]["tests"] = {"columns": ["code", "groups"], "rows": [{"code": "Work > Targets", "groups": [{"n": 2}]}]}
    book = openpyxl.load_workbook(io.BytesIO(render_outputs(data, ReportOptions(charts=False), [], ["tables"])["tables.xlsx"]))
    assert list(book["tests"].values) == [("code", "groups"), ("Work > Targets", '[{"n": 2}]')]


def keys(value, found: set[str]) -> set[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            found.add(key)
            keys(inner, found)
    elif isinstance(value, list):
        for inner in value:
            keys(inner, found)
    return found


def test_every_context_field_is_documented(result):
    documented = (ROOT / "docs" / "templates.md").read_text(encoding="utf-8")
    context = report_context(result)
    free = {"settings", "extra", "methods"}  # free-form mappings, documented as such
    context["participants"] = [{**p, "attributes": {}} for p in context["participants"]]  # the sheet's own columns
    context["tables"] = [{**t, "rows": []} for t in context["tables"]]  # other analyses' own columns
    context["cases_by_code"] = {**context["cases_by_code"], "rows": [], "shown_rows": []}  # keyed by the study's own variables
    names = keys({k: v for k, v in context.items() if k not in free}, set(context))
    names -= set(context["comparison"]["extra_columns"])  # columns other analyses add, shown generically
    missing = sorted(n for n in names if f"`{n}`" not in documented)
    assert missing == []


@pytest.fixture(scope="module")
def sample_outputs():
    """The bundled sample study (with RH's human coding) run once, its run data and md/html/docx reports."""
    if not (ROOT / "transcripts_sample" / "coding" / "human_coding_RH.csv").is_file():
        pytest.skip("the bundled sample study or its human coding is not there")
    here = Path.cwd()
    os.chdir(ROOT)  # the sample's human coding is found from the default, relative sample paths
    try:
        data = study_data(run_study(StudySettings()))
    finally:
        os.chdir(here)
    outputs = render_outputs(data, ReportOptions(charts=False), ["appendix", "comparison"], ["md", "html", "docx"])
    return data, outputs


def test_sample_appendix_shows_agreement_with_the_human_coding(sample_outputs):
    data, outputs = sample_outputs
    raw = data["extra"]["agreement"]
    md = section(outputs["appendix.md"], "## Agreement with a human coding")
    overall = raw["overall"]
    assert (f"| **All codes (pooled), {overall['codes']} codes** | {overall['n_a']} | {overall['n_b']} | {overall['n_both']} "
            f"| {overall['precision']:.2f} | {overall['recall']:.2f} | {overall['f1']:.2f} | {overall['kappa']:.2f} |") in md
    assert f"kappa {overall['kappa']:.2f}, Krippendorff's alpha {overall['alpha']:.2f}" in md
    assert f"compared with RH's coding ({raw['source']})" in md
    assert f"could not be located in the transcripts: {len(raw['unlocated'])}." in md
    housing = next(r for r in raw["codes"] if r["code"] == "Client needs > Housing")
    assert (f"| Client needs > Housing | {housing['n_a']} | {housing['n_b']} | {housing['n_both']} | "
            f"{housing['precision']:.2f} | {housing['recall']:.2f} | {housing['f1']:.2f} | {housing['kappa']:.2f} |") in md
    undefined = next(r for r in raw["codes"] if r["precision"] is None)
    assert re.search(rf"\| {re.escape(undefined['code'])} \| {undefined['n_a']} \| {undefined['n_b']} \| 0 \| — \|", md)
    listed = section(outputs["appendix.md"], "### Disagreements")
    first = raw["disagreements"][0]
    assert (f"- **{first['code']}**: coded by {first['coded_by']}, missed by {first['missed_by']} "
            f"({first['transcript']}, chars {first['start']}–{first['end']}): “{first['text']}”") in listed
    assert listed.count("\n- **") == min(10, len(raw["disagreements"]))
    assert f"Krippendorff's alpha {overall['alpha']:.2f}" in outputs["appendix.html"]
    document = docx.Document(io.BytesIO(outputs["appendix.docx"]))
    assert "Agreement with a human coding" in [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Code" and t.rows[0].cells[-1].text == "Kappa")
    assert [c.text for c in table.rows[-1].cells][-1] == f"{overall['kappa']:.2f}"


def test_sample_comparison_tests_table_agrees_with_the_codes_by_group_table(sample_outputs):
    data, outputs = sample_outputs
    pair = data["tables"]["group_tests"]["rows"][0]
    a, b = pair["group_a"], pair["group_b"]
    heading = f"### {a} (N={pair['size_a']}) vs {b} (N={pair['size_b']})"
    table = section(outputs["comparison.md"], heading)
    lines = [line for line in table.splitlines() if line.startswith("| ") and not line.startswith("| Code ")]
    assert len(lines) == len(pair["rows"])
    only = [bool(re.search(r"\(only in [^)]+\) \|", line)) for line in lines]
    assert only == sorted(only, reverse=True) and any(only)  # codes in one group only come first
    weight = next(r for r in pair["rows"] if r["code"] == "Health and wellbeing outcomes > Weight and diet")
    row = next(line for line in lines if line.startswith("| Health and wellbeing outcomes > Weight and diet |"))
    by_group = next(line for line in section(outputs["appendix.md"], "## Codes by group").splitlines()
                    if line.startswith("| Health and wellbeing outcomes > Weight and diet |"))
    groups = [g["name"] for g in report_context(data)["comparison"]["groups"]]
    cells = [c.strip() for c in by_group.strip("|").split("|")][1:]
    for group, n_over_n in ((a, f"{weight['n_a']}/{weight['size_a']} ({weight['share_a']}%)"),
                            (b, f"{weight['n_b']}/{weight['size_b']} ({weight['share_b']}%)")):
        assert cells[groups.index(group)].startswith(n_over_n + ";")
        assert f"| {n_over_n} |" in row
    assert f"| {weight['difference']:+.1f} ({weight['ci_low']:.1f} to {weight['ci_high']:.1f}) | {weight['p']:#.3g} | {weight['p_adjusted']:#.3g} |" in row
    assert "Exploratory, not confirmatory" in outputs["comparison.md"]
    assert f"<h3>{a} (N={pair['size_a']}) vs {b} (N={pair['size_b']})</h3>" in outputs["comparison.html"]
    document = docx.Document(io.BytesIO(outputs["comparison.docx"]))
    assert heading[4:] in [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]


def test_sample_reports_show_no_raw_python_data(sample_outputs):
    _, outputs = sample_outputs
    for name, text in outputs.items():
        if name.endswith((".md", ".html")):
            assert "{'" not in text and "[{" not in text, name
    assert "## Group tests" not in outputs["appendix.md"]


def test_prevalence_chart_gives_each_groups_n(plain_out):
    svg = (plain_out / "charts" / "prevalence.svg").read_text(encoding="utf-8")
    assert "worker (n=2)" in svg
    assert "user (n=1)" in svg


def test_names_left_in_quotes_are_listed_for_the_researcher_and_none_once_mapped(result, tmp_path):
    """Without a pseudonyms file the report's quotes still name Maggie Thornton and Hollins Road: the run says
    so, with the first quote holding each (Northfield, a site every reader sees in the attribution, is not
    listed); with the mapping (pseudo_out) nothing is left to say."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        write_report(result, tmp_path / "reports")
    said = [str(w.message) for w in caught if "capitalised name" in str(w.message)]
    assert said == ["the report's quotes hold 2 capitalised names that may identify someone or somewhere and that "
                    "no pseudonyms file maps: 'Hollins Road' (1 quote, first P03, turn 2, chars 33–101); 'Maggie "
                    "Thornton' (1 quote, first P03, turn 2, chars 33–101); check them before sharing the report, and "
                    "map those that identify with --pseudonyms FILE"]


@pytest.mark.parametrize("text, names", [
    ("Canal Street is where I met Jack Smith. Then we went to Mill Lane.", ["Canal Street", "Jack Smith", "Mill Lane"]),
    ("On Tuesdays I see Dr Patel at the NHS clinic, OK?", ["Dr Patel"]),
    ("Officially I work for the council. My Mum says it's fine.", []),
    ("So Lucid is the app we used, and the food bank too.", ["Lucid"]),
    ("We used the food bank. The Food Bank at St Mary's helped.", ["St Mary"]),
])
def test_a_name_is_a_capital_inside_a_sentence_never_written_in_lower_case(text, names):
    from qualkit.report.identifiers import possible_identifiers

    shown = [{"text": text, "reference": "X, turn 1"}]
    found = possible_identifiers(shown, [text, "so the food bank and the council"], known=[])
    assert [n["name"] for n in found] == names
