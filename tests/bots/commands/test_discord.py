"""`codedesk discord sync` publishes the command tree to the fake Discord, as an operator would run it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bots.cli import main
from tests.adapters.discord.conftest import GUILD_ID, payload
from tests.conftest import CACHE_DIR
from tests.fakes.discord_server import APPLICATION_ID, TOKEN, FakeDiscord

CODE_COMMANDS = {"cpt", "icd10", "hcpcs", "code", "mue", "crosswalk"}


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord(guilds=[payload("guild_create")])
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def discord_env(monkeypatch: pytest.MonkeyPatch, fake_discord: FakeDiscord, tmp_path: Path) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    monkeypatch.setenv("DISCORD_API_BASE", fake_discord.api_base)
    monkeypatch.setenv("DISCORD_GATEWAY_URL", fake_discord.gateway_url)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'codedesk.db'}")
    monkeypatch.setenv("CODEDESK_HOME", str(CACHE_DIR.parent))  # reuse the ICD-10-CM cache


@pytest.mark.usefixtures("discord_env")
async def test_guild_sync_publishes_every_command_with_code_autocomplete(
        fake_discord: FakeDiscord, capsys: pytest.CaptureFixture[str]) -> None:
    assert await asyncio.to_thread(main, ["discord", "sync", "--guild", GUILD_ID]) == 0
    put = fake_discord.calls_to("PUT", f"/applications/{APPLICATION_ID}/guilds/{GUILD_ID}/commands")[0]
    names = {c["name"] for c in put.body}
    assert names == {"cpt", "icd10", "hcpcs", "code", "codesearch", "register", "me", "link", "jobs",
                     "codedesk", "help", "unregister", "consult", "ncci", "mue", "rvu", "check", "changes",
                     "coverage", "crosswalk"}
    for spec in put.body:
        option = spec["options"][0]
        assert option["type"] == 3
        assert option.get("autocomplete", False) == (spec["name"] in CODE_COMMANDS)
    assert f"Synced 20 commands to guild {GUILD_ID}" in capsys.readouterr().out


@pytest.mark.usefixtures("discord_env")
async def test_global_sync_without_a_guild(fake_discord: FakeDiscord) -> None:
    assert await asyncio.to_thread(main, ["discord", "sync"]) == 0
    assert len(fake_discord.calls_to("PUT", f"/applications/{APPLICATION_ID}/commands")[0].body) == 20


async def test_sync_without_a_token_says_what_to_set(monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    assert main(["discord", "sync"]) == 2
    assert "set DISCORD_TOKEN" in capsys.readouterr().err
