"""The accounts service on its own: mentions as every platform escapes them, email checks, and each
operation's outcome and stored rows, without any chat wording."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy.orm import Session, sessionmaker

from core.accounts.policy import Plan
from core.accounts.quota import ViewQuota
from core.accounts.service import LINK_CODE_TTL, Accounts, Mention, parse_mention, valid_email
from core.requests import Actor, Platform

Factory = sessionmaker[Session]
ALICE = Actor(Platform.SLACK, "T1", "U_ALICE", "alice")
ALICE_DISCORD = Actor(Platform.DISCORD, "G9", "81234", "alice_d")
BOSS = Actor(Platform.SLACK, "T1", "U_BOSS", "boss", is_admin=True)


@pytest.fixture
def accounts(sessions: Factory) -> Accounts:
    return Accounts(ViewQuota(sessions))


@pytest.mark.parametrize(("typed", "expected"), [
    ("<@U123ABC>", Mention("U123ABC")),
    ("<@U123ABC|bob>", Mention("U123ABC", "bob")),
    ("<@123456789012345678>", Mention("123456789012345678")),
    ("<@!123456789012345678>", Mention("123456789012345678")),
    ("@bob", Mention("bob", "bob", by_id=False)),
    ("  @bob.smith ", Mention("bob.smith", "bob.smith", by_id=False)),
])
def test_mentions_from_every_platform_name_one_person(typed: str, expected: Mention) -> None:
    assert parse_mention(typed) == expected


@pytest.mark.parametrize("typed", ["bob", "@", "<@>", "<#C123>", "@bob@x", "<@U1|bob", ""])
def test_anything_else_is_not_a_mention(typed: str) -> None:
    assert parse_mention(typed) is None


@pytest.mark.parametrize(("email", "ok"), [
    ("jane@example.org", True), ("j.doe+coding@clinic.health", True), ("jane@example", False),
    ("jane example@x.org", False), ("@example.org", False), ("jane@@example.org", False), ("", False),
])
def test_email_validation(email: str, ok: bool) -> None:
    assert valid_email(email) is ok


# --- registration ----------------------------------------------------------------------------------


def test_registering_creates_once_then_updates(accounts: Accounts) -> None:
    assert accounts.register(ALICE, "Alice", "alice@example.org") is True
    assert accounts.register(ALICE, "Alice C", "ac@example.org") is False
    owned = accounts.account_of(ALICE.identity)
    assert owned is not None
    account, members = owned
    assert (account.name, account.email, members) == ("Alice C", "ac@example.org", [ALICE.identity])


def test_leaving_is_false_for_someone_never_registered(accounts: Accounts) -> None:
    assert accounts.unregister(ALICE.identity) is False
    assert accounts.register(ALICE, "Alice", "alice@example.org")
    assert accounts.unregister(ALICE.identity) is True
    assert accounts.account_of(ALICE.identity) is None


def test_link_codes_say_exactly_what_went_wrong(accounts: Accounts) -> None:
    assert accounts.issue_link_code(ALICE.identity) is None  # not registered: nothing to link
    accounts.register(ALICE, "Alice", "alice@example.org")
    with time_machine.travel(datetime(2026, 11, 5, 12, 0, tzinfo=UTC), tick=False) as clock:
        code = accounts.issue_link_code(ALICE.identity)
        assert code is not None
        assert accounts.redeem_link_code(ALICE_DISCORD, "NOPE-NOPE") == "unknown"
        assert accounts.redeem_link_code(ALICE_DISCORD, f"{code[:4].lower()}-{code[4:]}") == "linked"
        assert accounts.redeem_link_code(ALICE_DISCORD, code) == "used"
        late = accounts.issue_link_code(ALICE.identity)
        assert late is not None
        clock.shift(LINK_CODE_TTL + timedelta(seconds=1))
        assert accounts.redeem_link_code(ALICE_DISCORD, late) == "expired"
        again = accounts.issue_link_code(ALICE.identity)
        assert again is not None
        assert accounts.redeem_link_code(ALICE_DISCORD, again) == "already"
    owned = accounts.account_of(ALICE.identity)
    assert owned is not None and owned[1] == sorted([ALICE.identity, ALICE_DISCORD.identity])


def test_plans_are_standard_until_an_admin_changes_them_and_every_change_is_audited(accounts: Accounts) -> None:
    assert accounts.plan_of("slack", "T1") is Plan.STANDARD
    accounts.set_plan(BOSS, Plan.UNLIMITED)
    accounts.set_plan(BOSS, Plan.STANDARD)
    accounts.set_plan(BOSS, Plan.UNLIMITED)
    assert accounts.plan_of("slack", "T1") is Plan.UNLIMITED
    assert accounts.plan_of("slack", "T2") is Plan.STANDARD
    audit = accounts.audit("slack", "T1")
    assert [(a.action, a.value, a.admin_user_id) for a in audit] == [
        ("plan", "unlimited", "U_BOSS"), ("plan", "standard", "U_BOSS"), ("plan", "unlimited", "U_BOSS")]
