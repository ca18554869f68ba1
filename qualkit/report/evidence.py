"""What the report shows beside the quotes: who the participants are, the hits the safeguards set aside, new
codes interview by interview (saturation), and the wide case-by-code table for statistics packages; all from
plain run data."""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any, Iterable, Mapping, Sequence

from qualkit.compare import PARTICIPANT_MEANING, Participants
from qualkit.report.quotes import isolate

SET_ASIDE_KINDS = (("negated", "negated"), ("excluded", "vetoed (exclude pattern)"),
                   ("restricted", "outside a restriction"))
EXAMPLES_PER_KIND = 2
ORDER_ATTRIBUTES = ("order", "interview_order", "date", "interview_date")


def participants_of(transcripts: Iterable[Mapping[str, Any]]) -> Participants:
    """Return the study's participants from the run data's transcripts (their ``participant_speakers``; a
    transcript without them, from a run file written before they were kept, is one participant)."""
    return Participants({t["id"]: [s["speaker"] for s in t["participant_speakers"]]
                         for t in transcripts if "participant_speakers" in t})


def participant_note(participants: Participants) -> str:
    """Return what a participant is, for a study holding a focus group (a transcript with several
    participants); empty when every transcript is one participant, whose counts need no note."""
    example = next((people[0] for people in map(participants.people, participants.speakers) if len(people) > 1), "")
    if not example:
        return ""
    return (f"{PARTICIPANT_MEANING.capitalize()}: each named speaker of a focus group is one ({example}); a chorus, "
            "an unknown voice or a transcriber (All, Unknown, Transcriber) none.")


def sources_read(participants: Participants, transcripts: Sequence[str], survey: bool) -> dict[str, str]:
    """Return what the study's transcripts are, counted, as the headline says it (``16 interviews``, ``3 focus
    groups``, ``12 interviews and 2 focus groups``, ``5,000 survey responses``) and as the methods do (``16
    interview transcripts``, ``14 transcripts (12 interviews and 2 focus groups)``), and ``unit``, what one of them
    is called where they are listed one by one (``interview``, ``focus group``, ``transcript`` when both, ``response``).
    A transcript with several named participant speakers is a focus group; every other transcript is an interview."""
    n = len(transcripts)
    if survey:
        responses = counted(n, "survey response")
        return {"headline": responses, "methods": responses, "unit": "response"}
    groups = sum(1 for t in transcripts if participants.named(t))
    kinds = [(n - groups, "interview"), (groups, "focus group")]
    shown = [(count, kind) for count, kind in kinds if count]
    if len(shown) == 1:
        count, kind = shown[0]
        return {"headline": counted(count, kind), "methods": counted(count, f"{kind} transcript"), "unit": kind}
    both = " and ".join(counted(count, kind) for count, kind in shown)
    return {"headline": both, "methods": f"{counted(n, 'transcript')} ({both})", "unit": "transcript"}


def counted(n: int, one: str, many: str | None = None) -> str:
    """Return ``n`` with its noun: ``1 interview``, ``1,200 survey responses``."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def study_summary(study: Mapping[str, Any]) -> str:
    """The report's opening sentence on what was read, counted as a reader expects: ``16 interviews with 20
    participants; 54,119 words of participant speech. Not grouped: ...`` (one group holding no value is said to be
    no grouping, not a group named ``(no value)``)."""
    survey = study["sources"]["unit"] == "response"
    text = (study["sources"]["headline"]
            + (f" with {counted(study['participants'], 'participant')}" if study.get("participant_note") else "")
            + f"; {study['participant_words']:,} words of participant speech. ")
    if study["grouped"]:
        text += f"Grouped by {study['group_by']}: " + ", ".join(f"{isolate(g['name'])} (n={g['size']:,})" for g in study["groups"]) + ". "
    else:
        text += f"Not grouped: no {'response' if survey else 'participant'} has a '{study['group_by']}' attribute. "
    text += f"{counted(study['segments'], 'coded segment')}; {study['codes_matched']} of {study['codes']} codes matched."
    if study.get("participant_note"):
        text += f" {study['participant_note']}"
    return text + (" Names are pseudonymised." if study.get("pseudonymised") else "")


HEADERS = {"code_id": "id", "group_size": "group size (participants)", "share": "share (% of group)",
           "words": "participants' words", "per_1000_words": "segments per 1,000 words", "k": "themes (k)"}
TABLE_NOTES = {
    "theme_comparison": "Each suggested theme (and code) by group: segments (sentences, for a suggested theme), participants "
                        "with one, the group's size, their share of it, the words the group's participants spoke and "
                        "segments per 1,000 of those words.",
    "theme_curve": "How the number of suggested themes was chosen: for each number k tried, the stability of the themes' "
                   "top terms across random subsamples (mean matched Jaccard similarity), its value smoothed over k-1, k "
                   "and k+1, the mean NPMI coherence of the terms, and whether k is among the numbers equally supported "
                   "(1) or not (0); the Methods name the k chosen.",
}


def table_text(name: str, columns: Sequence[str]) -> dict[str, Any]:
    """A further table's title, column headers and note as a reader sees them (``per 1,000 words``, not
    ``per_1000_words``); the table's files keep the column names."""
    return {"title": name.replace("_", " ").capitalize(), "note": TABLE_NOTES.get(name, ""),
            "headers": [HEADERS.get(c, str(c).replace("_", " ")) for c in columns]}


DOCUMENT_ROWS = 60  # a per-participant table longer than this shows, in the documents, only the rows that say something


def for_documents(context: dict[str, Any], limit: int = DOCUMENT_ROWS) -> None:
    """Mark, on the framework matrices, the saturation table and the case table, the rows the documents show
    (``shown_rows``) and how many they leave out (``left_out``): all rows up to ``limit`` participants; past it,
    a matrix shows the participants with a segment coded to its theme, saturation the rows that added a new code
    and the case table its first ``limit`` rows, so 6,000 survey responses do not make a 40,000-row appendix.
    tables/*.csv keep every row. ``left_out_note`` is the sentence every format shows under a table that leaves
    rows out, "" when it leaves none."""
    for matrix in context["framework"]:
        rows = matrix["rows"]
        matrix["shown_rows"] = rows if len(rows) <= limit else [r for r in rows if any(c["segments"] for c in r["cells"])]
        matrix["left_out"] = len(rows) - len(matrix["shown_rows"])
        matrix["left_out_note"] = (f"{matrix['left_out']:,} of the {len(rows):,} participants, with no segment coded to "
                                   "this theme, are not shown; tables/framework_matrix.csv holds every row."
                                   if matrix["left_out"] else "")
    found = context["saturation"]
    found["shown_rows"] = found["rows"] if len(found["rows"]) <= limit else [r for r in found["rows"] if r["new"]]
    found["left_out"] = len(found["rows"]) - len(found["shown_rows"])
    shown = len(found["shown_rows"])
    found["left_out_note"] = (f"The table shows the {shown} {found['units'] if shown != 1 else found['unit']} that added "
                              f"a new code; the {found['left_out']:,} others added none (the chart shows every "
                              f"{found['unit']})." if found["left_out"] else "")
    cases = context["cases_by_code"]
    cases["shown_rows"] = cases["rows"][:limit]
    cases["left_out"] = len(cases["rows"]) - len(cases["shown_rows"])
    cases["left_out_note"] = (f"The first {len(cases['shown_rows'])} of {len(cases['rows']):,} participants; "
                              "tables/cases_by_code.csv holds them all." if cases["left_out"] else "")


def set_aside_summary(data: Mapping[str, Any], participants: Participants,
                      examples: int = EXAMPLES_PER_KIND) -> list[dict[str, Any]]:
    """Per code with set-aside hits: how many were negated, vetoed or outside a restriction, and up to
    ``examples`` examples of each (from different ``participants`` first) with the reason, the passage around
    the hit and its offsets."""
    by_code: dict[str, list[Mapping[str, Any]]] = {}
    for hit in data.get("set_aside") or []:
        by_code.setdefault(hit["code_id"], []).append(hit)
    out = []
    for code in data["codebook"]["codes"]:
        hits = by_code.get(code["id"])
        if not hits:
            continue
        kinds = []
        for status, label in SET_ASIDE_KINDS:
            mine = sorted((h for h in hits if h["status"] == status), key=lambda h: (h["transcript"], h["start"]))
            who = [participants.person(h["transcript"], h.get("speaker", "")) or (h["transcript"], h.get("speaker"))
                   for h in mine]
            shown, seen, people = [], set(), len(set(who))
            for hit, person in zip(mine, who):  # examples from different participants first
                if person in seen and people > len(seen):
                    continue
                seen.add(person)
                shown.append(hit)
                if len(shown) == examples:
                    break
            kinds.append({"status": status, "label": label, "count": len(mine), "examples": [{
                "transcript": h["transcript"], "turn": int(h["turn"]) + 1, "start": h["start"], "end": h["end"],
                "matched": h["text"], "reason": h["reason"], "passage": h.get("passage") or h["text"],
                "passage_start": h.get("passage_start", h["start"]), "passage_end": h.get("passage_end", h["end"]),
            } for h in shown]})
        out.append({"code_id": code["id"], "code": code["path"], "total": len(hits), "kinds": kinds,
                    **{status: next(k["count"] for k in kinds if k["status"] == status) for status, _ in SET_ASIDE_KINDS}})
    return out


def _order_key(value: str) -> tuple[int, Any]:
    text = value.strip()
    try:
        return (0, float(text))
    except ValueError:
        pass
    for parse in (_dt.date.fromisoformat, lambda v: _dt.datetime.strptime(v, "%d/%m/%Y").date()):
        try:
            return (1, parse(text[:10]))
        except ValueError:
            continue
    return (2, text)


def interview_order(transcripts: Sequence[Mapping[str, Any]]) -> tuple[list[Mapping[str, Any]], str]:
    """Return the transcripts in interview order and how it was decided: by an ``order`` or ``date``
    attribute when every transcript has one, else in the order the files were read."""
    for name in ORDER_ATTRIBUTES:
        values = [next((v for k, v in t["attributes"].items() if k.strip().casefold() == name and str(v).strip()), None)
                  for t in transcripts]
        if transcripts and all(v is not None for v in values):
            keys = [_order_key(str(v)) for v in values]
            if len({k[0] for k in keys}) == 1:
                ordered = [t for _, _, t in sorted(zip(keys, range(len(keys)), transcripts), key=lambda x: (x[0], x[1]))]
                return ordered, f"by the '{name}' attribute"
    return list(transcripts), "in file order (no 'order' or 'date' attribute on every transcript)"


def saturation(data: Mapping[str, Any], unit: str) -> dict[str, Any]:
    """New codes interview by interview in interview order: a row per interview, and the point after which
    no new code appeared, worded as what these data show (codes of this codebook), not as a claim. ``unit``
    (``sources_read``'s) names what a row is (an interview, a focus group, a transcript of a study holding both,
    a survey response)."""
    ordered, how = interview_order(data["transcripts"])
    names = {c["id"]: c["path"] for c in data["codebook"]["codes"]}
    rank = {code_id: i for i, code_id in enumerate(names)}
    codes_of: dict[str, set[str]] = {}
    for segment in data["segments"]:
        codes_of.setdefault(segment["transcript"], set()).add(segment["code_id"])
    seen: set[str] = set()
    rows = []
    for position, transcript in enumerate(ordered, start=1):
        mine = codes_of.get(transcript["id"], set())
        new = sorted(mine - seen, key=lambda c: rank.get(c, len(names)))
        seen |= mine
        rows.append({"position": position, "transcript": transcript["id"], "codes": len(mine), "new": len(new),
                     "cumulative": len(seen), "new_codes": [names.get(c, c) for c in new]})
    n = len(rows)
    last = max((r["position"] for r in rows if r["new"]), default=0)
    total_codes = len(data["codebook"]["codes"])
    if not rows or not last:
        statement = "No code was applied, so these data say nothing about saturation."
    elif last == n:
        statement = (f"The last {unit} ({rows[-1]['transcript']}, {n} of {n}) still added "
                     f"{rows[-1]['new']} new code(s): these data show no point after which no new code appeared.")
    else:
        statement = (f"In these {counted(n, unit)}, ordered {how}, the last new code appeared in {unit} {last} "
                     f"({rows[last - 1]['transcript']}); the {n - last} {unit}(s) after it added no code that "
                     f"earlier ones lacked ({rows[-1]['cumulative']} of the codebook's {total_codes} codes applied in all). "
                     "This is evidence about the codebook's codes in these data, read with their automatic first pass; "
                     "it is not by itself a demonstration of saturation, since new codes can only come from the codebook.")
    return {"order": how, "n": n, "unit": unit, "units": f"{unit}s", "rows": rows, "last_new": last,
            "last_new_transcript": rows[last - 1]["transcript"] if last else "", "statement": statement}


SPSS_NAME = re.compile(r"[^A-Za-z0-9_]")


def variable_name(text: str, taken: set[str]) -> str:
    """A variable name SPSS, Stata and R all accept: letters, digits and underscores, a letter first,
    at most 32 characters, unique among ``taken`` (which it joins)."""
    name = SPSS_NAME.sub("_", text.strip()).strip("_") or "v"
    if not name[0].isalpha():
        name = "v_" + name
    name = name[:32]
    base, number = name, 2
    while name.casefold() in taken:
        suffix = f"_{number}"
        name, number = base[: 32 - len(suffix)] + suffix, number + 1
    taken.add(name.casefold())
    return name


def cases_by_code(data: Mapping[str, Any], participants: Participants,
                  ) -> tuple[list[str], list[dict[str, Any]], list[dict[str, str]]]:
    """The wide table: one row per participant (``Participants``: a focus group's speakers each one), every
    attribute, per code a 0/1 presence and a count column.

    Returns the column names, the rows and the variable labels (``variable``, ``label``, ``code_id``,
    ``code_path``, ``definition``, ``kind``).
    """
    taken: set[str] = set()
    labels: list[dict[str, str]] = []
    id_column = variable_name("participant", taken)
    named = ("Participant (transcript id; 'id: speaker' for each speaker of a focus group)" if participants.several()
             else "Participant (transcript id)")
    labels.append({"variable": id_column, "label": named, "code_id": "", "code_path": "",
                   "definition": "", "kind": "id"})
    attributes = list(dict.fromkeys(k for t in data["transcripts"] for k in t["attributes"]))
    attribute_columns = {}
    for name in attributes:
        attribute_columns[name] = variable_name(name, taken)
        labels.append({"variable": attribute_columns[name], "label": name, "code_id": "", "code_path": "",
                       "definition": "", "kind": "attribute"})
    counts: dict[tuple[str | None, str], int] = {}
    for segment in data["segments"]:
        key = (participants.person(segment["transcript"], segment.get("speaker", "")), segment["code_id"])
        counts[key] = counts.get(key, 0) + 1
    code_columns = []
    for code in data["codebook"]["codes"]:
        stem = variable_name(code["id"], set(taken))[:28]
        present, count = variable_name(stem, taken), variable_name(stem + "_n", taken)
        code_columns.append((code["id"], present, count))
        definition = code.get("definition", "")
        labels.append({"variable": present, "label": f"{code['path']} (1 = coded)", "code_id": code["id"],
                       "code_path": code["path"], "definition": definition, "kind": "presence"})
        labels.append({"variable": count, "label": f"{code['path']}: coded segments", "code_id": code["id"],
                       "code_path": code["path"], "definition": definition, "kind": "count"})
    rows = []
    for transcript in data["transcripts"]:
        for person in participants.people(transcript["id"]):
            row: dict[str, Any] = {id_column: person}
            for name, column in attribute_columns.items():
                row[column] = str(transcript["attributes"].get(name, ""))
            for code_id, present, count in code_columns:
                n = counts.get((person, code_id), 0)
                row[present], row[count] = int(n > 0), n
            rows.append(row)
    columns = [id_column] + list(attribute_columns.values()) + [c for _, p, n in code_columns for c in (p, n)]
    return columns, rows, labels
