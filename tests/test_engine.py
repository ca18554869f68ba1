"""The part-by-part engine run in this process: plan, parts, manifest, assembly, resume, finished folders.

The same machinery runs on Dask in tests/test_engine_dask.py; here it runs without a cluster.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from qualkit.coding import code_corpus_files
from qualkit.engine import MANIFEST_FILE, SUCCESS_FILE, Job, code_distributed, make_plan
from qualkit.errors import OutputError

ROOT = Path(__file__).resolve().parents[1]
SURVEY = ROOT / "tests" / "fixtures" / "survey"
CODEBOOK = SURVEY / "sample_codebook.yaml"
TRANSCRIPTS = sorted(str(p) for p in (ROOT / "transcripts_sample").glob("*.txt"))
OUTPUTS = ("coded_segments.csv", "negated_hits.csv", "vetoed_hits.csv")
PART_BYTES = 12_000  # the sample's 16 transcripts in about 8 parts


def quietly(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


@pytest.fixture(scope="module")
def one_process(tmp_path_factory) -> Path:
    """``qualkit code --jobs 1`` on the sample transcripts: the reference every engine run must equal."""
    out = tmp_path_factory.mktemp("jobs1")
    quietly(code_corpus_files, TRANSCRIPTS, CODEBOOK, out)
    return out


def same_outputs(a: Path, b: Path) -> bool:
    return all((a / name).read_bytes() == (b / name).read_bytes() for name in OUTPUTS)


def test_the_plan_is_deterministic_and_parts_are_named_from_it():
    job = Job(CODEBOOK.read_text(encoding="utf-8"), str(CODEBOOK))
    first, second = make_plan(TRANSCRIPTS, job, part_bytes=PART_BYTES), make_plan(TRANSCRIPTS, job, part_bytes=PART_BYTES)
    assert first.id == second.id and first.parts == second.parts
    assert [p.name for p in first.parts] == [f"part-{n:05d}" for n in range(len(first.parts))]
    assert [f for p in first.parts for f in p.files] == TRANSCRIPTS
    other = make_plan(TRANSCRIPTS, Job(job.codebook_text, str(CODEBOOK), unit="turn"), part_bytes=PART_BYTES)
    assert other.id != first.id  # another setting is another plan


def test_parts_assembled_in_plan_order_equal_one_process(tmp_path: Path, one_process: Path):
    summary = quietly(code_distributed, TRANSCRIPTS, CODEBOOK, tmp_path, engine="local", part_bytes=PART_BYTES)
    assert summary.parts >= 6 and len(summary.coded_now) == summary.parts
    assert same_outputs(tmp_path, one_process)
    success = json.loads((tmp_path / SUCCESS_FILE).read_text())
    assert success["summary"]["segments"] == summary.segments
    assert not (tmp_path / "_parts").exists()


def test_a_survey_table_in_parts_equals_one_process(tmp_path: Path):
    options = {"text_column": "comment", "id_column": "response_id"}
    quietly(code_corpus_files, [SURVEY / "responses.csv"], CODEBOOK, tmp_path / "one", **options)
    summary = quietly(code_distributed, [SURVEY / "responses.csv"], CODEBOOK, tmp_path / "parts", engine="local",
                      part_rows=2, **options)
    assert summary.parts == 4
    assert summary.left_out == {"empty": 2, "duplicate": 1, "undecodable": 1}
    assert same_outputs(tmp_path / "parts", tmp_path / "one")


def test_a_finished_folder_is_verified_and_never_rewritten(tmp_path: Path):
    quietly(code_distributed, TRANSCRIPTS, CODEBOOK, tmp_path, engine="local", part_bytes=PART_BYTES)
    stamps = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    again = quietly(code_distributed, TRANSCRIPTS, CODEBOOK, tmp_path, engine="local", part_bytes=PART_BYTES)
    assert again.verified and again.coded_now == []
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == stamps


def test_a_finished_folder_of_another_run_is_refused(tmp_path: Path):
    quietly(code_distributed, TRANSCRIPTS, CODEBOOK, tmp_path, engine="local", part_bytes=PART_BYTES)
    with pytest.raises(OutputError, match="holds a finished run of other inputs, codebook or settings"):
        quietly(code_distributed, TRANSCRIPTS[:3], CODEBOOK, tmp_path, engine="local", part_bytes=PART_BYTES)


def test_a_finished_output_changed_afterwards_is_refused(tmp_path: Path):
    quietly(code_distributed, TRANSCRIPTS, CODEBOOK, tmp_path, engine="local", part_bytes=PART_BYTES)
    with (tmp_path / "coded_segments.csv").open("a") as handle:
        handle.write("extra,row\n")
    with pytest.raises(OutputError, match="coded_segments.csv: does not match the checksum recorded in"):
        quietly(code_distributed, TRANSCRIPTS, CODEBOOK, tmp_path, engine="local", part_bytes=PART_BYTES)


def test_a_folder_holding_another_coding_is_refused(tmp_path: Path, one_process: Path):
    (tmp_path / "coded_segments.csv").write_bytes((one_process / "coded_segments.csv").read_bytes())
    with pytest.raises(OutputError, match="already holds coded_segments.csv"):
        quietly(code_distributed, TRANSCRIPTS, CODEBOOK, tmp_path, engine="local", part_bytes=PART_BYTES)


class Interrupted(Exception):
    """Stands for the run being killed."""


def stop_after(count: int):
    def progress(results, total):
        for number, result in enumerate(results, start=1):
            yield result
            if number == count:
                raise Interrupted
    return progress


def test_a_killed_run_resumes_coding_only_missing_parts(tmp_path: Path, one_process: Path):
    with pytest.raises(Interrupted):
        quietly(code_distributed, TRANSCRIPTS, CODEBOOK, tmp_path, engine="local", part_bytes=PART_BYTES,
                progress=stop_after(3))
    manifest = json.loads((tmp_path / MANIFEST_FILE).read_text())
    done = sorted(manifest["done"])
    assert len(done) == 3 and not (tmp_path / SUCCESS_FILE).exists()
    with pytest.raises(OutputError, match=r"holds an unfinished run \(3 of \d+ parts done\); add --resume"):
        quietly(code_distributed, TRANSCRIPTS, CODEBOOK, tmp_path, engine="local", part_bytes=PART_BYTES)
    summary = quietly(code_distributed, TRANSCRIPTS, CODEBOOK, tmp_path, engine="local", part_bytes=PART_BYTES,
                      resume=True)
    assert summary.already_done == 3
    assert sorted(summary.coded_now) == sorted(set(manifest["names"]) - set(done))
    assert same_outputs(tmp_path, one_process)


def test_the_manifest_is_saved_when_the_run_stops_not_after_every_part(tmp_path: Path, monkeypatch):
    from qualkit.engine import manifest

    saves: list[int] = []
    save = manifest.Manifest.save
    monkeypatch.setattr(manifest, "SAVE_EVERY", 3600.0)
    monkeypatch.setattr(manifest.Manifest, "save", lambda self: (saves.append(len(self.done)), save(self))[1])
    with pytest.raises(Interrupted):
        quietly(code_distributed, TRANSCRIPTS, CODEBOOK, tmp_path, engine="local", part_bytes=PART_BYTES,
                progress=stop_after(3))
    assert saves == [0, 3]  # the plan at the start, then the three parts done when the run stopped
    assert len(json.loads((tmp_path / MANIFEST_FILE).read_text())["done"]) == 3


def test_resume_recodes_a_recorded_part_whose_file_is_damaged(tmp_path: Path, one_process: Path):
    with pytest.raises(Interrupted):
        quietly(code_distributed, TRANSCRIPTS, CODEBOOK, tmp_path, engine="local", part_bytes=PART_BYTES,
                progress=stop_after(2))
    damaged = next((tmp_path / "_parts").glob("*.segments.csv"))
    damaged.write_bytes(damaged.read_bytes()[:-10])
    summary = quietly(code_distributed, TRANSCRIPTS, CODEBOOK, tmp_path, engine="local", part_bytes=PART_BYTES,
                      resume=True)
    assert damaged.name.split(".")[0] in summary.coded_now and summary.already_done == 1
    assert same_outputs(tmp_path, one_process)


def test_parquet_output_is_a_dataset_with_the_same_rows(tmp_path: Path, one_process: Path):
    pandas = pytest.importorskip("pandas")
    quietly(code_distributed, TRANSCRIPTS, CODEBOOK, tmp_path, engine="local", part_bytes=PART_BYTES, fmt="parquet")
    parquet = pandas.read_parquet(tmp_path / "coded_segments").astype(str)
    expected = pandas.read_csv(one_process / "coded_segments.csv", dtype=str, keep_default_na=False)
    assert len(list((tmp_path / "coded_segments").glob("part-*.parquet"))) >= 6
    assert parquet.values.tolist() == expected.values.tolist()


def test_the_local_engine_never_imports_dask(tmp_path: Path):
    script = (
        "import sys, warnings\nwarnings.simplefilter('ignore')\nfrom click.testing import CliRunner\n"
        "from qualkit.cli import main\n"
        f"r = CliRunner().invoke(main, ['code', {TRANSCRIPTS[0]!r}, '-c', {str(CODEBOOK)!r}, '-o', {str(tmp_path)!r}])\n"
        "assert r.exit_code == 0, r.output\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))\n"
    )
    found = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]"


def test_only_the_engine_imports_dask():
    wrong = []
    for path in sorted((ROOT / "qualkit").rglob("*.py")):
        if path.parent.name == "engine":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            wrong += [f"{path.name}: {n}" for n in names if n.split(".")[0] in ("dask", "distributed")]
    assert wrong == []


def test_parts_coded_elsewhere_are_assembled_like_a_run(tmp_path: Path, one_process: Path):
    # what the Spark recipe does: the part function called per part, then one assembly
    from qualkit.engine import assemble_results, code_part

    job = Job(CODEBOOK.read_text(encoding="utf-8"), str(CODEBOOK))
    plan = make_plan(TRANSCRIPTS, job, part_bytes=PART_BYTES)
    results = [quietly(code_part, part, job, str(tmp_path)) for part in reversed(plan.parts[1:])]
    with pytest.raises(Exception, match=r"1 of \d+ parts are not done yet \(part-00000\)"):
        assemble_results(tmp_path, plan, results)
    quietly(assemble_results, tmp_path, plan, [quietly(code_part, plan.parts[0], job, str(tmp_path))])
    assert same_outputs(tmp_path, one_process)


def test_a_part_failing_on_bad_input_names_the_part_and_the_input(tmp_path: Path):
    (tmp_path / "in").mkdir()
    good, bad = tmp_path / "in" / "a.txt", tmp_path / "in" / "b.txt"
    good.write_text("Interviewer: How was it?\nSam: Lonely at first.\n", encoding="utf-8")
    bad.write_bytes(b"\x00\x01\x02 binary")
    with pytest.raises(Exception) as error:
        quietly(code_distributed, [good, bad], CODEBOOK, tmp_path / "out", engine="local", part_bytes=1)
    assert str(error.value).startswith(f"part-00001 ({bad}): {bad}: ")
    assert not (tmp_path / "out" / "coded_segments.csv").exists()


@pytest.mark.parametrize("options, message", [
    (["--engine", "dask", "--jobs", "2"], "--jobs is for the local engine; with --engine dask give --workers"),
    (["--workers", "2"], "--scheduler and --workers need --engine dask"),
])
def test_options_of_the_other_engine_are_refused(tmp_path: Path, options: list[str], message: str):
    from click.testing import CliRunner

    from qualkit.cli import main

    result = CliRunner().invoke(main, ["code", TRANSCRIPTS[0], "-c", str(CODEBOOK), "-o", str(tmp_path / "o"), *options])
    assert result.exit_code == 2 and message in result.output


def test_qualkit_code_engine_local_parquet_then_a_rerun_verifies(tmp_path: Path):
    from click.testing import CliRunner

    from qualkit.cli import main

    args = ["code", *TRANSCRIPTS[:2], "-c", str(CODEBOOK), "-o", str(tmp_path / "o"), "--format", "parquet"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert "Parts: 1 coded now, 0 done before, 1 in all." in first.output
    assert f"Wrote {tmp_path / 'o' / 'coded_segments'}" in first.output
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 0
    assert again.output.strip().splitlines()[-1] == (
        f"{tmp_path / 'o'} already holds this run, finished; its outputs match their checksums (nothing written).")


def test_parts_read_the_interviewer_found_across_all_files_as_one_process_does(tmp_path: Path):
    """Each part holds one file, so no part alone shows that Sarah speaks in every interview: the plan
    looks across the files once and tells each part."""
    folder = ROOT / "tests" / "fixtures" / "coding" / "recurring"
    codebook = ROOT / "tests" / "fixtures" / "coding" / "codebook.yaml"
    quietly(code_corpus_files, [folder], codebook, tmp_path / "jobs1")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        summary = code_distributed([folder], codebook, tmp_path / "parts", engine="local", part_bytes=1)
    assert summary.parts == 4
    assert same_outputs(tmp_path / "parts", tmp_path / "jobs1")
    assert "Sarah" not in (tmp_path / "parts" / "coded_segments.csv").read_text(encoding="utf-8")
    assert sum("'Sarah' speaks in 4 of 4 transcripts" in str(w.message) for w in caught) == 4


def test_the_recipe_for_parts_coded_elsewhere_finds_the_interviewer_across_files(tmp_path: Path):
    """README's Spark recipe for transcript files, with a loop for Spark: who speaks in each part, the
    plan told the interviewers, each part coded, the outputs assembled: those of one process."""
    from qualkit.engine import Job, assemble_results, code_part, part_speakers, tell_interviewers

    folder = ROOT / "tests" / "fixtures" / "coding" / "recurring"
    codebook = ROOT / "tests" / "fixtures" / "coding" / "codebook.yaml"
    quietly(code_corpus_files, [folder], codebook, tmp_path / "jobs1")
    job = Job(codebook.read_text(encoding="utf-8"), str(codebook))
    plan = make_plan([folder], job, part_bytes=1)
    told = tell_interviewers(plan, [part_speakers(part, job) for part in plan.parts])
    assert told.id == plan.id
    assert [[(id_, found.names) for id_, found in part.interviewers] for part in told.parts] == [
        [(name, ("Sarah",))] for name in ("Amira", "Bernard", "Chloe", "Dev")]
    out = tmp_path / "elsewhere"
    results = [quietly(code_part, part, job, str(out)) for part in told.parts]
    quietly(assemble_results, out, told, results)
    assert same_outputs(out, tmp_path / "jobs1")
