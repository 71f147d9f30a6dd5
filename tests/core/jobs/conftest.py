"""Job board test helpers: a recording ChannelPoster (a fake of the platform boundary) and a factory
that posts jobs through the real feature."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session, sessionmaker

from core import db
from core.channels import PostOutcome, PostResult
from core.jobs.feature import JobsFeature
from core.replies import Reply
from core.requests import Actor, Platform, Request


@dataclass
class RecordingPoster:
    """Remembers every post; channels in `gone` answer as a channel the bot was removed from."""

    gone: set[str] = field(default_factory=set)
    posts: list[tuple[str, str, Reply]] = field(default_factory=list)
    notices: list[tuple[str, str, Reply]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def post(self, workspace_id: str, channel_id: str, reply: Reply) -> PostResult:
        if channel_id in self.gone:
            return PostResult(PostOutcome.CHANNEL_GONE, "channel_not_found")
        with self.lock:
            self.posts.append((workspace_id, channel_id, reply))
        return PostResult(PostOutcome.SENT)

    def notify_user(self, workspace_id: str, user_id: str, reply: Reply) -> PostResult:
        with self.lock:
            self.notices.append((workspace_id, user_id, reply))
        return PostResult(PostOutcome.SENT)

    def to(self, channel: str) -> list[Reply]:
        return [r for _, c, r in self.posts if c == channel]


def actor(user: str = "ana", workspace: str = "T1", *, admin: bool = False,
          platform: Platform = Platform.SLACK) -> Actor:
    return Actor(platform, workspace, user, user.title(), is_admin=admin)


def command(who: Actor, text: str, channel: str = "C1", tz: str = "") -> Request:
    request = Request.command_of(who, "jobs", text, channel_id=channel)
    if tz:
        from dataclasses import replace
        request = replace(request, channel_timezone=tz)
    return request


JOB = {"title": "Remote CPC Coder — Denials", "employer": "Acme Health", "where": "Remote, full-time",
       "details": "CPC or CCS · cardiology · 2+ years · $55k-$65k\nWork claim denials and appeals.",
       "apply_url": "https://careers.acme.example/jobs/1"}


def post_job(feature: JobsFeature, who: Actor, **changes: str) -> Reply:
    answers = dict(JOB, **changes)
    return feature.actions()["jobs_post"](Request.form_of(who, "jobs_post", answers, "C1"))


def job_id(reply: Reply) -> int:
    assert reply.title.startswith("#"), reply
    return int(reply.title[1:].split()[0])


@pytest.fixture
def sqlite_sessions(sqlite_url: str) -> Iterator[sessionmaker[Session]]:
    engine = db.make_engine(sqlite_url)
    yield db.session_factory(engine)
    engine.dispose()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


Clock = Callable[[], datetime]
