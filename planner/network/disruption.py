"""Disruptions: copies of the network with places, links, route stretches, routes, corridors or
border ports closed. Routes and corridors are named by id or by their Chinese or English name."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import networkx as nx

from planner import layout
from planner.errors import PlannerError
from planner.network.build import LAYERS
from planner.network.catalog import resolve_route
from planner.network.places import resolve_place

__all__ = ["disrupt", "stretch_links"]


def _place_id(graph: nx.MultiDiGraph, name: str) -> str:
    if any(f"{name}|{layer}" in graph for layer in LAYERS):
        return name
    pid = resolve_place(name)
    if not any(f"{pid}|{layer}" in graph for layer in LAYERS):
        raise PlannerError(f"disruption: place {name!r} ({pid}) is not in the network")
    return pid


def stretch_links(graph: nx.MultiDiGraph, route: str, start: str, end: str) -> list[tuple[str, str, object]]:
    """The links (both directions) of ``route`` between two of its places, e.g. G30 from 武威 to 张掖.

    ``route`` is an id or name, ``start``/``end`` place ids or names. Raises :class:`PlannerError` when a
    place is not a stop of the route.
    """
    rid = resolve_route(route)
    stops = graph.graph.get("route_stops", {}).get(rid, [])
    index = []
    for name in (start, end):
        pid = _place_id(graph, name)
        if pid not in stops:
            names = ", ".join(graph.nodes[n]["name_zh"] or graph.nodes[n]["name_en"]
                              for n in (f"{s}|{_layer(graph, s)}" for s in stops) if n in graph)  # fmt: skip
            raise PlannerError(f"disruption: {name!r} is not a place on route {rid} (its places: {names})")
        index.append(stops.index(pid))
    lo, hi = sorted(index)
    if lo == hi:
        raise PlannerError(f"disruption: the stretch of {rid} from {start!r} to {end!r} is empty")
    pairs = {frozenset((stops[i], stops[i + 1])) for i in range(lo, hi)}
    return [
        (u, v, k)
        for u, v, k, d in graph.edges(keys=True, data=True)
        if d["route"] == rid and frozenset((graph.nodes[u]["place"], graph.nodes[v]["place"])) in pairs
    ]


def _layer(graph: nx.MultiDiGraph, place: str) -> str:
    return next((layer for layer in LAYERS if f"{place}|{layer}" in graph), "road")


def _pair(item: str | Sequence[str]) -> tuple[str, str]:
    if isinstance(item, str):
        parts = [p for p in item.replace("—", ",").replace("–", ",").split(",") if p.strip()]
    else:
        parts = list(item)
    if len(parts) != 2:
        raise PlannerError(f"disruption: link {item!r} must name two places, e.g. ('urumqi', 'kuytun')")
    return parts[0].strip(), parts[1].strip()


def disrupt(
    graph: nx.MultiDiGraph,
    *,
    nodes: Iterable[str] = (),
    links: Iterable[str | Sequence[str] | Mapping[str, str]] = (),
    routes: Iterable[str] = (),
    corridors: Iterable[str] = (),
    border_ports: Iterable[str] = (),
) -> nx.MultiDiGraph:
    """Return a copy of ``graph`` with the named elements closed (``graph`` is not modified).

    * ``nodes``: places (ids or names): every layer node of the place is removed;
    * ``links``: a stretch of a route, ``{"route": "G30", "from": "武威", "to": "张掖"}`` (every link of
      the route between the two places), or a pair of places: the direct links between them (all
      modes, both directions);
    * ``routes``: route ids or names (``G30``, ``连霍高速``, ``兰新铁路``...): all their links;
    * ``corridors``: corridor ids or names of corridors.yaml: the links tagged with them;
    * ``border_ports``: places whose border-crossing links are closed (e.g. ``khorgas``).

    Raises :class:`PlannerError` (one line) when a name is unknown or the disruption names nothing.
    """
    out = graph.copy()
    removed_edges: list[tuple[str, str, object]] = []
    removed_nodes: list[str] = []
    named = 0
    for name in nodes:
        named += 1
        pid = _place_id(graph, name)
        removed_nodes.extend(f"{pid}|{layer}" for layer in LAYERS if f"{pid}|{layer}" in out)
    for item in links:
        named += 1
        if isinstance(item, Mapping):
            missing = [k for k in ("route", "from", "to") if not item.get(k)]
            if missing:
                raise PlannerError(f"disruption: link {dict(item)!r} needs route, from and to (missing {missing[0]})")
            removed_edges.extend(stretch_links(graph, str(item["route"]), str(item["from"]), str(item["to"])))
            continue
        a, b = _pair(item)
        pa, pb = _place_id(graph, a), _place_id(graph, b)
        hits = [
            (u, v, k)
            for u, v, k in graph.edges(keys=True)
            if {graph.nodes[u]["place"], graph.nodes[v]["place"]} == {pa, pb}
        ]
        if not hits:
            raise PlannerError(f"disruption: there is no direct link between {a!r} and {b!r}")
        removed_edges.extend(hits)
    for name in routes:
        named += 1
        try:
            rid = resolve_route(name)
        except PlannerError as exc:
            raise PlannerError(f"disruption: {exc}") from None
        removed_edges.extend((u, v, k) for u, v, k, d in graph.edges(keys=True, data=True) if d["route"] == rid)
    for name in corridors:
        named += 1
        try:
            cid = layout.resolve_corridor(name)
        except PlannerError as exc:
            raise PlannerError(f"disruption: {exc}") from None
        hits = [
            (u, v, k) for u, v, k, d in graph.edges(keys=True, data=True) if cid in d.get("corridors", [])
        ]
        if not hits:
            raise PlannerError(f"disruption: corridor {name!r} ({cid}) has no links in the network")
        removed_edges.extend(hits)
    ports = sorted({graph.nodes[u]["place"] for u, _, d in graph.edges(data=True) if d["mode"] == "crossing"})
    for name in border_ports:
        named += 1
        pid = _place_id(graph, name)
        hits = [
            (u, v, k)
            for u, v, k, d in graph.edges(keys=True, data=True)
            if d["mode"] == "crossing" and pid in (graph.nodes[u]["place"], graph.nodes[v]["place"])
        ]
        if not hits:
            raise PlannerError(
                f"disruption: {name!r} ({pid}) has no border-crossing link; ports with one: {', '.join(ports)}"
            )
        removed_edges.extend(hits)
    if not named:
        raise PlannerError("disruption names nothing: give nodes, links, routes, corridors or border_ports")
    if not removed_edges and not removed_nodes:
        raise PlannerError("disruption closes nothing: the named elements have no links in this network")
    out.remove_edges_from(set(removed_edges))
    out.remove_nodes_from(set(removed_nodes))
    out.graph["disruption"] = {
        "nodes": list(nodes) if not isinstance(nodes, str) else [nodes],
        "removed_links": len(set(removed_edges)),
        "removed_nodes": len(set(removed_nodes)),
    }
    return out
