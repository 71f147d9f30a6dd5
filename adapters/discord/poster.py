"""Posting outside a request (digests, notices) through Discord's REST API: core.channels.ChannelPoster.

Synchronous on purpose: the scheduler calls it from worker threads, with no event loop to share.
A 403 or 404 means the bot was removed or the channel is gone, so the caller stops posting there.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from adapters.discord.config import DiscordConfig
from adapters.discord.render import message_payload
from core.channels import PostOutcome, PostResult
from core.replies import Reply

log = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://discord.com/api/v10"
USER_AGENT = "DiscordBot (https://github.com/codedesk/codedesk, 0.1) CodeDesk"
MAX_RETRY_WAIT = 10.0  # seconds; a longer rate limit is reported as a failure to retry later


class DiscordPoster:
    def __init__(self, token: str, api_base: str | None = None, *, timeout: float = 10.0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._token = token
        self.api_base = (api_base or DEFAULT_API_BASE).rstrip("/")
        self.timeout = timeout
        self._sleep = sleep

    @classmethod
    def from_config(cls, config: DiscordConfig) -> DiscordPoster:
        return cls(config.token, config.api_base)

    def post(self, workspace_id: str, channel_id: str, reply: Reply) -> PostResult:
        """Every part of the reply as its own message in the channel (Discord has no workspace scope)."""
        first = ""
        for part in reply.all_parts():
            result = self._send(f"/channels/{channel_id}/messages", message_payload(part))
            if not result.ok:
                return result
            first = first or result.message_id
        return PostResult(PostOutcome.SENT, message_id=first)

    def notify_user(self, workspace_id: str, user_id: str, reply: Reply) -> PostResult:
        """A direct message: open (or reuse) the DM channel, then post to it."""
        status, body = self._request("POST", "/users/@me/channels", {"recipient_id": user_id})
        if not 200 <= status < 300 or not isinstance(body, dict) or "id" not in body:
            return _failure(status, body)
        return self.post(workspace_id, str(body["id"]), reply)

    def _send(self, path: str, payload: dict[str, Any]) -> PostResult:
        status, body = self._request("POST", path, payload)
        if status == 429 and isinstance(body, dict):
            wait = float(body.get("retry_after", MAX_RETRY_WAIT + 1))
            if wait <= MAX_RETRY_WAIT:
                self._sleep(wait)
                status, body = self._request("POST", path, payload)
        if not 200 <= status < 300:
            return _failure(status, body)
        return PostResult(PostOutcome.SENT, message_id=str(body.get("id", "")) if isinstance(body, dict) else "")

    def _request(self, method: str, path: str, payload: dict[str, Any]) -> tuple[int, Any]:
        request = urllib.request.Request(
            self.api_base + path, data=json.dumps(payload).encode(), method=method,
            headers={"Authorization": f"Bot {self._token}", "Content-Type": "application/json",
                     "User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, _json(response.read())
        except urllib.error.HTTPError as error:
            return error.code, _json(error.read())
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            log.warning("discord post failed: %s %s: %s", method, path.split("/")[1], type(error).__name__)
            return 0, None


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def _failure(status: int, body: Any) -> PostResult:
    code = str(body.get("code", "")) if isinstance(body, dict) else ""
    detail = (f"http {status}" + (f" code {code}" if code else "")) if status else "unreachable"
    if status in (403, 404):
        return PostResult(PostOutcome.CHANNEL_GONE, detail)
    return PostResult(PostOutcome.FAILED, detail)
