"""`codedesk bench digest --platform slack --poster bench.digest_slack:poster`: digests go through
the real SlackPoster (slack_sdk WebClient) to the fake Slack Web API on loopback."""

from __future__ import annotations

import threading

from slack_sdk import WebClient

from adapters.slack.poster import SlackPoster
from tests.fakes.slack_api import FakeSlack


class FakeSlackBenchPoster(SlackPoster):
    """A SlackPoster whose workspaces all talk to a fake Slack started for the benchmark."""

    def __init__(self) -> None:
        self.fake = FakeSlack().start()
        self._clients: dict[str, WebClient] = {}
        self._lock = threading.Lock()
        super().__init__(self._client_for)

    def _client_for(self, team_id: str) -> WebClient:
        with self._lock:  # the digest runner posts from several threads
            if team_id not in self._clients:
                self._clients[team_id] = WebClient(token=f"xoxb-{team_id}-bench", base_url=self.fake.api_url)
            return self._clients[team_id]

    def close(self) -> None:
        """Called by the bench when it is done."""
        print(f"fake Slack received {len(self.fake.calls_to('chat.postMessage')):,} chat.postMessage calls")
        self.fake.stop()


def poster() -> FakeSlackBenchPoster:
    return FakeSlackBenchPoster()
