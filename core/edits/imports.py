"""Each `codedesk import` of edit and fee data as one transaction: load the release, then queue a
notice for every channel watching a code the new release changed against the one before it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection
from sqlalchemy.orm import Session, sessionmaker

from core.db import transaction
from core.edits import aoc, changes, fees, mue, ptp, watches
from core.edits.files import ProgressCallback
from core.edits.periods import Period
from core.edits.releases import Release

Fingerprints = Callable[[Connection, int, Sequence[str]], dict[str, set[tuple[object, ...]]]]


@dataclass(frozen=True, slots=True)
class ImportDone:
    lines: tuple[str, ...]  # what was imported, one sentence per release
    notices: int = 0  # channels told about a watched code


def _notify(session: Session, release: Release, previous: Release | None, fingerprints: Fingerprints,
            noun: str) -> int:
    if previous is None:
        return 0  # a first load is not a change
    watched = watches.watched_codes(session)
    if not watched:
        return 0
    conn = session.connection()
    changed = watches.diff_fingerprints(fingerprints(conn, previous.id, watched),
                                        fingerprints(conn, release.id, watched), noun)
    changed = {code: f"{what} in {release.label} (against {previous.period})" for code, what in changed.items()}
    return watches.queue_notices(session, f"{release.label} imported", changed)


def import_ncci(sessions: sessionmaker[Session], paths: Sequence[Path], *, period: Period | None = None,
                setting: str | None = None, progress: ProgressCallback | None = None) -> ImportDone:
    with transaction(sessions) as session:
        done = ptp.import_ptp(session, paths, period=period, setting=setting, progress=progress)
        told = sum(_notify(session, d.release, d.previous, ptp.pairs_touching, "edit rows") for d in done)
    lines = tuple(f"Imported {d.release.label}: {d.rows:,} edits from {len(d.files)} file"
                  f"{'s' if len(d.files) != 1 else ''}." for d in done)
    return ImportDone(lines, told)


def import_mue(sessions: sessionmaker[Session], path: Path, *, period: Period | None = None,
               progress: ProgressCallback | None = None) -> ImportDone:
    with transaction(sessions) as session:
        done = mue.import_mue(session, path, period=period, progress=progress)
        told = _notify(session, done.release, done.previous, mue.fingerprints, "MUE values")
    return ImportDone((f"Imported {done.release.label}: {done.rows:,} codes.",), told)


def import_aoc(sessions: sessionmaker[Session], path: Path, *, period: Period | None = None,
               progress: ProgressCallback | None = None) -> ImportDone:
    with transaction(sessions) as session:
        done = aoc.import_aoc(session, path, period=period, progress=progress)
        told = _notify(session, done.release, done.previous, aoc.fingerprints, "add-on pairs")
    return ImportDone((f"Imported {done.release.label}: {done.rows:,} add-on/primary pairs.",), told)


def import_rvu(sessions: sessionmaker[Session], path: Path, *, period: Period | None = None,
               progress: ProgressCallback | None = None) -> ImportDone:
    with transaction(sessions) as session:
        done = fees.import_rvu(session, path, period=period, progress=progress)
        told = _notify(session, done.release, done.previous, fees.fingerprints, "RVU rows")
    factor = f", conversion factor {done.conversion_factor:.4f}" if done.conversion_factor else \
        ", no conversion factor known for this year"
    return ImportDone((f"Imported {done.release.label}: {done.rows:,} code rows{factor}.",), told)


def import_gpci(sessions: sessionmaker[Session], path: Path, *, period: Period | None = None,
                progress: ProgressCallback | None = None) -> ImportDone:
    with transaction(sessions) as session:
        done = fees.import_gpci(session, path, period=period, progress=progress)
    return ImportDone((f"Imported {done.release.label}: {done.rows:,} localities.",))


def record_code_release(session: Session, system: str, version: str, source: str,
                        entries: Iterable[changes.ReleaseEntry]) -> int:
    """Keep a code-set release for `/changes` (in the caller's import transaction) and queue notices
    for watched codes it added, terminated or re-described; returns how many channels are told."""
    _, previous = changes.record_release(session, system, version, source, entries)
    if previous is None:
        return 0
    watched = watches.watched_codes(session)
    if not watched:
        return 0
    found = changes.compare(session, system, previous, version, watched)
    if found is None:
        return 0
    changed = {c.code: f"{c.kind} in {system.upper()} {version} (against {previous})"
               for c in (*found.added, *found.terminated, *found.changed)}
    return watches.queue_notices(session, f"{system.upper()} {version} imported", changed)
