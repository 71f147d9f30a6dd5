"""Consults through the real discord.py client against the fake Discord: /consult opens a modal with
the question filled in, the ticket is posted to the experts channel (and emailed) with Claim and
Answer buttons, a claim is seen by the channel, a reply to the ticket's post answers it, and the asker
gets a direct message and an email."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from adapters.discord.poster import DiscordPoster
from core import db
from core.accounts.feature import AccountsFeature
from core.accounts.quota import ViewQuota
from core.accounts.service import Accounts
from core.consult.feature import ConsultFeature
from core.consult.outbox import Deliverer
from core.consult.tables import ConsultTicket
from core.db import transaction
from core.desk import Desk
from core.requests import Actor, Platform
from tests.adapters.discord.conftest import GUILD_ID, Running, StartBot, command, interaction, payload
from tests.fakes.discord_server import BOT_USER_ID, EPHEMERAL, TOKEN, FakeDiscord
from tests.fakes.smtp import SmtpServer, running_smtp

EXPERTS = "1200000000000000500"
ANA = "1200000000000000300"
ED = "1200000000000000301"
QUESTION = "Can I bill 99214-25 with 11102 when the biopsy was planned?"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    yield from running_smtp()


@pytest.fixture
async def consult_bot(start_bot: StartBot, fake_discord: FakeDiscord, sqlite_url: str,
                      smtp: SmtpServer) -> AsyncIterator[tuple[Running, Accounts, sessionmaker[Session]]]:
    engine = db.make_engine(sqlite_url)
    sessions = db.session_factory(engine)
    accounts = Accounts(ViewQuota(sessions))
    deliverer = Deliverer(sessions, {"discord": DiscordPoster(TOKEN, fake_discord.api_base)}, smtp.mailer())
    desk = Desk((AccountsFeature(accounts), ConsultFeature(sessions, deliverer)))
    yield await start_bot(desk=desk), accounts, sessions
    engine.dispose()


def _as(data: dict[str, Any], user_id: str, name: str) -> dict[str, Any]:
    data["member"]["user"] = dict(data["member"]["user"], id=user_id, username=name.lower(), global_name=name)
    return data


def _inputs(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["custom_id"]: c for row in body["data"]["components"] for c in row["components"]}


async def test_ask_post_claim_reply_answer_and_the_asker_gets_a_dm_and_email(
        consult_bot: tuple[Running, Accounts, sessionmaker[Session]], smtp: SmtpServer) -> None:
    running, accounts, sessions = consult_bot
    fake = running.discord
    body = await running.interact(command("codedesk", f"consult channel <#{EXPERTS}>", "args", admin=True))
    assert body["data"]["embeds"][0]["title"] == f"New consults now go to <#{EXPERTS}>"
    await running.interact(command("codedesk", "consult add-expert ed@example.org", "args", admin=True))
    accounts.register(Actor(Platform.DISCORD, GUILD_ID, ANA, "Ana"), "Ana Asker", "ana@example.org")

    # A guest-free path: Ana is registered, so /consult opens the modal with her question in it.
    modal = await running.interact(command("consult", QUESTION, "question"))
    assert modal["type"] == 9
    inputs = _inputs(modal)
    assert inputs["question"]["value"] == QUESTION and inputs["question"]["style"] == 2
    assert inputs["codes"]["required"] is False

    submit = interaction("interaction_modal_submit")
    submit["data"]["custom_id"] = modal["data"]["custom_id"]
    submit["data"]["components"] = [
        {"type": 1, "components": [{"type": 4, "custom_id": "question", "value": QUESTION}]},
        {"type": 1, "components": [{"type": 4, "custom_id": "codes", "value": "99214 11102"}]}]
    sent = await running.interact(submit)
    assert sent["data"]["embeds"][0]["title"] == "Consult #1 is with the experts"
    assert sent["data"]["flags"] & EPHEMERAL

    # The experts channel got the ticket with Claim and Answer buttons; the consultant an email.
    [post] = fake.calls_to("POST", f"/channels/{EXPERTS}/messages")
    assert post.body["embeds"][0]["title"] == "Consult #1: a coding question for the experts"
    custom_ids = [c["custom_id"] for row in post.body["components"] for c in row["components"]]
    assert custom_ids == ["cd:consult_claim:1", "cd:consult_answer:1"]
    [mail] = smtp.inbox.to("ed@example.org")
    assert mail["Subject"] == "CodeDesk consult #1: a new coding question"

    # Ed claims from the channel: a message everyone there sees.
    click = _as(interaction("interaction_button", channel_id=EXPERTS), ED, "Ed")
    click["channel"]["id"] = click["message"]["channel_id"] = EXPERTS
    click["data"]["custom_id"] = "cd:consult_claim:1"
    click["message"]["components"][0]["components"][0].update(custom_id="cd:consult_claim:1", label="Claim")
    claimed = await running.interact(click)
    assert claimed["data"]["embeds"][0]["title"] == "Consult #1 claimed by Ed"
    assert not claimed["data"].get("flags", 0) & EPHEMERAL

    # Ed replies to the ticket's post (a reply pings the bot, so it carries content without the intent).
    with transaction(sessions) as session:
        post_id = session.scalar(select(ConsultTicket.post_message_id))
    assert post_id
    answer = "Yes, when the decision to biopsy was made at the visit; a planned biopsy is billed alone."
    reply = copy.deepcopy(payload("message_create_mention"))
    reply.update(id="1200000000000003100", channel_id=EXPERTS, content=answer, type=19,
                 author=dict(reply["author"], id=ED, username="ed", global_name="Ed"),
                 message_reference={"message_id": post_id, "channel_id": EXPERTS, "guild_id": GUILD_ID})
    assert reply["mentions"][0]["id"] == BOT_USER_ID
    await running.send("MESSAGE_CREATE", reply)
    dm = await fake.wait_for(lambda c: c.method == "POST" and c.path.startswith("/channels/9")
                             and c.path.endswith("/messages"))
    assert dm.body["embeds"][0]["title"] == "Your consult #1 is answered by Ed"
    assert answer in dm.body["embeds"][0]["description"] or answer in str(dm.body["embeds"][0])
    opened = fake.calls_to("POST", "/users/@me/channels")
    assert [c.body["recipient_id"] for c in opened] == [ANA]
    confirm = await fake.wait_for(lambda c: c.path == f"/channels/{EXPERTS}/messages"
                                  and c.body.get("message_reference") is not None)
    assert confirm.body["embeds"][0]["title"] == "Consult #1 answered by Ed"
    [mail] = smtp.inbox.to("ana@example.org")
    assert mail["Subject"] == "Your CodeDesk consult #1 is answered by Ed"

    shown = await running.interact(command("consult", "1", "question"))
    assert shown["data"]["embeds"][0]["title"] == "Consult #1: answered by Ed"
