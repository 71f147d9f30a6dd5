"""/ncci and /check as Discord app commands: the real discord.py client against the fake Discord,
answering from the real Services desk with edit files imported from the layout fixtures."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bots.app import Services
from core.settings import Settings
from tests.adapters.discord.conftest import Running, StartBot, command
from tests.conftest import CACHE_DIR
from tests.core.edits.conftest import load_all
from tests.fakes.discord_server import EPHEMERAL


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    services = Services(Settings(database_url=f"sqlite:///{tmp_path / 'codedesk.db'}", home=tmp_path,
                                 cache_dir=CACHE_DIR))
    services.upgrade()
    load_all(services.sessions, tmp_path)
    yield services
    services.engine.dispose()


@pytest.fixture
async def edits_bot(start_bot: StartBot, services: Services) -> Running:
    return await start_bot(desk=services.desk())  # type: ignore[no-any-return]


def _text(body: dict[str, Any]) -> str:
    return json.dumps(body["data"], ensure_ascii=False)


async def test_ncci_in_discord(edits_bot: Running) -> None:
    body = await edits_bot.interact(command("ncci", "29881 29880 date:2026-11-15", option="codes"))
    embed = body["data"]["embeds"][0]
    assert embed["title"] == "NCCI edit: 29881 is bundled into 29880"
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Column 1"] == "29880" and fields["Rationale"] == "Mutually exclusive procedures"
    assert "NCCI PTP practitioner 2026Q4" in embed["footer"]["text"]
    assert body["data"]["flags"] & EPHEMERAL


async def test_check_in_discord(edits_bot: Running) -> None:
    body = await edits_bot.interact(command("check", "99214-25 11102 11103 J1885x9 E11 date:2026-11-15",
                                            option="claim"))
    text = _text(body)
    assert "11103 is bundled into 11102" in text
    assert "J1885: 9 units on this date; the MUE allows 8 per day" in text
    assert "E11 is a category, not a billable code" in text
    bad = await edits_bot.interact(command("check", "99214 banana!", option="claim"))
    assert "is not a claim line" in _text(bad) and bad["data"]["flags"] & EPHEMERAL
