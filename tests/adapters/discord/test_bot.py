"""End to end: the real discord.py client against the fake Discord, answering with the real Desk."""

from __future__ import annotations

from tests.adapters.discord.conftest import CHANNEL_ID, Running, command, interaction
from tests.fakes.discord_server import EPHEMERAL


async def test_icd10_command_answers_with_a_private_code_card(running: Running) -> None:
    body = await running.interact(command("icd10", "E11.9"))
    assert body["type"] == 4
    embed = body["data"]["embeds"][0]
    assert embed["title"] == "E11.9 — Type 2 diabetes mellitus without complications"
    assert "ICD-10-CM" in embed["footer"]["text"]
    assert {"name": "Code", "value": "E11.9", "inline": True} in embed["fields"]
    assert body["data"]["flags"] & EPHEMERAL
