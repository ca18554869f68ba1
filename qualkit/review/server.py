"""Serving the review page: werkzeug's threaded server on 127.0.0.1 only, at a URL carrying a random token."""

from __future__ import annotations

import errno
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler

from qualkit.errors import ReviewError
from qualkit.review.app import close_app, create_app
from qualkit.store import check_coder

HOST = "127.0.0.1"


WORKERS = 8


class QuietHandler(WSGIRequestHandler):
    """One request per connection (no keep-alive holding a worker), and no request log: the terminal is
    for the page's address, not for every click."""

    protocol_version = "HTTP/1.0"

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class PooledWSGIServer(BaseWSGIServer):
    """werkzeug's server answering requests on a fixed pool of threads (each keeps its database connection)."""

    multithread = True

    def __init__(self, listening: socket.socket, app: Any) -> None:
        self.pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="qualkit-review")
        host, port = listening.getsockname()[:2]
        super().__init__(host, port, app, handler=QuietHandler, fd=listening.fileno())

    def process_request(self, request: Any, client_address: Any) -> None:
        self.pool.submit(self._answer, request, client_address)

    def _answer(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)

    def close(self) -> None:
        """Close the socket and wait for the requests being answered."""
        self.server_close()
        self.pool.shutdown(wait=True)


@dataclass
class ReviewServer:
    """A running review page: ``url`` (with its token) to open, ``serve_forever`` / ``shutdown`` to run it."""

    url: str
    port: int
    coder: str
    server: Any = field(repr=False)
    app: Any = field(repr=False)
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
        self.server.close()
        close_app(self.app)


def make_review_server(study_path: str | Path, *, coder: str, port: int = 0) -> ReviewServer:
    """Bind the review page of a study to 127.0.0.1:``port`` (0: any free port) for one coder."""
    check_coder(coder)
    if not 0 <= port <= 65535:
        raise ReviewError(f"port {port} is not between 0 and 65535")
    app = create_app(study_path, coder=coder)
    listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        listening.bind((HOST, port))   # bound here, so a port in use is an error, not werkzeug's exit
        listening.listen(64)
        server = PooledWSGIServer(listening, app)
    except OSError as exc:
        close_app(app)
        if exc.errno in (errno.EADDRINUSE, errno.EACCES):
            raise ReviewError(f"port {port} on {HOST} is in use or not allowed: choose another with --port") from None
        raise ReviewError(f"cannot serve the review page on {HOST}:{port}: {exc.strerror or exc}") from None
    finally:
        listening.close()   # the server holds its own duplicate of the socket
    bound = server.port
    return ReviewServer(f"http://{HOST}:{bound}/?token={app.config['REVIEW_TOKEN']}", bound, coder, server, app)
