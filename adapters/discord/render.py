"""Render a core Reply as a Discord embed plus buttons, and a Form as a modal, within Discord's limits.

Knows nothing about medical codes. Text past a limit is cut and ends with "…"; nothing is dropped
silently except buttons whose custom id would not fit (logged with the action id only).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

import discord

from adapters.discord import custom_ids
from core.replies import ELLIPSIS, Action, ActionStyle, ErrorKind, Form, Reply, clip

log = logging.getLogger(__name__)

# Discord's documented limits.
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_COUNT_LIMIT = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000
EMBEDS_PER_MESSAGE = 10
BUTTONS_PER_MESSAGE = 25
BUTTON_LABEL_LIMIT = 80
MODAL_TITLE_LIMIT = 45
MODAL_INPUTS_LIMIT = 5
INPUT_LABEL_LIMIT = 45
INPUT_PLACEHOLDER_LIMIT = 100
INPUT_VALUE_LIMIT = 4000  # a text input holds at most 4000 characters

COLOUR_OK = discord.Colour(0x1F8B7A)
COLOUR_ERROR = discord.Colour(0xC0392B)
COLOUR_QUOTA = discord.Colour(0xE6A23C)
_EMPTY = "\u200b"  # Discord rejects empty field names and values

_STYLES = {ActionStyle.PRIMARY: discord.ButtonStyle.primary, ActionStyle.DANGER: discord.ButtonStyle.danger,
           ActionStyle.DEFAULT: discord.ButtonStyle.secondary}
_SLACK_BOLD = re.compile(r"(?<![*\w])\*(?!\*)([^*\n]+?)\*(?![*\w])")


def discord_markdown(text: str) -> str:
    """Core text uses *single stars* for bold (as Slack does); Discord needs **double**."""
    return _SLACK_BOLD.sub(r"**\1**", text)


@dataclass(frozen=True, slots=True)
class EmbedField:
    name: str
    value: str
    inline: bool


def embed_for(reply: Reply) -> discord.Embed:
    """One embed: title, subtitle and sections as the description, fields and results as fields, footer."""
    title = clip(reply.title or _EMPTY, TITLE_LIMIT)
    footer = clip(reply.footer, FOOTER_LIMIT)
    fields = _fields(reply)
    description = _description(reply)
    budget = EMBED_TOTAL_LIMIT - len(title) - len(footer)
    # Keep the whole embed under 6,000 characters: shorten the description first, then drop fields.
    field_chars = sum(len(f.name) + len(f.value) for f in fields)
    if len(description) + field_chars > budget:
        description = clip(description, max(200, budget - field_chars))
    while fields and len(description) + sum(len(f.name) + len(f.value) for f in fields) > budget:
        fields.pop()
    if len(description) + sum(len(f.name) + len(f.value) for f in fields) > budget:
        description = clip(description, max(0, budget - sum(len(f.name) + len(f.value) for f in fields)))
    embed = discord.Embed(title=title, description=description or None, colour=_colour(reply))
    for item in fields:
        embed.add_field(name=item.name, value=item.value, inline=item.inline)
    if footer:
        embed.set_footer(text=footer)
    return embed


def embed_length(embed: discord.Embed) -> int:
    """The characters Discord counts towards the 6,000 limit."""
    return len(embed)


def _colour(reply: Reply) -> discord.Colour:
    if reply.error is ErrorKind.QUOTA:
        return COLOUR_QUOTA
    return COLOUR_ERROR if reply.is_error else COLOUR_OK


def _description(reply: Reply) -> str:
    blocks: list[str] = []
    if reply.subtitle:
        blocks.append(discord_markdown(reply.subtitle))
    for section in reply.sections:
        text = discord_markdown(section.text)
        blocks.append(f"**{section.heading}**\n{text}" if section.heading else text)
    return clip("\n\n".join(blocks), DESCRIPTION_LIMIT)


def _fields(reply: Reply) -> list[EmbedField]:
    out = [EmbedField(clip(f.label or _EMPTY, FIELD_NAME_LIMIT),
                      clip(discord_markdown(f.value) or _EMPTY, FIELD_VALUE_LIMIT), f.inline)
           for f in reply.fields]
    for item in reply.results:
        lines = [line for line in (item.subtitle, item.detail) if line]
        out.append(EmbedField(clip(item.title or _EMPTY, FIELD_NAME_LIMIT),
                              clip(discord_markdown("\n".join(lines)) or _EMPTY, FIELD_VALUE_LIMIT), False))
    if len(out) > FIELD_COUNT_LIMIT:
        hidden = len(out) - (FIELD_COUNT_LIMIT - 1)
        out = out[: FIELD_COUNT_LIMIT - 1]
        out.append(EmbedField("More", f"{ELLIPSIS} and {hidden} more not shown here", False))
    return out


@dataclass(frozen=True, slots=True)
class ButtonSpec:
    label: str
    custom_id: str
    style: discord.ButtonStyle


def buttons_for(reply: Reply) -> list[ButtonSpec]:
    """Per-result actions first, then the reply's own; duplicates merged (Discord rejects repeated ids)."""
    actions: list[Action] = [item.action for item in reply.results if item.action is not None]
    actions.extend(reply.actions)
    out: list[ButtonSpec] = []
    seen: set[str] = set()
    for action in actions:
        custom_id = custom_ids.button_id(action.action_id, action.value)
        if custom_id is None:
            log.warning("button dropped: its custom id would exceed 100 characters (action=%s)",
                        action.action_id)
            continue
        if custom_id in seen:
            continue
        seen.add(custom_id)
        out.append(ButtonSpec(clip(action.label or action.action_id, BUTTON_LABEL_LIMIT), custom_id,
                              _STYLES.get(action.style, discord.ButtonStyle.secondary)))
        if len(out) == BUTTONS_PER_MESSAGE:
            break
    return out


def components_for(buttons: list[ButtonSpec]) -> list[dict[str, Any]]:
    """Action rows as Discord's JSON (for REST posts made without a discord.py View)."""
    rows: list[dict[str, Any]] = []
    for start in range(0, len(buttons), 5):
        rows.append({"type": 1, "components": [
            {"type": 2, "style": b.style.value, "label": b.label, "custom_id": b.custom_id}
            for b in buttons[start: start + 5]]})
    return rows


def message_payload(reply: Reply) -> dict[str, Any]:
    """The JSON body of a channel message for this reply (no pings: text is echoed from users)."""
    body: dict[str, Any] = {"embeds": [embed_for(reply).to_dict()], "allowed_mentions": {"parse": []}}
    components = components_for(buttons_for(reply))
    if components:
        body["components"] = components
    return body


@dataclass(frozen=True, slots=True)
class ModalInput:
    name: str
    label: str
    placeholder: str
    required: bool
    multiline: bool
    value: str = ""  # filled in already


def modal_inputs(form: Form) -> list[ModalInput]:
    """At most five text inputs; a checkbox becomes a text input that asks for "yes"."""
    if len(form.fields) > MODAL_INPUTS_LIMIT:
        log.warning("form %s has %d fields; a Discord modal shows the first %d", form.form_id,
                    len(form.fields), MODAL_INPUTS_LIMIT)
    out: list[ModalInput] = []
    for item in form.fields[:MODAL_INPUTS_LIMIT]:
        placeholder = item.placeholder
        if item.kind == "checkbox":
            placeholder = placeholder or "Type yes to agree"
        out.append(ModalInput(item.name[: custom_ids.MAX_CUSTOM_ID], clip(item.label, INPUT_LABEL_LIMIT),
                              clip(placeholder, INPUT_PLACEHOLDER_LIMIT), item.required, item.multiline,
                              item.value[:INPUT_VALUE_LIMIT]))
    return out


def modal_for(form: Form) -> discord.ui.Modal:
    """A modal for the form. Its submit is handled by the bot from the raw interaction (see bot.py)."""
    modal = discord.ui.Modal(title=clip(form.title or "CodeDesk", MODAL_TITLE_LIMIT),
                             custom_id=custom_ids.form_id(form.form_id), timeout=900)
    for item in modal_inputs(form):
        modal.add_item(discord.ui.TextInput(
            label=item.label, custom_id=item.name, placeholder=item.placeholder or None,
            required=item.required, default=item.value or None,
            style=discord.TextStyle.paragraph if item.multiline else discord.TextStyle.short))
    return modal
