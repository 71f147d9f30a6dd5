"""Job boards remember a digest time zone: the first one someone gave, or what an admin set.

Revision ID: 0006_board_timezone
Revises: 0005_one_head
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_board_timezone"
down_revision = "0005_one_head"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("job_board_settings") as batch:
        batch.add_column(sa.Column("timezone", sa.String(64), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("job_board_settings") as batch:
        batch.drop_column("timezone")
