"""Serving the review page: werkzeug's threaded server on 127.0.0.1 only, at a URL carrying a random token."""

from __future__ import annotations

import errno
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server

from qualkit.errors import ReviewError
from qualkit.review.app import create_app
from qualkit.store import check_coder

HOST = "127.0.0.1"


class QuietHandler(WSGIRequestHandler):
    """Log no requests: the terminal is for the page's address, not for every click."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


@dataclass
class ReviewServer:
    """A running review page: ``url`` (with its token) to open, ``serve_forever`` / ``shutdown`` to run it."""

    url: str
    port: int
    coder: str
    server: Any = field(repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    def serve_forever(self) -> None:
        """Serve until interrupted (Ctrl+C) or ``shutdown`` is called from another thread."""
        self.server.serve_forever()

    def start(self) -> "ReviewServer":
        """Serve in a background thread (for notebooks and tests); returns self."""
        self._thread = threading.Thread(target=self.server.serve_forever, name="qualkit-review", daemon=True)
        self._thread.start()
        return self

    def shutdown(self) -> None:
        """Stop serving and release the port."""
        if self._thread is not None:
            self.server.shutdown()
            self._thread.join(timeout=10)
            self._thread = None
        self.server.server_close()


def make_review_server(study_path: str | Path, *, coder: str, port: int = 0) -> ReviewServer:
    """Bind the review page of a study to 127.0.0.1:``port`` (0: any free port) for one coder."""
    check_coder(coder)
    if not 0 <= port <= 65535:
        raise ReviewError(f"port {port} is not between 0 and 65535")
    app = create_app(study_path, coder=coder)
    try:
        server = make_server(HOST, port, app, threaded=True, request_handler=QuietHandler)
    except OSError as exc:
        if exc.errno in (errno.EADDRINUSE, errno.EACCES):
            raise ReviewError(f"port {port} on {HOST} is in use or not allowed: choose another with --port") from None
        raise ReviewError(f"cannot serve the review page on {HOST}:{port}: {exc.strerror or exc}") from None
    bound = server.server_port
    return ReviewServer(f"http://{HOST}:{bound}/?token={app.config['REVIEW_TOKEN']}", bound, coder, server)
