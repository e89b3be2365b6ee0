"""the type each report gave an entity, kept on its mentions

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mentions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("type", sa.String(length=20), nullable=True))
    op.execute(
        "UPDATE mentions SET type = (SELECT type FROM entities WHERE entities.id = entity_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("mentions", schema=None) as batch_op:
        batch_op.drop_column("type")
