"""Socket Mode: the real Bolt Socket Mode client connects to the fake Slack's websocket (found via
apps.connections.open), takes an envelope and acknowledges it with the answer."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qsl

import pytest

from adapters.slack.app import build_app
from adapters.slack.config import SlackConfig
from adapters.slack.socket import socket_handler
from core import db
from core.desk import Desk
from tests.adapters.slack.conftest import payload
from tests.fakes.slack_api import FakeSlack


@pytest.fixture
def connected(fake_slack: FakeSlack, desk: Desk, sqlite_url: str) -> Iterator[FakeSlack]:
    engine = db.make_engine(sqlite_url)
    config = SlackConfig(signing_secret="unused-in-socket-mode", bot_token="xoxb-T0CODEDESK-bot",
                         app_token="xapp-1-A0CODEDESK-test", api_url=fake_slack.api_url)
    handler = socket_handler(build_app(desk, config, engine), config.app_token)
    handler.connect()
    try:
        fake_slack.wait_socket()
        yield fake_slack
    finally:
        handler.close()
        engine.dispose()


def test_a_slash_command_envelope_is_acknowledged_with_the_card(connected: FakeSlack) -> None:
    opened = connected.calls_to("apps.connections.open")
    assert opened and opened[0].token == "xapp-1-A0CODEDESK-test"
    command = dict(parse_qsl(payload("slash_command.urlencoded")))
    ack = connected.socket_send({"envelope_id": "env-1", "type": "slash_commands",
                                 "accepts_response_payload": True, "payload": command})
    assert ack["envelope_id"] == "env-1"
    assert ack["payload"]["response_type"] == "ephemeral"
    assert "E11.9" in ack["payload"]["blocks"][0]["text"]["text"]


def test_a_mention_envelope_is_acknowledged_then_answered_in_a_thread(connected: FakeSlack) -> None:
    ack = connected.socket_send({"envelope_id": "env-2", "type": "events_api",
                                 "accepts_response_payload": False, "retry_attempt": 0, "retry_reason": "",
                                 "payload": payload("app_mention.json")})
    assert ack["envelope_id"] == "env-2"
    post = connected.wait_for("chat.postMessage")[0]
    assert post.params["thread_ts"] == "1515449522.000016"
