"""Medically Unlikely Edits: the most units of a code one provider bills for one patient, per line
or per day, for practitioner, outpatient hospital and DME supplier services.

Files are CSV: a quoted copyright line, then `HCPCS/CPT Code`, `<Service type> MUE Values`, `MUE
Adjudication Indicator` (`2 Date of Service Edit: Policy`), `MUE Rationale`. The effective date is
only in the file name (`MCR_MUE_PractitionerServices_Eff_10-01-2026.csv`).
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
from core.edits.tables import ReleaseKind, edit_mue

INDICATOR_MEANING = {
    1: "line edit: the limit applies to each claim line; units over it on a line are denied",
    2: "date of service edit, policy: the limit is per day, set by regulation or policy; no appeal "
       "raises it",
    3: "date of service edit, clinical: the limit is per day on clinical grounds; an appeal with "
       "documentation may pay more",
}
KIND_WORDS = {
    ReleaseKind.MUE_PRACTITIONER: "practitioner", ReleaseKind.MUE_HOSPITAL: "outpatient hospital",
    ReleaseKind.MUE_DME: "DME supplier",
}


@dataclass(frozen=True, slots=True)
class Mue:
    code: str
    units: int
    indicator: int
    indicator_text: str
    rationale: str

    @property
    def per(self) -> str:
        return "line" if self.indicator == 1 else "day"


@dataclass(frozen=True, slots=True)
class MueImport:
    release: Release
    rows: int
    previous: Release | None


def _kind(text: str) -> str | None:
    lowered = text.lower().replace(" ", "")
    if "dme" in lowered or "supplier" in lowered:
        return ReleaseKind.MUE_DME
    if "hospital" in lowered or "facility" in lowered:
        return ReleaseKind.MUE_HOSPITAL
    if "practitioner" in lowered or "physician" in lowered:
        return ReleaseKind.MUE_PRACTITIONER
    return None


def import_mue(session: Session, path: Path, *, period: Period | None = None,
               progress: ProgressCallback | None = None) -> MueImport:
    [source, *more] = sources([path])
    if more:
        raise EditFileError(source.name, 0, "import one MUE file at a time (the zip holds several)")
    found = period or period_from_name(source.name)
    if found is None:
        raise EditFileError(source.name, 0, "cannot tell the quarter: keep CMS's name (…_Eff_10-01-2026.csv) "
                            "or add --quarter 2026Q4")
    rows: list[dict[str, object]] = []
    kind: str | None = None
    header = 0
    seen: dict[str, int] = {}
    for number, cells in source.rows(progress):
        if not header:
            names = [normalised(c) for c in cells]
            if len(names) >= 3 and "code" in names[0] and "mue" in names[1]:
                kind = _kind(cells[1]) or _kind(source.name)
                if kind is None:
                    raise EditFileError(source.name, number, f"the column {cells[1]!r} names no service type "
                                        "(practitioner, outpatient hospital or DME supplier)")
                header = number
            continue
        if not any(cells):
            continue
        if len(cells) < 3:
            raise EditFileError(source.name, number, f"{len(cells)} columns where an MUE row has 4")
        code = cells[0].upper()
        if not is_procedure_code(code):
            raise EditFileError(source.name, number, f"{cells[0]!r} is not a CPT or HCPCS code")
        if code in seen:
            raise EditFileError(source.name, number, f"{code} appears twice (first on line {seen[code]})")
        seen[code] = number
        if not cells[1].isdigit():
            raise EditFileError(source.name, number, f"MUE value {cells[1]!r} for {code} is not a whole number")
        indicator = re.match(r"\s*([123])\b", cells[2])
        if indicator is None:
            raise EditFileError(source.name, number, f"adjudication indicator {cells[2]!r} does not start "
                                "with 1, 2 or 3")
        rows.append({"code": code, "units": int(cells[1]), "indicator": int(indicator[1]),
                     "indicator_text": cells[2][:100], "rationale": (cells[3] if len(cells) > 3 else "")[:300]})
    if not header or kind is None:
        raise EditFileError(source.name, 0, "no header row (HCPCS/CPT Code, … MUE Values, …) found: "
                            "is this an MUE file?")
    if not rows:
        raise EditFileError(source.name, 0, "no MUE rows under the header")
    release_id, previous = start_release(session, kind, found, source.name)
    for row in rows:
        row["release_id"] = release_id
    conn = session.connection()
    for start in range(0, len(rows), 5000):
        conn.execute(edit_mue.insert(), rows[start:start + 5000])
    return MueImport(finish_release(session, release_id, len(rows)), len(rows), previous)


def mue_of(conn: Connection, release_id: int, code: str) -> Mue | None:
    row = conn.execute(select(edit_mue).where(edit_mue.c.release_id == release_id,
                                              edit_mue.c.code == code)).first()
    if row is None:
        return None
    return Mue(row.code, row.units, row.indicator, row.indicator_text, row.rationale)


def fingerprints(conn: Connection, release_id: int, watched: Sequence[str]) -> dict[str, set[tuple[object, ...]]]:
    query = select(edit_mue).where(edit_mue.c.release_id == release_id, edit_mue.c.code.in_(list(watched)))
    found: dict[str, set[tuple[object, ...]]] = {c: set() for c in watched}
    for row in conn.execute(query):
        found[row.code].add((row.units, row.indicator))
    return found
