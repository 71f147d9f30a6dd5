"""Releases of edit and fee data: create or replace one inside an import's transaction, list what is
loaded, and pick the release that answers for a date of service."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, delete, select
from sqlalchemy.orm import Session

from core.db import utcnow
from core.edits.periods import Period
from core.edits.tables import (
    EditRelease,
    ReleaseKind,
    edit_aoc,
    edit_gpci,
    edit_mue,
    edit_ptp,
    edit_rvu,
)

_ROWS_OF_KIND = {
    ReleaseKind.PTP_PRACTITIONER: edit_ptp, ReleaseKind.PTP_HOSPITAL: edit_ptp,
    ReleaseKind.MUE_PRACTITIONER: edit_mue, ReleaseKind.MUE_HOSPITAL: edit_mue, ReleaseKind.MUE_DME: edit_mue,
    ReleaseKind.AOC: edit_aoc, ReleaseKind.RVU: edit_rvu, ReleaseKind.RVU_QPP: edit_rvu,
    ReleaseKind.GPCI: edit_gpci,
}

LABELS = {
    ReleaseKind.PTP_PRACTITIONER: "NCCI PTP practitioner",
    ReleaseKind.PTP_HOSPITAL: "NCCI PTP outpatient hospital",
    ReleaseKind.MUE_PRACTITIONER: "MUE practitioner",
    ReleaseKind.MUE_HOSPITAL: "MUE outpatient hospital",
    ReleaseKind.MUE_DME: "MUE DME supplier",
    ReleaseKind.AOC: "NCCI add-on code edits",
    ReleaseKind.RVU: "PFS RVUs",
    ReleaseKind.RVU_QPP: "PFS RVUs (QPP)",
    ReleaseKind.GPCI: "PFS GPCIs",
}

IMPORT_COMMAND = {
    ReleaseKind.PTP_PRACTITIONER: "codedesk import ncci FILE…", ReleaseKind.PTP_HOSPITAL: "codedesk import ncci FILE…",
    ReleaseKind.MUE_PRACTITIONER: "codedesk import mue FILE", ReleaseKind.MUE_HOSPITAL: "codedesk import mue FILE",
    ReleaseKind.MUE_DME: "codedesk import mue FILE", ReleaseKind.AOC: "codedesk import aoc FILE",
    ReleaseKind.RVU: "codedesk import rvu FILE", ReleaseKind.RVU_QPP: "codedesk import rvu FILE",
    ReleaseKind.GPCI: "codedesk import gpci FILE",
}


@dataclass(frozen=True, slots=True)
class Release:
    id: int
    kind: str
    period: str
    starts: date
    source: str
    row_count: int

    @property
    def label(self) -> str:
        """"NCCI PTP practitioner 2026Q4": what every answer names as its source."""
        return f"{LABELS.get(self.kind, self.kind)} {self.period}"


def _release(row: EditRelease) -> Release:
    return Release(row.id, row.kind, row.period, row.starts, row.source, row.row_count)


def start_release(session: Session, kind: str, period: Period, source: str) -> tuple[int, Release | None]:
    """A fresh, empty release for (kind, period) — replacing one already loaded — and the release
    before it of the same kind, if any (to tell watchers what changed). The caller fills the rows."""
    existing = session.scalars(select(EditRelease).where(EditRelease.kind == kind,
                                                         EditRelease.period == period.label)).first()
    if existing is not None:
        table = _ROWS_OF_KIND[kind]
        session.execute(delete(table).where(table.c.release_id == existing.id))
        session.delete(existing)
        session.flush()
    previous = session.scalars(select(EditRelease).where(EditRelease.kind == kind,
                                                         EditRelease.starts < period.starts)
                               .order_by(EditRelease.starts.desc())).first()
    row = EditRelease(kind=kind, period=period.label, starts=period.starts, source=source[:1000], row_count=0,
                      detail={}, imported_at=utcnow())
    session.add(row)
    session.flush()
    return row.id, _release(previous) if previous is not None else None


def finish_release(session: Session, release_id: int, row_count: int, detail: dict[str, Any] | None = None) -> Release:
    row = session.get(EditRelease, release_id)
    assert row is not None
    row.row_count = row_count
    row.detail = dict(detail or {})
    session.flush()
    return _release(row)


def loaded(session: Session | Connection, kinds: Sequence[str] = ()) -> list[Release]:
    table = EditRelease.__table__
    query = select(table).order_by(table.c.kind, table.c.starts)
    if kinds:
        query = query.where(table.c.kind.in_(list(kinds)))
    return [Release(r.id, r.kind, r.period, r.starts, r.source, r.row_count) for r in session.execute(query)]


def for_date(releases: Sequence[Release], kind: str, day: date) -> Release | None:
    """The release of `kind` in force on `day`: the newest one starting on or before it."""
    candidates = [r for r in releases if r.kind == kind and r.starts <= day]
    return max(candidates, key=lambda r: r.starts) if candidates else None


def for_today(releases: Sequence[Release], kind: str, today: date) -> Release | None:
    """Without a date of service: the release in force today, else the earliest loaded (all future)."""
    found = for_date(releases, kind, today)
    if found is not None:
        return found
    later = [r for r in releases if r.kind == kind]
    return min(later, key=lambda r: r.starts) if later else None


def periods_of(releases: Sequence[Release], kind: str) -> str:
    return ", ".join(r.period for r in releases if r.kind == kind) or "none"
