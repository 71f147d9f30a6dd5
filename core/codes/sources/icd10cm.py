"""ICD-10-CM: the release the simple-icd-10-cm package ships (CDC data, public domain) by default, or a
newer CDC/CMS release imported with `codedesk import icd10cm FILE`.

The package's own tabular XML and code list are read with the same parser an imported release uses
(core.codes.sources.icd_tabular), flattened once into plain tuples and cached on disk (a pickle keyed
by package version, data release and build revision); later processes load only the tuples, and
`CodeRecord`s are made on demand by the catalog.
"""

from __future__ import annotations

import os
import pickle
import re
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import NamedTuple

from core.codes.sources import icd_tabular
from core.codes.sources.icd_tabular import IcdRow

SOURCE = "CDC ICD-10-CM tabular list (public domain), via simple-icd-10-cm"
IMPORTED_SOURCE = "CDC/CMS ICD-10-CM release files (public domain), imported"
# Bump when the row-building logic changes, so stale caches are rebuilt.
# r6: own tabular parser; single-category blocks; chapter and block notes; one note per line.
# r7: a note written as ", if known, ..." (after "Code first") loses its leading comma.
_BUILD_REVISION = "7"

__all__ = ["SOURCE", "IcdData", "IcdRow", "Release", "build", "load", "release_of"]

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


class Release(NamedTuple):
    """Which ICD-10-CM release the rows are: fiscal year, the update within it, when it took effect."""

    fiscal_year: int  # 2026 = 1 October 2025 to 30 September 2026
    update: str  # "" for the October release, e.g. "April 2026" for a mid-year update
    effective: date

    @property
    def label(self) -> str:
        return f"FY{self.fiscal_year}" + (f" ({self.update} update)" if self.update else
                                           f" (effective {self.effective:%-d %B %Y})")

    def age_days(self, today: date) -> int:
        return (today - self.effective).days


def release_of(fiscal_year: int, month_name: str = "") -> Release:
    """FY2026 + "April" -> the April 2026 update; FY2027 alone -> the release of 1 October 2026."""
    if month_name and month_name.capitalize() in _MONTHS and month_name.capitalize() != "October":
        month = _MONTHS.index(month_name.capitalize()) + 1
        year = fiscal_year if month < 10 else fiscal_year - 1
        return Release(fiscal_year, f"{_MONTHS[month - 1]} {year}", date(year, month, 1))
    return Release(fiscal_year, "", date(fiscal_year - 1, 10, 1))


class IcdData(NamedTuple):
    version: str  # the release's label, e.g. "FY2026 (April 2026 update)"
    rows: list[IcdRow]
    entry_count: int  # entries in the release's code list
    leaf_entry_count: int  # billable codes
    release: Release | None = None
    source: str = SOURCE


def _package_dir() -> Path:
    dist = metadata.distribution("simple_icd_10_cm")
    return Path(str(dist.locate_file("simple_icd_10_cm")))


def _package_files() -> tuple[Path, Path]:
    data = _package_dir() / "data"
    xml = sorted(data.glob("icd10c*-tabular-*.xml"))
    codes = sorted(data.glob("code-list-*.txt"))
    if not xml or not codes:
        raise FileNotFoundError("the simple-icd-10-cm package has no tabular XML or code list")
    return xml[-1], codes[-1]


def data_version() -> str:
    """The release the package carries, read from its data file name (e.g. "April 2026")."""
    for path in sorted((_package_dir() / "data").glob("code-list-*.txt")):
        parts = path.stem.split("-")  # code-list-April-2026
        if len(parts) >= 4:
            return f"{parts[2]} {parts[3]}"
    return "unknown"


def package_release() -> Release:
    """The package's release: its XML <version> is the fiscal year; the file name names the update."""
    month, _, year = data_version().partition(" ")
    xml, _ = _package_files()
    with xml.open(encoding="utf-8") as fh:
        fiscal = icd_tabular.read_version(fh.read(2000))
    fy = int(fiscal) if fiscal.isdigit() else (int(year) + (1 if month == "October" else 0))
    return release_of(fy, month)


def cache_key() -> str:
    version = metadata.version("simple_icd_10_cm")
    return f"icd10cm-{version}-{data_version().replace(' ', '')}-r{_BUILD_REVISION}"


def build() -> IcdData:
    """Read the package's data files. Slow (about a second): call through `load`."""
    xml, codes = _package_files()
    code_list = icd_tabular.read_code_list(codes.read_text(encoding="utf-8"), codes.name)
    rows = icd_tabular.parse(xml.read_text(encoding="utf-8"), code_list, xml.name)
    release = package_release()
    billable = sum(1 for r in rows if r.kind == "code")
    return IcdData(release.label, rows, len(code_list.codes), billable, release, SOURCE)


def load(cache_dir: Path) -> IcdData:
    """The package's data from the on-disk cache, building and writing it first when missing or stale."""
    path = cache_dir / f"{cache_key()}.pickle"
    cached = read_cache(path)
    if cached is not None:
        return cached
    data = build()
    write_cache(path, data)
    return data


def read_cache(path: Path) -> IcdData | None:
    if not path.exists():
        return None
    try:
        with path.open("rb") as fh:
            version, rows, entries, leaves, release, source = pickle.load(fh)
        return IcdData(version, [IcdRow(*row) for row in rows], entries, leaves,
                       Release(*release) if release else None, source)
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError):
        path.unlink(missing_ok=True)  # a damaged cache is rebuilt, not trusted
        return None


def write_cache(path: Path, data: IcdData) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{id(data)}.tmp")
    plain = (data.version, [tuple(row) for row in data.rows], data.entry_count, data.leaf_entry_count,
             tuple(data.release) if data.release else None, data.source)
    with tmp.open("wb") as fh:
        pickle.dump(plain, fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)  # atomic: a concurrent reader sees the old file or the whole new one


def fiscal_year_from_name(name: str) -> int | None:
    """icd10cm_order_2027.txt / icd10cm-table-and-index-2027.zip -> 2027."""
    match = re.search(r"(20\d{2})", name)
    return int(match.group(1)) if match else None
