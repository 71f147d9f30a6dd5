"""The accounts button other replies carry: a quota refusal, /me for a guest and a failed form all
offer Register, and the accounts feature answers it (AccountsFeature.actions)."""

from __future__ import annotations

from core.replies import Action, ActionStyle

REGISTER = "register"  # action id and form id of registration


def register_action() -> Action:
    return Action("Register (free)", REGISTER, "", ActionStyle.PRIMARY)
