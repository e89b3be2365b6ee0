"""Lookups over an exported graph dict, shared by the formats.

``Store.export()`` names the ends of relations and events by canonical name (with the type
for relations). Names are unique enough per kind: a place is found by name and position, an
actor by name among actors, a relation's ends by name and type.
"""

from __future__ import annotations

from collections import Counter
from functools import cached_property


class GraphIndex:
    def __init__(self, graph: dict) -> None:
        self.graph = graph
        self.by_name_type: dict[tuple[str, str], dict] = {}
        self.actors: dict[str, dict] = {}
        self.places: dict[str, list[dict]] = {}
        for entity in graph.get("entities", []):
            self.by_name_type.setdefault((entity["name"], entity["type"]), entity)
            if entity["type"] == "LOCATION":
                self.places.setdefault(entity["name"], []).append(entity)
            else:
                self.actors.setdefault(entity["name"], entity)
        self.documents: dict[str, dict] = {d["id"]: d for d in graph.get("documents", [])}

    def entity(self, name: str, entity_type: str) -> dict | None:
        return self.by_name_type.get((name, entity_type))

    def actor(self, name: str) -> dict | None:
        return self.actors.get(name)

    def place(self, event: dict) -> dict | None:
        """The place entity of an event: same name, and the same position where it has one."""
        candidates = self.places.get(event.get("location") or "", [])
        for place in candidates:
            geo = place["geo"]
            if geo and (geo["latitude"], geo["longitude"]) == (
                event.get("latitude"),
                event.get("longitude"),
            ):
                return place
        return candidates[0] if candidates else None

    def country(self, event: dict) -> str | None:
        """ISO alpha-2 country of an event: its place's, else the one most of its document's
        located events are in."""
        place = self.place(event)
        if place is not None and place["geo"] and place["geo"]["country_code"]:
            return place["geo"]["country_code"]
        return self.document_countries.get(event["document_id"])

    @cached_property
    def document_countries(self) -> dict[str, str]:
        counts: dict[str, Counter] = {}
        for event in self.graph.get("events", []):
            place = self.place(event)
            if place is not None and place["geo"] and place["geo"]["country_code"]:
                counter = counts.setdefault(event["document_id"], Counter())
                counter[place["geo"]["country_code"]] += 1
        return {doc: counter.most_common(1)[0][0] for doc, counter in counts.items()}
