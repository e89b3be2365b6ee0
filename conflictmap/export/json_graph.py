"""The full graph as JSON: ``Store.export()`` with the snapshot as its ``metadata`` member.

The members are described in docs/exports.md.
"""

from __future__ import annotations

import json


def render(graph: dict, meta: dict) -> str:
    return json.dumps({**graph, "metadata": meta}, ensure_ascii=False, indent=2, default=str)
