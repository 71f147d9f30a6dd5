"""Code-view quotas: the limits people see on cards and refusals, views coming back when the month
turns (in the configured zone), exact counting under heavy concurrency on SQLite and PostgreSQL, and a
database failure that never hands out a free view."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import time_machine
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from core import db
from core.accounts.feature import AccountsFeature
from core.accounts.policy import QuotaPolicy
from core.accounts.quota import ViewQuota
from core.accounts.service import Accounts
from core.accounts.tables import CodeView, ViewCounter
from core.codes.catalog import Catalog
from core.codes.record import System
from core.desk import Desk
from core.replies import ErrorKind, Reply
from core.requests import Actor, Platform, Request
from tests.desks import code_desk

ALICE = Actor(Platform.SLACK, "T1", "U_ALICE", "alice")
Factory = sessionmaker[Session]
BOSS = Actor(Platform.SLACK, "T1", "U_BOSS", "boss", is_admin=True)


def desk_for(catalog: Catalog, quota: ViewQuota) -> Desk:
    return code_desk(catalog, views=quota, features=(AccountsFeature(Accounts(quota)),))


def look(desk: Desk, actor: Actor, code: str) -> Reply:
    return desk.handle(Request.command_of(actor, "icd10", code))


# --- windows ---------------------------------------------------------------------------------------
def test_views_come_back_exactly_when_the_month_turns(catalog: Catalog, sessions: Factory) -> None:
    desk = desk_for(catalog, ViewQuota(sessions))
    with time_machine.travel(datetime(2026, 11, 30, 23, 59, 58, tzinfo=UTC), tick=False) as clock:
        assert "0 code views left this month" in look(desk, ALICE, "E11.9").footer
        clock.move_to(datetime(2026, 11, 30, 23, 59, 59, tzinfo=UTC))
        refused = look(desk, ALICE, "E10.9")
        assert refused.error is ErrorKind.QUOTA
        assert "1 December 2026, 00:00 UTC" in refused.sections[0].text
        clock.move_to(datetime(2026, 12, 1, 0, 0, 0, tzinfo=UTC))
        card = look(desk, ALICE, "E10.9")
        assert card.error is None and card.title.startswith("E10.9")


def test_a_chicago_month_ends_at_chicago_midnight(catalog: Catalog, sqlite_url: str) -> None:
    sessions = db.session_factory(db.make_engine(sqlite_url))
    desk = desk_for(catalog, ViewQuota(sessions, QuotaPolicy(timezone="America/Chicago")))
    with time_machine.travel(datetime(2026, 11, 30, 12, 0, tzinfo=UTC), tick=False) as clock:
        assert look(desk, ALICE, "E11.9").error is None
        clock.move_to(datetime(2026, 12, 1, 5, 59, 59, tzinfo=UTC))  # 23:59:59 in Chicago
        assert look(desk, ALICE, "E10.9").error is ErrorKind.QUOTA
        clock.move_to(datetime(2026, 12, 1, 6, 0, 0, tzinfo=UTC))  # midnight in Chicago
        assert look(desk, ALICE, "E10.9").error is None


def test_an_injected_clock_in_any_zone_decides_the_window(catalog: Catalog, sessions: Factory) -> None:
    chicago = ZoneInfo("America/Chicago")
    now = [datetime(2026, 11, 30, 23, 59, 59, tzinfo=chicago)]  # the last second of November there
    quota = ViewQuota(sessions, QuotaPolicy(timezone="America/Chicago"), clock=lambda: now[0])
    desk = desk_for(catalog, quota)
    assert look(desk, ALICE, "E11.9").error is None
    assert look(desk, ALICE, "E10.9").error is ErrorKind.QUOTA
    now[0] = datetime(2026, 12, 1, 0, 0, tzinfo=chicago)
    assert quota.standing(ALICE.identity).window.key == "2026-12"
    assert look(desk, ALICE, "E10.9").error is None


# --- what a guest sees -----------------------------------------------------------------------------
def test_a_guest_gets_one_view_then_a_plain_refusal_with_register(catalog: Catalog,
                                                                  sessions: Factory) -> None:
    desk = desk_for(catalog, ViewQuota(sessions))
    card = look(desk, ALICE, "E11.9")
    assert card.title.startswith("E11.9")
    assert card.footer.endswith("0 code views left this month")
    refused = look(desk, ALICE, "E10.9")
    assert refused.error is ErrorKind.QUOTA
    assert refused.title == "0 code views left this month. Guests get 1; register for free to get 5 more."
    assert [(a.label, a.action_id) for a in refused.actions] == [("Register (free)", "register")]
    assert not refused.fields  # never the card
    assert refused.visibility == "only_you"


def test_reopening_the_same_code_in_the_window_is_free_for_a_registered_person(
        catalog: Catalog, sessions: Factory) -> None:
    quota = ViewQuota(sessions)
    desk = desk_for(catalog, quota)
    Accounts(quota).register(ALICE, "Alice Coder", "alice@example.com")
    for _ in range(3):
        card = look(desk, ALICE, "E11.9")
        assert card.error is None and card.footer.endswith("5 code views left this month")


def test_a_guest_opening_the_same_code_twice_meets_the_register_offer(catalog: Catalog,
                                                                       sessions: Factory) -> None:
    desk = desk_for(catalog, ViewQuota(sessions))
    assert look(desk, ALICE, "E11.9").footer.endswith("0 code views left this month")
    again = look(desk, ALICE, "E11.9")
    assert again.error is ErrorKind.QUOTA and [a.action_id for a in again.actions] == ["register"]


def test_the_refusal_wording_follows_configuration(catalog: Catalog, sessions: Factory) -> None:
    policy = QuotaPolicy(guest_views=2, registered_views=12, guest_name="visitor")
    desk = desk_for(catalog, ViewQuota(sessions, policy))
    assert look(desk, ALICE, "E11.9").footer.endswith("1 code view left this month")
    look(desk, ALICE, "E10.9")
    assert look(desk, ALICE, "I10").title == \
        "0 code views left this month. Visitors get 2; register for free to get 10 more."


def test_identities_are_per_workspace(catalog: Catalog, sessions: Factory) -> None:
    desk = desk_for(catalog, ViewQuota(sessions))
    look(desk, ALICE, "E11.9")
    elsewhere = Actor(Platform.SLACK, "T2", "U_ALICE", "alice")
    assert look(desk, elsewhere, "E10.9").error is None
    assert look(desk, ALICE, "E10.9").error is ErrorKind.QUOTA


def test_help_account_commands_and_the_register_form_use_no_views(catalog: Catalog,
                                                                   sessions: Factory) -> None:
    desk = desk_for(catalog, ViewQuota(sessions))
    for command in ("help", "me", "register", "link"):
        desk.handle(Request.command_of(ALICE, command))
    assert look(desk, ALICE, "E11.9").footer.endswith("0 code views left this month")


def test_unlimited_people_see_no_count(catalog: Catalog, sessions: Factory) -> None:
    quota = ViewQuota(sessions)
    desk = desk_for(catalog, quota)
    desk.handle(Request.command_of(BOSS, "codedesk", "grant <@U_ALICE|alice> unlimited"))
    for code in ("E11.9", "E10.9", "I10", "E78.5"):
        card = look(desk, ALICE, code)
        assert card.error is None
        assert "left this month" not in card.footer


def test_a_workspace_plan_lifts_limits_and_an_explicit_grant_still_wins(catalog: Catalog,
                                                                        sessions: Factory) -> None:
    desk = desk_for(catalog, ViewQuota(sessions))
    bob = Actor(Platform.SLACK, "T1", "U_BOB", "bob")
    planned = desk.handle(Request.command_of(BOSS, "codedesk", "plan unlimited"))
    assert "now on the unlimited plan" in planned.title
    desk.handle(Request.command_of(BOSS, "codedesk", "grant <@U_BOB> guest"))
    assert all(look(desk, ALICE, c).error is None for c in ("E11.9", "E10.9", "I10"))
    assert look(desk, bob, "E11.9").error is None
    assert look(desk, bob, "E10.9").error is ErrorKind.QUOTA
    desk.handle(Request.command_of(BOSS, "codedesk", "plan standard"))
    assert look(desk, ALICE, "E78.5").error is ErrorKind.QUOTA


# --- correctness under load ------------------------------------------------------------------------
ATTEMPTS = 1000
LIMIT = 6


BUSY = Actor(Platform.DISCORD, "G1", "4242", "busy")


def _hammer(quota: ViewQuota, workers: int) -> list[bool]:
    actor = BUSY

    def attempt(i: int) -> bool:
        # Distinct codes, so "re-opening is free" never hides a counting error.
        return quota.admit(actor, System.ICD10CM, f"Z{i:04d}").allowed

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(attempt, range(ATTEMPTS)))


def _stored(sessions: sessionmaker[Session]) -> tuple[int, int]:
    with sessions() as session:
        used = session.scalar(select(func.sum(ViewCounter.used)))
        views = session.scalar(select(func.count()).select_from(CodeView))
    return int(used or 0), int(views or 0)


def _assert_exactly_six(url: str, workers: int) -> None:
    engine = db.make_engine(url, pool_size=workers, max_overflow=0, pool_timeout=60)
    try:
        sessions = db.session_factory(engine)
        quota = ViewQuota(sessions, QuotaPolicy(guest_views=1, registered_views=LIMIT))
        # Registered, so each granted view also leaves a view record to count against the counter.
        Accounts(quota).register(BUSY, "Busy Coder", "busy@example.com")
        granted = _hammer(quota, workers)
        assert granted.count(True) == LIMIT
        assert _stored(sessions) == (LIMIT, LIMIT)  # the counter and the view records agree
    finally:
        engine.dispose()


def test_a_thousand_concurrent_attempts_on_sqlite_grant_exactly_the_limit(sqlite_url: str) -> None:
    _assert_exactly_six(sqlite_url, workers=24)


def test_a_thousand_concurrent_attempts_on_postgresql_grant_exactly_the_limit(pg_url: str) -> None:
    _assert_exactly_six(pg_url, workers=40)


# --- failures --------------------------------------------------------------------------------------
def _refused_as_unavailable(reply: Reply) -> None:
    assert reply.error is ErrorKind.UNAVAILABLE
    assert "temporarily unavailable, nothing was counted" in reply.title
    assert not reply.fields


def test_a_database_without_the_tables_grants_nothing_and_does_not_crash(catalog: Catalog,
                                                                        tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'empty.db'}")  # never migrated
    desk = desk_for(catalog, ViewQuota(db.session_factory(engine)))
    _refused_as_unavailable(look(desk, ALICE, "E11.9"))
    _refused_as_unavailable(desk.handle(Request.command_of(ALICE, "me")))
    engine.dispose()


def test_an_unreachable_postgresql_grants_nothing(catalog: Catalog) -> None:
    engine = db.make_engine("postgresql://postgres@127.0.0.1:1/none", connect_args={"connect_timeout": 2})
    desk = desk_for(catalog, ViewQuota(db.session_factory(engine)))
    _refused_as_unavailable(look(desk, ALICE, "E11.9"))
    engine.dispose()


def test_nothing_is_counted_when_the_database_fails_mid_way(catalog: Catalog, sqlite_url: str) -> None:
    engine = db.make_engine(sqlite_url)
    sessions = db.session_factory(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE view_counters")  # the view record goes in, the counter fails
    desk = desk_for(catalog, ViewQuota(sessions))
    _refused_as_unavailable(look(desk, ALICE, "E11.9"))
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(CodeView)) == 0
    engine.dispose()


def test_views_racing_a_registration_are_all_counted_on_postgresql(pg_url: str) -> None:
    """A view resolved against the guest counter while registration moves that counter must still be
    counted where the person's quota now lives: what was shown always equals what is stored."""
    engine = db.make_engine(pg_url, pool_size=24, max_overflow=0, pool_timeout=60)
    try:
        sessions = db.session_factory(engine)
        policy = QuotaPolicy(guest_views=3, registered_views=8)
        for round_no in range(4):
            quota = ViewQuota(sessions, policy)
            actor = Actor(Platform.DISCORD, "G9", f"race{round_no}", "racer")

            def attempt(i: int, actor: Actor = actor, quota: ViewQuota = quota) -> bool:
                if i == 5:
                    Accounts(quota).register(actor, "Race Coder", "race@example.com")
                    return False
                return quota.admit(actor, System.ICD10CM, f"Z{i:04d}").allowed

            with ThreadPoolExecutor(max_workers=20) as pool:
                granted = list(pool.map(attempt, range(60))).count(True)
            assert granted == 8  # registered before the views ran out or not, 8 is the most and all get used
            assert quota.standing(actor.identity).used == granted
    finally:
        engine.dispose()
