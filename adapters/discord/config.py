"""Discord settings from the environment, and pointing discord.py at another REST base or gateway.

discord.py reads both URLs from class attributes (`discord.http.Route.BASE` for every REST call,
webhook followups included, and `DiscordWebSocket.DEFAULT_GATEWAY` for the first gateway connection
when the shard count is known). `endpoints` sets them for the life of a bot and puts them back after,
so tests and proxies can redirect the real client without patching anything else.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route


class ConfigError(ValueError):
    """A Discord setting is present but unusable; the message says which and what to write."""


@dataclass(frozen=True, slots=True)
class DiscordConfig:
    token: str
    shard_count: int | None = None  # None: ask Discord for its recommended count
    shard_ids: tuple[int, ...] | None = None  # the shards this process runs; None: all of them
    api_base: str | None = None  # e.g. http://127.0.0.1:8080/api/v10 (a proxy or a test server)
    gateway_url: str | None = None  # e.g. ws://127.0.0.1:8080/gateway

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> DiscordConfig:
        token = env.get("DISCORD_TOKEN", "").strip()
        count_text = env.get("DISCORD_SHARD_COUNT", "").strip()
        ids_text = env.get("DISCORD_SHARD_IDS", "").strip()
        count = _int_setting("DISCORD_SHARD_COUNT", count_text) if count_text else None
        ids = tuple(_int_setting("DISCORD_SHARD_IDS", part.strip())
                    for part in ids_text.split(",") if part.strip()) if ids_text else None
        if ids is not None:
            if count is None:
                raise ConfigError("DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT (the total number of shards).")
            bad = [i for i in ids if not 0 <= i < count]
            if bad:
                raise ConfigError(f"DISCORD_SHARD_IDS must be between 0 and {count - 1}; got {bad}.")
        if count is not None and count < 1:
            raise ConfigError("DISCORD_SHARD_COUNT must be at least 1.")
        return cls(token=token, shard_count=count, shard_ids=ids,
                   api_base=env.get("DISCORD_API_BASE", "").strip().rstrip("/") or None,
                   gateway_url=env.get("DISCORD_GATEWAY_URL", "").strip() or None)


def _int_setting(name: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number (or comma-separated numbers); "
                          f"got {text!r}.") from None


@contextmanager
def endpoints(config: DiscordConfig) -> Iterator[None]:
    """Use the configured REST base and gateway while the block runs (discord.py's defaults otherwise)."""
    old_base, old_gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    if config.api_base:
        Route.BASE = config.api_base
    if config.gateway_url:
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(config.gateway_url)
    try:
        yield
    finally:
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = old_base, old_gateway
