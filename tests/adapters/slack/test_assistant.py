"""The issue's questions asked by mentioning the bot in Slack: real signed events into the real Bolt app,
answered by the assistant in the thread, with their sources."""

from __future__ import annotations

import json

import pytest

from tests.adapters.slack.conftest import SlackRig, payload


def _mention(rig: SlackRig, text: str, event_id: str) -> str:
    mention = payload("app_mention.json")
    mention["event"]["text"] = f"<@UCODEDESK> {text}"
    mention["event_id"] = event_id
    assert rig.client.event(mention).status == 200
    post = rig.fake.wait_for("chat.postMessage")[0]
    assert post.params["thread_ts"] == "1515449522.000016"
    return json.dumps(post.blocks, ensure_ascii=False)


def test_office_visit_level_by_time_is_answered_with_its_source(rig: SlackRig) -> None:
    blocks = _mention(rig, "how do I pick an office visit level by time", "Ev0ASKTIME1")
    assert "Picking an office visit level by time" in blocks
    assert "99214 30" in blocks and "met or exceeded" in blocks and "MLN006764" in blocks


def test_excludes1_versus_excludes2_is_answered_with_its_section(rig: SlackRig) -> None:
    blocks = _mention(rig, "when do I use excludes1 versus excludes2", "Ev0ASKEXCL1")
    assert "Excludes1 versus Excludes2" in blocks and "I.A.12.a" in blocks
    assert "graft" not in blocks.lower()


@pytest.mark.parametrize(("text", "expected"), [
    ("is there an NCCI edit between 29881 and 29880?", "NCCI question: may 29881 and 29880"),
    ("tell me a joke", "I don't know that one."),
])
def test_other_intents_answer_in_the_thread(rig: SlackRig, text: str, expected: str) -> None:
    assert expected in _mention(rig, text, "Ev0ASKOTHER")


def test_the_issue_case_is_coded(rig: SlackRig) -> None:
    blocks = _mention(rig, "case: type 2 diabetes with stage 3b CKD and hypertension", "Ev0ASKCASE1")
    assert all(code in blocks for code in ("E11.22", "N18.32", "I12.9")) and "a certified coder decides" in blocks
