"""Slack settings, read from the environment: tokens, signing secret, API base URL, command names."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

DEFAULT_API_URL = "https://slack.com/api/"
# Canonical core command -> the slash command the workspace uses for it; `/codedesk` always works too.
DEFAULT_COMMANDS: dict[str, str] = {
    "cpt": "/cpt", "icd10": "/icd10", "hcpcs": "/hcpcs", "code": "/code", "codesearch": "/codesearch",
    "register": "/register", "me": "/me", "link": "/link", "jobs": "/jobs", "codedesk": "/codedesk",
}
BOT_SCOPES = ("commands", "chat:write", "app_mentions:read", "im:history", "im:read", "im:write",
              "users:read", "channels:read", "groups:read")


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
    commands: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_COMMANDS))
    inline_budget_seconds: float = 2.0  # answers slower than this are acknowledged and followed up
    # Answered on the request's own thread, no hand-off: lookups, help and search take milliseconds.
    always_fast: frozenset[str] = frozenset({"cpt", "icd10", "icd", "hcpcs", "code", "help", "codesearch", "me"})

    @property
    def multi_workspace(self) -> bool:
        return bool(self.client_id)

    def slash_to_command(self) -> dict[str, str]:
        """The slash command Slack sends -> the core command name."""
        out = {slash.lower(): name for name, slash in self.commands.items()}
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
                   commands=parse_commands(env.get("CODEDESK_SLACK_COMMANDS", "")))


def parse_commands(text: str) -> dict[str, str]:
    """`cpt=/cpt,icd10=/icd-10` overrides the default slash names, one pair per command."""
    commands = dict(DEFAULT_COMMANDS)
    for pair in filter(None, (p.strip() for p in text.split(","))):
        name, sep, slash = pair.partition("=")
        name, slash = name.strip().lstrip("/").lower(), slash.strip()
        if not sep or not name or not slash:
            raise ConfigError(f"CODEDESK_SLACK_COMMANDS: “{pair}” should look like cpt=/cpt")
        commands[name] = slash if slash.startswith("/") else "/" + slash
    return commands
