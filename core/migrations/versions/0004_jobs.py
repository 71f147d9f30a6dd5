"""Job board: postings, board settings, feeds, digest subscriptions and the digest send log.

Revision ID: 0004_jobs
Revises: 0001_catalog
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_jobs"
down_revision = "0001_catalog"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "job_postings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(64), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("employer", sa.String(200), nullable=False),
        sa.Column("location", sa.String(200), nullable=False),
        sa.Column("workplace", sa.String(16), nullable=False),
        sa.Column("employment_type", sa.String(32), nullable=False),
        sa.Column("credentials", sa.String(200), nullable=False),
        sa.Column("specialty", sa.String(200), nullable=False),
        sa.Column("experience", sa.String(100), nullable=False),
        sa.Column("salary_min", sa.Integer, nullable=True),
        sa.Column("salary_max", sa.Integer, nullable=True),
        sa.Column("apply_url", sa.String(1000), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("posted_by", sa.String(64), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("expires_at", _TS, nullable=False),
        sa.Column("live_at", _TS, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("source_id", sa.String(500), nullable=False),
        sa.Column("moderated_by", sa.String(64), nullable=False),
        sa.UniqueConstraint("platform", "workspace_id", "source_id", name="uq_job_postings_source"),
    )
    op.create_index("ix_job_postings_board", "job_postings",
                    ["platform", "workspace_id", "status", "live_at"])
    op.create_index("ix_job_postings_url", "job_postings", ["platform", "workspace_id", "apply_url"])
    op.create_table(
        "job_board_settings",
        sa.Column("platform", sa.String(16), primary_key=True),
        sa.Column("workspace_id", sa.String(64), primary_key=True),
        sa.Column("require_approval", sa.Boolean, nullable=False),
    )
    op.create_table(
        "job_feeds",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(64), nullable=False),
        sa.Column("url", sa.String(1000), nullable=False),
        sa.Column("added_by", sa.String(64), nullable=False),
        sa.Column("added_at", _TS, nullable=False),
        sa.Column("etag", sa.String(300), nullable=False),
        sa.Column("last_modified", sa.String(100), nullable=False),
        sa.Column("checked_at", _TS, nullable=True),
        sa.Column("ok_at", _TS, nullable=True),
        sa.Column("imported_total", sa.Integer, nullable=False),
        sa.Column("error", sa.String(300), nullable=False),
        sa.Column("error_reported", sa.Boolean, nullable=False),
        sa.UniqueConstraint("platform", "workspace_id", "url", name="uq_job_feeds_url"),
    )
    op.create_table(
        "digest_subscriptions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(64), nullable=False),
        sa.Column("channel_id", sa.String(64), nullable=False),
        sa.Column("subscriber_id", sa.String(64), nullable=False),
        sa.Column("local_time", sa.String(5), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("filters", sa.String(300), nullable=False),
        sa.Column("cap", sa.Integer, nullable=False),
        sa.Column("post_when_empty", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("pause_reason", sa.String(100), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("since", _TS, nullable=False),
        sa.UniqueConstraint("platform", "workspace_id", "channel_id", name="uq_digest_subscriptions_channel"),
    )
    op.create_table(
        "digest_sends",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("subscription_id", sa.Integer,
                  sa.ForeignKey("digest_subscriptions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("local_date", sa.Date, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("claimed_by", sa.String(64), nullable=False),
        sa.Column("claimed_at", _TS, nullable=False),
        sa.Column("window_end", _TS, nullable=False),
        sa.Column("finished_at", _TS, nullable=True),
        sa.Column("posting_count", sa.Integer, nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.UniqueConstraint("subscription_id", "local_date", name="uq_digest_sends_day"),
    )


def downgrade() -> None:
    op.drop_table("digest_sends")
    op.drop_table("digest_subscriptions")
    op.drop_table("job_feeds")
    op.drop_table("job_board_settings")
    op.drop_index("ix_job_postings_url", "job_postings")
    op.drop_index("ix_job_postings_board", "job_postings")
    op.drop_table("job_postings")
