"""The Slack WSGI app's guard, health and metrics (issue 16 defect 8, /readyz, /metrics), through the
same app gunicorn serves, hosted here on the test server."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import text

from adapters.slack.app import build_app
from adapters.slack.config import SlackConfig
from adapters.slack.http import SlackHttpServer
from adapters.slack.wsgi import SlackWsgi
from bots.health import readiness
from bots.metrics import MeteredDesk, Metrics
from core import db
from core.codes.catalog import Catalog
from core.codes.feature import CodesFeature
from tests.adapters.slack.conftest import SECRET, SlackClient
from tests.fakes.slack_api import DEFAULT_TEAM, FakeSlack


class Served:
    def __init__(self, server: SlackHttpServer, metrics: Metrics) -> None:
        self.server = server
        self.client = SlackClient(server, SECRET)
        self.metrics = metrics

    def get(self, path: str) -> tuple[int, str]:
        answer = self.client.raw("GET", path)
        return answer.status, answer.body.decode()


def serve(fake: FakeSlack, catalog: Catalog, url: str) -> Iterator[Served]:
    engine = db.make_engine(url)
    metrics = Metrics()
    codes = CodesFeature(catalog)
    desk = MeteredDesk((codes,), metrics, free_text=codes.free_text)
    config = SlackConfig(signing_secret=SECRET, api_url=fake.api_url, bot_token=f"xoxb-{DEFAULT_TEAM}-bot")
    parts = build_app(desk, config, engine)
    app = SlackWsgi(parts, ready=readiness(url, lambda: True), metrics=metrics.exposition,
                    observe=metrics.http_request)
    server = SlackHttpServer(parts, host="127.0.0.1", port=0, app=app)
    server.start_in_background()
    try:
        yield Served(server, metrics)
    finally:
        server.shutdown()
        server.server_close()
        engine.dispose()


@pytest.fixture
def served(fake_slack: FakeSlack, catalog: Catalog, sqlite_url: str) -> Iterator[Served]:
    yield from serve(fake_slack, catalog, sqlite_url)


def raw_post(served: Served, head: str, body: bytes) -> int:
    """A hand-written request, for headers http.client would not send."""
    conn = http.client.HTTPConnection(*served.server.server_address[:2], timeout=10)
    try:
        conn.putrequest("POST", "/slack/events", skip_accept_encoding=True)
        for line in head.strip().splitlines():
            key, _, value = line.partition(":")
            conn.putheader(key.strip(), value.strip())
        conn.endheaders(body)
        return conn.getresponse().status
    finally:
        conn.close()


@pytest.mark.parametrize("length", ["abc", "-5", "1e3", "+5"])
def test_a_bad_content_length_is_400(served: Served, length: str) -> None:
    assert raw_post(served, f"Content-Length: {length}\nContent-Type: application/json", b"{}") == 400
    assert served.get("/healthz") == (200, "ok")  # and the server is still there


@pytest.mark.parametrize(("timestamp", "signature"), [("", "v0=abc"), ("abc", "v0=abc"), ("12.5", "v0=abc"),
                                                      ("99999999999999999999999", "v0=abc"), ("1700000000", "")])
def test_missing_or_odd_signature_headers_are_401(served: Served, timestamp: str, signature: str) -> None:
    head = f"Content-Type: application/json\nContent-Length: 2\nX-Slack-Signature: {signature}"
    if timestamp:
        head += f"\nX-Slack-Request-Timestamp: {timestamp}"
    assert raw_post(served, head, b"{}") == 401


def test_a_signed_body_that_is_not_utf8_is_400(served: Served) -> None:
    body = b"command=/cpt&text=\xff\xfe"
    now = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{now}:".encode() + body, hashlib.sha256).hexdigest()
    signature = f"v0={digest}"  # signed as Slack would sign these bytes
    answer = served.client.raw("POST", "/slack/events", body, {
        "Content-Type": "application/x-www-form-urlencoded", "X-Slack-Signature": signature or "",
        "X-Slack-Request-Timestamp": now})
    assert answer.status == 400


@pytest.mark.parametrize("payload", ["notjson", "[1, 2]", '"x"', ""])
def test_malformed_but_signed_interactions_are_400(served: Served, payload: str) -> None:
    answer = served.client.post(urlencode({"payload": payload}), "application/x-www-form-urlencoded")
    assert answer.status == 400


def test_every_answer_carries_a_request_id(served: Served) -> None:
    answer = served.client.command("/icd10", "E11.9")
    assert answer.status == 200 and len(answer.headers["x-request-id"]) >= 8


def test_metrics_count_requests_by_platform_and_command(served: Served) -> None:
    assert served.client.command("/icd10", "E11.9").status == 200
    assert served.client.command("/icd10", "Q99.999").status == 200
    status, body = served.get("/metrics")
    assert status == 200
    assert 'codedesk_requests_total{command="icd10",outcome="ok",platform="slack"} 1.0' in body
    assert 'codedesk_requests_total{command="icd10",outcome="not_found",platform="slack"} 1.0' in body
    assert 'codedesk_request_seconds_count{platform="slack"} 2.0' in body
    assert 'codedesk_http_requests_total{route="/slack/events",status="200"} 2.0' in body


def test_readyz_fails_while_the_sqlite_file_is_gone_and_recovers(served: Served, sqlite_url: str) -> None:
    assert served.get("/readyz") == (200, "ready")
    path = Path(sqlite_url.split("///", 1)[1])
    moved = path.with_name("moved.db")
    shutil.move(path, moved)
    status, body = served.get("/readyz")
    assert status == 503 and "database cannot be reached" in body
    assert not path.exists()  # the probe did not create an empty database in its place
    shutil.move(moved, path)
    assert served.get("/readyz") == (200, "ready")


def test_readyz_fails_while_the_postgresql_schema_is_away(fake_slack: FakeSlack, catalog: Catalog,
                                                          pg_url: str) -> None:
    schema = pg_url.rsplit("search_path%3D", 1)[1]
    admin = db.make_engine(pg_url)
    for served in serve(fake_slack, catalog, pg_url):
        assert served.get("/readyz") == (200, "ready")
        with admin.begin() as conn:
            conn.execute(text(f'ALTER SCHEMA "{schema}" RENAME TO "{schema}_away"'))
        try:
            status, body = served.get("/readyz")
            assert status == 503 and "database" in body
        finally:
            with admin.begin() as conn:
                conn.execute(text(f'ALTER SCHEMA "{schema}_away" RENAME TO "{schema}"'))
        assert served.get("/readyz") == (200, "ready")
    admin.dispose()


def test_metrics_body_is_prometheus_text(served: Served) -> None:
    status, body = served.get("/metrics")
    assert status == 200 and "# TYPE codedesk_requests_total counter" in body
