"""NCCI procedure-to-procedure (PTP) edits: read the practitioner and outpatient hospital files
(tab-delimited .txt, .xlsx, or the zips as downloaded, one or several f1–f4 parts), store them as one
release per setting and quarter, and answer whether an edit exists between two codes on a date.

Each file has a copyright preamble, a header (`Column 1`, `Column 2`, `*=in existence prior to 1996`,
`Effective Date`, `Deletion Date *=no data`, `Modifier 0=not allowed …`, `PTP Edit Rationale`; the
text edition may wrap the header over several lines) and rows of 7 cells. Deleted edits stay in the
file with their deletion date, so the table keeps history and a date of service picks the row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session

from core.edits import codes
from core.edits.files import EditFileError, ProgressCallback, SourceFile, normalised, sources
from core.edits.periods import Period, period_from_name
from core.edits.releases import Release, finish_release, start_release
from core.edits.tables import ReleaseKind, edit_ptp_rationales

BATCH = 50_000

MODIFIER_MEANING = {
    0: "no modifier allowed: the two codes are never paid together for this patient on this day",
    1: "a modifier may bypass it (59, XE, XS, XP, XU, or an anatomic one such as LT/RT, F1, T2) "
       "when the documentation supports a separate service",
    9: "not applicable: the edit was deleted back to its effective date",
}
# Modifiers that can bypass a PTP edit whose indicator is 1 (NCCI policy manual, ch. I).
BYPASS_MODIFIERS = frozenset({
    "59", "XE", "XS", "XP", "XU", "LT", "RT", "E1", "E2", "E3", "E4", "FA", "F1", "F2", "F3", "F4", "F5",
    "F6", "F7", "F8", "F9", "TA", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "LC", "LD", "LM",
    "RC", "RI", "24", "25", "27", "57", "78", "79", "91",
})

_PRACTITIONER = re.compile(r"ccipra|practitioner|physician", re.IGNORECASE)
_HOSPITAL = re.compile(r"ccioph|hospital|outpatient|\bOPPS\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class PtpEdit:
    column1: str
    column2: str
    effective: date
    deletion: date | None
    modifier: int
    rationale: str
    prior_1996: bool

    def active_on(self, day: date) -> bool:
        return self.effective <= day and (self.deletion is None or day < self.deletion)


@dataclass(frozen=True, slots=True)
class PtpImport:
    release: Release
    rows: int
    files: tuple[str, ...]
    previous: Release | None


def setting_of(source: SourceFile) -> str | None:
    """practitioner or hospital, from the file name, else from the preamble."""
    for text_ in (source.name, source.head()):
        is_hospital, is_practitioner = bool(_HOSPITAL.search(text_)), bool(_PRACTITIONER.search(text_))
        if is_hospital != is_practitioner:
            return ReleaseKind.PTP_HOSPITAL if is_hospital else ReleaseKind.PTP_PRACTITIONER
    return None


def import_ptp(session: Session, paths: Sequence[Path], *, period: Period | None = None,
               setting: str | None = None, progress: ProgressCallback | None = None) -> list[PtpImport]:
    """Import PTP files in the caller's transaction: one release per (setting, quarter) found."""
    groups: dict[tuple[str, Period], list[SourceFile]] = {}
    for source in sources(paths):
        kind = setting or setting_of(source)
        if kind is None:
            raise EditFileError(source.name, 0, "cannot tell practitioner from outpatient hospital edits: "
                                "keep CMS's file name (…ccipra… or …ccioph…) or add --setting")
        found = period or period_from_name(source.name) or _period_in_text(source.head())
        if found is None:
            raise EditFileError(source.name, 0, "cannot tell which quarter this file is for: keep CMS's file "
                                "name (…v323r0…) or add --quarter 2026Q4")
        groups.setdefault((kind, found), []).append(source)
    conn = session.connection()
    rationales = {row.text: row.id for row in conn.execute(select(edit_ptp_rationales))}
    known_rationales = set(rationales)
    done: list[PtpImport] = []
    total_bytes = sum(s.size for group in groups.values() for s in group)
    offset = [0]

    def overall(done_bytes: int, _total: int) -> None:
        if progress is not None:
            progress(min(offset[0] + done_bytes, total_bytes), total_bytes)

    _tune_for_load(conn)
    for (kind, found), group in sorted(groups.items(), key=lambda item: (item[0][0], item[0][1])):
        names = tuple(s.name for s in group)
        release_id, previous = start_release(session, kind, found, ", ".join(names))
        rows = 0
        for source in group:
            rows += _load(conn, release_id, source, rationales, overall)
            offset[0] += source.size
        if rows == 0:
            raise EditFileError(names[0], 0, "no PTP edit rows found under the header")
        release = finish_release(session, release_id, rows, {"files": list(names)})
        done.append(PtpImport(release, rows, names, previous))
    new = [(rid, t) for t, rid in rationales.items() if t not in known_rationales]
    if new:
        conn.execute(edit_ptp_rationales.insert(), [{"id": rid, "text": t} for rid, t in new])
    return done


def _tune_for_load(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA cache_size=-262144")  # 256 MB of page cache while loading


def _insert_sql(conn: Connection) -> str:
    marks = ", ".join(["?"] * 7) if conn.dialect.paramstyle == "qmark" else ", ".join(["%s"] * 7)
    head = "INSERT OR IGNORE INTO" if conn.dialect.name == "sqlite" else "INSERT INTO"
    tail = "" if conn.dialect.name == "sqlite" else " ON CONFLICT DO NOTHING"
    # Identical duplicate rows (same pair and effective date) are harmless; keep the first.
    return (f"{head} edit_ptp (release_id, pair, effective, deletion, modifier, rationale_id, prior_1996) "
            f"VALUES ({marks}){tail}")


def _load(conn: Connection, release_id: int, source: SourceFile, rationales: dict[str, int],
          progress: ProgressCallback) -> int:
    sql = _insert_sql(conn)
    name = source.name
    batch: list[tuple[int, int, int, int | None, int, int, bool]] = []
    count = 0
    header_at = 0
    started = False
    for number, cells in source.rows(progress):
        if not header_at:
            if len(cells) >= 2 and normalised(cells[0]).startswith("column 1") \
                    and normalised(cells[1]).startswith("column 2"):
                if len(cells) < 6:
                    raise EditFileError(name, number, f"the header has {len(cells)} columns; a PTP file has 7")
                header_at = number
            continue
        first = cells[0]
        if not first:
            if not any(cells):
                continue
            if not started:
                continue  # the header's wrapped second and later lines
            raise EditFileError(name, number, "the Column 1 code is empty")
        started = True
        if len(cells) < 6:
            raise EditFileError(name, number, f"{len(cells)} columns where a PTP row has 7")
        c1, c2 = first.upper(), cells[1].upper()
        # int(code, 36) reads 0-9 then A-Z exactly as codes.encode does, in C; isalnum + isascii keep
        # out the signs, spaces and underscores int() would otherwise accept.
        if len(c1) != 5 or len(c2) != 5 or not (c1 + c2).isalnum() or not (c1 + c2).isascii():
            bad = c1 if len(c1) != 5 or not (c1.isalnum() and c1.isascii()) else c2
            raise EditFileError(name, number, f"{bad!r} is not a 5-character CPT or HCPCS code")
        key, right = int(c1, 36), int(c2, 36)
        text_ = cells[3]
        if len(text_) == 8 and text_.isdigit() and "01" <= text_[4:6] <= "12" and "01" <= text_[6:] <= "31":
            effective = int(text_)
        else:
            parsed = _day(text_, name, number, "effective date")
            if parsed is None:
                raise EditFileError(name, number, "the effective date is empty")
            effective = parsed
        text_ = cells[4]
        deletion = None if text_ == "*" else _day(text_, name, number, "deletion date")
        flag = cells[5]
        if flag not in ("0", "1", "9"):
            raise EditFileError(name, number, f"modifier indicator {flag!r} is not 0, 1 or 9")
        rationale = cells[6] if len(cells) > 6 else ""
        rid = rationales.get(rationale)
        if rid is None:
            rid = rationales[rationale] = len(rationales) + 1
            if rid > 32_000:
                raise EditFileError(name, number, "more than 32,000 different rationales: not a PTP file")
        batch.append((release_id, (key << 26) | right, effective, deletion, int(flag), rid, cells[2] == "*"))
        if len(batch) >= BATCH:
            conn.exec_driver_sql(sql, batch)
            count += len(batch)
            batch.clear()
    if not header_at:
        raise EditFileError(name, 0, "no header row (Column 1, Column 2, …) found: is this a PTP file?")
    if batch:
        conn.exec_driver_sql(sql, batch)
        count += len(batch)
    return count


def _day(cell: str, name: str, number: int, label: str) -> int | None:
    if cell in ("*", ""):
        return None
    if len(cell) == 8 and cell.isdigit():
        month, day = int(cell[4:6]), int(cell[6:])
        if 1 <= month <= 12 and 1 <= day <= 31:
            return int(cell)
    if len(cell) == 10 and cell[2] == "/" and cell[5] == "/":  # a workbook cell shown as MM/DD/YYYY
        return _day(cell[6:] + cell[:2] + cell[3:5], name, number, label)
    raise EditFileError(name, number, f"{label} {cell!r} is not a date (YYYYMMDD)")


_VERSION_IN_TEXT = re.compile(r"version\s+([0-9]{2})\.([0-3])", re.IGNORECASE)


def _period_in_text(head: str) -> Period | None:
    if found := _VERSION_IN_TEXT.search(head):
        return Period(1994 + int(found[1]), int(found[2]) + 1)
    return None


def as_date(value: int | None) -> date | None:
    if value is None:
        return None
    return date(value // 10000, value // 100 % 100, value % 100)


_PAIR_SQL = text(
    "SELECT p.pair, p.effective, p.deletion, p.modifier, r.text, p.prior_1996 FROM edit_ptp p "
    "LEFT JOIN edit_ptp_rationales r ON r.id = p.rationale_id "
    "WHERE p.release_id = :release AND p.pair IN (:forward, :backward) ORDER BY p.effective"
)


def edits_between(conn: Connection, release_id: int, a: str, b: str) -> list[PtpEdit]:
    """Every row for the pair in either order (history included), oldest first."""
    rows = conn.execute(_PAIR_SQL, {"release": release_id, "forward": codes.pair_key(a, b),
                                    "backward": codes.pair_key(b, a)})
    out = []
    for pair, effective, deletion, modifier, rationale, prior in rows:
        c1, c2 = codes.split_pair(pair)
        start = as_date(effective)
        assert start is not None
        out.append(PtpEdit(c1, c2, start, as_date(deletion), modifier, rationale or "", bool(prior)))
    return out


def edit_on(edits: Iterable[PtpEdit], day: date) -> PtpEdit | None:
    """The row that decides the pair on `day`: the one in force, else the latest deleted or future."""
    rows = list(edits)
    active = [e for e in rows if e.active_on(day)]
    if active:
        return max(active, key=lambda e: e.effective)
    return max(rows, key=lambda e: (e.deletion or e.effective, e.effective)) if rows else None


def pairs_touching(conn: Connection, release_id: int, watched: Sequence[str]) -> dict[str, set[tuple[object, ...]]]:
    """For each watched code, a fingerprint of every edit row it takes part in (for change notices)."""
    keys = {codes.encode(c): c for c in watched if codes.is_procedure_code(c)}
    found: dict[str, set[tuple[object, ...]]] = {c: set() for c in keys.values()}
    if not keys:
        return found
    mask = (1 << 26) - 1
    listed = ", ".join(str(k) for k in keys)  # integers we encoded ourselves: safe to inline
    ranges = " OR ".join(f"(pair BETWEEN {k << 26} AND {(k << 26) | mask})" for k in keys)
    sql = text(f"SELECT pair, effective, deletion, modifier FROM edit_ptp WHERE release_id = :release "
               f"AND ({ranges} OR (pair & {mask}) IN ({listed}))")
    for pair, effective, deletion, modifier in conn.execute(sql, {"release": release_id}):
        left, right = pair >> 26, pair & mask
        for side in (left, right):
            if side in keys:
                found[keys[side]].add((pair, effective, deletion, modifier))
    return found
