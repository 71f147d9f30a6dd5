"""Posting to a channel or a person outside a request (digests, notices): the port each platform
adapter implements, so core code can post without knowing Slack or Discord."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

from core.replies import Reply


class PostOutcome(enum.StrEnum):
    SENT = "sent"
    CHANNEL_GONE = "channel_gone"  # the bot was removed, or the channel no longer exists (stop posting)
    FAILED = "failed"  # anything else; may succeed later


@dataclass(frozen=True, slots=True)
class PostResult:
    outcome: PostOutcome
    detail: str = ""  # the platform's error code, never message text
    message_id: str = ""  # the first message posted (Slack ts, Discord message id), when the platform says
    channel_id: str = ""  # the channel's id as the platform reports it (Slack resolves "#name" to an id)

    @property
    def ok(self) -> bool:
        return self.outcome is PostOutcome.SENT


class ChannelPoster(Protocol):
    """Implemented by adapters/slack, adapters/discord and adapters/shell."""

    def post(self, workspace_id: str, channel_id: str, reply: Reply) -> PostResult: ...

    def notify_user(self, workspace_id: str, user_id: str, reply: Reply) -> PostResult: ...
