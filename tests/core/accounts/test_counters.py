"""The counter SQL on its own, on SQLite and PostgreSQL: a count stops at the limit, a second view of
one code is recognised, carried counts never go down, and moved view records keep re-opens free."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.accounts.counters import (
    account_subject,
    count_one,
    identity_subject,
    move_views,
    raise_counter_to,
    record_view,
    resolve,
    used_in,
)
from core.accounts.policy import Tier
from core.accounts.tables import CodeView, Identity, WorkspacePlan

Factory = sessionmaker[Session]
ALICE = ("slack", "T1", "U_ALICE")
WINDOW = "2026-11"
AT = datetime(2026, 11, 5, 12, 0, tzinfo=UTC)


def test_a_count_stops_at_the_limit_and_none_means_no_limit(sessions: Factory) -> None:
    subject = identity_subject(ALICE)
    with sessions() as session, session.begin():
        conn = session.connection()
        assert [count_one(conn, subject, WINDOW, 2) for _ in range(3)] == [1, 2, None]
        assert used_in(conn, subject, WINDOW) == 2
        assert count_one(conn, subject, WINDOW, None) == 3
        assert count_one(conn, subject, "2026-12", 2) == 1  # a new window starts from nothing


def test_a_view_is_new_once_per_subject_code_and_window(sessions: Factory) -> None:
    subject = identity_subject(ALICE)
    with sessions() as session, session.begin():
        conn = session.connection()
        assert record_view(conn, subject, WINDOW, ALICE, "icd10cm", "E11.9", AT) is True
        assert record_view(conn, subject, WINDOW, ALICE, "icd10cm", "E11.9", AT) is False
        assert record_view(conn, subject, WINDOW, ALICE, "icd10cm", "E10.9", AT) is True
        assert record_view(conn, subject, "2026-12", ALICE, "icd10cm", "E11.9", AT) is True


def test_a_carried_count_only_ever_goes_up(sessions: Factory) -> None:
    subject = account_subject(7)
    with sessions() as session, session.begin():
        raise_counter_to(session, subject, WINDOW, 4)
        raise_counter_to(session, subject, WINDOW, 2)
        assert used_in(session, subject, WINDOW) == 4


def test_moved_view_records_belong_to_the_new_subject(sessions: Factory) -> None:
    old, new = identity_subject(ALICE), account_subject(7)
    with sessions() as session, session.begin():
        conn = session.connection()
        record_view(conn, old, WINDOW, ALICE, "icd10cm", "E11.9", AT)
        record_view(conn, new, WINDOW, ALICE, "icd10cm", "E11.9", AT)  # already there: kept once
        move_views(session, old, new, WINDOW)
        rows = session.execute(select(CodeView.subject, CodeView.code)).all()
        assert sorted(rows) == [(new, "E11.9")]
        assert record_view(conn, new, WINDOW, ALICE, "icd10cm", "E11.9", AT) is False


def test_a_grant_beats_the_workspace_plan_which_beats_registration(sessions: Factory) -> None:
    with sessions() as session, session.begin():
        assert resolve(session, ALICE).tier is Tier.GUEST
        session.add(Identity(platform="slack", workspace_id="T1", user_id="U_ALICE", display_name="alice",
                             created_at=AT))
        session.add(WorkspacePlan(platform="slack", workspace_id="T1", plan="unlimited", set_by="U_BOSS",
                                  set_at=AT))
        session.flush()
        assert resolve(session, ALICE).tier is Tier.UNLIMITED
        session.get_one(Identity, ALICE).granted_tier = Tier.GUEST.value
        session.flush()
        holder = resolve(session, ALICE)
        assert (holder.tier, holder.subject, holder.registered) == (Tier.GUEST, identity_subject(ALICE), False)
