"""Posting outside a request (digests, notices): core.channels.ChannelPoster for Slack."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from adapters.slack.render import render
from core.channels import PostOutcome, PostResult
from core.replies import Reply

log = logging.getLogger(__name__)

# Errors meaning "this channel will not take posts again": the caller should stop posting there.
GONE = frozenset({"channel_not_found", "not_in_channel", "is_archived", "account_inactive",
                  "team_access_not_granted", "user_not_found", "cannot_dm_bot", "not_authed",
                  "invalid_auth", "token_revoked"})


class SlackPoster:
    """`client_for(team_id)` gives a WebClient holding that workspace's bot token."""

    def __init__(self, client_for: Callable[[str], WebClient | None]) -> None:
        self.client_for = client_for

    def post(self, workspace_id: str, channel_id: str, reply: Reply) -> PostResult:
        client = self.client_for(workspace_id)
        if client is None:
            return PostResult(PostOutcome.CHANNEL_GONE, "not_installed")
        first, posted_in = "", ""
        for message in render(reply):
            try:
                answer = client.chat_postMessage(channel=channel_id, text=message.text, blocks=message.blocks)
                first = first or str(answer.get("ts") or "")
                posted_in = posted_in or str(answer.get("channel") or "")
            except SlackApiError as err:
                code = str(err.response.get("error", "unknown"))
                log.warning("post failed team=%s channel=%s error=%s", workspace_id, channel_id, code)
                return PostResult(PostOutcome.CHANNEL_GONE if code in GONE else PostOutcome.FAILED, code)
            except OSError as err:
                log.warning("post failed team=%s channel=%s error=%s", workspace_id, channel_id,
                            type(err).__name__)
                return PostResult(PostOutcome.FAILED, type(err).__name__)
        return PostResult(PostOutcome.SENT, message_id=first, channel_id=posted_in)

    def notify_user(self, workspace_id: str, user_id: str, reply: Reply) -> PostResult:
        # Posting to a user id delivers into the bot's direct conversation with them.
        return self.post(workspace_id, user_id, reply)
