"""The persistent button: a discord.py DynamicItem whose custom id carries the core action, so clicks
route to the bot even for messages sent before a restart."""

from __future__ import annotations

import re
from typing import Any, Protocol

import discord

from adapters.discord import custom_ids
from adapters.discord.render import ButtonSpec, buttons_for
from core.replies import Reply


class ButtonHandler(Protocol):
    """What the client must offer for a click (the CodeDesk bot does)."""

    async def handle_button(self, interaction: discord.Interaction[Any], action_id: str,
                            value: str) -> None: ...


class DeskButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=custom_ids.BUTTON_TEMPLATE):
    def __init__(self, spec: ButtonSpec) -> None:
        super().__init__(discord.ui.Button(label=spec.label, style=spec.style, custom_id=spec.custom_id))
        self.spec = spec

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> DeskButton:
        button = item if isinstance(item, discord.ui.Button) else None
        label = (button.label if button else None) or match["action"]
        style = button.style if button else discord.ButtonStyle.secondary
        return cls(ButtonSpec(label, str(getattr(item, "custom_id", "")), style))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        parsed = custom_ids.parse_button_id(self.spec.custom_id)
        client = interaction.client
        if parsed is None or not hasattr(client, "handle_button"):
            return
        await client.handle_button(interaction, parsed.action_id, parsed.value)


def view_for(reply: Reply) -> discord.ui.View | None:
    """The reply's buttons as a view with no timeout, or None when it has none."""
    specs = buttons_for(reply)
    if not specs:
        return None
    view = discord.ui.View(timeout=None)
    for spec in specs:
        view.add_item(DeskButton(spec))
    return view
