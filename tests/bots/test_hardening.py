"""Issue 16 defects 5, 9, 10, 11 and 13 through the real Services desk and the `codedesk` command:
a read-only SQLite file recovers, huge job ids, NUL bytes, the database unreachable at start and
during an outage, and a bad setting."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from bots import cli
from bots.app import Services
from bots.config import ConfigError, load
from core import db
from core.db import transaction
from core.replies import ErrorKind
from core.requests import Actor, Platform, Request
from core.settings import Settings
from tests.conftest import CACHE_DIR

ANA = Actor(Platform.SLACK, "T1", "U1ANA", "Ana")
BOSS = Actor(Platform.SLACK, "T1", "U1BOSS", "Boss", is_admin=True)


def services_on(url: str, home: Path) -> Services:
    services = Services(Settings(database_url=url, home=home, cache_dir=CACHE_DIR))
    services.upgrade()
    return services


@pytest.mark.parametrize("typed", ["99999999999999999999", "2147483648", "#2147483648", "0"])
def test_huge_or_odd_job_ids_are_no_such_job(db_url: str, tmp_path: Path, typed: str) -> None:
    desk = services_on(db_url, tmp_path).desk()
    reply = desk.handle(Request.command_of(ANA, "jobs", typed))
    assert reply.error in (ErrorKind.NOT_FOUND, ErrorKind.BAD_INPUT)
    assert "no job" in reply.title.lower() or "is not" in reply.title.lower()
    moderated = desk.handle(Request.command_of(BOSS, "jobs", f"approve {typed}"))
    assert moderated.error in (ErrorKind.NOT_FOUND, ErrorKind.BAD_INPUT)


def test_nul_bytes_in_commands_and_user_ids_are_dropped(db_url: str, tmp_path: Path) -> None:
    desk = services_on(db_url, tmp_path).desk()
    who = Actor(Platform.SLACK, "T\x001", "U\x00NUL", "N\x00ul")
    card = desk.handle(Request.command_of(who, "icd10", "E11\x00.9"))
    assert card.error is None and "E11.9" in card.title
    jobs = desk.handle(Request.command_of(who, "jobs", "search remote\x00 coder"))
    assert jobs.error is ErrorKind.NOT_FOUND and "remote coder" in jobs.title
    registered = desk.handle(Request.form_of(who, "register", {"name": "Nu\x00l", "email": "n@x.org\x00",
                                                               "consent": "y"}))
    assert registered.error is None, registered.title


def test_a_read_only_sqlite_connection_gets_a_fresh_chance(tmp_path: Path) -> None:
    """A connection SQLite opened read-only (PRAGMA query_only stands in for a file that was read-only
    at start) must not stay in the pool: the next request writes."""
    url = f"sqlite:///{tmp_path / 'ro.db'}"
    db.upgrade(url)
    engine = db.make_engine(url)
    sessions = db.session_factory(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA query_only = 1")
    write = "INSERT INTO datasets (name, source, version, record_count, detail, imported_at) " \
            "VALUES (:n, 's', 'v', 0, '{}', '2026-01-01')"
    with pytest.raises(Exception, match="readonly"), transaction(sessions) as session:
        session.execute(text(write), {"n": "first"})
    with transaction(sessions) as session:
        session.execute(text(write), {"n": "second"})
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT name FROM datasets").scalars().all() == ["second"]
    engine.dispose()


def test_during_an_outage_every_command_says_nothing_was_counted(tmp_path: Path) -> None:
    folder = tmp_path / "db"
    services = services_on(f"sqlite:///{folder / 'codedesk.db'}", tmp_path)
    services.catalog  # noqa: B018 - loaded before the outage, as a running process has it
    desk = services.desk()
    assert desk.handle(Request.command_of(ANA, "icd10", "E11.9")).error is None
    services.engine.dispose()
    shutil.move(folder, tmp_path / "away")
    folder.write_text("not a folder")  # the database file cannot be opened at all now
    for command, args in (("icd10", "E11.9"), ("jobs", ""), ("jobs", "12"), ("me", "")):
        reply = desk.handle(Request.command_of(ANA, command, args))
        assert reply.error is ErrorKind.UNAVAILABLE, (command, reply.title)
        assert "temporarily unavailable, nothing was counted" in reply.title
    form = desk.handle(Request.form_of(ANA, "register", {"name": "Ana", "email": "ana@example.org",
                                                         "consent": "y"}))
    assert form.error is ErrorKind.UNAVAILABLE and "code views" not in form.title.lower()


def test_an_unreachable_database_at_start_is_one_clear_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CODEDESK_HOME", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://coder:s3cretpw@127.0.0.1:1/codedesk")
    assert cli.main(["db", "upgrade"]) == 1
    err = capsys.readouterr().err
    assert "cannot reach the database postgresql+psycopg://coder:***@127.0.0.1:1/codedesk" in err
    assert "s3cretpw" not in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(("env", "named"), [
    ({"CODEDESK_GUEST_VIEWS": "7"}, "CODEDESK_GUEST_VIEWS=7 is more than CODEDESK_REGISTERED_VIEWS=6"),
    ({"CODEDESK_GUEST_VIEWS": "many"}, "CODEDESK_GUEST_VIEWS=many"),
    ({"CODEDESK_QUOTA_TZ": "Mars/Olympus"}, "CODEDESK_QUOTA_TZ"),
    ({"CODEDESK_FEED_MINUTES": "1"}, "CODEDESK_FEED_MINUTES=1"),
    ({"CODEDESK_LOG_LEVEL": "chatty"}, "CODEDESK_LOG_LEVEL"),
    ({"DATABASE_URL": "mysql//nope:pw"}, "DATABASE_URL"),
])
def test_a_bad_setting_is_one_line_naming_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str], env: dict[str, str],
                                             named: str) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CODEDESK_HOME", str(tmp_path))
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert cli.main(["config", "check"]) == 1
    err = capsys.readouterr().err
    assert named in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "pw" not in err.replace("CODEDESK", "")  # a database URL is never echoed


def test_config_check_masks_secrets_and_reads_dot_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("CODEDESK_GUEST_VIEWS=2\nSLACK_BOT_TOKEN=xoxb-1111-2222-secretsecret\n",
                                   encoding="utf-8")
    monkeypatch.setenv("CODEDESK_HOME", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://coder:s3cretpw@db.internal/codedesk")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "0123456789abcdef0123456789abcdef")
    assert cli.main(["config", "check"]) == 0
    out = capsys.readouterr().out
    assert "CODEDESK_GUEST_VIEWS       2" in out  # from .env
    assert "coder:***@db.internal" in out and "s3cretpw" not in out
    assert "secretsecret" not in out and "0123456789abcdef0123" not in out and "xoxb-" in out
    assert out.strip().endswith("configuration OK")


def test_the_environment_wins_over_dot_env(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("CODEDESK_GUEST_VIEWS=2\n", encoding="utf-8")
    assert load({"CODEDESK_GUEST_VIEWS": "3"}, tmp_path / ".env").codedesk_guest_views == 3
    assert load({}, tmp_path / ".env").codedesk_guest_views == 2
    with pytest.raises(ConfigError):
        load({"CODEDESK_REGISTERED_VIEWS": "0"}, None)
