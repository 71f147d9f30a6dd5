"""Discord events -> core Actors and Requests: one small function per event kind. Nothing from
discord.py leaves this module except plain strings."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import discord

from core.requests import Actor, Platform, Request

DIRECT_MESSAGES = "@me"  # the workspace of a direct message (Discord's own name for it)


def _is_admin(permissions: discord.Permissions | None) -> bool:
    """Admin = Manage Server (administrators have every permission, so they pass too)."""
    return permissions is not None and (permissions.manage_guild or permissions.administrator)


def actor_of_interaction(interaction: discord.Interaction[Any]) -> Actor:
    user = interaction.user
    in_guild = interaction.guild_id is not None
    return Actor(
        platform=Platform.DISCORD,
        workspace_id=str(interaction.guild_id) if in_guild else DIRECT_MESSAGES,
        user_id=str(user.id),
        display_name=user.display_name,
        # Interaction payloads carry the member's resolved permissions, so no guild cache is needed.
        is_admin=in_guild and _is_admin(interaction.permissions),
    )


def actor_of_message(message: discord.Message) -> Actor:
    author = message.author
    guild_id = message.guild.id if message.guild is not None else None
    permissions = author.guild_permissions if isinstance(author, discord.Member) else None
    return Actor(
        platform=Platform.DISCORD,
        workspace_id=str(guild_id) if guild_id is not None else DIRECT_MESSAGES,
        user_id=str(author.id),
        display_name=author.display_name,
        is_admin=guild_id is not None and _is_admin(permissions),
    )


def channel_of(interaction: discord.Interaction[Any]) -> str:
    return str(interaction.channel_id or "")


def command_request(interaction: discord.Interaction[Any], name: str, text: str) -> Request:
    return Request.command_of(actor_of_interaction(interaction), name, text.strip(), channel_of(interaction))


def button_request(interaction: discord.Interaction[Any], action_id: str, value: str) -> Request:
    return Request.action_of(actor_of_interaction(interaction), action_id, value, channel_of(interaction))


def form_request(interaction: discord.Interaction[Any], form_id: str) -> Request:
    data: Mapping[str, Any] = interaction.data or {}
    return Request.form_of(actor_of_interaction(interaction), form_id,
                           modal_answers(data.get("components", [])), channel_of(interaction))


def modal_answers(components: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Text input values by custom id, from action rows (or label components) of a modal submit."""
    answers: dict[str, str] = {}
    for component in components:
        if "custom_id" in component and "value" in component:
            answers[str(component["custom_id"])] = str(component["value"] or "")
        answers.update(modal_answers(component.get("components", [])))
        inner = component.get("component")
        if isinstance(inner, Mapping):
            answers.update(modal_answers([inner]))
    return answers


def mentions_bot(message: discord.Message, bot_id: int) -> bool:
    """A direct mention of the bot (not @everyone or @here), or any direct message."""
    return message.guild is None or any(user.id == bot_id for user in message.mentions)


def message_request(message: discord.Message, bot_id: int) -> Request | None:
    """The free text of a message for the bot, mention removed; None when nothing is left to answer."""
    text = strip_mention(message.content, bot_id)
    if not text:
        return None
    reference = message.reference.message_id if message.reference is not None else None
    # A reply to one of the bot's posts (a consult's ticket) carries that post's id.
    return Request.message_of(actor_of_message(message), text, str(message.channel.id),
                              thread_id=str(reference) if reference else "")


def strip_mention(content: str, bot_id: int) -> str:
    text = re.sub(rf"<@!?{bot_id}>", " ", content)
    return " ".join(text.split())
