"""Admin rights come from Slack's own role, looked up with users.info and remembered briefly."""

from __future__ import annotations

from adapters.slack.app import web_client
from adapters.slack.config import SlackConfig
from adapters.slack.people import People
from tests.fakes.slack_api import FakeSlack


def test_a_promotion_is_seen_once_the_short_memory_expires(fake_slack: FakeSlack) -> None:
    now = [1000.0]
    people = People(ttl_seconds=60, clock=lambda: now[0])
    client = web_client(SlackConfig(signing_secret="s", api_url=fake_slack.api_url), "xoxb-T0CODEDESK-bot")
    fake_slack.set_user("U0DANA", name="Dana")
    assert not people.lookup(client, "T0CODEDESK", "U0DANA").is_admin
    fake_slack.set_user("U0DANA", is_admin=True, name="Dana")
    now[0] += 30
    assert not people.lookup(client, "T0CODEDESK", "U0DANA").is_admin  # remembered
    now[0] += 31
    person = people.lookup(client, "T0CODEDESK", "U0DANA")
    assert person.is_admin and person.display_name == "Dana"
    assert len(fake_slack.calls_to("users.info")) == 2


def test_when_slack_will_not_say_the_user_gets_no_admin_rights(fake_slack: FakeSlack) -> None:
    client = web_client(SlackConfig(signing_secret="s", api_url=fake_slack.api_url), "xoxb-T0CODEDESK-bot")
    fake_slack.set_user("U0BOSS", is_owner=True)
    fake_slack.fail("users.info", "user_not_visible")
    assert not People().lookup(client, "T0CODEDESK", "U0BOSS", "boss").is_admin
