"""entity blocking keys for fuzzy cross-document matching

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "entity_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(["entity_id"], ["entities.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("entity_id", "key"),
    )
    with op.batch_alter_table("entity_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_entity_keys_entity_id"), ["entity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_entity_keys_key"), ["key"], unique=False)
    _backfill()


def _backfill() -> None:
    """Keys for the entities already stored."""
    from conflictmap.resolve import Candidate, blocking_keys

    bind = op.get_bind()
    names: dict[int, list[str]] = {}
    for entity_id, name in bind.execute(sa.text("SELECT entity_id, name FROM aliases")):
        names.setdefault(entity_id, []).append(name)
    rows = []
    for entity_id, canonical, etype in bind.execute(
        sa.text("SELECT id, canonical, type FROM entities WHERE type != 'LOCATION'")
    ):
        candidate = Candidate(canonical, etype, tuple(names.get(entity_id, ())))
        rows += [{"entity_id": entity_id, "key": key} for key in blocking_keys(candidate)]
    if rows:
        bind.execute(
            sa.text("INSERT INTO entity_keys (entity_id, key) VALUES (:entity_id, :key)"), rows
        )


def downgrade() -> None:
    with op.batch_alter_table("entity_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entity_keys_key"))
        batch_op.drop_index(batch_op.f("ix_entity_keys_entity_id"))
    op.drop_table("entity_keys")
