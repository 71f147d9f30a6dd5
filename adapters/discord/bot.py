"""The CodeDesk Discord bot: application commands with autocomplete, mentions, persistent buttons and
modals, all answered by the core Desk.

Every event becomes a core Request; the Desk runs in a worker thread. An answer ready within
`answer_budget` seconds is sent inline; slower work is deferred (Discord allows three seconds) and the
answer edits the "thinking" message. Modal submits are handled here from the raw interaction rather
than by the Modal object, so a form opened before a restart still submits afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Any

import discord
from discord import app_commands

from adapters.discord import mapping
from adapters.discord.components import DeskButton, view_for
from adapters.discord.config import DiscordConfig, endpoints
from adapters.discord.custom_ids import parse_form_id
from adapters.discord.render import embed_for, modal_for
from core import logsafe
from core.commands import Command, OptionKind, Suggestion
from core.desk import Desk
from core.replies import Reply
from core.requests import Request
from core.settings import ANSWER_BUDGET_SECONDS

log = logging.getLogger(__name__)

CHOICE_LIMIT = 100  # characters in an autocomplete choice's name and value


def intents() -> discord.Intents:
    """Guilds and messages, without the privileged message-content intent: mentions carry content."""
    chosen = discord.Intents.none()
    chosen.guilds = True
    chosen.guild_messages = True
    chosen.dm_messages = True
    return chosen


class CodeDeskBot(discord.AutoShardedClient):
    def __init__(self, desk: Desk, config: DiscordConfig, *,
                 answer_budget: float = ANSWER_BUDGET_SECONDS, guild_ready_timeout: float = 2.0) -> None:
        sharding: dict[str, Any] = {"shard_count": config.shard_count}
        if config.shard_ids is not None:
            sharding["shard_ids"] = list(config.shard_ids)
        super().__init__(intents=intents(), allowed_mentions=discord.AllowedMentions.none(),
                         guild_ready_timeout=guild_ready_timeout, **sharding)
        self.desk = desk
        self.config = config
        self.answer_budget = answer_budget
        self.tree: app_commands.CommandTree[CodeDeskBot] = app_commands.CommandTree(self)
        self.tree.on_error = self._on_tree_error  # type: ignore[method-assign]
        for command in desk.registry.listed:
            self.tree.add_command(self._command(command))

    async def on_ready(self) -> None:
        log.info("Discord bot ready: shards %s of %s, %d guilds", sorted(self.shards), self.shard_count,
                 len(self.guilds))

    async def setup_hook(self) -> None:
        # Clicks on buttons sent by any earlier process route by custom id.
        self.add_dynamic_items(DeskButton)
        if self.shard_count is None and self.config.gateway_url:
            # With a known shard count discord.py connects to DEFAULT_GATEWAY (our setting), not to
            # the URL /gateway/bot returns; ask for the recommended count so that branch is taken.
            self.shard_count, _url, _limits = await self.http.get_bot_gateway()

    # --- application commands ----------------------------------------------------------------------
    def _command(self, spec: Command) -> app_commands.Command[Any, ..., None]:
        """One application command from the core registry, with its one text option."""
        bot = self
        if spec.option.required:
            async def callback(interaction: discord.Interaction, text: str) -> None:
                await bot.run_command(interaction, spec.name, text)
        else:
            async def callback(interaction: discord.Interaction, text: str = "") -> None:  # type: ignore[misc]
                await bot.run_command(interaction, spec.name, text)
        callback = app_commands.rename(text=spec.option.name)(callback)
        callback = app_commands.describe(text=spec.option.help)(callback)
        command: app_commands.Command[Any, ..., None] = app_commands.Command(
            name=spec.name, description=spec.help, callback=callback)
        if spec.option.kind is OptionKind.CODE:
            async def complete(interaction: discord.Interaction,
                               current: str) -> list[app_commands.Choice[str]]:
                return await bot.suggest(interaction, spec.name, current)
            command.autocomplete("text")(complete)
        return command

    async def run_command(self, interaction: discord.Interaction[Any], name: str, text: str) -> None:
        await self.respond(interaction, mapping.command_request(interaction, name, text))

    async def suggest(self, interaction: discord.Interaction[Any], command: str,
                      typed: str) -> list[app_commands.Choice[str]]:
        if not typed.strip():
            return []
        actor = mapping.actor_of_interaction(interaction)
        try:
            found: list[Suggestion] = await asyncio.to_thread(self.desk.suggest, actor, command, typed)
        except Exception as exc:
            # An empty list keeps the box usable; typing the code by hand still works.
            log.error("autocomplete failed: command=%s error=%s", command[:30], logsafe.describe(exc))
            return []
        return [app_commands.Choice(name=s.label(CHOICE_LIMIT), value=s.code[:CHOICE_LIMIT]) for s in found]

    async def _on_tree_error(self, interaction: discord.Interaction[Any],
                             error: app_commands.AppCommandError) -> None:
        log.error("application command failed: command=%s error=%s", interaction.command and
                  interaction.command.name, logsafe.describe(error))

    # --- buttons and modals ------------------------------------------------------------------------
    async def handle_button(self, interaction: discord.Interaction[Any], action_id: str, value: str) -> None:
        await self.respond(interaction, mapping.button_request(interaction, action_id, value))

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        data: dict[str, Any] = dict(interaction.data or {})
        form_id = parse_form_id(str(data.get("custom_id", "")))
        if form_id is not None:
            await self.respond(interaction, mapping.form_request(interaction, form_id))

    # --- answering an interaction ------------------------------------------------------------------
    async def respond(self, interaction: discord.Interaction[Any], request: Request) -> None:
        work = asyncio.ensure_future(asyncio.to_thread(self.desk.handle, request))
        done, _ = await asyncio.wait({work}, timeout=self.answer_budget)
        if done:
            await self.send_reply(interaction, work.result())
            return
        private = not request.asks_to_share  # a wrong guess is mended in send_reply
        await interaction.response.defer(ephemeral=private, thinking=True)
        await self.send_reply(interaction, await work, deferred_private=private)

    async def send_reply(self, interaction: discord.Interaction[Any], reply: Reply, *,
                         deferred_private: bool | None = None) -> None:
        can_open_form = (not interaction.response.is_done()
                         and interaction.type is not discord.InteractionType.modal_submit)
        if reply.form is not None and can_open_form:
            await interaction.response.send_modal(modal_for(reply.form))
            return
        parts = reply.all_parts()
        first, rest = parts[0], parts[1:]
        if deferred_private is None:
            await interaction.response.send_message(**_message_args(first), ephemeral=first.is_private)
        elif deferred_private == first.is_private:
            await interaction.edit_original_response(**_message_args(first))
        else:
            # The "thinking" message cannot change visibility: replace it with a followup.
            await interaction.followup.send(**_message_args(first), ephemeral=first.is_private)
            await interaction.delete_original_response()
        for part in rest:
            await interaction.followup.send(**_message_args(part), ephemeral=part.is_private)

    # --- mentions -----------------------------------------------------------------------------------
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or self.user is None or not mapping.mentions_bot(message, self.user.id):
            return
        request = mapping.message_request(message, self.user.id) or Request.command_of(
            mapping.actor_of_message(message), "help", channel_id=str(message.channel.id))
        async with message.channel.typing():
            reply = await asyncio.to_thread(self.desk.handle, request)
        for part in reply.all_parts():
            # A mention has no interaction to open a modal from, so a form reply shows its text only.
            await message.reply(**_message_args(part), mention_author=False)


def _message_args(reply: Reply) -> dict[str, Any]:
    args: dict[str, Any] = {"embed": embed_for(reply)}
    view = view_for(reply)
    if view is not None:
        args["view"] = view
    return args


async def run_bot(desk: Desk, config: DiscordConfig) -> None:
    """Run until SIGTERM/SIGINT: log in and connect the configured shards."""
    bot = CodeDeskBot(desk, config)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)  # containers stop with SIGTERM: close cleanly
    with endpoints(config):
        async with bot:
            running = asyncio.create_task(bot.start(config.token))
            stopping = asyncio.create_task(stop.wait())
            await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            await bot.close()
            await running  # re-raises a login failure or a fatal gateway error


async def sync_commands(desk: Desk, config: DiscordConfig, guild_id: int | None) -> list[str]:
    """Publish the command tree: to one guild (instant, for development) or globally. Returns the names."""
    bot = CodeDeskBot(desk, config)
    with endpoints(config):
        async with bot:
            await bot.login(config.token)
            guild = discord.Object(id=guild_id) if guild_id is not None else None
            if guild is not None:
                bot.tree.copy_global_to(guild=guild)
            synced = await bot.tree.sync(guild=guild)
    return [command.name for command in synced]
