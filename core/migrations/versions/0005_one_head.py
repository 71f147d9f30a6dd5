"""Join the accounts, Slack and jobs branches (each revised 0001) into one head.

Revision ID: 0005_one_head
Revises: 0002_accounts, 0003_slack, 0004_jobs
"""

from __future__ import annotations

revision = "0005_one_head"
down_revision = ("0002_accounts", "0003_slack", "0004_jobs")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: the three branches touch separate tables."""


def downgrade() -> None:
    """Nothing to undo."""
