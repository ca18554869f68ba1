"""Word (.docx) reports with python-docx: real headings, tables and quote paragraphs, from the plain context."""

from __future__ import annotations

import io
import re
from xml.sax.saxutils import escape
from typing import Any, Mapping, Sequence

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Inches

from qualkit.report.docx_sections import EVIDENCE_SECTIONS, by_attribute, checklists, framework_cell
from qualkit.report.evidence import counted
from qualkit.report.quotes import isolate, reads_right_to_left

INVALID_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

Context = Mapping[str, Any]


def _style(doc: DocumentObject, name: str) -> Any:
    """Return a style object (python-docx looks styles up by name slowly, so they are cached per document)."""
    cache = doc.__dict__.setdefault("_qualkit_styles", {})
    if name not in cache:
        cache[name] = doc.styles[name]
    return cache[name]


def _heading(doc: DocumentObject, text: str, level: int) -> None:
    doc.add_paragraph(text, style=_style(doc, f"Heading {level}"))


def _run_xml(text: str, bold: bool = False, size: float | None = None) -> str:
    props = ("<w:b/>" if bold else "") + (f'<w:sz w:val="{int(size * 2)}"/>' if size else "")
    return f'<w:r>{f"<w:rPr>{props}</w:rPr>" if props else ""}<w:t xml:space="preserve">{_xml_text(text)}</w:t></w:r>'


def _quote(doc: DocumentObject, q: Mapping[str, Any]) -> None:
    """Add a quote (matched words in bold, style "Quote") and its attribution, built as XML for speed."""
    quote_style = _style(doc, "Quote").style_id
    runs = "".join(_run_xml(piece["text"], bold=piece["match"]) for piece in q["pieces"])
    matched = f"; matched: {', '.join(map(isolate, q['matched']))}" if q["matched"] else ""
    unreviewed = "; unreviewed" if q.get("unreviewed") else ""
    credit = _run_xml(f"— {isolate(q['attribution'])} ({q['reference']}{matched}{unreviewed})", size=8.5)
    body = doc.element.body
    direction = "<w:bidi/>" if reads_right_to_left(q["text"]) else ""  # a Hebrew quote reads right to left
    body._insert_p(parse_xml(f'<w:p {nsdecls("w")}><w:pPr><w:pStyle w:val="{quote_style}"/>{direction}</w:pPr>{runs}</w:p>'))
    body._insert_p(parse_xml(f'<w:p {nsdecls("w")}><w:pPr><w:ind w:left="720"/></w:pPr>{credit}</w:p>'))


def _xml_text(value: Any) -> str:
    return escape(INVALID_XML.sub("", "" if value is None else str(value)))


def _row_xml(values: Sequence[Any], size: float, header: bool = False) -> str:
    props = f'<w:rPr>{"<w:b/>" if header else ""}<w:sz w:val="{int(size * 2)}"/></w:rPr>'
    cells = "".join(f'<w:tc><w:tcPr><w:tcW w:w="0" w:type="auto"/></w:tcPr><w:p><w:r>{props}'
                    f'<w:t xml:space="preserve">{_xml_text(v)}</w:t></w:r></w:p></w:tc>' for v in values)
    return f'<w:tr>{"<w:trPr><w:tblHeader/></w:trPr>" if header else ""}{cells}</w:tr>'


def _table(doc: DocumentObject, header: Sequence[str], rows: Sequence[Sequence[Any]], size: float = 8.5) -> None:
    """Add a table with a bold header row repeated on each page (rows are built as XML: python-docx's
    cell-by-cell API is too slow for a framework matrix of a hundred participants). A table with more columns
    than fit even a landscape page and fewer rows than columns is turned (27 groups as rows, not as columns a
    letter wide)."""
    if len(header) > TURN_OVER and len(rows) + 1 < len(header):
        turned = [list(column) for column in zip(header, *rows)]
        header, rows = turned[0], turned[1:]
    portrait = doc.sections[-1].orientation != WD_ORIENT.LANDSCAPE
    wide = portrait and len(header) > WIDE_COLUMNS
    if wide:  # a table too wide for a portrait page gets a landscape section; its cells wrap
        set_orientation(doc, True)
    table = doc.add_table(rows=0, cols=len(header))
    table.style = _style(doc, "Table Grid")
    body = _row_xml(header, size, header=True) + "".join(_row_xml(values, size) for values in rows)
    for row in parse_xml(f"<w:tbl {nsdecls('w')}>{body}</w:tbl>"):
        table._tbl.append(row)
    doc.add_paragraph()
    if wide:
        set_orientation(doc, False)


WIDE_COLUMNS = 6
TURN_OVER = 12  # columns a landscape page holds readably


def _cell(cell: Mapping[str, Any]) -> str:
    return f"{cell['participants']}/{cell['group_size']} ({cell['share']}%); {cell['segments']} seg."


def _intro(doc: DocumentObject, ctx: Context) -> None:
    study = ctx["study"]
    doc.add_paragraph(study["summary"])
    for warning in ctx["warnings"]:
        doc.add_paragraph(f"Warning: {warning}", style=_style(doc, "List Bullet"))


def _png_size(image: bytes) -> tuple[int, int]:
    """Return a PNG's width and height in pixels (from its header)."""
    if image[:8] != b"\x89PNG\r\n\x1a\n":
        return 4, 3
    return int.from_bytes(image[16:20], "big"), int.from_bytes(image[20:24], "big")


def text_area(section: Any) -> tuple[int, int]:
    """Return the width and height (EMU) inside a section's margins."""
    return (section.page_width - section.left_margin - section.right_margin,
            section.page_height - section.top_margin - section.bottom_margin)


def set_orientation(doc: DocumentObject, landscape: bool) -> None:
    """Continue in a new section of the given orientation, unless the current one has it already."""
    section = doc.sections[-1]
    if (section.orientation == WD_ORIENT.LANDSCAPE) == landscape:
        return
    new = doc.add_section(WD_SECTION.NEW_PAGE)
    new.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    width, height = new.page_width, new.page_height
    if (width > height) != landscape:
        new.page_width, new.page_height = height, width


CAPTION_ROOM = Inches(0.9)  # a heading above the chart and a line below it stay on the chart's page


def _picture(doc: DocumentObject, charts: Mapping[str, bytes], name: str, title: str) -> None:
    """Add a chart scaled to fit the text area of its page (whole, legend included); a chart much taller than
    a landscape page is wide goes into a portrait section of its own."""
    if name not in charts:
        return
    pixels_w, pixels_h = _png_size(charts[name])
    section = doc.sections[-1]
    landscape = section.orientation == WD_ORIENT.LANDSCAPE
    tall = pixels_h > pixels_w
    if landscape and tall:
        set_orientation(doc, False)
    _heading(doc, title, 3)
    width, height = text_area(doc.sections[-1])
    height -= CAPTION_ROOM
    scale = min(width / pixels_w, height / pixels_h)
    doc.add_picture(io.BytesIO(charts[name]), width=int(pixels_w * scale), height=int(pixels_h * scale))
    if landscape and tall:
        set_orientation(doc, True)


def thematic(doc: DocumentObject, ctx: Context, charts: Mapping[str, bytes]) -> None:
    """Add the thematic summary: per theme and code its definition, counts by group and quotes; suggested themes."""
    _picture(doc, charts, "themes", "Theme sizes")
    for theme in ctx["themes"]:
        _heading(doc, theme["name"], 2)
        if theme["description"]:
            doc.add_paragraph(theme["description"])
        doc.add_paragraph(f"{counted(theme['segments'], 'segment')} from {counted(theme['participants'], 'participant')}.")
        for code in (c for c in theme["codes"] if c["segments"]):
            _heading(doc, code["path"], 3)
            if code["definition"]:
                doc.add_paragraph(f"Definition: {code['definition']}")
            by_group = "; ".join(f"{isolate(c['group'])} {_cell(c)}" for c in code["by_group"])
            doc.add_paragraph(f"{counted(code['segments'], 'segment')}, {counted(code['participants'], 'participant')}: {by_group}")
            for q in code["quotes"]:
                _quote(doc, q)
            if not code["quotes"]:
                doc.add_paragraph("No coded passage can be quoted: each is ruled out by the code's exclusions or was "
                                  "rejected in review.")
        uncoded = [c["path"] for c in theme["codes"] if not c["segments"]]
        if uncoded:
            doc.add_paragraph(f"Not coded in these data ({len(uncoded)} of {len(theme['codes'])} codes; definitions in "
                              f"the appendix's codebook): {'; '.join(uncoded)}.")
    _heading(doc, "Suggested themes", 2)
    doc.add_paragraph("Candidate themes from TF-IDF and NMF over participant sentences: prompts for reading, not findings.")
    for t in ctx["suggested"]:
        _heading(doc, f"{t['number']}. {t['label']}", 3)
        terms = ", ".join(f"{term['term']} ({term['weight']})" for term in t["terms"])
        by_group = "; ".join(f"{isolate(g['group'])}: {g['participants']}/{g['group_size']} participants, {counted(g['units'], 'sentence')}"
                             for g in t.get("by_group", []))
        doc.add_paragraph(f"{counted(t['units'], 'sentence')} from {counted(t['participants'], 'participant')}"
                          + (f" ({by_group})" if by_group else "") + f". Terms: {terms}")
        for q in t["quotes"]:
            _quote(doc, q)


def appendix(doc: DocumentObject, ctx: Context, charts: Mapping[str, bytes]) -> None:
    """Add the appendix: codebook table, code x group table, framework matrices, further tables, methods."""
    _heading(doc, "Codebook", 2)
    _table(doc, ["Code", "Definition", "Include", "Exclude", "Example quote"], [
        (c["path"], c["definition"], c["include"], c["exclude"],
         f"\u201c{c['example_quote']['text']}\u201d ({c['example_quote']['attribution']})" if c["example_quote"]
         else (c["examples"][0] if c["examples"] else "")) for c in ctx["codes"]])
    comparison = ctx["comparison"]
    _heading(doc, f"Codes by {ctx['study']['group_by']}", 2)
    doc.add_paragraph("Each cell: participants with the code / group size (%); coded segments.")
    _table(doc, ["Code"] + [f"{isolate(g['name'])} (N={g['size']})" for g in comparison["groups"]],
           [[row["code"]] + [_cell(c) for c in row["cells"]] for row in comparison["rows"]])
    _picture(doc, charts, "prevalence", "Code prevalence by group")
    _picture(doc, charts, "cooccurrence", "Code co-occurrence")
    by_attribute(doc, ctx, _table, _cell)
    _heading(doc, "Framework matrix", 2)
    doc.add_paragraph("Participants by codes, one matrix per theme, a row per participant with their attributes. Each "
                      "cell: the number of coded segments and the shortest good quote; a memo on the participant and "
                      "the code, when the study holds one, is the cell's summary.")
    for matrix in ctx["framework"]:
        _heading(doc, matrix["theme"], 3)
        _table(doc, ["Participant"] + list(matrix["attributes"]) + [c["name"] for c in matrix["codes"]], [
            [row["participant"]] + [a["value"] for a in row["attributes"]] + [framework_cell(cell) for cell in row["cells"]]
            for row in matrix["shown_rows"]], size=7.5)
        if matrix["left_out"]:
            doc.add_paragraph(matrix["left_out_note"])
    for add in EVIDENCE_SECTIONS:
        add(doc, ctx, charts, _table, _picture)
    agreement(doc, ctx)
    for extra in ctx["tables"]:
        if not extra["generic"]:
            continue
        _heading(doc, extra["title"], 2)
        if extra["note"]:
            doc.add_paragraph(f"{extra['note']} The table's file: tables/{extra['name']}.csv.")
        _table(doc, extra["headers"], [[r.get(c) for c in extra["columns"]] for r in extra["rows"]])
    methods(doc, ctx)


def agreement(doc: DocumentObject, ctx: Context) -> None:
    """Add the agreement with a human coding (when the run has one): per code and pooled figures, disagreements."""
    a = ctx["agreement"]
    if not a:
        return
    _heading(doc, "Agreement with a human coding", 2)
    source = f" ({a['source']})" if a["source"] else ""
    of = f" of {', '.join(a['transcripts'])}" if a["transcripts"] else ""
    doc.add_paragraph(f"qualkit's coding ({a['coder_a']}) compared with {a['coder_b']}'s coding{source}{of}, "
                      f"{a['unit']} by {a['unit']}: {a['units']} {a['unit']}s. A = {a['coder_a']}, B = {a['coder_b']}; "
                      "precision and recall take B as the reference; \u201c\u2014\u201d where a figure is undefined.")
    figures = ("n_a", "n_b", "n_both", "precision", "recall", "f1", "kappa")
    overall = a["overall"]
    _table(doc, ["Code", "A", "B", "Both", "Precision", "Recall", "F1", "Kappa"],
           [[r["code"]] + [r[k] for k in figures] for r in a["codes"]]
           + [[f"{overall['code']}, {overall['codes']} codes"] + [overall[k] for k in figures]])
    doc.add_paragraph(f"Pooled over all codes: kappa {overall['kappa']}, Krippendorff's alpha {overall['alpha']}. "
                      f"Human segments that could not be located in the transcripts: {a['unlocated']}.")
    if a["disagreements"]:
        _heading(doc, "Disagreements", 3)
        shown = len(a["disagreements"])
        lead = f"The first {shown} of {a['disagreements_total']}" if a["disagreements_total"] > shown else f"All {shown}"
        doc.add_paragraph(f"{lead} passages the two codings disagree on, to refine the codebook.")
        for d in a["disagreements"]:
            doc.add_paragraph(f"{d['code']}: coded by {d['coded_by']}, missed by {d['missed_by']} "
                              f"({d['transcript']}, chars {d['start']}\u2013{d['end']}): \u201c{d['text']}\u201d",
                              style=_style(doc, "List Bullet"))


def group_tests(doc: DocumentObject, ctx: Context) -> None:
    """Add the exploratory two-group tests, one table per pair of groups."""
    if not ctx["group_tests"]:
        return
    _heading(doc, "Exploratory tests between pairs of groups", 2)
    doc.add_paragraph("Exploratory, not confirmatory: the groups are small purposive samples, so read no figure without "
                      "its n. Each group: participants with the code / group size (%). Difference: first group minus "
                      "second, in percentage points, with a 95% Newcombe interval; p from Fisher's exact test, adjusted "
                      "p by Benjamini-Hochberg across codes. Codes found in one group only come first.")
    for pair in ctx["group_tests"]:
        _heading(doc, f"{pair['group_a']} (N={pair['size_a']}) vs {pair['group_b']} (N={pair['size_b']})", 3)
        if pair["note"]:
            doc.add_paragraph(pair["note"])
        _table(doc, ["Code", f"{pair['group_a']} n/N (%)", f"{pair['group_b']} n/N (%)",
                     "Difference, points (95% CI)", "p", "Adjusted p (BH)"],
               [[r["code"] + (f" (only in {r['only_in']})" if r["only_in"] else ""), r["a"], r["b"],
                 f"{r['difference']} ({r['ci']})", r["p"], r["p_adjusted"]] for r in pair["rows"]])


def methods(doc: DocumentObject, ctx: Context) -> None:
    """Add the methods: prose to adapt, the COREQ and SRQR items and where they are documented, the trail."""
    m = ctx["methods"]
    _heading(doc, "Methods", 2)
    for paragraph in ctx.get("methods_prose") or []:
        doc.add_paragraph(paragraph)
    checklists(doc, ctx, _table)
    _heading(doc, "Methods trail", 3)
    rows = [(k, v if isinstance(v, (str, int, float)) or v is None else ", ".join(map(str, v)))
            for k, v in m.items() if k != "settings"]
    rows += [(k, v if isinstance(v, (str, int, float)) or v is None else ", ".join(map(str, v)))
             for k, v in m.get("settings", {}).items()]
    _table(doc, ["Item", "Value"], rows)


def comparison(doc: DocumentObject, ctx: Context, charts: Mapping[str, bytes]) -> None:
    """Add the group comparison: the codes and themes on which groups differ most, with quotes from each side."""
    diff = ctx["differences"]
    if not diff["codes"]:
        doc.add_paragraph(diff["note"])
        group_tests(doc, ctx)
        return
    _heading(doc, "Themes", 2)
    _table(doc, ["Theme", "Spread (points)"] + [g["name"] for g in ctx["comparison"]["groups"]],
           [[t["name"], t["spread"]] + [_cell(c) for c in t["cells"]] for t in diff["themes"]])
    _picture(doc, charts, "prevalence", "Code prevalence by group")
    _heading(doc, "Codes", 2)
    for d in diff["codes"]:
        _heading(doc, d["path"], 3)
        doc.add_paragraph(f"Highest in {isolate(d['highest'])}, lowest in {isolate(d['lowest'])}: a spread of {d['spread']} percentage points. "
                          + "; ".join(f"{isolate(c['group'])} {_cell(c)}" for c in d["cells"]))
        for side in d["sides"]:
            if side["quotes"]:
                _heading(doc, side["group"], 4)
                for q in side["quotes"]:
                    _quote(doc, q)
    group_tests(doc, ctx)


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
    _heading(doc, f"{ctx['kind_title']}: {ctx['title']}", 1)
    _intro(doc, ctx)
    for add in SECTIONS[kind]:
        add(doc, ctx, charts)
    if kind != "appendix" and kind != "report":
        methods(doc, ctx)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
