"""Edits and fees: NCCI PTP, MUE, add-on edits, PFS RVUs and GPCIs by release; code-set releases
for /changes; change watches and their queued notices.

Revision ID: 0008_edits
Revises: 0007_consult
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_edits"
down_revision = "0007_consult"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "edit_releases",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("period", sa.String(8), nullable=False),
        sa.Column("starts", sa.Date, nullable=False),
        sa.Column("source", sa.String(1000), nullable=False),
        sa.Column("row_count", sa.Integer, nullable=False),
        sa.Column("detail", sa.JSON, nullable=False),
        sa.Column("imported_at", _TS, nullable=False),
        sa.UniqueConstraint("kind", "period", name="uq_edit_releases_kind_period"),
    )
    op.create_table(
        "edit_ptp",
        sa.Column("release_id", sa.Integer, primary_key=True),
        sa.Column("pair", sa.BigInteger, primary_key=True),
        sa.Column("effective", sa.Integer, primary_key=True),
        sa.Column("deletion", sa.Integer, nullable=True),
        sa.Column("modifier", sa.SmallInteger, nullable=False),
        sa.Column("rationale_id", sa.SmallInteger, nullable=False),
        sa.Column("prior_1996", sa.Boolean, nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "edit_ptp_rationales",
        sa.Column("id", sa.SmallInteger, primary_key=True, autoincrement=False),
        sa.Column("text", sa.String(300), nullable=False, unique=True),
    )
    op.create_table(
        "edit_mue",
        sa.Column("release_id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(5), primary_key=True),
        sa.Column("units", sa.Integer, nullable=False),
        sa.Column("indicator", sa.SmallInteger, nullable=False),
        sa.Column("indicator_text", sa.String(100), nullable=False),
        sa.Column("rationale", sa.String(300), nullable=False),
    )
    op.create_table(
        "edit_aoc",
        sa.Column("release_id", sa.Integer, primary_key=True),
        sa.Column("addon", sa.String(5), primary_key=True),
        sa.Column("primary_code", sa.String(5), primary_key=True),
        sa.Column("edit_type", sa.SmallInteger, nullable=False),
        sa.Column("effective", sa.Date, nullable=True),
        sa.Column("deletion", sa.Date, nullable=True),
        sa.Column("addon_deleted", sa.Date, nullable=True),
        sa.Column("primary_deleted", sa.Date, nullable=True),
        sa.Column("notes", sa.String(500), nullable=False),
    )
    op.create_table(
        "edit_rvu",
        sa.Column("release_id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(5), primary_key=True),
        sa.Column("modifier", sa.String(2), primary_key=True),
        sa.Column("status", sa.String(2), nullable=False),
        sa.Column("work", sa.Float, nullable=False),
        sa.Column("pe_nonfacility", sa.Float, nullable=False),
        sa.Column("pe_nonfacility_na", sa.Boolean, nullable=False),
        sa.Column("pe_facility", sa.Float, nullable=False),
        sa.Column("pe_facility_na", sa.Boolean, nullable=False),
        sa.Column("mp", sa.Float, nullable=False),
        sa.Column("pctc", sa.String(1), nullable=False),
        sa.Column("global_days", sa.String(3), nullable=False),
        sa.Column("multiple_procedure", sa.String(1), nullable=False),
        sa.Column("bilateral", sa.String(1), nullable=False),
        sa.Column("assistant", sa.String(1), nullable=False),
        sa.Column("co_surgeon", sa.String(1), nullable=False),
        sa.Column("team", sa.String(1), nullable=False),
        sa.Column("conversion_factor", sa.Float, nullable=False),
    )
    op.create_table(
        "edit_gpci",
        sa.Column("release_id", sa.Integer, primary_key=True),
        sa.Column("row_number", sa.Integer, primary_key=True),
        sa.Column("mac", sa.String(10), nullable=False),
        sa.Column("state", sa.String(2), nullable=False),
        sa.Column("locality", sa.String(4), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("work", sa.Float, nullable=False),
        sa.Column("pe", sa.Float, nullable=False),
        sa.Column("mp", sa.Float, nullable=False),
    )
    op.create_table(
        "code_releases",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("system", sa.String(16), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("code_count", sa.Integer, nullable=False),
        sa.Column("imported_at", _TS, nullable=False),
        sa.UniqueConstraint("system", "version", name="uq_code_releases_system_version"),
    )
    op.create_table(
        "code_release_entries",
        sa.Column("release_id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(16), primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("terminated", sa.Date, nullable=True),
    )
    op.create_table(
        "edit_watches",
        sa.Column("platform", sa.String(16), primary_key=True),
        sa.Column("workspace_id", sa.String(64), primary_key=True),
        sa.Column("channel_id", sa.String(64), primary_key=True),
        sa.Column("code", sa.String(16), primary_key=True),
        sa.Column("added_by", sa.String(64), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_table(
        "edit_notices",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(64), nullable=False),
        sa.Column("channel_id", sa.String(64), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("sent_at", _TS, nullable=True),
    )
    op.create_index("ix_edit_notices_state", "edit_notices", ["state", "platform"])


def downgrade() -> None:
    op.drop_index("ix_edit_notices_state", table_name="edit_notices")
    for table in ("edit_notices", "edit_watches", "code_release_entries", "code_releases", "edit_gpci",
                  "edit_rvu", "edit_aoc", "edit_mue", "edit_ptp_rationales", "edit_ptp", "edit_releases"):
        op.drop_table(table)
