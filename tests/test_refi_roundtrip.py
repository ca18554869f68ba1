"""Round trips that other tools must survive: several coders, emoji, repeated code names, attributes,
dates, UTF-16 positions for NVivo, and a real reader (qdapy) reading qualkit's export."""

from __future__ import annotations

import dataclasses
import warnings
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from qualkit.refi import build_project, coding_key, export_project, read_project
from qualkit.refi.schema import PROJECT_NS, schema
from qualkit.segments import CodedSegment
from qualkit.study import StudySettings, load_study
from tests.conftest import FIXTURES

TEAM = FIXTURES / "refi" / "team"
NS = {"q": PROJECT_NS}
WHEN = "2026-03-04T05:06:07Z"
# Each: transcript, words coded, code id, coder, date (None: the export's time).
CODINGS = [
    ("T01", "Busy 😅 every day", "workload", "Ana Núñez", "2026-01-10T09:00:00Z"),
    ("T01", "Busy 😅 every day", "workload", "李雷", "2026-01-11T10:30:00+01:00"),  # same passage, same code
    ("T01", "the team is small", "other-staff", "Ana Núñez", None),
    ("T01", "a flat 🏠 first", "housing", "auto", None),
    ("T01", "a bus pass", "other-client", "李雷", "2026-02-01T00:00:00Z"),
    ("T02", "My flat is cold 🥶", "housing", "Ana Núñez", "2026-01-12T08:00:00Z"),
    ("T02", "the bus 🚌 never comes", "other-client", "李雷", "2026-01-12T08:05:00Z"),
    ("T02", "busy", "workload", "auto", None),
]


@pytest.fixture(scope="module")
def team():
    """The team study: transcripts with attributes, codebook, codings and their dates."""
    settings = StudySettings(transcripts=(str(TEAM / "transcripts"),), attributes=str(TEAM / "participants.csv"),
                             codebook=str(TEAM / "codebook.yaml"))
    transcripts, codebook, _ = load_study(settings)
    by_id = {t.id: t for t in transcripts}
    segments, created = [], {}
    for tid, words, code_id, coder, when in CODINGS:
        t = by_id[tid]
        start = t.text.index(words)
        turn = next(x for x in t.turns if x.start <= start < x.end)
        s = CodedSegment(tid, turn.speaker, turn.role, turn.index, code_id, codebook.code(code_id).path_label,
                         start, start + len(words), words, coder=coder, unit="selection")
        segments.append(s)
        if when:
            created[coding_key(tid, s.start, s.end, code_id, coder)] = when
    return transcripts, codebook, segments, created


def export(team, path: Path, **options) -> tuple[Path, list[str]]:
    transcripts, codebook, segments, created = team
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        export_project(path, transcripts, codebook, segments, {"created": WHEN}, created=created, **options)
    return path, [str(w.message) for w in caught]


def project_xml(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read("project.qde"))


def path_of(codebook, code_id: str) -> str:
    return "/".join(codebook.code(code_id).path)


def test_qdapy_reads_every_coding_with_its_coder_code_path_and_text(team, tmp_path):
    qdpx = pytest.importorskip("qdapy.qdpx", reason="qdapy (a REFI-QDA reader on PyPI) is not installed")
    transcripts, codebook, segments, _ = team
    path, _ = export(team, tmp_path / "team.qdpx")
    project = qdpx.read_qdpx(path, warn=False)
    seen = sorted(zip(project.fragments["title"], project.fragments["code"], project.fragments["codedBy"],
                      project.fragments["text"]))
    renamed = {"other-client": "Client needs/Other (Client needs)", "other-staff": "Staff/Other (Staff)"}
    wanted = sorted((t, renamed.get(c, path_of(codebook, c)), "qualkit (auto)" if u == "auto" else u, w)
                    for t, w, c, u, _ in CODINGS)
    assert seen == wanted
    assert project.coders == ["Ana Núñez", "qualkit (auto)", "李雷"]
    dates = dict(zip(zip(project.fragments["text"], project.fragments["codedBy"]), project.fragments["codedAt"]))
    assert dates[("Busy 😅 every day", "李雷")] == "2026-01-11T10:30:00+01:00"
    assert dates[("the team is small", "Ana Núñez")] == WHEN
    # qdapy has no place for attributes (it counts them as skipped); they are on cases and on sources.
    assert project.skipped == {"Cases": 2, "Variables": 5}


def test_attributes_travel_on_cases_and_on_sources(team, tmp_path):
    path, _ = export(team, tmp_path / "team.qdpx")
    root = project_xml(path)
    names = {v.get("guid"): v.get("name") for v in root.iterfind(".//q:Variable", NS)}

    def values(holder):
        return {names[v.find("q:VariableRef", NS).get("targetGUID")]: v[1].text
                for v in holder.iterfind("q:VariableValue", NS)}

    expected = {"T01": {"group": "link worker", "site": "Northfield", "age": "34", "consent": "true", "joined": "2021-03-01"},
                "T02": {"group": "service user", "site": "Süd 🏠", "age": "71", "consent": "false", "joined": "2020-11-15"}}
    assert {s.get("name"): values(s) for s in root.iterfind(".//q:TextSource", NS)} == expected
    assert {c.get("name"): values(c) for c in root.iterfind(".//q:Case", NS)} == expected


def test_one_selection_per_coding_each_with_its_coder_and_date(team, tmp_path):
    path, _ = export(team, tmp_path / "team.qdpx")
    root = project_xml(path)
    users = {u.get("guid"): u.get("name") for u in root.iterfind(".//q:User", NS)}
    found = []
    for selection in root.iterfind(".//q:PlainTextSelection", NS):
        (coding,) = selection.findall("q:Coding", NS)
        assert coding.get("creatingUser") == selection.get("creatingUser")
        assert coding.get("creationDateTime") == selection.get("creationDateTime")
        found.append((users[selection.get("creatingUser")], selection.get("creationDateTime")))
    assert sorted(found) == sorted(("qualkit (auto)" if u == "auto" else u, when or WHEN) for *_, u, when in CODINGS)
    assert root.get("creationDateTime") == WHEN
    assert {s.get("creationDateTime") for s in root.iterfind(".//q:TextSource", NS)} == {WHEN}


def test_repeated_code_names_are_made_unique_and_said(team, tmp_path):
    path, said = export(team, tmp_path / "team.qdpx")
    assert said[0] == ("2 code names are used more than once in the codebook; exported with their parent added so "
                       "other tools keep them apart (e.g. 'Other (Client needs)'); qualkit reads the old names back")
    names = [c.get("name") for c in project_xml(path).iterfind(".//q:Code", NS)]
    assert names == ["Client needs", "Housing", "Other (Client needs)", "Staff", "Workload", "Other (Staff)"]


def test_qualkit_reads_its_own_export_exactly(team, tmp_path):
    transcripts, codebook, segments, created = team
    path, _ = export(team, tmp_path / "team.qdpx")
    project = read_project(path)
    key = lambda s: (s.transcript, s.start, s.end, s.code_id, s.code_path, s.text, s.coder, s.speaker, s.turn)  # noqa: E731
    assert sorted(map(key, project.segments)) == sorted(map(key, segments))
    assert [c.name for c in project.codebook.codes] == ["Housing", "Other", "Workload", "Other"]
    assert [(t.id, t.text, t.turns) for t in project.transcripts] == [(t.id, t.text, t.turns) for t in transcripts]
    assert project.attributes == {t.id: dict(t.attributes) for t in transcripts}
    dates = {k: v.get("created") for k, v in project.ids.codings.items()}
    assert dates == {coding_key(s.transcript, s.start, s.end, s.code_id, s.coder):
                     created.get(coding_key(s.transcript, s.start, s.end, s.code_id, s.coder), WHEN) for s in segments}
    assert project.notes == ()


@pytest.mark.parametrize("positions", ["characters", "utf16"])
def test_every_export_follows_the_schema(team, positions):
    transcripts, codebook, segments, created = team
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        root, _ = build_project(transcripts, codebook, segments, created=created, positions=positions)
    assert schema(PROJECT_NS).validate(etree.fromstring(etree.tostring(root)).getroottree())


def test_utf16_positions_for_nvivo(team, tmp_path):
    path, said = export(team, tmp_path / "nvivo.qdpx", positions="utf16")
    root = project_xml(path)
    texts = {t.id: t.text for t in team[0]}
    for selection in root.iterfind(".//q:PlainTextSelection", NS):
        units = texts[selection.getparent().get("name")].encode("utf-16-le")
        a, b = int(selection.get("startPosition")), int(selection.get("endPosition"))
        assert units[2 * a:2 * b].decode("utf-16-le") in {w for _, w, *_ in CODINGS}
    assert "Positions (startPosition, endPosition) count UTF-16 code units, as NVivo counts them" in \
        root.findtext("q:Description", namespaces=NS)
    assert said[-1] == ("2 transcripts hold emoji or other characters beyond U+FFFF (T01, T02): positions are written "
                        "as UTF-16 code units for NVivo; a tool that follows the standard (characters) will place "
                        "codings after them too late")
    back = read_project(path)
    assert sorted((s.transcript, s.text) for s in back.segments) == sorted((t, w) for t, w, *_ in CODINGS)


def test_default_positions_are_characters_and_nvivo_is_warned_about(team, tmp_path):
    path, said = export(team, tmp_path / "std.qdpx")
    assert said[-1] == ("2 transcripts hold emoji or other characters beyond U+FFFF (T01, T02): positions are Unicode "
                        "characters as the standard says; NVivo counts UTF-16 units and will shift codings after them "
                        "(export with --for nvivo for NVivo)")
    assert "count Unicode characters (code points), as the REFI-QDA standard says." in \
        project_xml(path).findtext("q:Description", namespaces=NS)


def test_no_astral_characters_no_warning(tmp_path):
    transcripts, codebook, _ = load_study(StudySettings(
        transcripts=(str(FIXTURES / "study" / "transcripts"),), attributes=str(FIXTURES / "study" / "participants.csv"),
        codebook=str(FIXTURES / "study" / "codebook.yaml")))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        build_project(transcripts, codebook, [], positions="utf16")


def test_reexport_of_an_import_keeps_guids_and_dates(team, tmp_path):
    path, _ = export(team, tmp_path / "first.qdpx")
    project = read_project(path)
    again, _ = export((list(project.transcripts), project.codebook, list(project.segments), {}), tmp_path / "again.qdpx",
                      ids=project.ids)
    first, second = project_xml(path), project_xml(again)
    for kind in ("Code", "TextSource", "User", "PlainTextSelection", "Coding", "Case", "Variable"):
        assert sorted(e.get("guid") for e in first.iterfind(f".//q:{kind}", NS)) == \
            sorted(e.get("guid") for e in second.iterfind(f".//q:{kind}", NS)), kind
    dates = lambda r: sorted(e.get("creationDateTime") for e in r.iterfind(".//q:Coding", NS))  # noqa: E731
    assert dates(first) == dates(second)


@pytest.mark.filterwarnings("ignore:.*(beyond U\\+FFFF|used more than once)")
def test_a_date_that_is_not_an_iso_date_time_is_replaced_and_said(team):
    transcripts, codebook, segments, created = team
    first = segments[0]
    odd = {**created, coding_key(first.transcript, first.start, first.end, first.code_id, first.coder): "10/01/2026 09:00"}
    with pytest.warns(UserWarning, match=r"^1 coding dates are not ISO date-times \(e\.g\. '10/01/2026 09:00'\); those "
                      r"codings are dated by the export's time \(2026-03-04T05:06:07Z\)$"):
        root, _ = build_project(transcripts, codebook, segments, {"created": WHEN}, created=odd)
    assert schema(PROJECT_NS).validate(etree.fromstring(etree.tostring(root)).getroottree())
