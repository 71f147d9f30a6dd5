"""Database access: engine and session set-up, the declarative base, the catalog's own tables, and
running the Alembic migrations. Feature modules (accounts, jobs, ...) declare their tables on `Base`."""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Engine, Integer, String, Text, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class Base(DeclarativeBase):
    pass


def utcnow() -> datetime:
    return datetime.now(UTC)


class Dataset(Base):
    """One imported data set (a HCPCS year, a licensed CPT file): what, which version, how many."""

    __tablename__ = "datasets"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)  # "hcpcs", "cpt_licensed"
    source: Mapped[str] = mapped_column(String(300))
    version: Mapped[str] = mapped_column(String(64))
    record_count: Mapped[int] = mapped_column(Integer)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ImportedCode(Base):
    """A code record that came from an imported file (HCPCS Level II, licensed CPT descriptors)."""

    __tablename__ = "imported_codes"

    system: Mapped[str] = mapped_column(String(16), primary_key=True)
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    section: Mapped[str] = mapped_column(String(200), default="")
    effective: Mapped[date | None] = mapped_column(Date, nullable=True)
    terminated: Mapped[date | None] = mapped_column(Date, nullable=True)
    attributes: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(String(300))
    version: Mapped[str] = mapped_column(String(64))


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for SQLite (a file, made if missing) or PostgreSQL (psycopg 3)."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        engine = create_engine(url, **kwargs)
        _tune_sqlite(engine, Path(path).with_name(Path(path).name + ".writelock")
                     if path and path != ":memory:" else None)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


_STALE_SQLITE = ("readonly database", "unable to open database file", "disk i/o error")


def _tune_sqlite(engine: Engine, lock_path: Path | None) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, record: Any) -> None:
        if lock_path is not None:
            record.info["writelock"] = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        # WAL lets readers run beside the one writer; busy_timeout queues writers instead of failing.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "handle_error")
    def _on_error(context: Any) -> None:
        # A connection opened while the file was read-only (or missing) stays that way: throw it away,
        # so the next request opens a fresh one and sees the file as it is now.
        text = str(context.original_exception).lower()
        if any(sign in text for sign in _STALE_SQLITE):
            context.is_disconnect = True

    # One writer per process waits on the file lock; the process's other writers wait on a thread
    # lock, asleep, instead of polling beside it (pollers would take the GIL from the lock holder).
    local = threading.Lock()
    held: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()

    def unlock(conn: Any) -> None:
        fd = held.pop(conn, None)
        if fd is None:
            return
        with contextlib.suppress(OSError):  # a connection thrown away has closed its descriptor already
            fcntl.flock(fd, fcntl.LOCK_UN)
        local.release()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Writers queue on a file lock first: the kernel wakes the next one the moment the lock is
        # free, where SQLite's own busy handler would sleep in 1-100 ms steps (several worker
        # processes writing view counters contend all the time).
        fd = conn.connection.info.get("writelock")
        if fd is not None:
            if not local.acquire(timeout=WRITE_WAIT_SECONDS):
                raise sqlite3.OperationalError("database is locked")
            try:
                _lock(fd)
            except BaseException:
                local.release()
                raise
            held[conn] = fd
        # BEGIN IMMEDIATE takes the write lock up front, so read-then-update never deadlocks.
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            unlock(conn)
            raise

    @event.listens_for(engine, "commit")
    def _on_commit(conn: Any) -> None:
        # Commit here, then let the next writer in; SQLAlchemy's own commit() then finds nothing to do.
        try:
            raw = None if conn.invalidated else conn.connection.dbapi_connection
            if raw is not None and raw.in_transaction:
                raw.execute("COMMIT")
        finally:
            unlock(conn)

    @event.listens_for(engine, "rollback")
    def _on_rollback(conn: Any) -> None:
        try:
            raw = None if conn.invalidated else conn.connection.dbapi_connection
            if raw is not None and raw.in_transaction:
                raw.execute("ROLLBACK")
        finally:
            unlock(conn)

    @event.listens_for(engine, "close")
    def _on_close(_dbapi_conn: Any, record: Any) -> None:
        fd = record.info.pop("writelock", None)
        if fd is not None:
            os.close(fd)


WRITE_WAIT_SECONDS = 30.0  # as busy_timeout: a writer stuck longer gets "database is locked"


def _lock(fd: int) -> None:
    """Take the write lock, checking every half millisecond (never forever: a thread that already
    holds it through another connection gets SQLite's own "database is locked" error)."""
    deadline = time.monotonic() + WRITE_WAIT_SECONDS
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise sqlite3.OperationalError("database is locked") from None
            time.sleep(0.0005)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commits on success, rolls back on any error."""
    with factory() as session, session.begin():
        yield session


def alembic_config(url: str) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str) -> None:
    """Bring the database to the newest schema (every feature's head)."""
    from alembic import command

    command.upgrade(alembic_config(url), "head")
