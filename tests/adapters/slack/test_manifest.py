"""deploy/slack/manifest.yaml installs the app as CodeDesk serves it: every command, event, scope
and URL the adapter expects, written from the command registry (`codedesk slack manifest`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from adapters.slack.config import BOT_SCOPES
from adapters.slack.manifest import manifest_yaml
from bots.app import Services
from core.settings import Settings
from tests.conftest import CACHE_DIR

ROOT = Path(__file__).resolve().parents[3]
MANIFEST = ROOT / "deploy" / "slack" / "manifest.yaml"


def registry_commands(tmp_path: Path):  # type: ignore[no-untyped-def]
    services = Services(Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}", home=tmp_path, cache_dir=CACHE_DIR))
    return services.desk().registry.commands


def test_the_committed_manifest_is_what_the_registry_writes(tmp_path: Path) -> None:
    expected = manifest_yaml(registry_commands(tmp_path))
    assert MANIFEST.read_text() == expected, "deploy/slack/manifest.yaml is stale: run `codedesk slack manifest`"


def test_every_command_in_help_is_a_slash_command_in_the_manifest(tmp_path: Path) -> None:
    commands = registry_commands(tmp_path)
    manifest = yaml.safe_load(MANIFEST.read_text())
    slash = {c["command"] for c in manifest["features"]["slash_commands"]}
    assert {"/help", "/unregister", "/codedesk", "/cpt", "/icd10", "/hcpcs", "/jobs"} <= slash
    for command in commands:
        first_word = command.example.split()[0]
        assert first_word in slash, f"/help shows {command.example!r} but Slack has no {first_word}"


def test_the_manifest_declares_every_event_scope_and_url() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text())
    commands = manifest["features"]["slash_commands"]
    assert {c["url"].rsplit("/", 2)[-2:] == ["slack", "events"] for c in commands} == {True}
    assert all(len(c["description"]) <= 100 for c in commands)
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == sorted(BOT_SCOPES)
    assert manifest["oauth_config"]["redirect_urls"][0].endswith("/slack/oauth_redirect")
    settings = manifest["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) == {"app_mention", "message.im", "message.channels",
                                                               "message.groups"}
    assert settings["event_subscriptions"]["request_url"].endswith("/slack/events")
    assert settings["interactivity"]["is_enabled"] and settings["interactivity"]["request_url"].endswith(
        "/slack/events")
    assert manifest["features"]["app_home"]["messages_tab_enabled"]  # people can DM the bot


def test_codedesk_slack_manifest_writes_the_file(tmp_path: Path) -> None:
    out = tmp_path / "manifest.yaml"
    env = {"CODEDESK_HOME": str(tmp_path), "CODEDESK_CACHE_DIR": str(CACHE_DIR), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "bots.cli", "slack", "manifest", "--output", str(out),
                           "--url", "https://desk.example.com/"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    written = yaml.safe_load(out.read_text())
    assert written["settings"]["event_subscriptions"]["request_url"] == "https://desk.example.com/slack/events"
