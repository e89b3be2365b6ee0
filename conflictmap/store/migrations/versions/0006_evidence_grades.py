"""Admiralty-style grade of each claim: source reliability and information credibility

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reliability", sa.String(length=1), nullable=True))
        batch_op.add_column(sa.Column("credibility", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_column("credibility")
        batch_op.drop_column("reliability")
