"""core/consult/policy.py: consult limits and reminder times from the environment."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.consult.policy import ConsultPolicy


def test_defaults() -> None:
    policy = ConsultPolicy.from_env({})
    assert (policy.limit("guest"), policy.limit("registered"), policy.limit("unlimited")) == (0, 3, None)
    assert policy.remind_after == timedelta(minutes=60) and policy.still_open_after == timedelta(days=1)


def test_every_setting() -> None:
    policy = ConsultPolicy.from_env({"CODEDESK_CONSULTS_GUEST": "1", "CODEDESK_CONSULTS_REGISTERED": "unlimited",
                                     "CODEDESK_CONSULTS_UNLIMITED": "50", "CODEDESK_CONSULT_REMIND_MINUTES": "15",
                                     "CODEDESK_CONSULT_STILL_OPEN_HOURS": "8"})
    assert (policy.guest, policy.registered, policy.unlimited) == (1, None, 50)
    assert policy.remind_after == timedelta(minutes=15) and policy.still_open_after == timedelta(hours=8)


@pytest.mark.parametrize("env", [{"CODEDESK_CONSULTS_REGISTERED": "three"}, {"CODEDESK_CONSULTS_GUEST": "-2"},
                                 {"CODEDESK_CONSULT_REMIND_MINUTES": "0"}, {"CODEDESK_CONSULT_REMIND_MINUTES": "x"}])
def test_bad_values_are_refused_with_the_name(env: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        ConsultPolicy.from_env(env)
