"""What job text means to a coder: credentials, remote/hybrid, employment type, salary, experience,
specialty and US states, picked out of free text (a form answer, a feed entry, a search query)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Canonical spelling -> the ways people write it (lower case, punctuation kept for the hyphenated ones).
CREDENTIALS: dict[str, tuple[str, ...]] = {
    "CPC": ("cpc",), "CPC-A": ("cpc-a", "cpca"), "COC": ("coc",), "CIC": ("cic",), "CRC": ("crc",),
    "CPB": ("cpb",), "CPMA": ("cpma",), "CDEO": ("cdeo",), "CEMC": ("cemc",), "CCA": ("cca",),
    "CCS": ("ccs",), "CCS-P": ("ccs-p", "ccsp"), "CDIP": ("cdip",), "CCDS": ("ccds",),
    "RHIT": ("rhit",), "RHIA": ("rhia",), "CPCO": ("cpco",), "CHONC": ("chonc",),
}
_CREDENTIAL_OF = {alias: canon for canon, aliases in CREDENTIALS.items() for alias in aliases}

WORKPLACES = ("remote", "hybrid", "onsite")
_WORKPLACE_WORDS = {"remote": "remote", "wfh": "remote", "telecommute": "remote", "work-from-home": "remote",
                    "hybrid": "hybrid", "onsite": "onsite", "on-site": "onsite", "in-office": "onsite"}

EMPLOYMENT_TYPES = {"full-time": "Full-time", "fulltime": "Full-time", "part-time": "Part-time",
                    "parttime": "Part-time", "contract": "Contract", "contractor": "Contract",
                    "temporary": "Temporary", "temp": "Temporary", "per-diem": "Per diem", "prn": "Per diem",
                    "internship": "Internship", "apprentice": "Apprenticeship",
                    "apprenticeship": "Apprenticeship"}

SPECIALTIES = ("anesthesia", "cardiology", "dermatology", "emergency", "e/m", "gastroenterology",
               "hcc", "risk adjustment", "home health", "hospice", "inpatient", "outpatient",
               "interventional radiology", "radiology", "oncology", "orthopedics", "pathology",
               "pediatrics", "profee", "pro fee", "surgery", "urology", "behavioral health",
               "denials", "auditing", "cdi", "ob/gyn", "ophthalmology", "neurology", "wound care",
               "skilled nursing", "dme", "lab", "ambulatory surgery", "asc", "facility")

US_STATES = {
    "AL": "alabama", "AK": "alaska", "AZ": "arizona", "AR": "arkansas", "CA": "california",
    "CO": "colorado", "CT": "connecticut", "DE": "delaware", "FL": "florida", "GA": "georgia",
    "HI": "hawaii", "ID": "idaho", "IL": "illinois", "IN": "indiana", "IA": "iowa", "KS": "kansas",
    "KY": "kentucky", "LA": "louisiana", "ME": "maine", "MD": "maryland", "MA": "massachusetts",
    "MI": "michigan", "MN": "minnesota", "MS": "mississippi", "MO": "missouri", "MT": "montana",
    "NE": "nebraska", "NV": "nevada", "NH": "new hampshire", "NJ": "new jersey", "NM": "new mexico",
    "NY": "new york", "NC": "north carolina", "ND": "north dakota", "OH": "ohio", "OK": "oklahoma",
    "OR": "oregon", "PA": "pennsylvania", "RI": "rhode island", "SC": "south carolina",
    "SD": "south dakota", "TN": "tennessee", "TX": "texas", "UT": "utah", "VT": "vermont",
    "VA": "virginia", "WA": "washington", "WV": "west virginia", "WI": "wisconsin", "WY": "wyoming",
    "DC": "district of columbia",
}
_STATE_OF_NAME = {name: abbr for abbr, name in US_STATES.items()}

HOURS_PER_YEAR = 2080  # a full-time year, to compare hourly pay with annual salaries

_WORD = re.compile(r"[a-z0-9][a-z0-9/+\-]*")
_MONEY = r"\$?\s?(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s?(k)?"
_HOURLY = r"(/\s?(?:hr|hour)|per hour|an hour)?"
_SALARY_RANGE = re.compile(_MONEY + r"\s?(?:-|–|—|to)\s?" + _MONEY + r"\s?" + _HOURLY, re.IGNORECASE)
_SALARY_ONE = re.compile(r"\$\s?(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s?(k)?\s?" + _HOURLY, re.IGNORECASE)
_EXPERIENCE = re.compile(r"(\d{1,2}\s?\+?\s?(?:-\s?\d{1,2}\s?)?(?:years?|yrs?))(?:\s+(?:of\s+)?experience)?",
                         re.IGNORECASE)
_CITY_STATE = re.compile(r"\b((?:[A-Z][a-z.'-]+ ){0,3}[A-Z][a-z.'-]+),\s*([A-Z]{2})\b")


def words(text: str) -> list[str]:
    """Lower-case word tokens, keeping the hyphens and slashes of CCS-P, on-site and E/M."""
    return _WORD.findall(text.lower())


def credential_of(word: str) -> str | None:
    return _CREDENTIAL_OF.get(word.lower().strip(".,;:()"))


def find_credentials(text: str) -> tuple[str, ...]:
    found: list[str] = []
    for word in words(text):
        canon = credential_of(word)
        if canon and canon not in found:
            found.append(canon)
    return tuple(found)


def workplace_of(word: str) -> str | None:
    return _WORKPLACE_WORDS.get(word.lower())


def find_workplace(text: str) -> str:
    """remote, hybrid or onsite; hybrid wins over remote ("remote/hybrid" is a hybrid job)."""
    lowered = text.lower()
    parts = [part for word in words(lowered) for part in word.split("/")]  # "remote/hybrid"
    kinds = {_WORKPLACE_WORDS[w] for w in parts if w in _WORKPLACE_WORDS}
    if "work from home" in lowered:
        kinds.add("remote")
    for kind in ("hybrid", "remote"):
        if kind in kinds:
            return kind
    return "onsite"


def find_employment_type(text: str) -> str:
    lowered = text.lower().replace("full time", "full-time").replace("part time", "part-time") \
        .replace("per diem", "per-diem")
    for word in words(lowered):
        if word in EMPLOYMENT_TYPES:
            return EMPLOYMENT_TYPES[word]
    return ""


def find_specialties(text: str) -> tuple[str, ...]:
    lowered = f" {text.lower()} "
    found = [s for s in SPECIALTIES if re.search(rf"(?<![a-z]){re.escape(s)}(?![a-z])", lowered)]
    # "interventional radiology" already says radiology.
    return tuple(s for s in found if not any(s != o and s in o for o in found))


def find_experience(text: str) -> str:
    match = _EXPERIENCE.search(text)
    return re.sub(r"\s+", " ", match.group(1)).strip() if match else ""


def _amount(number: str, k: str | None) -> float:
    value = float(number.replace(",", ""))
    return value * 1000 if k else value


def _annual(value: float, hourly: bool) -> int:
    if hourly or value < 300:  # "$28" alone is an hourly rate, not a salary
        return round(value * HOURS_PER_YEAR)
    return round(value)


@dataclass(frozen=True, slots=True)
class SalaryRange:
    low: int | None
    high: int | None

    def label(self) -> str:
        return salary_label(self.low, self.high)


def find_salary(text: str) -> SalaryRange:
    """"$55k-$65k", "$55,000 to $65,000", "$25-$30/hr", "$60k": whole dollars per year."""
    match = _SALARY_RANGE.search(text)
    if match and ("$" in match.group(0) or match.group(2) or match.group(4)):
        hourly = bool(match.group(5))
        low = _annual(_amount(match.group(1), match.group(2) or match.group(4)), hourly)
        high = _annual(_amount(match.group(3), match.group(4)), hourly)
        if low > high:
            low, high = high, low
        if high >= 1000:
            return SalaryRange(low, high)
    single = _SALARY_ONE.search(text)
    if single:
        value = _annual(_amount(single.group(1), single.group(2)), bool(single.group(3)))
        if value >= 1000:
            return SalaryRange(value, None)
    return SalaryRange(None, None)


def salary_label(low: int | None, high: int | None) -> str:
    def money(v: int) -> str:
        return f"${v / 1000:.0f}k" if v % 1000 == 0 or v >= 10000 else f"${v:,}"
    if low is not None and high is not None:
        return money(low) if low == high else f"{money(low)}–{money(high)}"
    if low is not None:
        return f"from {money(low)}"
    if high is not None:
        return f"up to {money(high)}"
    return ""


def find_city_state(text: str) -> str:
    """"Austin, TX" when the text names a city and a US state code."""
    for match in _CITY_STATE.finditer(text):
        if match.group(2) in US_STATES:
            return f"{match.group(1).strip()}, {match.group(2)}"
    return ""


def state_of(word: str) -> str | None:
    """A state code for "tx", "TX" or "texas"; the caller decides whether a bare word means a state."""
    upper = word.upper()
    if upper in US_STATES:
        return upper
    return _STATE_OF_NAME.get(word.lower())
