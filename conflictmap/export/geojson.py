"""GeoJSON (RFC 7946): one FeatureCollection of events and places.

An event is a Point at its place, a place a Point at its GeoNames position; coordinates are
[longitude, latitude] (WGS84). Events and places without coordinates are kept with a null
geometry, as RFC 7946 allows, so that the collection holds every stored event. The snapshot
is the collection's ``metadata`` member.
"""

from __future__ import annotations

import json
from typing import Any

from conflictmap.export.graph_index import GraphIndex


def render(graph: dict, meta: dict) -> str:
    return json.dumps(build(graph, meta), ensure_ascii=False, indent=1) + "\n"


def build(graph: dict, meta: dict) -> dict[str, Any]:
    index = GraphIndex(graph)
    features = [_event(e, index) for e in graph.get("events", [])]
    features += [_place(e) for e in graph.get("entities", []) if e["type"] == "LOCATION"]
    return {"type": "FeatureCollection", "metadata": meta, "features": features}


def point(longitude: float | None, latitude: float | None) -> dict[str, Any] | None:
    if longitude is None or latitude is None:
        return None
    return {"type": "Point", "coordinates": [longitude, latitude]}


def _event(event: dict, index: GraphIndex) -> dict[str, Any]:
    evidence = event["evidence"]
    place = index.place(event)
    return {
        "type": "Feature",
        "id": f"event-{event['id']}",
        "geometry": point(event["longitude"], event["latitude"]),
        "properties": {
            "kind": "event",
            "event_type": event["event_type"],
            "sub_event_type": event["sub_event_type"],
            "date": event["date"],
            "date_end": event["date_end"],
            "date_precision": event["date_precision"],
            "actors": event["actors"],
            "targets": event["targets"],
            "actor_phrase": event["actor_phrase"],
            "target_phrase": event["target_phrase"],
            "inter1": event["inter1"],
            "inter2": event["inter2"],
            "fatalities": event["fatalities"],
            "location": event["location"],
            "place_id": f"place-{place['id']}" if place else None,
            "geo_precision": event["geo_precision"],
            "historical": event["historical"],
            "source": evidence.get("source"),
            "document_id": event["document_id"],
            "document_title": evidence.get("document_title"),
            "notes": evidence["sentence"],
            "grade": (evidence.get("grade") or {}).get("code"),
        },
    }


def _place(entity: dict) -> dict[str, Any]:
    geo = entity["geo"] or {}
    return {
        "type": "Feature",
        "id": f"place-{entity['id']}",
        "geometry": point(geo.get("longitude"), geo.get("latitude")),
        "properties": {
            "kind": "place",
            "name": entity["name"],
            "aliases": entity["aliases"],
            "geonameid": geo.get("geonameid"),
            "country_code": geo.get("country_code"),
            "admin1": geo.get("admin1"),
            "feature": geo.get("feature"),
            "geo_precision": geo.get("precision"),
        },
    }
