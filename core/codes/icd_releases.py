"""Imported ICD-10-CM releases (`codedesk import icd10cm FILE…`) and code history between releases.

Each import is one row: the release (fiscal year and update), its rows as compressed JSON, and the
history computed against the release that was current before it (codes deleted, or expanded into
more specific codes). The newest fiscal year wins; the package's release stays the default when
nothing was imported. Processes read a release once from the database into the disk cache.
"""

from __future__ import annotations

import json
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Date, DateTime, Integer, LargeBinary, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.codes.sources import icd10cm, icd_tabular
from core.codes.sources.icd10cm import IcdData, Release
from core.codes.sources.icd_tabular import IcdRow, TabularError
from core.db import Base, utcnow

HISTORY_FILE = Path(__file__).resolve().parents[2] / "data" / "icd10cm" / "history.tsv"


class IcdRelease(Base):
    """One imported ICD-10-CM release."""

    __tablename__ = "icd_releases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    update_label: Mapped[str] = mapped_column(String(40), default="")
    effective: Mapped[date] = mapped_column(Date)
    files: Mapped[str] = mapped_column(String(300))
    record_count: Mapped[int] = mapped_column(Integer)
    billable_count: Mapped[int] = mapped_column(Integer)
    rows: Mapped[bytes] = mapped_column(LargeBinary)  # zlib-compressed JSON of the rows
    history: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of HistoryEntry fields
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """A code that stopped being billable: deleted, or expanded into more specific codes."""

    code: str
    last_fiscal_year: int  # the last fiscal year the code was billable
    replaced_by: tuple[str, ...]
    expanded: bool  # True: the code is now a header over `replaced_by`; False: deleted outright
    source: str  # "CodeDesk history table" or the releases it was computed from

    def sentence(self) -> str:
        since = f"FY{self.last_fiscal_year + 1} (1 October {self.last_fiscal_year})"
        what = "expanded into more specific codes" if self.expanded else "deleted"
        text = f"{self.code} was billable until FY{self.last_fiscal_year}; since {since} it is {what}"
        if self.replaced_by:
            text += ": use " + ", ".join(self.replaced_by)
        return text


def shipped_history(path: Path = HISTORY_FILE) -> dict[str, HistoryEntry]:
    """The project's own table of known deletions and expansions (data/icd10cm/history.tsv)."""
    out: dict[str, HistoryEntry] = {}
    if not path.exists():
        return out
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 4:
            raise ValueError(f"{path.name} line {number}: expected 4 columns, found {len(parts)}")
        code, last_fy, kind, replacements = (p.strip() for p in parts)
        out[code] = HistoryEntry(code, int(last_fy), tuple(r for r in replacements.split() if r),
                                 kind == "expanded", "CodeDesk history table")
    return out


def compute_history(old: IcdData, new: IcdData) -> list[HistoryEntry]:
    """Codes billable in `old` but not in `new`, each with what replaced it."""
    new_rows = {r.code: r for r in new.rows}
    old_fy = old.release.fiscal_year if old.release else 0
    new_label = new.release.label if new.release else new.version
    old_label = old.release.label if old.release else old.version
    out: list[HistoryEntry] = []
    new_billable = sorted(r.code for r in new.rows if r.kind == "code")
    for row in old.rows:
        now = new_rows.get(row.code)
        if row.kind != "code" or (now is not None and now.kind == "code"):
            continue
        # Whatever in the new release starts with the old code replaced it (M54.5 -> M54.50, M54.51...).
        stem = row.code if "." in row.code else row.code + "."
        replaced = tuple(c for c in new_billable if c.startswith(stem) and c != row.code)[:12]
        expanded = row.code in new_rows
        out.append(HistoryEntry(row.code, old_fy, replaced, expanded, f"{old_label} → {new_label}"))
    return out


@dataclass(frozen=True)
class ReleaseFiles:
    xml_text: str
    xml_name: str
    codes_text: str | None
    codes_name: str


def read_files(paths: Iterable[Path]) -> ReleaseFiles:
    """The tabular XML and the order file (or plain code list), given directly or inside CDC zips."""
    xml: tuple[str, str] | None = None
    codes: tuple[str, str] | None = None
    for path in paths:
        entries: list[tuple[str, bytes]] = []
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                for info in archive.infolist():
                    low = info.filename.lower()
                    if (low.endswith(".xml") and "tabular" in low) or (low.endswith(".txt") and "order" in low):
                        entries.append((Path(info.filename).name, archive.read(info)))
            if not entries:
                raise TabularError(path.name, 1, "the zip holds no tabular XML or order file")
        else:
            entries.append((path.name, path.read_bytes()))
        for name, raw in entries:
            text = raw.decode("utf-8-sig", errors="replace")
            if text.lstrip().startswith("<"):
                if "<ICD10CM.tabular" not in text[:4000]:
                    raise TabularError(name, 1, "this XML is not an ICD-10-CM tabular list "
                                                "(no <ICD10CM.tabular> element)")
                xml = (text, name)
            else:
                codes = (text, name)
    if xml is None:
        raise TabularError("(files)", 1, "no tabular XML was given (icd10cm_tabular_YYYY.xml)")
    return ReleaseFiles(xml[0], xml[1], codes[0] if codes else None, codes[1] if codes else "")


def read_release(files: ReleaseFiles, fiscal_year: int | None = None, update: str = "") -> IcdData:
    """Parse a release; the fiscal year comes from the flag, the XML <version> or a file name."""
    code_list = icd_tabular.read_code_list(files.codes_text, files.codes_name) if files.codes_text else None
    rows = icd_tabular.parse(files.xml_text, code_list, files.xml_name)
    if fiscal_year is None:
        version = icd_tabular.read_version(files.xml_text)
        fiscal_year = int(version) if version.isdigit() else (
            icd10cm.fiscal_year_from_name(files.codes_name) or icd10cm.fiscal_year_from_name(files.xml_name))
    if fiscal_year is None:
        raise TabularError(files.xml_name, 1, "the release's fiscal year is not in the file; pass --fy 2027")
    release = icd10cm.release_of(fiscal_year, update.split()[0] if update else "")
    billable = sum(1 for r in rows if r.kind == "code")
    if billable == 0:
        raise TabularError(files.codes_name or files.xml_name, 1, "the release has no billable codes")
    count = len(code_list.codes) if code_list else len(rows)
    return IcdData(release.label, rows, count, billable, release, icd10cm.IMPORTED_SOURCE)


def store_release(session: Session, data: IcdData, files: str, history: list[HistoryEntry]) -> IcdRelease:
    assert data.release is not None
    payload = zlib.compress(json.dumps([list(r) for r in data.rows]).encode("utf-8"), 6)
    row = IcdRelease(fiscal_year=data.release.fiscal_year, update_label=data.release.update,
                     effective=data.release.effective, files=files[:300], record_count=len(data.rows),
                     billable_count=data.leaf_entry_count, rows=payload,
                     history=json.dumps([[h.code, h.last_fiscal_year, list(h.replaced_by), h.expanded, h.source]
                                         for h in history]),
                     imported_at=utcnow())
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True)
class ReleaseInfo:
    """An imported release without its rows: enough to pick the current one and to find its cache."""

    id: int
    release: Release
    files: str
    imported_at: datetime
    history: tuple[HistoryEntry, ...]


def releases(session: Session) -> list[ReleaseInfo]:
    """Imported releases, newest fiscal year (then newest import) last."""
    table = IcdRelease.__table__
    cols = [c for c in table.c if c.name != "rows"]
    found = session.execute(select(*cols)).all()
    out = [ReleaseInfo(r.id, Release(r.fiscal_year, r.update_label, r.effective), r.files, r.imported_at,
                       tuple(HistoryEntry(c, int(fy), tuple(rep), bool(exp), str(src))
                             for c, fy, rep, exp, src in json.loads(r.history)))
           for r in found]
    out.sort(key=lambda i: (i.release.fiscal_year, i.release.effective, i.id))
    return out


def load_release(session: Session, info: ReleaseInfo, cache_dir: Path) -> IcdData:
    """An imported release's rows, from the disk cache or (once) from the database."""
    path = cache_dir / f"icd10cm-release{info.id}-{info.imported_at:%Y%m%d%H%M%S%f}-r{icd10cm._BUILD_REVISION}.pickle"
    cached = icd10cm.read_cache(path)
    if cached is not None:
        return cached
    blob = session.execute(select(IcdRelease.rows).where(IcdRelease.id == info.id)).scalar_one()
    rows = [IcdRow(c, k, t, p, tuple((a, b) for a, b in n))
            for c, k, t, p, n in json.loads(zlib.decompress(blob).decode("utf-8"))]
    billable = sum(1 for r in rows if r.kind == "code")
    data = IcdData(info.release.label, rows, len(rows), billable, info.release, icd10cm.IMPORTED_SOURCE)
    icd10cm.write_cache(path, data)
    return data
