"""The real discord.py client connected to the fake Discord, answering through the real Desk."""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from adapters.discord.bot import CodeDeskBot
from adapters.discord.config import DiscordConfig, endpoints
from core.codes.catalog import Catalog
from core.commands import Command, Feature, Handler
from core.desk import Desk
from core.replies import ErrorKind, Form, FormField, Reply, Section, error_reply
from core.requests import Request
from tests.desks import code_desk
from tests.fakes.discord_server import APPLICATION_ID, TOKEN, FakeDiscord

PAYLOADS = Path(__file__).parent / "payloads"
GUILD_ID = "1200000000000000100"
CHANNEL_ID = "1200000000000000200"
MODERATOR_ROLE = "1200000000000000400"
MANAGE_GUILD = 1 << 5


def payload(name: str) -> dict[str, Any]:
    """A recorded-shape Discord payload from payloads/, fresh for each use."""
    return copy.deepcopy(json.loads((PAYLOADS / f"{name}.json").read_text()))


_counter = iter(range(10_000, 1_000_000))


def interaction(name: str, **changes: Any) -> dict[str, Any]:
    """An interaction payload with its own id and token (Discord never repeats them)."""
    data = payload(name)
    n = next(_counter)
    data["id"] = f"12000000000{n:08d}"
    data["token"] = f"token-{name}-{n}"
    data.update(changes)
    return data


def command(name: str, value: str | None, option: str = "code", *, admin: bool = False) -> dict[str, Any]:
    data = interaction("interaction_command")
    data["data"]["name"] = name
    data["data"]["options"] = [] if value is None else [{"name": option, "type": 3, "value": value}]
    if admin:
        data["member"]["permissions"] = str(int(data["member"]["permissions"]) | MANAGE_GUILD)
        data["member"]["roles"] = [MODERATOR_ROLE]
    return data


def callback_path(data: Mapping[str, Any]) -> str:
    return f"/interactions/{data['id']}/{data['token']}/callback"


class RegistrationDesk(Feature):
    """A small real feature with a form and an admin-only command, so the adapter's modal and
    permission mapping are exercised through the Desk's own routing."""

    def commands(self) -> Sequence[Command]:
        return (Command("register", "Register (free) for more code views", self._open),
                Command("grant", "Admins: grant views", self._grant),
                Command("compare", "Compare two codes", self._compare))

    def actions(self) -> Mapping[str, Handler]:
        return {"register": self._open, "register_submit": self._submit}

    def _open(self, request: Request) -> Reply:
        return Reply(title="Register for CodeDesk", form=Form("register_submit", "Register for CodeDesk", (
            FormField("email", "Work email", placeholder="you@example.org", kind="email"),
            FormField("agree", "I accept the terms", kind="checkbox"))))

    def _submit(self, request: Request) -> Reply:
        if request.answers.get("agree", "").strip().lower() not in ("yes", "y"):
            return error_reply(ErrorKind.BAD_INPUT, "Please accept the terms to register.",
                               "Type yes in the last box.")
        return Reply(title=f"Registered, {request.actor.display_name}",
                     sections=(Section("Email", request.answers.get("email", "")),))

    def _compare(self, request: Request) -> Reply:
        """Several cards in one answer, as a comparison of two codes would give."""
        return Reply(title="Comparing 2 codes", parts=(Reply(title="First code"), Reply(title="Second code")))

    def _grant(self, request: Request) -> Reply:
        if not request.actor.is_admin:
            return error_reply(ErrorKind.FORBIDDEN, "Only people with Manage Server can grant views.",
                               "Ask a server manager.")
        return Reply(title="Granted unlimited views").shared()


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord(guilds=[payload("guild_create")])
    await server.start()
    yield server
    await server.stop()


@dataclass
class Running:
    bot: CodeDeskBot
    discord: FakeDiscord

    async def send(self, event: str, data: dict[str, Any]) -> None:
        await self.discord.dispatch(event, data)

    async def interact(self, data: dict[str, Any]) -> dict[str, Any]:
        """Dispatch an interaction; return the body of the callback the bot posts."""
        await self.discord.dispatch("INTERACTION_CREATE", data)
        call = await self.discord.wait_for(lambda c: c.method == "POST" and c.path == callback_path(data))
        return dict(call.body)


StartBot = Callable[..., Any]


@pytest.fixture
async def start_bot(fake_discord: FakeDiscord, catalog: Catalog) -> AsyncIterator[StartBot]:
    started: list[tuple[CodeDeskBot, asyncio.Task[None]]] = []

    async def start(*, desk: Desk | None = None, answer_budget: float = 60.0,
                    shard_count: int | None = None, shard_ids: tuple[int, ...] | None = None) -> Running:
        config = DiscordConfig(token=TOKEN, shard_count=shard_count, shard_ids=shard_ids,
                               api_base=fake_discord.api_base, gateway_url=fake_discord.gateway_url)
        bot = CodeDeskBot(desk or code_desk(catalog, features=(RegistrationDesk(),)), config,
                          answer_budget=answer_budget,
                          guild_ready_timeout=0.05)  # discord.py's wait for late GUILD_CREATEs
        task = asyncio.create_task(bot.start(TOKEN))
        started.append((bot, task))
        await asyncio.wait_for(bot.wait_until_ready(), 10)
        return Running(bot, fake_discord)

    with endpoints(DiscordConfig(token=TOKEN, api_base=fake_discord.api_base,
                                 gateway_url=fake_discord.gateway_url)):
        yield start
        for bot, task in started:
            await bot.close()
            await asyncio.wait_for(task, 10)


@pytest.fixture
async def running(start_bot: StartBot) -> Running:
    return await start_bot()  # type: ignore[no-any-return]


__all__ = ["APPLICATION_ID", "Running"]
