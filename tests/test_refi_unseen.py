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


def notes_of(root: etree._Element) -> dict[str, tuple]:
    """Per note: its text, description, author and what refers to it (kind and name of each holder)."""
    users = {u.get("guid"): u.get("name") for u in root.iterfind(".//q:User", NS)}
    holders: dict[str, list[tuple[str, str]]] = {}
    for ref in root.iter(f"{{{PROJECT_NS}}}NoteRef"):
        holder = ref.getparent()
        if etree.QName(holder).localname == "PlainTextSelection":
            holder = holder.find("q:Coding/q:CodeRef", NS)  # a selection is known by the code it is coded with
            holder = next(c for c in root.iterfind(".//q:Code", NS) if c.get("guid") == holder.get("targetGUID"))
            name = "coded " + holder.get("name")
        else:
            name = holder.get("name")
        holders.setdefault(ref.get("targetGUID").lower(), []).append((etree.QName(ref.getparent()).localname, name))
    return {n.get("name"): (n.findtext("q:PlainTextContent", namespaces=NS), n.findtext("q:Description", namespaces=NS),
                            users.get(n.get("creatingUser")), sorted(holders.get(n.get("guid").lower(), [])))
            for n in root.iterfind(".//q:Note", NS)}


def test_notes_and_coding_memos_come_back_attached_to_the_same_things(tmp_path):
    root, output = import_then_export(FIXTURES / "refi" / "memos.qde", tmp_path)
    assert schema(PROJECT_NS).validate(root.getroottree()), schema(PROJECT_NS).error_log
    assert notes_of(root) == {
        "Research plan": ("Ten walkers, two sites.", "kept week by week", "johnb", [("Project", "Walks")]),
        "On company": ("Company means more than exercise here.", None, None, [("Code", "Company")]),
        "About walker 1": ("Recorded outdoors; wind noise.", None, None, [("TextSource", "Walker 1")]),
        "Check this": ("Ask the second coder.", None, None, [("PlainTextSelection", "coded Company")]),
        "Loose idea": ("Weather?", None, None, []),
    }
    assert [s.findtext("q:Description", namespaces=NS) for s in root.iterfind(".//q:PlainTextSelection", NS)] == [
        "Said twice, with feeling."]


def test_the_import_no_longer_says_notes_are_dropped_and_says_what_still_is(tmp_path):
    result = CliRunner().invoke(main, ["import", "qdpx", str(FIXTURES / "refi" / "memos.qde"), "--out", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    assert "not carried over" not in result.output


USERS_ONLY = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" origin="ATLAS.ti for Windows 23.2.3.27778" name="blank">
  <Users><User guid="088B08AC-D5CD-4ADB-8B71-B4F3459C177F" name="Ria Okafor"/></Users>{codebook}
</Project>
"""
CODEBOOK = """
  <CodeBook><Codes><Code guid="A182CD3A-D83C-4D8C-BC80-26D9103EC6D6" name="Benefits" isCodable="true"/></Codes></CodeBook>"""


def test_a_project_without_text_says_so_and_lists_only_what_it_wrote(tmp_path):
    runner = CliRunner()
    for name, codebook, written in (("blank", "", "participants.csv, transcripts/, coded_segments.csv, guids.json"),
                                    ("codes", CODEBOOK, "codebook.yaml, participants.csv, transcripts/, coded_segments.csv, "
                                                        "guids.json")):
        project, out = tmp_path / f"{name}.qde", tmp_path / name
        project.write_text(USERS_ONLY.format(codebook=codebook), encoding="utf-8")
        result = runner.invoke(main, ["import", "qdpx", str(project), "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert f"warning: {project}: the project has no text sources: the study folder gets no transcripts, which " \
               "`qualkit run` and `qualkit export qdpx` need" in result.output
        assert result.output.splitlines()[-1] == f"Wrote {out}/ ({written})."


def test_a_project_or_codebook_against_the_schema_is_refused_in_one_line(tmp_path):
    project, codebook = tmp_path / "p.qde", tmp_path / "c.qdc"
    project.write_text((FIXTURES / "refi" / "memos.qde").read_text(encoding="utf-8").replace(
        '<CodeRef targetGUID="C9E3D7E0-4DBF-46E2-96EF-14574ECD3B90"/>', ""), encoding="utf-8")
    codebook.write_text('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="6b6f6c62-1111-4a2b-8c3d-000000000001" isCodable="true"/><Code isCodable="true"/>'
                        "</Codes></CodeBook>", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["import", "qdpx", str(project), "--out", str(tmp_path / "s")])
    assert result.exit_code == 1 and result.output.splitlines() == [
        f"Error: {project}, line 22: does not follow the REFI-QDA project schema: Element 'NoteRef': This element is not "
        "expected. Expected is ( CodeRef ) (use --lenient to import what is sound)"]
    result = runner.invoke(main, ["import", "qdc", str(codebook), "--out", str(tmp_path / "c.yaml")])
    assert result.exit_code == 1 and result.output.splitlines() == [
        f"Error: {codebook}, line 1: does not follow the REFI-QDA codebook schema: Element 'Code': The attribute 'name' "
        "is required but missing; and 2 more problems (use --lenient to import what is sound)"]


def test_a_lenient_import_of_a_note_without_a_guid_gives_it_one_the_export_accepts(tmp_path):
    project = tmp_path / "p.qde"
    project.write_text((FIXTURES / "refi" / "memos.qde").read_text(encoding="utf-8").replace(
        '<Note guid="A0000000-0000-0000-0000-000000000005" name="Loose idea">', '<Note name="Loose idea">'), encoding="utf-8")
    runner, out = CliRunner(), tmp_path / "s"
    assert runner.invoke(main, ["import", "qdpx", str(project), "--out", str(out), "--lenient"]).exit_code == 0
    result = runner.invoke(main, ["export", "qdpx", "-t", str(out / "transcripts"), "-a", str(out / "participants.csv"),
                                  "-c", str(out / "codebook.yaml"), "--out", str(tmp_path / "again.qdpx")])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "again.qdpx") as archive:
        root = etree.fromstring(archive.read("project.qde"))
    assert notes_of(root)["Loose idea"] == ("Weather?", None, None, [])
