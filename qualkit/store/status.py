"""A study's state in numbers: per code and in total, per coder, and the agreement between coders.

Keys: ``auto`` (segments the latest run produced), and the shown segments by status: ``pending``,
``accepted``, ``rejected``, ``recoded``, ``manual`` (manual and restored codings) and ``orphaned``
(decided segments the latest run no longer produces, not yet reviewed again).
"""

from __future__ import annotations

import math
import sqlite3
from typing import Any

from qualkit.segments import CodedSegment
from qualkit.store.coding_runs import unit_records
from qualkit.store.decisions import DecisionRow, decision_rows, effective, segment_status
from qualkit.store.reading import read_codes
from qualkit.store.schema import current_run

STATUS_KEYS = ("auto", "pending", "accepted", "rejected", "recoded", "manual", "orphaned")
CODED = ("accepted", "recoded", "manual")


def _zero() -> dict[str, int]:
    return dict.fromkeys(STATUS_KEYS, 0)


def segment_states(db: sqlite3.Connection) -> tuple[list[tuple], dict[str, list[DecisionRow]], int]:
    """Return the shown segments' rows (id, origin, transcript, code, start, end, last run), their decisions
    and the latest run's id."""
    current = current_run(db)
    rows = db.execute("SELECT segment_id, origin, transcript_id, code_id, start, \"end\", last_run FROM segments "
                      "WHERE origin != 'auto' OR last_run = ? OR segment_id IN (SELECT segment_id FROM decisions)",
                      (current,)).fetchall()
    return rows, decision_rows(db), current


def study_status(db: sqlite3.Connection, texts: dict[str, str], *, agreement: bool = True) -> dict[str, Any]:
    """Return the totals at the top level, ``codes`` (per code, with ``code_id`` and ``path``), ``coders``
    (per coder) and ``agreement`` between coders (``None`` with fewer than two)."""
    rows, decisions, current = segment_states(db)
    coders = sorted({r.coder for rs in decisions.values() for r in rs})
    codes = read_codes(db)
    totals = _zero()
    per_code: dict[str, dict[str, int]] = {c["code_id"]: _zero() for c in codes}
    per_coder = {name: _zero() for name in coders}
    for sid, origin, _tid, code_id, _start, _end, last_run in rows:
        mine = decisions.get(sid, [])
        top = effective(mine)
        if origin == "auto" and last_run != current and top is None:
            continue
        counts = per_code.setdefault(code_id, _zero())
        if origin == "auto" and last_run == current:
            for bucket in (totals, counts, *per_coder.values()):
                bucket["auto"] += 1
        state = segment_status(origin, last_run, current, top)
        totals[state] += 1
        counts[state] += 1
        for name in coders:
            theirs = effective(mine, name)
            if origin != "auto" and theirs is None:
                continue
            per_coder[name][segment_status(origin, last_run, current, theirs)] += 1
    paths = {c["code_id"]: c["path"] for c in codes}
    return {
        **totals,
        "codes": [{"code_id": code_id, "path": paths.get(code_id, ""), **counts} for code_id, counts in per_code.items()],
        "coders": per_coder,
        "agreement": coder_agreement(db, texts, rows, decisions, current, codes) if agreement and len(coders) > 1
        else None,
    }


def coder_codings(rows: list[tuple], decisions: dict[str, list[DecisionRow]], current: int, coder: str,
                  paths: dict[str, str]) -> list[CodedSegment]:
    """Return one coder's coding: the segments they accepted, recoded (under the new code) or coded by hand."""
    coding = []
    for sid, origin, tid, code_id, start, end, last_run in rows:
        top = effective(decisions.get(sid, []), coder)
        if top is None:
            continue
        state = segment_status(origin, last_run, current, top)
        if state not in CODED:
            continue
        code = top.recode_to if state == "recoded" and top.recode_to else code_id
        if top.start is not None and top.end is not None:
            start, end = top.start, top.end
        coding.append(CodedSegment(tid, "", "", 0, code, paths.get(code, code), start, end, "", coder=coder))
    return coding


def coder_agreement(db: sqlite3.Connection, texts: dict[str, str], rows: list[tuple],
                    decisions: dict[str, list[DecisionRow]], current: int, codes: list[dict]) -> dict[str, Any] | None:
    """Return agreement between the study's coders over the units of the transcripts every pair reviewed:
    per code Cohen's kappa (mean over pairs when more than two coders) and pooled Krippendorff's alpha."""
    from qualkit.agreement import alpha_across, compare_codings

    paths = {c["code_id"]: c["path"] for c in codes}
    reviewed: dict[str, set[str]] = {}
    transcript_of = {r[0]: r[2] for r in rows}
    for sid, rs in decisions.items():
        for r in rs:
            if sid in transcript_of:
                reviewed.setdefault(r.coder, set()).add(transcript_of[sid])
    coders = sorted(reviewed)
    if len(coders) < 2:
        return None
    codings = {name: coder_codings(rows, decisions, current, name, paths) for name in coders}
    units = unit_records(db, texts)
    shared = set.intersection(*(reviewed[name] for name in coders))
    pairs, kappas = [], {}
    for i, a in enumerate(coders):
        for b in coders[i + 1:]:
            both = reviewed[a] & reviewed[b]
            pair_units = [u for u in units if u.transcript in both]
            found = compare_codings(pair_units, [s for s in codings[a] if s.transcript in both],
                                    [s for s in codings[b] if s.transcript in both], coder_a=a, coder_b=b,
                                    codes=list(paths.values())).to_dict()
            pairs.append({"coder_a": a, "coder_b": b, "transcripts": len(both), "units": len(pair_units),
                          "kappa": found["overall"]["kappa"], "alpha": found["overall"]["alpha"]})
            for row in found["codes"]:
                kappas.setdefault(row["code"], []).append(row["kappa"])
    shared_units = [u for u in units if u.transcript in shared]
    alphas = alpha_across(shared_units, {n: [s for s in c if s.transcript in shared] for n, c in codings.items()}) \
        if shared_units else {}
    return {
        "coders": coders, "transcripts": len(shared), "units": len(shared_units),
        "alpha": _plain(alphas.get("(all codes)")), "pairs": pairs,
        "codes": [{"code_id": c["code_id"], "path": c["path"], "kappa": _mean(kappas.get(c["path"], [])),
                   "alpha": _plain(alphas.get(c["path"]))} for c in codes],
    }


def _mean(values: list[Any]) -> float | None:
    present = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return round(sum(present) / len(present), 4) if present else None


def _plain(value: Any) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), 4)


def render_status(status: dict[str, Any]) -> str:
    """Return the status as plain-text tables: per code and in total, per coder, and the agreement."""
    head = ["code", *STATUS_KEYS]
    rows = [[row["path"] or row["code_id"], *(row[k] for k in STATUS_KEYS)] for row in status["codes"]]
    rows.append(["total", *(status[k] for k in STATUS_KEYS)])
    lines = _table(head, rows)
    if status["coders"]:
        lines += ["", *_table(["coder", *STATUS_KEYS], [[name, *(c[k] for k in STATUS_KEYS)]
                                                          for name, c in status["coders"].items()])]
    agreement = status.get("agreement")
    if agreement:
        lines += ["", f"Agreement between {', '.join(agreement['coders'])} over {agreement['units']} units of "
                      f"{agreement['transcripts']} transcripts they all reviewed: Krippendorff's alpha "
                      f"{_number(agreement['alpha'])}"]
        lines += _table(["code", "kappa", "alpha"], [[c["path"], _number(c["kappa"]), _number(c["alpha"])]
                                                      for c in agreement["codes"]
                                                      if c["kappa"] is not None or c["alpha"] is not None])
    return "\n".join(lines) + "\n"


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _table(head: list[str], rows: list[list[Any]]) -> list[str]:
    cells = [head, *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(head))]
    return ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))).rstrip()
            for row in cells]
