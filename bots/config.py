"""CodeDesk's one settings object: every environment variable it reads, validated together at start.

Values come from the environment and, when present, a `.env` file in the working folder (the
environment wins). A wrong value stops start-up with one line naming the variable and what would be
right (`ConfigError`); `codedesk config check` prints the effective configuration with secrets masked.
Adapters keep their own small config types; they are built from `environ()`, the same merged view."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from dotenv import dotenv_values
from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from core.accounts.policy import QuotaPolicy
from core.jobs.addresses import AddressPolicy
from core.settings import Settings

SECRETS = frozenset({"slack_signing_secret", "slack_bot_token", "slack_app_token", "slack_client_secret",
                     "discord_token"})
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class ConfigError(Exception):
    """One line: which variable is wrong and what would be right."""


class CodeDeskSettings(BaseSettings):
    """Field names are the environment variables, lower-cased (DATABASE_URL -> database_url)."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore",
                                      case_sensitive=False, validate_default=True)

    database_url: str = ""
    codedesk_home: Path = Path("var")
    codedesk_cache_dir: Path | None = None
    codedesk_log_level: LogLevel = "WARNING"
    codedesk_log_format: Literal["auto", "json", "text"] = "auto"
    codedesk_guest_views: int = Field(1, ge=0)
    codedesk_registered_views: int = Field(6, ge=0)
    codedesk_quota_tz: str = "UTC"
    codedesk_tier_guest: str = "guest"
    codedesk_tier_registered: str = "registered"
    codedesk_tier_unlimited: str = "unlimited"
    codedesk_feed_minutes: int = Field(60, ge=5)  # be kind to feed servers
    codedesk_feed_allow_hosts: str = ""
    codedesk_hcpcs_url: str = ""
    codedesk_workers: int | None = Field(None, ge=1)  # Slack HTTP worker processes (default: cores)
    codedesk_metrics_port: int = Field(9464, ge=0, le=65535)  # Discord's own /metrics (0: off)
    port: int = Field(3000, ge=0, le=65535)
    slack_signing_secret: str = ""
    slack_bot_token: str = ""
    slack_app_token: str = ""
    slack_client_id: str = ""
    slack_client_secret: str = ""
    slack_api_url: str = ""
    codedesk_slack_commands: str = ""
    discord_token: str = ""
    discord_shard_count: int | None = Field(None, ge=1)
    discord_shard_ids: str = ""
    discord_api_base: str = ""
    discord_gateway_url: str = ""

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: Any, env_settings: Any,
                                   dotenv_settings: Any, file_secret_settings: Any) -> tuple[Any, ...]:
        # `load` passes the environment in explicitly (so tests can give their own); .env fills the rest.
        return (init_settings, dotenv_settings)

    @field_validator("codedesk_log_level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("codedesk_workers", "discord_shard_count", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("database_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if value:
            try:
                make_url(value)
            except ArgumentError:
                raise ValueError("is not a database URL (e.g. postgresql+psycopg://user@host/db)") from None
        return value

    @model_validator(mode="after")
    def _together(self) -> CodeDeskSettings:
        if self.codedesk_registered_views < self.codedesk_guest_views:
            raise ValueError(
                f"CODEDESK_GUEST_VIEWS={self.codedesk_guest_views} is more than CODEDESK_REGISTERED_VIEWS="
                f"{self.codedesk_registered_views} (the registered total includes the guest's views): raise "
                "CODEDESK_REGISTERED_VIEWS or lower CODEDESK_GUEST_VIEWS")
        try:
            self.quota_policy()
        except ValueError as exc:
            raise ValueError(f"CODEDESK_QUOTA_TZ / CODEDESK_TIER_*: {exc}") from None
        return self

    # --- what the rest of CodeDesk is built from -----------------------------------------------------
    def core_settings(self) -> Settings:
        home = self.codedesk_home.expanduser()
        url = self.database_url or f"sqlite:///{(home / 'codedesk.db').as_posix()}"
        cache = (self.codedesk_cache_dir or home / "cache").expanduser()
        return Settings(database_url=url, home=home, cache_dir=cache, log_level=self.codedesk_log_level)

    def quota_policy(self) -> QuotaPolicy:
        return QuotaPolicy(guest_views=self.codedesk_guest_views, registered_views=self.codedesk_registered_views,
                           timezone=self.codedesk_quota_tz.strip() or "UTC",
                           guest_name=self.codedesk_tier_guest.strip(),
                           registered_name=self.codedesk_tier_registered.strip(),
                           unlimited_name=self.codedesk_tier_unlimited.strip())

    def feed_policy(self) -> AddressPolicy:
        return AddressPolicy.allowing(self.codedesk_feed_allow_hosts.split(","))

    def effective(self) -> dict[str, str]:
        """VARIABLE -> value as CodeDesk uses it, secrets and database passwords masked."""
        out: dict[str, str] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if name == "database_url":
                value = masked_url(self.core_settings().database_url)
            elif name in SECRETS:
                value = mask(str(value))
            out[name.upper()] = "" if value is None else str(value)
        return out


def mask(secret: str) -> str:
    """Enough to tell which token is set (its kind prefix), never enough to use it."""
    if not secret:
        return ""
    return f"{secret[:5]}… (set, {len(secret)} characters)" if len(secret) > 12 else "… (set)"


def masked_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(not a database URL)"


def load(env: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")) -> CodeDeskSettings:
    """Validate the settings from `env` (default: the process environment) plus `env_file`.
    Raises ConfigError with one line naming the variable."""
    source = dict(os.environ if env is None else env)
    values: dict[str, Any] = {k.lower(): v for k, v in _only_ours(source).items()}
    values["_env_file"] = env_file if env_file is not None and env_file.is_file() else None
    try:
        return CodeDeskSettings(**values)
    except ValidationError as exc:
        raise ConfigError(_one_line(exc)) from None


def environ(env: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")) -> dict[str, str]:
    """The environment as the adapters' configs read it: `.env` values under the real environment."""
    merged: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        merged.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    merged.update(os.environ if env is None else env)
    return merged


def _only_ours(env: Mapping[str, str]) -> dict[str, str]:
    known = {name.upper() for name in CodeDeskSettings.model_fields}
    return {k: v for k, v in env.items() if k.upper() in known}


def _one_line(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first.get("loc", ()) if part != "__root__").upper()
    message = str(first.get("msg", "is not valid")).removeprefix("Value error, ")
    value = first.get("input")
    if where and isinstance(value, str | int) and where.lower() in CodeDeskSettings.model_fields \
            and where.lower() not in SECRETS | {"database_url"}:  # a URL may hold a password
        return f"{where}={value!s}: {message}"
    return f"{where}: {message}" if where else message
