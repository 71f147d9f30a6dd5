"""HTTP mode for development and tests: the Slack WSGI app (adapters/slack/wsgi.py, which checks
signatures and replays before Bolt) on a threaded HTTP/1.1 server from the standard library.
Production runs the same WSGI app under gunicorn with worker processes (bots/serve.py).
"""

from __future__ import annotations

import io
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from adapters.slack.app import SlackParts
from adapters.slack.wsgi import EVENTS_PATH, MAX_BODY, SlackWsgi

__all__ = ["EVENTS_PATH", "SlackHttpServer"]


class SlackHttpServer(ThreadingHTTPServer):
    """The WSGI app (adapters/slack/wsgi.py) on the standard library's threaded server: for tests and
    a quick local run. Production serves the same app under gunicorn (`--workers N`)."""

    daemon_threads = True
    request_queue_size = 256  # 50+ clients connecting at once must not be refused by the listen backlog

    def __init__(self, parts: SlackParts, host: str = "0.0.0.0", port: int = 3000,
                 clock: Callable[[], float] = time.time, *, app: SlackWsgi | None = None) -> None:
        self.parts = parts
        self.app = app or SlackWsgi(parts, clock=clock)
        super().__init__((host, port), _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def start_in_background(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="slack-http", daemon=True)
        thread.start()
        return thread


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a client reuses its connection
    wbufsize = -1  # buffered: headers and body leave in one write when the request is done
    server: SlackHttpServer

    def setup(self) -> None:
        super().setup()
        # Answers are small: without this, Nagle's algorithm holds a reply's last segment until the
        # client's delayed ACK (~40 ms) on every keep-alive request.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self._run(b"")

    def do_POST(self) -> None:
        raw = (self.headers.get("content-length") or "0").strip()
        if not raw.isdigit() or not raw.isascii():
            self.close_connection = True  # the body's end is unknown: the connection cannot be reused
            self._reply("400 Bad Request", [], b"bad content-length")
            return
        length = int(raw)
        if length > MAX_BODY:
            self.close_connection = True
            self._reply("413 Request Entity Too Large", [], b"too large")
            return
        self._run(self.rfile.read(length) if length else b"")

    def _run(self, body: bytes) -> None:
        path, _, query = self.path.partition("?")
        environ: dict[str, Any] = {
            "REQUEST_METHOD": self.command, "PATH_INFO": path, "QUERY_STRING": query,
            "SERVER_PROTOCOL": self.request_version, "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": self.headers.get("content-type", ""), "wsgi.input": io.BytesIO(body),
        }
        for key, value in self.headers.items():
            name = "HTTP_" + key.upper().replace("-", "_")
            if name not in ("HTTP_CONTENT_LENGTH", "HTTP_CONTENT_TYPE"):
                environ[name] = value
        started: list[tuple[str, list[tuple[str, str]]]] = []
        chunks = self.server.app(environ, lambda status, headers, *_: started.append((status, headers)))  # type: ignore[arg-type]
        status, headers = started[0]
        self._reply(status, headers, b"".join(chunks))

    def _reply(self, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
        code, _, phrase = status.partition(" ")
        self.send_response(int(code), phrase)
        for key, value in headers:
            if key.lower() != "content-length":
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        # The default writes every request line to stderr; OAuth query strings carry codes.
        pass
