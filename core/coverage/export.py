"""Read the CMS Medicare Coverage Database article export into rows ready to store.

CMS publishes the export weekly as `current_article.zip`, which holds `current_article_csv.zip`, which
holds relational CSVs (every field quoted) joined on (article_id, article_version). `read_export`
takes that zip as downloaded, the inner zip, or a folder of the CSVs, and reads:

- `article.csv`: article_id, article_version, title, display_id (A5xxxx), status, dates;
- `article_x_hcpc_code.csv`: the CPT/HCPCS codes an article lists, in numbered groups;
- `article_x_icd10_covered.csv` / `article_x_icd10_noncovered.csv`: the ICD-10-CM codes that support
  (or do not support) those procedures, in numbered groups with a `sort_order`;
- `article_x_contractor.csv` and `contractor.csv`: the Medicare contractors (MACs) each article
  applies to, keyed by contractor id, type and version; `contractor_type_lookup.csv` names the type;
- `contractor_jurisdiction.csv` (contractor key, state_id, term_date) and `state_lookup.csv`
  (state_id, state_abbrev, description): the states of each contractor's jurisdiction. Part-state
  regions ("New York - Upstate") count as their state;
- `update_period.csv` (period_id, begin_date, and an end date column): the export's date is the
  latest end date; failing that, the latest `last_updated` of an article.

The `range` column marks codes the article wrote as a range: "B" begins it, "M" is inside and "E"
ends it; anything else is a single code. Every row is kept as a listed code, and each run is also
kept whole (first and last code) so a code inside it is found even when only the ends are listed.

Headers are found by their cells, so column order and extra columns do not matter. A missing file
or column, a row with the wrong number of fields, or a value that cannot be what its column holds
refuses the whole export with `CoverageFileError` naming the file, the line and the reason. Rows of
an article or article version that `article.csv` does not carry are skipped and counted.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from core.codes.normalize import icd_canonical
from core.coverage.tables import COVERED, NONCOVERED, PROCEDURE

ProgressCallback = Callable[[int, int], None]

SOURCE_NAME = "CMS Medicare Coverage Database article export"
INNER_ZIP = "current_article_csv.zip"

ARTICLE = "article.csv"
HCPC = "article_x_hcpc_code.csv"
ICD_COVERED = "article_x_icd10_covered.csv"
ICD_NONCOVERED = "article_x_icd10_noncovered.csv"
ARTICLE_CONTRACTOR = "article_x_contractor.csv"
CONTRACTOR = "contractor.csv"
JURISDICTION = "contractor_jurisdiction.csv"
STATES = "state_lookup.csv"
CONTRACTOR_TYPES = "contractor_type_lookup.csv"
UPDATE_PERIOD = "update_period.csv"

# The columns each file must have; others are ignored.
REQUIRED: dict[str, tuple[str, ...]] = {
    ARTICLE: ("article_id", "article_version", "title"),
    HCPC: ("article_id", "article_version", "hcpc_code_id", "hcpc_code_group", "range"),
    ICD_COVERED: ("article_id", "article_version", "icd10_code_id", "icd10_covered_group", "range"),
    ICD_NONCOVERED: ("article_id", "article_version", "icd10_code_id", "icd10_noncovered_group", "range"),
    ARTICLE_CONTRACTOR: ("article_id", "article_version", "contractor_id", "contractor_type_id",
                         "contractor_version"),
    CONTRACTOR: ("contractor_id", "contractor_type_id", "contractor_version", "contractor_bus_name",
                 "contractor_number"),
    JURISDICTION: ("contractor_id", "contractor_type_id", "contractor_version", "state_id"),
    STATES: ("state_id", "state_abbrev", "description"),
}
OPTIONAL: dict[str, tuple[str, ...]] = {
    CONTRACTOR_TYPES: ("contractor_type_id", "description"),
    UPDATE_PERIOD: ("period_id",),
}

_HEADER_SEARCH_ROWS = 20  # a header may sit below a short preamble
_PROGRESS_EVERY = 20_000
_PROCEDURE_CODE = re.compile(r"[A-Z0-9]{4}[A-Z0-9]")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_RANGE_BEGIN, _RANGE_INSIDE, _RANGE_END = "B", "M", "E"

# Article text fields hold whole HTML pages: far past the csv module's default field limit.
csv.field_size_limit(64 * 1024 * 1024)


class CoverageFileError(ValueError):
    """The export cannot be imported; says which file, which line and why."""

    def __init__(self, file: str, line: int, reason: str) -> None:
        self.file, self.line, self.reason = file, line, reason
        where = f"{file}, line {line}" if line else file
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True, slots=True)
class ExportArticle:
    article_id: int
    version: int
    display_id: str
    title: str
    status: str = ""
    effective: str = ""
    ends: str = ""


@dataclass(frozen=True, slots=True)
class ExportContractor:
    key: str  # "contractor_id-contractor_type_id-contractor_version"
    number: str
    name: str
    kind: str = ""


@dataclass(frozen=True)
class CoverageExport:
    """Everything the import stores, already joined and checked."""

    source: str  # the file or folder name imported
    exported: str  # YYYY-MM-DD, or "" when the export does not say
    articles: tuple[ExportArticle, ...]
    contractors: tuple[ExportContractor, ...]
    contractor_states: tuple[tuple[str, str], ...]  # (contractor key, state)
    article_contractors: tuple[tuple[int, str], ...]  # (article id, contractor key)
    procedures: tuple[tuple[int, int, int, str, str], ...]  # article, group, position, code, range
    diagnoses: tuple[tuple[int, bool, int, int, str, str, bool], ...]  # article, covered, group, position,
    # code, range, asterisk
    groups: tuple[tuple[int, str, int, int], ...]  # article, kind, group, code count
    ranges: tuple[tuple[int, str, int, str, str], ...]  # article, kind, group, first code, last code
    skipped: int = 0  # rows naming an article (or version) article.csv does not carry
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def code_rows(self) -> int:
        return len(self.procedures) + len(self.diagnoses)


# --- where the CSVs are ----------------------------------------------------------------------------
class _Files:
    """The export's CSVs by lower-case base name, from a folder or a (nested) zip."""

    def __init__(self, path: Path) -> None:
        self.label = path.name
        self._read: dict[str, Callable[[], bytes]] = {}
        self._sizes: dict[str, int] = {}
        if path.is_dir():
            inner = [p for p in path.iterdir() if p.name.lower().endswith(".zip")]
            csvs = [p for p in path.iterdir() if p.name.lower().endswith(".csv")]
            if not any(p.name.lower() == ARTICLE for p in csvs) and inner:
                self._from_zip(inner[0].name, inner[0].read_bytes())
                return
            for p in csvs:
                self._read[p.name.lower()] = p.read_bytes
                self._sizes[p.name.lower()] = p.stat().st_size
            return
        self._from_zip(path.name, path.read_bytes())

    def _from_zip(self, name: str, data: bytes, depth: int = 0) -> None:
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            members = [m for m in archive.infolist() if not m.is_dir()]
        except (zipfile.BadZipFile, OSError) as exc:
            raise CoverageFileError(name, 0, "this is not a zip archive, or it is damaged "
                                    f"({type(exc).__name__})") from exc
        by_name = {Path(m.filename).name.lower(): m for m in members}
        if ARTICLE not in by_name:
            nested = [m for m in members if m.filename.lower().endswith(".zip")]
            nested.sort(key=lambda m: Path(m.filename).name.lower() != INNER_ZIP)
            if not nested or depth > 1:
                raise CoverageFileError(name, 0, f"it holds neither {INNER_ZIP} nor {ARTICLE}: is this the "
                                        "MCD article export (current_article.zip)?")
            self._from_zip(Path(nested[0].filename).name, self._member(archive, nested[0], name), depth + 1)
            return
        for base, member in by_name.items():
            if base.endswith(".csv"):
                self._read[base] = functools.partial(self._member, archive, member, name)
                self._sizes[base] = member.file_size
        self.label = name if depth == 0 else self.label

    @staticmethod
    def _member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, archive_name: str) -> bytes:
        try:
            return archive.read(member)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise CoverageFileError(archive_name, 0, f"{member.filename} cannot be unpacked: the zip is "
                                    f"damaged ({type(exc).__name__})") from exc

    def has(self, name: str) -> bool:
        return name in self._read

    def size(self, name: str) -> int:
        return self._sizes.get(name, 0)

    def text(self, name: str) -> str:
        data = self._read[name]()
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return data.decode("cp1252", errors="replace")  # older exports are Windows-encoded


# --- reading one CSV -------------------------------------------------------------------------------
@dataclass
class _Progress:
    report: ProgressCallback | None
    total: int
    done: int = 0

    def tick(self, position: int) -> None:
        if self.report is not None:
            self.report(min(self.done + position, self.total), self.total)

    def finish_file(self, size: int) -> None:
        self.done += size
        self.tick(0)


class _Row:
    """One data row with its line number, read by column name."""

    __slots__ = ("cells", "columns", "line")

    def __init__(self, cells: list[str], columns: dict[str, int], line: int) -> None:
        self.cells, self.columns, self.line = cells, columns, line

    def get(self, name: str) -> str:
        index = self.columns.get(name)
        return self.cells[index].strip() if index is not None else ""


def _rows(files: _Files, name: str, required: tuple[str, ...], progress: _Progress) -> Iterator[_Row]:
    if not files.has(name):
        raise CoverageFileError(name, 0, "the file is missing from the export")
    buffer = io.StringIO(files.text(name), newline="")
    reader = csv.reader(buffer)
    columns: dict[str, int] | None = None
    width = 0
    try:
        for cells in reader:
            if columns is None:
                names = [c.strip().lower() for c in cells]
                if all(r in names for r in required):
                    columns = {n: i for i, n in enumerate(names) if n}
                    width = len(cells)
                elif reader.line_num >= _HEADER_SEARCH_ROWS:
                    break
                continue
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != width:
                raise CoverageFileError(name, reader.line_num, f"the row has {len(cells)} fields; the header "
                                        f"has {width}")
            if reader.line_num % _PROGRESS_EVERY == 0:
                progress.tick(buffer.tell())
            yield _Row(cells, columns, reader.line_num)
    except csv.Error as exc:
        raise CoverageFileError(name, reader.line_num, f"the CSV is malformed ({exc})") from exc
    if columns is None:
        missing = ", ".join(required)
        raise CoverageFileError(name, 1, f"no header row with the columns {missing}")
    progress.finish_file(files.size(name))


def _number(row: _Row, file: str, column: str) -> int:
    value = row.get(column)
    if not value.isdigit():
        shown = f"“{value[:20]}”" if value else "empty"
        raise CoverageFileError(file, row.line, f"{column} is {shown}; it must be a whole number")
    return int(value)


def _date(value: str) -> str:
    """ISO YYYY-MM-DD from the export's date forms, or ""."""
    match = _DATE.match(value)
    if match:
        return match.group(0)
    match = _US_DATE.match(value)
    if match:
        month, day, year = match.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}"
    return ""


# --- the whole export ------------------------------------------------------------------------------
def read_export(path: Path, progress: ProgressCallback | None = None) -> CoverageExport:
    """Read and check the export at `path` (the nested zip, the inner zip, or a folder of CSVs)."""
    if not path.exists():
        raise CoverageFileError(path.name, 0, "no such file or folder")
    files = _Files(path)
    needed = [*REQUIRED, *(n for n in OPTIONAL if files.has(n))]
    meter = _Progress(progress, sum(files.size(n) for n in needed) or 1)

    articles, last_updated = _articles(files, meter)
    types = _lookup(files, CONTRACTOR_TYPES, "contractor_type_id", meter)
    contractors = _contractors(files, types, meter)
    exported = _export_date(files, meter) or last_updated
    states = _states(files, meter)
    contractor_states = _jurisdictions(files, contractors, states, exported, meter)

    skipped = 0
    article_contractors: set[tuple[int, str]] = set()
    for row in _rows(files, ARTICLE_CONTRACTOR, REQUIRED[ARTICLE_CONTRACTOR], meter):
        article_id = _number(row, ARTICLE_CONTRACTOR, "article_id")
        version = _number(row, ARTICLE_CONTRACTOR, "article_version")
        key = _contractor_key(row, ARTICLE_CONTRACTOR)
        if articles.get(article_id, (None,))[0] != version:
            skipped += 1
            continue
        if key not in contractors:
            raise CoverageFileError(ARTICLE_CONTRACTOR, row.line, f"contractor {key} is not in {CONTRACTOR}")
        article_contractors.add((article_id, key))

    procedure_rows, n = _codes(files, HCPC, "hcpc_code_id", "hcpc_code_group", articles, meter)
    skipped += n
    covered_rows, n = _codes(files, ICD_COVERED, "icd10_code_id", "icd10_covered_group", articles, meter)
    skipped += n
    noncovered_rows, n = _codes(files, ICD_NONCOVERED, "icd10_code_id", "icd10_noncovered_group", articles, meter)
    skipped += n

    groups: list[tuple[int, str, int, int]] = []
    ranges: list[tuple[int, str, int, str, str]] = []
    procedures = [(a, g, p, code, label) for a, g, p, code, label, _ in
                  _place(procedure_rows, PROCEDURE, groups, ranges)]
    diagnoses = [(a, True, g, p, code, label, star) for a, g, p, code, label, star in
                 _place(covered_rows, COVERED, groups, ranges)]
    diagnoses += [(a, False, g, p, code, label, star) for a, g, p, code, label, star in
                  _place(noncovered_rows, NONCOVERED, groups, ranges)]
    if progress is not None:
        progress(meter.total, meter.total)
    kept = tuple(article for _, article in articles.values())
    return CoverageExport(
        source=files.label, exported=exported, articles=kept,
        contractors=tuple(contractors.values()), contractor_states=tuple(sorted(contractor_states)),
        article_contractors=tuple(sorted(article_contractors)), procedures=tuple(procedures),
        diagnoses=tuple(diagnoses), groups=tuple(groups), ranges=tuple(ranges), skipped=skipped,
        counts={"articles": len(kept), "procedures": len(procedures),
                "covered": len(covered_rows), "noncovered": len(noncovered_rows),
                "contractors": len(contractors)})


def _articles(files: _Files, meter: _Progress) -> tuple[dict[int, tuple[int, ExportArticle]], str]:
    """Each article's newest version in the export, and the latest last_updated date."""
    found: dict[int, tuple[int, ExportArticle]] = {}
    latest = ""
    for row in _rows(files, ARTICLE, REQUIRED[ARTICLE], meter):
        article_id = _number(row, ARTICLE, "article_id")
        version = _number(row, ARTICLE, "article_version")
        title = " ".join(row.get("title").split())
        if not title:
            raise CoverageFileError(ARTICLE, row.line, f"article {article_id} has no title")
        latest = max(latest, _date(row.get("last_updated")))
        if row.get("date_retired") and _date(row.get("date_retired")):
            continue  # retired: no longer applies
        if article_id in found and found[article_id][0] >= version:
            continue
        found[article_id] = (version, ExportArticle(
            article_id, version, row.get("display_id") or f"A{article_id}", title[:500],
            row.get("status")[:32], _date(row.get("article_eff_date")), _date(row.get("article_end_date"))))
    if not found:
        raise CoverageFileError(ARTICLE, 0, "the file lists no articles")
    return found, latest


def _lookup(files: _Files, name: str, key: str, meter: _Progress) -> dict[str, str]:
    if not files.has(name):
        return {}
    return {row.get(key): row.get("description") for row in _rows(files, name, OPTIONAL[name], meter)}


def _contractor_key(row: _Row, file: str) -> str:
    parts = [str(_number(row, file, c)) for c in ("contractor_id", "contractor_type_id", "contractor_version")]
    return "-".join(parts)


def _contractors(files: _Files, types: dict[str, str], meter: _Progress) -> dict[str, ExportContractor]:
    found: dict[str, ExportContractor] = {}
    for row in _rows(files, CONTRACTOR, REQUIRED[CONTRACTOR], meter):
        key = _contractor_key(row, CONTRACTOR)
        name = " ".join(row.get("contractor_bus_name").split())
        if not name:
            raise CoverageFileError(CONTRACTOR, row.line, f"contractor {key} has no name")
        found[key] = ExportContractor(key, row.get("contractor_number")[:16], name[:200],
                                      types.get(row.get("contractor_type_id"), "")[:100])
    return found


def _export_date(files: _Files, meter: _Progress) -> str:
    if not files.has(UPDATE_PERIOD):
        return ""
    latest = ""
    for row in _rows(files, UPDATE_PERIOD, OPTIONAL[UPDATE_PERIOD], meter):
        latest = max(latest, _date(row.get("dis_end_date") or row.get("end_date")))
    return latest


def _states(files: _Files, meter: _Progress) -> dict[str, str]:
    """state_id -> postal abbreviation; a part-state region ("New York - Upstate") gets its state's."""
    rows = [(row.get("state_id"), row.get("state_abbrev").upper(), row.get("description"))
            for row in _rows(files, STATES, REQUIRED[STATES], meter)]
    by_name = {name.lower(): abbrev for _, abbrev, name in rows if " - " not in name and len(abbrev) == 2}
    out: dict[str, str] = {}
    for state_id, abbrev, name in rows:
        whole = name.split(" - ", 1)[0].strip().lower()
        out[state_id] = by_name.get(whole, abbrev) if " - " in name else abbrev
    return {k: v for k, v in out.items() if len(v) == 2}


def _jurisdictions(files: _Files, contractors: dict[str, ExportContractor], states: dict[str, str],
                   exported: str, meter: _Progress) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for row in _rows(files, JURISDICTION, REQUIRED[JURISDICTION], meter):
        key = _contractor_key(row, JURISDICTION)
        ended = _date(row.get("term_date"))
        if ended and exported and ended < exported:
            continue  # the contractor no longer serves that state
        state = states.get(row.get("state_id"))
        if key in contractors and state:
            found.add((key, state))
    return found


_Coded = tuple[int, int, float, int, str, str, bool]  # article, group, sort order, file order, code, range, *


def _codes(files: _Files, name: str, code_column: str, group_column: str,
           articles: dict[int, tuple[int, ExportArticle]], meter: _Progress) -> tuple[list[_Coded], int]:
    procedure = name == HCPC
    out: list[_Coded] = []
    skipped = 0
    for order, row in enumerate(_rows(files, name, REQUIRED[name], meter)):
        article_id = _number(row, name, "article_id")
        version = _number(row, name, "article_version")
        group = _number(row, name, group_column)
        raw = row.get(code_column).upper()
        code = raw if procedure and _PROCEDURE_CODE.fullmatch(raw) else \
            None if procedure else icd_canonical(raw.replace(".", "").replace(" ", ""))
        if code is None:
            what = "a CPT or HCPCS code" if procedure else "an ICD-10-CM code"
            shown = f"“{raw[:20]}”" if raw else "empty"
            raise CoverageFileError(name, row.line, f"{code_column} is {shown}; it must be {what}")
        if articles.get(article_id, (None,))[0] != version:
            skipped += 1
            continue
        sort_text = row.get("sort_order")
        sort = float(sort_text) if sort_text.isdigit() else float("inf")
        out.append((article_id, group, sort, order, code, row.get("range").upper()[:1],
                    row.get("asterisk").upper() in ("Y", "YES", "1", "TRUE", "*")))
    return out, skipped


def _place(rows: list[_Coded], kind: str, groups: list[tuple[int, str, int, int]],
           ranges: list[tuple[int, str, int, str, str]]) -> Iterator[tuple[int, int, int, str, str, bool]]:
    """Order each group's codes (sort_order, then file order), number their places, find range runs."""
    rows.sort(key=lambda r: (r[0], r[1], r[2], r[3]))
    start = 0
    while start < len(rows):
        article_id, group = rows[start][0], rows[start][1]
        end = start
        while end < len(rows) and rows[end][0] == article_id and rows[end][1] == group:
            end += 1
        block = rows[start:end]
        labels = _range_labels(block)
        for first, last in {lab for lab in labels if lab}:
            ranges.append((article_id, kind, group, first, last))
        seen: set[str] = set()
        position = 0
        for row, label in zip(block, labels, strict=True):
            if row[4] in seen:
                continue  # listed twice in one group: once is enough
            seen.add(row[4])
            yield article_id, group, position, row[4], f"{label[0]}-{label[1]}" if label else "", row[6]
            position += 1
        groups.append((article_id, kind, group, position))
        start = end


def _range_labels(block: list[_Coded]) -> list[tuple[str, str] | None]:
    """For each row, the (first, last) codes of the range run it belongs to, or None."""
    labels: list[tuple[str, str] | None] = [None] * len(block)
    i = 0
    while i < len(block):
        if block[i][5] != _RANGE_BEGIN:
            i += 1
            continue
        j = i + 1
        while j < len(block) and block[j][5] == _RANGE_INSIDE:
            j += 1
        last = j if j < len(block) and block[j][5] == _RANGE_END else j - 1
        if last > i:
            for k in range(i, last + 1):
                labels[k] = (block[i][4], block[last][4])
        i = last + 1
    return labels
