"""Scaling out: extraction on a cluster (``ray_engine``), writes still on one driver."""
