"""The whole product through Slack: the real Services desk (quota, accounts, search, jobs) behind the
real Bolt app, a guest's journey from one free card to registration to an admin's grant."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bots.app import Services
from core.settings import Settings
from tests.adapters.slack.conftest import SlackRig, make_rig, payload
from tests.conftest import CACHE_DIR
from tests.fakes.slack_api import FakeSlack


@pytest.fixture
def real_rig(fake_slack: FakeSlack, tmp_path: Path) -> Iterator[SlackRig]:
    url = f"sqlite:///{tmp_path / 'codedesk.db'}"
    services = Services(Settings(database_url=url, home=tmp_path, cache_dir=CACHE_DIR))
    services.upgrade()
    yield from make_rig(fake_slack, services.desk(), url)
    services.engine.dispose()


def _text(answer: dict[str, Any]) -> str:
    return json.dumps(answer.get("blocks", [])) + answer.get("text", "")


def _submission(view: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    submit = payload("view_submission.json")
    submit["view"]["private_metadata"] = view["private_metadata"]
    values = {}
    for block in view["blocks"]:
        block_id = block.get("block_id")
        if block_id in answers:
            action_id = block["element"]["action_id"]
            values[block_id] = {action_id: answers[block_id]}
    submit["view"]["state"]["values"] = values
    return submit


def test_guest_card_then_limit_then_register_in_a_modal_then_more_views(real_rig: SlackRig) -> None:
    first = real_rig.client.command("/cpt", "86357").json()
    assert "86357" in _text(first) and "0 code views left this month" in _text(first)
    assert first["response_type"] == "ephemeral"

    second = real_rig.client.command("/cpt", "86357", trigger_id="2.2.2").json()  # Slack's ids differ
    assert "0 code views left this month. Guests get 1; register for free to get 5 more." in _text(second)
    assert second["response_type"] == "ephemeral"
    assert '"action_id": "register' in json.dumps(second["blocks"])

    assert real_rig.client.command("/register", trigger_id="5.6.7").status == 200
    opened = real_rig.fake.wait_for("views.open")[0].params["view"]
    view = json.loads(opened) if isinstance(opened, str) else opened
    submit = _submission(view, {
        "name": {"type": "plain_text_input", "value": "Dana Coder"},
        "email": {"type": "email_text_input", "value": "dana@example.org"},
        "consent": {"type": "checkboxes", "selected_options": [{"value": "yes"}]},
    })
    welcome = real_rig.client.interaction(submit).json()
    assert "Welcome, Dana Coder" in json.dumps(welcome)

    card = real_rig.client.command("/icd10", "E11.9").json()
    assert "E11.9" in _text(card) and "4 code views left this month" in _text(card)


def test_a_workspace_admin_grants_unlimited_and_a_member_cannot(real_rig: SlackRig) -> None:
    real_rig.fake.set_user("U0BOSS", is_admin=True, name="Boss")
    real_rig.fake.set_user("U0PAT", name="Pat")
    refused = real_rig.client.command("/codedesk", "grant <@U0CODER|coder> unlimited", user="U0PAT").json()
    assert "admin" in _text(refused).lower() and refused["response_type"] == "ephemeral"
    granted = real_rig.client.command("/codedesk", "grant <@U0CODER|coder> unlimited", user="U0BOSS").json()
    assert "unlimited" in _text(granted)
    for n, code in enumerate(("E11.9", "I10", "J45.909")):
        card = real_rig.client.command("/icd10", code, trigger_id=f"9.9.{n}").json()
        assert code in _text(card) and "code views left" not in _text(card)


def test_search_lists_results_without_using_a_view(real_rig: SlackRig) -> None:
    listing = real_rig.client.command("/codesearch", "heart attack").json()
    assert "I21.9" in _text(listing)
    card = real_rig.client.command("/icd10", "I21.9").json()
    assert "0 code views left this month" in _text(card)  # the guest's one view is still there


def test_a_job_posted_through_the_slack_modal_is_listed(real_rig: SlackRig) -> None:
    real_rig.fake.set_user("U0BOSS", is_admin=True, name="Boss")
    assert real_rig.client.command("/jobs", "post", user="U0BOSS", trigger_id="3.3.3").status == 200
    opened = real_rig.fake.wait_for("views.open")[0].params["view"]
    view = json.loads(opened) if isinstance(opened, str) else opened
    submit = _submission(view, {
        "title": {"type": "plain_text_input", "value": "Remote CPC coder, denials"},
        "employer": {"type": "plain_text_input", "value": "Acme Health"},
        "where": {"type": "plain_text_input", "value": "Remote, full-time"},
        "details": {"type": "plain_text_input", "value": "CPC required, 2 years, $60k-$70k"},
        "apply_url": {"type": "url_text_input", "value": "https://careers.example.org/jobs/1"},
    })
    submit["user"]["id"] = "U0BOSS"
    assert real_rig.client.interaction(submit).status == 200
    listing = real_rig.client.command("/jobs", "search remote cpc", trigger_id="3.3.4").json()
    assert "Remote CPC coder, denials" in _text(listing)
