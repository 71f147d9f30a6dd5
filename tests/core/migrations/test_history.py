"""The migration history has one head, and a database made at any earlier head upgrades to it."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from core import db

EARLIER_HEADS = (("0002_accounts", "0003_slack", "0004_jobs"), ("0002_accounts",), ("0003_slack",),
                 ("0004_jobs",), ("0001_catalog",))


def test_one_head() -> None:
    script = ScriptDirectory.from_config(db.alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1, script.get_heads()


@pytest.mark.parametrize("heads", EARLIER_HEADS, ids="+".join)
def test_a_database_at_an_earlier_head_upgrades_cleanly(tmp_path: Path, heads: tuple[str, ...]) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    config = db.alembic_config(url)
    for head in heads:
        command.upgrade(config, head)
    engine = db.make_engine(url)
    with engine.begin() as conn:  # a row written under the old schema survives the upgrade
        conn.execute(text("CREATE TABLE IF NOT EXISTS keepsake (id INTEGER PRIMARY KEY)"))
        conn.execute(text("INSERT INTO keepsake (id) VALUES (7)"))
    db.upgrade(url)
    script = ScriptDirectory.from_config(config)
    with engine.connect() as conn:
        versions = {row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))}
        assert versions == set(script.get_heads())
        assert conn.execute(text("SELECT id FROM keepsake")).scalar_one() == 7
    tables = set(inspect(engine).get_table_names())
    assert {"identities", "view_counters", "slack_installations", "job_postings"} <= tables
    engine.dispose()


def test_postgresql_at_the_three_old_heads_upgrades(pg_url: str) -> None:
    """pg_url is already at head; stamping back to the old heads and upgrading again must be clean."""
    config = db.alembic_config(pg_url)
    command.stamp(config, ["0002_accounts", "0003_slack", "0004_jobs"], purge=True)
    # Only the merge itself is replayed: migrations after it created their tables already.
    command.upgrade(config, "0005_one_head")
    engine = db.make_engine(pg_url)
    with engine.connect() as conn:
        versions = {row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))}
    engine.dispose()
    assert versions == {"0005_one_head"}
