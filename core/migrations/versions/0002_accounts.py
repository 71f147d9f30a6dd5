"""Accounts and code-view quotas: accounts, identities, view counters and records, link codes,
workspace plans and the grant audit log.

Revision ID: 0002_accounts
Revises: 0001_catalog
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_accounts"
down_revision = "0001_catalog"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("terms_version", sa.String(32), nullable=False),
        sa.Column("consented_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "identities",
        sa.Column("platform", sa.String(16), primary_key=True),
        sa.Column("workspace_id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True),
        sa.Column("granted_tier", sa.String(16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_identities_account_id", "identities", ["account_id"])
    op.create_table(
        "view_counters",
        sa.Column("subject", sa.String(200), primary_key=True),
        sa.Column("window", sa.String(16), primary_key=True),
        sa.Column("used", sa.Integer, nullable=False),
    )
    op.create_table(
        "code_views",
        sa.Column("subject", sa.String(200), primary_key=True),
        sa.Column("window", sa.String(16), primary_key=True),
        sa.Column("system", sa.String(16), primary_key=True),
        sa.Column("code", sa.String(16), primary_key=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("viewed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_code_views_workspace_id", "code_views", ["workspace_id"])
    op.create_table(
        "link_codes",
        sa.Column("code_hash", sa.String(64), primary_key=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_link_codes_account_id", "link_codes", ["account_id"])
    op.create_table(
        "workspace_plans",
        sa.Column("platform", sa.String(16), primary_key=True),
        sa.Column("workspace_id", sa.String(64), primary_key=True),
        sa.Column("plan", sa.String(16), nullable=False),
        sa.Column("set_by", sa.String(64), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "grant_audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(64), nullable=False),
        sa.Column("admin_user_id", sa.String(64), nullable=False),
        sa.Column("target_user_id", sa.String(64), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("value", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_grant_audit_workspace_id", "grant_audit", ["workspace_id"])


def downgrade() -> None:
    op.drop_table("grant_audit")
    op.drop_table("workspace_plans")
    op.drop_table("link_codes")
    op.drop_table("code_views")
    op.drop_table("view_counters")
    op.drop_table("identities")
    op.drop_table("accounts")
