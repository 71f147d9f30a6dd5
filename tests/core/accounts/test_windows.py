"""Monthly windows: the last second of a month belongs to it, and months follow the configured zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from core.accounts.windows import window_of


def test_the_last_second_of_a_month_belongs_to_that_month() -> None:
    utc = ZoneInfo("UTC")
    last = window_of(datetime(2026, 11, 30, 23, 59, 59, 999999, tzinfo=UTC), utc)
    first = window_of(datetime(2026, 12, 1, 0, 0, 0, tzinfo=UTC), utc)
    assert (last.key, first.key) == ("2026-11", "2026-12")
    assert last.resets_text() == "1 December 2026, 00:00 UTC"
    assert window_of(datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC), utc).resets_text() == \
        "1 January 2027, 00:00 UTC"


def test_windows_follow_the_configured_time_zone() -> None:
    chicago = ZoneInfo("America/Chicago")
    # 03:00 UTC on 1 December is still 30 November, 21:00 in Chicago.
    assert window_of(datetime(2026, 12, 1, 3, 0, tzinfo=UTC), chicago).key == "2026-11"
    window = window_of(datetime(2026, 12, 1, 6, 0, tzinfo=UTC), chicago)
    assert window.key == "2026-12"
    assert window.resets_text() == "1 January 2027, 00:00 CST"
