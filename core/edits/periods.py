"""Which quarter (or year) a CMS file belongs to, read from `--quarter`, the file name or its rows,
and which loaded release answers for a date of service."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_QUARTER = re.compile(r"(?<![0-9])(20[0-9]{2})[ _-]?Q([1-4])(?![0-9])", re.IGNORECASE)
_YEAR = re.compile(r"(?<![0-9])(20[0-9]{2})(?![0-9])")
# NCCI versions count from 1994: v32.3 (file names say v323r0) is the fourth quarter of 2026.
_NCCI_VERSION = re.compile(r"v([0-9]{2})([0-3])r[0-9]", re.IGNORECASE)
# MUE names carry the effective date: ..._Eff_10-01-2026.csv
_US_DATE = re.compile(r"(?<![0-9])([01][0-9])[-_]([0-3][0-9])[-_](20[0-9]{2})(?![0-9])")
_MONTH_NAMES = {"jan": 1, "apr": 2, "jul": 3, "oct": 4}
_MONTH_IN_NAME = re.compile(r"(?<![a-z])(jan|apr|jul|oct)(?:uary|il|y|ober)?(?![a-z])", re.IGNORECASE)


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """A calendar quarter (2026Q4) or, for yearly files such as the GPCIs, a whole year (2026)."""

    year: int
    quarter: int = 0  # 0: the whole year

    @property
    def label(self) -> str:
        return f"{self.year}Q{self.quarter}" if self.quarter else str(self.year)

    @property
    def starts(self) -> date:
        return date(self.year, 3 * max(self.quarter, 1) - 2, 1)

    @classmethod
    def parse(cls, text: str) -> Period | None:
        """"2026Q4", "2026-q4", "2026"; None when it is neither."""
        text = text.strip()
        if found := _QUARTER.fullmatch(text):
            return cls(int(found[1]), int(found[2]))
        if _YEAR.fullmatch(text):
            return cls(int(text))
        return None

    @classmethod
    def of_date(cls, day: date) -> Period:
        return cls(day.year, (day.month - 1) // 3 + 1)


def period_from_name(name: str, *, yearly: bool = False) -> Period | None:
    """The period a CMS file name states, by the conventions of each file family."""
    if found := _QUARTER.search(name):
        return Period(int(found[1]), int(found[2]))
    if found := _NCCI_VERSION.search(name):
        return Period(1994 + int(found[1]), int(found[2]) + 1)
    if found := _US_DATE.search(name):
        month, day = int(found[1]), int(found[2])
        if 1 <= month <= 12 and 1 <= day <= 31:
            return Period.of_date(date(int(found[3]), month, day))
    if found := _YEAR.search(name):
        year = int(found[1])
        if yearly:
            return Period(year)
        named = _MONTH_IN_NAME.search(name)
        return Period(year, _MONTH_NAMES[named[1].lower()[:3]] if named else 1)
    return None
