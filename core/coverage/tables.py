"""Tables for the imported MCD article export, shaped for the questions asked of them.

Articles, contractors and their states are small. The two large tables hold one row per code an
article lists: procedures (`coverage_procedures`) and diagnoses (`coverage_diagnoses`, covered and
non-covered). Each code row keeps its place inside its group (`position`) so a page of a listing is
one index range, and `coverage_groups` holds each group's size so paging never counts rows. Runs the
article wrote as a range ("I48.0-I48.92") are also kept whole in `coverage_ranges`, so a code inside
a range is found even when the export lists only its ends.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base

COVERAGE_DATASET = "coverage"  # the datasets row that records the export date and counts

# coverage_ranges.kind
PROCEDURE = "procedure"
COVERED = "covered"
NONCOVERED = "noncovered"


class CoverageArticle(Base):
    """One billing and coding article (the version the export carries)."""

    __tablename__ = "coverage_articles"

    article_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    article_version: Mapped[int] = mapped_column(Integer)
    display_id: Mapped[str] = mapped_column(String(16))  # "A57326"
    title: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32), default="")
    effective: Mapped[str] = mapped_column(String(10), default="")  # YYYY-MM-DD as CMS gives it
    ends: Mapped[str] = mapped_column(String(10), default="")


class CoverageContractor(Base):
    """A Medicare contractor (MAC) as the export names it: CMS keys it by id, type and version."""

    __tablename__ = "coverage_contractors"

    contractor_key: Mapped[str] = mapped_column(String(40), primary_key=True)  # "id-type-version"
    number: Mapped[str] = mapped_column(String(16))  # "09102": the jurisdiction's contractor number
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(100), default="")  # "A and B MAC", "DME MAC"


class CoverageContractorState(Base):
    """A state (postal abbreviation) in a contractor's jurisdiction."""

    __tablename__ = "coverage_contractor_states"

    contractor_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    state: Mapped[str] = mapped_column(String(2), primary_key=True)


class CoverageArticleContractor(Base):
    __tablename__ = "coverage_article_contractors"

    article_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    contractor_key: Mapped[str] = mapped_column(String(40), primary_key=True)


class CoverageProcedure(Base):
    """A CPT or HCPCS code an article lists, in its group, at its place in that group."""

    __tablename__ = "coverage_procedures"

    article_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    group_no: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    code: Mapped[str] = mapped_column(String(8))
    in_range: Mapped[str] = mapped_column(String(20), default="")  # "93000-93010" when written as a range

    __table_args__ = (Index("ix_coverage_procedures_code", "code", "article_id"),)


class CoverageDiagnosis(Base):
    """An ICD-10-CM code an article lists as covered (supports the procedures) or not covered."""

    __tablename__ = "coverage_diagnoses"

    article_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    covered: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    group_no: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    code: Mapped[str] = mapped_column(String(8))
    in_range: Mapped[str] = mapped_column(String(20), default="")
    asterisk: Mapped[bool] = mapped_column(Boolean, default=False)  # the article's footnote applies

    __table_args__ = (Index("ix_coverage_diagnoses_code", "code", "covered", "article_id"),)


class CoverageGroup(Base):
    """How many codes one group of one article holds (procedures, covered or non-covered)."""

    __tablename__ = "coverage_groups"

    article_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(12), primary_key=True)
    group_no: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    code_count: Mapped[int] = mapped_column(Integer)


class CoverageRange(Base):
    """A run of codes the article wrote as a range: first and last code, inclusive."""

    __tablename__ = "coverage_ranges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    article_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(12))
    group_no: Mapped[int] = mapped_column(Integer)
    first_code: Mapped[str] = mapped_column(String(8))
    last_code: Mapped[str] = mapped_column(String(8))

    __table_args__ = (Index("ix_coverage_ranges_kind", "kind", "first_code"),
                      Index("ix_coverage_ranges_article", "article_id", "kind"))


ALL_TABLES = (CoverageRange, CoverageGroup, CoverageDiagnosis, CoverageProcedure, CoverageArticleContractor,
              CoverageContractorState, CoverageContractor, CoverageArticle)
