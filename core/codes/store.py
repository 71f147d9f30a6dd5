"""Imported code data in the database: replace a data set in one transaction, read it back."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from core.codes.record import CodeRecord, RecordKind, System
from core.db import Dataset, ImportedCode, utcnow

HCPCS_DATASET = "hcpcs"
CPT_LICENSED_DATASET = "cpt_licensed"
_SYSTEM_OF_DATASET = {HCPCS_DATASET: System.HCPCS, CPT_LICENSED_DATASET: System.CPT}


def replace_dataset(session: Session, name: str, records: Iterable[CodeRecord], *, source: str,
                    version: str, detail: dict[str, object] | None = None) -> int:
    """Swap the data set's rows for `records`. The caller's transaction makes it all-or-nothing."""
    system = _SYSTEM_OF_DATASET[name]
    session.execute(delete(ImportedCode).where(ImportedCode.system == system.value))
    rows = [
        {
            "system": system.value, "code": r.code, "kind": r.kind.value, "title": r.title,
            "description": r.description, "section": r.section, "effective": r.effective,
            "terminated": r.terminated, "attributes": [list(a) for a in r.attributes],
            "source": r.source or source, "version": r.version or version,
        }
        for r in records
    ]
    for start in range(0, len(rows), 2000):
        session.execute(insert(ImportedCode), rows[start:start + 2000])
    dataset = session.get(Dataset, name) or Dataset(name=name)
    dataset.source, dataset.version, dataset.record_count = source, version, len(rows)
    dataset.detail, dataset.imported_at = dict(detail or {}), utcnow()
    session.add(dataset)
    return len(rows)


def imported_records(session: Session, system: System) -> list[CodeRecord]:
    # Plain column rows, not ORM objects: this runs at every start-up over thousands of codes.
    table = ImportedCode.__table__
    rows = session.execute(select(table).where(table.c.system == system.value)).all()
    return [
        CodeRecord(
            system=system, code=row.code, title=row.title, description=row.description,
            kind=RecordKind(row.kind), section=row.section, effective=row.effective,
            terminated=row.terminated, billable=row.kind == RecordKind.CODE.value,
            attributes=tuple((str(k), str(v)) for k, v in row.attributes),
            source=row.source, version=row.version,
        )
        for row in rows
    ]


def datasets(session: Session) -> dict[str, Dataset]:
    return {d.name: d for d in session.scalars(select(Dataset)).all()}

