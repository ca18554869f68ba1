"""Figures the report shows as text: agreement with a human coding, the exploratory two-group tests, and a
study's review numbers, each as plain dicts of strings ready for the templates."""

from __future__ import annotations

from typing import Any, Mapping, Sequence


def decimals(value: Any, places: int = 2) -> str:
    """A figure to ``places`` decimals, or "—" where it is undefined (None)."""
    return "—" if value is None else f"{float(value):.{places}f}"


def p_value(value: Any) -> str:
    """A p-value to 3 significant figures ("<0.0001" below that), or "—" where undefined."""
    if value is None:
        return "—"
    return "<0.0001" if float(value) < 0.0001 else f"{float(value):#.3g}"


AGREEMENT_FIGURES = ("precision", "recall", "f1", "kappa", "alpha")
DISAGREEMENTS_SHOWN = 10


def agreement_figures(raw: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The agreement with a human coding, figures as text to 2 decimals ("—" where undefined)."""
    if not raw:
        return None

    def row(r: Mapping[str, Any]) -> dict[str, Any]:
        return {"code": r.get("code", ""), **{k: r.get(k) for k in ("n_units", "n_a", "n_b", "n_both")},
                **{k: decimals(r.get(k)) for k in AGREEMENT_FIGURES}}

    overall = dict(raw.get("overall") or {})
    disagreements = list(raw.get("disagreements") or [])
    unlocated = raw.get("unlocated") or []
    return {
        "coder_a": raw.get("coder_a", ""), "coder_b": raw.get("coder_b", ""), "unit": raw.get("unit", ""),
        "units": raw.get("units", 0), "source": raw.get("source", ""), "transcripts": list(raw.get("transcripts") or []),
        "unlocated": len(unlocated) if isinstance(unlocated, list) else int(unlocated),
        "codes": [row(r) for r in raw.get("codes") or []],
        "overall": {**row({**overall, "code": "All codes (pooled)"}), "codes": overall.get("codes", 0)},
        "disagreements": [{"transcript": d.get("transcript", ""), "start": d.get("start"), "end": d.get("end"),
                           "text": d.get("text", ""), "code": d.get("code", ""), "coded_by": d.get("coded_by", ""),
                           "missed_by": d.get("missed_by", "")} for d in disagreements[:DISAGREEMENTS_SHOWN]],
        "disagreements_total": len(disagreements),
    }


def group_test_figures(pairs: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The exploratory two-group tests, one entry per pair, codes present in one group only first."""
    out = []
    for pair in pairs:
        rows = sorted(pair.get("rows") or [], key=lambda r: not r.get("only_in"))
        out.append({
            "group_a": pair["group_a"], "group_b": pair["group_b"], "size_a": pair["size_a"], "size_b": pair["size_b"],
            "note": pair.get("note", ""),
            "rows": [{"code_id": r.get("code_id", ""), "code": r.get("code", ""),
                      "a": f"{r['n_a']}/{r['size_a']} ({r['share_a']}%)", "b": f"{r['n_b']}/{r['size_b']} ({r['share_b']}%)",
                      "difference": "—" if r.get("difference") is None else f"{r['difference']:+.1f}",
                      "ci": "—" if r.get("ci_low") is None or r.get("ci_high") is None
                      else f"{r['ci_low']:.1f} to {r['ci_high']:.1f}",
                      "p": p_value(r.get("p")), "p_adjusted": p_value(r.get("p_adjusted")),
                      "only_in": r.get("only_in") or ""} for r in rows],
        })
    return out


def flat_group_tests(pairs: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The two-group tests as one flat table (one row per pair and code) for the CSV and workbook."""
    rows = [{"group_a": p["group_a"], "group_b": p["group_b"], **r} for p in pairs for r in p.get("rows") or []]
    return {"columns": list(dict.fromkeys(k for r in rows for k in r)), "rows": rows}


def review_figures(data: Mapping[str, Any], codes: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    """The study's review in figures (when the run stands on a study): totals, reviewers, per-code share of
    automatic codings accepted, and the agreement between the study's own coders when there is some."""
    review = data.get("extra", {}).get("review")
    if not review:
        return None
    shares = review.get("per_code_acceptance") or {}
    agreement = review.get("agreement") or None
    return {
        **{k: review.get(k, 0) for k in ("automatic", "accepted", "rejected", "recoded", "manual", "pending", "orphaned")},
        "coding": data["settings"].get("coding", "reviewed"), "reviewers": list(review.get("reviewers") or []),
        "codes": [{"id": c["id"], "path": c["path"], "accepted_share":
                   "—" if shares.get(c["id"]) is None else f"{round(100 * shares[c['id']])}%"} for c in codes],
        "agreement": None if not agreement else {
            "coders": list(agreement.get("coders") or []),
            "segments": agreement.get("segments", agreement.get("units", 0)), "alpha": decimals(agreement.get("alpha")),
            "pairs": [{"coder_a": p.get("coder_a", ""), "coder_b": p.get("coder_b", ""),
                       "segments": p.get("segments", p.get("units", 0)), "agreement": _share(p.get("agreement")),
                       "kappa": decimals(p.get("kappa"))} for p in agreement.get("pairs") or []],
            "codes": [{"path": r.get("path", ""), "segments": r.get("segments", ""), "kappa": decimals(r.get("kappa"))}
                      for r in agreement.get("codes") or []],
        },
    }


def _share(value: Any) -> str:
    return "—" if value is None else f"{round(100 * float(value))}%"
