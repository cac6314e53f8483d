"""Route alternatives: every route between two places that no other route beats in both cost and time.

A time standard picks the cheapest route that meets it, which need not be the cheapest route overall: the
fastest route, or one in between, may be the one a product must take. :func:`route_alternatives` returns,
for every origin and destination, the *Pareto set* of routes in (cost, time): each route is cheaper than
every faster one. Costs come from a :class:`LinkPricing` (CNY per tonne per km by mode, plus the network's
own fixed costs of transfers and border crossings), times from the network.

The search is Martins' bicriteria label-setting algorithm: labels are popped in lexicographic (cost, time)
order, so a popped label is kept exactly when it is faster than every label already kept at its node. The
result is exact: closing links can only remove routes or make the remaining ones dearer and slower, never
offer a better one.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import networkx as nx
import numpy as np

from planner.network._csgraph import check_modes, edge_allowed, entry_node

__all__ = ["LinkPricing", "RouteAlternatives", "rail_alternatives", "rail_hauls", "rail_hubs", "route_alternatives"]

_EPS = 1e-9


@dataclass(frozen=True)
class LinkPricing:
    """CNY per tonne along a route.

    ``per_km``: rate per tonne-km by link mode (``road``, ``rail``, ``air``); a mode without a rate may not
    be used. ``per_transfer``: cost of a change of mode (CNY/t; None = the network's own transfer cost).
    Border crossings keep the network's fees. ``refrigerated``: which of the network's fixed costs apply.
    """

    per_km: Mapping[str, float]
    per_transfer: float | None = None
    refrigerated: bool = True

    def link_cost(self, d: Mapping) -> float:
        """CNY per tonne of one network link ``d`` (inf where the pricing has no rate for its mode)."""
        mode = d["mode"]
        if mode in ("road", "rail", "air"):
            rate = self.per_km.get(mode)
            return math.inf if rate is None else float(rate) * float(d["length_km"])
        if mode == "transfer" and self.per_transfer is not None:
            return float(self.per_transfer)
        return float(d["cost_reefer_cny_per_t" if self.refrigerated else "cost_ambient_cny_per_t"])


@dataclass
class RouteAlternatives:
    """Pareto routes from every origin to every destination, padded to ``K`` alternatives per pair.

    Arrays have shape (origins, destinations, K), alternatives ordered from the cheapest (slowest) to the
    fastest; ``inf`` cost and time where a pair has fewer alternatives (or none). ``km`` holds the km per
    link mode, ``transfers`` the number of mode changes; ``paths[o][d][k]`` the graph nodes of a route.
    """

    origin_ids: list[str]
    destination_ids: list[str]
    cost_cny_per_t: np.ndarray
    time_h: np.ndarray
    km: dict[str, np.ndarray]
    transfers: np.ndarray
    paths: list[list[list[list[str]]]] = field(repr=False, default_factory=list)

    @property
    def distance_km(self) -> np.ndarray:
        """Total km of each route (inf where none)."""
        total = sum(self.km.values()) if self.km else np.zeros_like(self.time_h)
        return np.where(np.isfinite(self.time_h), total, np.inf)

    @property
    def count(self) -> np.ndarray:
        """Number of alternatives per pair (0 = unreachable)."""
        return np.isfinite(self.time_h).sum(axis=2)


def _adjacency(graph: nx.MultiDiGraph, modes: tuple[str, ...], pricing: LinkPricing) -> tuple[list[str], list[list[tuple]]]:
    """Nodes of the allowed layers and, per node, its out-links ``(to, cost, time, kind, km)``, parallel links
    reduced to those no other parallel link beats in both cost and time. ``kind`` is the link mode, with
    transfers split into ``board`` (road to rail or air) and ``alight`` (back to road)."""
    nodes = [n for n, d in graph.nodes(data=True) if d.get("layer") in modes]
    index = {n: i for i, n in enumerate(nodes)}
    best: dict[tuple[int, int], list[tuple[float, float, str, float]]] = {}
    for u, v, d in graph.edges(data=True):
        iu, iv = index.get(u), index.get(v)
        if iu is None or iv is None or not edge_allowed(d, graph.nodes[u]["layer"], graph.nodes[v]["layer"], modes):
            continue
        cost = pricing.link_cost(d)
        if not math.isfinite(cost):
            continue
        kind = str(d["mode"])
        if kind == "transfer":
            kind = "alight" if graph.nodes[v]["layer"] == "road" else "board"
        entry = (cost, float(d["time_h"]), kind, float(d["length_km"]))
        kept = best.setdefault((iu, iv), [])
        if any(c <= entry[0] + _EPS and t <= entry[1] + _EPS for c, t, *_ in kept):
            continue
        kept[:] = [k for k in kept if not (entry[0] <= k[0] + _EPS and entry[1] <= k[1] + _EPS)] + [entry]
    adj: list[list[tuple]] = [[] for _ in nodes]
    for (iu, iv), entries in best.items():
        adj[iu] += [(iv, *e) for e in entries]
    return nodes, adj


#: phase of a route: 0 on the first road leg, 1 aboard (rail or air), 2 on the last road leg; a route
#: boards at most once, so rail and air routes are drayage + one haul + drayage
_NEXT_PHASE = {("board", 0): 1, ("alight", 1): 2}
_PHASE_OK = {"road": (0, 2), "rail": (1,), "air": (1,), "crossing": (0, 1, 2)}


_KM_SLOT = {"road": 5, "rail": 6, "air": 7}


def _labels(adj: list[list[tuple]], source: int, start_phase: int, max_time_h: float,
            max_cost: float = math.inf) -> list[tuple]:
    """The Pareto labels from ``source``: ``(cost, time, node, phase, predecessor label, road km, rail km,
    air km, transfers)`` in the order they became permanent (per node and phase)."""
    best_t = [math.inf] * (3 * len(adj))
    kept: list[tuple] = []
    heap: list[tuple] = [(0.0, 0.0, source, start_phase, -1, 0.0, 0.0, 0.0, 0)]
    while heap:
        label = heapq.heappop(heap)
        cost, t, v, phase = label[0], label[1], label[2], label[3]
        state = 3 * v + phase
        if t >= best_t[state] - _EPS:
            continue
        best_t[state] = t
        idx = len(kept)
        kept.append(label)
        for w, ce, te, kind, km in adj[v]:
            nxt = _NEXT_PHASE.get((kind, phase)) if kind in ("board", "alight") else \
                (phase if phase in _PHASE_OK.get(kind, (0, 1, 2)) else None)
            if nxt is None:
                continue
            t2 = t + te
            if t2 > max_time_h or t2 >= best_t[3 * w + nxt] - _EPS or cost + ce > max_cost:
                continue
            road, rail, air, transfers = label[5], label[6], label[7], label[8]
            slot = _KM_SLOT.get(kind)
            if slot == 5:
                road += km
            elif slot == 6:
                rail += km
            elif slot == 7:
                air += km
            elif kind in ("board", "alight"):
                transfers += 1
            heapq.heappush(heap, (cost + ce, t2, w, nxt, idx, road, rail, air, transfers))
    return kept


def _pareto(labels: list[tuple], at: list[int]) -> list[int]:
    """The labels ``at`` one node (any phase) that no other of them beats in both cost and time, cheapest first."""
    out: list[int] = []
    for i in sorted(at, key=lambda i: (labels[i][0], labels[i][1])):
        if not out or labels[i][1] < labels[out[-1]][1] - _EPS:
            out.append(i)
    return out


def route_alternatives(
    graph: nx.MultiDiGraph,
    origins: Sequence[str],
    destinations: Sequence[str],
    pricing: LinkPricing,
    *,
    modes: Sequence[str] = ("road",),
    max_time_h: float = math.inf,
    max_cost: float = math.inf,
    with_paths: bool = False,
) -> RouteAlternatives:
    """The Pareto set of routes in (cost, time) between every origin and destination place.

    Places are ids or names as for :func:`planner.network.cost_matrix`; freight enters and leaves at a
    place's road node when road is allowed. Routes slower than ``max_time_h`` or dearer than ``max_cost`` are
    not searched. Raises :class:`planner.errors.PlannerError` for an unknown place or mode.
    """
    chosen = check_modes(modes)
    nodes, adj = _adjacency(graph, chosen, pricing)
    index = {n: i for i, n in enumerate(nodes)}
    src = [index[entry_node(graph, p, chosen)] for p in origins]
    dst = [index[entry_node(graph, p, chosen)] for p in destinations]
    layer_modes = sorted({row[3] for links in adj for row in links if row[3] in _KM_SLOT})
    cells: list[tuple[int, int, int, tuple]] = []
    picked: dict[tuple[int, int], tuple[list[tuple], list[int]]] = {}
    cache: dict[int, tuple[list[tuple], dict[int, list[int]]]] = {}
    for o, s in enumerate(src):
        if s not in cache:
            labels = _labels(adj, s, 0 if graph.nodes[nodes[s]]["layer"] == "road" else 1, max_time_h, max_cost)
            at: dict[int, list[int]] = {}
            for i, lab in enumerate(labels):
                at.setdefault(lab[2], []).append(i)
            cache[s] = (labels, at)
        labels, at = cache[s]
        for d, t in enumerate(dst):
            chosen_labels = _pareto(labels, at.get(t, []))
            cells += [(o, d, k, labels[i]) for k, i in enumerate(chosen_labels)]
            if with_paths:
                picked[o, d] = (labels, chosen_labels)
    k_max = max([1, *(k + 1 for _, _, k, _ in cells)])
    shape = (len(src), len(dst), k_max)
    cost = np.full(shape, np.inf)
    time_h = np.full(shape, np.inf)
    km = {m: np.full(shape, np.inf) for m in layer_modes}
    transfers = np.zeros(shape, dtype=np.int64)
    if cells:
        o_ix, d_ix, k_ix = (np.array([c[j] for c in cells], dtype=np.int64) for j in range(3))
        values = np.array([c[3][:2] + c[3][5:9] for c in cells], dtype=np.float64)
        cost[o_ix, d_ix, k_ix], time_h[o_ix, d_ix, k_ix] = values[:, 0], values[:, 1]
        for m in layer_modes:
            km[m][o_ix, d_ix, k_ix] = values[:, 2 + _KM_SLOT[m] - 5]
        transfers[o_ix, d_ix, k_ix] = values[:, 5].astype(np.int64)
    paths: list[list[list[list[str]]]] = []
    if with_paths:
        for o in range(len(src)):
            row = []
            for d in range(len(dst)):
                labels, chosen_labels = picked[o, d]
                cell = []
                for i in chosen_labels:
                    trail, j = [], i
                    while j >= 0:
                        trail.append(nodes[labels[j][2]])
                        j = labels[j][4]
                    cell.append(trail[::-1])
                row.append(cell)
            paths.append(row)
    origin_ids = [graph.nodes[nodes[s]]["place"] for s in src]
    destination_ids = [graph.nodes[nodes[d]]["place"] for d in dst]
    return RouteAlternatives(origin_ids, destination_ids, cost, time_h, km, transfers, paths)


def rail_hubs(graph: nx.MultiDiGraph) -> list[str]:
    """Places where freight changes between road and rail (a transfer link joins their road and rail nodes)."""
    return sorted({graph.nodes[u]["place"] for u, v, d in graph.edges(data=True)
                   if d["mode"] == "transfer" and graph.nodes[v]["layer"] == "rail"})


def rail_hauls(graph: nx.MultiDiGraph, rail_cny_per_tkm: float, max_time_h: float = math.inf) -> RouteAlternatives:
    """The Pareto rail routes between every two terminals of :func:`rail_hubs` (input of :func:`rail_alternatives`)."""
    hubs = rail_hubs(graph)
    return route_alternatives(graph, hubs, hubs, LinkPricing({"rail": rail_cny_per_tkm}), modes=("rail",),
                              max_time_h=max_time_h)


def rail_alternatives(
    graph: nx.MultiDiGraph,
    origins: Sequence[str],
    destinations: Sequence[str],
    *,
    road_cny_per_tkm: float,
    rail_cny_per_tkm: float,
    terminal_cny_per_t: float,
    terminal_h: float,
    max_drayage_km: float,
    max_time_h: float = math.inf,
    haul: RouteAlternatives | None = None,
) -> RouteAlternatives:
    """Pareto routes by rail: drayage by road to a rail terminal within ``max_drayage_km``, one rail haul,
    drayage from a terminal within ``max_drayage_km`` of the destination.

    Drayage legs take every Pareto road route (``road_cny_per_tkm``), the haul every Pareto route of the rail
    layer (``rail_cny_per_tkm``); each terminal costs ``terminal_cny_per_t`` and takes ``terminal_h``. Pairs
    with no terminal in reach of either end get no route. The result's ``km`` has ``road`` (drayage) and
    ``rail`` entries and ``transfers`` is 2 on every route. ``haul``: the rail routes between every two
    terminals of :func:`rail_hubs` when already computed with the same rate and time bound (:func:`rail_hauls`).
    """
    hubs = rail_hubs(graph)
    n_o, n_d = len(origins), len(destinations)
    empty = RouteAlternatives(list(origins), list(destinations), np.full((n_o, n_d, 1), np.inf),
                              np.full((n_o, n_d, 1), np.inf), {"road": np.full((n_o, n_d, 1), np.inf),
                                                                "rail": np.full((n_o, n_d, 1), np.inf)},
                              np.zeros((n_o, n_d, 1), dtype=np.int64))
    if not hubs or not n_o or not n_d:
        return empty
    # drayage: every Pareto road route (km, time) to and from the terminals, within max_drayage_km
    by_km = LinkPricing({"road": 1.0})
    to_hub = route_alternatives(graph, list(origins), hubs, by_km, modes=("road",))
    from_hub = route_alternatives(graph, hubs, list(destinations), by_km, modes=("road",))
    haul = haul if haul is not None else rail_hauls(graph, rail_cny_per_tkm, max_time_h)
    k_haul = haul.time_h.shape[2]
    in_km = np.where(to_hub.distance_km <= max_drayage_km, to_hub.distance_km, np.inf)  # (o, hub, k1)
    out_km = np.where(from_hub.distance_km <= max_drayage_km, from_hub.distance_km, np.inf)  # (hub, d, k2)
    h_count, k_out = len(hubs), out_km.shape[2]
    grid_b, grid_k = np.meshgrid(np.arange(h_count), np.arange(k_haul), indexing="ij")
    per_origin = []
    for o in range(n_o):
        h1, k1 = np.nonzero(np.isfinite(in_km[o]))
        a = np.repeat(h1, grid_b.size)
        r = np.repeat(k1, grid_b.size)
        b = np.tile(grid_b.ravel(), h1.size)
        k = np.tile(grid_k.ravel(), h1.size)
        ok = (a != b) & np.isfinite(haul.time_h[a, b, k])
        a, r, b, k = a[ok], r[ok], b[ok], k[ok]
        # every candidate once per drayage alternative out of its terminal
        a, r, b, k = (np.repeat(v, k_out) for v in (a, r, b, k))
        q = np.tile(np.arange(k_out), ok.sum())
        # candidates x destinations: drayage in, terminals and haul, drayage out (inf where out of reach)
        road_km = in_km[o, a, r][:, None] + out_km[b, :, q]
        cost = road_km * road_cny_per_tkm + (2 * terminal_cny_per_t + haul.cost_cny_per_t[a, b, k])[:, None]
        time = (to_hub.time_h[o, a, r] + 2 * terminal_h + haul.time_h[a, b, k])[:, None] + from_hub.time_h[b, :, q]
        cost = np.where(np.isfinite(road_km) & (time <= max_time_h), cost, np.inf)
        order = np.lexsort((time, cost), axis=0) if cost.size else np.zeros((0, n_d), dtype=np.int64)
        cost_s = np.take_along_axis(cost, order, axis=0)
        time_s = np.take_along_axis(time, order, axis=0)
        # a candidate is Pareto when it is faster than every cheaper one (sorted by cost, then time)
        prev = np.minimum.accumulate(np.vstack([np.full((1, n_d), np.inf), time_s[:-1]]), axis=0)
        pareto = np.isfinite(cost_s) & (time_s < prev - _EPS)
        per_origin.append((order, pareto, road_km, haul.km["rail"][a, b, k], cost_s, time_s))
    k_max = max([1, *(int(p[1].sum(axis=0).max(initial=0)) for p in per_origin)])
    shape = (n_o, n_d, k_max)
    out = RouteAlternatives(list(origins), list(destinations), np.full(shape, np.inf), np.full(shape, np.inf),
                            {"road": np.full(shape, np.inf), "rail": np.full(shape, np.inf)},
                            np.full(shape, 2, dtype=np.int64))
    for o, (order, pareto, road_km, rail_km, cost_s, time_s) in enumerate(per_origin):
        rows, cols = np.nonzero(pareto)
        if rows.size == 0:
            continue
        slot = np.cumsum(pareto, axis=0)[rows, cols] - 1
        picked = order[rows, cols]
        out.cost_cny_per_t[o, cols, slot] = cost_s[rows, cols]
        out.time_h[o, cols, slot] = time_s[rows, cols]
        out.km["road"][o, cols, slot] = road_km[picked, cols]
        out.km["rail"][o, cols, slot] = rail_km[picked]
    return out
