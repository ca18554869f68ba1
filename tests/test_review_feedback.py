"""`qualkit codebook check` on a study: per pattern, how many of its passages reviewers accepted and rejected."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from qualkit.cli import main
from qualkit.review import pattern_feedback
from qualkit.store import open_study
from tests.test_review_support import FIXTURE, find, review_template, study_dir  # noqa: F401  (fixtures)


def review_some(folder: Path) -> None:
    with open_study(folder) as study:
        study.decide(find(folder, "🙂 Our link worker", "support")["segment_id"], "reject", coder="alice")
        study.decide(find(folder, "I help them", "support")["segment_id"], "accept", coder="alice")
        study.decide(find(folder, "Someone wrote", "support")["segment_id"], "accept", coder="alice")
        study.decide(find(folder, "The paperwork for", "paperwork")["segment_id"], "recode", coder="bob",
                     recode_to="targets")
        # A later decision by another coder is the one in force.
        study.decide(find(folder, "I help them", "support")["segment_id"], "reject", coder="bob")


def test_pattern_feedback_counts_the_verdicts_in_force_per_pattern(study_dir):
    review_some(study_dir)
    rows = {(r.code_id, r.pattern): (r.passages, r.accepted, r.rejected, r.recoded, r.pending)
            for r in pattern_feedback(study_dir)}
    assert rows == {
        ("isolation", "feel isolated"): (2, 0, 0, 0, 2),
        ("support", "help"): (2, 0, 2, 0, 0),
        ("support", "support"): (2, 1, 1, 0, 0),
        ("targets", "target"): (2, 0, 0, 0, 2),
        ("paperwork", "form"): (3, 0, 0, 0, 3),
        ("paperwork", "paperwork"): (2, 0, 0, 1, 1),
    }


def test_codebook_check_on_a_study_folder_shows_reviewers_verdicts_per_pattern(study_dir):
    review_some(study_dir)
    result = CliRunner().invoke(main, ["codebook", "check", str(study_dir)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Codebook {FIXTURE / 'codebook.yaml'} (version 1 in study study): 4 codes, "
                                    "8 patterns.\n")
    verdicts = result.output.split("Reviewers' verdicts per pattern (study study; kept = accepted of reviewed):\n")[1]
    assert verdicts.splitlines() == [
        "  code                     passages accepted rejected recoded pending  kept  pattern",
        "  isolation                       2        0        0       0       2     -  feel isolated",
        "  support                         2        0        2       0       0    0%  help",
        "  support                         2        1        1       0       0   50%  support",
        "  targets                         2        0        0       0       2     -  target",
        "  paperwork                       3        0        0       0       3     -  form",
        "  paperwork                       2        0        0       1       1    0%  paperwork",
    ]


def test_codebook_check_of_a_file_with_a_study_checks_the_file_and_adds_the_verdicts(study_dir):
    result = CliRunner().invoke(main, ["codebook", "check", str(FIXTURE / "codebook.yaml"), "--study", str(study_dir)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Codebook {FIXTURE / 'codebook.yaml'}: 4 codes, 8 patterns.\n")
    assert "  isolation                       2        0        0       0       2     -  feel isolated\n" in result.output


def test_codebook_check_with_a_missing_study_says_so_and_prints_nothing_else(tmp_path):
    result = CliRunner().invoke(main, ["codebook", "check", str(FIXTURE / "codebook.yaml"), "--study", str(tmp_path)])
    assert (result.exit_code, result.output) == (
        1, f"Error: {tmp_path}: not a qualkit study folder (no study.sqlite; make one with 'qualkit study init')\n")
