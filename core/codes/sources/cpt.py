"""CPT Level I: the project's own section ranges and plain-language summaries (shipped in data/cpt/),
and the importer for an organisation's licensed descriptor file (never shipped).

The AMA owns the CPT descriptors. Without a licensed import a CPT card shows the project's summary,
clearly labelled, and the code's section; with one it shows the official text beside the summary.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from core.codes.record import CodeRecord, RecordKind, System
from core.codes.systems import CPT_CODE, CPT_MODIFIER, CptCategory, cpt_category

DATA_DIR = Path(__file__).resolve().parents[3] / "data" / "cpt"
SUMMARY_SOURCE = "CodeDesk plain-language summary (not the AMA CPT descriptor)"
SUMMARY_VERSION = "CodeDesk 2026.1"
MAX_DESCRIPTOR = 2_000  # the longest real descriptors are a few hundred characters
MAX_FIELD = 100_000  # the csv module refuses a field beyond this, with the line it is on


@dataclass(frozen=True, slots=True)
class CptRange:
    start: str
    end: str
    level: str  # "section" or "subsection"
    name: str

    # Both ends as comparable keys, computed once: the catalog asks every range about every code at load.
    low: tuple[str, str] = field(init=False, compare=False, repr=False)
    high: tuple[str, str] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "low", _shape_key(self.start))
        object.__setattr__(self, "high", _shape_key(self.end))

    def holds(self, code: str) -> bool:
        key = _shape_key(code)
        return bool(key[0]) and self.low <= key <= self.high

    @property
    def bounds(self) -> tuple[tuple[str, str], tuple[str, str]]:
        return self.low, self.high

    @property
    def label(self) -> str:
        return f"{self.name} ({self.start}-{self.end})"


@dataclass(frozen=True, slots=True)
class CptSummary:
    code: str
    label: str
    summary: str


def _rows(path: Path, columns: int) -> Iterator[tuple[int, list[str]]]:
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = [p.strip() for p in line.rstrip("\n").split("\t")]
            if len(parts) != columns:
                raise ValueError(f"{path.name} line {number}: expected {columns} columns, found {len(parts)}")
            yield number, parts


def load_ranges(data_dir: Path = DATA_DIR) -> tuple[CptRange, ...]:
    path = data_dir / "sections.tsv"
    if not path.exists():
        return ()
    return tuple(CptRange(s, e, lvl, name) for _, (s, e, lvl, name) in _rows(path, 4))


def load_summaries(data_dir: Path = DATA_DIR) -> tuple[CptSummary, ...]:
    path = data_dir / "summaries.tsv"
    if not path.exists():
        return ()
    return tuple(CptSummary(code, label, text) for _, (code, label, text) in _rows(path, 3))


def load_modifier_summaries(data_dir: Path = DATA_DIR) -> tuple[CptSummary, ...]:
    path = data_dir / "modifiers.tsv"
    if not path.exists():
        return ()
    return tuple(CptSummary(code, label, text) for _, (code, label, text) in _rows(path, 3))


@dataclass(frozen=True, slots=True)
class DeletedCode:
    """A CPT or HCPCS code deleted from the code set, from the project's table (data/cpt/deleted.tsv)."""

    system: System
    code: str
    year: int  # deleted for dates of service from 1 January of this year
    replaced_by: tuple[str, ...]
    note: str


def load_deleted(data_dir: Path = DATA_DIR) -> dict[tuple[System, str], DeletedCode]:
    path = data_dir / "deleted.tsv"
    if not path.exists():
        return {}
    out: dict[tuple[System, str], DeletedCode] = {}
    for number, (system_name, code, year, replaced, note) in _rows(path, 5):
        system = System.parse(system_name)
        if system is None or not year.isdigit():
            raise ValueError(f"{path.name} line {number}: unknown system or year")
        out[(system, code)] = DeletedCode(system, code, int(year), tuple(replaced.split()), note)
    return out


def _shape_key(code: str) -> tuple[str, str]:
    """Codes compare only within their own CPT category: 3074F sits among F codes, never among 30000s."""
    category = cpt_category(code)
    if category is None:
        return ("", "")
    return (category.value, code if category is CptCategory.CATEGORY_I else code[:4])


def ranges_holding(ranges: tuple[CptRange, ...], code: str) -> tuple[CptRange, ...]:
    """The section and subsection a code falls in, broadest first."""
    key = _shape_key(code)
    if not key[0]:
        return ()
    found = [r for r in ranges if r.low <= key <= r.high]
    found.sort(key=lambda r: (r.level != "section", int(r.end[:4]) - int(r.start[:4])), reverse=False)
    return tuple(found)


def summary_records(data_dir: Path = DATA_DIR, ranges: tuple[CptRange, ...] | None = None) -> list[CodeRecord]:
    """A record per summarised code and per CPT modifier, carrying only the project's own words."""
    ranges = load_ranges(data_dir) if ranges is None else ranges
    records: list[CodeRecord] = []
    for item in load_summaries(data_dir):
        holding = ranges_holding(ranges, item.code)
        records.append(CodeRecord(
            system=System.CPT, code=item.code, title=item.label, summary=item.summary,
            kind=RecordKind.CODE, parent=holding[-1].label if holding else None,
            section=" › ".join(r.label for r in holding), billable=True,
            source=SUMMARY_SOURCE, version=SUMMARY_VERSION, licensed=False,
        ))
    for item in load_modifier_summaries(data_dir):
        records.append(CodeRecord(
            system=System.CPT, code=item.code, title=item.label, summary=item.summary,
            kind=RecordKind.MODIFIER, section="CPT Level I modifiers", billable=False,
            source=SUMMARY_SOURCE, version=SUMMARY_VERSION, licensed=False,
        ))
    return records


class CptFileError(ValueError):
    def __init__(self, path: str, line: int, reason: str) -> None:
        super().__init__(f"{path}, line {line}: {reason}")
        self.path, self.line, self.reason = path, line, reason


@dataclass(frozen=True)
class LicensedCpt:
    descriptors: dict[str, str]  # code -> official descriptor
    version: str
    source: str


_CODE_HEADERS = ("code", "cpt code", "cpt_code", "hcpcs", "cpt")
_TEXT_HEADERS = ("descriptor", "long descriptor", "long_descriptor", "description", "long description",
                 "consumer friendly descriptor", "desc")


def read_licensed(path: Path, version: str = "",
                  progress: Callable[[int, int], None] | None = None) -> LicensedCpt:
    """Read a licensed CPT descriptor file: CSV or TSV with a header naming a code and a descriptor column."""
    raw = path.read_bytes()
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise CptFileError(path.name, line, "the line holds a NUL byte: this is not a text CSV or TSV file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    lines = text.splitlines()
    if not lines:
        raise CptFileError(path.name, 1, "the file is empty")
    dialect = "excel-tab" if lines[0].count("\t") >= lines[0].count(",") else "excel"
    # strict: a quote left open is an error, not a field that swallows the rest of the file.
    reader = csv.reader(io.StringIO(text), dialect=dialect, strict=True)
    header = [h.strip().lower() for h in next(reader)]
    code_col = next((header.index(h) for h in _CODE_HEADERS if h in header), None)
    text_col = next((header.index(h) for h in _TEXT_HEADERS if h in header), None)
    if code_col is None or text_col is None:
        raise CptFileError(path.name, 1, "the header needs a code column and a descriptor column "
                                         f"(found: {', '.join(header) or 'nothing'})")
    descriptors: dict[str, str] = {}
    total = len(lines)
    limit = csv.field_size_limit()
    csv.field_size_limit(MAX_FIELD)  # per reader call; restored below
    try:
        while True:
            started = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                raise CptFileError(path.name, started, _csv_reason(exc)) from None
            line = reader.line_num
            if line > started:
                raise CptFileError(path.name, started, f"a quoted field opened here runs on to line {line}: "
                                   "a quote is probably not closed")
            if not any(cell.strip() for cell in row):
                continue
            if len(row) <= max(code_col, text_col):
                raise CptFileError(path.name, line, "the row has fewer columns than the header")
            code, descriptor = row[code_col].strip().upper(), " ".join(row[text_col].split())
            if not (CPT_CODE.match(code) or CPT_MODIFIER.match(code)):
                raise CptFileError(path.name, line, f"{code[:20]!r} is not a CPT code")
            if not descriptor:
                raise CptFileError(path.name, line, f"code {code} has no descriptor")
            if len(descriptor) > MAX_DESCRIPTOR:
                raise CptFileError(path.name, line, f"the descriptor of {code} has {len(descriptor):,} "
                                   f"characters; a CPT descriptor is under {MAX_DESCRIPTOR:,}")
            descriptors[code] = descriptor
            if progress and line % 500 == 0:
                progress(line, total)
    finally:
        csv.field_size_limit(limit)
    if not descriptors:
        raise CptFileError(path.name, 2, "the file holds no codes")
    if progress:
        progress(total, total)
    return LicensedCpt(descriptors, version or _version_from_name(path.name), f"Licensed CPT file ({path.name})")


def _csv_reason(exc: csv.Error) -> str:
    message = str(exc)
    if "field larger" in message:
        return f"a field is larger than {MAX_FIELD:,} characters: this is not a descriptor file"
    if "end of data" in message or "EOF" in message:
        return "a quote opened on this line is never closed"
    return "the line is not valid CSV/TSV (a stray quote?)"


def _version_from_name(name: str) -> str:
    match = re.search(r"(19|20)\d{2}", name)
    return match.group(0) if match else "licensed"
