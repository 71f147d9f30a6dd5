"""Physician Fee Schedule: relative value units (the PPRRVU CSV), geographic practice cost indices
(the GPCI CSV), and the payment they give:

    payment = (work RVU × work GPCI + PE RVU × PE GPCI + MP RVU × MP GPCI) × conversion factor

with the non-facility or facility PE RVU. 2026 has two conversion factors: 33.4009 for clinicians
who are not qualifying APM participants (the `…_nonQPP.csv` file) and 33.5675 for those who are
(`…_QPP.csv`); 2025 had one, 32.3465. The PPRRVU file repeats some header names, so it is read by
position; its description column is AMA text and is never stored.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from core.edits.codes import is_procedure_code
from core.edits.files import EditFileError, ProgressCallback, normalised, sources
from core.edits.periods import Period, period_from_name
from core.edits.releases import Release, finish_release, start_release
from core.edits.tables import ReleaseKind, edit_gpci, edit_rvu

CONVERSION_FACTORS = {(2025, ReleaseKind.RVU): 32.3465, (2026, ReleaseKind.RVU): 33.4009,
                      (2026, ReleaseKind.RVU_QPP): 33.5675}
_QPP_ONLY = re.compile(r"(?<!non)qpp", re.IGNORECASE)
_MIN_COLUMNS = 25  # up to CONV FACTOR

PCTC_MEANING = {
    "0": "physician service: no professional/technical split; modifiers 26 and TC do not apply",
    "1": "diagnostic test with a professional (26) and a technical (TC) component",
    "2": "professional component only: the code itself is the interpretation",
    "3": "technical component only",
    "4": "global test only: separate codes exist for the professional and technical parts",
    "5": "incident-to service",
    "6": "laboratory physician interpretation",
    "7": "physical therapy service not paid under this rule",
    "8": "physician interpretation code",
    "9": "not applicable",
}
MULTIPLE_PROCEDURE_MEANING = {
    "0": "no multiple-procedure reduction", "1": "standard reduction (before 1995 rules)",
    "2": "standard reduction: 100% for the highest, 50% for the others",
    "3": "endoscopic family reduction", "4": "diagnostic imaging reduction",
    "5": "therapy services reduction", "6": "diagnostic cardiovascular reduction",
    "7": "diagnostic ophthalmology reduction", "9": "not applicable",
}
BILATERAL_MEANING = {
    "0": "150% bilateral adjustment does not apply", "1": "150% payment when done on both sides",
    "2": "already priced as bilateral", "3": "each side paid at 100%", "9": "not applicable",
}


@dataclass(frozen=True, slots=True)
class Rvu:
    code: str
    modifier: str
    status: str
    work: float
    pe_nonfacility: float
    pe_nonfacility_na: bool
    pe_facility: float
    pe_facility_na: bool
    mp: float
    pctc: str
    global_days: str
    multiple_procedure: str
    bilateral: str
    conversion_factor: float


@dataclass(frozen=True, slots=True)
class Gpci:
    mac: str
    state: str
    locality: str
    name: str
    work: float
    pe: float
    mp: float

    @property
    def label(self) -> str:
        return f"{self.state} {self.locality} {self.name}".strip()


NATIONAL = Gpci("", "", "", "national (all GPCIs 1.000)", 1.0, 1.0, 1.0)


@dataclass(frozen=True, slots=True)
class Payment:
    setting: str  # "non-facility" or "facility"
    amount: float
    formula: str


def payment(rvu: Rvu, gpci: Gpci, *, facility: bool, conversion_factor: float) -> Payment | None:
    pe = rvu.pe_facility if facility else rvu.pe_nonfacility
    if (rvu.pe_facility_na if facility else rvu.pe_nonfacility_na):
        return None
    amount = (rvu.work * gpci.work + pe * gpci.pe + rvu.mp * gpci.mp) * conversion_factor
    formula = (f"({rvu.work:.2f} × {gpci.work:.3f} + {pe:.2f} × {gpci.pe:.3f} + {rvu.mp:.2f} × {gpci.mp:.3f})"
               f" × {conversion_factor:.4f} = ${amount:,.2f}")
    return Payment("facility" if facility else "non-facility", round(amount, 2), formula)


@dataclass(frozen=True, slots=True)
class FeeImport:
    release: Release
    rows: int
    previous: Release | None
    conversion_factor: float = 0.0


def _number(text: str, name: str, line: int, label: str) -> float:
    text = text.strip()
    if not text:
        return 0.0
    try:
        return float(text)
    except ValueError:
        raise EditFileError(name, line, f"{label} {text!r} is not a number") from None


def import_rvu(session: Session, path: Path, *, period: Period | None = None,
               progress: ProgressCallback | None = None) -> FeeImport:
    [source, *more] = [s for s in sources([path]) if "pprrvu" in s.name.lower()] or sources([path])
    if more:
        raise EditFileError(source.name, 0, "the zip holds several PPRRVU files; import each CSV itself")
    found = period or period_from_name(source.name)
    if found is None:
        raise EditFileError(source.name, 0, "cannot tell the year: keep CMS's name (PPRRVU2026_Jan_…) or add "
                            "--quarter 2026Q1")
    rows: dict[tuple[str, str], dict[str, object]] = {}
    header = 0
    factors: set[float] = set()
    for number, cells in source.rows(progress):
        if not header:
            if cells and normalised(cells[0]) == "hcpcs" and len(cells) > 1 and normalised(cells[1]) == "mod":
                if len(cells) < _MIN_COLUMNS:
                    raise EditFileError(source.name, number, f"the header has {len(cells)} columns; the PPRRVU "
                                        f"layout has at least {_MIN_COLUMNS}")
                header = number
            elif number > 20:
                raise EditFileError(source.name, number, "no HCPCS, MOD header row in the first 20 lines: "
                                    "is this a PPRRVU file?")
            continue
        if not any(cells):
            continue
        code = cells[0].upper()
        if not is_procedure_code(code):
            raise EditFileError(source.name, number, f"{cells[0]!r} is not a CPT or HCPCS code")
        if len(cells) < _MIN_COLUMNS:
            raise EditFileError(source.name, number, f"{len(cells)} columns where the layout has at least "
                                f"{_MIN_COLUMNS}")
        modifier = cells[1].upper()[:2]

        def num(index: int, label: str, cells: list[str] = cells, number: int = number) -> float:
            return _number(cells[index], source.name, number, label)

        factor = num(24, "conversion factor")
        if factor:
            factors.add(round(factor, 4))
        rows[(code, modifier)] = {
            "code": code, "modifier": modifier, "status": cells[3][:2], "work": num(5, "work RVU"),
            "pe_nonfacility": num(6, "non-facility PE RVU"), "pe_nonfacility_na": bool(cells[7].strip()),
            "pe_facility": num(8, "facility PE RVU"), "pe_facility_na": bool(cells[9].strip()),
            "mp": num(10, "MP RVU"), "pctc": cells[13][:1], "global_days": cells[14][:3],
            "multiple_procedure": cells[18][:1], "bilateral": cells[19][:1], "assistant": cells[20][:1],
            "co_surgeon": cells[21][:1], "team": cells[22][:1], "conversion_factor": factor,
        }
    if not header:
        raise EditFileError(source.name, 0, "no HCPCS, MOD header row found: is this a PPRRVU file?")
    if not rows:
        raise EditFileError(source.name, 0, "no RVU rows under the header")
    qpp_named = bool(_QPP_ONLY.search(source.name))
    kind = ReleaseKind.RVU_QPP if qpp_named or factors == {CONVERSION_FACTORS[(2026, ReleaseKind.RVU_QPP)]} \
        else ReleaseKind.RVU
    fallback = CONVERSION_FACTORS.get((found.year, kind), 0.0)
    release_id, previous = start_release(session, kind, found, source.name)
    values = []
    for row in rows.values():
        if not row["conversion_factor"]:
            row["conversion_factor"] = fallback
        values.append(row | {"release_id": release_id})
    conn = session.connection()
    for start in range(0, len(values), 5000):
        conn.execute(edit_rvu.insert(), values[start:start + 5000])
    factor = max(factors) if factors else fallback
    release = finish_release(session, release_id, len(values), {"conversion_factor": factor})
    return FeeImport(release, len(values), previous, factor)


def rvu_of(conn: Connection, release_id: int, code: str, modifier: str = "") -> Rvu | None:
    row = conn.execute(select(edit_rvu).where(edit_rvu.c.release_id == release_id, edit_rvu.c.code == code,
                                              edit_rvu.c.modifier == modifier)).first()
    if row is None:
        return None
    return Rvu(row.code, row.modifier, row.status, row.work, row.pe_nonfacility, row.pe_nonfacility_na,
               row.pe_facility, row.pe_facility_na, row.mp, row.pctc, row.global_days, row.multiple_procedure,
               row.bilateral, row.conversion_factor)


def modifiers_priced(conn: Connection, release_id: int, code: str) -> set[str]:
    query = select(edit_rvu.c.modifier).where(edit_rvu.c.release_id == release_id, edit_rvu.c.code == code)
    return {row[0] for row in conn.execute(query)}


def fingerprints(conn: Connection, release_id: int, watched: Sequence[str]) -> dict[str, set[tuple[object, ...]]]:
    query = select(edit_rvu).where(edit_rvu.c.release_id == release_id, edit_rvu.c.code.in_(list(watched)))
    found: dict[str, set[tuple[object, ...]]] = {c: set() for c in watched}
    for row in conn.execute(query):
        found[row.code].add((row.modifier, row.work, row.pe_nonfacility, row.pe_facility, row.mp, row.status))
    return found


# --- GPCIs ---------------------------------------------------------------------------------------

def _gpci_columns(cells: list[str]) -> dict[str, int] | None:
    names = [normalised(c) for c in cells]
    found: dict[str, int] = {}
    for index, name in enumerate(names):
        if "locality number" in name or name == "locality":
            found.setdefault("locality", index)
        elif "locality name" in name:
            found.setdefault("name", index)
        elif name == "state":
            found.setdefault("state", index)
        elif "contractor" in name or name == "mac":
            found.setdefault("mac", index)
        elif "pw gpci" in name or "work gpci" in name:
            found.setdefault("work", index)
        elif "pe gpci" in name:
            found.setdefault("pe", index)
        elif "mp gpci" in name:
            found.setdefault("mp", index)
    return found if {"locality", "state", "work", "pe", "mp"} <= set(found) else None


def import_gpci(session: Session, path: Path, *, period: Period | None = None,
                progress: ProgressCallback | None = None) -> FeeImport:
    [source, *more] = [s for s in sources([path]) if "gpci" in s.name.lower()] or sources([path])
    if more:
        raise EditFileError(source.name, 0, "the zip holds several GPCI files; import the CSV itself")
    columns: dict[str, int] | None = None
    found = period or period_from_name(source.name, yearly=True)
    values: list[dict[str, object]] = []
    for number, cells in source.rows(progress):
        if columns is None:
            columns = _gpci_columns(cells)
            if columns is not None and found is None:
                year = re.search(r"(20[0-9]{2})", cells[columns["work"]])
                found = Period(int(year[1])) if year else None
            elif columns is None and number > 20:
                raise EditFileError(source.name, number, "no header naming the state, locality number and "
                                    "PW/PE/MP GPCIs in the first 20 lines: is this a GPCI file?")
            continue
        if sum(1 for c in cells if c.strip()) <= 1:
            continue  # blank lines and footnotes under the table

        def cell(key: str, cells: list[str] = cells, columns: dict[str, int] = columns) -> str:
            index = columns.get(key, -1)
            return cells[index].strip() if 0 <= index < len(cells) else ""

        state = cell("state").upper()
        locality = cell("locality")
        if not re.fullmatch(r"[A-Z]{2}", state):
            raise EditFileError(source.name, number, f"state {cell('state')!r} is not a two-letter state code")
        if not locality.isdigit():
            raise EditFileError(source.name, number, f"locality number {locality!r} is not a number")
        values.append({"row_number": len(values) + 1, "mac": cell("mac")[:10], "state": state,
                       "locality": locality.zfill(2)[:4], "name": cell("name").strip("* ")[:200],
                       "work": _number(cell("work"), source.name, number, "PW GPCI"),
                       "pe": _number(cell("pe"), source.name, number, "PE GPCI"),
                       "mp": _number(cell("mp"), source.name, number, "MP GPCI")})
    if columns is None:
        raise EditFileError(source.name, 0, "no header naming the state, locality number and GPCIs: "
                            "is this a GPCI file?")
    if not values:
        raise EditFileError(source.name, 0, "no localities under the header")
    if found is None:
        raise EditFileError(source.name, 0, "cannot tell the year: add --quarter 2026")
    release_id, previous = start_release(session, ReleaseKind.GPCI, found, source.name)
    session.connection().execute(edit_gpci.insert(), [v | {"release_id": release_id} for v in values])
    return FeeImport(finish_release(session, release_id, len(values)), len(values), previous)


def localities(conn: Connection, release_id: int) -> list[Gpci]:
    query = select(edit_gpci).where(edit_gpci.c.release_id == release_id).order_by(edit_gpci.c.row_number)
    return [Gpci(r.mac, r.state, r.locality, r.name, r.work, r.pe, r.mp) for r in conn.execute(query)]


def find_locality(all_localities: Sequence[Gpci], words: str) -> list[Gpci]:
    """"FL 04", "fl 4", "FL04", or words of the locality name ("miami")."""
    text = " ".join(words.split())
    if found := re.fullmatch(r"([A-Za-z]{2})\s*-?\s*([0-9]{1,4})", text):
        state, number = found[1].upper(), found[2].zfill(2)
        return [g for g in all_localities if g.state == state and g.locality == number]
    lowered = text.lower()
    exact = [g for g in all_localities if g.name.lower() == lowered]
    if exact:
        return exact
    words_ = lowered.split()
    return [g for g in all_localities if all(w in f"{g.state} {g.name}".lower() for w in words_)]
