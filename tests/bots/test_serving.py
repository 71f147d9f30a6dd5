"""`codedesk run slack --http --workers 2` as a real gunicorn server in a child process, against the
fake Slack: a replayed request is refused whichever worker it reaches (on SQLite too), metrics add
up across workers, gunicorn itself refuses a bad Content-Length, and SIGTERM finishes the work in
flight before the process exits."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest
from slack_sdk.signature import SignatureVerifier

from tests.conftest import CACHE_DIR, ROOT
from tests.fakes.slack_api import DEFAULT_TEAM, FakeSlack

SECRET = "serving-test-secret"


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    fake: FakeSlack
    log: Path

    def post(self, body: str, content_type: str, timestamp: str, signature: str) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        try:
            conn.request("POST", "/slack/events", body=body.encode(), headers={
                "Content-Type": content_type, "X-Slack-Request-Timestamp": timestamp,
                "X-Slack-Signature": signature})
            response = conn.getresponse()
            response.read()
            return response.status
        finally:
            conn.close()

    def get(self, path: str) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10) as answer:
            return str(answer.read().decode())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    with FakeSlack() as fake:
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PROMETHEUS_", "DATABASE_"))}
        env.update(SLACK_SIGNING_SECRET=SECRET, SLACK_BOT_TOKEN=f"xoxb-{DEFAULT_TEAM}-bot", SLACK_API_URL=fake.api_url,
                   DATABASE_URL=f"sqlite:///{tmp_path / 'codedesk.db'}", CODEDESK_HOME=str(tmp_path),
                   CODEDESK_CACHE_DIR=str(CACHE_DIR), CODEDESK_LOG_LEVEL="WARNING",
                   PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"))
        log = tmp_path / "server.log"
        with log.open("wb") as out:
            process = subprocess.Popen([sys.executable, "-m", "bots.cli", "run", "slack", "--http", "--host",
                                        "127.0.0.1", "--port", str(port), "--workers", "2"],
                                       env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        started = Server(process, port, fake, log)
        try:
            _wait_ready(started)
            yield started
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(10)


def _wait_ready(server: Server, limit: float = 180.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        assert server.process.poll() is None, server.log.read_text()
        try:
            if server.get("/readyz") == "ready":
                return
        except OSError:
            time.sleep(0.25)  # the real server is starting in another process: nothing to fake here
    raise AssertionError("the server did not become ready: " + server.log.read_text())


def signed(body: str, ts: str | None = None) -> tuple[str, str]:
    timestamp = ts or str(int(time.time()))
    return timestamp, SignatureVerifier(SECRET).generate_signature(timestamp=timestamp, body=body) or ""


def command_body(text: str, user: str = "U0REPLAY", trigger: str = "1.1.a") -> str:
    return urlencode({"token": "legacy", "team_id": DEFAULT_TEAM, "team_domain": "example", "channel_id": "C0GEN",
                      "channel_name": "general", "user_id": user, "user_name": "u", "command": "/icd10",
                      "text": text, "api_app_id": "A0CODEDESK", "response_url": "", "trigger_id": trigger})


def test_a_replay_is_refused_whichever_worker_it_reaches(server: Server) -> None:
    body = command_body("E11.9")
    timestamp, signature = signed(body)
    statuses = [server.post(body, "application/x-www-form-urlencoded", timestamp, signature) for _ in range(12)]
    assert statuses.count(200) == 1 and statuses.count(401) == 11
    # Both workers answered something meanwhile (fresh connections are spread over them).
    metrics = server.get("/metrics")
    assert 'codedesk_requests_total{command="icd10",outcome="ok",platform="slack"} 1.0' in metrics
    assert 'codedesk_http_requests_total{route="/slack/events",status="401"} 11.0' in metrics


def test_gunicorn_answers_a_bad_content_length_with_400(server: Server) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as conn:
        conn.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}")
        assert conn.recv(100).startswith(b"HTTP/1.1 400")
    assert server.get("/healthz") == "ok"


def test_sigterm_finishes_work_in_flight_then_exits(server: Server) -> None:
    """A mention is acknowledged at once and answered by a lazy listener; Slack rate-limits the answer
    (Retry-After 2 s), so the answer is still owed when SIGTERM arrives. It must still be posted."""
    server.fake.rate_limit("chat.postMessage", times=1, retry_after=2)
    event = {"token": "legacy", "team_id": DEFAULT_TEAM, "api_app_id": "A0CODEDESK", "type": "event_callback",
             "event_id": "Ev0SIGTERM", "event_time": int(time.time()),
             "event": {"type": "app_mention", "user": "U0ASKER", "text": "<@UCODEDESK> what is E11.9?",
                       "ts": "1700000000.000100", "channel": "C0GEN", "event_ts": "1700000000.000100"}}
    body = json.dumps(event)
    timestamp, signature = signed(body)
    assert server.post(body, "application/json", timestamp, signature) == 200
    server.fake.wait_for("chat.postMessage", 1, timeout=20)  # the rate-limited first try
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(60) == 0, server.log.read_text()
    posts = server.fake.calls_to("chat.postMessage")
    assert len(posts) == 2 and "E11.9" in json.dumps(posts[-1].params)  # the retry went out before exit
