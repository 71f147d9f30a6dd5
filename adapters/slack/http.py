"""HTTP mode: a threaded HTTP/1.1 server in front of the Bolt app.

`POST /slack/events` takes events, slash commands and interactivity; `GET /healthz` answers "ok";
`/slack/install` and `/slack/oauth_redirect` run the OAuth install when the app is multi-workspace.
A request's signature is checked here first, and a signature already used is refused, so a forged
or replayed request gets 401 before the Bolt app (and the Desk) ever sees it.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from slack_bolt import BoltRequest, BoltResponse
from slack_sdk.signature import SignatureVerifier
from sqlalchemy.exc import SQLAlchemyError

from adapters.slack.app import SlackParts

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
MAX_BODY = 1_000_000


class _Clock:
    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now

    def now(self) -> float:
        return self._now()


class SlackHttpServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # 50+ clients connecting at once must not be refused by the listen backlog

    def __init__(self, parts: SlackParts, host: str = "0.0.0.0", port: int = 3000,
                 clock: Callable[[], float] = time.time) -> None:
        self.parts = parts
        self.verifier = SignatureVerifier(parts.config.signing_secret, clock=_Clock(clock))  # type: ignore[arg-type]
        super().__init__((host, port), _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def start_in_background(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="slack-http", daemon=True)
        thread.start()
        return thread

    def handle_events(self, body: bytes, query: str, headers: dict[str, str | Sequence[str]]) -> BoltResponse:
        timestamp = _first(headers.get("x-slack-request-timestamp"))
        signature = _first(headers.get("x-slack-signature"))
        if not signature or not self.verifier.is_valid(body, timestamp, signature):
            return BoltResponse(status=401, body="invalid signature")
        try:
            first = self.parts.signatures.first_time(f"sig:{timestamp}:{signature}")
        except SQLAlchemyError as err:
            # Without the database a replay cannot be told apart: refuse, and Slack shows a failure.
            log.error("replay check failed: %s", type(err).__name__)
            return BoltResponse(status=503, body="temporarily unavailable")
        if not first:
            log.warning("refused a replayed request")
            return BoltResponse(status=401, body="replayed request")
        try:
            request = BoltRequest(body=body.decode("utf-8"), query=query, headers=headers)
            return self.parts.app.dispatch(request)
        except Exception as err:
            # The exception type only: payloads carry what people typed.
            log.error("dispatch failed: %s", type(err).__name__)
            return BoltResponse(status=500, body="internal error")

    def handle_oauth(self, path: str, query: str,
                     headers: dict[str, str | Sequence[str]]) -> BoltResponse | None:
        flow = self.parts.app.oauth_flow
        if flow is None:
            return None
        request = BoltRequest(body="", query=query, headers=headers)
        if path == flow.install_path:
            return flow.handle_installation(request)
        if path == flow.redirect_uri_path:
            return flow.handle_callback(request)
        return None


def _first(value: str | Sequence[str] | None) -> str:
    if value is None or isinstance(value, str):
        return value or ""
    return value[0] if value else ""


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
        path, _, query = self.path.partition("?")
        if path == "/healthz":
            self._send(BoltResponse(status=200, body="ok", headers={"content-type": "text/plain"}))
            return
        response = self.server.handle_oauth(path, query, self._headers())
        self._send(response or BoltResponse(status=404, body="not found"))

    def do_POST(self) -> None:
        path, _, query = self.path.partition("?")
        length = int(self.headers.get("content-length") or 0)
        if length > MAX_BODY:
            self.close_connection = True
            self._send(BoltResponse(status=413, body="too large"))
            return
        body = self.rfile.read(length) if length else b""
        if path != EVENTS_PATH:
            self._send(BoltResponse(status=404, body="not found"))
            return
        self._send(self.server.handle_events(body, query, self._headers()))

    def _headers(self) -> dict[str, str | Sequence[str]]:
        out: dict[str, list[str]] = {}
        for key, value in self.headers.items():
            out.setdefault(key.lower(), []).append(value)
        return dict(out)

    def _send(self, response: BoltResponse) -> None:
        raw = response.body
        body = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw or b"")
        self.send_response(response.status)
        for key, values in response.headers.items():
            if key.lower() == "content-length":
                continue
            for value in values:
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        # The default writes every request line to stderr; OAuth query strings carry codes.
        pass
