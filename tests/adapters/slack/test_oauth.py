"""Installing into many workspaces: the OAuth flow against the fake oauth.v2.access, installations
kept in the project's database, and each workspace answered with its own token."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

from core import db
from core.desk import Desk
from tests.adapters.slack.conftest import SlackRig, install, make_rig
from tests.fakes.slack_api import FakeSlack


@pytest.fixture
def oauth_rig(fake_slack: FakeSlack, desk: Desk, sqlite_url: str) -> Iterator[SlackRig]:
    yield from make_rig(fake_slack, desk, sqlite_url, bot_token="", client_id="1111.2222",
                        client_secret="client-secret")


def test_install_then_the_workspace_is_answered_with_its_own_token(oauth_rig: SlackRig) -> None:
    assert install(oauth_rig) == 200
    access = oauth_rig.fake.calls_to("oauth.v2.access")[0]
    assert access.params["code"] == "good-code"
    oauth_rig.fake.clear()
    message = oauth_rig.client.command("/icd10", "E11.9", team="T0INSTALL").json()
    assert "E11.9" in message["blocks"][0]["text"]["text"]
    assert {c.token for c in oauth_rig.fake.calls} == {"xoxb-T0INSTALL-bot"}
    again = oauth_rig.client.command("/icd10", "I10", team="T0INSTALL").json()
    assert "I10" in again["blocks"][0]["text"]["text"]
    assert len(oauth_rig.fake.calls_to("auth.test")) == 1  # remembered for the next command


def test_a_workspace_that_never_installed_gets_no_answer(oauth_rig: SlackRig) -> None:
    assert install(oauth_rig) == 200
    answer = oauth_rig.client.command("/icd10", "E11.9", team="T0STRANGER")
    assert "E11.9" not in answer.body.decode()


def test_a_bad_code_installs_nothing(oauth_rig: SlackRig) -> None:
    assert install(oauth_rig, code="stolen") != 200
    answer = oauth_rig.client.command("/icd10", "E11.9", team="T0INSTALL")
    assert "E11.9" not in answer.body.decode()


def test_the_migrated_tables_serve_slack_sdks_stores(db_url: str) -> None:
    engine = db.make_engine(db_url)
    try:
        store = SQLAlchemyInstallationStore(client_id="1111.2222", engine=engine)
        store.save(Installation(app_id="A0CODEDESK", enterprise_id=None, team_id="T0ONE", team_name="One",
                                bot_token="xoxb-T0ONE-bot", bot_id="B1", bot_user_id="U0BOT",
                                bot_scopes=["commands"], user_id="U0ADMIN",
                                installed_at=datetime.now(UTC).timestamp()))
        bot = store.find_bot(enterprise_id=None, team_id="T0ONE")
        assert bot is not None and bot.bot_token == "xoxb-T0ONE-bot"
        assert store.find_bot(enterprise_id=None, team_id="T0TWO") is None
        states = SQLAlchemyOAuthStateStore(expiration_seconds=600, engine=engine)
        state = states.issue()
        assert states.consume(state) and not states.consume(state)
    finally:
        engine.dispose()


def test_seen_keys_are_first_time_once_on_both_databases(db_url: str) -> None:
    from adapters.slack.seen import SeenKeys

    engine = db.make_engine(db_url)
    try:
        seen = SeenKeys(engine)
        assert seen.first_time("event:Ev1") and not seen.first_time("event:Ev1")
        assert seen.first_time("event:Ev2")
        seen.prune(datetime(2999, 1, 1, tzinfo=UTC))
        assert seen.first_time("event:Ev1")  # forgotten after the window
    finally:
        engine.dispose()


def test_install_page_is_absent_in_single_workspace_mode(rig: SlackRig) -> None:
    assert rig.client.raw("GET", "/slack/install").status == 404


def test_digests_reach_an_installed_workspace_with_its_own_token(oauth_rig: SlackRig) -> None:
    from adapters.slack.clients import slack_poster
    from core.channels import PostOutcome
    from core.replies import Reply

    assert install(oauth_rig) == 200
    oauth_rig.fake.clear()
    poster = slack_poster(oauth_rig.parts.config, oauth_rig.engine)
    assert poster.post("T0INSTALL", "C0JOBS", Reply(title="Today's coding jobs")).ok
    assert [c.token for c in oauth_rig.fake.calls_to("chat.postMessage")] == ["xoxb-T0INSTALL-bot"]
    gone = poster.post("T0NEVER", "C0JOBS", Reply(title="Today's coding jobs"))
    assert gone.outcome is PostOutcome.CHANNEL_GONE
