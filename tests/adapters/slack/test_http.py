"""Request verification in HTTP mode: Slack's published signing example is accepted at its moment;
forged, missing, stale and replayed signatures get 401 and touch nothing."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
import time_machine
from sqlalchemy import func, select

from adapters.slack.seen import SlackSeenKey
from core.desk import Desk
from tests.adapters.slack.conftest import SlackRig, make_rig
from tests.conftest import shared_path
from tests.fakes.slack_api import FakeSlack


def _seen_rows(rig: SlackRig) -> int:
    with rig.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(SlackSeenKey)).scalar_one())


@pytest.fixture
def example() -> dict[str, str]:
    return json.loads(shared_path("data", "slack", "signing_example.json").read_text())


@pytest.fixture
def example_rig(fake_slack: FakeSlack, desk: Desk, sqlite_url: str,
                example: dict[str, str]) -> Iterator[SlackRig]:
    yield from make_rig(fake_slack, desk, sqlite_url, signing_secret=example["signing_secret"])


def _post_example(rig: SlackRig, example: dict[str, str]):  # type: ignore[no-untyped-def]
    return rig.client.post(example["body"], "application/x-www-form-urlencoded",
                           timestamp=int(example["timestamp"]), signature=example["signature"])


def test_slacks_published_example_is_accepted_at_its_timestamp(example_rig: SlackRig, example: dict) -> None:
    with time_machine.travel(int(example["timestamp"]) + 10, tick=False):
        answer = _post_example(example_rig, example)
    assert answer.status == 200
    # The example's command is not ours: the Desk says so, privately.
    message = answer.json()
    assert message["response_type"] == "ephemeral"
    assert "/webhook-collect is not a CodeDesk command" in json.dumps(message["blocks"])


def test_the_example_is_stale_six_minutes_later(example_rig: SlackRig, example: dict) -> None:
    example_rig.fake.clear()
    with time_machine.travel(int(example["timestamp"]) + 6 * 60, tick=False):
        answer = _post_example(example_rig, example)
    assert answer.status == 401
    assert example_rig.fake.calls == [] and _seen_rows(example_rig) == 0


def test_the_example_with_a_different_secret_is_refused(rig: SlackRig, example: dict) -> None:
    rig.fake.clear()
    with time_machine.travel(int(example["timestamp"]) + 10, tick=False):
        assert _post_example(rig, example).status == 401
    assert rig.fake.calls == [] and _seen_rows(rig) == 0


def test_forged_and_missing_signatures_get_401_and_touch_nothing(rig: SlackRig) -> None:
    rig.fake.clear()
    forged = rig.client.command("/icd10", "E11.9", signature="v0=" + "0" * 64)
    missing = rig.client.command("/icd10", "E11.9", signature="")
    tampered_body = rig.client.post("command=%2Ficd10&text=E11.9", "application/x-www-form-urlencoded",
                                    signature="v0=deadbeef")
    assert (forged.status, missing.status, tampered_body.status) == (401, 401, 401)
    assert b"E11.9" not in forged.body + missing.body + tampered_body.body
    assert rig.fake.calls == [] and _seen_rows(rig) == 0


@pytest.fixture
def any_db_rig(fake_slack: FakeSlack, desk: Desk, db_url: str) -> Iterator[SlackRig]:
    yield from make_rig(fake_slack, desk, db_url)


def test_a_replayed_request_is_refused(any_db_rig: SlackRig) -> None:
    rig = any_db_rig
    body = urlencode({"team_id": "T0CODEDESK", "user_id": "U0CODER", "command": "/icd10", "text": "E11.9",
                      "channel_id": "C0GENERAL", "response_url": "", "trigger_id": "1.2.3"})
    ts = int(time.time())
    signature = rig.client.signer.generate_signature(timestamp=str(ts), body=body)
    first = rig.client.post(body, "application/x-www-form-urlencoded", timestamp=ts, signature=signature)
    assert first.status == 200 and "E11.9" in json.dumps(first.json()["blocks"])
    rig.fake.clear()
    # Someone who saw the request sends it again, byte for byte, within the five minutes.
    again = rig.client.post(body, "application/x-www-form-urlencoded", timestamp=ts, signature=signature)
    assert again.status == 401 and b"E11.9" not in again.body
    assert rig.fake.calls == []


def test_the_events_url_answers_slacks_challenge(rig: SlackRig) -> None:
    challenge = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    answer = rig.client.event({"token": "legacy", "challenge": challenge, "type": "url_verification"})
    assert answer.status == 200
    assert answer.json() == {"challenge": challenge}


def test_sqlite_replicas_share_used_signatures(sqlite_url: str) -> None:
    """Two processes (two engines) on one SQLite file: a signature one has seen is refused by the other."""
    from adapters.slack.seen import signature_memory
    from core import db

    first, second = db.make_engine(sqlite_url), db.make_engine(sqlite_url)
    try:
        one, other = signature_memory(first), signature_memory(second)
        assert one.first_time("sig:1700000000:v0=abc")
        assert not other.first_time("sig:1700000000:v0=abc")
        assert other.first_time("sig:1700000000:v0=def") and not one.first_time("sig:1700000000:v0=def")
    finally:
        first.dispose()
        second.dispose()
