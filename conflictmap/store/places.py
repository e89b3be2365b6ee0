"""Place filters of event queries: in a bounding box, within a radius of a point.

With PostGIS in a PostgreSQL database (created by migration 0010 where the server has it),
the filters use spatial predicates on the places' points, served by GiST indexes on them;
elsewhere they are plain comparisons of latitude and longitude (radius: a latitude band in
SQL, then the great-circle distance in Python). Both give the same places: boxes include
their edges, and distances are on the sphere PostGIS uses for ``use_spheroid => false``.
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection, Engine

from conflictmap.store.schema import EntityRow

# PostGIS's sphere for geography without spheroid: the mean radius of WGS 84, (2a + b) / 3.
EARTH_RADIUS_M = 6371008.7714150598
SRID = 4326  # WGS 84 longitude/latitude

BBox = tuple[float, float, float, float]  # min_lon, min_lat, max_lon, max_lat
Circle = tuple[float, float, float]  # lon, lat, radius in km


def has_postgis(engine: Engine) -> bool:
    """Whether the database is PostgreSQL with the ``postgis`` extension created."""
    if engine.dialect.name != "postgresql":
        return False
    with engine.connect() as connection:
        query = text("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")
        return connection.scalar(query) is not None


def point() -> Any:
    """A place's point; the expression migration 0010 indexes."""
    return func.ST_SetSRID(func.ST_MakePoint(EntityRow.longitude, EntityRow.latitude), SRID)


def in_box(bbox: BBox, postgis: bool) -> Any:
    """A condition on ``EntityRow``: the place lies in ``bbox`` (edges included)."""
    min_lon, min_lat, max_lon, max_lat = bbox
    plain = EntityRow.longitude.between(min_lon, max_lon) & EntityRow.latitude.between(
        min_lat, max_lat
    )
    if not postgis:
        return plain
    # && compares boxes with float4 bounds rounded outwards: found through the GiST index, it
    # never misses a place, and the exact comparison drops the few extra it lets through.
    envelope = func.ST_MakeEnvelope(min_lon, min_lat, max_lon, max_lat, SRID)
    return point().op("&&")(envelope) & plain


def within(connection: Connection, circle: Circle, postgis: bool) -> Any:
    """A condition on ``EntityRow``: the place is at most ``radius`` km from the centre."""
    lon, lat, km = circle
    if postgis:
        centre = func.ST_SetSRID(func.ST_MakePoint(lon, lat), SRID)
        return func.ST_DWithin(func.geography(point()), func.geography(centre), km * 1000.0, False)
    return EntityRow.id.in_(_ids_within(connection, circle))


def _ids_within(connection: Connection, circle: Circle) -> list[int]:
    lon, lat, km = circle
    # A margin over the band's exact half-width: rounding must not cut an edge place off.
    band = math.degrees(km * 1000.0 / EARTH_RADIUS_M) * (1 + 1e-9) + 1e-9
    rows = connection.execute(
        select(EntityRow.id, EntityRow.longitude, EntityRow.latitude).where(
            EntityRow.latitude.between(lat - band, lat + band),
            EntityRow.longitude.is_not(None),
        )
    )
    return [i for i, x, y in rows if distance_km(lon, lat, x, y) <= km]


def distance_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle (haversine) distance on PostGIS's sphere."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h))) / 1000.0
