"""deploy/slack/manifest.yaml installs the app as CodeDesk serves it: every command, event, scope
and URL the adapter expects."""

from __future__ import annotations

from pathlib import Path

import yaml

from adapters.slack.config import BOT_SCOPES, DEFAULT_COMMANDS

MANIFEST = Path(__file__).resolve().parents[3] / "deploy" / "slack" / "manifest.yaml"


def test_the_manifest_declares_every_command_event_scope_and_url() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text())
    commands = manifest["features"]["slash_commands"]
    assert sorted(c["command"] for c in commands) == sorted(DEFAULT_COMMANDS.values())
    assert {c["url"].rsplit("/", 2)[-2:] == ["slack", "events"] for c in commands} == {True}
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == sorted(BOT_SCOPES)
    assert manifest["oauth_config"]["redirect_urls"][0].endswith("/slack/oauth_redirect")
    settings = manifest["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) == {"app_mention", "message.im"}
    assert settings["event_subscriptions"]["request_url"].endswith("/slack/events")
    assert settings["interactivity"]["is_enabled"] and settings["interactivity"]["request_url"].endswith(
        "/slack/events")
    assert manifest["features"]["app_home"]["messages_tab_enabled"]  # people can DM the bot
