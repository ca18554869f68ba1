"""The review as a spreadsheet, for teams that work in Excel: ``export_review`` writes it, ``import_review``
reads it back, checking every row of both sheets before it writes a single decision."""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from qualkit.errors import ReviewError
from qualkit.review.views import TranscriptCache, context_span
from qualkit.store import check_coder, open_study

SEGMENTS_SHEET = "segments"
MANUAL_SHEET = "manual"
SEGMENT_COLUMNS = ["segment_id", "transcript", "speaker", "code_id", "code_path", "text", "context",
                   "decision", "recode_to", "memo"]
READ_ONLY = SEGMENT_COLUMNS[:7]
MANUAL_COLUMNS = ["transcript", "code_id", "quote", "start", "end", "memo"]
MARK_OPEN, MARK_CLOSE = "«", "»"
ELLIPSIS = "…"
DECISIONS = ("accept", "reject")
WIDTHS = {"segment_id": 18, "transcript": 12, "speaker": 12, "code_id": 18, "code_path": 30, "text": 60,
          "context": 80, "decision": 10, "recode_to": 18, "memo": 40, "quote": 60, "start": 8, "end": 8}
# Characters a worksheet cannot hold (control characters but tab, newline and carriage return).
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class ImportSummary:
    """What ``import_review`` wrote: decisions by kind, memos, manual codings, and filled-in rows that
    repeated what the study already held (so wrote nothing)."""

    accepted: int = 0
    rejected: int = 0
    recoded: int = 0
    memos: int = 0
    manual: int = 0
    unchanged: int = 0


CELL_LIMIT = 32_000   # a worksheet cell holds at most 32,767 characters


def _cell(value: str) -> str:
    """A value as the sheet holds it: without the characters a cell cannot hold, clipped to a cell's size."""
    value = ILLEGAL.sub("", value)
    return value if len(value) <= CELL_LIMIT else value[:CELL_LIMIT] + ELLIPSIS


def segment_rows(study: Any, *, coder: str | None = None, cache: TranscriptCache | None = None,
                 codes: list[dict[str, Any]] | None = None,
                 segments: list[dict[str, Any]] | None = None) -> list[dict[str, str]]:
    """Return the ``segments`` sheet as rows: every automatic segment, pre-filled with ``coder``'s decisions.

    ``codes`` and ``segments`` (``study.segments(coder=coder)``) may be given when the caller has read them."""
    cache = cache or TranscriptCache()
    codes = study.codes() if codes is None else codes
    segments = study.segments(coder=coder) if segments is None else segments
    paths = {code["code_id"]: code["path"] for code in codes}
    found = [s for s in segments if s.get("origin") != "manual"]
    found.sort(key=lambda s: (s["transcript_id"], s["start"], s["end"], s["code_id"]))
    rows = []
    for segment in found:
        transcript = cache.get(study, segment["transcript_id"])
        text = transcript["text"]
        low, high, clipped_start, clipped_end = context_span(transcript, segment)
        context = (ELLIPSIS + " " if clipped_start else "") + text[low:high] + (" " + ELLIPSIS if clipped_end else "")
        status = segment["status"] if coder else "pending"
        rows.append({
            "segment_id": segment["segment_id"], "transcript": segment["transcript_id"], "speaker": segment["speaker"],
            "code_id": segment["code_id"], "code_path": paths.get(segment["code_id"], segment.get("code_path") or ""),
            "text": _cell(marked(text, segment["start"], segment["end"], segment.get("matches") or [])),
            "context": _cell(context),
            "decision": {"accepted": "accept", "rejected": "reject"}.get(status, ""),
            "recode_to": (segment.get("recode_to") or "") if status == "recoded" else "",
            "memo": _cell(segment.get("memo") or "") if coder else "",
        })
    return rows


def marked(text: str, start: int, end: int, matches: Iterable[dict[str, Any]]) -> str:
    """Return ``text[start:end]`` with each matched word run wrapped in «guillemets»."""
    spans: list[list[int]] = []
    for a, b in sorted((max(start, m["start"]), min(end, m["end"])) for m in matches):
        if a >= b:
            continue
        if spans and a <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], b)
        else:
            spans.append([a, b])
    out, at = [], start
    for a, b in spans:
        out += [text[at:a], MARK_OPEN, text[a:b], MARK_CLOSE]
        at = b
    out.append(text[at:end])
    return "".join(out)


def export_review(study_path: str | Path, out: str | Path, *, coder: str | None = None) -> int:
    """Write the review sheet (``segments`` and an empty ``manual`` sheet) to ``out``; return the rows written.

    With ``coder``, the decision, recode_to and memo columns hold that coder's current review. Every
    value is written as text (a passage opening with '=' stays words, never a formula). The file is
    written beside ``out`` and moved in when complete.
    """
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise ReviewError(f"{out}: the review sheet is written as .xlsx")
    if coder is not None:
        check_coder(coder)
    with open_study(study_path) as study:
        rows = segment_rows(study, coder=coder)
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, staged = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    os.close(handle)
    try:
        _write_sheet(staged, rows)
        os.replace(staged, out)
    except BaseException:
        Path(staged).unlink(missing_ok=True)
        raise
    return len(rows)


def _write_sheet(path: str, rows: list[dict[str, str]]) -> None:
    import xlsxwriter

    # Shared strings (not constant_memory): a turn's context is stored once however many passages it holds,
    # and writing is twice as fast.
    book = xlsxwriter.Workbook(path, {"strings_to_numbers": False, "strings_to_formulas": False,
                                      "strings_to_urls": False})
    bold = book.add_format({"bold": True})
    sheet = _sheet(book, SEGMENTS_SHEET, SEGMENT_COLUMNS, bold)
    decision = SEGMENT_COLUMNS.index("decision")
    sheet.data_validation(1, decision, max(1, len(rows)), decision,
                          {"validate": "list", "source": list(DECISIONS), "ignore_blank": True})
    write = sheet.write_string
    for number, row in enumerate(rows, start=1):
        for column, name in enumerate(SEGMENT_COLUMNS):
            if row[name]:
                write(number, column, row[name])
    _sheet(book, MANUAL_SHEET, MANUAL_COLUMNS, bold)
    book.close()


def _sheet(book: Any, name: str, columns: list[str], bold: Any) -> Any:
    sheet = book.add_worksheet(name)
    sheet.freeze_panes(1, 0)
    for number, column in enumerate(columns):
        sheet.set_column(number, number, WIDTHS.get(column, 14))
        sheet.write_string(0, number, column, bold)
    return sheet


# ---- import ----------------------------------------------------------------------------------------------

def import_review(study_path: str | Path, sheet_path: str | Path, *, coder: str) -> ImportSummary:
    """Record the decisions, memos and manual codings of a review sheet under ``coder``.

    Every row of both sheets is checked first; the first problem raises ``ReviewError`` naming the file,
    sheet, row and problem, and nothing is written. Rows that repeat what the study already holds for
    ``coder`` write nothing, so importing a sheet twice changes nothing the second time.
    """
    check_coder(coder)
    sheets = _read_workbook(Path(sheet_path))
    where = Path(sheet_path).name
    with open_study(study_path) as study:
        cache = TranscriptCache()
        codes, segments = study.codes(), study.segments(coder=coder)   # read once, for both sheets
        plan = _plan_segments(study, cache, sheets[SEGMENTS_SHEET], where, coder, codes, segments)
        manual = _plan_manual(study, cache, sheets.get(MANUAL_SHEET, []), where, codes, segments)
        return _write(study, plan, manual, coder)


def _read_workbook(path: Path) -> dict[str, list[tuple[int, dict[str, str]]]]:
    from openpyxl import load_workbook

    if not path.is_file():
        raise ReviewError(f"{path}: no such file")
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError and its own errors for a bad file
        raise ReviewError(f"{path.name}: not an .xlsx workbook ({type(exc).__name__}: {exc})") from None
    try:
        if SEGMENTS_SHEET not in book.sheetnames:
            raise ReviewError(f"{path.name}: no sheet '{SEGMENTS_SHEET}' (sheets: {', '.join(book.sheetnames)})")
        found = {SEGMENTS_SHEET: _rows(book[SEGMENTS_SHEET], path.name, SEGMENTS_SHEET, SEGMENT_COLUMNS)}
        if MANUAL_SHEET in book.sheetnames:
            found[MANUAL_SHEET] = _rows(book[MANUAL_SHEET], path.name, MANUAL_SHEET, MANUAL_COLUMNS)
        return found
    finally:
        book.close()


def _rows(sheet: Any, where: str, name: str, columns: list[str]) -> list[tuple[int, dict[str, str]]]:
    values = sheet.iter_rows(values_only=True)
    header = [_text(v) for v in next(values, ())]
    missing = [c for c in columns if c not in header]
    if missing:
        raise ReviewError(f"{where}, sheet {name}: missing column '{missing[0]}'")
    at = {c: header.index(c) for c in columns}
    rows = []
    for number, row in enumerate(values, start=2):
        record = {c: _text(row[i]) if i < len(row) else "" for c, i in at.items()}
        if any(record.values()):
            rows.append((number, record))
    return rows


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\r\n", "\n")


def _plan_segments(study: Any, cache: TranscriptCache, rows: list[tuple[int, dict[str, str]]], where: str,
                   coder: str, all_codes: list[dict[str, Any]],
                   segments: list[dict[str, Any]]) -> list[tuple[str, str, dict[str, Any]]]:
    """Check the segments sheet; return the writes it asks for: (segment_id, action, arguments)."""
    expected = {row["segment_id"]: row
                for row in segment_rows(study, coder=coder, cache=cache, codes=all_codes, segments=segments)}
    codes = {code["code_id"] for code in all_codes}
    seen: dict[str, int] = {}
    plan: list[tuple[str, str, dict[str, Any]]] = []
    for number, row in rows:
        place = f"{where}, sheet {SEGMENTS_SHEET}, row {number}"
        segment_id = row["segment_id"].strip()
        current = expected.get(segment_id)
        if current is None:
            raise ReviewError(f"{place}: unknown segment id '{segment_id}'")
        if segment_id in seen:
            raise ReviewError(f"{place}: segment '{segment_id}' is already on row {seen[segment_id]}")
        seen[segment_id] = number
        for column in READ_ONLY[1:]:
            if row[column].strip() != current[column].strip():
                raise ReviewError(f"{place}: column '{column}' was edited; it is read-only "
                                  f"(write only in decision, recode_to and memo)")
        decision, recode_to = row["decision"].strip().casefold(), row["recode_to"].strip()
        if decision and decision not in DECISIONS:
            raise ReviewError(f"{place}: decision '{row['decision'].strip()}' is not accept, reject or empty")
        if recode_to and recode_to not in codes:
            raise ReviewError(f"{place}: unknown code id '{recode_to}' in recode_to")
        if recode_to and recode_to == current["code_id"]:
            raise ReviewError(f"{place}: recode_to '{recode_to}' is the segment's own code")
        if recode_to and decision == "reject":
            raise ReviewError(f"{place}: decision reject and a recode_to: leave one of them empty")
        before = len(plan)
        if recode_to and recode_to != current["recode_to"]:
            plan.append((segment_id, "recode", {"recode_to": recode_to}))
        elif not recode_to and decision and decision != current["decision"]:
            plan.append((segment_id, decision, {}))
        memo = row["memo"].strip()
        if memo and memo != current["memo"].strip():
            plan.append((segment_id, "memo", {"text": memo}))
        if len(plan) == before and (decision or recode_to or memo):
            plan.append((segment_id, "unchanged", {}))
    return plan


def _plan_manual(study: Any, cache: TranscriptCache, rows: list[tuple[int, dict[str, str]]], where: str,
                 all_codes: list[dict[str, Any]], segments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Check the manual sheet; return the manual codings to add (located in their transcripts)."""
    transcripts = {t["transcript_id"] for t in cache.summaries(study)}
    codes = {code["code_id"] for code in all_codes}
    held = {(s["transcript_id"], s["code_id"], s["start"], s["end"]) for s in segments if s.get("origin") == "manual"}
    planned = []
    for number, row in rows:
        place = f"{where}, sheet {MANUAL_SHEET}, row {number}"
        transcript_id, code_id = row["transcript"].strip(), row["code_id"].strip()
        if transcript_id not in transcripts:
            raise ReviewError(f"{place}: unknown transcript '{transcript_id}'")
        if code_id not in codes:
            raise ReviewError(f"{place}: unknown code id '{code_id}'")
        text = cache.get(study, transcript_id)["text"]
        start, end = _locate(row, text, place, transcript_id)
        if (transcript_id, code_id, start, end) in held:
            continue
        held.add((transcript_id, code_id, start, end))
        planned.append({"transcript_id": transcript_id, "code_id": code_id, "start": start, "end": end,
                        "memo": row["memo"].strip() or None})
    return planned


def _locate(row: dict[str, str], text: str, place: str, transcript_id: str) -> tuple[int, int]:
    """Return the span a manual row names, by its start/end or by finding its quote exactly once."""
    quote, start, end = row["quote"].strip(), row["start"].strip(), row["end"].strip()
    if start or end:
        if not (start.isdigit() and end.isdigit() and int(start) < int(end) <= len(text)):
            raise ReviewError(f"{place}: start and end must be whole numbers with 0 <= start < end <= {len(text)} "
                              f"(got start '{start}', end '{end}')")
        span = int(start), int(end)
        if quote and _squash(text[span[0]:span[1]]) != _squash(quote):
            raise ReviewError(f"{place}: the quote is not the text at {span[0]}-{span[1]} of transcript '{transcript_id}'")
        return span
    if not quote:
        raise ReviewError(f"{place}: give a quote or start and end")
    found = [(m.start(), m.end()) for m in re.finditer(r"\s+".join(map(re.escape, quote.split())), text)]
    if not found:
        raise ReviewError(f"{place}: quote not found in transcript '{transcript_id}'")
    if len(found) > 1:
        raise ReviewError(f"{place}: quote found {len(found)} times in transcript '{transcript_id}': "
                          f"give start and end instead")
    return found[0]


def _squash(text: str) -> str:
    return " ".join(text.split())


def _write(study: Any, plan: list[tuple[str, str, dict[str, Any]]], manual: list[dict[str, Any]],
           coder: str) -> ImportSummary:
    counts = {"accept": 0, "reject": 0, "recode": 0, "memo": 0, "unchanged": 0}
    with study.batch():  # the whole sheet lands, or nothing does
        for segment_id, action, arguments in plan:
            if action == "unchanged":
                pass
            elif action == "memo":
                study.add_memo("segment", segment_id, arguments["text"], coder=coder)
            else:
                study.decide(segment_id, action, coder=coder, **arguments)
            counts[action] += 1
        for item in manual:
            study.add_manual(item["transcript_id"], item["code_id"], item["start"], item["end"], coder=coder,
                             memo=item["memo"])
    return ImportSummary(accepted=counts["accept"], rejected=counts["reject"], recoded=counts["recode"],
                         memos=counts["memo"], manual=len(manual), unchanged=counts["unchanged"])
