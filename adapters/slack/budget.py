"""Slack's three-second rule, written once: answer inside the acknowledgement when the answer is ready
within the budget (core.settings.ANSWER_BUDGET_SECONDS, counted from when the request arrived);
otherwise acknowledge now and follow up from a worker when the answer is ready."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from core.replies import Reply
from core.settings import ANSWER_BUDGET_SECONDS


class AnswerBudget:
    def __init__(self, executor: ThreadPoolExecutor, seconds: float = ANSWER_BUDGET_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.executor = executor
        self.seconds = seconds
        self.clock = clock

    def answer(self, work: Callable[[], Reply], *, started: float, inline: bool,
               acknowledge: Callable[[], object], follow_up: Callable[[Reply], None]) -> Reply | None:
        """The reply, when it is ready within what is left of the budget: the caller sends it with the
        ack. Otherwise `acknowledge()` runs now, `follow_up(reply)` later on a worker, and the result
        is None. `inline` work (a fast command, or no budget configured) simply runs here."""
        if inline or self.seconds <= 0:
            return work()
        future = self.executor.submit(work)
        left = max(0.0, self.seconds - (self.clock() - started))
        try:
            return future.result(timeout=left)
        except FutureTimeout:
            acknowledge()
            future.add_done_callback(lambda done: self._follow(done, follow_up))
            return None

    def later(self, work: Callable[[], Reply], follow_up: Callable[[Reply], None]) -> None:
        """All of it after an ack the caller already sent (when even who is asking was not known in time)."""
        self.executor.submit(lambda: follow_up(work()))

    def _follow(self, done: Future[Reply], follow_up: Callable[[Reply], None]) -> None:
        # On a worker, never on the listener's thread: the ack's HTTP response must not wait for it.
        self.executor.submit(follow_up, done.result())  # Desk.handle never raises: failures are Replies
