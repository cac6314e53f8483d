"""Single origin-destination routes over the network (scipy Dijkstra from one source)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
from scipy.sparse.csgraph import dijkstra
from shapely.geometry import LineString

from planner.errors import PlannerError
from planner.network._csgraph import check_modes, entry_node, sparse_view

__all__ = ["Route", "route", "route_along", "routes_between"]


@dataclass
class Route:
    """A route: totals, the routes passed (in order), the links used and the merged geometry.

    ``distance_km`` (km), ``time_h`` (hours), ``cost_ambient_cny_per_t`` and ``cost_reefer_cny_per_t``
    (CNY per tonne along the chosen path), ``routes`` (route ids in order, e.g. ``["G30", "G3012"]``),
    ``route_names_zh``, ``modes_used``, ``links`` (``(u, v, key)`` of the graph), ``nodes`` and
    ``geometry`` (one LineString, lon/lat).
    """

    origin: str
    destination: str
    distance_km: float
    time_h: float
    cost_ambient_cny_per_t: float
    cost_reefer_cny_per_t: float
    routes: list[str] = field(default_factory=list)
    route_names_zh: list[str] = field(default_factory=list)
    modes_used: list[str] = field(default_factory=list)
    links: list[tuple[str, str, object]] = field(default_factory=list)
    nodes: list[str] = field(default_factory=list)
    geometry: LineString | None = None

    @property
    def via(self) -> str:
        """The routes passed, space-separated (``G30 G312``): how tables name the roads and lines taken."""
        return " ".join(self.routes)

    def as_dict(self) -> dict:
        """Plain data for JSON output (geometry as WKT)."""
        return {
            "origin": self.origin, "destination": self.destination,
            "distance_km": round(self.distance_km, 1), "time_h": round(self.time_h, 2),
            "cost_ambient_cny_per_t": round(self.cost_ambient_cny_per_t, 1),
            "cost_reefer_cny_per_t": round(self.cost_reefer_cny_per_t, 1),
            "routes": self.routes, "route_names_zh": self.route_names_zh, "modes_used": self.modes_used,
            "nodes": self.nodes,
        }  # fmt: skip


def _dedupe(items: list[str]) -> list[str]:
    out: list[str] = []
    for item in items:
        if not out or out[-1] != item:
            out.append(item)
    return out


def route(
    graph: nx.MultiDiGraph,
    origin: str,
    destination: str,
    *,
    modes: Sequence[str] = ("road",),
    weight: str = "cost",
    refrigerated: bool = False,
) -> Route:
    """Return the least-``weight`` route between two places (ids or Chinese/English names).

    ``weight`` is ``cost`` (generalized cost: CNY/t + value of time x h), ``time`` or ``distance``;
    ``refrigerated`` selects reefer rates for the cost weight. Raises :class:`PlannerError` for an
    unknown place or when no route exists with the allowed ``modes``.
    """
    found = routes_between(graph, [(origin, destination)], modes=modes, weight=weight, refrigerated=refrigerated)
    if found[0] is None:
        raise PlannerError(f"no route from {origin!r} to {destination!r} by {'+'.join(check_modes(modes))}")
    return found[0]


def routes_between(
    graph: nx.MultiDiGraph,
    pairs: Sequence[tuple[str, str]],
    *,
    modes: Sequence[str] = ("road",),
    weight: str = "cost",
    refrigerated: bool = False,
) -> list[Route | None]:
    """The least-``weight`` route of each ``(origin, destination)`` pair (None where there is none), one
    Dijkstra search per distinct origin: the paths :func:`planner.network.cost_matrix` prices with the
    same ``modes`` and ``refrigerated`` when ``weight`` is ``cost``. Raises :class:`PlannerError` for an
    unknown place or mode."""
    chosen = check_modes(modes)
    view = sparse_view(graph, chosen, refrigerated, weight)
    ends = [(entry_node(graph, o, chosen), entry_node(graph, d, chosen)) for o, d in pairs]
    sources = list(dict.fromkeys(view.index[s] for s, _ in ends))
    if not sources:
        return []
    dist, pred = dijkstra(view.matrix, directed=True, indices=sources, return_predecessors=True)
    row_of = {s: i for i, s in enumerate(sources)}
    out: list[Route | None] = []
    for source, target in ends:
        s, t, row = view.index[source], view.index[target], row_of[view.index[source]]
        if not np.isfinite(dist[row, t]):
            out.append(None)
            continue
        path = [t]
        while path[-1] != s:
            path.append(int(pred[row, path[-1]]))
        path.reverse()
        links = []
        for a, b in zip(path[:-1], path[1:], strict=True):
            pos = int(view.lookup(np.array([a]), np.array([b]))[0])
            links.append((view.nodes[a], view.nodes[b], view.pair_edge_key[pos]))
        out.append(route_along(graph, links, source))
    return out


def route_along(graph: nx.MultiDiGraph, links: Sequence[tuple[str, str, object]], start: str | None = None) -> Route:
    """The :class:`Route` that follows ``links`` (``(u, v, key)`` of the graph, in order): its totals, route
    names and geometry. ``start``: the node of an empty route (a place served where it stands)."""
    if not links and start is None:
        raise PlannerError("a route needs at least one link or its start node")
    source = links[0][0] if links else str(start)
    target = links[-1][1] if links else str(start)
    coords: list[tuple[float, float]] = []
    for u, v, key in links:
        line = list(graph[u][v][key]["geometry"].coords)
        coords.extend(line if not coords else line[1:])
    data = [graph[u][v][k] for u, v, k in links]
    if len(coords) < 2:
        x, y = graph.nodes[source]["x"], graph.nodes[source]["y"]
        coords = [(x, y), (x, y)]
    skip = {"transfer", "access"}
    return Route(
        origin=graph.nodes[source]["place"],
        destination=graph.nodes[target]["place"],
        distance_km=float(sum(d["length_km"] for d in data)),
        time_h=float(sum(d["time_h"] for d in data)),
        cost_ambient_cny_per_t=float(sum(d["cost_ambient_cny_per_t"] for d in data)),
        cost_reefer_cny_per_t=float(sum(d["cost_reefer_cny_per_t"] for d in data)),
        routes=_dedupe([d["route"] for d in data if d["route"] not in skip]),
        route_names_zh=_dedupe([d["route_name_zh"] for d in data if d["route"] not in skip]),
        modes_used=_dedupe([d["mode"] for d in data if d["mode"] != "transfer"]),
        links=list(links),
        nodes=[source, *(v for _, v, _ in links)],
        geometry=LineString(coords),
    )
