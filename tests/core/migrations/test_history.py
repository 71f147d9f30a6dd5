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
    command.downgrade(config, "0005_one_head")  # later revisions change tables: undo them for real first
    command.stamp(config, ["0002_accounts", "0003_slack", "0004_jobs"], purge=True)
    db.upgrade(pg_url)  # the merge and every later migration run again, cleanly
    script = ScriptDirectory.from_config(config)
    engine = db.make_engine(pg_url)
    with engine.connect() as conn:
        versions = {row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))}
    engine.dispose()
    assert versions == set(script.get_heads())


def test_boards_made_before_0006_get_an_empty_digest_zone_and_it_can_be_undone(db_url: str) -> None:
    config = db.alembic_config(db_url)
    command.downgrade(config, "0005_one_head")
    engine = db.make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO job_board_settings (platform, workspace_id, require_approval) "
                          "VALUES ('discord', 'G1', true)"))
    db.upgrade(db_url)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT require_approval, timezone FROM job_board_settings")).one()
    assert (bool(row[0]), row[1]) == (True, "")
    command.downgrade(config, "0005_one_head")
    assert "timezone" not in {c["name"] for c in inspect(engine).get_columns("job_board_settings")}
    db.upgrade(db_url)
    engine.dispose()
