"""Focus groups: a participant is a participant speaker in a transcript, so a code or theme said by three
speakers of one focus group is said by three participants, and group sizes count people too."""

from __future__ import annotations

import copy
import shutil
import warnings

import pytest

from qualkit.compare import Participants, names_no_participant
from qualkit.report import ReportOptions, report_context, study_data, write_report
from qualkit.study import StudySettings, run_study
from qualkit.themes import suggest_from_files, themes_dict
from tests.conftest import FIXTURES, ROOT

FOCUS = FIXTURES / "focus_groups"
THEMES = FIXTURES / "themes" / "transcripts"


def _run(folder=FOCUS):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_study(StudySettings(transcripts=(str(folder),), attributes=str(folder / "participants.csv"),
                                       codebook=str(ROOT / "codebooks" / "sample.yaml"), n_themes=1))


@pytest.fixture(scope="module")
def result():
    return _run()


@pytest.fixture(scope="module")
def context(result):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return report_context(result)


@pytest.fixture(scope="module")
def out(result, tmp_path_factory):
    folder = tmp_path_factory.mktemp("focus") / "reports"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        write_report(result, folder)
    return folder


def _cells(rows, code_id):
    return {r["group"]: (r["participants"], r["group_size"], r["share"]) for r in rows if r["code_id"] == code_id}


def test_each_named_speaker_of_a_focus_group_is_a_participant(result):
    people = Participants.of(result.transcripts)
    assert people.people("FG1") == ("FG1: Anna", "FG1: Ben", "FG1: Carol", "FG1: Dev")  # 'All' is no one
    assert people.people("FG3") == ("FG3: P1", "FG3: P2", "FG3: P3")  # the facilitator is not a participant
    assert people.person("FG1", "All") is None and people.person("FG1", "Moderator") is None
    assert people.sizes({"FG1": "health trainer", "FG2": "link worker", "FG3": "health trainer"}) == {
        "health trainer": 7, "link worker": 3}


def test_a_code_said_by_three_speakers_of_one_focus_group_has_three_participants(result):
    # Anna (twice), Ben and Carol of FG1 talk about paperwork; Grace of FG2 does too.
    said = sorted({(s.transcript, s.speaker) for s in result.segments if s.code_id == "paperwork"})
    assert said == [("FG1", "Anna"), ("FG1", "Ben"), ("FG1", "Carol"), ("FG2", "Grace")]
    rows = result.comparison.to_dict("records")
    assert _cells(rows, "paperwork") == {"health trainer": (3, 7, 42.9), "link worker": (1, 3, 33.3)}
    assert _cells(rows, "caseload") == {"health trainer": (1, 7, 14.3), "link worker": (2, 3, 66.7)}


def test_the_group_tests_use_participants_not_transcripts(result):
    tests = result.group_tests[0]
    assert (tests["size_a"], tests["size_b"]) == (7, 3)
    row = next(r for r in tests["rows"] if r["code_id"] == "paperwork")
    assert (row["n_a"], row["size_a"], row["n_b"], row["size_b"]) == (3, 7, 1, 3)


def test_report_context_counts_people_in_codes_themes_and_groups(context):
    code = next(c for c in context["codes"] if c["id"] == "paperwork")
    assert (code["segments"], code["participants"]) == (5, 4)
    assert [(c["group"], c["participants"], c["group_size"]) for c in code["by_group"]] == [
        ("health trainer", 3, 7), ("link worker", 1, 3)]
    theme = next(t for t in context["themes"] if t["name"] == "Working conditions")
    # paperwork (Anna, Ben, Carol, Grace), caseload (Eve, Farid, P1), community-based work (Dev)
    assert (theme["segments"], theme["participants"]) == (9, 8)
    assert [(g["name"], g["size"]) for g in context["study"]["groups"]] == [("health trainer", 7), ("link worker", 3)]
    assert (context["study"]["transcripts"], context["study"]["participants"]) == (3, 10)
    assert [p["id"] for p in context["participants"]][:2] == ["FG1: Anna", "FG1: Ben"]
    assert next(p["words"] for p in context["participants"] if p["id"] == "FG1: Anna") == 31


def test_framework_and_cases_by_code_have_a_row_per_focus_group_speaker(context):
    matrix = next(m for m in context["framework"] if m["theme"] == "Working conditions")
    column = [c["id"] for c in matrix["codes"]].index("paperwork")
    counts = {row["participant"]: row["cells"][column]["segments"] for row in matrix["rows"]}
    assert {k: v for k, v in counts.items() if v} == {"FG1: Anna": 2, "FG1: Ben": 1, "FG1: Carol": 1, "FG2: Grace": 1}
    assert len(counts) == 10
    cases = context["cases_by_code"]
    rows = {row["participant"]: row for row in cases["rows"]}
    assert len(rows) == 10 and rows["FG1: Anna"]["paperwork"] == 1 and rows["FG1: Anna"]["paperwork_n"] == 2
    assert rows["FG1: Dev"]["paperwork"] == 0 and rows["FG1: Dev"]["group"] == "health trainer"


def test_the_report_says_three_of_seven_and_what_a_participant_is(out):
    thematic = (out / "thematic.md").read_text(encoding="utf-8")
    assert ("5 segments, 4 participants: health trainer 3/7 (42.9%); 4 seg.; link worker 1/3 (33.3%); 1 seg."
            in thematic)
    assert "3 focus groups with 10 participants; 313 words of participant speech" in thematic
    assert "health trainer (n=7), link worker (n=3)" in thematic
    note = ("Participants: speakers other than the interviewer, per transcript: each named speaker of a focus group "
            "is one (FG1: Anna); a chorus, an unknown voice or a transcriber (All, Unknown, Transcriber) none.")
    assert note in thematic
    appendix = (out / "appendix.md").read_text(encoding="utf-8")
    assert ("Data. 3 focus group transcripts (313 words of participant speech by 10 participants) were analysed, by "
            "group: health trainer (n=7) and link worker (n=3). " + note) in appendix
    cases = (out / "tables" / "cases_by_code.csv").read_text(encoding="utf-8").splitlines()
    assert len(cases) == 11 and cases[1].startswith("FG1: Anna,health trainer,Northfield,")


def test_pseudonyms_rename_focus_group_participants_everywhere(result, tmp_path):
    names = tmp_path / "names.csv"
    names.write_text("real,pseudonym\nAnna,Ruth\nBen,Sam\n", encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        write_report(result, tmp_path / "out", ReportOptions(pseudonyms=str(names)))
    assert not [w for w in caught if "still appears" in str(w.message)]
    cases = (tmp_path / "out" / "tables" / "cases_by_code.csv").read_text(encoding="utf-8")
    assert "FG1: Ruth," in cases and "FG1: Sam," in cases and "Anna" not in cases
    assert "Anna" not in (tmp_path / "out" / "run.json").read_text(encoding="utf-8")


def test_a_one_to_one_interview_among_focus_groups_is_one_participant_named_by_its_id(tmp_path):
    folder = tmp_path / "study"
    shutil.copytree(FOCUS, folder)
    shutil.copy(ROOT / "transcripts_sample" / "HT01.txt", folder / "HT01.txt")
    (folder / "participants.csv").write_text(
        (FOCUS / "participants.csv").read_text(encoding="utf-8") + "HT01,health trainer,Northfield\n", encoding="utf-8")
    found = _run(folder)
    assert Participants.of(found.transcripts).people("HT01") == ("HT01",)
    rows = found.comparison.to_dict("records")
    assert {r["group"]: r["group_size"] for r in rows if r["code_id"] == "paperwork"} == {
        "health trainer": 8, "link worker": 3}


def test_a_run_file_without_speakers_counts_each_transcript_once(result):
    data = copy.deepcopy(study_data(result))
    for transcript in data["transcripts"]:
        del transcript["participant_speakers"]  # written before speakers were kept
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        context = report_context(data)
    code = next(c for c in context["codes"] if c["id"] == "paperwork")
    assert code["participants"] == 2 and context["study"]["participant_note"] == ""
    assert [(g["name"], g["size"]) for g in context["study"]["groups"]] == [("health trainer", 2), ("link worker", 1)]


def test_suggested_themes_count_focus_group_speakers_and_their_group(tmp_path):
    (tmp_path / "FG9.txt").write_text(FG9, encoding="utf-8")
    for name in ("G01.txt", "G02.txt"):
        shutil.copy(THEMES / name, tmp_path / name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = suggest_from_files([tmp_path], n_themes=3, interviewer_labels=["Interviewer", "Moderator"])
    garden = next(t for t in found.themes if "garden" in t.label)
    assert [p for p in garden.participants if p.startswith("FG9")] == ["FG9: Ann", "FG9: Bob", "FG9: Cat"]
    assert dict((g, (n, size)) for g, _, n, size in garden.by_group)["gardeners"] == (3, 3)
    for theme in found.themes:  # the one-to-one interviews are one participant each, named by their id
        assert {size for g, _, _, size in theme.by_group if g == "(no value)"} == {2}
        assert set(theme.participants) <= {"FG9: Ann", "FG9: Bob", "FG9: Cat", "G01", "G02"}
        assert sum(n for _, _, n, _ in theme.by_group) == len(theme.participants)
    exported = next(t for t in themes_dict(found)["topics"] if t["id"] == garden.number)
    assert exported["participants"] == len(garden.participants)
    assert exported["by_group"][1]["participants"] == 3 and exported["by_group"][1]["group_size"] == 3


def test_the_suggested_themes_table_by_group_counts_focus_group_speakers(tmp_path):
    (tmp_path / "FG9.txt").write_text(FG9, encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = run_study(StudySettings(transcripts=(str(tmp_path),), attributes=None, n_themes=3, theme_mode="all",
                                        codebook=str(ROOT / "codebooks" / "sample.yaml")))
    assert found.themes and all(t.participants == ("FG9: Ann", "FG9: Bob", "FG9: Cat") for t in found.themes)
    rows = [(r["group"], r["participants"], r["group_size"]) for r in found.theme_comparison]
    assert rows == [("gardeners", 3, 3)] * len(found.themes)


@pytest.mark.parametrize("label,no_one", [
    ("All", True), ("Several participants", True), ("Unknown speaker", True), ("Speaker", True),
    ("[Crosstalk]", True), ("Everyone", True), ("Transcriber", True), ("Note taker", True), ("Assistant Moderator", True),
    ("Co-facilitator", True), ("Speaker 1", False),
    ("P3", False), ("Anna", False), ("Allan", False), ("Noted", False),
])
def test_a_chorus_an_unknown_voice_or_a_transcriber_is_no_participant(label, no_one):
    assert names_no_participant(label) is no_one


def test_a_transcript_with_one_participant_speaker_and_a_chorus_is_one_participant():
    people = Participants({"HT01": ("HT01", "All"), "D1": ("Participant",)})
    assert people.people("HT01") == ("HT01",) and people.person("HT01", "All") == "HT01"
    assert people.people("D1") == ("D1",) and not people.several()
    assert people.people("not read") == ("not read",)


FG9 = """---
group: gardeners
---
Moderator: Tell me about your gardens.

Ann: I grow tomatoes and beans in the garden every summer. The garden soil needs compost and water.

Bob: My allotment garden keeps me busy, I plant potatoes and beans in spring. Compost from the garden goes back on the beds.

Cat: Watering the garden in the dry summer is hard work. Weeding the vegetable beds takes my mornings in the garden.

Moderator: How do you get to the clinic?

Ann: The bus to the clinic is always late and the bus driver never waits. I wait at the bus stop for an hour.

Bob: I take the bus to the clinic but the bus is often full. The bus stop has no shelter.

Cat: When the bus is late I miss my clinic appointment. The bus timetable changed and the last bus leaves early.

Moderator: And money?

Ann: Money is tight since the benefits were cut and the rent went up. I worry about the gas bill and the rent.

Bob: The rent takes most of my money and the benefits barely cover the bills.

Cat: I had to borrow money to pay the gas bill last winter. My benefits were sanctioned and the rent fell behind.
"""
