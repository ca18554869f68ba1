"""The identifiers check reads suggested themes' labels and terms too: shown in lower case (``nadia``), a
label or term is listed when one of its words is a name by the quotes' rule (written with a capital inside a
sentence, never in lower case, no acronym, no known value); nothing in the themes is changed."""

from __future__ import annotations

import copy
import warnings

import pytest

from qualkit.report import ReportOptions, report_context
from qualkit.report.identifiers import identifiers_warning, theme_identifiers, word_cases

CODED = [
    ("HT01", 1, "I rang the council about the damp and they said no."),
    ("HT01", 3, "My neighbour said Nadia from the NHS helpline would ring back about the damp."),
]
THEME_SENTENCES = [
    ("HT02", 2, "The Council was no help at all, but Nadia was lovely."),
    ("HT02", 4, "I still talk to Nadia every week."),
]


def _segment(tid: str, turn: int, text: str, code_id: str = "") -> dict:
    start = 100 * turn
    return {"transcript": tid, "speaker": "Participant", "role": "participant", "turn": turn, "unit": "sentence",
            "code_id": code_id, "code_path": "Housing" if code_id else "", "start": start, "end": start + len(text),
            "text": text, "coder": "auto", "matches": [{"start": text.index("damp"), "end": text.index("damp") + 4,
                                                         "text": "damp", "pattern": "damp"}] if code_id else []}


@pytest.fixture
def data() -> dict:
    """A small run: two transcripts (site Northfield), one code with two coded passages, one suggested theme
    whose label and terms hold a name (nadia), common words (council, damp), an acronym (nhs) and a site."""
    return {
        "format": "qualkit-run", "version": 1, "pseudonymised": False,
        "settings": {"group_by": "group", "quotes_per_code": 3}, "methods": {}, "warnings": [],
        "codebook": {"name": "Housing study", "version": "1", "description": "",
                     "themes": [{"name": "Home", "path": ["Home"], "description": ""}], "top_themes": ["Home"],
                     "codes": [{"id": "housing", "name": "Housing", "path": "Home > Housing",
                                "path_parts": ["Home", "Housing"], "theme": "Home", "depth": 1, "definition": "",
                                "include": "", "exclude": "", "examples": [], "colour": "#888888",
                                "patterns": ["damp"], "pattern_kinds": ["phrase"]}]},
        "transcripts": [{"id": tid, "attributes": {"group": "tenant", "site": "Northfield"}, "participant_words": 40,
                         "participant_speakers": [{"speaker": "Participant", "words": 40}], "timestamps": {}}
                        for tid in ("HT01", "HT02")],
        "segments": [_segment(tid, turn, text, "housing") for tid, turn, text in CODED],
        "reviewed": False, "units": 4,
        "suggested": [{"number": 1, "label": "talking to nadia", "units": 2, "participants": ["HT02"],
                       "by_group": [{"group": "tenant", "units": 2, "participants": 1, "group_size": 2}],
                       "terms": [{"term": term, "weight": 0.5} for term in ("nadia", "council", "nhs", "northfield", "week")],
                       "quotes": [_segment(tid, turn, text) for tid, turn, text in THEME_SENTENCES]}],
        "comparison": [], "set_aside": [], "tables": {}, "extra": {},
    }


def _context(data: dict, options: ReportOptions = ReportOptions()) -> tuple[dict, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        context = report_context(data, options)
    return context, [str(w.message) for w in caught if "may identify" in str(w.message)]


def test_a_theme_term_and_label_holding_a_name_are_listed_in_the_one_warning(data):
    """Nadia is only ever written with a capital inside a sentence: the label and the term holding her name are
    listed after the quotes' names; council (written lower case), nhs (an acronym), northfield (a site every
    reader sees) and week are not."""
    context, said = _context(data)
    assert said == ["the report's quotes hold 1 capitalised name that may identify someone or somewhere and that no "
                    "pseudonyms file maps: 'Nadia' (3 quotes, first HT01, turn 4, chars 300–377); suggested themes' "
                    "labels and terms hold 2 more: 'talking to nadia' (theme 1's label); 'nadia' (theme 1's terms); "
                    "check them before sharing the report, and map those that identify with --pseudonyms FILE"]
    assert [(n["name"], n["source"]) for n in context["identifiers"]] == [
        ("Nadia", "quotes"), ("talking to nadia", "themes"), ("nadia", "themes")]
    assert context["suggested"][0]["label"] == "talking to nadia"  # shown as it is: the researcher decides
    assert [t["term"] for t in context["suggested"][0]["terms"]] == ["nadia", "council", "nhs", "northfield", "week"]


def test_a_theme_name_is_read_from_all_the_participant_text_the_run_holds(data):
    """With no coded passage naming her, Nadia is still known as a name from the theme's own sentences; once
    a participant writes 'nadia' in lower case anywhere, it is a common word, in the themes as in the quotes."""
    data["segments"] = data["segments"][:1]
    context, said = _context(data)
    assert [(n["name"], n["first"]) for n in context["identifiers"] if n["source"] == "themes"] == [
        ("talking to nadia", "theme 1's label"), ("nadia", "theme 1's terms")]
    lower = copy.deepcopy(data)
    lower["suggested"][0]["quotes"][1]["text"] = "I still talk to nadia every week."
    context, said = _context(lower)
    assert (context["identifiers"], said) == ([], [])


def test_a_theme_name_only_in_sentences_the_run_does_not_keep_is_read_from_the_runs_word_cases(data):
    """A run keeps a theme's quotes, not all its sentences: when no kept passage names Nadia, how the whole study
    writes the theme's words (kept as word cases, not text) still tells that she is only ever a name."""
    data["segments"] = data["segments"][:1]
    for quote in data["suggested"][0]["quotes"]:
        quote["text"] = quote["full_text"] = "We talked about the damp and the council every week."
    assert [n for n in _context(data)[0]["identifiers"] if n["source"] == "themes"] == []  # nothing kept names her
    study = [text for _, _, text in CODED + THEME_SENTENCES] + ["Then Nadia's sister came round, and the NHS rang."]
    words = ["talking", "to", "nadia", "council", "nhs", "northfield", "week"]
    data["theme_words"] = word_cases(study, words)
    assert {c["word"]: (c["lower"], c["capitalised"]) for c in data["theme_words"]} == {
        "council": (1, ["Council"]), "nadia": (0, ["Nadia", "Nadia's"]), "nhs": (0, ["NHS"]), "to": (1, []),
        "week": (1, [])}
    context, said = _context(data)
    assert [(n["name"], n["first"]) for n in context["identifiers"] if n["source"] == "themes"] == [
        ("talking to nadia", "theme 1's label"), ("nadia", "theme 1's terms")]
    data["theme_words"] = word_cases(study + ["I said to nadia, no."], words)
    assert [n for n in _context(data)[0]["identifiers"] if n["source"] == "themes"] == []


def test_a_warning_on_themes_alone_says_what_it_lists():
    names = [{"name": "nadia", "quotes": 0, "first": "theme 1's terms", "where": "theme 1's terms", "source": "themes"}]
    assert identifiers_warning(names) == (
        "the report's suggested themes' labels and terms hold 1 word that the study writes only as a name, that may "
        "identify someone or somewhere and that no pseudonyms file maps: 'nadia' (theme 1's terms); check them "
        "before sharing the report, and map those that identify with --pseudonyms FILE")


def test_a_word_only_opening_sentences_or_a_mapped_name_is_not_listed():
    sentences = ["Nadia rang. Nadia came round.", "Then Mill Lane was closed."]
    themes = [{"number": 2, "label": "mill lane", "terms": [{"term": "nadia"}, {"term": "amina"}, {"term": "lane"}]}]
    assert [n["name"] for n in theme_identifiers(themes, sentences, known=[])] == ["mill lane", "lane"]
    assert theme_identifiers(themes, sentences, known=["Mill", "Lane"]) == []


def test_the_warning_lists_at_most_eight_theme_findings_and_says_how_many_more():
    names = [{"name": f"name{i}", "quotes": 0, "first": "theme 1's terms", "where": "theme 1's terms",
              "source": "themes"} for i in range(10)]
    message = identifiers_warning(names)
    assert message is not None and "hold 10 words" in message
    assert "'name7' (theme 1's terms); and 2 more; check them" in message and "'name8'" not in message
