"""The imported export in the database: swap it in one transaction, and the reads every question
needs. Reads are a handful of indexed queries each, so a question stays within a few milliseconds
on the full export (about 2,000 articles and 470,000 code rows)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, select, text
from sqlalchemy.orm import Session

from core.coverage.export import CoverageExport
from core.coverage.tables import ALL_TABLES, COVERAGE_DATASET, COVERED, NONCOVERED, PROCEDURE
from core.db import Dataset, utcnow

ARTICLE_URL = "https://www.cms.gov/medicare-coverage-database/view/article.aspx?articleid={}"
_BATCH = 5000


# --- values ----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ExportInfo:
    """Which export is loaded."""

    exported: str  # YYYY-MM-DD, "" when the export did not say
    source: str
    articles: int
    code_rows: int
    imported_at: datetime | None

    @property
    def label(self) -> str:
        return f"CMS MCD export of {self.exported}" if self.exported else f"CMS MCD export {self.source}"


@dataclass(frozen=True, slots=True)
class Contractor:
    key: str
    number: str
    name: str
    kind: str = ""

    @property
    def label(self) -> str:
        return f"{self.name} ({self.number})" if self.number else self.name


@dataclass(frozen=True, slots=True)
class Article:
    article_id: int
    display_id: str
    title: str
    contractors: tuple[Contractor, ...] = ()

    @property
    def url(self) -> str:
        return ARTICLE_URL.format(self.article_id)

    @property
    def contractor_labels(self) -> str:
        return "; ".join(c.label for c in self.contractors) or "no contractor named"


@dataclass(frozen=True, slots=True)
class Narrowing:
    """`state:FL` and/or `contractor:09102`: only articles of contractors that fit."""

    state: str = ""
    contractor: str = ""

    def admits(self, article: Article, states_by_contractor: dict[str, frozenset[str]]) -> bool:
        if self.contractor and not any(c.number == self.contractor for c in article.contractors):
            return False
        return not self.state or any(self.state in states_by_contractor.get(c.key, frozenset())
                                     for c in article.contractors)

    @property
    def words(self) -> str:
        parts = [f"state:{self.state}" if self.state else "",
                 f"contractor:{self.contractor}" if self.contractor else ""]
        return " ".join(p for p in parts if p)

    @property
    def describe(self) -> str:
        parts = [f"contractors serving {self.state}" if self.state else "",
                 f"contractor {self.contractor}" if self.contractor else ""]
        return " and ".join(p for p in parts if p)


@dataclass(frozen=True, slots=True)
class GroupSize:
    article_id: int
    kind: str  # PROCEDURE, COVERED or NONCOVERED
    group_no: int
    count: int


@dataclass(frozen=True, slots=True)
class ListedCode:
    code: str
    in_range: str = ""  # "I48.0-I48.92" when the article wrote it inside a range
    asterisk: bool = False


@dataclass(frozen=True, slots=True)
class Listing:
    """Where one diagnosis appears in one article: covered or not, in which group."""

    article_id: int
    covered: bool
    group_no: int
    in_range: str = ""


# --- writing ---------------------------------------------------------------------------------------
def replace_export(session: Session, export: CoverageExport) -> None:
    """Swap the stored export for `export`; the caller's transaction makes it all-or-nothing."""
    conn = session.connection()
    for table in ALL_TABLES:
        session.execute(delete(table))
    _insert(conn, "coverage_articles", ("article_id", "article_version", "display_id", "title", "status",
                                        "effective", "ends"),
            ((a.article_id, a.version, a.display_id, a.title, a.status, a.effective, a.ends)
             for a in export.articles))
    _insert(conn, "coverage_contractors", ("contractor_key", "number", "name", "kind"),
            ((c.key, c.number, c.name, c.kind) for c in export.contractors))
    _insert(conn, "coverage_contractor_states", ("contractor_key", "state"), export.contractor_states)
    _insert(conn, "coverage_article_contractors", ("article_id", "contractor_key"), export.article_contractors)
    _insert(conn, "coverage_procedures", ("article_id", "group_no", "position", "code", "in_range"),
            export.procedures)
    _insert(conn, "coverage_diagnoses", ("article_id", "covered", "group_no", "position", "code", "in_range",
                                         "asterisk"), export.diagnoses)
    _insert(conn, "coverage_groups", ("article_id", "kind", "group_no", "code_count"), export.groups)
    _insert(conn, "coverage_ranges", ("article_id", "kind", "group_no", "first_code", "last_code"),
            export.ranges)
    dataset = session.get(Dataset, COVERAGE_DATASET) or Dataset(name=COVERAGE_DATASET)
    dataset.source, dataset.version, dataset.record_count = export.source, export.exported or "unknown", \
        export.code_rows
    dataset.detail = {**export.counts, "exported": export.exported, "skipped_rows": export.skipped}
    dataset.imported_at = utcnow()
    session.add(dataset)


def _insert(conn: Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Plain executemany on the driver: an ORM or dict per row would triple the import time."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
    batch: list[Sequence[Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= _BATCH:
            conn.exec_driver_sql(sql, batch)
            batch = []
    if batch:
        conn.exec_driver_sql(sql, batch)


# --- reading ---------------------------------------------------------------------------------------
def export_info(session: Session) -> ExportInfo | None:
    table = Dataset.__table__
    dataset = session.connection().execute(select(table).where(table.c.name == COVERAGE_DATASET)).first()
    if dataset is None:
        return None
    detail = dataset.detail or {}
    return ExportInfo(str(detail.get("exported", "")), dataset.source, int(detail.get("articles", 0)),
                      dataset.record_count, dataset.imported_at)


_PROCEDURE_ARTICLES = text(
    "SELECT article_id FROM coverage_procedures WHERE code = :code "
    "UNION SELECT article_id FROM coverage_ranges WHERE kind = :kind AND first_code <= :code "
    "AND last_code >= :code AND length(first_code) = length(CAST(:code AS VARCHAR(8)))")
_COVERED_ARTICLES = text(
    "SELECT article_id FROM coverage_diagnoses WHERE code = :code AND covered = :covered "
    "UNION SELECT article_id FROM coverage_ranges WHERE kind = :kind AND first_code <= :code "
    "AND last_code >= :code")
_ARTICLES = text(
    "SELECT a.article_id, a.display_id, a.title, c.contractor_key, c.number, c.name, c.kind "
    "FROM coverage_articles a LEFT JOIN coverage_article_contractors ac ON ac.article_id = a.article_id "
    "LEFT JOIN coverage_contractors c ON c.contractor_key = ac.contractor_key WHERE a.article_id IN :ids "
    "ORDER BY a.article_id, c.number, c.name").bindparams(bindparam("ids", expanding=True))
_STATES = text("SELECT contractor_key, state FROM coverage_contractor_states WHERE contractor_key IN :keys"
               ).bindparams(bindparam("keys", expanding=True))
_GROUPS = text("SELECT article_id, kind, group_no, code_count FROM coverage_groups WHERE article_id IN :ids"
               ).bindparams(bindparam("ids", expanding=True))
_SLICE = text(
    "SELECT code, in_range, asterisk FROM coverage_diagnoses WHERE article_id = :article AND covered = :covered "
    "AND group_no = :group AND position >= :start AND position < :stop ORDER BY position")
_LISTINGS = text(
    "SELECT article_id, covered, group_no, code, in_range FROM coverage_diagnoses "
    "WHERE code IN :codes AND article_id IN :ids"
).bindparams(bindparam("codes", expanding=True), bindparam("ids", expanding=True))
_RANGES = text(
    "SELECT article_id, kind, group_no, first_code, last_code FROM coverage_ranges "
    "WHERE article_id IN :ids AND kind IN :kinds"
).bindparams(bindparam("ids", expanding=True), bindparam("kinds", expanding=True))
_DIAGNOSIS_CROSSWALK = text(
    "SELECT code, COUNT(DISTINCT article_id) AS n FROM coverage_diagnoses WHERE covered = :covered "
    "AND article_id IN :ids GROUP BY code ORDER BY n DESC, code LIMIT :limit"
).bindparams(bindparam("ids", expanding=True))
_PROCEDURE_CROSSWALK = text(
    "SELECT code, COUNT(DISTINCT article_id) AS n FROM coverage_procedures WHERE article_id IN :ids "
    "GROUP BY code ORDER BY n DESC, code LIMIT :limit"
).bindparams(bindparam("ids", expanding=True))


def _run(session: Session, statement: Any, params: dict[str, Any] | None = None) -> Any:
    """Reads go straight to the transaction's connection: the ORM layer adds nothing here but time."""
    return session.connection().execute(statement, params or {})


def articles_listing_procedure(session: Session, code: str, narrowing: Narrowing = Narrowing()) -> list[Article]:
    """Articles that list the CPT/HCPCS code (alone or inside a written range), narrowed, by display id."""
    ids = [r[0] for r in _run(session, _PROCEDURE_ARTICLES, {"code": code, "kind": PROCEDURE})]
    return articles(session, ids, narrowing)


def articles_covering_diagnosis(session: Session, code: str, narrowing: Narrowing = Narrowing()) -> list[Article]:
    """Articles that list the ICD-10-CM code as covered (alone or inside a written range)."""
    ids = [r[0] for r in _run(session, _COVERED_ARTICLES, {"code": code, "covered": True, "kind": COVERED})]
    return articles(session, ids, narrowing)


def articles(session: Session, ids: Sequence[int], narrowing: Narrowing = Narrowing()) -> list[Article]:
    if not ids:
        return []
    heads: dict[int, tuple[str, str]] = {}
    contractors: dict[int, list[Contractor]] = {}
    for row in _run(session, _ARTICLES, {"ids": list(ids)}):  # one row per article and contractor
        heads[row.article_id] = (row.display_id, row.title)
        if row.contractor_key is not None:
            contractors.setdefault(row.article_id, []).append(
                Contractor(row.contractor_key, row.number, row.name, row.kind))
    found = [Article(article_id, display_id, title, tuple(contractors.get(article_id, ())))
             for article_id, (display_id, title) in heads.items()]
    if narrowing.state or narrowing.contractor:
        states: dict[str, frozenset[str]] = {}
        keys = sorted({c.key for a in found for c in a.contractors})
        if narrowing.state and keys:
            pairs: dict[str, set[str]] = {}
            for row in _run(session, _STATES, {"keys": keys}):
                pairs.setdefault(row.contractor_key, set()).add(row.state)
            states = {k: frozenset(v) for k, v in pairs.items()}
        found = [a for a in found if narrowing.admits(a, states)]
    found.sort(key=lambda a: (a.display_id, a.article_id))
    return found


def group_sizes(session: Session, ids: Sequence[int]) -> list[GroupSize]:
    if not ids:
        return []
    sizes = [GroupSize(r.article_id, r.kind, r.group_no, r.code_count)
             for r in _run(session, _GROUPS, {"ids": list(ids)})]
    sizes.sort(key=lambda g: (g.article_id, g.kind, g.group_no))
    return sizes


def diagnoses_slice(session: Session, article_id: int, covered: bool, group_no: int, start: int,
                    stop: int) -> list[ListedCode]:
    """The codes at places start..stop-1 of one diagnosis group, in the article's order."""
    rows = _run(session, _SLICE, {"article": article_id, "covered": covered, "group": group_no,
                                    "start": start, "stop": stop})
    return [ListedCode(r.code, r.in_range, bool(r.asterisk)) for r in rows]


def diagnosis_listings(session: Session, ids: Sequence[int], codes: Sequence[str]) -> dict[str, list[Listing]]:
    """For each diagnosis code, every place the articles list it (covered or not), ranges included."""
    out: dict[str, list[Listing]] = {code: [] for code in codes}
    if not ids or not codes:
        return out
    for row in _run(session, _LISTINGS, {"codes": list(codes), "ids": list(ids)}):
        out[row.code].append(Listing(row.article_id, bool(row.covered), row.group_no, row.in_range))
    for row in _run(session, _RANGES, {"ids": list(ids), "kinds": [COVERED, NONCOVERED]}):
        for code in codes:
            if row.first_code <= code <= row.last_code:
                listing = Listing(row.article_id, row.kind == COVERED, row.group_no,
                                  f"{row.first_code}-{row.last_code}")
                if not any(x.article_id == listing.article_id and x.covered == listing.covered
                           and x.group_no == listing.group_no for x in out[code]):
                    out[code].append(listing)
    return out


def diagnosis_crosswalk(session: Session, ids: Sequence[int], limit: int) -> list[tuple[str, int]]:
    """The diagnoses listed as covered by the most of these articles, with how many list each."""
    if not ids:
        return []
    rows = _run(session, _DIAGNOSIS_CROSSWALK, {"covered": True, "ids": list(ids), "limit": limit})
    return [(r.code, int(r.n)) for r in rows]


def procedure_crosswalk(session: Session, ids: Sequence[int], limit: int) -> list[tuple[str, int]]:
    """The procedures listed by the most of these articles, with how many list each."""
    if not ids:
        return []
    return [(r.code, int(r.n)) for r in _run(session, _PROCEDURE_CROSSWALK, {"ids": list(ids), "limit": limit})]


def known_states(session: Session) -> set[str]:
    return {r[0] for r in _run(session, text("SELECT DISTINCT state FROM coverage_contractor_states"))}


def known_contractor(session: Session, number: str) -> bool:
    row = _run(session, text("SELECT 1 FROM coverage_contractors WHERE number = :n"), {"n": number}).first()
    return row is not None
