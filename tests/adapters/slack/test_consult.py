"""Consults through the real Bolt app: /consult opens the ask modal with the question filled in, the
ticket is posted to the experts channel (and emailed), Claim is seen by the channel, a reply in the
ticket's thread answers it, and the asker gets a direct message and an email."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from adapters.slack.app import web_client
from adapters.slack.config import SlackConfig
from adapters.slack.poster import SlackPoster
from core import db
from core.accounts.feature import AccountsFeature
from core.accounts.quota import ViewQuota
from core.accounts.service import Accounts
from core.consult.feature import ConsultFeature
from core.consult.outbox import Deliverer
from core.desk import Desk
from core.requests import Actor, Platform
from tests.adapters.slack.conftest import SECRET, SlackRig, make_rig, payload
from tests.fakes.slack_api import DEFAULT_TEAM, FakeSlack
from tests.fakes.smtp import SmtpServer, running_smtp

QUESTION = "Can I bill 99214-25 with 11102 when the biopsy was planned?"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    yield from running_smtp()


@pytest.fixture
def consult_rig(fake_slack: FakeSlack, sqlite_url: str, smtp: SmtpServer) -> Iterator[tuple[SlackRig, Accounts]]:
    engine = db.make_engine(sqlite_url)
    sessions: sessionmaker[Session] = db.session_factory(engine)
    config = SlackConfig(signing_secret=SECRET, api_url=fake_slack.api_url, bot_token=f"xoxb-{DEFAULT_TEAM}-bot")
    poster = SlackPoster(lambda team: web_client(config, config.bot_token))
    accounts = Accounts(ViewQuota(sessions))
    deliverer = Deliverer(sessions, {"slack": poster}, smtp.mailer())
    desk = Desk((AccountsFeature(accounts), ConsultFeature(sessions, deliverer)))
    yield from ((rig, accounts) for rig in make_rig(fake_slack, desk, sqlite_url))
    engine.dispose()


def _text(params: dict[str, Any]) -> str:
    blocks = params.get("blocks", [])
    return (blocks if isinstance(blocks, str) else json.dumps(blocks)) + str(params.get("text", ""))


def _view(raw: Any) -> dict[str, Any]:
    return json.loads(raw) if isinstance(raw, str) else dict(raw)


def _submission(view: dict[str, Any], user: str, answers: dict[str, str]) -> dict[str, Any]:
    submit = payload("view_submission.json")
    submit["user"] = {"id": user, "username": user.lower(), "name": user.lower(), "team_id": DEFAULT_TEAM}
    submit["view"]["private_metadata"] = view["private_metadata"]
    submit["view"]["state"]["values"] = {
        name: {name: {"type": "plain_text_input", "value": value}} for name, value in answers.items()}
    return submit


def _buttons(params: dict[str, Any]) -> dict[str, dict[str, Any]]:
    blocks = params["blocks"] if isinstance(params["blocks"], list) else json.loads(params["blocks"])
    return {e["text"]["text"]: e for b in blocks if b["type"] == "actions" for e in b["elements"]}


def _click(rig: SlackRig, user: str, channel: str, button: dict[str, Any], response_url: str) -> None:
    body = payload("block_actions.json")
    body["user"] = {"id": user, "username": user.lower(), "name": user.lower(), "team_id": DEFAULT_TEAM}
    body["channel"] = {"id": channel, "name": "coding-experts"}
    body["container"] = {"type": "message", "message_ts": "1", "channel_id": channel, "is_ephemeral": False}
    body["response_url"] = response_url
    body["actions"] = [dict(body["actions"][0], action_id=button["action_id"], value=button["value"])]
    assert rig.client.interaction(body).status == 200


def test_ask_post_claim_thread_answer_and_the_asker_gets_a_dm_and_email(
        consult_rig: tuple[SlackRig, Accounts], smtp: SmtpServer) -> None:
    rig, accounts = consult_rig
    fake = rig.fake
    fake.set_user("U0BOSS", is_admin=True, name="Boss")
    fake.set_user("U0ED", name="Ed Expert")
    set_up = rig.client.command("/codedesk", "consult channel <#C0EXPERTS|coding-experts>", user="U0BOSS").json()
    assert "New consults now go to <#C0EXPERTS>" in json.dumps(set_up)
    rig.client.command("/codedesk", "consult add-expert ed@example.org", user="U0BOSS", trigger_id="2.2.2")
    accounts.register(Actor(Platform.SLACK, DEFAULT_TEAM, "U0ANA", "Ana"), "Ana Asker", "ana@example.org")

    # /consult QUESTION opens the modal with the question filled in and the reminder.
    assert rig.client.command("/consult", QUESTION, user="U0ANA", trigger_id="3.3.3").status == 200
    view = _view(fake.wait_for("views.open")[0].params["view"])
    question_block = next(b for b in view["blocks"] if b.get("block_id") == "question")
    assert question_block["element"]["initial_value"] == QUESTION
    assert "patient identifiers" in json.dumps(view["blocks"])
    done = rig.client.interaction(_submission(view, "U0ANA", {"question": QUESTION, "codes": "99214, 11102"}))
    assert "Consult #1 is with the experts" in json.dumps(done.json())

    # The experts channel has the ticket with Claim and Answer; the consultant has an email.
    post = next(c for c in fake.wait_for("chat.postMessage") if c.params.get("channel") == "C0EXPERTS")
    assert "Consult #1: a coding question for the experts" in _text(post.params)
    buttons = _buttons(post.params)
    assert set(buttons) == {"Claim", "Answer"}
    [mail] = smtp.inbox.to("ed@example.org")
    assert "#1" in mail["Subject"]

    # Ed claims from the channel: the channel sees who.
    _click(rig, "U0ED", "C0EXPERTS", buttons["Claim"], fake.response_url("claim"))
    claimed = fake.wait_for("response_url")[-1].params
    assert "Consult #1 claimed by Ed Expert" in _text(claimed) and claimed["response_type"] == "in_channel"

    # Someone chatting in an unrelated thread gets no answer; Ed's reply in the ticket's thread answers.
    ticket_ts = "1700000000.000001"  # the fake's first ts: the ticket post was its first message
    before = len(fake.calls_to("chat.postMessage"))
    answer = "Yes, when the decision to biopsy was made at the visit; a planned biopsy is billed alone."
    for n, (thread, text) in enumerate(((("1700000000.999999"), "lunch?"), (ticket_ts, answer))):
        event = payload("message_im.json")
        event["event_id"] = f"Ev0THREAD{n}"
        event["event"] = {"type": "message", "channel": "C0EXPERTS", "channel_type": "channel", "user": "U0ED",
                          "text": text, "ts": f"1700000100.00000{n}", "thread_ts": thread}
        assert rig.client.event(event).status == 200
    posts = fake.wait_for("chat.postMessage", before + 2)
    new = [c.params for c in posts[before:]]
    in_thread = next(p for p in new if p.get("thread_ts") == ticket_ts)
    assert "Consult #1 answered by Ed Expert" in _text(in_thread)
    dm = next(p for p in new if p.get("channel") == "U0ANA")  # chat.postMessage to a user id: the DM
    assert "Your consult #1 is answered by Ed Expert" in _text(dm) and answer in _text(dm)
    assert not any(p.get("thread_ts") == "1700000000.999999" for p in new)
    [mail] = smtp.inbox.to("ana@example.org")
    assert mail["Subject"] == "Your CodeDesk consult #1 is answered by Ed Expert"

    shown = rig.client.command("/consult", "1", user="U0ANA", trigger_id="4.4.4").json()
    assert "Consult #1: answered by Ed Expert" in json.dumps(shown)
