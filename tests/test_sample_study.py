"""The bundled sample study, end to end: every quote is the transcript at its offsets."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from qualkit.report import write_report
from qualkit.study import StudySettings, run_study
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    cwd = os.getcwd()
    os.chdir(ROOT)  # the defaults are the bundled sample, relative to the project folder
    try:
        result = run_study(StudySettings())
    finally:
        os.chdir(cwd)
    out = tmp_path_factory.mktemp("sample") / "reports"
    write_report(result, out)
    return result, out


def test_sample_has_at_least_15_interviews_in_three_groups(sample_run):
    result, _ = sample_run
    assert len(result.transcripts) >= 15
    groups = {t.attributes["group"] for t in result.transcripts}
    assert groups == {"health trainer", "link worker", "service user"}
    for transcript in result.transcripts:
        words = len(transcript.text.split())
        assert 800 <= words <= 2200, (transcript.id, words)


def test_every_segment_in_the_csv_is_verbatim_at_its_offsets(sample_run):
    result, out = sample_run
    texts = {t.id: t.text for t in result.transcripts}
    rows = list(csv.DictReader((out / "coded_segments.csv").open(encoding="utf-8")))
    assert len(rows) == len(result.segments) > 50
    for row in rows:
        assert texts[row["transcript"]][int(row["start"]):int(row["end"])] == row["text"]
        assert row["role"] == "participant"


def test_every_matched_code_is_quoted_in_the_report(sample_run):
    result, out = sample_run
    html = (out / "report.md").read_text(encoding="utf-8")
    matched = {s.code_id for s in result.segments}
    assert len(matched) >= 12
    for code in result.codebook.codes:
        if code.id in matched:
            assert f"### {code.path_label}" in html


def test_interviewer_speech_is_never_quoted(sample_run):
    result, _ = sample_run
    interviewer_spans = {(t.id, turn.start, turn.end) for t in result.transcripts for turn in t.turns
                         if turn.role == "interviewer"}
    for segment in result.segments:
        for transcript_id, start, end in interviewer_spans:
            if transcript_id == segment.transcript:
                assert segment.end <= start or segment.start >= end


def test_theme_suggestion_finds_themes_in_what_the_codebook_missed(sample_run):
    result, _ = sample_run
    assert 3 <= len(result.themes) <= 15
    for theme in result.themes:
        assert theme.quotes
        for quote in theme.quotes:
            overlapping = [s for s in result.segments
                           if s.transcript == quote.transcript and s.start < quote.end and quote.start < s.end]
            assert not overlapping, (quote.text, overlapping[0].code_id)


def test_negated_and_vetoed_hits_are_kept_apart_with_their_reason(sample_run):
    result, out = sample_run
    rows = list(csv.DictReader((out / "set_aside_hits.csv").open(encoding="utf-8")))
    texts = {t.id: t.text for t in result.transcripts}
    assert {(r["code_id"], r["status"]) for r in rows} >= {("isolation", "negated"), ("targets", "excluded")}
    never = [r for r in rows if r["reason"] == "negated by 'never'"]
    assert never and all(r["text"].lower() == "lonely" for r in never)
    for row in rows:
        assert texts[row["transcript"]][int(row["start"]):int(row["end"])] == row["text"]
        coded = [s for s in result.segments if s.transcript == row["transcript"] and s.code_id == row["code_id"]
                 and s.start <= int(row["start"]) < s.end and row["status"] == "negated"]
        assert not any(m.start == int(row["start"]) for s in coded for m in s.matches)
