"""Consult: experts channel and ticket counter per workspace, consultants, tickets, monthly counters,
reminder claims and the delivery outbox.

Revision ID: 0007_consult
Revises: 0006_board_timezone
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_consult"
down_revision = "0006_board_timezone"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "consult_desks",
        sa.Column("platform", sa.String(16), primary_key=True),
        sa.Column("workspace_id", sa.String(64), primary_key=True),
        sa.Column("channel_id", sa.String(100), nullable=False),
        sa.Column("last_number", sa.Integer, nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
    )
    op.create_table(
        "consult_experts",
        sa.Column("platform", sa.String(16), primary_key=True),
        sa.Column("workspace_id", sa.String(64), primary_key=True),
        sa.Column("email", sa.String(254), primary_key=True),
        sa.Column("added_by", sa.String(64), nullable=False),
        sa.Column("added_at", _TS, nullable=False),
    )
    op.create_table(
        "consult_tickets",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(64), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("asker_id", sa.String(64), nullable=False),
        sa.Column("asker_name", sa.String(100), nullable=False),
        sa.Column("asker_channel_id", sa.String(100), nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("codes", sa.String(300), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("claimed_by", sa.String(64), nullable=False),
        sa.Column("claimed_by_name", sa.String(100), nullable=False),
        sa.Column("claimed_at", _TS, nullable=True),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("answered_by", sa.String(64), nullable=False),
        sa.Column("answered_by_name", sa.String(100), nullable=False),
        sa.Column("answered_at", _TS, nullable=True),
        sa.Column("closed_at", _TS, nullable=True),
        sa.Column("post_channel_id", sa.String(100), nullable=False),
        sa.Column("post_message_id", sa.String(100), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.UniqueConstraint("platform", "workspace_id", "number", name="uq_consult_ticket_number"),
    )
    op.create_index("ix_consult_tickets_post", "consult_tickets", ["platform", "workspace_id", "post_message_id"])
    op.create_index("ix_consult_tickets_status", "consult_tickets", ["status", "created_at"])
    op.create_table(
        "consult_counters",
        sa.Column("subject", sa.String(200), primary_key=True),
        sa.Column("window", sa.String(16), primary_key=True),
        sa.Column("used", sa.Integer, nullable=False),
    )
    op.create_table(
        "consult_reminders",
        sa.Column("ticket_id", sa.Integer, sa.ForeignKey("consult_tickets.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("replica", sa.String(100), nullable=False),
        sa.Column("sent_at", _TS, nullable=False),
    )
    op.create_table(
        "consult_outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ticket_id", sa.Integer, sa.ForeignKey("consult_tickets.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("medium", sa.String(8), nullable=False),
        sa.Column("template", sa.String(16), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(64), nullable=False),
        sa.Column("target", sa.String(254), nullable=False),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_at", _TS, nullable=False),
        sa.Column("lease_until", _TS, nullable=True),
        sa.Column("last_error", sa.String(200), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("sent_at", _TS, nullable=True),
    )
    op.create_index("ix_consult_outbox_ticket_id", "consult_outbox", ["ticket_id"])
    op.create_index("ix_consult_outbox_due", "consult_outbox", ["state", "next_at"])


def downgrade() -> None:
    for table in ("consult_outbox", "consult_reminders", "consult_counters", "consult_tickets",
                  "consult_experts", "consult_desks"):
        op.drop_table(table)
