"""Monthly quota windows: which month a moment belongs to in the policy's time zone, and when that
month's views come back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Window:
    """One monthly quota window in the policy's time zone."""

    key: str  # "2026-11": what counters and view records are stored under
    starts: datetime
    resets_at: datetime

    def resets_text(self) -> str:
        """When the views come back, as a person reads it: "1 December 2026, 00:00 UTC"."""
        return f"{self.resets_at.day} {self.resets_at:%B %Y, %H:%M} {self.resets_at.tzname()}"


def window_of(moment: datetime, zone: ZoneInfo) -> Window:
    if moment.tzinfo is None:
        raise ValueError("the quota clock must return an aware datetime")
    local = moment.astimezone(zone)
    starts = datetime(local.year, local.month, 1, tzinfo=zone)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    return Window(f"{local.year:04d}-{local.month:02d}", starts, datetime(year, month, 1, tzinfo=zone))
