"""Labels, quotes and sizes of suggested themes: what a researcher would keep, on small fixtures."""

from __future__ import annotations

import re

import pytest

from qualkit.attributes import join_attributes, read_attributes
from qualkit.codebook import Codebook
from qualkit.coding import Coder, build_pipeline
from qualkit.readers import ReadOptions, read_transcripts
from qualkit.themes import ThemeSuggester, pipeline_lemmatiser, suggest_themes
from qualkit.themes.quotes import is_whole_sentence, quotable, spoken_words
from qualkit.themes.model import INTERVIEW_STOP_WORDS
from tests.conftest import FIXTURES

LABELS = FIXTURES / "themes" / "labels"
ROLE_WORDS = {"link", "worker", "workers", "health", "trainer", "trainers", "sarah", "tom", "priya", "dev",
              "interviewer", "participant"}


@pytest.fixture(scope="module")
def study():
    transcripts = read_transcripts([LABELS / "transcripts"], ReadOptions(interviewer_labels=("Interviewer",)))
    transcripts = join_attributes(transcripts, read_attributes(LABELS / "participants.csv"))
    nlp = build_pipeline()
    units: list = []
    list(Coder(Codebook("none", "0", ()), nlp).code(transcripts, units))
    return transcripts, units, pipeline_lemmatiser(nlp)


@pytest.fixture(scope="module", params=[4, 5])
def found(request, study):
    transcripts, units, lemmatise = study
    return suggest_themes(units, transcripts, n_themes=request.param, lemmatise=lemmatise)


def test_the_fixture_would_give_a_redaction_theme_and_role_labels_without_the_rules(study):
    _, units, lemmatise = study
    plain = ThemeSuggester(5, min_df=1).fit(lemmatise([u.text for u in units]))
    firsts = {terms[0][0] for terms in plain.terms_}
    assert "xxxx" in firsts and {"link", "health"} & firsts


def test_a_theme_built_from_redaction_marks_is_dropped(found):
    for theme in found.themes:
        assert "xxxx" not in theme.label.lower()
        assert not any("xxxx" in term.lower() for term, _ in theme.terms)
        for quote in theme.quotes:
            assert "XXXX" not in quote.text
    assert any("mostly fillers and marks" in d or "no quote" in d for d in found.methods["dropped"])


def test_a_role_or_speaker_name_is_never_a_label(found):
    assert found.themes
    for theme in found.themes:
        assert not set(re.findall(r"[a-z]+", theme.label.lower())) & ROLE_WORDS, theme.label
        assert not any(set(term.lower().split()) & ROLE_WORDS for term, _ in theme.terms), theme.terms


def test_quotes_are_whole_sentences_of_eight_words_from_different_participants(found, study):
    transcripts = {t.id: t for t in study[0]}
    assert found.themes
    for theme in found.themes:
        assert theme.quotes
        speakers = [(q.transcript, q.speaker) for q in theme.quotes]
        assert len(set(speakers)) == len(speakers)
        for quote in theme.quotes:
            assert transcripts[quote.transcript].text[quote.start:quote.end] == quote.text
            assert len(quote.text.split()) >= 8 and quote.text[0].isupper() and quote.text.endswith(".")


def test_each_quote_uses_its_themes_words_and_the_label_comes_from_them(found):
    assert found.themes
    for theme in found.themes:
        terms = [term for term, _ in theme.terms]
        for quote in theme.quotes:
            assert any(term in quote.text.lower() for term in terms), (theme.label, quote.text)
        first_word = theme.label.split(" and ")[0].split()[0]
        assert any(first_word in q.text.lower() for q in theme.quotes), theme.label


def test_a_theme_says_its_sentences_and_participants_by_group(found):
    theme = next(t for t in found.themes if "allotment" in t.label)
    assert [row[0] for row in theme.by_group] == ["health trainers", "link workers"]
    assert sum(row[1] for row in theme.by_group) == theme.units
    assert sum(row[2] for row in theme.by_group) == len(theme.participants)
    assert all(row[3] == 2 for row in theme.by_group)


@pytest.mark.parametrize(("text", "ok"), [
    ("I grow tomatoes and beans on the allotment every summer.", True),
    ("XXXX XXXX XXXX, yeah, XXXX and XXXX and XXXX XXXX.", False),
    ("Yeah, um, you know, like, it was, it was really, kind of, yeah.", False),
    ("[laughs] I spoke to XXXX at XXXX about the bus.", False),
    ("and then the bus driver never waits for anyone at the stop,", False),
    ("The bus timetable changed and now the last bus leaves too -", False),
    ("I live with her and my brother, but he works nights, so.", False),
    ("The nurse asked whether the new tablets helped my sugars, and I said I think so.", True),
])
def test_only_whole_spoken_sentences_of_eight_words_are_quotable(text, ok):
    assert quotable(text, INTERVIEW_STOP_WORDS) is ok


def test_transcribers_notes_and_redactions_are_not_spoken_words():
    assert spoken_words("[laughs] I told XXXX (The participant reads the task) about it") == ["I", "told", "about", "it"]
    assert is_whole_sentence("(Reads the task) So I would pick Dublin.")


def labeller_of(study, texts):
    """A labeller of these sentences, lemmatised as the study's pipeline does."""
    from qualkit.themes.labels import Labeller

    return Labeller(texts, study[2], INTERVIEW_STOP_WORDS)


def test_labels_and_terms_use_the_words_participants_said_not_lemmas(study):
    _, _, lemmatise = study
    assert lemmatise(["I can't breathe and won't go"]) == ["i can breathe and will go"]
    texts = ["The data provenance was clear to me here.", "I liked the data provenance tab a lot.",
             "Data provenance is what I would check first.", "The bus was late again today.",
             "The bus driver never waits at all.", "My garden needs water."]
    labeller = labeller_of(study, texts)
    assert labeller.label([0, 1, 2]) == "data provenance"
    assert labeller.term("datum provenance") == "data provenance"


OTHER_TALK = ["The bus was late again today.", "My garden needs water every day.", "The bus driver never waits.",
              "Tomatoes grow well in my garden."]


def test_a_describing_word_never_names_a_theme(study):
    # "useful" is said in every sentence of the theme, more than "clusters", but names nothing.
    texts = ["The clusters were really useful for this model.", "I found it useful when I looked closely.",
             "Clusters are useful and quick to read.", "Highlighting was useful too, and the clusters.",
             "It was useful to me, honestly, very useful."] + OTHER_TALK
    label = labeller_of(study, texts).label(range(5))
    assert label == "clusters"


def test_a_word_said_to_describe_never_names_a_theme_whatever_else_it_can_be(study):
    # "bad" is also a noun in WordNet, but this study says it to describe (so bad, really bad, was bad).
    texts = ["The winter was so bad after my husband died.", "It got really bad with the prescriptions.",
             "Losing him was bad, the prescriptions worse.", "My chest was bad and the prescriptions ran out.",
             "It is that bad some weeks, honestly."] + OTHER_TALK
    labeller = labeller_of(study, texts)
    assert labeller.is_describing(("bad",)) and not labeller.is_describing(("prescription",))
    assert labeller.label(range(5)) == "prescriptions"


def test_feeling_a_describing_word_names_a_state(study):
    # "lonely" only describes, but "feel lonely" names what the theme is about.
    texts = ["I feel lonely most evenings now.", "Some days I feel lonely even with people around.",
             "You feel lonely when the phone never rings.", "I still feel lonely, if I'm honest.",
             "Feel lonely? All the time."] + OTHER_TALK
    assert labeller_of(study, texts).label(range(5)) == "feeling lonely"


def test_two_words_said_side_by_side_are_labelled_as_their_phrase(study):
    texts = ["Feature interactions matter a lot in this model.", "I looked for interactions with each feature first.",
             "The feature interactions were hard to see.", "Interactions of every feature showed in the plot."] + OTHER_TALK
    assert labeller_of(study, texts).label(range(4)) == "feature interactions"


def test_a_second_term_joins_the_label_only_when_said_with_the_first(study):
    together = ["The heat map was clear, the polar plot less so.", "I read the heat map before the polar plot.",
                "A polar plot and a heat map side by side helped.", "The heat map colours and the polar plot axes."]
    apart = ["The heat map was clear to me.", "I read the heat map first.", "A polar plot helped me here.",
             "The polar plot axes confused me."]
    assert labeller_of(study, together + OTHER_TALK).label(range(4)) in (
        "heat map and polar plot", "polar plot and heat map")
    assert " and " not in labeller_of(study, apart + OTHER_TALK).label(range(4))


def test_the_theme_size_chart_counts_one_unit_for_codebook_and_suggested_themes():
    from qualkit.report.charts import theme_sizes

    context = {"study": {"transcripts": 12},
               "themes": [{"name": "Working conditions", "segments": 40, "participants": 9}],
               "suggested": [{"number": 1, "label": "allotment", "units": 120, "participants": 5}]}
    ax = theme_sizes(context).axes[0]
    assert [bar.get_width() for bar in ax.patches] == [9, 5]
    assert ax.get_xlabel().startswith("participants (of 12)") and "segments" not in ax.get_xlabel()


def test_a_word_said_as_an_action_never_names_a_theme(study):
    # "help" is in every sentence of the theme, more than "allotment", but always as what someone does.
    texts = ["I help them dig the allotment on Sundays.", "We help each other out whenever we can.",
             "She can help with the allotment paperwork.", "They always help, to be fair, every week.",
             "I want to help at the allotment more."] + OTHER_TALK
    labeller = labeller_of(study, texts)
    assert labeller.is_action(("help",)) and not labeller.is_action(("allotment",))
    assert labeller.label(range(5)) == "allotment"
    # a theme whose sentences share nothing but the verb is named by it rather than lost
    assert labeller.label([1, 3]) == "help"


def test_a_verb_said_as_a_thing_is_labelled_in_that_form(study):
    # "breathe" is said more often, but "breathing" is what is talked about (the breathing, your breathing).
    texts = ["Breathe in slowly, then hum it out.", "Your breathing gets better with the singing.",
             "Just breathe and relax, she says, every week.", "The breathing is the whole point of it.",
             "Stand up straight and breathe from the belly."] + OTHER_TALK
    assert labeller_of(study, texts).label(range(5)) == "breathing"


def test_a_date_or_a_number_never_names_a_theme(study):
    # "March" is said in every sentence of the theme, "contract" in three: the theme is the contract.
    texts = ["My contract ends in March again this year.", "In March we never know who stays on.",
             "The new contract came on the last day of March.", "Every March the contract goes out again.",
             "March is when the funding stops."] + OTHER_TALK
    label = labeller_of(study, texts).label(range(5))
    assert label == "contract"


def test_the_first_quote_says_the_label(found, study):
    lemmatise = study[2]
    assert found.themes
    for theme in found.themes:
        heads = [lemmatise([part.split()[-1]])[0] for part in theme.label.split(" and ")]
        first = set(lemmatise([theme.quotes[0].text])[0].split())
        assert set(heads) & first, (theme.label, theme.quotes[0].text)


def test_quotes_saying_the_label_lead_in_their_order_otherwise():
    from qualkit.themes.quotes import label_first
    assert label_first(["a", "b", "c", "d"], [0, 1, 0, 2]) == ["d", "b", "a", "c"]
    # "Uh, I think, uh, the influence of of feature interactions was, uh, small" says all of the label, but
    # halting; a fluent quote saying its head word leads.
    assert label_first(["halting", "fluent", "other"], [4, 2, 0], [4, 0, 0]) == ["fluent", "halting", "other"]


@pytest.mark.parametrize(("text", "count"), [
    ("So additional capabilities I would like to see.", 1),
    ("Uh, the influence of of feature interactions was, uh, small.", 3),
    ("But but if it's like, especially in a data set.", 2),
])
def test_fillers_and_words_said_twice_running_are_hesitations(text, count):
    from qualkit.themes.quotes import hesitations
    assert hesitations(text.lower().replace(",", " ").split()) == count


def test_a_sentence_says_a_label_by_its_head_word_and_more_by_all_of_it(study):
    texts = ["Feature interactions matter a lot in this model.", "We look for non-linear interactions first.",
             "The feature list was long."] + OTHER_TALK
    labeller = labeller_of(study, texts)
    phrase = ("feature", "interaction")
    assert [labeller.holds(i, [phrase]) for i in range(3)] == [2, 1, 0]


def test_a_word_of_a_set_phrase_of_talk_never_names_a_theme(study):
    # "moment" is in every sentence, but only in "at the moment": the sample's "I feel" theme had that label.
    texts = ["At the moment the carers come twice a day.", "The carers are stretched at the moment, honestly.",
             "I rely on the carers at the moment for everything.", "At the moment my carers change every week.",
             "What can you do at the moment, nothing."] + OTHER_TALK
    labeller = labeller_of(study, texts)
    assert labeller.label(range(5)) == "carers"
    assert ("moment",) not in labeller.counts(range(5))
    # Outside the phrase the word is a word like any other.
    assert ("course",) in labeller_of(study, ["Of course I finished the course of tablets."]).counts([0])
