"""The report context: everything the templates show, as plain dicts and lists (see docs/templates.md)."""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass, replace
from typing import Any, Mapping, Sequence

from qualkit import __version__
from qualkit.compare import share
from qualkit.report.figures import agreement_figures, flat_group_tests, group_test_figures, review_figures
from qualkit.report.identifiers import identifiers_warning, possible_identifiers, theme_identifiers
from qualkit.report.pseudonyms import load_pseudonyms
from qualkit.report.evidence import (
    cases_by_code, for_documents, participant_note, participants_of, saturation, set_aside_summary, sources_read,
    study_summary, table_text,
)
from qualkit.report.methods import checklist, methods_prose
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


CASE_SEPARATORS = ("|", "::", "/", ":", "\t")


def case_memos(memos: Sequence[Mapping[str, Any]]) -> dict[tuple[str, str], Mapping[str, Any]]:
    """Return the latest memo on each (participant, code) pair: memos with target ``case_code`` and a
    ``target_id`` ``TRANSCRIPT|CODE`` as the store writes it, e.g. ``HT01|targets`` (also ``::``, ``/``, ``:`` or a tab)."""
    found: dict[tuple[str, str], Mapping[str, Any]] = {}
    for memo in memos:
        if memo.get("target") != "case_code":
            continue
        target = str(memo.get("target_id") or "")
        separator = next((s for s in CASE_SEPARATORS if s in target), None)
        if separator is None:
            continue
        tid, code_id = (part.strip() for part in target.split(separator, 1))
        found[(tid, code_id)] = memo
    return found


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
        self.participants = participants_of(data["transcripts"])  # a focus group's speakers each count
        self.group_sizes = self.participants.sizes(self.groups)
        self.group_names = list(self.group_sizes)
        self.also_group_by = [n for n in settings.get("also_group_by") or () if n != self.group_by]
        self.case_memos = case_memos(data.get("extra", {}).get("memos") or [])
        self.exclusions = {c["id"]: exclusion_check(c) for c in data["codebook"]["codes"]}
        self.shown: list[dict[str, Any]] = []  # every quote the report shows, for the identifiers check
        self.reviewed = any(s.get("status") in REVIEWED for s in data["segments"])
        self.by_code: dict[str, list[dict[str, Any]]] = {}
        for segment in data["segments"]:
            self.by_code.setdefault(segment["code_id"], []).append(segment)

    def count(self, segments: Sequence[Mapping[str, Any]]) -> int:
        """The participants who said the segments (each participant speaker of a transcript)."""
        return self.participants.count((s["transcript"], s.get("speaker", "")) for s in segments)

    def person(self, item: Mapping[str, Any]) -> str:
        """The participant who said a segment; a label naming no participant (All) is its own, for spreading quotes."""
        speaker = item.get("speaker", "")
        return self.participants.person(item["transcript"], speaker) or f"{item['transcript']}: {speaker}"

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
        shown = {
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
        self.shown.append(shown)
        return shown

    def quotable(self, items: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
        """The passages that may illustrate their code: none its exclusion note or exclude patterns rule out."""
        out = []
        for item in items:
            if item.get("status") == "rejected":  # a reviewer said no: never an illustration
                continue
            check = self.exclusions.get(item.get("code_id", ""))
            if check is None or not check(full_text(item)):
                out.append(item)
        return out

    def quotes(self, items: Sequence[Mapping[str, Any]], limit: int | None = None) -> list[dict[str, Any]]:
        return [self.quote(q) for q in choose_quotes(self.quotable(items), self.policy, self.groups, limit, self.person)]

    def cells(self, code_id: str) -> list[dict[str, Any]]:
        rows = {r["group"]: r for r in self.data["comparison"] if r["code_id"] == code_id}
        found = self.by_code.get(code_id, [])
        cells = []
        for group in self.group_names:
            row = dict(rows.get(group) or {})
            members = [s for s in found if self.groups.get(s["transcript"]) == group]
            size = self.group_sizes[group]
            participants = self.count(members)
            cells.append({**{k: v for k, v in row.items() if k not in ("code_id", "code", "theme")},
                          "group": group, "segments": len(members), "participants": participants,
                          "group_size": size, "share": share(participants, size)})
        return cells

    def code(self, code: Mapping[str, Any]) -> dict[str, Any]:
        found = self.by_code.get(code["id"], [])
        quotes = self.quotes(found)
        return {**code, "segments": len(found), "participants": self.count(found),
                "by_group": self.cells(code["id"]), "quotes": quotes,
                "example_quote": quotes[0] if quotes else None}

    def framework(self, themes: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """One matrix per theme: a row per participant with the group-by attributes, a column per code; each
        cell the count, the shortest good quote and, when the study holds a memo on the participant and the
        code (target ``case_code``), that memo as the cell's summary."""
        shortest = replace(self.policy, ideal_words=self.policy.min_words)
        names = [self.group_by, *self.also_group_by]
        people = [(tid, person, speaker) for tid in sorted(self.transcripts, key=lambda tid: (
            [str(self.transcripts[tid]["attributes"].get(n) or "") for n in names], tid))
            for person, speaker in self.participants.members(tid)]
        cases: dict[tuple[str | None, str], list[Mapping[str, Any]]] = {}
        for segment in self.data["segments"]:
            person = self.participants.person(segment["transcript"], segment.get("speaker", ""))
            cases.setdefault((person, segment["code_id"]), []).append(segment)
        matrices = []
        for theme in themes:
            rows = []
            for tid, person, speaker in people:
                cells = []
                for code in theme["codes"]:
                    mine = cases.get((person, code["id"]), [])
                    good = self.quotable(mine)
                    best = min(good, key=lambda s: quality(s, shortest)) if good else None
                    memo = self.case_memos.get((person, code["id"]))
                    cells.append({"code_id": code["id"], "segments": len(mine),
                                  "quote": self.quote(best) if best else None,
                                  "summary": memo["text"] if memo else "", "summary_by": memo["coder"] if memo else ""})
                attributes = self.transcripts[tid]["attributes"]
                rows.append({"participant": person, "group": self.groups[tid],
                             "attributes": [{"name": n, "value": attributes.get(n) or UNKNOWN_GROUP} for n in names],
                             "attribution": attribution(attributes, self.fields, tid, speaker or tid), "cells": cells})
            matrices.append({"theme": theme["name"], "attributes": names,
                             "codes": [{"id": c["id"], "name": c["name"], "path": c["path"]} for c in theme["codes"]],
                             "rows": rows})
        return matrices

    def by_attribute(self, codes: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Codes by each further group-by attribute: per code and value, participants with the code / size."""
        tables = []
        for name in self.also_group_by:
            groups = _group_of(self.transcripts, name)
            sizes = self.participants.sizes(groups)
            values = list(sizes)
            rows = []
            for code in codes:
                found = self.by_code.get(code["id"], [])
                cells = []
                for value in values:
                    mine = [s for s in found if groups.get(s["transcript"]) == value]
                    people = self.count(mine)
                    cells.append({"group": value, "segments": len(mine), "participants": people,
                                  "group_size": sizes[value],
                                  "share": share(people, sizes[value])})
                rows.append({"id": code["id"], "code": code["path"], "cells": cells})
            tables.append({"attribute": name, "groups": [{"name": v, "size": sizes[v]} for v in values], "rows": rows})
        return tables

    def differences(self, codes: Sequence[Mapping[str, Any]], themes: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        if self.group_names == [UNKNOWN_GROUP]:
            return {"codes": [], "themes": [], "note": f"Not compared: no participant has a '{self.group_by}' attribute, "
                    "so all are one group (give --attributes and --group-by to compare groups)."}
        if len(self.group_names) < 2:
            return {"codes": [], "themes": [], "note": f"Not compared: every participant has the same {self.group_by} "
                    f"({', '.join(self.group_names) or 'none'})."}

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
        note = "" if ranked else "No code's share of participants differs between the groups."
        return {"codes": ranked[: self.options.differences], "themes": theme_rows, "note": note}

    def theme_cells(self, members: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        found = [s for c in members for s in self.by_code.get(c["id"], [])]
        cells = []
        for group in self.group_names:
            mine = [s for s in found if self.groups.get(s["transcript"]) == group]
            people = self.count(mine)
            size = self.group_sizes[group]
            cells.append({"group": group, "segments": len(mine), "participants": people, "group_size": size,
                          "share": share(people, size)})
        return cells

    def cooccurrence(self, codes: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        """Count the turns coded with both codes of each pair (the diagonal: turns coded with the code)."""
        turns: dict[str, set[tuple[str, int]]] = {c["id"]: set() for c in codes}
        for segment in self.data["segments"]:
            turns.setdefault(segment["code_id"], set()).add((segment["transcript"], segment["turn"]))
        used = [c for c in codes if turns[c["id"]]]
        matrix = [[len(turns[a["id"]] & turns[b["id"]]) for b in used] for a in used]
        return {"codes": [{"id": c["id"], "name": c["name"], "path": c["path"]} for c in used], "matrix": matrix}


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
            "participants": build.count([s for c in members for s in build.by_code.get(c["id"], [])]),
            "by_group": build.theme_cells(members),
        })
    suggested = [{**{k: v for k, v in t.items() if k not in ("quotes", "participants")},
                  "participants": len(t["participants"]), "participant_ids": list(t["participants"]),
                  "quotes": [build.quote(q) for q in t["quotes"][: build.policy.per_code]]}
                 for t in data["suggested"]]
    groups = [{"name": g, "size": build.group_sizes[g]} for g in build.group_names]
    extra_columns = sorted({k for c in codes for cell in c["by_group"] for k in cell} - set(CELL_FIELDS))
    settings = data["settings"]
    sources = sources_read(build.participants, [t["id"] for t in data["transcripts"]], survey=bool(settings.get("text_column")))
    context = {
        "title": f"{book['name']}",
        "kind": "report", "kind_title": KIND_TITLES["report"], "generator": f"qualkit {__version__}",
        "methods": data["methods"],
        "study": {
            "transcripts": len(data["transcripts"]),
            "sources": sources,
            "participant_words": sum(t["participant_words"] for t in data["transcripts"]),
            "participants": sum(build.group_sizes.values()),
            "participant_note": participant_note(build.participants),
            "group_by": build.group_by, "groups": groups,
            "grouped": [g["name"] for g in groups] != [UNKNOWN_GROUP],
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
        "participants": [{"id": person, "transcript": tid, "speaker": speaker, "group": build.groups[tid],
                          "attributes": dict(t["attributes"]),
                          "words": next((s["words"] for s in t.get("participant_speakers", ()) if s["speaker"] == speaker),
                                        t["participant_words"])}
                         for tid, t in sorted(build.transcripts.items())
                         for person, speaker in build.participants.members(tid)],
        "cooccurrence": build.cooccurrence(codes),
        "tables": [{"name": name, "generic": name not in OWN_SECTIONS, **shown, **table_text(name, shown["columns"])}
                   for name, table in sorted(data.get("tables", {}).items())
                   for shown in [flat_group_tests(table["rows"]) if name == "group_tests" else table]],
        "group_tests": group_test_figures(data.get("tables", {}).get("group_tests", {}).get("rows", [])),
        "agreement": agreement_figures(data.get("extra", {}).get("agreement")),
        "extra": dict(data.get("extra", {})),
        "charts": {},
        "unmatched_codes": [c["path"] for c in codes if not c["segments"]],
        "warnings": list(data["warnings"]),
        "by_attribute": build.by_attribute(codes),
        "set_aside": set_aside_summary(data, build.participants),
        "saturation": saturation(data, sources["unit"]),
        "cases_by_code": dict(zip(("columns", "rows", "labels"), cases_by_code(data, build.participants))),
        "review": review_figures(data, codes),
        "checklist": checklist(),
    }
    for_documents(context)
    context["study"]["summary"] = study_summary(context["study"])
    context["methods_prose"] = methods_prose(data, context)
    context["identifiers"] = _identifiers(data, build, options)
    return context


def _identifiers(data: Mapping[str, Any], build: _Builder, options: ReportOptions) -> list[dict[str, Any]]:
    """Return (and warn of) the capitalised names in the quotes shown, and the suggested themes' labels and terms
    written only as names, that may identify and are not mapped."""
    known = {str(v) for t in data["transcripts"] for v in t["attributes"].values()}
    if options.pseudonyms:
        known |= set(load_pseudonyms(options.pseudonyms).mapping.values())
    # All the participant text the run data holds: coded passages with their sentences, theme sentences, set-aside sentences.
    passages = ([full_text(s) for s in data["segments"]] + [full_text(q) for t in data["suggested"] for q in t["quotes"]]
                + [h.get("passage", "") for h in data.get("set_aside", ())] + [q["full_text"] for q in build.shown])
    names = possible_identifiers(build.shown, passages, known)
    names += theme_identifiers(data["suggested"], passages, known, data.get("theme_words", ()))
    message = identifiers_warning(names)
    if message:
        warnings.warn(message, stacklevel=3)
    return names
