"""A focus group exported to REFI-QDA is one case per participant speaker, holding the selections of that
speaker's turns and the group's attributes; a one-to-one interview stays one case naming its source."""

from __future__ import annotations

import json
import warnings
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from qualkit.cli import main
from qualkit.refi import export_project
from qualkit.refi.schema import PROJECT_NS, schema
from qualkit.study import StudySettings, load_study
from tests.conftest import FIXTURES, ROOT

FOCUS = FIXTURES / "refi" / "focus"
NS = {"q": PROJECT_NS}


@pytest.fixture(scope="module")
def study():
    settings = StudySettings(transcripts=(str(FOCUS / "transcripts"),), attributes=str(FOCUS / "participants.csv"),
                             codebook=str(ROOT / "codebooks" / "sample.yaml"))
    transcripts, codebook, _ = load_study(settings)
    return {t.id: t for t in transcripts}, codebook


def exported(study, path: Path, **options) -> tuple[etree._Element, dict[str, str], list[str]]:
    """Export the study without codings; return the project, each source's text by its GUID, and the warnings."""
    transcripts, codebook = study
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        export_project(path, list(transcripts.values()), codebook, [], {"created": "2026-01-01T00:00:00Z"}, **options)
    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read("project.qde"))
        texts = {s.get("guid"): archive.read(f"sources/{s.get('guid')}.txt").decode("utf-8")
                 for s in root.iterfind(".//q:TextSource", NS)}
    return root, texts, [str(w.message) for w in caught]


def case_contents(root: etree._Element, texts: dict[str, str]) -> dict[str, dict]:
    """Per case: its source names, the text of each selection it refers to, and its attribute values."""
    selections = {sel.get("guid"): (src, sel) for src in root.iterfind(".//q:TextSource", NS)
                  for sel in src.iterfind("q:PlainTextSelection", NS)}
    sources = {s.get("guid"): s.get("name") for s in root.iterfind(".//q:TextSource", NS)}
    variables = {v.get("guid"): v.get("name") for v in root.iterfind(".//q:Variable", NS)}
    found = {}
    for case in root.iterfind(".//q:Case", NS):
        said = []
        for ref in case.iterfind("q:SelectionRef", NS):
            src, sel = selections[ref.get("targetGUID")]
            said.append(texts[src.get("guid")][int(sel.get("startPosition")):int(sel.get("endPosition"))])
        found[case.get("name")] = {
            "sources": [sources[r.get("targetGUID")] for r in case.iterfind("q:SourceRef", NS)], "said": said,
            "values": {variables[v.find("q:VariableRef", NS).get("targetGUID")]: v[1].text
                       for v in case.iterfind("q:VariableValue", NS)}}
    return found


def test_each_participant_speaker_of_a_focus_group_is_a_case_of_their_own_turns(study, tmp_path):
    root, texts, caught = exported(study, tmp_path / "focus.qdpx")
    cases = case_contents(root, texts)
    group = {"group": "walkers", "site": "Northfield", "sessions": "12"}
    assert cases == {
        "FG: Asha": {"sources": [], "values": group, "said": [
            "The walking, mostly. I feel better 🙂 after a morning out.", "The people. We have coffee after, every week."]},
        "FG: Bram": {"sources": [], "values": group, "said": [
            "For me it was my GP. She said I needed company as much as exercise.",
            "Same, and the leader remembers everyone's name."]},
        "FG: Cleo": {"sources": [], "values": group, "said": ["I come for the routine. Without it my week has no shape."]},
        "I01": {"sources": ["I01"], "said": [], "values": {"group": "walker", "site": "Riverside", "sessions": "3"}},
    }
    assert "1 focus group exported with one case per participant speaker, each case holding the selections of that " \
           "speaker's turns (FG: 3 (Asha, Bram, Cleo))" in caught
    assert schema(PROJECT_NS).validate(root.getroottree()), schema(PROJECT_NS).error_log


def test_the_turn_selections_count_utf16_units_for_nvivo(study, tmp_path):
    root, texts, _ = exported(study, tmp_path / "nvivo.qdpx", positions="utf16")
    source = next(s for s in root.iterfind(".//q:TextSource", NS) if s.get("name") == "FG")
    text = texts[source.get("guid")].encode("utf-16-le")
    turns = {sel.get("name"): text[2 * int(sel.get("startPosition")):2 * int(sel.get("endPosition"))].decode("utf-16-le")
             for sel in source.iterfind("q:PlainTextSelection", NS)}
    assert turns["FG: Asha, turn 6"] == "The people. We have coffee after, every week."  # after the 🙂 (two units)
    assert sorted(turns) == ["FG: Asha, turn 2", "FG: Asha, turn 6", "FG: Bram, turn 3", "FG: Bram, turn 8",
                             "FG: Cleo, turn 7"]


def test_one_to_one_interviews_export_exactly_as_before(study, tmp_path):
    transcripts, codebook = study
    root, _, caught = exported(({"I01": transcripts["I01"]}, codebook), tmp_path / "one.qdpx")
    (case,) = root.iterfind(".//q:Case", NS)
    assert [etree.QName(e).localname for e in case] == ["VariableValue"] * 3 + ["SourceRef"]
    assert case.get("name") == "I01"
    assert not root.findall(".//q:PlainTextSelection", NS)
    assert not any("focus group" in c for c in caught)


def test_qualkit_reads_its_focus_group_cases_back_and_keeps_their_guids(tmp_path):
    runner = CliRunner()
    first, again, out = tmp_path / "first.qdpx", tmp_path / "again.qdpx", tmp_path / "study"
    study = ["-t", str(FOCUS / "transcripts"), "-a", str(FOCUS / "participants.csv")]
    assert runner.invoke(main, ["export", "qdpx", *study, "--out", str(first)]).exit_code == 0
    result = runner.invoke(main, ["import", "qdpx", str(first), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "not carried over" not in result.output
    assert (out / "participants.csv").read_text(encoding="utf-8").splitlines()[1:] == [
        '"FG","walkers","Northfield","12"', '"I01","walker","Riverside","3"']
    kept = json.loads((out / "guids.json").read_text(encoding="utf-8"))["cases"]
    assert sorted(kept) == ["FG: Asha", "FG: Bram", "FG: Cleo", "I01"]
    result = runner.invoke(main, ["export", "qdpx", "-t", str(out / "transcripts"), "-a", str(out / "participants.csv"),
                                  "-c", str(out / "codebook.yaml"), "--out", str(again)])
    assert result.exit_code == 0, result.output

    def cases(path):
        with zipfile.ZipFile(path) as archive:
            root = etree.fromstring(archive.read("project.qde"))
        return {c.get("name"): c.get("guid") for c in root.iterfind(".//q:Case", NS)}

    assert cases(again) == cases(first) == {name: guid for name, guid in kept.items()}
