"""The edit and fee tables: one row per imported release (a kind of file for one quarter or year),
and the rows of each release. Releases sit side by side, so several quarters can be asked about.

`edit_ptp` is the big one (about 4.5 million rows a quarter): a clustered key of (release, pair,
effective date) with the pair as one integer (core/edits/codes.py), rationale text stored once in
`edit_ptp_rationales`, dates as YYYYMMDD integers. On SQLite it is a WITHOUT ROWID table, so each
row is stored once, in key order, and a pair lookup is a single index probe.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow


class ReleaseKind:
    """What a release holds; the kind decides which table its rows live in."""

    PTP_PRACTITIONER = "ptp_practitioner"
    PTP_HOSPITAL = "ptp_hospital"
    MUE_PRACTITIONER = "mue_practitioner"
    MUE_HOSPITAL = "mue_hospital"
    MUE_DME = "mue_dme"
    AOC = "aoc"
    RVU = "rvu"  # the non-QPP PPRRVU file (the only one before 2026)
    RVU_QPP = "rvu_qpp"  # qualifying APM participants' conversion factor (2026 on)
    GPCI = "gpci"


class EditRelease(Base):
    __tablename__ = "edit_releases"
    __table_args__ = (UniqueConstraint("kind", "period", name="uq_edit_releases_kind_period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(8))  # "2026Q4" or "2026"
    starts: Mapped[date] = mapped_column(Date)  # the first day it applies to
    source: Mapped[str] = mapped_column(String(1000))  # the file names it came from
    row_count: Mapped[int] = mapped_column(Integer)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def _ptp_table() -> Table:
    return Table(
        "edit_ptp", Base.metadata,
        Column("release_id", Integer, primary_key=True),
        Column("pair", BigInteger, primary_key=True),  # column 1 and column 2, integer-encoded
        Column("effective", Integer, primary_key=True),  # YYYYMMDD
        Column("deletion", Integer, nullable=True),  # YYYYMMDD; NULL: still in force
        Column("modifier", SmallInteger, nullable=False),  # 0, 1 or 9
        Column("rationale_id", SmallInteger, nullable=False),
        Column("prior_1996", Boolean, nullable=False),
        sqlite_with_rowid=False,
    )


edit_ptp = _ptp_table()

edit_ptp_rationales = Table(
    "edit_ptp_rationales", Base.metadata,
    Column("id", SmallInteger, primary_key=True, autoincrement=False),
    Column("text", String(300), nullable=False, unique=True),
)

edit_mue = Table(
    "edit_mue", Base.metadata,
    Column("release_id", Integer, primary_key=True),
    Column("code", String(5), primary_key=True),
    Column("units", Integer, nullable=False),
    Column("indicator", SmallInteger, nullable=False),  # 1 line, 2 date of service (policy), 3 (clinical)
    Column("indicator_text", String(100), nullable=False),
    Column("rationale", String(300), nullable=False),
)

edit_aoc = Table(
    "edit_aoc", Base.metadata,
    Column("release_id", Integer, primary_key=True),
    Column("addon", String(5), primary_key=True),
    Column("primary_code", String(5), primary_key=True),  # CCCCC: the contractor defines primaries
    Column("edit_type", SmallInteger, nullable=False),
    Column("effective", Date, nullable=True),
    Column("deletion", Date, nullable=True),
    Column("addon_deleted", Date, nullable=True),
    Column("primary_deleted", Date, nullable=True),
    Column("notes", String(500), nullable=False),
)

edit_rvu = Table(
    "edit_rvu", Base.metadata,
    Column("release_id", Integer, primary_key=True),
    Column("code", String(5), primary_key=True),
    Column("modifier", String(2), primary_key=True),  # "" for the global service
    Column("status", String(2), nullable=False),
    Column("work", Float, nullable=False),
    Column("pe_nonfacility", Float, nullable=False),
    Column("pe_nonfacility_na", Boolean, nullable=False),
    Column("pe_facility", Float, nullable=False),
    Column("pe_facility_na", Boolean, nullable=False),
    Column("mp", Float, nullable=False),
    Column("pctc", String(1), nullable=False),
    Column("global_days", String(3), nullable=False),
    Column("multiple_procedure", String(1), nullable=False),
    Column("bilateral", String(1), nullable=False),
    Column("assistant", String(1), nullable=False),
    Column("co_surgeon", String(1), nullable=False),
    Column("team", String(1), nullable=False),
    Column("conversion_factor", Float, nullable=False),
)

edit_gpci = Table(
    "edit_gpci", Base.metadata,
    Column("release_id", Integer, primary_key=True),
    Column("row_number", Integer, primary_key=True),
    Column("mac", String(10), nullable=False),
    Column("state", String(2), nullable=False),
    Column("locality", String(4), nullable=False),
    Column("name", String(200), nullable=False),
    Column("work", Float, nullable=False),
    Column("pe", Float, nullable=False),
    Column("mp", Float, nullable=False),
)


class CodeRelease(Base):
    """One release of a code set (HCPCS 2020, ICD-10-CM 2026) kept for `/changes`."""

    __tablename__ = "code_releases"
    __table_args__ = (UniqueConstraint("system", "version", name="uq_code_releases_system_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    system: Mapped[str] = mapped_column(String(16))
    version: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(300))
    code_count: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


code_release_entries = Table(
    "code_release_entries", Base.metadata,
    Column("release_id", Integer, primary_key=True),
    Column("code", String(16), primary_key=True),
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("terminated", Date, nullable=True),
)


class EditWatch(Base):
    """A channel asked to hear when an import changes a code (`/changes watch 29881`)."""

    __tablename__ = "edit_watches"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    added_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class EditNotice(Base):
    """A notice queued by an import for a watching channel; the scheduler claims and posts it."""

    __tablename__ = "edit_notices"
    __table_args__ = (Index("ix_edit_notices_state", "state", "platform"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace_id: Mapped[str] = mapped_column(String(64))
    channel_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="queued")  # queued, sending, sent, failed, gone
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
