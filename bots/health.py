"""Readiness for `/readyz`: the data is loaded and the database answers with CodeDesk's schema.

The probe opens a fresh connection each time (no pool: a pooled connection to a file that was moved
away, or to a server that restarted, would say "fine" when a new request would fail). A SQLite file
is opened read-only, so probing a missing file never creates an empty one."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from adapters.slack.wsgi import Readiness
from core import db

PROBE = text("SELECT version_num FROM alembic_version")


def probe_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ""
        return create_engine(f"sqlite:///file:{path}?mode=ro&uri=true", poolclass=NullPool,
                             connect_args={"timeout": 2})
    return db.make_engine(url, poolclass=NullPool, connect_args={"connect_timeout": 3})


def readiness(url: str, loaded: Callable[[], bool]) -> Callable[[], Readiness]:
    engine = probe_engine(url)

    def check() -> Readiness:
        if not loaded():
            return Readiness(False, "the catalog and search index are still loading")
        try:
            with engine.connect() as conn:
                if conn.execute(PROBE).first() is None:
                    return Readiness(False, "the database has no schema version (run codedesk db upgrade)")
        except SQLAlchemyError as exc:
            return Readiness(False, f"the database cannot be reached ({type(exc).__name__})")
        return Readiness(True)

    return check
