"""Admin rights come from Slack's own role, looked up with users.info and remembered briefly; the
workspace's time zone comes from the same lookup (the installer's, else the first known) and reaches
digests subscribed without a zone."""

from __future__ import annotations

import json

from sqlalchemy import select

from adapters.slack.app import WORKING, web_client
from adapters.slack.config import SlackConfig
from adapters.slack.people import People
from core import db
from core.codes.catalog import Catalog
from core.jobs.feature import JobsFeature
from core.jobs.models import DigestSubscriptionRow
from tests.adapters.slack.conftest import install, make_rig
from tests.desks import code_desk
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


def test_the_workspace_zone_is_the_installers_once_known(fake_slack: FakeSlack) -> None:
    client = web_client(SlackConfig(signing_secret="s", api_url=fake_slack.api_url), "xoxb-T0CODEDESK-bot")
    people = People(installer=lambda team: "U0OWNER" if team == "T0CODEDESK" else None)
    fake_slack.set_user("U0PAT", name="Pat", tz="Europe/London")
    fake_slack.set_user("U0OWNER", name="Olu", tz="America/Denver")
    fake_slack.set_user("U0SAM", name="Sam", tz="Asia/Tokyo")
    assert people.zone_of("T0CODEDESK") == ""
    assert people.lookup(client, "T0CODEDESK", "U0PAT").timezone == "Europe/London"
    assert people.zone_of("T0CODEDESK") == "Europe/London"  # anyone's zone until the installer's is known
    people.lookup(client, "T0CODEDESK", "U0OWNER")
    people.lookup(client, "T0CODEDESK", "U0SAM")
    assert people.zone_of("T0CODEDESK") == "America/Denver"
    assert people.zone_of("T0OTHER") == ""  # each workspace its own


def test_a_zone_python_does_not_know_is_ignored(fake_slack: FakeSlack) -> None:
    client = web_client(SlackConfig(signing_secret="s", api_url=fake_slack.api_url), "xoxb-T0CODEDESK-bot")
    fake_slack.set_user("U0PAT", name="Pat", tz="Mars/Olympus_Mons")
    people = People()
    assert people.lookup(client, "T0CODEDESK", "U0PAT").timezone == ""
    assert people.zone_of("T0CODEDESK") == ""


def test_a_digest_subscribed_without_a_zone_uses_the_workspace_zone(fake_slack: FakeSlack, catalog: Catalog,
                                                                    sqlite_url: str) -> None:
    engine = db.make_engine(sqlite_url)
    desk = code_desk(catalog, features=(JobsFeature(db.session_factory(engine)),))
    fake_slack.set_user("U0CODER", name="Casey", tz="America/Chicago")
    for rig in make_rig(fake_slack, desk, sqlite_url):
        answer = rig.client.command("/jobs", "subscribe 08:30 remote",
                                    response_url=rig.fake.response_url("jobs")).json()
        if answer.get("text") == WORKING:
            answer = rig.fake.wait_for("response_url")[0].params
        assert "daily at 08:30 America/Chicago" in json.dumps(answer["blocks"])
        with db.session_factory(engine)() as session:
            stored = session.execute(select(DigestSubscriptionRow.timezone)).scalars().all()
        assert stored == ["America/Chicago"]
    engine.dispose()


def test_an_installed_workspace_takes_the_installers_zone(fake_slack: FakeSlack, catalog: Catalog,
                                                          sqlite_url: str) -> None:
    engine = db.make_engine(sqlite_url)
    desk = code_desk(catalog, features=(JobsFeature(db.session_factory(engine)),))
    fake_slack.set_user("U0INSTALLER", name="Ivy", tz="America/Denver")  # who the fake OAuth installs as
    fake_slack.set_user("U0CODER", name="Casey", tz="Europe/London")
    for rig in make_rig(fake_slack, desk, sqlite_url, bot_token="", client_id="1111.2222",
                        client_secret="client-secret"):
        assert install(rig) == 200
        rig.client.command("/help", team="T0INSTALL")  # Casey first: London until the installer is seen
        rig.client.command("/help", team="T0INSTALL", user="U0INSTALLER")
        answer = rig.client.command("/jobs", "subscribe 08:30", team="T0INSTALL",
                                    response_url=rig.fake.response_url("jobs")).json()
        if answer.get("text") == WORKING:
            answer = rig.fake.wait_for("response_url")[0].params
        assert "daily at 08:30 America/Denver" in json.dumps(answer["blocks"])
    engine.dispose()
