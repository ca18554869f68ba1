"""Word (.docx) reports with python-docx: real headings, tables and quote paragraphs, from the plain context."""

from __future__ import annotations

import io
from typing import Any, Mapping, Sequence

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.shared import Inches, Pt

Context = Mapping[str, Any]


def _quote(doc: DocumentObject, q: Mapping[str, Any]) -> None:
    paragraph = doc.add_paragraph(style="Quote")
    for piece in q["pieces"]:
        run = paragraph.add_run(piece["text"])
        run.bold = piece["match"]
    credit = doc.add_paragraph(f"— {q['attribution']} ({q['reference']}")
    credit.add_run(f"; matched: {', '.join(q['matched'])})" if q["matched"] else ")")
    credit.paragraph_format.left_indent = Inches(0.5)
    for run in credit.runs:
        run.font.size = Pt(8.5)


def _table(doc: DocumentObject, header: Sequence[str], rows: Sequence[Sequence[Any]], size: float = 8.5) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = str(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values):
            cell.text = "" if value is None else str(value)
    for row in table.rows:
        for cell in row.cells:
            for run in cell.paragraphs[0].runs:
                run.font.size = Pt(size)
    doc.add_paragraph()


def _cell(cell: Mapping[str, Any]) -> str:
    return f"{cell['participants']}/{cell['group_size']} ({cell['share']}%); {cell['segments']} seg."


def _intro(doc: DocumentObject, ctx: Context) -> None:
    study = ctx["study"]
    groups = ", ".join(f"{g['name']} (n={g['size']})" for g in study["groups"])
    doc.add_paragraph(
        f"{study['transcripts']} interviews; {study['participant_words']} words of participant speech. "
        f"Grouped by {study['group_by']}: {groups}. {study['segments']} coded segments; "
        f"{study['codes_matched']} of {study['codes']} codes matched.")
    for warning in ctx["warnings"]:
        doc.add_paragraph(f"Warning: {warning}", style="List Bullet")


def _picture(doc: DocumentObject, charts: Mapping[str, bytes], name: str, title: str) -> None:
    if name in charts:
        doc.add_heading(title, level=3)
        doc.add_picture(io.BytesIO(charts[name]), width=Inches(6.0))


def thematic(doc: DocumentObject, ctx: Context, charts: Mapping[str, bytes]) -> None:
    """Add the thematic summary: per theme and code its definition, counts by group and quotes; suggested themes."""
    _picture(doc, charts, "themes", "Theme sizes")
    for theme in ctx["themes"]:
        doc.add_heading(theme["name"], level=2)
        if theme["description"]:
            doc.add_paragraph(theme["description"])
        doc.add_paragraph(f"{theme['segments']} segments from {theme['participants']} participants.")
        for code in theme["codes"]:
            doc.add_heading(code["path"], level=3)
            if code["definition"]:
                doc.add_paragraph(f"Definition: {code['definition']}")
            by_group = "; ".join(f"{c['group']} {_cell(c)}" for c in code["by_group"])
            doc.add_paragraph(f"{code['segments']} segments, {code['participants']} participants: {by_group}")
            for q in code["quotes"]:
                _quote(doc, q)
            if not code["quotes"]:
                doc.add_paragraph("No passage was coded.")
    doc.add_heading("Suggested themes", level=2)
    doc.add_paragraph("Candidate themes from TF-IDF and NMF over participant sentences: prompts for reading, not findings.")
    for t in ctx["suggested"]:
        doc.add_heading(f"{t['number']}. {t['label']}", level=3)
        terms = ", ".join(f"{term['term']} ({term['weight']})" for term in t["terms"])
        doc.add_paragraph(f"{t['units']} sentences from {t['participants']} participants. Terms: {terms}")
        for q in t["quotes"]:
            _quote(doc, q)


def appendix(doc: DocumentObject, ctx: Context, charts: Mapping[str, bytes]) -> None:
    """Add the appendix: codebook table, code x group table, framework matrices, further tables, methods."""
    doc.add_heading("Codebook", level=2)
    _table(doc, ["Code", "Definition", "Include", "Exclude", "Example quote"], [
        (c["path"], c["definition"], c["include"], c["exclude"],
         f"\u201c{c['example_quote']['text']}\u201d ({c['example_quote']['attribution']})" if c["example_quote"]
         else (c["examples"][0] if c["examples"] else "")) for c in ctx["codes"]])
    comparison = ctx["comparison"]
    doc.add_heading(f"Codes by {ctx['study']['group_by']}", level=2)
    doc.add_paragraph("Each cell: participants with the code / group size (%); coded segments.")
    _table(doc, ["Code"] + [f"{g['name']} (N={g['size']})" for g in comparison["groups"]],
           [[row["code"]] + [_cell(c) for c in row["cells"]] for row in comparison["rows"]])
    _picture(doc, charts, "prevalence", "Code prevalence by group")
    _picture(doc, charts, "cooccurrence", "Code co-occurrence")
    doc.add_heading("Framework matrix", level=2)
    doc.add_paragraph("Participants by codes, one matrix per theme. Each cell: the number of coded segments and the shortest good quote.")
    for matrix in ctx["framework"]:
        doc.add_heading(matrix["theme"], level=3)
        _table(doc, ["Participant"] + [c["name"] for c in matrix["codes"]], [
            [row["attribution"]] + [
                (f"{cell['segments']}: \u201c{cell['quote']['text']}\u201d" if cell["quote"] else "0")
                for cell in row["cells"]] for row in matrix["rows"]], size=7.5)
    for extra in ctx["tables"]:
        doc.add_heading(extra["title"], level=2)
        _table(doc, extra["columns"], [[r.get(c) for c in extra["columns"]] for r in extra["rows"]])
    methods(doc, ctx)


def methods(doc: DocumentObject, ctx: Context) -> None:
    """Add the methods trail as a two-column table."""
    m = ctx["methods"]
    doc.add_heading("Methods", level=2)
    rows = [(k, v if isinstance(v, (str, int, float)) or v is None else ", ".join(map(str, v)))
            for k, v in m.items() if k != "settings"]
    rows += [(k, v if isinstance(v, (str, int, float)) or v is None else ", ".join(map(str, v)))
             for k, v in m.get("settings", {}).items()]
    _table(doc, ["Item", "Value"], rows)


def comparison(doc: DocumentObject, ctx: Context, charts: Mapping[str, bytes]) -> None:
    """Add the group comparison: the codes and themes on which groups differ most, with quotes from each side."""
    diff = ctx["differences"]
    if not diff["codes"]:
        doc.add_paragraph("Fewer than two groups, or no code whose share differs between groups.")
        return
    doc.add_heading("Themes", level=2)
    _table(doc, ["Theme", "Spread (points)"] + [g["name"] for g in ctx["comparison"]["groups"]],
           [[t["name"], t["spread"]] + [_cell(c) for c in t["cells"]] for t in diff["themes"]])
    _picture(doc, charts, "prevalence", "Code prevalence by group")
    doc.add_heading("Codes", level=2)
    for d in diff["codes"]:
        doc.add_heading(d["path"], level=3)
        doc.add_paragraph(f"Highest in {d['highest']}, lowest in {d['lowest']}: a spread of {d['spread']} percentage points. "
                          + "; ".join(f"{c['group']} {_cell(c)}" for c in d["cells"]))
        for side in d["sides"]:
            if side["quotes"]:
                doc.add_heading(side["group"], level=4)
                for q in side["quotes"]:
                    _quote(doc, q)


SECTIONS = {"thematic": [thematic], "appendix": [appendix], "comparison": [comparison],
            "report": [thematic, comparison, appendix]}


def docx_report(ctx: Context, kind: str, charts: Mapping[str, bytes]) -> bytes:
    """Return a .docx of one report kind (``thematic``, ``appendix``, ``comparison`` or ``report``: all three)."""
    doc = Document()
    doc.core_properties.title = f"{ctx['kind_title']}: {ctx['title']}"
    doc.core_properties.author = ctx["generator"]
    if kind in ("appendix", "report"):
        section = doc.sections[0]
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    doc.add_heading(f"{ctx['kind_title']}: {ctx['title']}", level=1)
    _intro(doc, ctx)
    for add in SECTIONS[kind]:
        add(doc, ctx, charts)
    if kind != "appendix" and kind != "report":
        methods(doc, ctx)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
