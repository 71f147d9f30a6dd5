"""The Slack app end to end: signed requests, exactly as Slack sends them, into the real Bolt app
behind the real HTTP server; answers checked in the HTTP response or in the fake Web API's records."""

from __future__ import annotations

import copy
import json
import logging
import time

import pytest

from adapters.slack.app import WORKING
from adapters.slack.delivery import APOLOGY
from adapters.slack.render import render_one
from core.requests import Actor, Platform, Request
from tests.adapters.slack.conftest import ProbeFeature, SlackRig, payload


def _header(message: dict) -> str:
    first = message["blocks"][0]
    return first["text"]["text"]


def test_icd10_command_answers_inline_with_a_private_card(rig: SlackRig) -> None:
    answer = rig.client.command("/icd10", "E11.9")
    assert answer.status == 200
    message = answer.json()
    assert message["response_type"] == "ephemeral"
    assert message["blocks"][0]["type"] == "header"
    assert "E11.9" in _header(message) and "diabetes" in _header(message).lower()
    assert message["blocks"][-1]["type"] == "context"  # the footer: source and version
    assert "Source:" in message["blocks"][-1]["elements"][0]["text"]


def test_cpt_command_shows_what_the_core_answers(rig: SlackRig) -> None:
    answer = rig.client.command("/cpt", "86357").json()
    expected = render_one(rig.desk.handle(Request.command_of(Actor(Platform.SLACK, "T0CODEDESK", "U0CODER"),
                                                             "cpt", "86357")))
    assert answer["blocks"] == expected.blocks
    assert "86357" in json.dumps(answer["blocks"])
    assert answer["response_type"] == ("ephemeral" if expected.ephemeral else "in_channel")


def test_share_posts_the_card_to_the_channel(rig: SlackRig) -> None:
    message = rig.client.command("/icd10", "E11.9 share").json()
    assert message["response_type"] == "in_channel" and "E11.9" in _header(message)


def test_codedesk_catch_all_reaches_every_command(rig: SlackRig) -> None:
    message = rig.client.command("/codedesk", "icd10 E11.9").json()
    assert "E11.9" in _header(message)
    help_text = json.dumps(rig.client.command("/codedesk", "").json())
    assert "/icd10 E11.9" in help_text


def test_bad_input_gets_a_private_hint(rig: SlackRig) -> None:
    message = rig.client.command("/icd10", "").json()
    assert message["response_type"] == "ephemeral"
    assert "needs a code" in json.dumps(message["blocks"])


def test_renamed_commands_work_under_their_new_names(fake_slack, desk, sqlite_url) -> None:
    from adapters.slack.config import parse_commands
    from tests.adapters.slack.conftest import make_rig

    for rig in make_rig(fake_slack, desk, sqlite_url, renamed=parse_commands("icd10=/icd-10")):
        assert "E11.9" in _header(rig.client.command("/icd-10", "E11.9").json())


def test_healthz(rig: SlackRig) -> None:
    answer = rig.client.raw("GET", "/healthz")
    assert (answer.status, answer.body) == (200, b"ok")


# --- mentions and direct messages ------------------------------------------------------------------
def test_a_mention_is_answered_in_a_thread(rig: SlackRig) -> None:
    assert rig.client.event(payload("app_mention.json")).status == 200
    post = rig.fake.wait_for("chat.postMessage")[0]
    assert post.params["channel"] == "C0GENERAL"
    assert post.params["thread_ts"] == "1515449522.000016"
    assert "E11.9" in post.blocks[0]["text"]["text"]
    assert post.token == "xoxb-T0CODEDESK-bot"


def test_a_retried_event_is_answered_once(rig: SlackRig) -> None:
    mention = payload("app_mention.json")
    assert rig.client.event(mention).status == 200
    rig.fake.wait_for("chat.postMessage")
    # Slack's retry: same event id, a fresh timestamp and signature, and the retry headers.
    retry = rig.client.event(mention, timestamp=int(time.time()) + 1,
                             headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    assert retry.status == 200
    assert rig.client.event(payload("message_im.json")).status == 200  # a later, different event
    posts = rig.fake.wait_for("chat.postMessage", 2)
    assert sorted(p.params["channel"] for p in posts) == ["C0GENERAL", "D0DIRECT"]


def test_a_direct_message_needs_no_mention_and_no_thread(rig: SlackRig) -> None:
    rig.client.event(payload("message_im.json"))
    post = rig.fake.wait_for("chat.postMessage")[0]
    assert post.params["channel"] == "D0DIRECT" and "thread_ts" not in post.params
    assert "E11.9" in post.blocks[0]["text"]["text"]


def test_bot_messages_are_ignored(rig: SlackRig) -> None:
    rig.client.event(payload("bot_message.json"))
    own = copy.deepcopy(payload("message_im.json"))
    own["event_id"] = "Ev0OWNMSG01"
    own["event"].update(bot_id="BCODEDESK", user="UCODEDESK")
    rig.client.event(own)
    rig.client.event(payload("app_mention.json"))  # a person's message, answered
    posts = rig.fake.wait_for("chat.postMessage")
    assert [p.params["channel"] for p in posts] == ["C0GENERAL"]


# --- buttons and modals ----------------------------------------------------------------------------
def test_a_button_opens_the_card_through_response_url(rig: SlackRig) -> None:
    body = payload("block_actions.json")
    body["response_url"] = rig.fake.response_url("click")
    assert rig.client.interaction(body).status == 200
    sent = rig.fake.wait_for("response_url")[0]
    assert sent.path.endswith("/click")
    assert "E11.9" in sent.params["blocks"][0]["text"]["text"]
    assert sent.params["response_type"] == "ephemeral" and sent.params["replace_original"] is False


def test_register_opens_a_modal_and_the_submit_answers_in_it(probe_rig: SlackRig) -> None:
    assert probe_rig.client.command("/register", trigger_id="777.888.999").status == 200
    opened = probe_rig.fake.wait_for("views.open")[0]
    assert opened.params["trigger_id"] == "777.888.999"
    view = opened.params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert [b["block_id"] for b in view["blocks"]] == ["name", "email", "terms"]

    submit = payload("view_submission.json")
    submit["view"]["private_metadata"] = view["private_metadata"]
    answer = probe_rig.client.interaction(submit).json()
    assert answer["response_action"] == "update"
    assert answer["view"]["blocks"][0]["text"]["text"] == "Welcome, Dana Coder"


def test_a_refused_submit_says_what_was_wrong(probe_rig: SlackRig) -> None:
    submit = payload("view_submission.json")
    submit["view"]["state"]["values"]["terms"]["terms"]["selected_options"] = []
    answer = probe_rig.client.interaction(submit).json()
    assert "accept the terms" in json.dumps(answer["view"]["blocks"])


def test_admin_role_comes_from_slack(probe_rig: SlackRig) -> None:
    probe_rig.fake.set_user("U0OWNER", is_owner=True, name="Olu")
    probe_rig.fake.set_user("U0PLAIN", name="Pat")
    assert _header(probe_rig.client.command("/codedesk", "whoami", user="U0OWNER").json()) == \
        "Olu is a admin of T0CODEDESK"
    assert _header(probe_rig.client.command("/codedesk", "whoami", user="U0PLAIN").json()) == \
        "Pat is a member of T0CODEDESK"
    assert {c.params["user"] for c in probe_rig.fake.calls_to("users.info")} == {"U0OWNER", "U0PLAIN"}


def test_slow_work_is_acknowledged_at_once_and_followed_up(probe_rig: SlackRig, probe: ProbeFeature) -> None:
    answer = probe_rig.client.command("/codedesk", "slowreport",
                                      response_url=probe_rig.fake.response_url("slow"))
    assert answer.json()["text"] == WORKING
    probe.release.set()
    sent = probe_rig.fake.wait_for("response_url")[0]
    assert sent.params["blocks"][0]["text"]["text"] == "Monthly report ready"
    assert sent.params["response_type"] == "in_channel"


# --- Web API trouble -------------------------------------------------------------------------------
def test_a_429_is_retried_after_retry_after(rig: SlackRig) -> None:
    rig.fake.rate_limit("chat.postMessage", retry_after=3)
    rig.client.event(payload("app_mention.json"))
    posts = rig.fake.wait_for("chat.postMessage", 2)
    assert rig.slept == [3.0]
    assert "E11.9" in posts[1].blocks[0]["text"]["text"]


def test_other_api_errors_are_logged_without_text_and_the_user_gets_an_apology(
        rig: SlackRig, caplog: pytest.LogCaptureFixture) -> None:
    rig.fake.fail("chat.postMessage", "internal_error")
    mention = payload("app_mention.json")
    mention["event"]["text"] = "<@UCODEDESK> patient Jane Roe has E11.9"
    with caplog.at_level(logging.DEBUG, logger="adapters"):
        rig.client.event(mention)
        apology = rig.fake.wait_for("chat.postEphemeral")[0]
    ref = apology.params["text"].split("(ref ")[1][:8]
    assert apology.params["text"] == APOLOGY.format(ref=ref) and apology.params["user"] == "U0CODER"
    assert "internal_error" in caplog.text and f"ref={ref}" in caplog.text
    assert "Jane Roe" not in caplog.text


def test_a_mention_with_two_codes_gets_two_cards_in_the_thread(rig: SlackRig) -> None:
    mention = payload("app_mention.json")
    mention["event"]["text"] = "<@UCODEDESK> what are E11.9 and I10?"
    rig.client.event(mention)
    posts = rig.fake.wait_for("chat.postMessage", 2)
    headers = sorted(p.blocks[0]["text"]["text"].split(" ")[0] for p in posts)
    assert headers == ["E11.9", "I10"]
    assert {p.params["thread_ts"] for p in posts} == {"1515449522.000016"}


def test_a_mention_inside_a_direct_message_is_answered_once(rig: SlackRig) -> None:
    mention = payload("app_mention.json")
    mention["event"]["channel"] = "D0DIRECT"
    mention["event_id"] = "Ev0DMMENTION"
    rig.client.event(mention)  # Slack may send both events for one message in a DM
    rig.client.event(payload("message_im.json"))
    posts = rig.fake.wait_for("chat.postMessage")
    assert [p.params["channel"] for p in posts] == ["D0DIRECT"]


def test_an_error_answer_to_a_mention_is_shown_only_to_the_asker(rig: SlackRig) -> None:
    mention = payload("app_mention.json")
    mention["event"]["text"] = "<@UCODEDESK> what is E11?"  # a category, not a billable code
    rig.client.event(mention)
    note = rig.fake.wait_for("chat.postEphemeral")[0]
    assert note.params["user"] == "U0CODER" and note.params["thread_ts"] == "1515449522.000016"
    assert "E11" in json.dumps(note.blocks)
    assert rig.fake.calls_to("chat.postMessage") == []
