"""The web edge of conflictmap: a JSON REST API (``conflictmap serve``).

>>> from conflictmap.web import create_app
>>> app = create_app("mali.db", token="s3cret")
"""

from __future__ import annotations

from conflictmap.web.api import create_app

__all__ = ["create_app"]
