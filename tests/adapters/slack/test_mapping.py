"""Slack payloads -> core Requests, using the real-shaped example payloads."""

from __future__ import annotations

from urllib.parse import parse_qsl

from adapters.slack import mapping
from adapters.slack.config import SlackConfig, parse_commands
from core.requests import Platform, RequestKind
from tests.adapters.slack.conftest import payload


def test_a_configured_slash_name_reaches_its_core_command() -> None:
    config = SlackConfig(signing_secret="s", renamed=parse_commands("icd10=/icd-10, cpt=/cpt-code"))
    names = ("cpt", "icd10", "help", "codedesk")
    body = dict(parse_qsl(payload("slash_command.urlencoded")), command="/icd-10")
    who = mapping.who_of_command(body)
    request = mapping.command_request(who.actor(), body, config.slash_to_command(names))
    assert (request.kind, request.command, request.text) == (RequestKind.COMMAND, "icd10", "E11.9")
    assert request.actor.platform is Platform.SLACK and request.actor.workspace_id == "T0CODEDESK"
    assert config.slash_to_command(names)["/codedesk"] == "codedesk"
    assert config.slash_to_command(names)["/help"] == "help"
    assert "/icd10" not in config.slash_to_command(names)  # renamed away


def test_a_mention_loses_the_bot_tag_and_is_answered_in_a_thread() -> None:
    body = payload("app_mention.json")
    request = mapping.message_request(mapping.who_of_event(body).actor(), body["event"])
    assert request.text == "what is E11.9?"
    assert request.channel_id == "C0GENERAL"
    assert mapping.thread_of(body["event"]) == "1515449522.000016"


def test_bot_messages_are_recognised_and_dms_are_not_bot_messages() -> None:
    assert mapping.is_bot_message(payload("bot_message.json")["event"])
    assert not mapping.is_plain_dm(payload("bot_message.json")["event"])
    assert mapping.is_plain_dm(payload("message_im.json")["event"])


def test_a_button_click_maps_back_to_the_core_action() -> None:
    body = payload("block_actions.json")
    who = mapping.who_of_interaction(body)
    request = mapping.action_request(who.actor(), body, body["actions"][0])
    assert (request.action_id, request.text) == ("open_code", "icd10cm:E11.9")
    assert request.channel_id == "C0GENERAL"
    assert request.actor.workspace_id == "T0CODEDESK"


def test_a_modal_submit_becomes_a_form_request() -> None:
    body = payload("view_submission.json")
    request = mapping.form_request(mapping.who_of_interaction(body).actor(), body["view"])
    assert request.kind is RequestKind.FORM and request.action_id == "register_submit"
    assert request.answers == {"name": "Dana Coder", "email": "dana@example.org", "terms": "yes"}
