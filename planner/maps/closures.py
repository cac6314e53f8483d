"""Closed links, routes, corridors, places and border ports of a scenario, drawn on a result map.

A scenario's ``disruptions`` (nodes, routes, corridors, border_ports) are applied to the shipped network
with :func:`planner.network.disrupt`; the links and places it removes are what a planner needs to see
beside the plan that avoids them: thick dashed red lines and red crossed rings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from shapely import wkt
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

from planner.maps.base import LegendItem, MapState

__all__ = ["CLOSED_LINK_STYLE", "CLOSED_PLACE_STYLE", "ClosedLink", "ClosedPlace", "add_closures", "closures_of"]

CLOSED_LINK_STYLE = {"color": "#d50000", "opacity": 0.9, "dashArray": "8 6", "lineCap": "butt"}
CLOSED_PLACE_STYLE = {"color": "#d50000", "weight": 3, "fillColor": "#ffffff", "fillOpacity": 0.9}
_FIELDS = ("nodes", "routes", "corridors", "border_ports")


@dataclass(frozen=True)
class ClosedLink:
    """A closed network link (both directions drawn once)."""

    geometry: BaseGeometry
    route: str
    name_zh: str
    mode: str


@dataclass(frozen=True)
class ClosedPlace:
    """A closed place or border port."""

    place_id: str
    name_zh: str
    lon: float
    lat: float
    kind: str


def _names(disruptions: Mapping[str, Any] | None) -> dict[str, list[str]]:
    disruptions = disruptions or {}
    return {field: [str(v) for v in disruptions.get(field) or []] for field in _FIELDS}


def closures_of(disruptions: Mapping[str, Any] | None) -> tuple[list[ClosedLink], list[ClosedPlace]]:
    """The links and places the scenario's ``disruptions`` close in the shipped network."""
    names = _names(disruptions)
    if not any(names.values()):
        return [], []
    from planner.network import build_network, disrupt
    from planner.network.places import resolve_place

    graph = build_network()
    after = disrupt(graph, **names)
    links: dict[tuple[str, str, str], ClosedLink] = {}
    for u, v, key, data in graph.edges(keys=True, data=True):
        if after.has_edge(u, v, key):
            continue
        pair = (min(u, v), max(u, v), str(data.get("route", "")))
        if pair in links:
            continue
        geometry = data.get("geometry")
        if isinstance(geometry, str):
            geometry = wkt.loads(geometry)
        if geometry is None:
            a, b = graph.nodes[u], graph.nodes[v]
            geometry = LineString([(float(a["x"]), float(a["y"])), (float(b["x"]), float(b["y"]))])
        links[pair] = ClosedLink(geometry, str(data.get("route", "")), str(data.get("route_name_zh", "") or ""),
                                 str(data.get("mode", "")))
    places: dict[str, ClosedPlace] = {}
    for kind, field in (("place", "nodes"), ("border_port", "border_ports")):
        for name in names[field]:
            place = resolve_place(name)
            node = next((graph.nodes[n] for n in graph.nodes if graph.nodes[n].get("place") == place), None)
            if node is not None and place not in places:
                places[place] = ClosedPlace(place, str(node.get("name_zh", place)), float(node["x"]), float(node["y"]), kind)
    return list(links.values()), list(places.values())


def add_closures(state: MapState, links: Sequence[ClosedLink], places: Sequence[ClosedPlace], *,
                 layer_id: str = "closures", note: str = "") -> None:
    """Add the layer ``layer_id`` with the closed links and places (and its legend rows)."""
    if not links and not places:
        return
    layer = state.add_layer(layer_id, "关闭的线路与口岸", "Closed links and ports", pane="line")
    for link in links:
        label = " ".join(part for part in (link.route, link.name_zh) if part)
        layer.add_geometry(link.geometry, style=CLOSED_LINK_STYLE, weight=4.5,
                           tooltip=f"关闭 closed: {label} ({link.mode}) {note}".strip())
    for place in places:
        kind = "口岸关闭 border port closed" if place.kind == "border_port" else "地点关闭 place closed"
        layer.add_point(place.lon, place.lat, style=CLOSED_PLACE_STYLE, radius=9,
                        tooltip=f"{place.name_zh}: {kind} {note}".strip(), search=(place.name_zh, "", place.place_id))
    items = []
    if links:
        items.append(LegendItem("ln", {**CLOSED_LINK_STYLE, "weight": 4}, "关闭的线路", "closed link", layer=layer_id))
    if places:
        items.append(LegendItem("pt", CLOSED_PLACE_STYLE, "关闭的地点或口岸", "closed place or port", radius=6, layer=layer_id))
    state.add_legend("中断", "Disruptions", items)
