"""One delivery loop for every answer during a request: messages go out in order, the first refusal
stops the rest, the person gets a private apology quoting a reference id, and the log carries Slack's
error code and the same reference but never the answer's text."""

from __future__ import annotations

import logging

import pytest

from adapters.slack.app import web_client
from adapters.slack.config import SlackConfig
from adapters.slack.delivery import APOLOGY, Channel, deliver
from adapters.slack.render import SlackMessage
from tests.adapters.slack.conftest import SlackRig, payload
from tests.fakes.slack_api import FakeSlack


def _message(text: str, *, ephemeral: bool = False, error: bool = False) -> SlackMessage:
    return SlackMessage(text, [{"type": "section", "text": {"type": "mrkdwn", "text": text}}], ephemeral, error)


def test_messages_go_out_in_order_public_and_private_as_asked(fake_slack: FakeSlack) -> None:
    client = web_client(SlackConfig(signing_secret="s", api_url=fake_slack.api_url), "xoxb-T0CODEDESK-bot")
    sent = deliver(Channel(client, "C0GENERAL", "U0CODER", "1515449522.000016"),
                   [_message("first"), _message("only for you", ephemeral=True), _message("third")])
    assert sent is True
    public = fake_slack.calls_to("chat.postMessage")
    assert [c.params["text"] for c in public] == ["first", "third"]
    private = fake_slack.calls_to("chat.postEphemeral")[0]
    assert (private.params["text"], private.params["user"], private.params["thread_ts"]) == \
        ("only for you", "U0CODER", "1515449522.000016")


def test_the_first_refusal_stops_the_rest_and_apologises_with_a_reference(
        fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture) -> None:
    client = web_client(SlackConfig(signing_secret="s", api_url=fake_slack.api_url), "xoxb-T0CODEDESK-bot")
    fake_slack.fail("chat.postMessage", "msg_too_long")
    with caplog.at_level(logging.WARNING, logger="adapters"):
        sent = deliver(Channel(client, "C0GENERAL", "U0CODER"),
                       [_message("patient Jane Roe, E11.9"), _message("never sent")])
    assert sent is False
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    apology = fake_slack.calls_to("chat.postEphemeral")[0]
    ref = apology.params["text"].split("(ref ")[1][:8]
    assert apology.params["text"] == APOLOGY.format(ref=ref) and apology.params["user"] == "U0CODER"
    assert f"ref={ref}" in caplog.text and "msg_too_long" in caplog.text and "Jane Roe" not in caplog.text


def test_a_refused_button_answer_in_a_channel_is_followed_by_an_apology(rig: SlackRig) -> None:
    body = payload("block_actions.json")
    body.pop("response_url", None)  # a button in a modal: the answer is posted, not responded
    body["channel"] = {"id": "C0GONE"}
    rig.fake.channel_errors["C0GONE"] = "not_in_channel"
    rig.client.interaction(body)
    card, apology = rig.fake.wait_for("chat.postEphemeral", 2)  # the card is private to the clicker
    assert "E11.9" in card.params["text"]
    ref = apology.params["text"].split("(ref ")[1][:8]
    assert apology.params["text"] == APOLOGY.format(ref=ref) and apology.params["user"] == "U0CODER"
