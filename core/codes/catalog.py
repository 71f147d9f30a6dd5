"""The catalog: every code record of every system, held in memory, with hierarchy and notes.

ICD-10-CM comes from the cached package data (rows made into records on demand), CPT from the
project's summaries plus any licensed import, HCPCS from the imported CMS file in the database.
"""

from __future__ import annotations

import bisect
import gc
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from core.codes import icd_releases, store
from core.codes.icd_releases import HistoryEntry
from core.codes.record import CodeRecord, Note, NoteKind, RecordKind, System
from core.codes.sources import cpt, icd10cm

# Notes written on a chapter, block or category apply to every code under it. Inclusion terms are
# inherited too, but only from headers: a billable parent's terms describe that code alone.
_INHERITED = frozenset({
    NoteKind.INCLUDES, NoteKind.EXCLUDES1, NoteKind.EXCLUDES2, NoteKind.CODE_FIRST,
    NoteKind.USE_ADDITIONAL_CODE, NoteKind.CODE_ALSO, NoteKind.NOTE, NoteKind.SEVENTH_CHARACTER,
})


@dataclass(frozen=True, slots=True)
class SystemStatus:
    system: System
    source: str
    version: str
    records: int
    billable: int
    detail: str = ""
    released: date | None = None  # when the loaded release took effect (or the data year began)


class Catalog:
    def __init__(self, icd: icd10cm.IcdData, records: list[CodeRecord],
                 cpt_ranges: tuple[cpt.CptRange, ...] = (), statuses: tuple[SystemStatus, ...] = (),
                 history: dict[str, HistoryEntry] | None = None) -> None:
        self._icd_rows = {row.code: row for row in icd.rows}
        self._icd_version = icd.version
        self._icd_source = icd.source
        self.icd_release = icd.release
        # Known deletions and expansions: the shipped table, then whatever loaded releases show.
        self.icd_history: dict[str, HistoryEntry] = dict(history or {})
        self._icd_children: dict[str, list[str]] = {}
        for row in icd.rows:
            if row.parent is not None:
                self._icd_children.setdefault(row.parent, []).append(row.code)
        self._records: dict[tuple[System, str], CodeRecord] = {r.key: r for r in records}
        self.cpt_ranges = cpt_ranges
        self.deleted: dict[tuple[System, str], cpt.DeletedCode] = {}
        # An organisation's licensed CPT file is loaded: a CPT code missing from it is unknown, not unlicensed.
        self.cpt_licensed = any(r.licensed for r in records if r.system is System.CPT)
        self._sorted: dict[System, list[str]] = {s: [] for s in System}
        self._sorted[System.ICD10CM] = sorted(c for c, r in self._icd_rows.items() if r.kind in ("code", "category"))
        for system, code in self._records:
            self._sorted[system].append(code)
        for system in (System.HCPCS, System.CPT):
            self._sorted[system].sort()
        self.statuses = statuses
        self.version = hashlib.sha256(
            "|".join(f"{s.system}:{s.version}:{s.records}" for s in statuses).encode()
        ).hexdigest()[:12]
        self._icd_record = lru_cache(maxsize=4096)(self._make_icd_record)

    # --- reading ---------------------------------------------------------------------------------
    def get(self, system: System, code: str) -> CodeRecord | None:
        if system is System.ICD10CM:
            return self._icd_record(code) if code in self._icd_rows else None
        return self._records.get((system, code))

    def title(self, system: System, code: str) -> str | None:
        """A code's short title without building its record (lists of many codes need only this)."""
        if system is System.ICD10CM:
            row = self._icd_rows.get(code)
            return row.title if row is not None else None
        record = self._records.get((system, code))
        return record.title if record is not None else None

    def codes(self, system: System) -> list[str]:
        """Every code of a system that a claim or lookup can name, sorted."""
        return self._sorted[system]

    def codes_with_prefix(self, system: System, prefix: str, limit: int = 50) -> list[str]:
        codes = self._sorted[system]
        start = bisect.bisect_left(codes, prefix)
        out: list[str] = []
        for code in codes[start:]:
            if not code.startswith(prefix) or len(out) >= limit:
                break
            out.append(code)
        return out

    def neighbours(self, system: System, code: str, count: int = 5) -> list[str]:
        """Valid codes sorted next to `code`, for "did you mean" lists."""
        codes = self._sorted[system]
        at = bisect.bisect_left(codes, code)
        low = max(0, at - count)
        window = list(enumerate(codes[low: at + count], start=low))
        window.sort(key=lambda item: (-_shared_prefix(item[1], code), abs(item[0] - at)))
        return [c for _, c in window[:count]]

    def children(self, record: CodeRecord) -> list[CodeRecord]:
        found = [self.get(record.system, c) for c in record.children]
        return [r for r in found if r is not None]

    def ancestors(self, record: CodeRecord) -> list[CodeRecord]:
        """Parent first, chapter last."""
        out: list[CodeRecord] = []
        current = record
        while current.parent and current.system is System.ICD10CM:
            parent = self.get(current.system, current.parent)
            if parent is None:
                break
            out.append(parent)
            current = parent
        return out

    def billable_descendants(self, record: CodeRecord, limit: int = 25) -> list[CodeRecord]:
        out: list[CodeRecord] = []
        stack = list(reversed(record.children))
        while stack and len(out) < limit:
            child = self.get(record.system, stack.pop())
            if child is None:
                continue
            if child.billable:
                out.append(child)
            else:
                stack.extend(reversed(child.children))
        return out

    def all_notes(self, record: CodeRecord) -> tuple[Note, ...]:
        """The record's own notes, then every instruction above it (categories, block, chapter), each
        marked with where it was written ("S72", "S70–S79", "chapter 19"), nearest first."""
        notes = list(record.notes)
        has_seventh = any(n.kind is NoteKind.SEVENTH_CHARACTER for n in notes)
        for ancestor in self.ancestors(record):
            where = source_label(ancestor)
            for note in ancestor.notes:
                if note.kind is NoteKind.INCLUSION_TERM:
                    if ancestor.billable:
                        continue
                elif note.kind not in _INHERITED:
                    continue
                if note.kind is NoteKind.SEVENTH_CHARACTER and has_seventh:
                    continue
                notes.append(Note(note.kind, note.text, where))
            has_seventh = has_seventh or any(n.kind is NoteKind.SEVENTH_CHARACTER for n in ancestor.notes)
        return tuple(notes)

    def history(self, code: str) -> HistoryEntry | None:
        """How an ICD-10-CM code left the billable set (deleted or expanded), when known."""
        return self.icd_history.get(code)

    def seventh_characters(self, record: CodeRecord) -> dict[str, str]:
        """The 7th characters a code takes ({"A": "initial encounter ..."}), from it or its ancestors."""
        for holder in (record, *self.ancestors(record)):
            chars = {
                n.text[0]: n.text[3:] for n in holder.notes
                if n.kind is NoteKind.SEVENTH_CHARACTER and len(n.text) > 3 and n.text[1:3] == ": "
            }
            if chars:
                return chars
        return {}

    def cpt_ranges_holding(self, code: str) -> tuple[cpt.CptRange, ...]:
        return cpt.ranges_holding(self.cpt_ranges, code)

    def records(self, system: System | None = None) -> Iterator[CodeRecord]:
        """Every record (ICD-10-CM chapters and blocks included), for building the search index."""
        if system in (None, System.ICD10CM):
            for code in self._icd_rows:
                yield self._make_icd_record(code)
        for record in self._records.values():
            if system in (None, record.system):
                yield record

    def status(self, system: System) -> SystemStatus | None:
        return next((s for s in self.statuses if s.system is system), None)

    def data_year(self, system: System) -> str:
        """The loaded file's year for imported data ("2020" for HCPCS), or ""."""
        status = self.status(system)
        return f"{status.released:%Y}" if status is not None and status.released is not None else ""

    def deleted_code(self, system: System, code: str) -> cpt.DeletedCode | None:
        return self.deleted.get((system, code))

    # --- building --------------------------------------------------------------------------------
    def _make_icd_record(self, code: str) -> CodeRecord:
        row = self._icd_rows[code]
        chapter = row
        while chapter.parent is not None and chapter.parent in self._icd_rows:
            chapter = self._icd_rows[chapter.parent]
        return CodeRecord(
            system=System.ICD10CM, code=row.code, title=row.title, description=row.title,
            kind=RecordKind(row.kind), parent=row.parent,
            children=tuple(self._icd_children.get(code, ())),
            section=f"Chapter {chapter.code}: {chapter.title}" if chapter.kind == "chapter" else "",
            billable=row.kind == "code", notes=tuple(Note(NoteKind(k), t) for k, t in row.notes),
            source=self._icd_source, version=self._icd_version,
        )

    @classmethod
    def load(cls, factory: sessionmaker[Session] | None, cache_dir: Path,
             cpt_data_dir: Path = cpt.DATA_DIR) -> Catalog:
        # About 100,000 long-lived objects are made here: collection passes during the load would only
        # walk them again and again (a third of a cold `codedesk lookup`).
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return cls._load(factory, cache_dir, cpt_data_dir)
        finally:
            if was_enabled:
                gc.enable()

    @classmethod
    def _load(cls, factory: sessionmaker[Session] | None, cache_dir: Path, cpt_data_dir: Path) -> Catalog:
        ranges = cpt.load_ranges(cpt_data_dir)
        records = cpt.summary_records(cpt_data_dir, ranges)
        hcpcs: list[CodeRecord] = []
        licensed: list[CodeRecord] = []
        sets: dict[str, store.Dataset] = {}
        history = icd_releases.shipped_history()
        imported: list[icd_releases.ReleaseInfo] = []
        icd: icd10cm.IcdData | None = None
        if factory is not None:
            with factory() as session:
                hcpcs = store.imported_records(session, System.HCPCS)
                licensed = store.imported_records(session, System.CPT)
                sets = store.datasets(session)
                imported = _imported_releases(session)
                newest = imported[-1] if imported else None
                if newest is not None and newest.release >= icd10cm.package_release():
                    icd = icd_releases.load_release(session, newest, cache_dir)
        if icd is None:
            icd = icd10cm.load(cache_dir)  # the package's release: the default
        for info in imported:
            if icd.release is not None and info.release <= icd.release:
                history.update({h.code: h for h in info.history})
        merged = _merge_licensed(records, licensed, ranges)
        icd_detail = (f"{icd.leaf_entry_count:,} billable codes; "
                      + ("package data (the default)" if icd.source == icd10cm.SOURCE else
                         f"imported; the package's {icd10cm.package_release().label} stays the fallback"))
        statuses = [
            SystemStatus(System.ICD10CM, icd.source, icd.version, len(icd.rows),
                         sum(1 for r in icd.rows if r.kind == "code"), icd_detail,
                         icd.release.effective if icd.release else None),
        ]
        hcpcs_set = sets.get(store.HCPCS_DATASET)
        statuses.append(SystemStatus(
            System.HCPCS, hcpcs_set.source if hcpcs_set else "not imported (codedesk import hcpcs FILE)",
            hcpcs_set.version if hcpcs_set else "", len(hcpcs),
            sum(1 for r in hcpcs if r.kind is RecordKind.CODE and r.terminated is None),
            _hcpcs_detail(hcpcs), _year_start(hcpcs_set.version) if hcpcs_set else None))
        cpt_set = sets.get(store.CPT_LICENSED_DATASET)
        statuses.append(SystemStatus(
            System.CPT, cpt.SUMMARY_SOURCE + (f" + {cpt_set.source}" if cpt_set else ""),
            cpt.SUMMARY_VERSION + (f" / licensed {cpt_set.version}" if cpt_set else ""), len(merged),
            sum(1 for r in merged if r.kind is RecordKind.CODE),
            "official descriptors imported" if cpt_set else "no licensed descriptors imported",
            _year_start(cpt_set.version) if cpt_set else None))
        deleted = cpt.load_deleted(cpt_data_dir)
        catalog = cls(icd, [_retire(r, deleted) for r in hcpcs + merged], ranges, tuple(statuses), history)
        catalog.deleted = deleted
        return catalog


def _retire(record: CodeRecord, deleted: dict[tuple[System, str], cpt.DeletedCode],
            today: date | None = None) -> CodeRecord:
    """A code in the project's deletion table, or terminated before today, is not billable, whatever an
    older file says (search results and cards then agree)."""
    gone = deleted.get(record.key) if record.kind is not RecordKind.MODIFIER else None
    if gone is None:
        over = record.terminated is not None and record.terminated <= (today or date.today())
        return replace(record, billable=False) if over and record.billable else record
    ended = record.terminated or date(gone.year - 1, 12, 31)
    return replace(record, billable=False, terminated=min(ended, date(gone.year - 1, 12, 31)))


def _imported_releases(session: Session) -> list[icd_releases.ReleaseInfo]:
    try:
        return icd_releases.releases(session)
    except SQLAlchemyError:
        session.rollback()  # a database from before the icd_releases table: the package data stands
        return []


def _year_start(version: str) -> date | None:
    """"2020" / "2020 alpha-numeric" -> 1 January 2020, the start of that data year."""
    digits = next((word for word in version.replace("-", " ").split() if len(word) == 4 and word.isdigit()), "")
    return date(int(digits), 1, 1) if digits else None


def source_label(record: CodeRecord) -> str:
    """Where an inherited note was written, as a coder says it: "S72", "S70–S79", "chapter 19"."""
    if record.kind is RecordKind.CHAPTER:
        return f"chapter {record.code}"
    if record.kind is RecordKind.BLOCK:
        first, _, last = record.code.partition("-")
        return f"block {first}" if first == last else f"{first}–{last}"
    return record.code


def _merge_licensed(summaries: list[CodeRecord], licensed: list[CodeRecord],
                    ranges: tuple[cpt.CptRange, ...]) -> list[CodeRecord]:
    by_code = {r.code: r for r in summaries}
    for record in licensed:
        ours = by_code.get(record.code)
        if ours is not None:
            by_code[record.code] = replace(ours, description=record.description, licensed=True,
                                           source=f"{record.source}; summary by CodeDesk",
                                           version=record.version)
        else:
            holding = cpt.ranges_holding(ranges, record.code)
            by_code[record.code] = replace(
                record, title=_short(record.description), licensed=True,
                kind=RecordKind.MODIFIER if cpt.CPT_MODIFIER.match(record.code) else RecordKind.CODE,
                section=" › ".join(r.label for r in holding),
                parent=holding[-1].label if holding else None)
    return list(by_code.values())


def _hcpcs_detail(records: list[CodeRecord]) -> str:
    if not records:
        return ""
    codes = [r for r in records if r.kind is RecordKind.CODE]
    terminated = sum(1 for r in codes if r.terminated is not None)
    return (f"{len(codes):,} codes ({terminated:,} of them terminated) and "
            f"{len(records) - len(codes):,} modifiers")


def _short(text: str, width: int = 70) -> str:
    return text if len(text) <= width else text[: width - 1].rsplit(" ", 1)[0] + "…"


def _shared_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n
