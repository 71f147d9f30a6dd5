"""Slack's three-second rule with a slow or rate-limited Slack: the people lookup before an ack asks
once, briefly, and never retries, so the command is acknowledged within the answer budget and the
answer follows through response_url once Slack says who is asking."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from adapters.slack.app import WORKING
from adapters.slack.people import People
from core.codes.catalog import Catalog
from core.settings import ANSWER_BUDGET_SECONDS
from tests.adapters.slack.conftest import ProbeFeature, SlackRig, make_rig, payload
from tests.desks import code_desk
from tests.fakes.slack_api import FakeSlack


@pytest.fixture
def quick_rig(fake_slack: FakeSlack, catalog: Catalog, probe: ProbeFeature, sqlite_url: str) -> Iterator[SlackRig]:
    # A short lookup timeout keeps the test quick; the budget is the product's own.
    desk = code_desk(catalog, features=(probe,))
    yield from make_rig(fake_slack, desk, sqlite_url, people=People(quick_seconds=0.2))


def test_a_slow_users_info_never_holds_the_ack_past_the_budget(quick_rig: SlackRig) -> None:
    quick_rig.fake.set_user("U0CODER", name="Casey")
    quick_rig.fake.hold("users.info")  # Slack takes as long as the test wants to answer
    started = time.monotonic()
    answer = quick_rig.client.command("/icd10", "E11.9", response_url=quick_rig.fake.response_url("late"))
    waited = time.monotonic() - started
    assert answer.status == 200 and answer.json()["text"] == WORKING
    assert waited < ANSWER_BUDGET_SECONDS
    assert quick_rig.fake.calls_to("response_url") == []  # nothing answered while Slack is silent
    quick_rig.fake.release("users.info")
    sent = quick_rig.fake.wait_for("response_url")[0]
    assert "E11.9" in sent.params["blocks"][0]["text"]["text"]


def test_a_rate_limited_users_info_is_retried_only_after_the_ack(quick_rig: SlackRig) -> None:
    quick_rig.fake.set_user("U0OWNER", is_owner=True, name="Olu")
    quick_rig.fake.rate_limit("users.info", times=2, retry_after=30)
    answer = quick_rig.client.command("/codedesk", "whoami", user="U0OWNER",
                                      response_url=quick_rig.fake.response_url("late"))
    assert answer.json()["text"] == WORKING
    sent = quick_rig.fake.wait_for("response_url")[0]
    # One wait in all, after the ack: a retry before it would have waited too and answered inline.
    # The answer knows the owner's role.
    assert quick_rig.slept == [30.0]
    assert sent.params["blocks"][0]["text"]["text"] == "Olu is a admin of T0CODEDESK"
    assert len(quick_rig.fake.calls_to("users.info")) == 3


def test_a_known_person_is_answered_inline_without_asking_slack_again(quick_rig: SlackRig) -> None:
    quick_rig.fake.set_user("U0CODER", name="Casey")
    first = quick_rig.client.command("/icd10", "E11.9").json()
    quick_rig.fake.hold("users.info")  # would stall the ack if the lookup were not remembered
    second = quick_rig.client.command("/icd10", "E10.9").json()
    assert "E11.9" in json.dumps(first["blocks"]) and "E10.9" in json.dumps(second["blocks"])
    assert len(quick_rig.fake.calls_to("users.info")) == 1


def test_a_slow_form_answer_is_acknowledged_then_replaces_the_working_view(probe_rig: SlackRig,
                                                                           probe: ProbeFeature) -> None:
    submit = payload("view_submission.json")
    submit["view"]["private_metadata"] = json.dumps({"form_id": "slow_submit", "channel": "C0GENERAL"})
    answer = probe_rig.client.interaction(submit).json()
    assert answer["response_action"] == "update"
    assert answer["view"]["blocks"][0]["text"]["text"] == WORKING
    probe.release.set()
    updated = probe_rig.fake.wait_for("views.update")[0]
    assert updated.params["view_id"] == "VNHU13V36"
    view = updated.params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["blocks"][0]["text"]["text"] == "Filed for Dana Coder"
