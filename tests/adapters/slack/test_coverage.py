"""Coverage through Slack: the real Services desk behind the real Bolt app, with the test export
imported into its database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bots.app import Services
from core.coverage import store
from core.coverage.export import read_export
from core.db import transaction
from core.settings import Settings
from tests.adapters.slack.conftest import SlackRig, make_rig, payload
from tests.conftest import CACHE_DIR
from tests.core.coverage.export_fixture import write_nested_zip
from tests.fakes.slack_api import FakeSlack


@pytest.fixture
def coverage_rig(fake_slack: FakeSlack, tmp_path: Path) -> Iterator[SlackRig]:
    url = f"sqlite:///{tmp_path / 'codedesk.db'}"
    services = Services(Settings(database_url=url, home=tmp_path, cache_dir=CACHE_DIR))
    services.upgrade()
    with transaction(services.sessions) as session:
        store.replace_export(session, read_export(write_nested_zip(tmp_path)))
    yield from make_rig(fake_slack, services.desk(), url)
    services.engine.dispose()


def test_coverage_answers_which_article_covers_each_diagnosis(coverage_rig: SlackRig) -> None:
    answer = coverage_rig.client.command("/coverage", "93000 I48.91 Z00.00").json()
    text = json.dumps(answer["blocks"])
    assert "93000 with I48.91, Z00.00" in text
    assert "*Covered* by A54321 (group 1)" in text and "*Not covered* by A57326 (group 1)" in text
    assert answer["response_type"] == "ephemeral"
    listing = coverage_rig.client.command("/coverage", "93000", trigger_id="4.4.4").json()
    blocks = json.dumps(listing["blocks"])
    assert "article.aspx?articleid=57326" in blocks and '"action_id": "coverage_page' in blocks


def test_the_next_page_button_answers_through_the_response_url(coverage_rig: SlackRig) -> None:
    listing = coverage_rig.client.command("/coverage", "93000").json()
    button = next(e for b in listing["blocks"] if b["type"] == "actions" for e in b["elements"])
    assert button["text"]["text"] == "Next ▶"
    click = payload("block_actions.json")
    click["response_url"] = coverage_rig.fake.response_url("page")
    click["actions"][0].update(action_id=button["action_id"], value=button["value"], text=button["text"])
    assert coverage_rig.client.interaction(click).status == 200
    sent = coverage_rig.fake.wait_for("response_url")[0]
    blocks = json.dumps(sent.params["blocks"])
    assert "Page 2 of 2" in blocks and "I21.19" in blocks and "A58888" in blocks
