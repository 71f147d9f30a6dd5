"""What Slack already delivered: event ids (retries answer once) and request signatures (replays are
refused). Kept in the database so every replica behind a load balancer agrees."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlalchemy import DateTime, Engine, String, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base

KEEP = timedelta(minutes=30)  # longer than Slack's 5-minute signature window and its retry schedule
PRUNE_EVERY = 1000


class SlackSeenKey(Base):
    __tablename__ = "slack_seen_keys"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)  # "event:Ev..." or "sig:v0=..."
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class SeenKeys:
    """`first_time(key)` is True for exactly one caller across all processes sharing the database."""

    def __init__(self, engine: Engine, clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.clock = clock
        self._claims = 0
        self._lock = threading.Lock()
        dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
        table = SlackSeenKey.__table__
        self._insert = dialect.insert(table).on_conflict_do_nothing().returning(table.c.key)
        # SQLite has one writer; queueing our own threads here beats SQLite's sleeping busy-wait.
        self._write_lock = threading.Lock() if engine.dialect.name == "sqlite" else contextlib.nullcontext()

    def first_time(self, key: str) -> bool:
        now = datetime.fromtimestamp(self.clock(), UTC)
        with self._write_lock, self.engine.begin() as conn:
            inserted = conn.execute(self._insert, {"key": key[:160], "seen_at": now}).first() is not None
        with self._lock:
            self._claims += 1
            prune = self._claims % PRUNE_EVERY == 0
        if prune:
            self.prune(now)
        return inserted

    def prune(self, now: datetime | None = None) -> None:
        cutoff = (now or datetime.fromtimestamp(self.clock(), UTC)) - KEEP
        with self._write_lock, self.engine.begin() as conn:
            conn.execute(delete(SlackSeenKey).where(SlackSeenKey.seen_at < cutoff))


class FirstSight(Protocol):
    def first_time(self, key: str) -> bool: ...


def signature_memory(engine: Engine, clock: Callable[[], float] = time.time) -> FirstSight:
    """Used signatures are kept in the database on SQLite as on PostgreSQL: worker processes (and
    replicas) share it, so a replay is refused whichever of them it reaches."""
    return SeenKeys(engine, clock)
