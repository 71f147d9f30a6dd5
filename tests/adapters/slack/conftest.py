"""Fixtures for the Slack app: the fake Slack, the real Bolt app behind the real HTTP server on
loopback, and a client that signs requests exactly as Slack does."""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import Engine

from adapters.slack.app import SlackParts, build_app
from adapters.slack.config import SlackConfig
from adapters.slack.http import SlackHttpServer
from adapters.slack.people import People
from core import db
from core.codes.catalog import Catalog
from core.commands import Command, Handler
from core.desk import Desk
from core.replies import ErrorKind, Form, FormField, Reply, Visibility, error_reply
from core.requests import Request
from tests.desks import code_desk
from tests.fakes.slack_api import DEFAULT_TEAM, FakeSlack

SECRET = "test-signing-secret"
PAYLOADS = Path(__file__).parent / "payloads"


def payload(name: str) -> Any:
    """A real-shaped example payload kept under payloads/ (JSON, or a form body for commands)."""
    path = PAYLOADS / name
    return path.read_text() if path.suffix == ".urlencoded" else json.loads(path.read_text())


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.body)


class SlackClient:
    """Sends what Slack sends: form-encoded commands, JSON events, interactivity as `payload`."""

    def __init__(self, server: SlackHttpServer, secret: str = SECRET) -> None:
        self.host, self.port = server.server_address[:2]
        self.signer = SignatureVerifier(secret)

    def post(self, body: str, content_type: str, *, timestamp: int | None = None,
             signature: str | None = None,
             headers: dict[str, str] | None = None, path: str = "/slack/events") -> Answer:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        sig = self.signer.generate_signature(timestamp=ts, body=body) if signature is None else signature
        all_headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts}
        if sig:
            all_headers["X-Slack-Signature"] = sig
        all_headers.update(headers or {})
        return self.raw("POST", path, body.encode(), all_headers)

    def raw(self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None) -> Answer:
        conn = http.client.HTTPConnection(str(self.host), int(self.port), timeout=15)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return Answer(response.status, response.read(), {k.lower(): v for k, v in response.getheaders()})
        finally:
            conn.close()

    def command(self, command: str, text: str = "", *, user: str = "U0CODER", team: str = DEFAULT_TEAM,
                response_url: str = "", trigger_id: str = "1337.42.abcd", **kw: Any) -> Answer:
        fields = {"token": "legacy", "team_id": team, "team_domain": "example", "channel_id": "C0GENERAL",
                  "channel_name": "general", "user_id": user, "user_name": user.lower(), "command": command,
                  "text": text, "api_app_id": "A0CODEDESK", "is_enterprise_install": "false",
                  "response_url": response_url, "trigger_id": trigger_id}
        return self.post(urlencode(fields), "application/x-www-form-urlencoded", **kw)

    def event(self, body: dict[str, Any], **kw: Any) -> Answer:
        return self.post(json.dumps(body), "application/json", **kw)

    def interaction(self, body: dict[str, Any], **kw: Any) -> Answer:
        return self.post(urlencode({"payload": json.dumps(body)}), "application/x-www-form-urlencoded", **kw)


@dataclass
class SlackRig:
    fake: FakeSlack
    parts: SlackParts
    server: SlackHttpServer
    client: SlackClient
    desk: Desk
    engine: Engine
    slept: list[float]


def install(rig: SlackRig, code: str = "good-code") -> int:
    """Run the OAuth install as a browser would; the redirect's HTTP status."""
    page = rig.client.raw("GET", "/slack/install")
    assert page.status == 200
    cookie = page.headers["set-cookie"].split(";")[0]
    state = re.search(r"state=([\w-]+)", page.body.decode()).group(1)  # type: ignore[union-attr]
    assert "scope=commands" in page.body.decode() and "client_id=1111.2222" in page.body.decode()
    done = rig.client.raw("GET", f"/slack/oauth_redirect?code={code}&state={state}",
                          headers={"Cookie": cookie})
    return done.status


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


def make_rig(fake: FakeSlack, desk: Desk, url: str, *, people: People | None = None,
             **config: Any) -> Iterator[SlackRig]:
    engine = db.make_engine(url)
    slept: list[float] = []
    settings = SlackConfig(**({"signing_secret": SECRET, "api_url": fake.api_url,
                               "bot_token": f"xoxb-{DEFAULT_TEAM}-bot"} | config))
    parts = build_app(desk, settings, engine, people=people, sleep=slept.append)
    server = SlackHttpServer(parts, host="127.0.0.1", port=0)
    server.start_in_background()
    try:
        yield SlackRig(fake, parts, server, SlackClient(server, settings.signing_secret), desk, engine, slept)
    finally:
        server.shutdown()
        server.server_close()
        engine.dispose()


@pytest.fixture
def desk(catalog: Catalog) -> Desk:
    return code_desk(catalog)


@pytest.fixture
def rig(fake_slack: FakeSlack, desk: Desk, sqlite_url: str) -> Iterator[SlackRig]:
    yield from make_rig(fake_slack, desk, sqlite_url)


class ProbeFeature:
    """A small real Feature for what no merged feature offers yet: a form, an admin-only command, and
    an answer that takes as long as the test wants (released through `release`)."""

    def __init__(self) -> None:
        self.release = threading.Event()

    def commands(self) -> Sequence[Command]:
        return (Command("register", "Register", self._register, fast=False),
                Command("whoami", "Who am I", self._whoami, fast=False),
                Command("slowreport", "A slow report", self._slow, fast=False))

    def actions(self) -> Mapping[str, Handler]:
        return {"register_submit": self._submitted, "slow_submit": self._slow_submitted}

    def _register(self, request: Request) -> Reply:
        return Reply(title="Register", form=Form("register_submit", "Register", (
            FormField("name", "Your name"), FormField("email", "Work email", kind="email"),
            FormField("terms", "I agree to the terms", kind="checkbox"))))

    def _submitted(self, request: Request) -> Reply:
        if request.answers.get("terms") != "yes":
            return error_reply(ErrorKind.BAD_INPUT, "Please accept the terms to register.")
        return Reply(title=f"Welcome, {request.answers['name']}", subtitle="You are registered.")

    def _slow_submitted(self, request: Request) -> Reply:
        self.release.wait(10)
        return Reply(title=f"Filed for {request.answers.get('name', '')}")

    def _whoami(self, request: Request) -> Reply:
        actor = request.actor
        role = "admin" if actor.is_admin else "member"
        return Reply(title=f"{actor.display_name} is a {role} of {actor.workspace_id}")

    def _slow(self, request: Request) -> Reply:
        self.release.wait(10)
        return Reply(title="Monthly report ready", visibility=Visibility.CHANNEL)


@pytest.fixture
def probe() -> ProbeFeature:
    return ProbeFeature()


@pytest.fixture
def probe_rig(fake_slack: FakeSlack, catalog: Catalog, probe: ProbeFeature,
              sqlite_url: str) -> Iterator[SlackRig]:
    yield from make_rig(fake_slack, code_desk(catalog, features=(probe,)), sqlite_url, inline_budget_seconds=0.2)
