"""Slack over HTTP as a WSGI application, for a production server (gunicorn; see bots/serve.py).

It is Bolt's own WSGI adapter (`slack_bolt.adapter.wsgi.SlackRequestHandler`) with a guard in front:
`POST /slack/events` is answered 400 when the request is malformed (a bad Content-Length, a body that
is not UTF-8, a signed payload Bolt cannot parse), 401 when the signature is missing, wrong, stale
or already used (the used signatures live in the database, so a replay is refused whichever worker
or replica it reaches), and only then reaches Bolt and the Desk. Besides: `GET /healthz` (alive),
`GET /readyz` (database reachable, data loaded) and `GET /metrics` (Prometheus)."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_sdk.signature import SignatureVerifier
from sqlalchemy.exc import SQLAlchemyError

from adapters.slack.app import SlackParts
from core import logsafe

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
MAX_BODY = 1_000_000
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


@dataclass(frozen=True)
class Readiness:
    ready: bool
    reason: str = ""  # what is not ready, for the probe's body and the operator; never personal data


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    content_type: str = "text/plain; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()


class _Clock:
    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now

    def now(self) -> float:
        return self._now()


class SlackWsgi(SlackRequestHandler):
    """The WSGI callable gunicorn serves. `ready` and `metrics` come from the process wiring."""

    def __init__(self, parts: SlackParts, *, ready: Callable[[], Readiness] | None = None,
                 metrics: Callable[[], tuple[bytes, str]] | None = None,
                 observe: Callable[[str, int, float], None] | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        super().__init__(parts.app, EVENTS_PATH)
        self.parts = parts
        self.ready = ready or (lambda: Readiness(True))
        self.metrics = metrics
        self.observe = observe  # (route, status, seconds) for the HTTP metrics
        self.verifier = SignatureVerifier(parts.config.signing_secret, clock=_Clock(clock))  # type: ignore[arg-type]

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        given = str(environ.get("HTTP_X_REQUEST_ID", ""))
        with logsafe.request_scope(given if _REQUEST_ID.fullmatch(given) else "") as rid:
            path = str(environ.get("PATH_INFO", ""))
            try:
                answer = self.route(environ, path)
            except Exception as exc:  # the server must answer; the type and place only in the log
                log.error("slack http request failed error=%s", logsafe.describe(exc))
                answer = Answer(500, b"internal error")
            start_response(_status_line(answer.status),
                           [("Content-Type", answer.content_type), ("Content-Length", str(len(answer.body))),
                            ("X-Request-Id", rid), *answer.headers])
            if self.observe is not None:
                self.observe(path if path in (EVENTS_PATH, "/healthz", "/readyz", "/metrics") else "other",
                             answer.status, time.perf_counter() - started)
            return [answer.body]

    def route(self, environ: WSGIEnvironment, path: str) -> Answer:
        method = str(environ.get("REQUEST_METHOD", "GET"))
        if method == "GET" and path == "/healthz":
            return Answer(200, b"ok")
        if method == "GET" and path == "/readyz":
            state = self.ready()
            return Answer(200, b"ready") if state.ready else Answer(503, f"not ready: {state.reason}".encode())
        if method == "GET" and path == "/metrics" and self.metrics is not None:
            body, content_type = self.metrics()
            return Answer(200, body, content_type)
        if method == "POST" and path == EVENTS_PATH:
            return self.events(environ)
        if method == "GET":
            response = self._get_http_response(WsgiHttpRequest(environ))  # Bolt's OAuth install pages
            body = b"".join(response.get_body())
            headers = tuple((k, v) for k, v in response.get_headers() if k.lower() not in ("content-length",
                                                                                            "content-type"))
            kind = next((v for k, v in response.get_headers() if k.lower() == "content-type"), "text/plain")
            return Answer(int(response.status.split()[0]), body, kind, headers)
        return Answer(404, b"not found")

    def events(self, environ: WSGIEnvironment) -> Answer:
        raw_length = str(environ.get("CONTENT_LENGTH") or "0").strip()
        if not raw_length.isdigit() or not raw_length.isascii():
            return Answer(400, b"bad content-length")
        length = int(raw_length)
        if length > MAX_BODY:
            return Answer(413, b"too large")
        body = environ["wsgi.input"].read(length) if length else b""
        if len(body) != length:
            return Answer(400, b"incomplete body")
        timestamp = str(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")).strip()
        signature = str(environ.get("HTTP_X_SLACK_SIGNATURE", "")).strip()
        if not timestamp.isdigit() or not timestamp.isascii() or not signature:
            return Answer(401, b"invalid signature")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return Answer(400, b"body is not UTF-8")  # Slack always sends UTF-8
        try:
            valid = self.verifier.is_valid(text, timestamp, signature)
        except (ValueError, TypeError, OverflowError):
            valid = False
        if not valid:
            return Answer(401, b"invalid signature")
        try:
            first = self.parts.signatures.first_time(f"sig:{timestamp}:{signature}")
        except SQLAlchemyError as err:
            # Without the database a replay cannot be told apart: refuse, and Slack shows a failure.
            log.error("replay check failed: %s", type(err).__name__)
            return Answer(503, b"temporarily unavailable")
        if not first:
            log.warning("refused a replayed request")
            return Answer(401, b"replayed request")
        headers = WsgiHttpRequest(environ).get_headers()
        try:
            request = BoltRequest(body=text, query=str(environ.get("QUERY_STRING", "")), headers=headers)
        except (ValueError, TypeError, KeyError, AttributeError):
            return Answer(400, b"malformed payload")  # signed, but not a payload Slack sends
        if not isinstance(request.body, dict) or (text.startswith("payload=") and not request.body):
            return Answer(400, b"malformed payload")
        try:
            response = self.app.dispatch(request)
        except Exception as err:
            log.error("dispatch failed error=%s", logsafe.describe(err))
            return Answer(500, b"internal error")
        return _answer(response)


def _answer(response: BoltResponse) -> Answer:
    raw: Any = response.body
    body = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw or b"")
    kind = "text/plain; charset=utf-8"
    extra: list[tuple[str, str]] = []
    for key, values in response.headers.items():
        if key.lower() == "content-type":
            kind = values[0] if values else kind
        elif key.lower() != "content-length":
            extra.extend((key, value) for value in values)
    return Answer(response.status, body, kind, tuple(extra))


def _status_line(status: int) -> str:
    from http import HTTPStatus

    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} Unknown"
