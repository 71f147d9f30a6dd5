"""Reading job text the way a coder writes it."""

from __future__ import annotations

import pytest

from core.jobs import vocabulary as vocab
from core.jobs.search import QueryError
from core.jobs.subscriptions import parse_subscribe


@pytest.mark.parametrize(("text", "low", "high"), [
    ("$55k-$65k", 55_000, 65_000),
    ("$55,000 to $65,000 a year", 55_000, 65_000),
    ("$25-$30/hr", 52_000, 62_400),
    ("pays $60k", 60_000, None),
    ("$28 per hour", 58_240, None),
    ("2-3 years", None, None),
])
def test_salary(text: str, low: int | None, high: int | None) -> None:
    found = vocab.find_salary(text)
    assert (found.low, found.high) == (low, high)


def test_credentials_workplace_and_place() -> None:
    assert vocab.find_credentials("CCS-P or CPC-A; ccs, RHIT.") == ("CCS-P", "CPC-A", "CCS", "RHIT")
    assert vocab.find_workplace("Remote/hybrid in Tulsa") == "hybrid"
    assert vocab.find_workplace("work from home") == "remote"
    assert vocab.find_city_state("On-site in Salt Lake City, UT.") == "Salt Lake City, UT"
    assert vocab.find_experience("needs 3+ years of experience") == "3+ years"


def test_subscribe_words() -> None:
    wish = parse_subscribe("7:30am Europe/London top 5 always remote cpc", "UTC")
    assert (f"{wish.local_time:%H:%M}", wish.timezone, wish.cap, wish.post_when_empty, wish.filters) == \
        ("07:30", "Europe/London", 5, True, "remote cpc")
    assert f"{parse_subscribe('', 'America/Chicago').local_time:%H:%M}" == "09:00"
    assert parse_subscribe("", "America/Chicago").timezone == "America/Chicago"
    assert f"{parse_subscribe('5 pm', 'UTC').local_time:%H:%M}" == "17:00"
    for bad in ("25:00", "09:00 Mars/Olympus", "top 99", "$3+"):
        with pytest.raises(QueryError):
            parse_subscribe(bad, "UTC")
