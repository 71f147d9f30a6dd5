"""The terminal's ChannelPoster: digests and notices are printed, marked with where they would go."""

from __future__ import annotations

import threading
from typing import TextIO

from adapters.shell.render import render
from core.channels import PostOutcome, PostResult
from core.replies import Reply


class ShellPoster:
    """Prints each post to `out`. Channels in `gone` answer CHANNEL_GONE, as a removed bot would see."""

    def __init__(self, out: TextIO, gone: frozenset[str] = frozenset()) -> None:
        self.out = out
        self.gone = gone
        self._lock = threading.Lock()  # the scheduler posts from its own thread

    def post(self, workspace_id: str, channel_id: str, reply: Reply) -> PostResult:
        if channel_id in self.gone:
            return PostResult(PostOutcome.CHANNEL_GONE, "channel_not_found")
        self._write(f"── posted to #{channel_id} ──", reply)
        return PostResult(PostOutcome.SENT)

    def notify_user(self, workspace_id: str, user_id: str, reply: Reply) -> PostResult:
        self._write(f"── message to @{user_id} ──", reply)
        return PostResult(PostOutcome.SENT)

    def _write(self, header: str, reply: Reply) -> None:
        with self._lock:
            self.out.write(f"\n{header}\n{render(reply)}\n\n")
            self.out.flush()
