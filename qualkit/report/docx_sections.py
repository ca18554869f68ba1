"""Word sections of the appendix beyond the codebook and the matrices: codes by further attributes,
saturation, set-aside hits, cases by code, the study's review, and the COREQ/SRQR checklists.

Each takes the document, the context, the chart images and docx_writer's table (and picture) helpers, so the
two modules share one way of building tables."""

from __future__ import annotations

from typing import Any, Callable, Mapping

Context = Mapping[str, Any]
Table = Callable[..., None]


def _heading(doc: Any, text: str, level: int) -> None:
    doc.add_paragraph(text, style=doc.styles[f"Heading {level}"])


def framework_cell(cell: Mapping[str, Any]) -> str:
    """A framework-matrix cell as text: the count, the memo as summary when there is one, the shortest good quote."""
    parts = [str(cell["segments"])]
    if cell.get("summary"):
        by = f" ({cell['summary_by']})" if cell.get("summary_by") else ""
        parts.append(f"Summary: {cell['summary']}{by}")
    if cell.get("quote"):
        parts.append(f"\u201c{cell['quote']['text']}\u201d (turn {cell['quote']['turn']})")
    return ": ".join(parts[:2]) + ("; " + parts[2] if len(parts) > 2 else "")


def by_attribute(doc: Any, ctx: Context, table: Table, cell: Callable[[Mapping[str, Any]], str]) -> None:
    """Add a codes-by-attribute table for each further group-by attribute."""
    for found in ctx.get("by_attribute") or []:
        _heading(doc, f"Codes by {found['attribute']}", 3)
        table(doc, ["Code"] + [f"{g['name']} (N={g['size']})" for g in found["groups"]],
              [[row["code"]] + [cell(c) for c in row["cells"]] for row in found["rows"]])


def saturation(doc: Any, ctx: Context, charts: Mapping[str, bytes], table: Table, picture: Callable[..., None]) -> None:
    """Add the saturation table (new codes per interview in interview order), its chart and its statement."""
    found = ctx["saturation"]
    _heading(doc, "Saturation", 2)
    doc.add_paragraph(f"New codes per {found['unit']}, {found['units']} ordered {found['order']} (n={found['n']}). "
                      f"{found['statement']}")
    table(doc, ["#", found["unit"].capitalize(), "Codes", "New codes", "Codes so far", "Codes first seen here"],
          [[r["position"], r["transcript"], r["codes"], r["new"], r["cumulative"], "; ".join(r["new_codes"])]
           for r in found["shown_rows"]])
    if found["left_out"]:
        doc.add_paragraph(found["left_out_note"])
    picture(doc, charts, "saturation", f"New codes per {found['unit']}")


def set_aside(doc: Any, ctx: Context, charts: Mapping[str, bytes], table: Table, picture: Callable[..., None]) -> None:
    """Add the set-aside hits: per code the counts by reason and two examples of each."""
    _heading(doc, "Set-aside hits", 2)
    doc.add_paragraph("Pattern hits that did not code their passage, per code: negated (a negator governs the hit, "
                      "for codes with negation on), vetoed (the code's exclude pattern matched in the unit) or outside "
                      "a restriction. All of them, with offsets, are in set_aside_hits.csv.")
    if not ctx["set_aside"]:
        doc.add_paragraph("No hit was set aside.")
    rows = []
    for code in ctx["set_aside"]:
        examples = [f"{kind['label'].capitalize()}: \u201c{e['passage']}\u201d ({e['transcript']}, turn {e['turn']}, "
                    f"chars {e['start']}\u2013{e['end']}; {e['reason']})"
                    for kind in code["kinds"] for e in kind["examples"]]
        rows.append([code["code"], code["negated"], code["excluded"], code["restricted"], "\n".join(examples)])
    if rows:
        table(doc, ["Code", "Negated", "Vetoed", "Outside a restriction", "Examples"], rows)


def cases(doc: Any, ctx: Context, charts: Mapping[str, bytes], table: Table, picture: Callable[..., None]) -> None:
    """Add the participants with every attribute, and where the case-by-code files are."""
    found = ctx["cases_by_code"]
    _heading(doc, "Cases by code", 2)
    doc.add_paragraph("One row per participant with every attribute and, per code, a 0/1 presence and a count column, "
                      "for SPSS, Stata or R: tables/cases_by_code.csv (also a sheet of tables.xlsx), "
                      "tables/cases_by_code.sav (SPSS, with variable labels) and tables/cases_by_code_labels.csv. "
                      "The participants:")
    attributes = [c for c in found["labels"] if c["kind"] == "attribute"]
    table(doc, ["Participant"] + [c["label"] for c in attributes],
          [[row[found["columns"][0]]] + [row[c["variable"]] for c in attributes] for row in found["shown_rows"]])
    if found["left_out"]:
        doc.add_paragraph(found["left_out_note"])


def review(doc: Any, ctx: Context, charts: Mapping[str, bytes], table: Table, picture: Callable[..., None]) -> None:
    """Add the study's review numbers, per-code acceptance and the agreement between its coders (when a study)."""
    found = ctx.get("review")
    if not found:
        return
    _heading(doc, "Review", 2)
    stands = ("every automatic coding" if found["coding"] == "auto"
              else "reviewed coding (accepted, recoded and hand-made codings)")
    doc.add_paragraph(f"This report stands on the study's {stands}. Automatic codings: {found['automatic']}; accepted "
                      f"{found['accepted']}, rejected {found['rejected']}, recoded {found['recoded']}, pending "
                      f"{found['pending']}, orphaned {found['orphaned']}; coded by hand: {found['manual']}. Reviewers: "
                      f"{', '.join(found['reviewers']) or 'none'}.")
    table(doc, ["Code", "Automatic codings accepted"], [[r["path"], r["accepted_share"]] for r in found["codes"]])
    agreement = found.get("agreement")
    if agreement:
        _heading(doc, "Agreement between the study's coders", 3)
        doc.add_paragraph(f"{', '.join(agreement['coders'])}, on the {agreement['segments']} segments two or more of "
                          f"them decided: Krippendorff's alpha {agreement['alpha']}.")
        table(doc, ["Coders", "Segments both decided", "Same decision", "Kappa"],
              [[f"{p['coder_a']} and {p['coder_b']}", p["segments"], p["agreement"], p["kappa"]]
               for p in agreement["pairs"]])
        table(doc, ["Code", "Segments", "Kappa (mean over pairs)"],
              [[r["path"], r["segments"], r["kappa"]] for r in agreement["codes"]])


def checklists(doc: Any, ctx: Context, table: Table) -> None:
    """Add the COREQ and SRQR items: where the report documents each, or "Researcher to report"."""
    _heading(doc, "Reporting checklists (COREQ, SRQR)", 3)
    doc.add_paragraph("Where this report documents the COREQ and SRQR items it can; the items marked "
                      "\u201cResearcher to report\u201d only the researcher can report.")
    table(doc, ["Checklist", "Item", "Topic", "Where"],
          [[r["checklist"], r["item"], r["topic"], r["where"]] for r in ctx.get("checklist") or []])


EVIDENCE_SECTIONS = (saturation, set_aside, cases, review)
