"""The report context: everything the templates show, as plain dicts and lists (see docs/templates.md)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any, Mapping, Sequence

from qualkit import __version__
from qualkit.report.quotes import (
    REVIEWED, QuotePolicy, attribution, choose_quotes, exclusion_check, full_text, quality, quote_pieces,
)

UNKNOWN_GROUP = "(no value)"
CELL_FIELDS = ("group", "segments", "participants", "group_size", "share")
KIND_TITLES = {"thematic": "Thematic summary", "appendix": "Appendix", "comparison": "Group comparison",
               "report": "Report"}


@dataclass(frozen=True)
class ReportOptions:
    """How reports are written from a run; none of it changes the coding.

    ``attribution``: the fields a quote is credited with, in order (``id``, ``speaker`` or attribute
    names; default ``id``, the group-by attribute, ``site``). ``quotes``: the quote policy
    (``per_code`` defaults to the run's ``quotes_per_code``). ``pseudonyms``: a mapping file of real
    names to pseudonyms. ``template_dir``: a folder whose templates override the built-in ones.
    ``differences``: how many codes the group comparison lists. ``quotes_per_side``: quotes per group there.
    """

    attribution: tuple[str, ...] | None = None
    quotes: QuotePolicy | None = None
    pseudonyms: str | None = None
    template_dir: str | None = None
    differences: int = 10
    quotes_per_side: int = 2
    charts: bool = True


def _group_of(transcripts: Mapping[str, Mapping[str, Any]], group_by: str) -> dict[str, str]:
    return {tid: (t["attributes"].get(group_by) or UNKNOWN_GROUP) for tid, t in transcripts.items()}


class _Builder:
    """Builds the context from run data once the options are settled."""

    def __init__(self, data: Mapping[str, Any], options: ReportOptions) -> None:
        self.data = data
        settings = data["settings"]
        self.group_by = settings.get("group_by", "group")
        self.fields = list(options.attribution) if options.attribution is not None else ["id", self.group_by, "site"]
        self.policy = options.quotes or QuotePolicy(per_code=int(settings.get("quotes_per_code", 3)))
        self.options = options
        self.transcripts = {t["id"]: t for t in data["transcripts"]}
        self.groups = _group_of(self.transcripts, self.group_by)
        self.group_names = sorted(set(self.groups.values()))
        self.group_sizes = {g: sum(1 for v in self.groups.values() if v == g) for g in self.group_names}
        self.exclusions = {c["id"]: exclusion_check(c) for c in data["codebook"]["codes"]}
        self.reviewed = any(s.get("status") in REVIEWED for s in data["segments"])
        self.by_code: dict[str, list[dict[str, Any]]] = {}
        for segment in data["segments"]:
            self.by_code.setdefault(segment["code_id"], []).append(segment)

    def quote(self, item: Mapping[str, Any]) -> dict[str, Any]:
        transcript = self.transcripts.get(item["transcript"], {"attributes": {}, "timestamps": {}})
        shift = len(item.get("quote_before", ""))
        marks = [(m["start"] + shift, m["end"] + shift) for m in item.get("matches", ())]
        text = full_text(item)
        pieces = quote_pieces(text, marks, self.policy)
        timestamp = transcript.get("timestamps", {}).get(str(item["turn"])) or ""
        turn = item["turn"] + 1
        start, end = item.get("quote_start", item["start"]), item.get("quote_end", item["end"])
        reference = f"{item['transcript']}, turn {turn}{f' [{timestamp}]' if timestamp else ''}, chars {start}–{end}"
        status = item.get("status") or "auto"
        return {
            "text": "".join(p["text"] for p in pieces), "full_text": text, "pieces": pieces,
            "coded_text": item["text"], "coded_start": item["start"], "coded_end": item["end"],
            "status": status, "unreviewed": self.reviewed and status not in REVIEWED,
            "trimmed": any(p["cut"] for p in pieces), "words": len(text.split()),
            "transcript": item["transcript"], "speaker": item["speaker"], "group": self.groups.get(item["transcript"], UNKNOWN_GROUP),
            "turn": turn, "timestamp": timestamp, "start": start, "end": end,
            "attribution": attribution(transcript["attributes"], self.fields, item["transcript"], item["speaker"]),
            "reference": reference,
            "matched": [m["text"] for m in item.get("matches", ())],
            "patterns": list(dict.fromkeys(m["pattern"] for m in item.get("matches", ()))),
        }

    def quotable(self, items: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
        """The passages that may illustrate their code: none its exclusion note or exclude patterns rule out."""
        out = []
        for item in items:
            check = self.exclusions.get(item.get("code_id", ""))
            if check is None or not check(full_text(item)):
                out.append(item)
        return out

    def quotes(self, items: Sequence[Mapping[str, Any]], limit: int | None = None) -> list[dict[str, Any]]:
        return [self.quote(q) for q in choose_quotes(self.quotable(items), self.policy, self.groups, limit)]

    def cells(self, code_id: str) -> list[dict[str, Any]]:
        rows = {r["group"]: r for r in self.data["comparison"] if r["code_id"] == code_id}
        found = self.by_code.get(code_id, [])
        cells = []
        for group in self.group_names:
            row = dict(rows.get(group) or {})
            members = [s for s in found if self.groups.get(s["transcript"]) == group]
            size = self.group_sizes[group]
            participants = len({s["transcript"] for s in members})
            cells.append({**{k: v for k, v in row.items() if k not in ("code_id", "code", "theme")},
                          "group": group, "segments": len(members), "participants": participants,
                          "group_size": size, "share": round(100.0 * participants / size, 1) if size else 0.0})
        return cells

    def code(self, code: Mapping[str, Any]) -> dict[str, Any]:
        found = self.by_code.get(code["id"], [])
        quotes = self.quotes(found)
        return {**code, "segments": len(found), "participants": len({s["transcript"] for s in found}),
                "by_group": self.cells(code["id"]), "quotes": quotes,
                "example_quote": quotes[0] if quotes else None}

    def framework(self, themes: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        shortest = replace(self.policy, ideal_words=self.policy.min_words)
        people = sorted(self.transcripts)
        matrices = []
        for theme in themes:
            rows = []
            for tid in people:
                cells = []
                for code in theme["codes"]:
                    mine = [s for s in self.by_code.get(code["id"], []) if s["transcript"] == tid]
                    good = self.quotable(mine)
                    best = min(good, key=lambda s: quality(s, shortest)) if good else None
                    cells.append({"code_id": code["id"], "segments": len(mine),
                                  "quote": self.quote(best) if best else None})
                rows.append({"participant": tid, "group": self.groups[tid],
                             "attribution": attribution(self.transcripts[tid]["attributes"], self.fields, tid, tid),
                             "cells": cells})
            matrices.append({"theme": theme["name"], "codes": [{"id": c["id"], "name": c["name"], "path": c["path"]}
                                                              for c in theme["codes"]], "rows": rows})
        return matrices

    def differences(self, codes: Sequence[Mapping[str, Any]], themes: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        if len(self.group_names) < 2:
            return {"codes": [], "themes": []}

        def spread(cells: Sequence[Mapping[str, Any]]) -> tuple[float, str, str]:
            high = max(cells, key=lambda c: (c["share"], c["segments"]))
            low = min(cells, key=lambda c: (c["share"], c["segments"]))
            return round(high["share"] - low["share"], 1), high["group"], low["group"]

        ranked = []
        for code in codes:
            gap, high, low = spread(code["by_group"])
            if gap <= 0:
                continue
            found = self.by_code.get(code["id"], [])
            sides = [{"group": g, "quotes": self.quotes([s for s in found if self.groups.get(s["transcript"]) == g],
                                                        self.options.quotes_per_side)} for g in self.group_names]
            ranked.append({"id": code["id"], "name": code["name"], "path": code["path"], "theme": code["theme"],
                           "definition": code["definition"], "spread": gap, "highest": high, "lowest": low,
                           "cells": code["by_group"], "sides": sides})
        ranked.sort(key=lambda r: (-r["spread"], r["path"]))
        theme_rows = []
        for theme in themes:
            gap, high, low = spread(theme["by_group"])
            if gap > 0:
                theme_rows.append({"name": theme["name"], "spread": gap, "highest": high, "lowest": low,
                                   "cells": theme["by_group"]})
        theme_rows.sort(key=lambda r: (-r["spread"], r["name"]))
        return {"codes": ranked[: self.options.differences], "themes": theme_rows}

    def theme_cells(self, members: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        found = [s for c in members for s in self.by_code.get(c["id"], [])]
        cells = []
        for group in self.group_names:
            mine = [s for s in found if self.groups.get(s["transcript"]) == group]
            people = len({s["transcript"] for s in mine})
            size = self.group_sizes[group]
            cells.append({"group": group, "segments": len(mine), "participants": people, "group_size": size,
                          "share": round(100.0 * people / size, 1) if size else 0.0})
        return cells

    def cooccurrence(self, codes: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        """Count the turns coded with both codes of each pair (the diagonal: turns coded with the code)."""
        turns: dict[str, set[tuple[str, int]]] = {c["id"]: set() for c in codes}
        for segment in self.data["segments"]:
            turns.setdefault(segment["code_id"], set()).add((segment["transcript"], segment["turn"]))
        used = [c for c in codes if turns[c["id"]]]
        matrix = [[len(turns[a["id"]] & turns[b["id"]]) for b in used] for a in used]
        return {"codes": [{"id": c["id"], "name": c["name"], "path": c["path"]} for c in used], "matrix": matrix}


def _decimals(value: Any, places: int = 2) -> str:
    """A figure to ``places`` decimals, or "—" where it is undefined (None)."""
    return "—" if value is None else f"{float(value):.{places}f}"


def _p_value(value: Any) -> str:
    """A p-value to 3 significant figures ("<0.0001" below that), or "—" where undefined."""
    if value is None:
        return "—"
    return "<0.0001" if float(value) < 0.0001 else f"{float(value):#.3g}"


AGREEMENT_FIGURES = ("precision", "recall", "f1", "kappa", "alpha")
DISAGREEMENTS_SHOWN = 10


def _agreement(raw: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The agreement with a human coding, figures as text to 2 decimals ("—" where undefined)."""
    if not raw:
        return None

    def row(r: Mapping[str, Any]) -> dict[str, Any]:
        return {"code": r.get("code", ""), **{k: r.get(k) for k in ("n_units", "n_a", "n_b", "n_both")},
                **{k: _decimals(r.get(k)) for k in AGREEMENT_FIGURES}}

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


def _group_tests(pairs: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
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
                      "p": _p_value(r.get("p")), "p_adjusted": _p_value(r.get("p_adjusted")),
                      "only_in": r.get("only_in") or ""} for r in rows],
        })
    return out


def _flat_group_tests(pairs: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The two-group tests as one flat table (one row per pair and code) for the CSV and workbook."""
    rows = [{"group_a": p["group_a"], "group_b": p["group_b"], **r} for p in pairs for r in p.get("rows") or []]
    return {"columns": list(dict.fromkeys(k for r in rows for k in r)), "rows": rows}


OWN_SECTIONS = {"group_tests"}


def report_context(data: Any, options: ReportOptions = ReportOptions()) -> dict[str, Any]:
    """Return everything the report templates show, as plain dicts and lists, from run data (or a StudyResult)."""
    if not isinstance(data, Mapping):
        from qualkit.report.data import study_data

        data = study_data(data)
    build = _Builder(data, options)
    book = data["codebook"]
    codes = [build.code(c) for c in book["codes"]]
    descriptions = {t["path"][0]: t["description"] for t in book["themes"] if len(t["path"]) == 1}
    themes = []
    for name in book["top_themes"]:
        members = [c for c in codes if c["theme"] == name]
        themes.append({
            "name": name, "description": descriptions.get(name, ""), "codes": members,
            "segments": sum(c["segments"] for c in members),
            "participants": len({s["transcript"] for c in members for s in build.by_code.get(c["id"], [])}),
            "by_group": build.theme_cells(members),
        })
    suggested = [{**{k: v for k, v in t.items() if k not in ("quotes", "participants")},
                  "participants": len(t["participants"]), "participant_ids": list(t["participants"]),
                  "quotes": [build.quote(q) for q in t["quotes"][: build.policy.per_code]]}
                 for t in data["suggested"]]
    groups = [{"name": g, "size": build.group_sizes[g]} for g in build.group_names]
    extra_columns = sorted({k for c in codes for cell in c["by_group"] for k in cell} - set(CELL_FIELDS))
    settings = data["settings"]
    return {
        "title": f"{book['name']}",
        "kind": "report", "kind_title": KIND_TITLES["report"], "generator": f"qualkit {__version__}",
        "methods": data["methods"],
        "study": {
            "transcripts": len(data["transcripts"]),
            "participant_words": sum(t["participant_words"] for t in data["transcripts"]),
            "group_by": build.group_by, "groups": groups,
            "segments": len(data["segments"]), "units": data["units"],
            "codes_matched": sum(1 for c in codes if c["segments"]), "codes": len(codes),
            "pseudonymised": bool(data.get("pseudonymised")),
        },
        "codebook": {"name": book["name"], "version": book["version"], "description": book["description"]},
        "attribution_fields": build.fields,
        "quote_policy": asdict(build.policy),
        "themes": themes,
        "codes": codes,
        "suggested": suggested,
        "theme_mode": settings.get("theme_mode", "residual"),
        "comparison": {
            "groups": groups, "extra_columns": extra_columns,
            "rows": [{"id": c["id"], "code": c["path"], "name": c["name"], "depth": c["depth"], "theme": c["theme"],
                      "cells": c["by_group"]} for c in codes],
        },
        "differences": build.differences(codes, themes),
        "framework": build.framework(themes),
        "participants": [{"id": tid, "group": build.groups[tid], "attributes": dict(t["attributes"]),
                          "words": t["participant_words"]} for tid, t in sorted(build.transcripts.items())],
        "cooccurrence": build.cooccurrence(codes),
        "tables": [{"name": name, "title": name.replace("_", " ").capitalize(), "generic": name not in OWN_SECTIONS,
                    **(_flat_group_tests(table["rows"]) if name == "group_tests" else table)}
                   for name, table in sorted(data.get("tables", {}).items())],
        "group_tests": _group_tests(data.get("tables", {}).get("group_tests", {}).get("rows", [])),
        "agreement": _agreement(data.get("extra", {}).get("agreement")),
        "extra": dict(data.get("extra", {})),
        "charts": {},
        "unmatched_codes": [c["path"] for c in codes if not c["segments"]],
        "warnings": list(data["warnings"]),
    }
