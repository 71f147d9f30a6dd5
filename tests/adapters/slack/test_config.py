"""Slack settings from the environment: what is required, and clear messages when it is missing."""

from __future__ import annotations

import pytest

from adapters.slack.config import ConfigError, SlackConfig, parse_commands


def test_single_workspace_settings() -> None:
    config = SlackConfig.from_env({"SLACK_SIGNING_SECRET": "s", "SLACK_BOT_TOKEN": "xoxb-1",
                                   "SLACK_API_URL": "http://127.0.0.1:9/api"})
    assert not config.multi_workspace and config.api_url == "http://127.0.0.1:9/api/"


def test_multi_workspace_needs_both_client_settings() -> None:
    assert SlackConfig.from_env({"SLACK_SIGNING_SECRET": "s", "SLACK_CLIENT_ID": "1.2",
                                 "SLACK_CLIENT_SECRET": "x"}).multi_workspace
    with pytest.raises(ConfigError, match="SLACK_CLIENT_SECRET"):
        SlackConfig.from_env({"SLACK_SIGNING_SECRET": "s", "SLACK_CLIENT_ID": "1.2"})


def test_missing_settings_are_named() -> None:
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET"):
        SlackConfig.from_env({"SLACK_BOT_TOKEN": "xoxb-1"})
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN"):
        SlackConfig.from_env({"SLACK_SIGNING_SECRET": "s"})


def test_command_names_can_be_changed_and_bad_pairs_are_explained() -> None:
    commands = parse_commands("cpt=/cpt-code, icd10=icd-10")
    assert commands["cpt"] == "/cpt-code" and commands["icd10"] == "/icd-10" and "jobs" not in commands
    assert SlackConfig(signing_secret="s", renamed=commands).slash_name("jobs") == "/jobs"
    with pytest.raises(ConfigError, match="cpt=/cpt"):
        parse_commands("cpt")
