"""/ncci, /check and /changes watch through the real Bolt app on the real Services desk; a change
notice reaches the watching channel through the real SlackPoster and the fake Slack Web API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from adapters.slack.app import web_client
from adapters.slack.config import SlackConfig
from adapters.slack.poster import SlackPoster
from bots.app import Services
from core.edits import imports
from core.edits.watches import NoticeSender
from core.settings import Settings
from tests.adapters.slack.conftest import SlackRig, make_rig
from tests.conftest import CACHE_DIR
from tests.core.edits import cms_files
from tests.core.edits.conftest import load_all
from tests.fakes.slack_api import DEFAULT_TEAM, FakeSlack


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    services = Services(Settings(database_url=f"sqlite:///{tmp_path / 'codedesk.db'}", home=tmp_path,
                                 cache_dir=CACHE_DIR))
    services.upgrade()
    load_all(services.sessions, tmp_path)
    yield services
    services.engine.dispose()


@pytest.fixture
def rig(fake_slack: FakeSlack, services: Services) -> Iterator[SlackRig]:
    yield from make_rig(fake_slack, services.desk(), services.settings.database_url)


def _text(answer: dict[str, Any]) -> str:
    return json.dumps(answer.get("blocks", []), ensure_ascii=False) + answer.get("text", "")


def test_ncci_answers_inline_in_slack(rig: SlackRig) -> None:
    answer = rig.client.command("/ncci", "29880 29881 date:2026-11-15").json()
    text = _text(answer)
    assert "NCCI edit: 29881 is bundled into 29880" in text
    assert "Mutually exclusive procedures" in text and "NCCI PTP practitioner 2026Q4" in text
    assert answer["response_type"] == "ephemeral"
    bad = rig.client.command("/ncci", "29880", trigger_id="2.2.2").json()
    assert "/ncci needs two codes; you gave 1." in _text(bad)


def test_check_lists_findings_in_slack(rig: SlackRig) -> None:
    answer = rig.client.command("/check", "99214-25 11102 11103 96372x5 S62.101 date:2026-11-15").json()
    text = _text(answer)
    assert "11103 is bundled into 11102" in text
    assert "96372x5: 5 units on one line; the MUE allows 4 per line" in text
    assert "S62.101 lacks its 7th character" in text
    shared = rig.client.command("/check", "99214 E11.9 date:2026-11-15 share", trigger_id="3.3.3").json()
    # The edit checks all ran clean; no coverage export is loaded, so the answer must not say "No problems".
    assert "Nothing found, but not every check could run" in _text(shared) and shared["response_type"] == "in_channel"


def test_a_watching_channel_is_told_in_slack_when_an_import_changes_a_code(
        rig: SlackRig, fake_slack: FakeSlack, services: Services, tmp_path: Path) -> None:
    watching = rig.client.command("/changes", "watch 29881").json()
    assert "Watching codes for changes" in _text(watching)
    changed = [r if r[:2] != ("29880", "29881") else (*r[:4], "20270101", *r[5:])
               for r in cms_files.PRACTITIONER_ROWS]
    done = imports.import_ncci(services.sessions, [cms_files.write_ptp_txt(tmp_path / "ccipra-v330r0-f1.txt",
                                                                           changed)])
    assert done.lines == ("Imported NCCI PTP practitioner 2027Q1: 7 edits from 1 file.",) and done.notices == 1
    config = SlackConfig(signing_secret="s", bot_token=f"xoxb-{DEFAULT_TEAM}-bot", api_url=fake_slack.api_url)
    client = web_client(config, config.bot_token, sleep=lambda _: None)
    poster = SlackPoster(lambda team: client if team == DEFAULT_TEAM else None)
    assert NoticeSender(services.sessions, {"slack": poster}).run().sent == 1
    [post] = [c for c in fake_slack.calls_to("chat.postMessage") if c.params["channel"] == "C0GENERAL"]
    blocks = json.dumps(post.blocks, ensure_ascii=False)
    assert "NCCI PTP practitioner 2027Q1 imported" in blocks and "`29881`" in blocks
