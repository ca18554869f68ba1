"""The methods a researcher can paste: prose written from the run's own facts, and the COREQ and SRQR
items the report documents (and where), with the items only the researcher can report marked so."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from qualkit.report.evidence import counted

RESEARCHER = "Researcher to report"

# (checklist, item number, item, where the report documents it; "" when only the researcher can report it)
CHECKLIST: tuple[tuple[str, str, str, str], ...] = (
    ("COREQ", "1-8", "Research team and reflexivity (interviewer, credentials, occupation, gender, experience, "
     "relationship with participants)", ""),
    ("COREQ", "9", "Methodological orientation and theory", "Methods (analysis approach: deductive codebook, "
     "reviewed first pass; inductive suggested themes); the theory is the researcher's"),
    ("COREQ", "10-11", "Sampling and method of approach", ""),
    ("COREQ", "12", "Sample size", "Methods (participants by group); Appendix, Codes by group (N per group)"),
    ("COREQ", "13", "Non-participation", ""),
    ("COREQ", "14-15", "Setting of data collection; presence of non-participants", ""),
    ("COREQ", "16", "Description of sample", "Appendix, Cases by code (every attribute per participant); "
     "tables/cases_by_code.csv"),
    ("COREQ", "17-21", "Interview guide, repeat interviews, recording, field notes, duration", ""),
    ("COREQ", "22", "Data saturation", "Appendix, Saturation (new codes per interview, as evidence)"),
    ("COREQ", "23", "Transcripts returned to participants", ""),
    ("COREQ", "24", "Number of data coders", "Methods (automatic first pass, reviewers, agreement)"),
    ("COREQ", "25", "Description of the coding tree", "Appendix, Codebook (definitions, include/exclude, examples)"),
    ("COREQ", "26", "Derivation of themes", "Methods (codebook themes deductive; suggested themes and how)"),
    ("COREQ", "27", "Software", "Methods and the methods trail (qualkit, spaCy, pipeline, codebook sha256)"),
    ("COREQ", "28", "Participant checking", ""),
    ("COREQ", "29", "Quotations presented, identified", "Thematic summary (each quote credited and traceable "
     "to transcript, turn and character offsets)"),
    ("COREQ", "30", "Data and findings consistent", "Thematic summary and coded_segments.csv (offsets into the "
     "transcripts); the interpretation is the researcher's"),
    ("COREQ", "31-32", "Clarity of major and minor themes", ""),
    ("SRQR", "1-4", "Title, abstract, problem formulation, purpose or research question", ""),
    ("SRQR", "5", "Qualitative approach and research paradigm", ""),
    ("SRQR", "6", "Researcher characteristics and reflexivity", ""),
    ("SRQR", "7", "Context", ""),
    ("SRQR", "8", "Sampling strategy", ""),
    ("SRQR", "9", "Ethical issues pertaining to human subjects", ""),
    ("SRQR", "10", "Data collection methods", ""),
    ("SRQR", "11", "Data collection instruments and technologies", ""),
    ("SRQR", "12", "Units of study", "Methods (participants by group); Appendix, Cases by code"),
    ("SRQR", "13", "Data processing", "Methods (transcripts read, files skipped, de-identification) and the "
     "methods trail"),
    ("SRQR", "14", "Data analysis", "Methods (codebook, unit, pattern kinds, review, suggested themes)"),
    ("SRQR", "15", "Techniques to enhance trustworthiness", "Methods (review, agreement); Appendix, Set-aside "
     "hits and Agreement; offsets for every quote"),
    ("SRQR", "16", "Synthesis and interpretation", ""),
    ("SRQR", "17", "Links to empirical data", "Thematic summary and Group comparison (quotes with references)"),
    ("SRQR", "18-19", "Integration with prior work; limitations", ""),
    ("SRQR", "20-21", "Conflicts of interest; funding", ""),
)


def checklist() -> list[dict[str, str]]:
    """The COREQ and SRQR items: where the report documents each, or ``Researcher to report``."""
    return [{"checklist": name, "item": number, "topic": topic, "where": where or RESEARCHER,
             "researcher": not where} for name, number, topic, where in CHECKLIST]


def _listing(items: Sequence[str]) -> str:
    items = [i for i in items if i]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""


def methods_prose(data: Mapping[str, Any], context: Mapping[str, Any]) -> list[str]:
    """Paragraphs describing what this run did, from its own figures, for the researcher to adapt."""
    methods, settings, study = data["methods"], data["settings"], context["study"]
    book = data["codebook"]
    groups = _listing([f"{g['name']} (n={g['size']:,})" for g in study["groups"]])
    attributes = sorted({k for t in data["transcripts"] for k in t["attributes"]})
    skipped = methods.get("skipped_files")
    paragraphs = [
        f"Data. {study['sources']['methods']} ({study['participant_words']:,} words of "
        "participant speech"
        + (f" by {study['participants']} participants" if study.get("participant_note") else "") + ") were analysed"
        + (f", by {study['group_by']}: {groups}" if study["grouped"] else f", not grouped (no '{study['group_by']}' attribute)")
        + "."
        + (f" {study['participant_note']}" if study.get("participant_note") else "")
        + (f" Participants' attributes recorded: {_listing(attributes)}." if attributes else "")
        + (f" Files that could not be read and were left out: {'; '.join(skipped)}." if isinstance(skipped, list)
           else "")
    ]
    kinds: dict[str, int] = {}
    for code in book["codes"]:
        for kind in code.get("pattern_kinds", ()):
            kinds[kind] = kinds.get(kind, 0) + 1
    order = ("phrase", "exact", "wildcard", "word", "token", "near", "exclude")
    ranked = sorted(kinds.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))
    kinds_text = _listing([f"{'exclude vetoes' if k == 'exclude' else k} in {counted(n, 'code')}" for k, n in ranked])
    paragraphs.append(
        f"Coding. The transcripts were coded with the codebook \u201c{book['name']}\u201d (version {book['version']}, "
        f"{counted(len(book['themes']), 'theme')}, {counted(len(book['codes']), 'code')}; file "
        f"{methods.get('codebook_file', '')}, SHA-256 {str(methods.get('codebook_sha256', ''))[:12]}) as a deductive "
        f"first pass using qualkit {methods.get('qualkit_version', '')} with spaCy {methods.get('spacy_version', '')} "
        f"(pipeline {methods.get('pipeline', '')}: {methods.get('components', '')}). The codes' patterns "
        f"({kinds_text or 'none'}) were matched on participant speech only, and a hit coded its "
        f"{settings.get('unit', 'sentence')}. Hits governed by a negation (for codes that ask for it), vetoed by a "
        f"code's exclude pattern, or outside a code's restriction were set aside rather than coded: "
        f"{_set_aside_counts(data)}. The run produced {study['segments']} coded segments; "
        f"{study['codes_matched']} of {study['codes']} codes were applied.")
    review = data.get("extra", {}).get("review")
    if review:
        paragraphs.append(_review_paragraph(review, data))
    agreement = context.get("agreement")
    if agreement:
        overall = agreement["overall"]
        paragraphs.append(
            f"Agreement. The coding was compared {agreement['unit']} by {agreement['unit']} with "
            f"{agreement['coder_b']}'s coding ({agreement['source'] or methods.get('human_coding', '')}) over "
            f"{agreement['units']} {agreement['unit']}s of {counted(len(agreement['transcripts']), 'transcript')}: "
            f"Cohen's kappa pooled over {overall['codes']} codes {overall['kappa']}, Krippendorff's alpha "
            f"{overall['alpha']}, F1 {overall['f1']}; per-code figures and the passages the codings disagree on "
            "are in the appendix.")
    paragraphs.append(_themes_paragraph(data, context))
    saturation = context.get("saturation")
    if saturation and saturation["n"]:
        paragraphs.append(f"Saturation. {saturation['statement']}")
    policy = context["quote_policy"]
    paragraphs.append(
        f"Quotations. At most {policy['per_code']} quotations per code were chosen: whole sentences of at least "
        f"{policy['min_words']} words (or the whole turn), never a passage its code's exclusion note or exclude "
        "patterns rule out, " + ("reviewed codings before unreviewed ones, " if data.get("reviewed") else "")
        + "spread over participants and groups; each is credited "
        f"({_listing(context['attribution_fields'])}) and traceable to its transcript, turn and character offsets"
        + (", with names replaced by pseudonyms." if study.get("pseudonymised") else "."))
    return paragraphs


def _set_aside_counts(data: Mapping[str, Any]) -> str:
    hits = data.get("set_aside") or []
    counts = {s: sum(1 for h in hits if h["status"] == s) for s in ("negated", "excluded", "restricted")}
    return (f"{counts['negated']} negated, {counts['excluded']} vetoed and {counts['restricted']} outside a "
            "restriction (listed in the appendix and set_aside_hits.csv)")


def _review_paragraph(review: Mapping[str, Any], data: Mapping[str, Any]) -> str:
    settings = data["settings"]
    reviewers = list(review.get("reviewers") or [])
    shares = {k: v for k, v in (review.get("per_code_acceptance") or {}).items() if v is not None}
    low = sorted(shares.items(), key=lambda kv: kv[1])[:3]
    names = {c["id"]: c["name"] for c in data["codebook"]["codes"]}
    decided = sum(int(review.get(k) or 0) for k in ("accepted", "rejected", "recoded"))
    text = (f"Review. Of the {counted(int(review.get('automatic') or 0), 'automatic coding')}, "
            f"{_listing(reviewers) or 'no one'} reviewed {decided}: {review.get('accepted', 0)} accepted, "
            f"{review.get('rejected', 0)} rejected and {review.get('recoded', 0)} recoded to another code, with "
            f"{review.get('pending', 0)} still pending; {review.get('manual', 0)} passages were coded by hand.")
    if settings.get("coding") == "auto":
        text += " This report stands on every automatic coding, reviewed or not."
    else:
        text += (" This report stands on the accepted, recoded and hand-made codings; pending ones are left out.")
    if low:
        text += (" The codes whose automatic codings were least often accepted: "
                 + _listing([f"{names.get(k, k)} ({round(100 * v)}%)" for k, v in low]) + ".")
    return text


def _kept(reported: int, k: Any) -> str:
    """Say why fewer themes are reported than the k fitted, so the two numbers do not seem to disagree."""
    try:
        k = int(k)
    except (TypeError, ValueError):
        return ""
    if reported >= k:
        return ""
    return (f"; {reported} of the {k} themes fitted are reported (a theme merged into another that shared its "
            "passages, or left with no sentence of its own, is not)")


def _themes_paragraph(data: Mapping[str, Any], context: Mapping[str, Any]) -> str:
    theme = data.get("extra", {}).get("theme_methods") or {}
    suggested = context.get("suggested") or []
    top = len(data["codebook"]["top_themes"])
    text = (f"Themes. The {counted(top, 'theme')} of the report are the codebook's (deductive). ")
    if not suggested:
        return text + "No further themes were suggested (too little uncoded speech)."
    mode = "the participant sentences no code touched" if theme.get("residual") else "all participant sentences"
    return text + (
        f"To find what the codebook missed, {counted(len(suggested), 'candidate theme')} were suggested from {mode} "
        f"({theme.get('units', '?')} sentences) by {str(theme.get('method', 'nmf')).upper()} over lemmatised TF-IDF "
        f"terms (vocabulary {theme.get('vocabulary_size', '?')}, seed {theme.get('seed', 0)}); k = {theme.get('k', '?')}"
        f" was chosen by {theme.get('k_chosen_by', 'the user')}{_kept(len(suggested), theme.get('k'))}. Suggested themes are prompts for reading, not "
        "findings: the researcher read their quotes and decided what became of each.")
