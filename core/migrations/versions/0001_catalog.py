"""Catalog tables: imported data sets and the codes they hold.

Revision ID: 0001_catalog
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_catalog"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "datasets",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("record_count", sa.Integer, nullable=False),
        sa.Column("detail", sa.JSON, nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "imported_codes",
        sa.Column("system", sa.String(16), primary_key=True),
        sa.Column("code", sa.String(16), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("section", sa.String(200), nullable=False),
        sa.Column("effective", sa.Date, nullable=True),
        sa.Column("terminated", sa.Date, nullable=True),
        sa.Column("attributes", sa.JSON, nullable=False),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("imported_codes")
    op.drop_table("datasets")
