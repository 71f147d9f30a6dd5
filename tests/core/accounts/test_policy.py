"""Quota policy: the product's defaults, reading limits, zone and tier names from the environment, and
refusing bad configuration at start-up with the reason."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from core.accounts.policy import QuotaPolicy, Tier


def test_policy_defaults_match_the_product_model() -> None:
    policy = QuotaPolicy.from_env({})
    assert (policy.guest_views, policy.registered_views, policy.registration_bonus) == (1, 6, 5)
    assert policy.limit(Tier.UNLIMITED) is None
    assert policy.timezone == "UTC"


def test_policy_reads_limits_zone_and_tier_names_from_the_environment() -> None:
    policy = QuotaPolicy.from_env({"CODEDESK_GUEST_VIEWS": "3", "CODEDESK_REGISTERED_VIEWS": "10",
                                   "CODEDESK_QUOTA_TZ": "America/Chicago", "CODEDESK_TIER_GUEST": "visitor",
                                   "CODEDESK_TIER_UNLIMITED": "enterprise"})
    assert (policy.guest_views, policy.registered_views, policy.registration_bonus) == (3, 10, 7)
    assert policy.zone == ZoneInfo("America/Chicago")
    assert policy.name(Tier.GUEST) == "visitor"
    assert policy.parse_tier("Enterprise") is Tier.UNLIMITED
    assert policy.parse_tier("unlimited") is Tier.UNLIMITED  # the stored key always works too


@pytest.mark.parametrize(("env", "message"), [
    ({"CODEDESK_GUEST_VIEWS": "one"}, "CODEDESK_GUEST_VIEWS must be a whole number"),
    ({"CODEDESK_GUEST_VIEWS": "7"}, "registered views at least guest views"),
    ({"CODEDESK_QUOTA_TZ": "Mars/Olympus"}, "unknown quota time zone"),
    ({"CODEDESK_TIER_GUEST": "registered"}, "tier names must be different"),
])
def test_bad_configuration_is_refused_at_start_up_with_the_reason(env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        QuotaPolicy.from_env(env)
