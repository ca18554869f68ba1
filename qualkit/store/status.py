"""A study's state in numbers: per code and in total, per coder, and the agreement between coders.

Keys: ``auto`` (segments the latest run produced), and the shown segments by status: ``pending``,
``accepted``, ``rejected``, ``recoded``, ``manual`` (manual and restored codings) and ``orphaned``
(decided segments the latest run no longer produces, not yet reviewed again).
"""

from __future__ import annotations

import math
import sqlite3
from typing import Any

import numpy as np

from qualkit.store.decisions import DecisionRow, coder_tops, decision_rows, latest, segment_status
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


def study_status(db: sqlite3.Connection, *, agreement: bool = True) -> dict[str, Any]:
    """Return the totals at the top level, ``codes`` (per code, with ``code_id`` and ``path``), ``coders``
    (per coder) and ``agreement`` between coders (``None`` with fewer than two)."""
    rows, decisions, current = segment_states(db)
    coders = sorted({r.coder for rs in decisions.values() for r in rs})
    codes = read_codes(db)
    totals = _zero()
    per_code: dict[str, dict[str, int]] = {c["code_id"]: _zero() for c in codes}
    per_coder = {name: _zero() for name in coders}
    decided: list[tuple[str, str, int, dict[str, DecisionRow]]] = []
    for sid, origin, _tid, code_id, _start, _end, last_run in rows:
        tops = coder_tops(decisions.get(sid, ()))
        top = latest(tops)
        if origin == "auto" and last_run != current and top is None:
            continue
        counts = per_code.setdefault(code_id, _zero())
        if origin == "auto" and last_run == current:
            for bucket in (totals, counts, *per_coder.values()):
                bucket["auto"] += 1
        state = segment_status(origin, last_run, current, top)
        totals[state] += 1
        counts[state] += 1
        for name, bucket in per_coder.items():
            theirs = tops.get(name)
            if theirs is None:
                if origin == "auto":
                    bucket[segment_status(origin, last_run, current, None)] += 1
                continue
            bucket[segment_status(origin, last_run, current, theirs)] += 1
        if tops:
            decided.append((origin, code_id, last_run, tops))
    paths = {c["code_id"]: c["path"] for c in codes}
    return {
        **totals,
        "codes": [{"code_id": code_id, "path": paths.get(code_id, ""), **counts} for code_id, counts in per_code.items()],
        "coders": per_coder,
        "agreement": coder_agreement(decided, current, coders, codes) if agreement and len(coders) > 1 else None,
    }


def progress_by_code(db: sqlite3.Connection, coder: str | None = None) -> list[dict[str, Any]]:
    """Return per code of the current codebook how many of its automatic segments shown are reviewed (by
    ``coder``, or by anyone), of how many."""
    rows, decisions, current = segment_states(db)
    counts: dict[str, list[int]] = {}
    for sid, origin, _tid, code_id, _start, _end, last_run in rows:
        if origin != "auto":
            continue
        tops = coder_tops(decisions.get(sid, ()))
        anyone = latest(tops)
        if last_run != current and anyone is None:
            continue
        top = anyone if coder is None else tops.get(coder)
        count = counts.setdefault(code_id, [0, 0])
        count[1] += 1
        count[0] += segment_status(origin, last_run, current, top) not in ("pending", "orphaned")
    return [{"code_id": c["code_id"], "path": c["path"], "reviewed": counts.get(c["code_id"], [0, 0])[0],
             "total": counts.get(c["code_id"], [0, 0])[1]} for c in read_codes(db)]


def coder_values(decided: list[tuple[str, str, int, dict[str, DecisionRow]]], current: int,
                 coders: list[str]) -> tuple[list[str], dict[str, list[str | None]]]:
    """Return the items (shown segments) at least two coders decided, and per coder the code each gave
    it: the segment's code if accepted or coded by hand, the new code if recoded, ``""`` if rejected,
    ``None`` if the coder did not decide it (or it awaits their look again as an orphan)."""
    items: list[str] = []
    values: dict[str, list[str | None]] = {name: [] for name in coders}
    for origin, code_id, last_run, tops in decided:
        if len(tops) < 2:
            continue
        given: dict[str, str | None] = {}
        for name in coders:
            top = tops.get(name)
            state = segment_status(origin, last_run, current, top) if top is not None else "pending"
            given[name] = (None if state in ("orphaned", "pending") else
                           (top.recode_to or code_id) if state == "recoded" and top is not None else
                           code_id if state in CODED else "")
        if sum(v is not None for v in given.values()) < 2:
            continue
        items.append(code_id)
        for name in coders:
            values[name].append(given[name])
    return items, values


def coder_agreement(decided: list[tuple[str, str, int, dict[str, DecisionRow]]], current: int, coders: list[str],
                    codes: list[dict]) -> dict[str, Any] | None:
    """Return agreement between coders on the segments at least two of them decided: per code (over the
    segments of that code, or given it) Cohen's kappa of each pair (the mean when more than two coders),
    and Krippendorff's alpha of the codes given, pooled over every such segment."""
    from qualkit.agreement import cohen_kappa, krippendorff_alpha

    items, values = coder_values(decided, current, coders)
    if not items:
        return None
    coders = [name for name in coders if any(v is not None for v in values[name])]
    labels = {label: n for n, label in enumerate(sorted({v for vs in values.values() for v in vs if v is not None}))}
    matrix = np.array([[np.nan if v is None else labels[v] for v in values[name]] for name in coders], dtype=float)
    rated = ~np.isnan(matrix)
    pairs = []
    for i, a in enumerate(coders):
        for j in range(i + 1, len(coders)):
            both = rated[i] & rated[j]
            pairs.append({"coder_a": a, "coder_b": coders[j], "segments": int(both.sum()),
                          "agreement": _plain(float(np.mean(matrix[i][both] == matrix[j][both]))) if both.any()
                          else None})
    item_codes = np.array(items)
    per_code = []
    for code in codes:
        label = labels.get(code["code_id"], -1)
        about = (item_codes == code["code_id"]) | np.any(matrix == label, axis=0)
        kappas = [cohen_kappa(matrix[i][both] == label, matrix[j][both] == label)
                  for i in range(len(coders)) for j in range(i + 1, len(coders))
                  if (both := about & rated[i] & rated[j]).any()]
        per_code.append({"code_id": code["code_id"], "path": code["path"], "segments": int(about.sum()),
                         "kappa": _mean(kappas)})
    return {"coders": coders, "segments": len(items), "alpha": _plain(krippendorff_alpha(matrix)), "pairs": pairs,
            "codes": per_code}


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
        lines += ["", f"Agreement between {', '.join(agreement['coders'])} on the {agreement['segments']} segments "
                      f"at least two of them decided: Krippendorff's alpha {_number(agreement['alpha'])}"]
        lines += _table(["code", "segments", "kappa"], [[c["path"], c["segments"], _number(c["kappa"])]
                                                         for c in agreement["codes"] if c["segments"]])
    return "\n".join(lines) + "\n"


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _table(head: list[str], rows: list[list[Any]]) -> list[str]:
    cells = [head, *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(head))]
    return ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))).rstrip()
            for row in cells]
