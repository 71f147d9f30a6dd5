"""Slack settings, read from the environment: tokens, signing secret, API base URL, renamed commands.

The commands themselves come from the core registry (core.commands); a workspace where another app
owns a name renames it here (`CODEDESK_SLACK_COMMANDS="cpt=/cpt-code"`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from core.settings import ANSWER_BUDGET_SECONDS

DEFAULT_API_URL = "https://slack.com/api/"
BOT_SCOPES = ("commands", "chat:write", "app_mentions:read", "im:history", "im:read", "im:write",
              "users:read", "channels:read", "groups:read",
              "channels:history", "groups:history")  # replies in a consult's thread answer it


class ConfigError(ValueError):
    """A missing or malformed setting; the message names the variable."""


@dataclass(frozen=True)
class SlackConfig:
    signing_secret: str
    bot_token: str = ""
    app_token: str = ""  # xapp-...: Socket Mode
    client_id: str = ""
    client_secret: str = ""
    api_url: str = DEFAULT_API_URL
    renamed: Mapping[str, str] = field(default_factory=dict)  # core command -> the slash name used instead
    inline_budget_seconds: float = ANSWER_BUDGET_SECONDS  # slower answers are acknowledged, then followed up

    @property
    def multi_workspace(self) -> bool:
        return bool(self.client_id)

    def slash_name(self, command: str) -> str:
        """The slash command this workspace types for a core command."""
        return self.renamed.get(command, "/" + command)

    def slash_to_command(self, commands: Iterable[str]) -> dict[str, str]:
        """The slash command Slack sends -> the core command name, for every registered command."""
        out = {self.slash_name(name).lower(): name for name in commands}
        out["/codedesk"] = "codedesk"
        return out

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SlackConfig:
        secret = env.get("SLACK_SIGNING_SECRET", "")
        if not secret:
            raise ConfigError("SLACK_SIGNING_SECRET is not set: copy it from the app's "
                              "Basic Information page")
        client_id = env.get("SLACK_CLIENT_ID", "")
        if client_id and not env.get("SLACK_CLIENT_SECRET"):
            raise ConfigError("SLACK_CLIENT_ID is set but SLACK_CLIENT_SECRET is not")
        if not client_id and not env.get("SLACK_BOT_TOKEN"):
            raise ConfigError("set SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and "
                              "SLACK_CLIENT_SECRET (installable in many workspaces)")
        api_url = env.get("SLACK_API_URL") or DEFAULT_API_URL
        return cls(signing_secret=secret, bot_token=env.get("SLACK_BOT_TOKEN", ""),
                   app_token=env.get("SLACK_APP_TOKEN", ""), client_id=client_id,
                   client_secret=env.get("SLACK_CLIENT_SECRET", ""),
                   api_url=api_url if api_url.endswith("/") else api_url + "/",
                   renamed=parse_commands(env.get("CODEDESK_SLACK_COMMANDS", "")))


def parse_commands(text: str) -> dict[str, str]:
    """`cpt=/cpt,icd10=/icd-10` overrides the default slash names, one pair per command."""
    commands: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in text.split(","))):
        name, sep, slash = pair.partition("=")
        name, slash = name.strip().lstrip("/").lower(), slash.strip()
        if not sep or not name or not slash:
            raise ConfigError(f"CODEDESK_SLACK_COMMANDS: “{pair}” should look like cpt=/cpt")
        commands[name] = slash if slash.startswith("/") else "/" + slash
    return commands
