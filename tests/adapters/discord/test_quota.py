"""The issue's done-when: `/cpt 86357` by a guest twice shows the card once, then the limit message
with a Register button, through the process wiring every entry point uses (bots.app.Services)."""

from __future__ import annotations

from pathlib import Path

from bots.app import Services
from core.codes.record import System
from core.settings import Settings
from tests.adapters.discord.conftest import StartBot, command
from tests.conftest import CACHE_DIR
from tests.fakes.discord_server import EPHEMERAL


async def test_a_guest_sees_one_card_then_the_limit_with_a_register_button(start_bot: StartBot,
                                                                           tmp_path: Path) -> None:
    services = Services(Settings(database_url=f"sqlite:///{tmp_path / 'codedesk.db'}", home=CACHE_DIR.parent,
                                 cache_dir=CACHE_DIR))
    services.upgrade()
    assert services.catalog.get(System.CPT, "86357") is not None  # its summary ships in data/cpt
    running = await start_bot(desk=services.desk())

    first = await running.interact(command("cpt", "86357"))
    assert first["type"] == 4
    assert first["data"]["embeds"][0]["title"].startswith("86357")
    assert "left" in first["data"]["embeds"][0]["footer"]["text"]

    second = await running.interact(command("cpt", "86357"))
    assert second["type"] == 4
    assert second["data"]["flags"] & EPHEMERAL
    assert not second["data"]["embeds"][0]["title"].startswith("86357 —")
    buttons = [b for row in second["data"].get("components", []) for b in row["components"]]
    assert any(b["custom_id"].startswith("cd:register:") for b in buttons), buttons
