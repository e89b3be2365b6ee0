"""Exports of the knowledge graph, each derived from one snapshot (``Store.export()``).

>>> from conflictmap.export import write
>>> write(store, "stix", "graph.stix.json")

Formats: ``json`` (the full graph), ``acled-csv``, ``stix`` (STIX 2.1 bundle), ``graphml``,
``gexf`` and ``geojson``; docs/exports.md describes each mapping. Every format records the
snapshot (corpus, model, code version, store time): in the file where the format allows, in
a ``FILE.snapshot.json`` beside an ACLED CSV.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from conflictmap.export.snapshot import snapshot, store_as_of

if TYPE_CHECKING:
    from conflictmap.store.repository import Store

__all__ = ["FORMATS", "graph_and_snapshot", "render", "snapshot", "write"]

FORMATS: tuple[str, ...] = ("json", "acled-csv", "stix", "graphml", "gexf", "geojson")
SIDECAR_SUFFIX = ".snapshot.json"


def _renderer(fmt: str) -> Callable[[dict, dict], str]:
    if fmt == "json":
        from conflictmap.export.json_graph import render
    elif fmt == "acled-csv":
        from conflictmap.export.acled_csv import render
    elif fmt == "stix":
        from conflictmap.export.stix import render
    elif fmt == "graphml":
        from conflictmap.export.graphml import render_graphml as render
    elif fmt == "gexf":
        from conflictmap.export.graphml import render_gexf as render
    elif fmt == "geojson":
        from conflictmap.export.geojson import render
    else:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return render


def graph_and_snapshot(source: Store | dict) -> tuple[dict, dict[str, Any]]:
    """The graph of a store (or a graph dict as is) and its snapshot record."""
    if isinstance(source, dict):
        metadata = source.get("metadata")
        graph = {k: v for k, v in source.items() if k != "metadata"}
        return graph, metadata or snapshot(graph)
    graph = source.export()
    return graph, snapshot(graph, store_as_of(source))


def render(source: Store | dict, fmt: str) -> str:
    """The export of a store or graph dict in ``fmt``, as text."""
    renderer = _renderer(fmt)
    graph, meta = graph_and_snapshot(source)
    return renderer(graph, meta)


def write(source: Store | dict, fmt: str, path: str | Path) -> list[Path]:
    """Write the export to ``path`` (UTF-8); the files written, the ACLED CSV's snapshot
    file second."""
    renderer = _renderer(fmt)
    graph, meta = graph_and_snapshot(source)
    path = Path(path)
    path.write_text(renderer(graph, meta).rstrip("\n") + "\n", encoding="utf-8", newline="")
    if fmt != "acled-csv":
        return [path]
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    sidecar.write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return [path, sidecar]
