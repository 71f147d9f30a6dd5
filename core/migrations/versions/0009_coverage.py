"""Medicare coverage: the MCD article export (articles, contractors, states, procedure and diagnosis
codes, group sizes and written ranges).

Revision ID: 0009_coverage
Revises: 0008_edits
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_coverage"
down_revision = "0008_edits"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "coverage_articles",
        sa.Column("article_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("article_version", sa.Integer, nullable=False),
        sa.Column("display_id", sa.String(16), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("effective", sa.String(10), nullable=False),
        sa.Column("ends", sa.String(10), nullable=False),
    )
    op.create_table(
        "coverage_contractors",
        sa.Column("contractor_key", sa.String(40), primary_key=True),
        sa.Column("number", sa.String(16), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(100), nullable=False),
    )
    op.create_table(
        "coverage_contractor_states",
        sa.Column("contractor_key", sa.String(40), primary_key=True),
        sa.Column("state", sa.String(2), primary_key=True),
    )
    op.create_table(
        "coverage_article_contractors",
        sa.Column("article_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("contractor_key", sa.String(40), primary_key=True),
    )
    op.create_table(
        "coverage_procedures",
        sa.Column("article_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("group_no", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("code", sa.String(8), nullable=False),
        sa.Column("in_range", sa.String(20), nullable=False),
    )
    op.create_index("ix_coverage_procedures_code", "coverage_procedures", ["code", "article_id"])
    op.create_table(
        "coverage_diagnoses",
        sa.Column("article_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("covered", sa.Boolean, primary_key=True),
        sa.Column("group_no", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("code", sa.String(8), nullable=False),
        sa.Column("in_range", sa.String(20), nullable=False),
        sa.Column("asterisk", sa.Boolean, nullable=False),
    )
    op.create_index("ix_coverage_diagnoses_code", "coverage_diagnoses", ["code", "covered", "article_id"])
    op.create_table(
        "coverage_groups",
        sa.Column("article_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(12), primary_key=True),
        sa.Column("group_no", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("code_count", sa.Integer, nullable=False),
    )
    op.create_table(
        "coverage_ranges",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("article_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("group_no", sa.Integer, nullable=False),
        sa.Column("first_code", sa.String(8), nullable=False),
        sa.Column("last_code", sa.String(8), nullable=False),
    )
    op.create_index("ix_coverage_ranges_kind", "coverage_ranges", ["kind", "first_code"])
    op.create_index("ix_coverage_ranges_article", "coverage_ranges", ["article_id", "kind"])


def downgrade() -> None:
    for name in ("coverage_ranges", "coverage_groups", "coverage_diagnoses", "coverage_procedures",
                 "coverage_article_contractors", "coverage_contractor_states", "coverage_contractors",
                 "coverage_articles"):
        op.drop_table(name)
