"""`/changes watch CODE…`: a channel asks to hear when an import changes one of its codes.

An import runs anywhere (often the CLI, with no chat connection), so it only queues a notice row
per watching channel in its own transaction. The scheduler of each running bot process sends the
queued notices of its platform through that platform's ChannelPoster; each notice is claimed with
a conditional UPDATE first, so however many replicas run, each notice is posted once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from core import logsafe
from core.channels import ChannelPoster, PostOutcome
from core.db import transaction, utcnow
from core.edits.tables import EditNotice, EditWatch
from core.replies import Reply, Section
from core.requests import Actor

log = logging.getLogger(__name__)

MAX_WATCHES_PER_CHANNEL = 200


@dataclass(frozen=True, slots=True)
class Watch:
    platform: str
    workspace_id: str
    channel_id: str
    code: str


def add_watches(session: Session, actor: Actor, channel_id: str, codes: Iterable[str]) -> list[str]:
    """Watch `codes` in the channel; returns the ones newly added (already watched ones are kept)."""
    have = set(channel_codes(session, actor, channel_id))
    added = []
    for code in codes:
        if code in have or code in added:
            continue
        session.add(EditWatch(platform=actor.platform.value, workspace_id=actor.workspace_id,
                              channel_id=channel_id, code=code, added_by=actor.user_id, created_at=utcnow()))
        added.append(code)
    return added


def remove_watches(session: Session, actor: Actor, channel_id: str, codes: Sequence[str]) -> int:
    result = session.execute(delete(EditWatch).where(
        EditWatch.platform == actor.platform.value, EditWatch.workspace_id == actor.workspace_id,
        EditWatch.channel_id == channel_id, EditWatch.code.in_(list(codes))))
    return int(getattr(result, "rowcount", 0) or 0)


def channel_codes(session: Session, actor: Actor, channel_id: str) -> list[str]:
    query = select(EditWatch.code).where(EditWatch.platform == actor.platform.value,
                                         EditWatch.workspace_id == actor.workspace_id,
                                         EditWatch.channel_id == channel_id).order_by(EditWatch.code)
    return list(session.scalars(query))


def watched_codes(session: Session) -> list[str]:
    return sorted(set(session.scalars(select(EditWatch.code))))


def queue_notices(session: Session, what: str, changed: Mapping[str, str]) -> int:
    """One notice per channel watching any code in `changed` ({code: what changed}); returns how many."""
    if not changed:
        return 0
    watches = session.scalars(select(EditWatch).where(EditWatch.code.in_(list(changed)))).all()
    by_channel: dict[tuple[str, str, str], list[str]] = {}
    for watch in watches:
        by_channel.setdefault((watch.platform, watch.workspace_id, watch.channel_id), []).append(watch.code)
    for (platform, workspace, channel), codes in by_channel.items():
        lines = "\n".join(f"- `{code}`: {changed[code]}" for code in sorted(codes))
        session.add(EditNotice(platform=platform, workspace_id=workspace, channel_id=channel,
                               title=f"{what}: a code this channel watches changed"[:300], body=lines,
                               state="queued", created_at=utcnow()))
    return len(by_channel)


def diff_fingerprints(before: Mapping[str, set[tuple[object, ...]]],
                      after: Mapping[str, set[tuple[object, ...]]], noun: str) -> dict[str, str]:
    """{code: sentence} for each code whose rows differ between two releases."""
    out = {}
    for code in sorted(set(before) | set(after)):
        old, new = before.get(code, set()), after.get(code, set())
        if old == new:
            continue
        gained, lost = len(new - old), len(old - new)
        parts = [f"{gained} {noun} new or changed" if gained else "", f"{lost} {noun} gone or replaced" if lost else ""]
        out[code] = "; ".join(p for p in parts if p)
    return out


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    gone: int = 0


class NoticeSender:
    """Posts queued change notices for the platforms this process can reach."""

    def __init__(self, sessions: sessionmaker[Session], posters: Mapping[str, ChannelPoster], *,
                 now: Callable[[], datetime] = utcnow) -> None:
        self.sessions = sessions
        self.posters = dict(posters)
        self.now = now

    def run(self) -> SendReport:
        report = SendReport()
        with transaction(self.sessions) as session:
            ids = list(session.scalars(select(EditNotice.id).where(
                EditNotice.state == "queued", EditNotice.platform.in_(list(self.posters))).order_by(EditNotice.id)))
        for notice_id in ids:
            with transaction(self.sessions) as session:
                won = session.execute(update(EditNotice).where(EditNotice.id == notice_id,
                                                               EditNotice.state == "queued")
                                      .values(state="sending"))
                if not getattr(won, "rowcount", 0):
                    continue  # another replica claimed it
                notice = session.get(EditNotice, notice_id)
                assert notice is not None
                platform, workspace, channel = notice.platform, notice.workspace_id, notice.channel_id
                reply = Reply(title=notice.title, sections=(Section("", notice.body),),
                              footer="Stop with `/changes unwatch CODE`")
            try:
                result = self.posters[platform].post(workspace, channel, reply)
                state = {PostOutcome.SENT: "sent", PostOutcome.CHANNEL_GONE: "gone"}.get(result.outcome, "failed")
            except Exception as exc:  # a poster bug must not stop the other notices
                log.error("change notice post failed notice_id=%s: %s", notice_id, logsafe.describe(exc))
                state = "failed"
            with transaction(self.sessions) as session:
                session.execute(update(EditNotice).where(EditNotice.id == notice_id)
                                .values(state=state, sent_at=self.now()))
            if state == "sent":
                report.sent += 1
            elif state == "gone":
                report.gone += 1
            else:
                report.failed += 1
        return report
