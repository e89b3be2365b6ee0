"""unnamed actors and targets of events, and ACLED interaction codes

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("actor_phrase", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("target_phrase", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("inter1", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("inter2", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        for column in ("inter2", "inter1", "target_phrase", "actor_phrase"):
            batch_op.drop_column(column)
