"""PostGIS for place queries, where the PostgreSQL server has it

Revision ID: 0010
Revises: 0009

On PostgreSQL, creates the ``postgis`` extension if the server has it and the role may,
then GiST indexes on the places' points (as geometry for boxes, as geography for radius
queries: ``conflictmap.store.places``). Nothing changes on SQLite or without PostGIS: the
place filters then compare latitude and longitude.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

POINT = "ST_SetSRID(ST_MakePoint(longitude, latitude), 4326)"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql" or not _create_postgis(bind):
        return
    op.execute(f"CREATE INDEX ix_entities_point ON entities USING gist (({POINT}))")
    op.execute(f"CREATE INDEX ix_entities_geography ON entities USING gist ((geography({POINT})))")


def _create_postgis(bind: sa.engine.Connection) -> bool:
    available = sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")
    if bind.scalar(available) is None:
        return False
    try:
        # a savepoint: a refused CREATE EXTENSION must not abort the migration's transaction
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS postgis"))
    except sa.exc.DBAPIError:
        return False  # not allowed to create it (a superuser may, later)
    return True


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_entities_geography")
        op.execute("DROP INDEX IF EXISTS ix_entities_point")
