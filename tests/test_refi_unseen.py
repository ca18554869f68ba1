"""What real projects of other tools taught (ATLAS.ti, MAXQDA, NVivo, qc exports found in public
repositories): a study imported from one exports back whatever its attributes are called, and keeps
every user of the project, not only those who coded."""

from __future__ import annotations

import zipfile
from pathlib import Path

from click.testing import CliRunner
from lxml import etree

from qualkit.cli import main
from qualkit.refi.schema import PROJECT_NS, schema
from tests.conftest import FIXTURES

ATLAS_LIKE = FIXTURES / "refi" / "atlas_like.qde"
NS = {"q": PROJECT_NS}


def import_then_export(project: Path, tmp_path: Path) -> tuple[etree._Element, str]:
    """Import a project with the CLI as a user would, export the study folder back; return the project and output."""
    runner, out, again = CliRunner(), tmp_path / "study", tmp_path / "again.qdpx"
    result = runner.invoke(main, ["import", "qdpx", str(project), "--out", str(out)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["export", "qdpx", "-t", str(out / "transcripts"), "-a", str(out / "participants.csv"),
                                  "-c", str(out / "codebook.yaml"), "--codings", "human",
                                  "--human", str(out / "coded_segments.csv"), "--out", str(again)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(again) as archive:
        return etree.fromstring(archive.read("project.qde")), result.output


def test_a_study_whose_attributes_have_no_group_exports_back(tmp_path):
    root, output = import_then_export(ATLAS_LIKE, tmp_path)
    assert "Wrote" in output and "1 codings (Ria Okafor: 1)" in output
    assert schema(PROJECT_NS).validate(root.getroottree())
    (selection,) = root.iterfind(".//q:PlainTextSelection", NS)
    assert (selection.get("startPosition"), selection.get("endPosition")) == ("53", "72")
    assert [(c.get("name"), c.get("color")) for c in root.iterfind(".//q:Code", NS)] == [
        ("Benefits", "#EF8256"), ("Company", "#33CC33")]
    assert {v.get("name"): v.get("typeOfVariable") for v in root.iterfind(".//q:Variable", NS)} == {
        "Age": "Integer", "case": "Text"}


def test_users_who_coded_nothing_are_kept_with_their_guids(tmp_path):
    root, _ = import_then_export(ATLAS_LIKE, tmp_path)
    assert {u.get("name"): u.get("guid") for u in root.iterfind(".//q:User", NS)} == {
        "Ria Okafor": "088b08ac-d5cd-4adb-8b71-b4f3459c177f", "ATLAS.ti": "c32a2bd5-537f-4838-8b17-df9efbafdf4b"}
