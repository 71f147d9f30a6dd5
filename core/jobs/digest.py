"""The daily digest run: find subscriptions whose local digest time has come, claim each
(subscription, local date) in the send log with INSERT … ON CONFLICT DO NOTHING RETURNING, post what
went live since the previous digest, and record the result.

The claim is what makes a digest exactly-once across replicas and restarts: whoever inserts the row
posts; everyone else skips. A process that dies after claiming leaves the row 'claimed'; the next run
(on any replica) marks it failed after STALE_CLAIM, so the loss is recorded, and because the
subscription's window did not move, those postings are in the next day's digest."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from core.channels import ChannelPoster, PostOutcome, PostResult
from core.db import transaction, utcnow
from core.jobs.cards import digest_reply
from core.jobs.models import DigestSendRow, DigestSubscriptionRow
from core.jobs.postings import Board, Posting, live_postings
from core.jobs.search import matches, parse_query
from core.jobs.subscriptions import DigestSubscription, Status, active_subscriptions, earliest_local_date
from core.replies import Reply, Section

log = logging.getLogger(__name__)

STALE_CLAIM = timedelta(minutes=15)  # far longer than one post takes; a claim this old lost its process
INTERRUPTED = "interrupted: the process stopped between claim and post"


class SendState:
    CLAIMED = "claimed"
    SENT = "sent"
    EMPTY = "empty"  # nothing new, and the subscription posts nothing on such days
    FAILED = "failed"


@dataclass
class TickReport:
    due: int = 0
    claimed: int = 0
    sent: int = 0
    empty: int = 0
    failed: int = 0
    paused: int = 0
    stale_marked: int = 0
    sent_to: list[tuple[int, date]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Outcome:
    subscription: DigestSubscription
    local_date: date
    state: str
    count: int = 0
    reason: str = ""
    gone: bool = False


def claim(session: Session, rows: Sequence[dict[str, object]]) -> set[tuple[int, date]]:
    """INSERT … ON CONFLICT DO NOTHING RETURNING (the dialect's own insert, SQLite or PostgreSQL): the
    (subscription, local date) keys this caller won. Rows someone else holds return nothing."""
    if not rows:
        return set()
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = cast(Table, DigestSendRow.__table__)
    statement = (insert(table).on_conflict_do_nothing(index_elements=["subscription_id", "local_date"])
                 .returning(table.c.subscription_id, table.c.local_date))
    # executemany with RETURNING: SQLAlchemy batches it into multi-row INSERTs ("insertmanyvalues").
    return {(r[0], r[1]) for r in session.connection().execute(statement, list(rows)).all()}


class DigestRunner:
    """One replica's digest sender. Every replica may run one on the same database at the same time."""

    def __init__(self, sessions: sessionmaker[Session], posters: Mapping[str, ChannelPoster], *,
                 replica: str = "local", now: Callable[[], datetime] = utcnow, batch: int = 200,
                 workers: int = 1) -> None:
        self.sessions = sessions
        self.posters = dict(posters)
        self.replica = replica[:64]
        self.now = now
        self.batch = batch
        self.workers = workers

    def tick(self) -> TickReport:
        now = self.now()
        report = TickReport()
        with transaction(self.sessions) as session:
            report.stale_marked = fail_stale_claims(session, now)
            subs = active_subscriptions(session, tuple(self.posters))
            taken = set(session.execute(select(DigestSendRow.subscription_id, DigestSendRow.local_date)
                                        .where(DigestSendRow.local_date >= earliest_local_date(now))).all())
        due: list[tuple[DigestSubscription, date]] = []
        for sub in subs:
            day = sub.due_date(now)
            if day is not None and (sub.id, day) not in taken:
                due.append((sub, day))
        report.due = len(due)
        due.sort(key=lambda item: item[0].id)  # one order everywhere, so concurrent claims never deadlock
        boards: dict[Board, list[Posting]] = {}
        for start in range(0, len(due), self.batch):
            self._run_batch(due[start:start + self.batch], now, boards, report)
        return report

    def _run_batch(self, batch: Sequence[tuple[DigestSubscription, date]], now: datetime,
                   boards: dict[Board, list[Posting]], report: TickReport) -> None:
        rows = [{"subscription_id": sub.id, "local_date": day, "state": SendState.CLAIMED,
                 "claimed_by": self.replica, "claimed_at": now, "window_end": now, "posting_count": 0,
                 "reason": ""} for sub, day in batch]
        with transaction(self.sessions) as session:
            won = claim(session, rows)
            mine = [(sub, day) for sub, day in batch if (sub.id, day) in won]
            for sub, _ in mine:
                if sub.board not in boards:
                    boards[sub.board] = live_postings(session, sub.board, now)
        report.claimed += len(mine)
        if not mine:
            return
        if self.workers > 1:
            with ThreadPoolExecutor(self.workers) as pool:
                outcomes = list(pool.map(lambda item: self._send(item[0], item[1], now, boards), mine))
        else:
            outcomes = [self._send(sub, day, now, boards) for sub, day in mine]
        self._record(outcomes, now, report)

    def _send(self, sub: DigestSubscription, day: date, now: datetime,
              boards: Mapping[Board, list[Posting]]) -> _Outcome:
        fresh = [p for p in boards.get(sub.board, ())
                 if p.live_at is not None and sub.since < p.live_at <= now]
        query = parse_query(sub.filters)
        picked = [p for p in fresh if matches(p, query)]
        if not picked and not sub.post_when_empty:
            return _Outcome(sub, day, SendState.EMPTY)
        reply = digest_reply(picked, cap=sub.cap, filters=sub.filters)
        try:
            result = self.posters[sub.board.platform].post(sub.board.workspace_id, sub.channel_id, reply)
        except Exception as exc:  # a poster bug must not stop the other digests
            log.exception("digest post raised subscription=%s", sub.id)
            result = PostResult(PostOutcome.FAILED, f"error: {type(exc).__name__}")
        if result.ok:
            return _Outcome(sub, day, SendState.SENT, count=len(picked))
        gone = result.outcome is PostOutcome.CHANNEL_GONE
        reason = ("channel_gone" + (f": {result.detail}" if result.detail else "")) if gone else \
            (result.detail or "failed")
        return _Outcome(sub, day, SendState.FAILED, count=len(picked), reason=reason[:200], gone=gone)

    def _record(self, outcomes: Sequence[_Outcome], now: datetime, report: TickReport) -> None:
        to_notify: list[DigestSubscription] = []
        finished = self.now()
        sends = cast(Table, DigestSendRow.__table__)
        subs = cast(Table, DigestSubscriptionRow.__table__)
        results = [{"sid": o.subscription.id, "day": o.local_date, "st": o.state, "n": o.count,
                    "why": o.reason} for o in outcomes]
        # The window moves only when the channel got (or did not need) the digest.
        moved = [{"sid": o.subscription.id} for o in outcomes if o.state in (SendState.SENT, SendState.EMPTY)]
        with transaction(self.sessions) as session:
            conn = session.connection()  # plain executemany: one statement for the whole batch
            conn.execute(update(sends).where(sends.c.subscription_id == bindparam("sid"),
                                             sends.c.local_date == bindparam("day"))
                         .values(state=bindparam("st"), posting_count=bindparam("n"), reason=bindparam("why"),
                                 finished_at=finished), results)
            if moved:
                conn.execute(update(subs).where(subs.c.id == bindparam("sid")).values(since=now), moved)
            for out in outcomes:
                if out.state == SendState.SENT:
                    report.sent += 1
                    report.sent_to.append((out.subscription.id, out.local_date))
                elif out.state == SendState.EMPTY:
                    report.empty += 1
                else:
                    report.failed += 1
                if out.gone:
                    paused = conn.execute(update(subs).where(subs.c.id == out.subscription.id,
                                                             subs.c.status == Status.ACTIVE)
                                          .values(status=Status.PAUSED, pause_reason=out.reason[:100]))
                    if paused.rowcount:  # only the run that paused it tells the subscriber
                        to_notify.append(out.subscription)
        for sub in to_notify:
            report.paused += 1
            self._tell_paused(sub)

    def _tell_paused(self, sub: DigestSubscription) -> None:
        notice = Reply(
            title="Your CodeDesk job digest is paused",
            subtitle=f"CodeDesk can no longer post in channel {sub.channel_id}: it was removed from the "
                     "channel, or the channel no longer exists.",
            sections=(Section("To resume", "Add CodeDesk back to the channel and type `/jobs subscribe` "
                                           "there. Your filters are kept until then."),))
        result = self.posters[sub.board.platform].notify_user(sub.board.workspace_id, sub.subscriber_id,
                                                              notice)
        if not result.ok:
            log.warning("could not tell subscriber about a paused digest subscription=%s outcome=%s",
                        sub.id, result.outcome)


def fail_stale_claims(session: Session, now: datetime) -> int:
    result = session.execute(update(DigestSendRow).where(
        DigestSendRow.state == SendState.CLAIMED, DigestSendRow.claimed_at < now - STALE_CLAIM).values(
            state=SendState.FAILED, reason=INTERRUPTED, finished_at=now))
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True, slots=True)
class SendRecord:
    subscription_id: int
    local_date: date
    state: str
    reason: str
    posting_count: int


def send_log(session: Session, subscription_id: int | None = None) -> list[SendRecord]:
    query = select(DigestSendRow).order_by(DigestSendRow.local_date, DigestSendRow.id)
    if subscription_id is not None:
        query = query.where(DigestSendRow.subscription_id == subscription_id)
    return [SendRecord(r.subscription_id, r.local_date, r.state, r.reason, r.posting_count)
            for r in session.scalars(query).all()]
