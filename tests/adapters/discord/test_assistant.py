"""The issue's questions asked by mentioning the bot in Discord: the real discord.py client against the
fake gateway, answered by the assistant as a reply to the mention, with their sources."""

from __future__ import annotations

import json

from tests.adapters.discord.conftest import CHANNEL_ID, Running, payload
from tests.fakes.discord_server import BOT_USER_ID


async def _mention(running: Running, text: str) -> str:
    mention = payload("message_create_mention")
    mention["content"] = f"<@{BOT_USER_ID}> {text}"
    await running.send("MESSAGE_CREATE", mention)
    path = f"/channels/{CHANNEL_ID}/messages"
    call = await running.discord.wait_for(lambda c: c.method == "POST" and c.path == path)
    assert str(call.body["message_reference"]["message_id"]) == mention["id"]
    return json.dumps(call.body["embeds"], ensure_ascii=False)


async def test_office_visit_level_by_time_is_answered_with_its_source(running: Running) -> None:
    embeds = await _mention(running, "how do I pick an office visit level by time")
    assert "Picking an office visit level by time" in embeds
    assert "99214 30" in embeds and "met or exceeded" in embeds and "MLN006764" in embeds


async def test_excludes1_versus_excludes2_is_answered_with_its_section(running: Running) -> None:
    embeds = await _mention(running, "when do I use excludes1 versus excludes2")
    assert "Excludes1 versus Excludes2" in embeds and "I.A.12.a" in embeds
    assert "graft" not in embeds.lower()


async def test_the_issue_case_is_coded(running: Running) -> None:
    embeds = await _mention(running, "case: type 2 diabetes with stage 3b CKD and hypertension")
    assert "E11.22" in embeds and "N18.32" in embeds and "I12.9" in embeds
