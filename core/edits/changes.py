"""Code-set releases side by side (HCPCS 2019 and 2020, ICD-10-CM 2025 and 2026) and what changed
between two of them: codes added, terminated, and whose descriptions changed.

The catalog keeps only the newest release of each system; an import also records its release
here (`record_release`), keyed by system and version, so `/changes` can compare any two.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, delete, select
from sqlalchemy.orm import Session

from core.codes.record import CodeRecord
from core.db import utcnow
from core.edits.tables import CodeRelease, code_release_entries


@dataclass(frozen=True, slots=True)
class ReleaseEntry:
    code: str
    title: str
    description: str = ""
    terminated: date | None = None


@dataclass(frozen=True, slots=True)
class Change:
    code: str
    kind: str  # added, terminated, changed
    text: str  # the title (added, terminated) or "old → new" description


@dataclass(frozen=True, slots=True)
class Changes:
    system: str
    old: str
    new: str
    added: tuple[Change, ...]
    terminated: tuple[Change, ...]
    changed: tuple[Change, ...]

    def of_kind(self, kind: str) -> tuple[Change, ...]:
        if kind == "added":
            return self.added
        if kind == "terminated":
            return self.terminated
        if kind == "changed":
            return self.changed
        return tuple(sorted((*self.added, *self.terminated, *self.changed), key=lambda c: (c.code, c.kind)))


def record_release(session: Session, system: str, version: str, source: str,
                   entries: Iterable[ReleaseEntry]) -> tuple[int, str | None]:
    """Store (or replace) one release in the caller's transaction; returns its id and the version of
    the release before it (the newest older version), if one is loaded."""
    existing = session.scalars(select(CodeRelease).where(CodeRelease.system == system,
                                                         CodeRelease.version == version)).first()
    if existing is not None:
        session.execute(delete(code_release_entries).where(code_release_entries.c.release_id == existing.id))
        session.delete(existing)
        session.flush()
    rows = {e.code: e for e in entries}
    release = CodeRelease(system=system, version=version, source=source[:300], code_count=len(rows),
                          imported_at=utcnow())
    session.add(release)
    session.flush()
    values = [{"release_id": release.id, "code": e.code, "title": e.title, "description": e.description,
               "terminated": e.terminated} for e in rows.values()]
    conn = session.connection()
    for start in range(0, len(values), 5000):
        conn.execute(code_release_entries.insert(), values[start:start + 5000])
    older = [v for v in versions(conn, system) if _order(v) < _order(version)]
    return release.id, (max(older, key=_order) if older else None)


def _order(version: str) -> tuple[int, str]:
    digits = "".join(ch for ch in version if ch.isdigit())
    return (int(digits) if digits else 0, version)


def versions(conn: Connection | Session, system: str) -> list[str]:
    query = select(CodeRelease.version).where(CodeRelease.system == system)
    return sorted((row[0] for row in conn.execute(query)), key=_order)


def systems_loaded(conn: Connection | Session) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for system, version in conn.execute(select(CodeRelease.system, CodeRelease.version)):
        out.setdefault(system, []).append(version)
    return {s: sorted(v, key=_order) for s, v in out.items()}


def _entries(conn: Connection | Session, system: str, version: str,
             codes: Iterable[str] | None = None) -> dict[str, ReleaseEntry] | None:
    release_id = conn.execute(select(CodeRelease.id).where(CodeRelease.system == system,
                                                           CodeRelease.version == version)).scalar()
    if release_id is None:
        return None
    query = select(code_release_entries).where(code_release_entries.c.release_id == release_id)
    if codes is not None:
        query = query.where(code_release_entries.c.code.in_(list(codes)))
    return {r.code: ReleaseEntry(r.code, r.title, r.description, r.terminated) for r in conn.execute(query)}


def _clean(text: str) -> str:
    return " ".join(text.split())


def _short(text: str, width: int = 120) -> str:
    text = _clean(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def compare(conn: Connection | Session, system: str, old: str, new: str,
            codes: Iterable[str] | None = None) -> Changes | None:
    """What changed from `old` to `new`; None when either release is not loaded."""
    listed = list(codes) if codes is not None else None
    before, after = _entries(conn, system, old, listed), _entries(conn, system, new, listed)
    if before is None or after is None:
        return None
    added, terminated, changed = [], [], []
    for code, entry in sorted(after.items()):
        prior = before.get(code)
        if prior is None:
            if entry.terminated is None:
                added.append(Change(code, "added", entry.title))
            else:  # added after the old file was cut and ended before the new one: CMS counts it ended
                terminated.append(Change(code, "terminated", f"{entry.title} (ends {entry.terminated:%Y-%m-%d})"))
            continue
        if entry.terminated is not None and prior.terminated is None:
            terminated.append(Change(code, "terminated", f"{entry.title} (ends {entry.terminated:%Y-%m-%d})"))
        elif _clean(entry.description or entry.title) != _clean(prior.description or prior.title):
            changed.append(Change(code, "changed", f"{_short(prior.description or prior.title)} → "
                                                   f"{_short(entry.description or entry.title)}"))
    for code, prior in sorted(before.items()):
        if code not in after and prior.terminated is None:
            terminated.append(Change(code, "terminated", f"{prior.title} (not in {new})"))
    return Changes(system, old, new, tuple(added), tuple(terminated), tuple(changed))


def hcpcs_release_entries(records: Iterable[CodeRecord]) -> list[ReleaseEntry]:
    """The codes of one HCPCS file (modifiers too, under their own two-character codes)."""
    return [ReleaseEntry(r.code, r.title, r.description, r.terminated) for r in records]
