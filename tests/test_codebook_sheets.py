"""Codebook sheets as other tools and teams lay them out: flat lists with keywords, Theme and Code columns
with merged cells, NVivo, ATLAS.ti and Dedoose exports; and codebook files of the wrong kind."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualkit.cli import main
from qualkit.codebook import load_codebook, read_codebook_table
from qualkit.coding import code_transcripts
from qualkit.errors import CodebookError
from qualkit.readers import read_transcripts
from tests.conftest import ROOT


def read(path: Path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        book = read_codebook_table(path)
    return book, [str(w.message) for w in caught]


def places(book) -> list[tuple[str, str]]:
    return [(code.path_label, code.definition) for code in book.codes]


def test_a_flat_list_of_codes_with_keywords_codes_the_sample(tmp_path: Path):
    sheet = tmp_path / "codes.csv"
    sheet.write_text('Code,Description,Keywords\nIsolation,Feeling alone,"lonely; isolated; on my own"\n'
                     'Benefits advice,Help with money,"benefits, Universal Credit | food bank"\n', encoding="utf-8")
    out = tmp_path / "codes.yaml"
    result = CliRunner().invoke(main, ["codebook", "import", str(sheet), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == f"Wrote {out}: 0 themes, 2 codes."
    assert (f"warning: {sheet}: no row names a theme or parent, so the 2 rows are read as codes without themes "
            "(give a 'Theme > Code' path or a theme column to group them)") in result.output
    assert f"warning: {sheet}: the 'Keywords' column gives 2 codes their patterns" in result.output
    book = load_codebook(out)
    assert [(c.name, [p.value for p in c.patterns]) for c in book.codes] == [
        ("Isolation", ["lonely", "isolated", "on my own"]),
        ("Benefits advice", ["benefits", "Universal Credit", "food bank"]),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        segments = code_transcripts(read_transcripts(sorted((ROOT / "transcripts_sample").glob("*.txt"))), book)
    coded = {s.code_id for s in segments}
    assert coded == {"isolation", "benefits-advice"}
    assert any(m.text.casefold() == "food bank" for s in segments for m in s.matches)


def test_theme_and_code_columns_with_merged_theme_cells(tmp_path: Path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in [("Theme", "Code", "Definition"), ("Barriers", None, "What gets in the way"),
                (None, "Transport", "Getting there"), (None, "Cost", "Money"),
                ("Enablers", "Peer support", "Other users helping"), (None, "Trust", "Being believed")]:
        sheet.append(row)
    sheet.merge_cells("A2:A4")
    sheet.merge_cells("A5:A6")
    book.save(tmp_path / "themes.xlsx")
    found, said = read(tmp_path / "themes.xlsx")
    assert [(t.name, t.description) for t in found.themes] == [("Barriers", "What gets in the way"), ("Enablers", "")]
    assert places(found) == [("Barriers > Transport", "Getting there"), ("Barriers > Cost", "Money"),
                             ("Enablers > Peer support", "Other users helping"), ("Enablers > Trust", "Being believed")]
    assert said == [f"{tmp_path / 'themes.xlsx'}: rows 3, 4, 6 have an empty theme cell and are read under the theme "
                    "above (as merged cells are saved)"]


def test_theme_sub_theme_and_code_columns(tmp_path: Path):
    sheet = tmp_path / "three.csv"
    sheet.write_text("Theme,Sub-theme,Code,Description\nAccess,Barriers,Transport,Getting there\n,,Cost,Money\n"
                     ",Enablers,Outreach,Going to them\nExperience,,Trust,Being believed\n", encoding="utf-8")
    found, _ = read(sheet)
    assert [t.name for t in found.themes] == ["Access", "Experience"]
    assert [c.path_label for c in found.codes] == [
        "Access > Barriers", "Access > Barriers > Transport", "Access > Barriers > Cost", "Access > Enablers",
        "Access > Enablers > Outreach", "Experience > Trust"]


def test_nvivo_paths_under_their_root_with_counts_columns(tmp_path: Path):
    sheet = tmp_path / "nvivo.csv"
    sheet.write_text("Name,Description,Files,References\nNodes\\Barriers,Things in the way,3,10\n"
                     "Nodes\\Barriers\\Transport,Getting there,2,4\nNodes\\Enablers,,1,1\n"
                     "Nodes\\Enablers\\Trust,Being believed,1,2\n", encoding="utf-8")
    found, said = read(sheet)
    assert [(t.name, t.description) for t in found.themes] == [("Barriers", "Things in the way"), ("Enablers", "")]
    assert places(found) == [("Barriers > Transport", "Getting there"), ("Enablers > Trust", "Being believed")]
    assert said == [f"{sheet}: columns 'Files', 'References' are not read (not a codebook field qualkit knows)",
                    f"{sheet}: every code path starts with 'Nodes\\', the other tool's root, which is left out",
                    f"{sheet}: code paths are split at \\ (as the tool that wrote the sheet writes them)"]


def test_atlas_ti_theme_prefixes(tmp_path: Path):
    sheet = tmp_path / "atlas.csv"
    sheet.write_text("Code,Comment\nBarriers::Transport,Getting there\nBarriers::Cost,Money\nEnablers::Trust,\n",
                     encoding="utf-8")
    found, _ = read(sheet)
    assert [t.name for t in found.themes] == ["Barriers", "Enablers"]
    assert places(found) == [("Barriers > Transport", "Getting there"), ("Barriers > Cost", "Money"),
                             ("Enablers > Trust", "")]


def test_dedoose_parents_to_any_depth_and_a_cycle_is_one_error(tmp_path: Path):
    sheet = tmp_path / "dedoose.csv"
    sheet.write_text("Title,Parent,Description\nBus,Transport,Buses\nBarriers,,Things in the way\n"
                     "Transport,Barriers,Getting there\nTrust,Enablers,Being believed\n", encoding="utf-8")
    found, said = read(sheet)
    assert said == []
    assert [t.name for t in found.themes] == ["Barriers", "Enablers"]
    assert sorted(places(found)) == [("Barriers > Transport", "Getting there"), ("Barriers > Transport > Bus", "Buses"),
                                     ("Enablers > Trust", "Being believed")]
    sheet.write_text("Title,Parent\nA,B\nB,A\n", encoding="utf-8")
    with pytest.raises(CodebookError, match=r"dedoose\.csv: code 'A' is its own ancestor \(parents: A > B > A\)$"):
        read_codebook_table(sheet)


def test_a_sheet_naming_no_codes_is_one_error_listing_its_columns(tmp_path: Path):
    sheet = tmp_path / "odd.csv"
    sheet.write_text("Topic notes,Count\nsomething,3\n", encoding="utf-8")
    with pytest.raises(CodebookError, match=r"odd\.csv: no column naming the codes .* among Topic notes, Count$"):
        read_codebook_table(sheet)


@pytest.mark.parametrize("name, told", [
    ("book.qdc", "is a REFI-QDA codebook, not a YAML codebook: convert it once with 'qualkit import qdc"),
    ("study.qdpx", "is a REFI-QDA project, not a YAML codebook: import it once with 'qualkit import qdpx"),
    ("codebook.docx", "is a codebook document, not a YAML codebook: convert it once with 'qualkit codebook import"),
    ("codebook.odt", "is a document, not a YAML codebook: put its codes in a sheet"),
])
def test_a_codebook_of_another_kind_says_how_to_convert_it(tmp_path: Path, name: str, told: str):
    path = tmp_path / name
    path.write_bytes(b"PK\x03\x04 not yaml")
    result = CliRunner().invoke(main, ["code", str(ROOT / "transcripts_sample"), "--codebook", str(path),
                                       "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {path}: {told}")
    assert not (tmp_path / "out").exists()
