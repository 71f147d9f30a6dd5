"""Slack payloads -> core Requests: one small function per kind of thing Slack delivers."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from adapters.slack.render import decode_action_id, form_answers, form_metadata
from core.requests import Actor, Platform, Request

_MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")
Payload = Mapping[str, Any]


@dataclass(frozen=True)
class Who:
    """Who sent a payload, before their role is looked up: team, user, and the name Slack gave."""

    team_id: str
    user_id: str
    name: str = ""

    def actor(self, display_name: str = "", is_admin: bool = False) -> Actor:
        return Actor(Platform.SLACK, self.team_id, self.user_id, display_name or self.name, is_admin)


def who_of_command(body: Payload) -> Who:
    return Who(str(body.get("team_id", "")), str(body.get("user_id", "")), str(body.get("user_name", "")))


def who_of_event(body: Payload) -> Who:
    event = body.get("event", {})
    team = event.get("team") or body.get("team_id") or ""
    return Who(str(team), str(event.get("user", "")))


def who_of_interaction(body: Payload) -> Who:
    user = body.get("user", {})
    team = (body.get("team") or {}).get("id") or user.get("team_id") or ""
    return Who(str(team), str(user.get("id", "")), str(user.get("username") or user.get("name") or ""))


def command_request(actor: Actor, body: Payload, slash_names: Mapping[str, str], zone: str = "") -> Request:
    """`/icd-10 E11.9` -> the core command its configured name stands for. `zone` is the workspace's
    time zone (adapters/slack/people.py), for anything that runs on a local clock (digests)."""
    slash = str(body.get("command", "")).lower()
    name = slash_names.get(slash, slash.lstrip("/"))
    return Request.command_of(actor, name, str(body.get("text", "")).strip(), str(body.get("channel_id", "")),
                              zone)


def is_bot_message(event: Payload) -> bool:
    """Messages from bots (CodeDesk's own included) never get an answer, so bots cannot loop."""
    return bool(event.get("bot_id") or event.get("bot_profile")) or event.get("subtype") == "bot_message"


def is_plain_dm(event: Payload) -> bool:
    """A person's own new message in a direct conversation with the bot (not an edit or a join)."""
    return event.get("channel_type") == "im" and not event.get("subtype") and not is_bot_message(event)


def message_request(actor: Actor, event: Payload, zone: str = "") -> Request:
    text = _MENTION.sub(" ", str(event.get("text", "")))
    return Request.message_of(actor, " ".join(text.split()), str(event.get("channel", "")), zone,
                              thread_id=parent_of(event))


def parent_of(event: Payload) -> str:
    """The ts of the message a reply's thread hangs from; "" for a message that is not a reply."""
    thread, ts = event.get("thread_ts"), event.get("ts")
    return str(thread) if thread and thread != ts else ""


def is_channel_thread_reply(body: Payload, event: Payload) -> bool:
    """A person's reply in a channel thread that does not mention the bot (a mention is answered as the
    app_mention it also is). Only a thread some feature owns gets an answer (Desk.follow_thread)."""
    if event.get("channel_type") not in ("channel", "group") or event.get("subtype") or is_bot_message(event):
        return False
    bots = {str(a.get("user_id")) for a in body.get("authorizations") or () if a.get("user_id")}
    text = str(event.get("text", ""))
    return bool(parent_of(event)) and not any(f"<@{bot}" in text for bot in bots)


def thread_of(event: Payload) -> str:
    """The thread to answer in: the one the message is in, else a new one under the message."""
    return str(event.get("thread_ts") or event.get("ts") or "")


def channel_of_interaction(body: Payload) -> str:
    channel = body.get("channel") or {}
    if channel.get("id"):
        return str(channel["id"])
    container = body.get("container") or {}
    return str(container.get("channel_id", ""))


def action_request(actor: Actor, body: Payload, action: Payload, zone: str = "") -> Request:
    return Request.action_of(actor, decode_action_id(str(action.get("action_id", ""))),
                             str(action.get("value", "")), channel_of_interaction(body), zone)


def form_request(actor: Actor, view: Payload, zone: str = "") -> Request:
    form_id, channel = form_metadata(dict(view))
    return Request.form_of(actor, form_id, form_answers(dict(view)), channel, zone)
