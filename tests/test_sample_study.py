"""The bundled sample study, end to end: every quote is the transcript at its offsets."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from qualkit.report import write_report
from qualkit.study import StudySettings, run_study
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    cwd = os.getcwd()
    os.chdir(ROOT)  # the defaults are the bundled sample, relative to the project folder
    try:
        result = run_study(StudySettings())
    finally:
        os.chdir(cwd)
    out = tmp_path_factory.mktemp("sample") / "reports"
    write_report(result, out)
    return result, out


def test_sample_has_at_least_15_interviews_in_three_groups(sample_run):
    result, _ = sample_run
    assert len(result.transcripts) >= 15
    groups = {t.attributes["group"] for t in result.transcripts}
    assert groups == {"health trainer", "link worker", "service user"}
    for transcript in result.transcripts:
        words = len(transcript.text.split())
        assert 800 <= words <= 2200, (transcript.id, words)


def test_every_segment_in_the_csv_is_verbatim_at_its_offsets(sample_run):
    result, out = sample_run
    texts = {t.id: t.text for t in result.transcripts}
    rows = list(csv.DictReader((out / "coded_segments.csv").open(encoding="utf-8")))
    assert len(rows) == len(result.segments) > 50
    for row in rows:
        assert texts[row["transcript"]][int(row["start"]):int(row["end"])] == row["text"]
        assert row["role"] == "participant"


def test_every_matched_code_is_quoted_in_the_report(sample_run):
    result, out = sample_run
    html = (out / "report.md").read_text(encoding="utf-8")
    matched = {s.code_id for s in result.segments}
    assert len(matched) >= 12
    for code in result.codebook.codes:
        if code.id in matched:
            assert f"### {code.path_label}" in html


def test_interviewer_speech_is_never_quoted(sample_run):
    result, _ = sample_run
    interviewer_spans = {(t.id, turn.start, turn.end) for t in result.transcripts for turn in t.turns
                         if turn.role == "interviewer"}
    for segment in result.segments:
        for transcript_id, start, end in interviewer_spans:
            if transcript_id == segment.transcript:
                assert segment.end <= start or segment.start >= end


def test_theme_suggestion_finds_themes_in_what_the_codebook_missed(sample_run):
    result, _ = sample_run
    assert 3 <= len(result.themes) <= 15
    for theme in result.themes:
        assert theme.quotes
        for quote in theme.quotes:
            overlapping = [s for s in result.segments
                           if s.transcript == quote.transcript and s.start < quote.end and quote.start < s.end]
            assert not overlapping, (quote.text, overlapping[0].code_id)


def test_each_suggested_theme_says_its_size_by_group_in_the_report(sample_run):
    result, out = sample_run
    thematic = (out / "thematic.md").read_text(encoding="utf-8")
    sizes = {t.attributes["group"]: 0 for t in result.transcripts}
    for t in result.transcripts:
        sizes[t.attributes["group"]] += 1
    for theme in result.themes:
        assert sum(n for _, _, n, _ in theme.by_group) == len(theme.participants)
        assert sum(units for _, units, _, _ in theme.by_group) == theme.units
        shown = "; ".join(f"{group}: {n}/{sizes[group]} participants, {units} sentences"
                          for group, units, n, _ in theme.by_group)
        assert f"{theme.units} sentences from {len(theme.participants)} participants ({shown})" in thematic


def test_negated_and_vetoed_hits_are_kept_apart_with_their_reason(sample_run):
    result, out = sample_run
    rows = list(csv.DictReader((out / "set_aside_hits.csv").open(encoding="utf-8")))
    texts = {t.id: t.text for t in result.transcripts}
    assert {(r["code_id"], r["status"]) for r in rows} >= {("isolation", "negated"), ("targets", "excluded")}
    never = [r for r in rows if r["reason"] == "negated by 'never'"]
    assert never and all(r["text"].lower() == "lonely" for r in never)
    for row in rows:
        assert texts[row["transcript"]][int(row["start"]):int(row["end"])] == row["text"]
        coded = [s for s in result.segments if s.transcript == row["transcript"] and s.code_id == row["code_id"]
                 and s.start <= int(row["start"]) < s.end and row["status"] == "negated"]
        assert not any(m.start == int(row["start"]) for s in coded for m in s.matches)


@pytest.fixture(scope="module")
def sample_data(sample_run):
    """The sample run's plain data and its report context, built once for the tests that read them."""
    from qualkit.report import report_context, study_data

    result, _ = sample_run
    data = study_data(result)
    return data, report_context(data)


def markdown_section(path: Path, heading: str) -> str:
    text = path.read_text(encoding="utf-8")
    start = text.index(heading + "\n") + len(heading) + 1
    end = text.find("\n## ", start)
    return text[start:] if end < 0 else text[start:end]


def test_no_sample_quote_is_a_passage_its_code_excludes_or_a_fragment(sample_run, sample_data):
    from qualkit.report.quotes import exclusion_check

    result, _ = sample_run
    _, context = sample_data
    turns = {(t.id, turn.index): t.text[turn.start:turn.end] for t in result.transcripts for turn in t.turns}
    quotes = [(code, q) for code in context["codes"] for q in code["quotes"]]
    quotes += [(code, cell["quote"]) for matrix in context["framework"] for row in matrix["rows"]
               for code, cell in zip(matrix["codes"], row["cells"]) if cell["quote"]]
    codes = {c["id"]: c for c in context["codes"]}
    assert len(quotes) > 150
    for code, quote in quotes:
        text = quote["full_text"]
        assert exclusion_check(codes[code["id"]])(text) == "", (code["id"], text)
        assert "before I was on my own" not in text
        assert len(text.split()) >= 8 or text == turns[(quote["transcript"], quote["turn"] - 1)].strip(), text
        assert text.count('"') % 2 == 0, text
        assert quote["pieces"][0]["cut"] or text[0].isupper() or text[0] in "\"'[", text


def test_sample_quotes_spread_over_participants_and_groups(sample_run, sample_data):
    from qualkit.report.quotes import exclusion_check, full_text

    result, _ = sample_run
    data, context = sample_data
    group = {t.id: t.attributes["group"] for t in result.transcripts}
    for code in context["codes"]:
        check = exclusion_check(code)
        quotable = [s for s in data["segments"] if s["code_id"] == code["id"] and not check(full_text(s))]
        people = {q["transcript"] for q in code["quotes"]}
        groups = {q["group"] for q in code["quotes"]}
        assert len(people) == min(len(code["quotes"]), len({s["transcript"] for s in quotable})), code["id"]
        assert len(groups) == min(len(code["quotes"]), len({group[s["transcript"]] for s in quotable})), code["id"]


def test_sample_set_aside_section_lists_its_negated_and_vetoed_hits(sample_run):
    _, out = sample_run
    hits = list(csv.DictReader((out / "set_aside_hits.csv").open(encoding="utf-8")))
    md = markdown_section(out / "appendix.md", "## Set-aside hits")
    paths = {h["code_id"]: h["code_path"] for h in hits}
    for code_id, path in paths.items():
        mine = [h for h in hits if h["code_id"] == code_id]
        counts = [sum(1 for h in mine if h["status"] == s) for s in ("negated", "excluded", "restricted")]
        assert (f"### {path}\n\n{counts[0]} negated, {counts[1]} vetoed, {counts[2]} outside a restriction.") in md
    assert ("- Vetoed (exclude pattern): “I shadowed one of the older trainers for a couple of weeks before I was on my "
            "own, which was the most useful bit, to be honest.” (HT06") in md
    assert "; excluded by 'before I be on my own')" in md
    assert "- Negated: “I never felt lonely really, or anything like that.” (SU02" in md


def test_sample_methods_prose_names_the_runs_numbers_and_the_human_coding(sample_run):
    result, out = sample_run
    md = markdown_section(out / "appendix.md", "## Methods")
    hits = list(csv.DictReader((out / "set_aside_hits.csv").open(encoding="utf-8")))
    negated = sum(1 for h in hits if h["status"] == "negated")
    vetoed = sum(1 for h in hits if h["status"] == "excluded")
    groups = {g: sum(1 for t in result.transcripts if t.attributes["group"] == g)
              for g in ("health trainer", "link worker", "service user")}
    assert (f"Data. {len(result.transcripts)} interview transcripts (" in md
            and f"were analysed, by group: health trainer (n={groups['health trainer']}), link worker "
                f"(n={groups['link worker']}) and service user (n={groups['service user']})." in md)
    assert f"The run produced {len(result.segments)} coded segments" in md
    assert f"{negated} negated, {vetoed} vetoed and 0 outside a restriction" in md
    kappa = result.agreement["overall"]["kappa"]
    assert f"Cohen's kappa pooled over {result.agreement['overall']['codes']} codes {kappa:.2f}" in md
    assert f"{len(result.themes)} candidate themes were suggested" in md
    assert "ordered by the 'date' attribute" in md
    assert "- human coding: transcripts" in md and "human\\_coding\\_RH.csv" not in md.split("### Methods trail")[1]
    assert "human coding: None" not in md


def test_sample_cases_by_code_reopen_in_spss_with_labels(sample_run):
    import pyreadstat

    result, out = sample_run
    frame, meta = pyreadstat.read_sav(str(out / "tables" / "cases_by_code.sav"))
    assert len(frame) == len(result.transcripts)
    assert {"ethnicity", "long_term_conditions", "holistic_vs_targets", "holistic_vs_targets_n"} <= set(frame.columns)
    assert meta.column_names_to_labels["holistic_vs_targets"] == (
        "Working conditions > Holistic ethos and target-driven work (1 = coded)")
    counts = frame.set_index("participant")["holistic_vs_targets_n"].to_dict()
    for tid in counts:
        assert counts[tid] == sum(1 for s in result.segments if s.transcript == tid and s.code_id == "holistic-vs-targets")


def test_sample_shows_ethnicity_conditions_and_the_holistic_ethos_code(sample_run):
    result, _ = sample_run
    for transcript in result.transcripts:
        assert transcript.attributes["ethnicity"]
        assert bool(transcript.attributes["long_term_conditions"]) == (transcript.attributes["group"] == "service user")
    holistic = [s for s in result.segments if s.code_id == "holistic-vs-targets"]
    assert len({s.transcript for s in holistic}) >= 5
    groups = {next(t for t in result.transcripts if t.id == s.transcript).attributes["group"] for s in holistic}
    assert groups == {"health trainer", "link worker", "service user"}


def test_every_picture_in_the_sample_word_files_fits_its_page(sample_run):
    import docx

    _, out = sample_run
    for path in out.glob("*.docx"):
        document = docx.Document(str(path))
        sections, index = list(document.sections), 0
        for block in document.element.body.iterchildren():
            section = sections[min(index, len(sections) - 1)]
            for extent in block.xpath(".//wp:inline/wp:extent"):
                assert int(extent.get("cx")) <= section.page_width - section.left_margin - section.right_margin
                assert int(extent.get("cy")) <= section.page_height - section.top_margin - section.bottom_margin
            index += bool(block.xpath("./w:pPr/w:sectPr"))


def test_a_table_too_wide_for_a_portrait_page_gets_a_landscape_section(sample_run):
    import io

    import docx
    from docx.enum.section import WD_ORIENT

    from qualkit.report import render_outputs, study_data

    result, _ = sample_run
    data = study_data(result)
    data["settings"]["group_by"] = "ethnicity"  # 8 groups: the themes table has 10 columns
    content = render_outputs(data, kinds=("comparison",), formats=("docx",))["comparison.docx"]
    document = docx.Document(io.BytesIO(content))
    assert [s.orientation for s in document.sections][:3] == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE,
                                                               WD_ORIENT.PORTRAIT]
    sections, index, wide = list(document.sections), 0, []
    for block in document.element.body.iterchildren():
        if block.tag.endswith("}tbl"):
            columns = len(block.xpath("./w:tr[1]/w:tc"))
            wide.append((columns, sections[index].orientation))
        index += bool(block.xpath("./w:pPr/w:sectPr"))
    assert wide and all(orientation == WD_ORIENT.LANDSCAPE for columns, orientation in wide if columns > 6)
    assert any(columns == 10 for columns, _ in wide)
