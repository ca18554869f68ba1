"""The review page in real headless Chromium (Debian's chromium driven by Playwright; nothing downloaded):
decisions made with the keyboard and the mouse end up in the study, exactly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qualkit.store import open_study
from tests.test_review_support import find, review_template, study_dir  # noqa: F401  (fixtures)

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync"]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
pytest.importorskip("flask", reason="flask is not installed (pip install -e '.[review]')")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
# A shared CI machine under load can take longer than Playwright's 5 s default for the page to show a change.
sync_api.expect.set_options(timeout=20_000)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture()
def server(study_dir: Path):
    from qualkit.review import make_review_server

    running = make_review_server(study_dir, coder="alice").start()
    yield running
    running.shutdown()


@pytest.fixture()
def page(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    opened = context.new_page()
    problems: list[str] = []
    opened.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    opened.on("pageerror", lambda e: problems.append(str(e)))
    opened.on("dialog", lambda d: problems.append(f"dialog {d.message}"))
    opened.goto(server.url)
    opened.wait_for_selector("body[data-ready='1']")
    opened.problems = problems
    yield opened
    context.close()


def press(page, key: str, path: str = "/api/decide") -> None:
    """Press a key, wait for the request it sends and for the page to show the answer."""
    with page.expect_response(lambda r: path in r.url):
        page.keyboard.press(key)
    settled(page)


def settled(page) -> None:
    page.wait_for_selector("body[data-busy='0']", state="attached")


def card_text(page) -> str:
    return page.inner_text("#card .context")


def segments(folder: Path, **where) -> list[dict]:
    with open_study(folder) as study:
        return study.segments(**where)


def test_accept_reject_and_undo_with_the_keyboard(page, study_dir):
    assert page.inner_text("#queue-title") == "Wellbeing > Isolation"
    assert page.inner_text("#queue-progress") == "0 of 2 reviewed"
    assert card_text(page) == "I felt isolated after the move. The paperwork for the new flat never stopped. " \
                              "🙂 Our link worker helped with the housing forms."
    assert page.inner_text("#card .passage") == "I felt isolated after the move."
    assert page.inner_text("#card mark") == "felt isolated"
    assert "pattern: feel isolated" in page.inner_text("#card")
    assert page.inner_text("#card .who") == "R01 · service user · turn 1"
    press(page, "a")
    assert page.inner_text("#card .passage") == "People feel isolated when the bus stops running."
    press(page, "r")
    sync_api.expect(page.locator("#queue-progress")).to_have_text("2 of 2 reviewed")
    press(page, "u")
    press(page, "r")
    accepted = find(study_dir, "I felt isolated")
    rejected = find(study_dir, "People feel isolated")
    assert (accepted["status"], accepted["decided_by"]) == ("accepted", "alice")
    assert (rejected["status"], rejected["decided_by"]) == ("rejected", "alice")
    with open_study(study_dir) as study:
        assert [row["decision"] for row in study.history(rejected["segment_id"])] == ["reject", "undo", "reject"]
    assert page.problems == []


def test_recode_with_the_code_picker_after_choosing_a_code_with_the_mouse(page, study_dir):
    page.click("button[data-code='paperwork']")
    sync_api.expect(page.locator("#queue-title")).to_have_text("Work > Paperwork")
    sync_api.expect(page.locator("#card .passage")).to_have_text("The paperwork for the new flat never stopped.")
    page.keyboard.press("c")
    page.wait_for_selector("#picker[open]")
    page.keyboard.type("w")
    sync_api.expect(page.locator("#picker-list")).to_contain_text("Work > Targets")
    assert "paperwork" not in page.inner_text("#picker-list")   # not the passage's own code
    page.keyboard.press("Escape")                               # one Escape closes the picker
    sync_api.expect(page.locator("#picker")).to_be_hidden()
    page.keyboard.press("c")
    page.wait_for_selector("#picker[open]")
    page.keyboard.type("targ")
    sync_api.expect(page.locator("#picker-list li.on")).to_have_text("Work > Targets targets")
    press(page, "Enter")
    recoded = find(study_dir, "The paperwork for the new flat", "paperwork")
    assert (recoded["status"], recoded["recode_to"], recoded["decided_by"]) == ("recoded", "targets", "alice")
    assert page.problems == []


def test_narrow_to_a_word_boundary_then_accept_and_write_a_memo(page, study_dir):
    page.click("button[data-code='paperwork']")
    sync_api.expect(page.locator("#queue-title")).to_have_text("Work > Paperwork")
    page.keyboard.press("j")
    assert page.inner_text("#card .passage") == "🙂 Our link worker helped with the housing forms."
    page.keyboard.press("Shift+BracketLeft")   # '{': the passage starts one word later
    assert page.inner_text("#card .passage") == "Our link worker helped with the housing forms."
    page.keyboard.press("Shift+BracketRight")  # '}': and ends one word earlier
    assert page.inner_text("#card .passage") == "Our link worker helped with the housing forms"
    page.keyboard.press("BracketRight")        # ']': widened again to the end of "forms"
    press(page, "a")
    page.keyboard.press("k")
    page.keyboard.press("m")
    page.wait_for_selector("#memo-dialog[open]")
    page.keyboard.type("Housing forms, not benefits: <i>check</i>")
    press(page, "Control+Enter", "/api/memo")
    narrowed = find(study_dir, "Our link worker", "paperwork")
    assert (narrowed["status"], narrowed["text"]) == ("accepted", "Our link worker helped with the housing forms")
    assert narrowed["memo"] == "Housing forms, not benefits: <i>check</i>"
    sync_api.expect(page.locator("#card-memo")).to_have_text("memo: Housing forms, not benefits: <i>check</i>")
    assert page.problems == []


def test_code_a_selection_in_the_transcript_view(page, study_dir):
    page.click("#do-transcript")
    page.wait_for_selector("#transcript-panel:not([hidden]) .turn")
    page.evaluate("""() => {
        const wanted = "My neighbour checks on me every day";
        const walker = document.createTreeWalker(document.getElementById("transcript-text"), NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const at = node.data.indexOf(wanted);
            if (at >= 0) {
                const range = document.createRange();
                range.setStart(node, at); range.setEnd(node, at + wanted.length);
                window.getSelection().removeAllRanges(); window.getSelection().addRange(range);
                return;
            }
        }
        throw new Error("text not found");
    }""")
    page.keyboard.press("n")
    page.wait_for_selector("#picker[open]")
    page.keyboard.type("support")
    press(page, "Enter", "/api/manual")
    [manual] = segments(study_dir, code_id="support", status="manual")
    assert (manual["transcript_id"], manual["text"], manual["origin"]) == ("R01", "My neighbour checks on me every day",
                                                                            "manual")
    assert manual["decided_by"] == "alice"
    page.wait_for_selector("#transcript-text .coded >> text=My neighbour checks on me every day")
    page.click("button[data-code='support']")                   # the new coding is in its code's queue
    sync_api.expect(page.locator("#queue-progress")).to_have_text("0 of 3 reviewed")
    assert "manual" in page.inner_text("#list")
    assert page.problems == []


def test_a_set_aside_hit_is_one_key_away_and_restorable(page, study_dir):
    page.keyboard.press("s")
    page.wait_for_selector("#card[data-status='negated']")
    assert page.inner_text("#card .passage") == "felt lonely"
    assert "negated by 'never'" in page.inner_text("#card")
    assert page.inner_text("#card .fired") == "pattern: feel lonely"
    press(page, "a", "/api/restore")
    [restored] = segments(study_dir, code_id="isolation", transcript_id="R01")[1:]
    assert (restored["origin"], restored["text"], restored["decided_by"]) == (
        "restored", "I never felt lonely at the group.", "alice")
    assert page.problems == []


def test_transcript_text_is_shown_as_text_never_as_markup(page):
    page.click("button[data-code='paperwork']")
    sync_api.expect(page.locator("#queue-title")).to_have_text("Work > Paperwork")
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert page.inner_text("#card .passage") == \
        'Someone wrote <script>alert("x")</script> & <b>bold</b> on the form, but the support was good.'
    assert page.query_selector_all("#card script, #card b:not(.who b):not(.where b)") == []
    assert page.problems == []


def test_a_stale_page_is_told_to_reload_and_nothing_is_overwritten(browser, server, page, study_dir):
    other = browser.new_page()
    other.goto(server.url)
    other.wait_for_selector("body[data-ready='1']")
    press(page, "a")
    with other.expect_response(lambda r: "/api/decide" in r.url) as answer:
        other.keyboard.press("r")
    assert answer.value.status == 409
    other.wait_for_selector("#banner.stale:not([hidden])")
    assert "changed since the page loaded" in other.inner_text("#banner")
    assert other.is_visible("#banner-reload")
    assert find(study_dir, "I felt isolated")["status"] == "accepted"
    other.close()


def test_memos_on_the_study_and_on_a_transcript(page, study_dir):
    page.click("#study-memo")
    page.wait_for_selector("#memo-dialog[open]")
    page.keyboard.type("First pass looks over-inclusive on support.")
    with page.expect_response(lambda r: "/api/memo" in r.url):
        page.click("#memo-save")
    settled(page)
    page.keyboard.press("t")
    page.wait_for_selector("#transcript-panel:not([hidden]) .turn")
    page.click("#transcript-memo")
    page.keyboard.type("R01 moved house mid-study.")
    press(page, "Control+Enter", "/api/memo")
    with open_study(study_dir) as study:
        assert [(m["target"], m["target_id"], m["text"], m["coder"]) for m in study.memos()] == [
            ("study", "", "First pass looks over-inclusive on support.", "alice"),
            ("transcript", "R01", "R01 moved house mid-study.", "alice")]
    assert page.problems == []


def test_a_review_made_on_the_page_is_exactly_the_reports_coding(page, study_dir, tmp_path):
    import csv

    from click.testing import CliRunner

    from qualkit.cli import main

    press(page, "a")                                   # isolation: "I felt isolated after the move." accepted
    press(page, "r")                                   # isolation: "People feel isolated ..." rejected
    page.keyboard.press("s")                           # the set-aside hits of isolation
    page.wait_for_selector("#card[data-status='negated']")
    press(page, "a", "/api/restore")                   # "I never felt lonely at the group." restored
    page.click("button[data-code='paperwork']")
    sync_api.expect(page.locator("#queue-title")).to_have_text("Work > Paperwork")
    page.keyboard.press("c")
    page.keyboard.type("targets")
    press(page, "Enter")                               # "The paperwork for the new flat ..." recoded to targets
    result = CliRunner().invoke(main, ["run", "--study", str(study_dir), "--out", str(tmp_path / "reports"),
                                       "--themes", "1"])
    assert result.exit_code == 0, result.output
    with open(tmp_path / "reports" / "coded_segments.csv", encoding="utf-8") as handle:
        coded = [(row["code_id"], row["text"], row["status"], row["coder"]) for row in csv.DictReader(handle)]
    assert sorted(coded) == [
        ("isolation", "I felt isolated after the move.", "accepted", "alice"),
        ("isolation", "I never felt lonely at the group.", "manual", "alice"),
        ("targets", "The paperwork for the new flat never stopped.", "recoded", "alice"),
    ]
    assert "pending review" in result.output


def test_review_by_pattern_and_by_transcript(page, study_dir):
    page.click("#modes button[data-mode='pattern']")
    page.click("button[data-code='support']")
    page.click("button[data-pattern='help']")
    sync_api.expect(page.locator("#queue-title")).to_have_text("Wellbeing > Support · pattern help")
    sync_api.expect(page.locator("#queue-progress")).to_have_text("0 of 2 reviewed")
    assert page.inner_text("#card .passage") == "🙂 Our link worker helped with the housing forms."
    press(page, "a")
    assert page.inner_text("#card .passage") == "I help them fill in the form and we find support nearby."
    sync_api.expect(page.locator("#queue-progress")).to_have_text("1 of 2 reviewed")
    page.click("#modes button[data-mode='transcript']")
    page.click("button[data-transcript='R02']")
    sync_api.expect(page.locator("#queue-title")).to_have_text("Transcript R02")
    assert page.inner_text("#card .passage") == "The targets at work were impossible."
    assert page.inner_text("#card .where b") == "Work > Targets"
    assert find(study_dir, "🙂 Our link worker", "support")["status"] == "accepted"
    assert page.problems == []


def test_after_a_reload_undo_takes_back_your_decision_on_the_passage_shown(page, study_dir):
    press(page, "a")
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    assert page.inner_text("#card .passage") == "People feel isolated when the bus stops running."
    page.keyboard.press("k")
    assert page.get_attribute("#card", "data-status") == "accepted"
    press(page, "u")
    assert page.get_attribute("#card", "data-status") == "pending"
    assert find(study_dir, "I felt isolated")["status"] == "pending"
    assert page.problems == []
