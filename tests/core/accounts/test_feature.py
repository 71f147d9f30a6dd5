"""The accounts feature: registration through the form, leaving without resetting a quota, /me, cross-platform
links, and admin grants with their audit log, all through the real Desk on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from core.accounts.feature import AccountsFeature
from core.accounts.quota import ViewQuota
from core.accounts.service import Accounts
from core.accounts.tables import Account, CodeView, Identity
from core.codes.catalog import Catalog
from core.desk import Desk
from core.replies import ErrorKind, Reply
from core.requests import Actor, Platform, Request
from tests.desks import code_desk

Factory = sessionmaker[Session]
ALICE = Actor(Platform.SLACK, "T1", "U_ALICE", "alice")
ALICE_DISCORD = Actor(Platform.DISCORD, "G9", "81234", "alice_d")
BOSS = Actor(Platform.SLACK, "T1", "U_BOSS", "boss", is_admin=True)
CODES = ("E11.9", "E10.9", "I10", "E78.5", "K21.9", "J45.909", "N39.0", "E11.65")
GOOD = {"name": "Alice Coder", "email": "alice@example.org", "consent": "y"}


@pytest.fixture
def desk(catalog: Catalog, sessions: Factory) -> Desk:
    quota = ViewQuota(sessions)
    return code_desk(catalog, views=quota, features=(AccountsFeature(Accounts(quota)),))


def look(desk: Desk, actor: Actor, code: str) -> Reply:
    return desk.handle(Request.command_of(actor, "icd10", code))


def submit(desk: Desk, actor: Actor, **answers: str) -> Reply:
    return desk.handle(Request.form_of(actor, "register", {**GOOD, **answers}))


def command(desk: Desk, actor: Actor, name: str, text: str = "") -> Reply:
    return desk.handle(Request.command_of(actor, name, text))


def fields(reply: Reply) -> dict[str, str]:
    return {f.label: f.value for f in reply.fields}


def opened(desk: Desk, actor: Actor, codes: tuple[str, ...]) -> list[bool]:
    return [look(desk, actor, code).error is None for code in codes]


def test_register_opens_a_form_for_name_email_and_consent(desk: Desk) -> None:
    for reply in (command(desk, ALICE, "register"), desk.handle(Request.action_of(ALICE, "register"))):
        assert reply.form is not None and reply.form.form_id == "register"
        assert [(f.name, f.kind) for f in reply.form.fields] == \
            [("name", "text"), ("email", "email"), ("consent", "checkbox")]
        assert "5 code views" in reply.subtitle


@pytest.mark.parametrize(("answers", "says"), [
    ({"email": "alice-at-example"}, "email address does not look right"),
    ({"consent": "n"}, "needs your consent"),
    ({"name": "   "}, "give your name"),
])
def test_a_bad_form_says_what_to_fix_and_registers_nobody(desk: Desk, sessions: Factory,
                                                          answers: dict[str, str], says: str) -> None:
    reply = submit(desk, ALICE, **answers)
    assert reply.error is ErrorKind.BAD_INPUT and says in reply.title
    assert [a.action_id for a in reply.actions] == ["register"]
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Account)) == 0


def test_registering_adds_five_views_to_what_the_guest_used(desk: Desk) -> None:
    assert opened(desk, ALICE, CODES[:2]) == [True, False]
    welcome = submit(desk, ALICE)
    assert welcome.title == "Welcome, Alice Coder: you are registered"
    assert "5 code views left this month" in welcome.subtitle
    assert opened(desk, ALICE, CODES[1:7]) == [True] * 5 + [False]
    assert look(desk, ALICE, "E11.9").error is None  # opened as a guest: still free this month
    refusal = look(desk, ALICE, "E11.65")
    assert refusal.error is ErrorKind.QUOTA
    assert refusal.title.startswith("0 code views left this month. The registered tier gets 6")
    assert not refusal.actions  # no pitch to register again


def test_registering_twice_is_harmless(desk: Desk, sessions: Factory) -> None:
    submit(desk, ALICE)
    look(desk, ALICE, "E11.9")
    again = submit(desk, ALICE, email="alice@clinic.org")
    assert again.error is None and "updated" in again.title
    assert "5 code views left" in again.subtitle
    with sessions() as session:
        assert session.scalars(select(Account.email)).all() == ["alice@clinic.org"]


def test_me_shows_tier_views_left_and_reset(desk: Desk) -> None:
    with time_machine.travel(datetime(2026, 11, 28, 19, 0, tzinfo=UTC), tick=False):
        guest = command(desk, ALICE, "me")
        assert fields(guest) == {"Tier": "guest", "Code views left this month": "1 of 1",
                                 "Resets": "1 December 2026, 00:00 UTC"}
        assert [a.action_id for a in guest.actions] == ["register"]
        submit(desk, ALICE)
        look(desk, ALICE, "E11.9")
        me = fields(command(desk, ALICE, "me"))
        assert (me["Tier"], me["Code views left this month"], me["Email"]) == \
            ("registered", "5 of 6", "alice@example.org")


def test_unregister_deletes_personal_data_but_never_resets_the_quota(desk: Desk, sessions: Factory) -> None:
    submit(desk, ALICE)
    assert opened(desk, ALICE, CODES[:4]) == [True] * 4
    gone = command(desk, ALICE, "unregister")
    assert gone.title == "Your name, email and view history are deleted."
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Account)) == 0
        assert session.scalar(select(func.count()).select_from(CodeView)) == 0
        assert session.scalar(select(func.count()).select_from(Identity)) == 0
    assert fields(command(desk, ALICE, "me"))["Code views left this month"] == "0 of 1"
    assert look(desk, ALICE, "E11.9").error is ErrorKind.QUOTA
    submit(desk, ALICE)  # coming back: the four views used this month still count
    assert fields(command(desk, ALICE, "me"))["Code views left this month"] == "2 of 6"
    assert "nothing to delete" in command(desk, BOSS, "unregister").title


# --- links -----------------------------------------------------------------------------------------
def _link_code(reply: Reply) -> str:
    assert reply.title.startswith("Your link code: ")
    return reply.title.removeprefix("Your link code: ")


def test_linked_identities_share_one_account_and_one_quota(desk: Desk) -> None:
    assert "Register first" in command(desk, ALICE, "link").title
    submit(desk, ALICE)
    assert opened(desk, ALICE, CODES[:3]) == [True] * 3
    look(desk, ALICE_DISCORD, "N39.0")  # a guest view on Discord before linking counts too
    code = _link_code(command(desk, ALICE, "link"))
    linked = command(desk, ALICE_DISCORD, "link", code.lower())  # typed in any case
    assert linked.title.startswith("Linked")
    me = fields(command(desk, ALICE_DISCORD, "me"))
    assert (me["Tier"], me["Name"], me["Code views left this month"]) == \
        ("registered", "Alice Coder", "2 of 6")
    assert look(desk, ALICE_DISCORD, "E11.9").error is None  # opened on Slack: free on Discord too
    assert opened(desk, ALICE_DISCORD, ("K21.9", "J45.909")) == [True, True]
    assert look(desk, ALICE, "E11.65").error is ErrorKind.QUOTA  # one quota for both
    assert "slack (T1)" in fields(command(desk, ALICE_DISCORD, "me"))["Linked"]


def test_a_link_code_works_once_and_only_for_ten_minutes(desk: Desk) -> None:
    submit(desk, ALICE)
    with time_machine.travel(datetime(2026, 11, 28, 19, 0, tzinfo=UTC), tick=False) as clock:
        first = _link_code(command(desk, ALICE, "link"))
        assert command(desk, ALICE_DISCORD, "link", first).title.startswith("Linked")
        other = Actor(Platform.DISCORD, "G10", "81234", "alice_d")
        assert "already used" in command(desk, other, "link", first).title
        late = _link_code(command(desk, ALICE, "link"))
        clock.move_to(datetime(2026, 11, 28, 19, 0, tzinfo=UTC) + timedelta(minutes=10, seconds=1))
        expired = command(desk, other, "link", late)
        assert expired.error is ErrorKind.BAD_INPUT and "expired" in expired.title
        assert "not valid" in command(desk, other, "link", "ZZZZ-ZZZZ").title


def test_linking_two_registered_accounts_keeps_one(desk: Desk, sessions: Factory) -> None:
    submit(desk, ALICE)
    submit(desk, ALICE_DISCORD, name="Alice D", email="alice.d@example.org")
    look(desk, ALICE, "E11.9")
    look(desk, ALICE_DISCORD, "E10.9")
    command(desk, ALICE_DISCORD, "link", _link_code(command(desk, ALICE, "link")))
    with sessions() as session:
        assert session.scalars(select(Account.email)).all() == ["alice@example.org"]
    assert fields(command(desk, ALICE_DISCORD, "me"))["Code views left this month"] == "4 of 6"


# --- admins ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["grant", "plan", "usage"])
def test_non_admins_are_told_plainly(desk: Desk, name: str) -> None:
    reply = command(desk, ALICE, "codedesk", f"{name} <@U_ALICE> unlimited")
    assert reply.error is ErrorKind.FORBIDDEN and reply.title.startswith("Only workspace admins can")


def test_grants_change_limits_and_land_in_the_audit_log(desk: Desk, sessions: Factory) -> None:
    accounts = desk.features[1].accounts  # type: ignore[attr-defined]
    look(desk, ALICE, "E11.9")
    with time_machine.travel(datetime(2026, 11, 28, 19, 30, tzinfo=UTC), tick=False):
        granted = command(desk, BOSS, "codedesk", "grant <@U_ALICE|alice> unlimited")
    assert granted.title == "alice now has the unlimited tier in this workspace."
    assert opened(desk, ALICE, CODES[1:]) == [True] * (len(CODES) - 1)
    command(desk, BOSS, "codedesk", "grant <@U_ALICE> guest")
    assert look(desk, ALICE, "Z00.00").error is ErrorKind.QUOTA
    log = accounts.audit("slack", "T1")
    assert [(e.admin_user_id, e.target_user_id, e.action, e.value) for e in log] == [
        ("U_BOSS", "U_ALICE", "grant", "unlimited"), ("U_BOSS", "U_ALICE", "grant", "guest")]
    assert log[0].at.replace(tzinfo=UTC) == datetime(2026, 11, 28, 19, 30, tzinfo=UTC)


def test_a_plain_at_name_finds_the_person_by_display_name(desk: Desk) -> None:
    submit(desk, ALICE)  # the registration remembers alice's display name
    command(desk, BOSS, "codedesk", "grant @alice unlimited")
    assert fields(command(desk, ALICE, "me"))["Tier"] == "unlimited"


def test_a_grant_holds_only_in_the_admins_workspace(desk: Desk) -> None:
    command(desk, BOSS, "codedesk", "grant <@U_ALICE> unlimited")
    elsewhere = Actor(Platform.SLACK, "T2", "U_ALICE", "alice")
    assert fields(command(desk, elsewhere, "me"))["Tier"] == "guest"


@pytest.mark.parametrize("text", ["grant", "grant <@U_ALICE>", "grant alice unlimited", "grant @alice gold",
                                  "plan gold"])
def test_malformed_admin_commands_say_what_to_type(desk: Desk, text: str) -> None:
    reply = command(desk, BOSS, "codedesk", text)
    assert reply.error is ErrorKind.BAD_INPUT
    assert "/codedesk" in reply.sections[0].text


def test_usage_shows_views_per_person_plan_and_grants(desk: Desk) -> None:
    bob = Actor(Platform.SLACK, "T1", "U_BOB", "bob")
    submit(desk, ALICE)
    opened(desk, ALICE, CODES[:3])
    look(desk, bob, "E11.9")
    look(desk, Actor(Platform.SLACK, "T2", "U_EVE", "eve"), "E11.9")  # another workspace: not shown
    command(desk, BOSS, "codedesk", "grant <@U_BOB|bob> unlimited")
    usage = command(desk, BOSS, "codedesk", "usage")
    assert fields(usage)["Code views"] == "4"
    assert fields(usage)["Plan"] == "standard"
    assert fields(usage)["Registered people"] == "1"
    by_person = usage.sections[0].text.splitlines()
    assert by_person == ["- alice (U_ALICE): 3 views, registered", "- bob (U_BOB): 1 view, unlimited"]
    assert "bob (U_BOB)" in usage.sections[1].text
