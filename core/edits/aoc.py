"""NCCI add-on code edits: which primary codes each add-on code may be billed with.

The file (`AOC_V2025Q4_01-MCR.txt`, tab-delimited, or its .xlsx twin) has a header naming the
add-on code, its deletion date, the primary code, its deletion date, the edit type (1, 2 or 3),
the edit's effective and deletion dates and special notes; columns are found by their names. A
primary of `CCCCC` means the Medicare contractor defines the primaries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from core.edits.codes import is_procedure_code
from core.edits.files import EditFileError, ProgressCallback, normalised, parse_yyyymmdd, sources
from core.edits.periods import Period, period_from_name
from core.edits.releases import Release, finish_release, start_release
from core.edits.tables import ReleaseKind, edit_aoc

CONTRACTOR_DEFINED = "CCCCC"
TYPE_MEANING = {
    1: "type 1: only the listed primary codes are accepted",
    2: "type 2: no primaries are listed; the Medicare contractor decides which are accepted",
    3: "type 3: some primaries are listed; the contractor may accept others",
}


@dataclass(frozen=True, slots=True)
class AddOnEdit:
    addon: str
    primary: str
    edit_type: int
    effective: date | None
    deletion: date | None
    notes: str

    def active_on(self, day: date) -> bool:
        return (self.effective is None or self.effective <= day) and (self.deletion is None or day < self.deletion)


@dataclass(frozen=True, slots=True)
class AocImport:
    release: Release
    rows: int
    previous: Release | None


def _columns(cells: list[str]) -> dict[str, int] | None:
    names = [normalised(c) for c in cells]
    found: dict[str, int] = {}
    for index, name in enumerate(names):
        deleted = " del" in f" {name}" or "deletion" in name
        if "add" in name and "on" in name and "code" in name and "edit" not in name:
            found.setdefault("addon_deleted" if deleted else "addon", index)
        elif "primary" in name:
            found.setdefault("primary_deleted" if deleted else "primary", index)
        elif "type" in name:
            found.setdefault("type", index)
        elif "edit" in name and ("eff" in name):
            found.setdefault("effective", index)
        elif "edit" in name and deleted:
            found.setdefault("deletion", index)
        elif "note" in name or "instruction" in name:
            found.setdefault("notes", index)
    return found if {"addon", "primary", "type"} <= set(found) else None


def import_aoc(session: Session, path: Path, *, period: Period | None = None,
               progress: ProgressCallback | None = None) -> AocImport:
    [source, *more] = sources([path])
    if more:
        raise EditFileError(source.name, 0, "the zip holds several tables; import the AOC .txt itself")
    found = period or period_from_name(source.name)
    if found is None:
        raise EditFileError(source.name, 0, "cannot tell the quarter: keep CMS's name (AOC_V2025Q4_…) "
                            "or add --quarter 2025Q4")
    columns: dict[str, int] | None = None
    rows: dict[tuple[str, str], dict[str, object]] = {}
    for number, cells in source.rows(progress):
        if columns is None:
            columns = _columns(cells)
            continue
        if not any(cells):
            continue

        def cell(key: str, cells: list[str] = cells, columns: dict[str, int] = columns) -> str:
            index = columns.get(key, -1)
            return cells[index].strip() if 0 <= index < len(cells) else ""

        addon, primary = cell("addon").upper(), cell("primary").upper()
        for code in (addon, primary):
            if not is_procedure_code(code):
                raise EditFileError(source.name, number, f"{code!r} is not a CPT or HCPCS code")
        kind = cell("type")
        if kind not in ("1", "2", "3"):
            raise EditFileError(source.name, number, f"edit type {kind!r} is not 1, 2 or 3")
        dates: dict[str, date | None] = {}
        for key in ("effective", "deletion", "addon_deleted", "primary_deleted"):
            try:
                dates[key] = parse_yyyymmdd(cell(key))
            except ValueError:
                raise EditFileError(source.name, number, f"{cell(key)!r} is not a date (YYYYMMDD)") from None
        rows[(addon, primary)] = {"addon": addon, "primary_code": primary, "edit_type": int(kind),
                                  "notes": cell("notes")[:500], **dates}
    if columns is None:
        raise EditFileError(source.name, 0, "no header row naming the add-on code, primary code and edit "
                            "type: is this an AOC file?")
    if not rows:
        raise EditFileError(source.name, 0, "no add-on code rows under the header")
    release_id, previous = start_release(session, ReleaseKind.AOC, found, source.name)
    values = [row | {"release_id": release_id} for row in rows.values()]
    conn = session.connection()
    for start in range(0, len(values), 5000):
        conn.execute(edit_aoc.insert(), values[start:start + 5000])
    return AocImport(finish_release(session, release_id, len(values)), len(values), previous)


def primaries_of(conn: Connection, release_id: int, addon: str) -> list[AddOnEdit]:
    query = select(edit_aoc).where(edit_aoc.c.release_id == release_id, edit_aoc.c.addon == addon)
    return [AddOnEdit(r.addon, r.primary_code, r.edit_type, r.effective, r.deletion, r.notes)
            for r in conn.execute(query)]


def fingerprints(conn: Connection, release_id: int, watched: Sequence[str]) -> dict[str, set[tuple[object, ...]]]:
    query = select(edit_aoc).where(edit_aoc.c.release_id == release_id,
                                   edit_aoc.c.addon.in_(list(watched)) | edit_aoc.c.primary_code.in_(list(watched)))
    found: dict[str, set[tuple[object, ...]]] = {c: set() for c in watched}
    for row in conn.execute(query):
        for code in (row.addon, row.primary_code):
            if code in found:
                found[code].add((row.addon, row.primary_code, row.edit_type, row.deletion))
    return found
