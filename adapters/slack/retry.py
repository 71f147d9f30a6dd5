"""Web API retries: a 429 is retried after exactly the Retry-After Slack asked for."""

from __future__ import annotations

import time
from collections.abc import Callable

from slack_sdk.http_retry import ConnectionErrorRetryHandler, RetryHandler
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState


class RetryAfter(RateLimitErrorRetryHandler):
    """slack_sdk's rate-limit handler with the wait passed in (tests record it instead of sleeping)."""

    def __init__(self, max_retry_count: int = 3, sleep: Callable[[float], None] = time.sleep) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.sleep = sleep

    def prepare_for_next_attempt(self, *, state: RetryState, request: HttpRequest,
                                 response: HttpResponse | None = None,
                                 error: Exception | None = None) -> None:
        if response is None:
            raise error or RuntimeError("no response to retry")
        state.next_attempt_requested = True
        headers = {k.lower(): v for k, v in response.headers.items()}
        values = headers.get("retry-after") or ["1"]
        try:
            wait = float(values[0])
        except ValueError:
            wait = 1.0
        self.sleep(max(0.0, min(wait, 60.0)))
        state.increment_current_attempt()


def retry_handlers(sleep: Callable[[float], None] = time.sleep) -> list[RetryHandler]:
    return [ConnectionErrorRetryHandler(), RetryAfter(sleep=sleep)]
