"""Custom ids for buttons and modals. They carry the core action id and value themselves, so a button
clicked after a restart still names what it acts on (Discord allows at most 100 characters)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

MAX_CUSTOM_ID = 100
BUTTON_PREFIX = "cd"
FORM_PREFIX = "cdf"
# Matches every button id this adapter writes; discord.py's DynamicItem routes clicks by it.
BUTTON_TEMPLATE = r"(?s)cd:(?P<action>[^:]+):(?P<value>.*)"


@dataclass(frozen=True, slots=True)
class ButtonId:
    action_id: str
    value: str


def button_id(action_id: str, value: str) -> str | None:
    """The custom id for a button, or None when it would not fit in Discord's 100 characters."""
    if not action_id or ":" in action_id:
        return None
    custom_id = f"{BUTTON_PREFIX}:{action_id}:{value}"
    return custom_id if len(custom_id) <= MAX_CUSTOM_ID else None


def parse_button_id(custom_id: str) -> ButtonId | None:
    prefix, _, rest = custom_id.partition(":")
    action_id, sep, value = rest.partition(":")
    if prefix != BUTTON_PREFIX or not sep or not action_id:
        return None
    return ButtonId(action_id, value)


def form_id(form: str) -> str:
    """A modal's custom id: the form id plus a nonce, because discord.py keys open modals by custom id
    and two people may fill in the same form at once."""
    return f"{FORM_PREFIX}:{form}:{secrets.token_hex(4)}"[:MAX_CUSTOM_ID]


def parse_form_id(custom_id: str) -> str | None:
    prefix, _, rest = custom_id.partition(":")
    form, sep, _nonce = rest.rpartition(":")
    if prefix != FORM_PREFIX or not sep or not form:
        return None
    return form
