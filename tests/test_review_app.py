"""The review page's server: bound to 127.0.0.1, refuses requests without its token, refuses changes from
anywhere but the page itself, tells a stale page to reload; its data by code, transcript and pattern."""

from __future__ import annotations

import http.client
import json
import signal
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from qualkit.cli import main
from qualkit.errors import ReviewError
from qualkit.store import open_study
from tests.test_review_support import dump, find, review_template, study_dir  # noqa: F401  (fixtures)

pytest.importorskip("flask", reason="flask is not installed (pip install -e '.[review]')")


@pytest.fixture()
def server(study_dir: Path):
    from qualkit.review import make_review_server

    running = make_review_server(study_dir, coder="alice").start()
    yield running
    running.shutdown()


def request(server, method: str, path: str, *, token: bool = True, body: dict | None = None,
            headers: dict | None = None) -> tuple[int, dict | str, http.client.HTTPResponse]:
    """Send one request to the running page; return status, decoded body and the response."""
    token_value = server.app.config["REVIEW_TOKEN"]
    sent = {"Host": f"127.0.0.1:{server.port}", **({"X-Review-Token": token_value} if token else {}), **(headers or {})}
    if body is not None:
        sent["Content-Type"] = "application/json"
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=sent)
    response = connection.getresponse()
    raw = response.read().decode("utf-8")
    connection.close()
    is_json = response.getheader("Content-Type", "").startswith("application/json")
    return response.status, json.loads(raw) if is_json else raw, response


def changing(server, **extra: str) -> dict:
    """The headers the page itself sends with a change."""
    return {"X-CSRF-Token": server.app.config["REVIEW_CSRF"], "Origin": f"http://127.0.0.1:{server.port}", **extra}


def test_the_server_listens_on_127_0_0_1_only_at_a_url_with_a_long_random_token(server):
    assert server.server.server_address[0] == "127.0.0.1"
    parts = urlsplit(server.url)
    assert (parts.scheme, parts.hostname, parts.port, parts.path) == ("http", "127.0.0.1", server.port, "/")
    assert parts.query.startswith("token=") and len(parts.query) > 40


@pytest.mark.parametrize("path", ["/", "/api/overview", "/static/review.js", "/api/transcript/R01"])
def test_a_request_without_the_token_is_refused(server, path):
    status, body, _ = request(server, "GET", path, token=False)
    assert status == 403
    assert body == {"error": "this review page needs the link with its token (printed by `qualkit review`)"}
    status, _, _ = request(server, "GET", path + ("&" if "?" in path else "?") + "token=wrong", token=False)
    assert status == 403


def test_the_page_sets_a_cookie_that_carries_the_token_for_later_requests(server):
    status, html, response = request(server, "GET", "/?token=" + server.app.config["REVIEW_TOKEN"], token=False)
    assert status == 200 and "qualkit review" in html
    cookie = response.getheader("Set-Cookie")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert response.getheader("Content-Security-Policy").startswith("default-src 'none'; script-src 'self'")
    assert "R01" not in html  # the shell holds no transcript data: it arrives as JSON and is set as text
    status, _, _ = request(server, "GET", "/api/overview", token=False, headers={"Cookie": cookie.split(";")[0]})
    assert status == 200


def test_a_request_for_another_host_name_is_refused(server):
    # DNS rebinding: a page on evil.example resolving to 127.0.0.1 still says Host: evil.example.
    status, body, _ = request(server, "GET", "/api/overview", headers={"Host": f"evil.example:{server.port}"})
    assert (status, body) == (403, {"error": f"host 'evil.example:{server.port}' is not this computer's review page"})


@pytest.mark.parametrize("headers,message", [
    ({}, "a change must come from the review page itself (CSRF token missing or wrong)"),
    ({"X-CSRF-Token": "guess"}, "a change must come from the review page itself (CSRF token missing or wrong)"),
    ({"CSRF": True, "Origin": "http://evil.example"},
     "a change from http://evil.example is refused: only the review page may change the study"),
    ({"CSRF": True, "Origin": "null"}, "a change from null is refused: only the review page may change the study"),
])
def test_a_change_from_anywhere_but_the_page_is_refused_and_writes_nothing(server, study_dir, headers, message):
    if headers.pop("CSRF", False):
        headers["X-CSRF-Token"] = server.app.config["REVIEW_CSRF"]
    segment = find(study_dir, "I felt isolated")
    before = dump(study_dir)
    status, body, _ = request(server, "POST", "/api/decide", body={"segment_id": segment["segment_id"],
                                                                   "decision": "accept"}, headers=headers)
    assert (status, body) == (403, {"error": message})
    assert dump(study_dir) == before


def test_a_decision_from_the_page_is_saved_under_the_servers_coder(server, study_dir):
    segment = find(study_dir, "I felt isolated")
    status, body, _ = request(server, "POST", "/api/decide", headers=changing(server),
                              body={"segment_id": segment["segment_id"], "decision": "accept", "version": 0})
    assert status == 200
    assert (body["status"], body["decided_by"], body["version"]) == ("accepted", "alice", 1)
    assert find(study_dir, "I felt isolated")["decided_by"] == "alice"


def test_a_decision_on_a_segment_changed_since_the_page_loaded_gets_409(server, study_dir):
    segment = find(study_dir, "I felt isolated")
    with open_study(study_dir) as study:
        study.decide(segment["segment_id"], "reject", coder="bob")
    status, body, _ = request(server, "POST", "/api/decide", headers=changing(server),
                              body={"segment_id": segment["segment_id"], "decision": "accept", "version": 0})
    assert (status, body) == (409, {"error": f"segment {segment['segment_id']} changed since the page loaded: reload"})
    assert find(study_dir, "I felt isolated")["status"] == "rejected"


@pytest.mark.parametrize("body,message", [
    ({"segment_id": "s1", "decision": "maybe"}, "unknown decision 'maybe' (choose accept, reject, recode, undo)"),
    ({"segment_id": "nosuch", "decision": "accept"}, "unknown segment id 'nosuch'"),
    ({"segment_id": "SEG", "decision": "recode", "recode_to": "nosuch"},
     "unknown code id 'nosuch' (not in the study's current codebook)"),
    ({"segment_id": "SEG", "decision": "accept", "start": "0", "end": 5}, "start must be a whole number"),
])
def test_a_bad_decision_is_refused_with_its_reason(server, study_dir, body, message):
    body = {k: find(study_dir, "I felt isolated")["segment_id"] if v == "SEG" else v for k, v in body.items()}
    before = dump(study_dir)
    status, answer, _ = request(server, "POST", "/api/decide", headers=changing(server), body=body)
    assert (status, answer) == (400, {"error": message})
    assert dump(study_dir) == before


def test_queues_by_code_by_transcript_and_by_pattern(server):
    _, by_code, _ = request(server, "GET", "/api/queue?mode=code&key=support")
    assert [(i["transcript_id"], i["patterns"]) for i in by_code["items"]] == [
        ("R01", ["help"]), ("R01", ["support"]), ("R02", ["help", "support"])]
    _, by_pattern, _ = request(server, "GET", "/api/queue?mode=pattern&key=support&pattern=help")
    assert [i["segment_id"] for i in by_pattern["items"]] == [by_code["items"][0]["segment_id"],
                                                               by_code["items"][2]["segment_id"]]
    _, by_transcript, _ = request(server, "GET", "/api/queue?mode=transcript&key=R02")
    assert [i["code_id"] for i in by_transcript["items"]] == [
        "targets", "targets", "paperwork", "isolation", "paperwork", "support"]
    first = by_code["items"][0]
    assert (first["speaker"], first["group"], first["context"]["text"][:30]) == (
        "R01", "service user", "I felt isolated after the move")
    _, patterns, _ = request(server, "GET", "/api/patterns?code_id=support")
    assert patterns == {"items": [{"pattern": "help", "reviewed": 0, "total": 2},
                                  {"pattern": "support", "reviewed": 0, "total": 2}]}


def test_progress_counts_each_coder_or_everyone(server, study_dir):
    with open_study(study_dir) as study:
        study.decide(find(study_dir, "I felt isolated")["segment_id"], "accept", coder="bob")
    _, everyone, _ = request(server, "GET", "/api/progress")
    _, mine, _ = request(server, "GET", "/api/progress?mine=1")
    assert everyone == {"isolation": {"reviewed": 1, "total": 2}, "support": {"reviewed": 0, "total": 3},
                        "targets": {"reviewed": 0, "total": 2}, "paperwork": {"reviewed": 0, "total": 5}}
    assert mine["isolation"] == {"reviewed": 0, "total": 2}
    _, queue, _ = request(server, "GET", "/api/queue?mode=code&key=isolation&status=pending")
    assert [i["segment_id"] for i in queue["items"]] == [find(study_dir, "People feel isolated")["segment_id"]]
    assert queue["progress"] == {"reviewed": 1, "total": 2}
    _, overview, _ = request(server, "GET", "/api/overview")
    assert overview["coder"] == "alice" and overview["coders"] == ["bob"]
    assert [c["code_id"] for c in overview["codes"]] == ["isolation", "support", "targets", "paperwork"]


def test_the_review_library_loads_flask_only_for_the_page():
    code = "import sys, qualkit.review; print('flask' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout == "False\n"


def test_without_flask_the_page_says_which_extra_to_install(study_dir):
    code = ("import sys; sys.modules['flask'] = None\n"
            "from click.testing import CliRunner\nfrom qualkit.cli import main\n"
            f"r = CliRunner().invoke(main, ['review', {str(study_dir)!r}, '--no-browser', '--coder', 'alice'])\n"
            "print(r.exit_code, r.output, end='')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout == "1 Error: the review page needs Flask: pip install 'qualkit[review]' (the review sheet does not)\n"


def test_a_port_in_use_is_refused_with_one_line(study_dir):
    from qualkit.review import make_review_server

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ReviewError, match=rf"^port {port} on 127.0.0.1 is in use or not allowed: choose another "
                                              r"with --port$"):
            make_review_server(study_dir, coder="alice", port=port)
        result = CliRunner().invoke(main, ["review", str(study_dir), "--port", str(port), "--no-browser",
                                           "--coder", "alice"])
    assert (result.exit_code, result.output) == (
        1, f"Error: port {port} on 127.0.0.1 is in use or not allowed: choose another with --port\n")


@pytest.mark.parametrize("args,message", [
    (["review", "{tmp}", "--no-browser", "--coder", "alice"],
     "Error: {tmp}: not a qualkit study folder (no study.sqlite; make one with 'qualkit study init')\n"),
    (["review", "{study}", "--no-browser", "--coder", "al ice"],
     "Error: unknown coder name format: 'al ice' (a letter, then up to 39 letters, digits, '_', '.' or '-')\n"),
    (["review", "{study}", "--no-browser", "--coder", "alice", "--port", "70000"],
     "Error: port 70000 is not between 0 and 65535\n"),
])
def test_review_refuses_bad_input_with_one_line(study_dir, tmp_path, args, message):
    names = {"study": str(study_dir), "tmp": str(tmp_path)}
    result = CliRunner().invoke(main, [a.format(**names) for a in args])
    assert (result.exit_code, result.output) == (1, message.format(**names))


@pytest.mark.parametrize("inherited", [signal.SIG_DFL, signal.SIG_IGN], ids=["from a terminal", "from a background job"])
def test_qualkit_review_serves_the_page_until_interrupted(study_dir, inherited):
    """Ctrl+C stops it, also when started as a shell's background job (which starts it with SIGINT ignored)."""
    command = [sys.executable, "-c", "from qualkit.cli import main; main()", "review", str(study_dir), "--no-browser",
               "--coder", "alice"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, inherited))
    try:
        line = process.stdout.readline()
        assert line.startswith(f"Reviewing {study_dir} as alice at http://127.0.0.1:")
        url = urlsplit(line.split(" at ", 1)[1].strip())
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        connection.request("GET", f"/api/overview?{url.query}")
        answer = json.loads(connection.getresponse().read())
        assert [c["code_id"] for c in answer["codes"]] == ["isolation", "support", "targets", "paperwork"]
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert err == ""
