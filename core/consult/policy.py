"""Consult settings: monthly consults per tier, when reminders go out, how deliveries are retried."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

UNLIMITED_WORDS = frozenset({"", "unlimited", "none", "-1"})


@dataclass(frozen=True)
class ConsultPolicy:
    """Consults a month per tier (None = unlimited) and the reminder clock."""

    guest: int | None = 0  # guests get the register offer instead
    registered: int | None = 3
    unlimited: int | None = None
    remind_after: timedelta = timedelta(minutes=60)  # unclaimed this long: one reminder to the experts
    still_open_after: timedelta = timedelta(days=1)  # unanswered this long: the asker hears it is open

    def __post_init__(self) -> None:
        for value in (self.guest, self.registered, self.unlimited):
            if value is not None and value < 0:
                raise ValueError("consult limits must be 0 or more (or unlimited)")
        if self.remind_after <= timedelta(0) or self.still_open_after <= timedelta(0):
            raise ValueError("consult reminder times must be more than 0")

    def limit(self, tier: str) -> int | None:
        return {"guest": self.guest, "registered": self.registered, "unlimited": self.unlimited}.get(tier, 0)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ConsultPolicy:
        """CODEDESK_CONSULTS_GUEST / _REGISTERED / _UNLIMITED (a number, or "unlimited"),
        CODEDESK_CONSULT_REMIND_MINUTES and CODEDESK_CONSULT_STILL_OPEN_HOURS."""
        d = cls()
        return cls(
            guest=_limit(env, "CODEDESK_CONSULTS_GUEST", d.guest),
            registered=_limit(env, "CODEDESK_CONSULTS_REGISTERED", d.registered),
            unlimited=_limit(env, "CODEDESK_CONSULTS_UNLIMITED", d.unlimited),
            remind_after=timedelta(minutes=_number(env, "CODEDESK_CONSULT_REMIND_MINUTES", 60)),
            still_open_after=timedelta(hours=_number(env, "CODEDESK_CONSULT_STILL_OPEN_HOURS", 24)),
        )


def _limit(env: Mapping[str, str], key: str, default: int | None) -> int | None:
    if key not in env:
        return default
    raw = env[key].strip().lower()
    if raw in UNLIMITED_WORDS:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{key} must be a whole number or 'unlimited', not {raw!r}") from None


def _number(env: Mapping[str, str], key: str, default: float) -> float:
    raw = env.get(key, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"{key} must be a number, not {raw!r}") from None
