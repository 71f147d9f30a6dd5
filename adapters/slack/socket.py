"""Socket Mode: the same Bolt app over Slack's websocket (SLACK_APP_TOKEN), no public URL needed."""

from __future__ import annotations

from slack_bolt.adapter.socket_mode import SocketModeHandler

from adapters.slack.app import SlackParts


def socket_handler(parts: SlackParts, app_token: str) -> SocketModeHandler:
    """`.connect()` runs in the background (tests); `.start()` blocks (the `codedesk run` process)."""
    return SocketModeHandler(parts.app, app_token=app_token, web_client=parts.client)
