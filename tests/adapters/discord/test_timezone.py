"""Discord knows no time zones, so a guild's digests default to the first zone someone gives in
`/jobs subscribe … <zone>` (or what an admin sets with `/jobs settings timezone`): a later
subscription made without a zone, from another channel, uses it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core import db
from core.codes.catalog import Catalog
from core.jobs.feature import JobsFeature
from core.jobs.models import DigestSubscriptionRow
from tests.adapters.discord.conftest import StartBot, command
from tests.desks import code_desk


@pytest.fixture
def job_sessions(sqlite_url: str) -> Iterator[sessionmaker[Session]]:
    engine = db.make_engine(sqlite_url)
    yield db.session_factory(engine)
    engine.dispose()


def _in_channel(data: dict, channel_id: str) -> dict:  # type: ignore[type-arg]
    data["channel_id"] = channel_id
    data["channel"]["id"] = channel_id
    return data


async def test_a_guild_subscription_without_a_zone_uses_the_zone_given_before(
        start_bot: StartBot, catalog: Catalog, job_sessions: sessionmaker[Session]) -> None:
    running = await start_bot(desk=code_desk(catalog, features=(JobsFeature(job_sessions),)))
    first = await running.interact(_in_channel(command("jobs", "subscribe 09:00 Europe/Paris", "args"),
                                               "1200000000000000201"))
    assert "daily at 09:00 Europe/Paris" in first["data"]["embeds"][0]["description"]
    later = await running.interact(_in_channel(command("jobs", "subscribe 07:30 remote", "args"),
                                               "1200000000000000202"))
    assert "daily at 07:30 Europe/Paris" in later["data"]["embeds"][0]["description"]
    with job_sessions() as session:
        zones = session.execute(select(DigestSubscriptionRow.channel_id, DigestSubscriptionRow.timezone)
                                .order_by(DigestSubscriptionRow.channel_id)).all()
    assert zones == [("1200000000000000201", "Europe/Paris"), ("1200000000000000202", "Europe/Paris")]
