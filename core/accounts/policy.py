"""Quota policy: the tiers, the workspace plans, and how many code views each tier gets per monthly
window (configuration, read from the environment at start-up). No database, no wording."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class Tier(enum.StrEnum):
    """The stored tier keys. What people see is the configured name (QuotaPolicy.name)."""

    GUEST = "guest"
    REGISTERED = "registered"
    UNLIMITED = "unlimited"


class Plan(enum.StrEnum):
    """A workspace-wide plan: "standard" keeps per-person tiers, "unlimited" lifts every limit."""

    STANDARD = "standard"
    UNLIMITED = "unlimited"


@dataclass(frozen=True)
class QuotaPolicy:
    """How many code views each tier gets per monthly window, and what the tiers are called."""

    guest_views: int = 1
    registered_views: int = 6  # the total for a registered person: the guest's 1 plus 5 more
    timezone: str = "UTC"  # where a month starts and ends
    guest_name: str = "guest"
    registered_name: str = "registered"
    unlimited_name: str = "unlimited"

    def __post_init__(self) -> None:
        if self.guest_views < 0 or self.registered_views < self.guest_views:
            raise ValueError("code view limits must be 0 or more, and registered views at least guest views")
        self.zone  # noqa: B018 - fail at start-up on an unknown time zone, not on the first view
        names = {self.guest_name, self.registered_name, self.unlimited_name}
        if len(names) != 3 or not all(n.strip() for n in names):
            raise ValueError("the three tier names must be different and not empty")

    @property
    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown quota time zone {self.timezone!r}; use a name such as "
                             "'UTC' or 'America/Chicago'") from exc

    @property
    def registration_bonus(self) -> int:
        return self.registered_views - self.guest_views

    def limit(self, tier: Tier) -> int | None:
        """Views a month for the tier; None means unlimited."""
        return {Tier.GUEST: self.guest_views, Tier.REGISTERED: self.registered_views}.get(tier)

    def name(self, tier: Tier) -> str:
        return {Tier.GUEST: self.guest_name, Tier.REGISTERED: self.registered_name,
                Tier.UNLIMITED: self.unlimited_name}[tier]

    def parse_tier(self, word: str) -> Tier | None:
        """A tier from what an admin typed: the configured name or the stored key."""
        word = word.strip().lower()
        for tier in Tier:
            if word in (tier.value, self.name(tier).lower()):
                return tier
        return None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> QuotaPolicy:
        """Read CODEDESK_GUEST_VIEWS, CODEDESK_REGISTERED_VIEWS (the registered total),
        CODEDESK_QUOTA_TZ and CODEDESK_TIER_GUEST / _REGISTERED / _UNLIMITED (display names)."""
        defaults = cls()
        return cls(
            guest_views=_int(env, "CODEDESK_GUEST_VIEWS", defaults.guest_views),
            registered_views=_int(env, "CODEDESK_REGISTERED_VIEWS", defaults.registered_views),
            timezone=env.get("CODEDESK_QUOTA_TZ", "").strip() or defaults.timezone,
            guest_name=env.get("CODEDESK_TIER_GUEST", "").strip() or defaults.guest_name,
            registered_name=env.get("CODEDESK_TIER_REGISTERED", "").strip() or defaults.registered_name,
            unlimited_name=env.get("CODEDESK_TIER_UNLIMITED", "").strip() or defaults.unlimited_name,
        )


def _int(env: Mapping[str, str], key: str, default: int) -> int:
    raw = env.get(key, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{key} must be a whole number, not {raw!r}") from None
