"""The study store's library API: what a study holds, decisions and their history, codebook revisions."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualkit.errors import StaleDecisionError, StoreError
from qualkit.store import STATUS_KEYS, init_study, open_study, reviewed_coding
from tests.test_store_support import CODEBOOK_V2, FIRST_RUN, SETTINGS, copy_study, find


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("store") / "study"
    init_study(folder, SETTINGS).close()
    return folder


@pytest.fixture()
def study(template: Path, tmp_path: Path):
    with open_study(copy_study(template, tmp_path / "study")) as opened:
        yield opened


def test_init_imports_transcripts_attributes_codebook_and_codes_them(study):
    assert [(t["transcript_id"], t["attributes"]["site"], t["n_turns"]) for t in study.transcripts()] == [
        ("P01", "North", 4), ("P02", "South", 4)]
    assert [c["code_id"] for c in study.codes()] == ["isolation", "targets", "paperwork"]
    assert [(s["transcript_id"], s["code_id"], s["text"]) for s in study.segments()] == FIRST_RUN
    assert {s["status"] for s in study.segments()} == {"pending"}
    [book] = study.codebooks()
    assert book["yaml"] == Path(SETTINGS.codebook).read_text(encoding="utf-8")
    [run] = study.runs()
    assert run["codebook_version"] == book["version"] and run["spacy_version"] and run["qualkit_version"]


def test_offsets_are_the_truth(study):
    for segment in study.segments():
        text = study.transcript(segment["transcript_id"])["text"]
        assert text[segment["start"]:segment["end"]] == segment["text"]
        for match in segment["matches"]:
            assert text[match["start"]:match["end"]] == match["text"]


def test_segment_ids_are_stable_across_studies(template: Path, tmp_path: Path):
    with open_study(template) as a, init_study(tmp_path / "other", SETTINGS) as b:
        assert [s["segment_id"] for s in a.segments()] == [s["segment_id"] for s in b.segments()]


def test_units_are_the_coded_speakers_sentences(study):
    units = study.units()
    assert [u.text for u in units if u.transcript == "P02"] == [
        "The link worker rang every week.", "I was on my own most days before that.",
        "The benefits forms were a nightmare.", "The targets they set me were fine."]


def test_transcript_has_text_and_turns(study):
    transcript = study.transcript("P02")
    turn = transcript["turns"][1]
    assert (turn["index"], turn["speaker"], turn["role"]) == (1, "P02", "participant")
    assert transcript["text"][turn["start"]:turn["end"]].startswith("The link worker rang every week.")


def test_set_aside_hit_is_listed_and_restorable_as_a_coding(study):
    [hit] = study.set_aside()
    assert (hit["transcript_id"], hit["code_id"], hit["text"], hit["status"], hit["restored"]) == (
        "P01", "isolation", "felt lonely", "negated", False)
    restored = study.restore_set_aside(hit["hit_id"], coder="RH", memo="not negated: lonely elsewhere")
    assert (restored["text"], restored["origin"], restored["status"]) == (
        "I never felt lonely at the group.", "restored", "manual")
    assert study.set_aside()[0]["restored"] is True


def test_decisions_change_status_and_keep_every_row(study):
    segment = find(study.segments(), "P02", "targets", "The targets they set me were fine.")
    sid = segment["segment_id"]
    assert study.decide(sid, "reject", coder="RH", memo="not about monitoring")["status"] == "rejected"
    now = study.decide(sid, "recode", coder="RH", recode_to="paperwork")
    assert (now["status"], now["recode_to"], now["memo"], now["version"]) == (
        "recoded", "paperwork", "not about monitoring", 2)
    now = study.decide(sid, "undo", coder="RH")
    assert (now["status"], now["version"]) == ("rejected", 3)
    assert [r["decision"] for r in study.history(sid)] == ["reject", "recode", "undo"]
    assert study.decide(sid, "undo", coder="RH")["status"] == "pending"


def test_status_for_a_coder_and_latest_of_anyone(study):
    sid = study.segments()[0]["segment_id"]
    study.decide(sid, "accept", coder="RH")
    study.decide(sid, "reject", coder="JB")
    assert study.segments(coder="RH")[0]["status"] == "accepted"
    assert study.segments(coder="JB")[0]["status"] == "rejected"
    assert study.segments()[0]["status"] == "rejected"
    assert [s["segment_id"] for s in study.segments(status="rejected")] == [sid]
    assert study.coders() == ["JB", "RH"]


def test_accept_with_a_narrowed_span(study):
    segment = find(study.segments(), "P01", "isolation", "I felt isolated after the move.")
    narrowed = study.decide(segment["segment_id"], "accept", coder="RH", start=segment["start"] + 2,
                            end=segment["start"] + 15)
    assert (narrowed["text"], narrowed["status"]) == ("felt isolated", "accepted")
    assert (narrowed["auto_start"], narrowed["auto_end"]) == (segment["start"], segment["end"])


def test_stale_decision_is_refused(study):
    segment = study.segments()[0]
    study.decide(segment["segment_id"], "accept", coder="RH", expected_version=segment["version"])
    with pytest.raises(StaleDecisionError, match=f"segment {segment['segment_id']} changed since the page loaded: reload"):
        study.decide(segment["segment_id"], "reject", coder="JB", expected_version=segment["version"])
    assert [r["decision"] for r in study.history(segment["segment_id"])] == ["accept"]


@pytest.mark.parametrize("call, message", [
    (lambda s, sid: s.decide(sid, "accept", coder="R H"), "unknown coder name format: 'R H'"),
    (lambda s, sid: s.decide(sid, "accept", coder="1RH"), "unknown coder name format: '1RH'"),
    (lambda s, sid: s.decide(sid, "maybe", coder="RH"), "unknown decision 'maybe'"),
    (lambda s, sid: s.decide("nope", "accept", coder="RH"), "unknown segment id 'nope'"),
    (lambda s, sid: s.decide(sid, "recode", coder="RH", recode_to="nope"), "unknown code id 'nope'"),
    (lambda s, sid: s.decide(sid, "accept", coder="RH", start=5, end=99999), "span 5-99999 is not inside its text"),
    (lambda s, sid: s.add_manual("P09", "targets", 0, 5, coder="RH"), "unknown transcript 'P09'"),
    (lambda s, sid: s.add_memo("page", "x", "text", coder="RH"), "unknown memo target 'page'"),
    (lambda s, sid: s.restore_set_aside("h0", coder="RH"), "unknown set-aside hit id 'h0'"),
    (lambda s, sid: s.decide(sid, "undo", coder="RH"), "has no decision on it to undo"),
    (lambda s, sid: s.decide(sid, "recode", coder="RH", recode_to="isolation"), "already has code 'isolation': accept"),
    (lambda s, sid: s.add_memo("code", "nope", "text", coder="RH"), "unknown code id 'nope'"),
    (lambda s, sid: s.add_memo("transcript", "P09", "text", coder="RH"), "unknown transcript 'P09'"),
    (lambda s, sid: s.add_memo("case_code", "P01", "text", coder="RH"), "expected 'TRANSCRIPT|CODE', got 'P01'"),
    (lambda s, sid: s.add_memo("segment", "s0", "text", coder="RH"), "unknown segment id 's0'"),
])
def test_bad_writes_raise_and_change_nothing(study, call, message):
    sid = study.segments()[0]["segment_id"]
    with pytest.raises(StoreError, match=message.replace("(", r"\(")):
        call(study, sid)
    assert study.history(sid) == [] and study.memos() == []
    assert len(study.segments()) == len(FIRST_RUN)


def test_manual_coding_and_memos(study):
    text = study.transcript("P02")["text"]
    start = text.index("I was on my own")
    manual = study.add_manual("P02", "isolation", start, start + len("I was on my own"), coder="JB", memo="clear")
    assert (manual["text"], manual["status"], manual["origin"], manual["turn"], manual["memo"]) == (
        "I was on my own", "manual", "manual", 1, "clear")
    study.add_memo("code", "targets", "targets vs monitoring: split?", coder="RH")
    study.add_memo("study", "", "first pass reviewed by two", coder="RH")
    study.add_memo("case_code", "P01|targets", "only complaint", coder="JB")
    assert [m["text"] for m in study.memos(target="code", target_id="targets")] == ["targets vs monitoring: split?"]
    assert len(study.memos()) == 3


def test_progress_per_code(study):
    for segment in study.segments(code_id="paperwork")[:2]:
        study.decide(segment["segment_id"], "accept", coder="RH")
    progress = {p["code_id"]: (p["reviewed"], p["total"]) for p in study.progress()}
    assert progress == {"isolation": (0, 2), "targets": (0, 2), "paperwork": (2, 3)}
    assert {p["code_id"]: p["reviewed"] for p in study.progress(coder="JB")}["paperwork"] == 0


def test_segments_filtered_by_pattern_and_transcript(study):
    assert [s["text"] for s in study.segments(pattern="form")] == [
        "Our link worker helped with the housing forms.", "The benefits forms were a nightmare."]
    assert {s["transcript_id"] for s in study.segments(transcript_id="P02")} == {"P02"}


def test_new_codebook_keeps_orphans_and_reports_new(study):
    segments = study.segments()
    kept = find(segments, "P01", "paperwork", "The paperwork for the new flat never stopped.")
    gone = find(segments, "P01", "paperwork", "Our link worker helped with the housing forms.")
    undecided_gone = find(segments, "P02", "paperwork", "The benefits forms were a nightmare.")
    study.decide(kept["segment_id"], "accept", coder="RH")
    study.decide(gone["segment_id"], "accept", coder="RH", memo="forms are paperwork")
    manual = study.add_manual("P02", "paperwork", undecided_gone["start"], undecided_gone["end"], coder="RH")

    result = study.code(CODEBOOK_V2)
    assert (result["kept"], result["orphaned"], result["new"]) == (1, 1, 2)
    after = {s["segment_id"]: s for s in study.segments()}
    assert after[kept["segment_id"]]["status"] == "accepted"
    assert (after[gone["segment_id"]]["status"], after[gone["segment_id"]]["memo"]) == ("orphaned", "forms are paperwork")
    assert undecided_gone["segment_id"] not in after
    assert after[manual["segment_id"]]["status"] == "manual"
    assert [c["code_id"] for c in study.codes()] == ["isolation", "targets", "paperwork", "support"]
    assert len(study.codebooks()) == 2 and len(study.runs()) == 2
    # reviewing the orphan again settles it
    assert study.decide(gone["segment_id"], "reject", coder="RH")["status"] == "rejected"


def test_status_counts_per_code_coder(study):
    segments = study.segments()
    for segment in segments[:4]:
        study.decide(segment["segment_id"], "accept", coder="RH")
    study.decide(segments[0]["segment_id"], "accept", coder="JB")
    study.decide(segments[1]["segment_id"], "reject", coder="JB")
    study.decide(segments[2]["segment_id"], "recode", coder="JB", recode_to="targets")
    status = study.status()
    assert {k: status[k] for k in STATUS_KEYS} == {"auto": 7, "pending": 3, "accepted": 2, "rejected": 1,
                                                   "recoded": 1, "manual": 0, "orphaned": 0}
    assert {k: status["coders"]["RH"][k] for k in ("accepted", "pending")} == {"accepted": 4, "pending": 3}
    paperwork = next(c for c in status["codes"] if c["code_id"] == "paperwork")
    assert {k: paperwork[k] for k in STATUS_KEYS} == {"auto": 3, "pending": 1, "accepted": 0, "rejected": 1,
                                                      "recoded": 1, "manual": 0, "orphaned": 0}


def test_agreement_between_coders_on_the_segments_both_decided(study):
    segments = study.segments()  # P01: isolation, paperwork, paperwork, targets; P02: isolation, paperwork, targets
    for n, segment in enumerate(segments):
        study.decide(segment["segment_id"], "reject" if n == 5 else "accept", coder="RH")
        study.decide(segment["segment_id"], "reject" if n in (2, 5) else "accept", coder="JB")
    agreement = study.status()["agreement"]
    assert (agreement["coders"], agreement["segments"], agreement["alpha"]) == (["JB", "RH"], 7, 0.8219)
    assert agreement["pairs"] == [{"coder_a": "JB", "coder_b": "RH", "segments": 7, "agreement": 0.8571}]
    by_code = {c["code_id"]: (c["segments"], c["kappa"]) for c in agreement["codes"]}
    assert by_code == {"isolation": (2, None), "targets": (2, None), "paperwork": (3, 0.4)}


def test_status_without_two_coders_has_no_agreement(study):
    study.decide(study.segments()[0]["segment_id"], "accept", coder="RH")
    assert study.status()["agreement"] is None


def test_reviewed_coding_holds_only_what_reviewers_stand_behind(study):
    segments = study.segments()
    study.decide(segments[0]["segment_id"], "accept", coder="RH")
    study.decide(segments[1]["segment_id"], "reject", coder="RH")
    study.decide(segments[2]["segment_id"], "recode", coder="JB", recode_to="targets")
    text = study.transcript("P02")["text"]
    manual = study.add_manual("P02", "targets", 0, text.index("\n"), coder="JB")
    study.add_memo("study", "", "two reviewers", coder="RH")
    coding = reviewed_coding(study.path)
    assert coding.segment_ids == [segments[0]["segment_id"], segments[2]["segment_id"], manual["segment_id"]]
    assert coding.statuses == ["accepted", "recoded", "manual"]
    assert [(s.code_id, s.coder) for s in coding.segments] == [("isolation", "RH"), ("targets", "JB"), ("targets", "JB")]
    assert coding.segments[1].code_path == "Work > Targets"
    assert coding.summary["pending"] == 4 and coding.summary["reviewers"] == ["JB", "RH"]
    assert coding.summary["per_code_acceptance"] == {"isolation": 1.0, "targets": None, "paperwork": 0.0}
    assert [t.id for t in coding.transcripts] == ["P01", "P02"] and coding.transcripts[0].attributes["site"] == "North"
    assert coding.codebook_sha256 == coding.codebook.sha256 and len(coding.set_aside) == 1
    assert [m["text"] for m in coding.memos] == ["two reviewers"]


def test_reviewed_coding_auto_is_the_first_pass(study):
    study.decide(study.segments()[0]["segment_id"], "reject", coder="RH")
    coding = reviewed_coding(study.path, coding="auto")
    assert [(s.transcript, s.code_id, s.text) for s in coding.segments] == FIRST_RUN
    assert set(coding.statuses) == {"auto"}
