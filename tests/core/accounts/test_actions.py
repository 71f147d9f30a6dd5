"""The Register button: a guest's quota refusal carries it, and pressing it opens the accounts
feature's registration form (the codes feature knows nothing about registering)."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from core.accounts.actions import REGISTER, register_action
from core.accounts.feature import AccountsFeature
from core.accounts.quota import ViewQuota
from core.accounts.service import Accounts
from core.codes.catalog import Catalog
from core.requests import Actor, Platform, Request
from tests.desks import code_desk

GUEST = Actor(Platform.DISCORD, "G1", "42", "guest")


def test_the_refusal_s_register_button_opens_the_registration_form(catalog: Catalog,
                                                                    sessions: sessionmaker[Session]) -> None:
    quota = ViewQuota(sessions)
    desk = code_desk(catalog, views=quota, features=(AccountsFeature(Accounts(quota)),))
    assert desk.handle(Request.command_of(GUEST, "icd10", "E11.9")).error is None
    refused = desk.handle(Request.command_of(GUEST, "icd10", "E10.9"))
    assert register_action() in refused.actions
    pressed = desk.handle(Request.action_of(GUEST, REGISTER))
    assert pressed.form is not None and pressed.form.form_id == REGISTER
    assert [f.name for f in pressed.form.fields] == ["name", "email", "consent"]
