"""Digest subscriptions: one per channel, with a local time, a time zone and search filters."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.jobs.models import DigestSubscriptionRow
from core.jobs.postings import Board, as_utc
from core.jobs.search import QueryError, parse_query

DEFAULT_TIME = time(9, 0)
DEFAULT_CAP = 10
MAX_CAP = 25
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$", re.IGNORECASE)


class Status:
    ACTIVE = "active"
    PAUSED = "paused"


@dataclass(frozen=True, slots=True)
class DigestSubscription:
    id: int
    board: Board
    channel_id: str
    subscriber_id: str
    local_time: time
    timezone: str
    filters: str
    cap: int
    post_when_empty: bool
    status: str
    created_at: datetime
    since: datetime  # the end of the previous digest's window: new postings are those live after it

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def scheduled_at(self, local_date: date) -> datetime:
        """The instant of this day's digest. A time skipped by a spring-forward change (02:30) falls
        an hour later; a time repeated in the autumn (01:30) is its first occurrence (fold=0)."""
        return datetime.combine(local_date, self.local_time, tzinfo=self.zone).astimezone(ZoneInfo("UTC"))

    def due_date(self, now: datetime) -> date | None:
        """The local date whose digest is due at `now`, or None. Only today's: a missed day is not
        made up later, and a subscription made after today's time first fires tomorrow."""
        today = now.astimezone(self.zone).date()
        at = self.scheduled_at(today)
        if now < at or self.created_at > at:
            return None
        return today

    def describe(self) -> str:
        when = f"{self.local_time:%H:%M} {self.timezone}"
        what = f" · filters: {self.filters}" if self.filters else ""
        paused = " · ⏸ paused (the bot cannot post there)" if self.status == Status.PAUSED else ""
        empty = " · posts even when empty" if self.post_when_empty else ""
        return f"daily at {when}{what} · up to {self.cap}{empty}{paused}"


def subscription_of(row: DigestSubscriptionRow) -> DigestSubscription:
    hour, minute = (int(x) for x in row.local_time.split(":"))
    return DigestSubscription(
        id=row.id, board=Board(row.platform, row.workspace_id), channel_id=row.channel_id,
        subscriber_id=row.subscriber_id, local_time=time(hour, minute), timezone=row.timezone,
        filters=row.filters, cap=row.cap, post_when_empty=row.post_when_empty, status=row.status,
        created_at=as_utc(row.created_at), since=as_utc(row.since))


@dataclass(frozen=True, slots=True)
class SubscribeRequest:
    local_time: time
    timezone: str
    filters: str
    cap: int
    post_when_empty: bool
    zone_given: bool = False  # typed by the person, not the default


def parse_subscribe(text: str, default_timezone: str) -> SubscribeRequest:
    """`[09:00] [America/Chicago] [top 5] [always] [filters...]` in any order; raises QueryError."""
    local_time, zone, cap, always = DEFAULT_TIME, "", DEFAULT_CAP, False
    rest: list[str] = []
    tokens = text.split()
    index = 0
    while index < len(tokens):
        token = tokens[index]
        match = _TIME.match(token)
        nxt = tokens[index + 1].lower() if index + 1 < len(tokens) else ""
        if match and (":" in token or match.group(3) or nxt in ("am", "pm")) and not token.startswith("$"):
            local_time = _parse_time(match, nxt)
            index += 2 if nxt in ("am", "pm") and not match.group(3) else 1
            continue
        if ("/" in token and token[0].isupper()) or token.upper() == "UTC":
            zone = check_zone(token)
        elif token.lower() == "top" and nxt.isdigit():
            cap = int(nxt)
            if not 1 <= cap <= MAX_CAP:
                raise QueryError(f"A digest can list 1 to {MAX_CAP} postings.", "For example `top 5`.")
            index += 1
        elif token.lower() == "always":
            always = True
        else:
            rest.append(token)
        index += 1
    filters = " ".join(rest)
    parse_query(filters)  # refuse bad filters now, not at 9 o'clock tomorrow
    return SubscribeRequest(local_time, zone or check_zone(default_timezone or "UTC"), filters[:300], cap,
                            always, zone_given=bool(zone))


def _parse_time(match: re.Match[str], nxt: str) -> time:
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    meridiem = (match.group(3) or (nxt if nxt in ("am", "pm") else "")).lower()
    if meridiem:
        if not 1 <= hour <= 12:
            raise QueryError(f"{hour} {meridiem} is not a time.", "Use `9:00`, `9am` or `17:30`.")
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    if hour > 23 or minute > 59:
        raise QueryError(f"{match.group(0)} is not a time of day.",
                         "Use 24-hour time such as `09:00` or `17:30`.")
    return time(hour, minute)


def check_zone(name: str) -> str:
    """The zone's name when Python knows it; QueryError saying what to type otherwise."""
    if name.upper() == "UTC":
        return "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise QueryError(f"“{name[:40]}” is not a time zone I know.",
                         "Use a name such as `America/Chicago`, `Europe/London` or `UTC`.") from None
    return name


def _row_for_channel(session: Session, board: Board, channel_id: str) -> DigestSubscriptionRow | None:
    return session.scalars(select(DigestSubscriptionRow).where(
        DigestSubscriptionRow.platform == board.platform,
        DigestSubscriptionRow.workspace_id == board.workspace_id,
        DigestSubscriptionRow.channel_id == channel_id)).first()


def subscribe(session: Session, board: Board, channel_id: str, subscriber_id: str, wish: SubscribeRequest,
              now: datetime) -> tuple[DigestSubscription, bool]:
    """Create the channel's subscription, or change it (and resume it if paused). True when new."""
    row = _row_for_channel(session, board, channel_id)
    created = row is None
    if row is None:
        row = DigestSubscriptionRow(platform=board.platform, workspace_id=board.workspace_id,
                                    channel_id=channel_id, created_at=now, since=now)
        session.add(row)
    row.subscriber_id = subscriber_id
    row.local_time = f"{wish.local_time:%H:%M}"
    row.timezone, row.filters, row.cap, row.post_when_empty = wish.timezone, wish.filters, wish.cap, \
        wish.post_when_empty
    row.status, row.pause_reason = Status.ACTIVE, ""
    if not created:
        # A changed time counts from now, so moving 09:00 to 08:00 after 08:00 waits for tomorrow.
        row.created_at = now
    session.flush()
    return subscription_of(row), created


def unsubscribe(session: Session, board: Board, channel_id: str) -> bool:
    row = _row_for_channel(session, board, channel_id)
    if row is None:
        return False
    session.delete(row)
    return True


def board_subscriptions(session: Session, board: Board) -> list[DigestSubscription]:
    rows = session.scalars(select(DigestSubscriptionRow).where(
        DigestSubscriptionRow.platform == board.platform,
        DigestSubscriptionRow.workspace_id == board.workspace_id).order_by(DigestSubscriptionRow.id)).all()
    return [subscription_of(r) for r in rows]


def active_subscriptions(session: Session, platforms: tuple[str, ...]) -> list[DigestSubscription]:
    rows = session.scalars(select(DigestSubscriptionRow).where(
        DigestSubscriptionRow.status == Status.ACTIVE, DigestSubscriptionRow.platform.in_(platforms))).all()
    return [subscription_of(r) for r in rows]


def earliest_local_date(now: datetime) -> date:
    """No zone is more than 14 hours from UTC, so every "today" is within a day of UTC's."""
    return (now - timedelta(days=1)).date()
