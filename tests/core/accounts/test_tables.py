"""The 0002_accounts migration builds exactly the tables core/accounts/tables.py declares, on both
databases, and can be undone and redone."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from core import db
from core.accounts import tables as accounts_tables

TABLES = {"accounts", "identities", "view_counters", "code_views", "link_codes", "workspace_plans",
          "grant_audit"}


def _ours(diff: object) -> bool:
    """Whether one autogenerate difference touches an accounts table."""
    items = diff if isinstance(diff, list) else [diff]
    for item in items:
        for part in item:
            name = getattr(part, "name", None)
            table = getattr(part, "table", None)
            if name in TABLES or getattr(table, "name", None) in TABLES or part in TABLES:
                return True
    return False


def test_the_migration_matches_the_declared_tables(db_url: str) -> None:
    assert {t.name for t in db.Base.metadata.sorted_tables} >= TABLES
    assert accounts_tables.Account.__tablename__ == "accounts"
    engine = db.make_engine(db_url)
    with engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) >= TABLES
        differences = compare_metadata(MigrationContext.configure(conn), db.Base.metadata)
    engine.dispose()
    assert [d for d in differences if _ours(d)] == []


def test_the_migration_downgrades_and_upgrades_again(sqlite_url: str) -> None:
    cfg = db.alembic_config(sqlite_url)
    command.downgrade(cfg, "0001_catalog")
    engine = db.make_engine(sqlite_url)
    with engine.connect() as conn:
        assert not TABLES & set(inspect(conn).get_table_names())
    db.upgrade(sqlite_url)
    with engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) >= TABLES
    engine.dispose()
