"""deploy/slack/manifest.yaml from the core command registry: every command, event, scope and URL the
adapter expects. `codedesk slack manifest` writes it; a test fails when the committed file is stale."""

from __future__ import annotations

from typing import Any

import yaml

from adapters.slack.config import BOT_SCOPES
from core.commands import Command

BASE_URL = "https://codedesk.example.org"
HEADER = """\
# CodeDesk's Slack app manifest, written by `codedesk slack manifest` from the command registry:
# do not edit by hand. Create the app at https://api.slack.com/apps -> "Create New App" ->
# "From an app manifest", pick the workspace, and paste this file. Before pasting, replace
# codedesk.example.org with the public address of your `codedesk run slack --http` deployment.
#
# Then, on the app's pages:
#   Basic Information -> Signing Secret      -> SLACK_SIGNING_SECRET (always needed)
#   OAuth & Permissions -> Bot User OAuth Token -> SLACK_BOT_TOKEN (one workspace), or
#   Basic Information -> Client ID / Secret  -> SLACK_CLIENT_ID / SLACK_CLIENT_SECRET (installs in many
#                                               workspaces through https://codedesk.example.org/slack/install)
# For Socket Mode instead of a public URL: set socket_mode_enabled to true, create an app-level token
# with the connections:write scope (Basic Information -> App-Level Tokens) -> SLACK_APP_TOKEN.
#
# If another app already owns a command name (say /cpt), rename it here (/cpt-code) and tell CodeDesk:
# CODEDESK_SLACK_COMMANDS="cpt=/cpt-code". /codedesk <command> always reaches every command.
"""
DESCRIPTION = "Medical-coding cards, search and a job board in your team chat."
LONG_DESCRIPTION = (
    "CodeDesk answers medical-coding questions where a team already talks. Look up ICD-10-CM, HCPCS "
    "Level II and CPT codes with /icd10, /hcpcs, /cpt or /code, search in plain words with /codesearch, "
    "or mention @CodeDesk with a question such as \"what is 99213 and E11.9?\" and it answers in a thread. "
    "Cards are private unless you add \"share\". Guests get a few free code views each month; registering "
    "with /register gives more. /help lists every command."
)


def usage_hint(command: Command) -> str:
    """What Slack shows after the command name: the example's arguments, else the option's name."""
    prefix = f"/{command.name}"
    if command.usage.startswith(prefix + " "):
        return command.usage[len(prefix) + 1:]
    return f"[{command.option.name}]"


def manifest(commands: tuple[Command, ...], base_url: str = BASE_URL) -> dict[str, Any]:
    events = f"{base_url}/slack/events"
    slash = [{"command": f"/{c.name}", "url": events, "description": c.help, "usage_hint": usage_hint(c),
              "should_escape": False} for c in commands if c.listed]
    return {
        "display_information": {"name": "CodeDesk", "description": DESCRIPTION,
                                "long_description": LONG_DESCRIPTION, "background_color": "#1d4f6e"},
        "features": {
            "app_home": {"home_tab_enabled": False, "messages_tab_enabled": True,
                         "messages_tab_read_only_enabled": False},
            "bot_user": {"display_name": "CodeDesk", "always_online": True},
            "slash_commands": slash,
        },
        "oauth_config": {"redirect_urls": [f"{base_url}/slack/oauth_redirect"],
                         "scopes": {"bot": list(BOT_SCOPES)}},
        "settings": {
            "event_subscriptions": {"request_url": events, "bot_events": ["app_mention", "message.im",
                                                                             "message.channels", "message.groups"]},
            "interactivity": {"is_enabled": True, "request_url": events},
            "org_deploy_enabled": False, "socket_mode_enabled": False, "token_rotation_enabled": False,
        },
    }


def manifest_yaml(commands: tuple[Command, ...], base_url: str = BASE_URL) -> str:
    body = yaml.safe_dump(manifest(commands, base_url), sort_keys=False, allow_unicode=True, width=100)
    return HEADER + body
