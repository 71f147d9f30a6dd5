"""Posting outside a request (digests): rendered blocks go out; a channel that is gone says so."""

from __future__ import annotations

from adapters.slack.app import web_client
from adapters.slack.config import SlackConfig
from adapters.slack.poster import SlackPoster
from core.channels import PostOutcome
from core.replies import Reply, ResultItem, Visibility
from tests.fakes.slack_api import FakeSlack

DIGEST = Reply(title="Today's coding jobs", results=(ResultItem("Remote coder", "Acme Health"),),
               visibility=Visibility.CHANNEL, parts=(Reply(title="2 more tomorrow"),))


def _poster(fake: FakeSlack, slept: list[float] | None = None) -> SlackPoster:
    config = SlackConfig(signing_secret="s", bot_token="xoxb-T0CODEDESK-bot", api_url=fake.api_url)
    client = web_client(config, config.bot_token, sleep=(slept if slept is not None else []).append)
    return SlackPoster(lambda team: client if team == "T0CODEDESK" else None)


def test_a_digest_is_posted_with_its_blocks(fake_slack: FakeSlack) -> None:
    result = _poster(fake_slack).post("T0CODEDESK", "C0JOBS", DIGEST)
    assert result.ok
    posts = fake_slack.calls_to("chat.postMessage")
    assert [p.params["channel"] for p in posts] == ["C0JOBS", "C0JOBS"]
    assert posts[0].blocks[0]["text"]["text"] == "Today's coding jobs"
    assert "Remote coder" in posts[0].blocks[1]["text"]["text"]


def test_gone_channels_are_reported_so_posting_stops(fake_slack: FakeSlack) -> None:
    poster = _poster(fake_slack)
    for error in ("channel_not_found", "not_in_channel", "is_archived"):
        fake_slack.channel_errors["C0OLD"] = error
        result = poster.post("T0CODEDESK", "C0OLD", DIGEST)
        assert (result.outcome, result.detail) == (PostOutcome.CHANNEL_GONE, error)
    assert poster.post("T0UNKNOWN", "C0JOBS", DIGEST).outcome is PostOutcome.CHANNEL_GONE


def test_other_failures_may_succeed_later_and_429_is_waited_out(fake_slack: FakeSlack) -> None:
    fake_slack.fail("chat.postMessage", "internal_error")
    assert _poster(fake_slack).post("T0CODEDESK", "C0JOBS", DIGEST).outcome is PostOutcome.FAILED
    slept: list[float] = []
    fake_slack.rate_limit("chat.postMessage", retry_after=5)
    assert _poster(fake_slack, slept).post("T0CODEDESK", "C0JOBS", DIGEST).ok
    assert slept == [5.0]


def test_a_person_is_notified_in_their_direct_conversation(fake_slack: FakeSlack) -> None:
    assert _poster(fake_slack).notify_user("T0CODEDESK", "U0CODER", Reply(title="Your grant is active")).ok
    assert fake_slack.calls_to("chat.postMessage")[0].params["channel"] == "U0CODER"
