"""Digest posts through Discord's REST API, against the fake Discord."""

from __future__ import annotations

import asyncio

from adapters.discord.poster import DiscordPoster
from core.channels import PostOutcome
from core.replies import Action, Reply
from tests.adapters.discord.conftest import CHANNEL_ID, GUILD_ID
from tests.fakes.discord_server import TOKEN, FakeDiscord

DIGEST = Reply(title="Today's coding jobs", subtitle="3 new postings",
               actions=(Action("Open job", "open_job", "17"),),
               parts=(Reply(title="Remote inpatient coder"),))


async def test_a_digest_is_posted_to_the_channel_with_its_buttons(fake_discord: FakeDiscord) -> None:
    poster = DiscordPoster(TOKEN, fake_discord.api_base)
    result = await asyncio.to_thread(poster.post, GUILD_ID, CHANNEL_ID, DIGEST)
    assert result.ok
    posts = fake_discord.calls_to("POST", f"/channels/{CHANNEL_ID}/messages")
    assert [p.body["embeds"][0]["title"] for p in posts] == ["Today's coding jobs", "Remote inpatient coder"]
    assert posts[0].body["components"][0]["components"][0]["custom_id"] == "cd:open_job:17"
    assert posts[0].headers["Authorization"] == f"Bot {TOKEN}"


async def test_a_deleted_channel_or_a_removed_bot_stops_posting(fake_discord: FakeDiscord) -> None:
    fake_discord.channel_errors["404"] = (404, 10003, "Unknown Channel")
    fake_discord.channel_errors["403"] = (403, 50001, "Missing Access")
    poster = DiscordPoster(TOKEN, fake_discord.api_base)
    gone = await asyncio.to_thread(poster.post, GUILD_ID, "404", DIGEST)
    forbidden = await asyncio.to_thread(poster.post, GUILD_ID, "403", DIGEST)
    assert (gone.outcome, gone.detail) == (PostOutcome.CHANNEL_GONE, "http 404 code 10003")
    assert (forbidden.outcome, forbidden.detail) == (PostOutcome.CHANNEL_GONE, "http 403 code 50001")


async def test_other_failures_may_be_retried_later(fake_discord: FakeDiscord) -> None:
    fake_discord.channel_errors["500"] = (500, 0, "Internal Server Error")
    poster = DiscordPoster(TOKEN, fake_discord.api_base)
    result = await asyncio.to_thread(poster.post, GUILD_ID, "500", DIGEST)
    assert result.outcome is PostOutcome.FAILED
    unreachable = DiscordPoster(TOKEN, "http://127.0.0.1:9/api/v10", timeout=2)
    assert (await asyncio.to_thread(unreachable.post, GUILD_ID, CHANNEL_ID, DIGEST)).detail == "unreachable"


async def test_a_notice_to_a_person_goes_to_their_direct_messages(fake_discord: FakeDiscord) -> None:
    poster = DiscordPoster(TOKEN, fake_discord.api_base)
    result = await asyncio.to_thread(poster.notify_user, GUILD_ID, "1200000000000000300",
                                     Reply(title="Your posting was approved"))
    assert result.ok
    opened = fake_discord.calls_to("POST", "/users/@me/channels")
    assert opened[0].body == {"recipient_id": "1200000000000000300"}
    assert fake_discord.calls_to("POST", r"/channels/9\d+/messages")
