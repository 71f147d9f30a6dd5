"""Discord settings from the environment, and where discord.py sends its traffic."""

from __future__ import annotations

import pytest
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from adapters.discord.config import ConfigError, DiscordConfig, endpoints


def test_shards_and_urls_come_from_the_environment() -> None:
    config = DiscordConfig.from_env({
        "DISCORD_TOKEN": " t ", "DISCORD_SHARD_COUNT": "4", "DISCORD_SHARD_IDS": "2, 3",
        "DISCORD_API_BASE": "http://proxy:8080/api/v10/", "DISCORD_GATEWAY_URL": "ws://proxy:8080/gw"})
    assert config == DiscordConfig("t", 4, (2, 3), "http://proxy:8080/api/v10", "ws://proxy:8080/gw")
    assert DiscordConfig.from_env({"DISCORD_TOKEN": "t"}) == DiscordConfig("t")


@pytest.mark.parametrize(("env", "message"), [
    ({"DISCORD_SHARD_IDS": "0"}, "needs DISCORD_SHARD_COUNT"),
    ({"DISCORD_SHARD_COUNT": "2", "DISCORD_SHARD_IDS": "2"}, "between 0 and 1"),
    ({"DISCORD_SHARD_COUNT": "two"}, "whole number"),
    ({"DISCORD_SHARD_COUNT": "0"}, "at least 1"),
])
def test_unusable_shard_settings_say_what_to_write(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        DiscordConfig.from_env(env)


def test_endpoints_apply_for_the_block_and_are_restored() -> None:
    before = (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)
    with endpoints(DiscordConfig("t", api_base="http://127.0.0.1:1/api/v10", gateway_url="ws://127.0.0.1:1/gw")):
        assert Route("GET", "/users/@me").url == "http://127.0.0.1:1/api/v10/users/@me"
        assert yarl.URL("ws://127.0.0.1:1/gw") == DiscordWebSocket.DEFAULT_GATEWAY
    assert before == (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)
