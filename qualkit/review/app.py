"""The review page as a Flask app: a thin client of the study store, behind a token and CSRF checks.

Every request must carry the server's random token (``?token=``, the ``X-Review-Token`` header, or the
cookie the page sets); every changing request must also carry the page's CSRF token in ``X-CSRF-Token``
and come from the page's own origin; the Host must be 127.0.0.1 or localhost (no DNS rebinding).
Transcript text reaches the browser only as JSON and is put on the page as text, never as markup.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, abort, jsonify, render_template, request

from qualkit.errors import QualkitError, StaleDecisionError
from qualkit.review import views
from qualkit.store import check_coder, open_study
from qualkit.transcript import trim_span

HERE = Path(__file__).resolve().parent
LOCAL_HOSTS = ("127.0.0.1", "localhost")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
DECISIONS = ("accept", "reject", "recode", "undo")
MEMO_TARGETS = ("study", "code", "transcript", "segment")
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")


def create_app(study_path: str | Path, *, coder: str, token: str | None = None) -> Flask:
    """Return the review app for one study and one coder; ``app.config['REVIEW_TOKEN']`` is its token."""
    check_coder(coder)
    app = Flask("qualkit.review", root_path=str(HERE), template_folder="templates", static_folder="static")
    app.json.sort_keys = False  # type: ignore[attr-defined]
    token = token or secrets.token_urlsafe(32)
    app.config.update(REVIEW_TOKEN=token, REVIEW_CSRF=secrets.token_urlsafe(32), REVIEW_CODER=coder,
                      REVIEW_STUDY=str(study_path),
                      REVIEW_COOKIE="qualkit_review_" + hashlib.sha256(token.encode()).hexdigest()[:12])
    # One handle for the app's life: the store gives each thread its own connection, and the server's
    # threads are a fixed pool, so the connections are few and the transcripts are read once.
    app.extensions["qualkit_study"] = open_study(study_path)   # a bad folder fails now, not on a request
    cache = views.TranscriptCache()

    @app.before_request
    def _guard() -> None:
        _check_host()
        _check_token(app)
        if request.method not in SAFE_METHODS:
            _check_same_origin(app)

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(403)
    def _forbidden(error: Any) -> tuple[Response, int]:
        return jsonify(error=getattr(error, "description", "forbidden")), 403

    @app.get("/")
    def page() -> Response:
        html = render_template("review.html", token=app.config["REVIEW_TOKEN"], csrf=app.config["REVIEW_CSRF"],
                               coder=coder, study=Path(app.config["REVIEW_STUDY"]).resolve().name)
        response = Response(html, mimetype="text/html")
        response.set_cookie(app.config["REVIEW_COOKIE"], app.config["REVIEW_TOKEN"], httponly=True,
                            samesite="Strict", path="/")
        return response

    @app.get("/api/overview")
    def overview() -> Response:
        return jsonify(views.overview(_study(app), cache, coder=coder))

    @app.get("/api/progress")
    def progress() -> Response:
        return jsonify(views.progress(_study(app), coder=coder if _flag("mine") else None))

    @app.get("/api/queue")
    def queue() -> Response:
        mode, key = request.args.get("mode", "code"), request.args.get("key", "")
        status = request.args.get("status") or None
        if mode not in views.MODES or (status and status not in views.STATUSES):
            abort(400, f"unknown mode {mode!r} or status {status!r}")
        return jsonify(views.queue(_study(app), cache, mode=mode, key=key, pattern=request.args.get("pattern"),
                                   status=status, coder=coder if _flag("mine") else None))

    @app.get("/api/patterns")
    def patterns() -> Response:
        return jsonify(items=views.patterns_of(_study(app), request.args.get("code_id", ""),
                                               coder=coder if _flag("mine") else None))

    @app.get("/api/set_aside")
    def set_aside() -> Response:
        return jsonify(items=views.set_aside(_study(app), cache, request.args.get("code_id", "")))

    @app.get("/api/transcript/<path:transcript_id>")
    def transcript(transcript_id: str) -> Response:
        return jsonify(views.transcript_view(_study(app), cache, transcript_id))

    @app.get("/api/history/<path:segment_id>")
    def history(segment_id: str) -> Response:
        return jsonify(items=_study(app).history(segment_id))

    @app.post("/api/decide")
    def decide() -> Response:
        body = _body()
        decision = body.get("decision")
        if decision not in DECISIONS:
            abort(400, f"unknown decision {decision!r} (choose {', '.join(DECISIONS)})")
        segment = _study(app).decide(
            _text(body, "segment_id"), decision, coder=coder, recode_to=body.get("recode_to") or None,
            memo=body.get("memo") or None, start=_int(body, "start", optional=True), end=_int(body, "end", optional=True),
            expected_version=_int(body, "version", optional=True))
        return jsonify(views.passage(_study(app), cache, segment))

    @app.post("/api/manual")
    def manual() -> Response:
        body = _body()
        transcript_id = _text(body, "transcript_id")
        text = cache.get(_study(app), transcript_id)["text"]
        start, end = trim_span(text, _int(body, "start"), _int(body, "end"))
        if not 0 <= start < end <= len(text):
            abort(400, "select some words of the transcript first")
        segment = _study(app).add_manual(transcript_id, _text(body, "code_id"), start, end, coder=coder,
                                         memo=body.get("memo") or None)
        return jsonify(views.passage(_study(app), cache, segment))

    @app.post("/api/restore")
    def restore() -> Response:
        body = _body()
        segment = _study(app).restore_set_aside(_text(body, "hit_id"), coder=coder, memo=body.get("memo") or None)
        return jsonify(views.passage(_study(app), cache, segment))

    @app.post("/api/memo")
    def memo() -> Response:
        body = _body()
        target = body.get("target")
        if target not in MEMO_TARGETS:
            abort(400, f"unknown memo target {target!r}")
        memo_id = _study(app).add_memo(target, body.get("target_id") or "", _text(body, "text"), coder=coder)
        return jsonify(memo_id=memo_id)

    @app.errorhandler(StaleDecisionError)
    def _stale(error: StaleDecisionError) -> tuple[Response, int]:
        return jsonify(error=str(error)), 409

    @app.errorhandler(QualkitError)
    def _refused(error: QualkitError) -> tuple[Response, int]:
        return jsonify(error=str(error)), 400

    @app.errorhandler(400)
    def _bad(error: Any) -> tuple[Response, int]:
        return jsonify(error=getattr(error, "description", "bad request")), 400

    return app


def _study(app: Flask) -> Any:
    """The app's study handle (its connection is this thread's own)."""
    return app.extensions["qualkit_study"]


def close_app(app: Flask) -> None:
    """Close the app's study handle and every connection it opened."""
    study = app.extensions.pop("qualkit_study", None)
    if study is not None:
        study.close()


def _check_host() -> None:
    host = (request.host or "").rsplit(":", 1)[0].strip("[]")
    if host not in LOCAL_HOSTS:
        abort(403, f"host {request.host!r} is not this computer's review page")


def _check_token(app: Flask) -> None:
    expected = app.config["REVIEW_TOKEN"]
    given = (request.args.get("token") or request.headers.get("X-Review-Token")
             or request.cookies.get(app.config["REVIEW_COOKIE"]) or "")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        abort(403, "this review page needs the link with its token (printed by `qualkit review`)")


def _check_same_origin(app: Flask) -> None:
    if not hmac.compare_digest(request.headers.get("X-CSRF-Token", "").encode(), app.config["REVIEW_CSRF"].encode()):
        abort(403, "a change must come from the review page itself (CSRF token missing or wrong)")
    origin = request.headers.get("Origin") or _origin_of(request.headers.get("Referer"))
    if origin and origin != f"{request.scheme}://{request.host}":
        abort(403, f"a change from {origin} is refused: only the review page may change the study")


def _origin_of(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _flag(name: str) -> bool:
    return request.args.get(name, "") in ("1", "true", "yes")


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, "expected a JSON object")
    return body


def _text(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        abort(400, f"missing {name}")
    return value


def _int(body: dict[str, Any], name: str, *, optional: bool = False) -> Any:
    value = body.get(name)
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        abort(400, f"{name} must be a whole number")
    return value

