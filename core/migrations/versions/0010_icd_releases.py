"""Imported ICD-10-CM releases (codedesk import icd10cm): the rows and the history against the one before.

Revision ID: 0010_icd_releases
Revises: 0009_coverage
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_icd_releases"
down_revision = "0009_coverage"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "icd_releases",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("fiscal_year", sa.Integer, nullable=False),
        sa.Column("update_label", sa.String(40), nullable=False),
        sa.Column("effective", sa.Date, nullable=False),
        sa.Column("files", sa.String(300), nullable=False),
        sa.Column("record_count", sa.Integer, nullable=False),
        sa.Column("billable_count", sa.Integer, nullable=False),
        sa.Column("rows", sa.LargeBinary, nullable=False),
        sa.Column("history", sa.Text, nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("icd_releases")
