"""Disruptions: copies of the network with places, links, routes, corridors or border ports closed."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

import networkx as nx

from planner.errors import PlannerError
from planner.network.build import LAYERS
from planner.network.places import resolve_place

__all__ = ["disrupt"]


def _place_id(graph: nx.MultiDiGraph, name: str) -> str:
    if any(f"{name}|{layer}" in graph for layer in LAYERS):
        return name
    pid = resolve_place(name)
    if not any(f"{pid}|{layer}" in graph for layer in LAYERS):
        raise PlannerError(f"disruption: place {name!r} ({pid}) is not in the network")
    return pid


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
    links: Iterable[str | Sequence[str]] = (),
    routes: Iterable[str] = (),
    corridors: Iterable[str] = (),
    border_ports: Iterable[str] = (),
) -> nx.MultiDiGraph:
    """Return a copy of ``graph`` with the named elements closed (``graph`` is not modified).

    * ``nodes``: places (ids or names): every layer node of the place is removed;
    * ``links``: pairs of places: the direct links between them (all modes, both directions);
    * ``routes``: route ids (``G30``, ``R-LANXIN``...): all their links;
    * ``corridors``: corridor ids of corridors.yaml: the links tagged with them;
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
    route_ids = sorted({d["route"] for _, _, d in graph.edges(data=True)})
    for rid in routes:
        named += 1
        hits = [(u, v, k) for u, v, k, d in graph.edges(keys=True, data=True) if d["route"] == rid]
        if not hits:
            close = difflib.get_close_matches(str(rid), route_ids, n=3, cutoff=0.4)
            tip = f"; did you mean {', '.join(close)}?" if close else ""
            raise PlannerError(f"disruption: unknown route {rid!r}{tip}")
        removed_edges.extend(hits)
    corridor_ids = sorted({c for _, _, d in graph.edges(data=True) for c in d.get("corridors", [])})
    for cid in corridors:
        named += 1
        hits = [
            (u, v, k) for u, v, k, d in graph.edges(keys=True, data=True) if cid in d.get("corridors", [])
        ]
        if not hits:
            close = difflib.get_close_matches(str(cid), corridor_ids, n=3, cutoff=0.4)
            tip = f"; did you mean {', '.join(close)}?" if close else ""
            raise PlannerError(f"disruption: corridor {cid!r} has no links in the network{tip}")
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
    out.remove_edges_from(set(removed_edges))
    out.remove_nodes_from(set(removed_nodes))
    out.graph["disruption"] = {
        "nodes": list(nodes) if not isinstance(nodes, str) else [nodes],
        "removed_links": len(set(removed_edges)),
        "removed_nodes": len(set(removed_nodes)),
    }
    return out
