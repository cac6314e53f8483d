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

__all__ = [
    "LinkPricing",
    "RouteAlternatives",
    "RouteSearch",
    "rail_alternatives",
    "rail_hauls",
    "rail_hubs",
    "route_alternatives",
]

_EPS = 1e-9

#: a link of the graph: ``(u, v, key)``
Link = tuple[str, str, object]


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
    link mode, ``transfers`` the number of mode changes; ``links[o][d][k]`` the graph links ``(u, v, key)`` of
    a route, in order (filled when asked for).
    """

    origin_ids: list[str]
    destination_ids: list[str]
    cost_cny_per_t: np.ndarray
    time_h: np.ndarray
    km: dict[str, np.ndarray]
    transfers: np.ndarray
    links: list[list[list[list[Link]]]] = field(repr=False, default_factory=list)

    @property
    def distance_km(self) -> np.ndarray:
        """Total km of each route (inf where none)."""
        total = sum(self.km.values()) if self.km else np.zeros_like(self.time_h)
        return np.where(np.isfinite(self.time_h), total, np.inf)

    @property
    def count(self) -> np.ndarray:
        """Number of alternatives per pair (0 = unreachable)."""
        return np.isfinite(self.time_h).sum(axis=2)

    def on_time_grid(self, step_h: float) -> RouteAlternatives:
        """The alternatives with each time rounded up to a multiple of ``step_h`` hours, keeping per pair only
        the cheapest route of each rounded time that is faster than every cheaper one.

        Every kept route is the cheapest with a time within its rounded time ``G``, and it is offered as
        taking ``G``: conservative (never faster than the real route), exact for limits that are multiples of
        ``step_h``, and still monotone under closures (a closure can only make the cheapest route within
        each ``G`` dearer). It bounds the count by the spread of the pair's times over ``step_h``.
        """
        with np.errstate(invalid="ignore"):
            grid = np.ceil(self.time_h / step_h - 1e-9) * step_h
        prev = np.minimum.accumulate(np.concatenate([np.full(grid.shape[:2] + (1,), np.inf), grid[:, :, :-1]], axis=2),
                                     axis=2)
        keep = np.isfinite(grid) & (grid < prev - _EPS)
        order = np.argsort(~keep, axis=2, kind="stable")
        k_new = max(1, int(keep.sum(axis=2).max(initial=0)))
        order = order[:, :, :k_new]
        kept = np.take_along_axis(keep, order, axis=2)

        def take(arr: np.ndarray, fill: float) -> np.ndarray:
            return np.where(kept, np.take_along_axis(arr, order, axis=2), fill)

        return RouteAlternatives(
            self.origin_ids, self.destination_ids, take(self.cost_cny_per_t, np.inf), take(grid, np.inf),
            {m: take(v, np.inf) for m, v in self.km.items()}, take(self.transfers, 0).astype(np.int64),
            [[[cell[order[o, d, j]] for j in range(k_new) if kept[o, d, j]] for d, cell in enumerate(row)]
             for o, row in enumerate(self.links)] if self.links else [])


def _adjacency(graph: nx.MultiDiGraph, modes: tuple[str, ...], pricing: LinkPricing) -> tuple[list[str], list[list[tuple]]]:
    """Nodes of the allowed layers and, per node, its out-links ``(to, cost, time, kind, km, key, position)``,
    parallel links reduced to those no other parallel link beats in both cost and time. ``kind`` is the link
    mode, with transfers split into ``board`` (road to rail or air) and ``alight`` (back to road); ``key`` the
    link's key in the graph; ``position`` its index in the node's row (what a label records, so the search's
    inner loop needs no ``enumerate``)."""
    nodes = [n for n, d in graph.nodes(data=True) if d.get("layer") in modes]
    index = {n: i for i, n in enumerate(nodes)}
    best: dict[tuple[int, int], list[tuple[float, float, str, float, object]]] = {}
    for u, v, key, d in graph.edges(keys=True, data=True):
        iu, iv = index.get(u), index.get(v)
        if iu is None or iv is None or not edge_allowed(d, graph.nodes[u]["layer"], graph.nodes[v]["layer"], modes):
            continue
        cost = pricing.link_cost(d)
        if not math.isfinite(cost):
            continue
        kind = str(d["mode"])
        if kind == "transfer":
            kind = "alight" if graph.nodes[v]["layer"] == "road" else "board"
        entry = (cost, float(d["time_h"]), kind, float(d["length_km"]), key)
        kept = best.setdefault((iu, iv), [])
        if any(c <= entry[0] + _EPS and t <= entry[1] + _EPS for c, t, *_ in kept):
            continue
        kept[:] = [k for k in kept if not (entry[0] <= k[0] + _EPS and entry[1] <= k[1] + _EPS)] + [entry]
    adj: list[list[tuple]] = [[] for _ in nodes]
    for (iu, iv), entries in best.items():
        adj[iu] += [(iv, *e, len(adj[iu]) + k) for k, e in enumerate(entries)]
    return nodes, adj


#: phase of a route: 0 on the first road leg, 1 aboard (rail or air), 2 on the last road leg; a route
#: boards at most once, so rail and air routes are drayage + one haul + drayage
_NEXT_PHASE = {("board", 0): 1, ("alight", 1): 2}
_PHASE_OK = {"road": (0, 2), "rail": (1,), "air": (1,), "crossing": (0, 1, 2)}


_KM_SLOT = {"road": 5, "rail": 6, "air": 7}


def _labels(adj: list[list[tuple]], source: int, start_phase: int, max_time_h: float,
            max_cost: float = math.inf) -> list[tuple]:
    """The Pareto labels from ``source``: ``(cost, time, node, phase, predecessor label, road km, rail km,
    air km, transfers, link)`` in the order they became permanent (per node and phase); ``link`` is the
    position of the link taken in the predecessor's ``adj`` row (-1 at the source)."""
    best_t = [math.inf] * (3 * len(adj))
    kept: list[tuple] = []
    heap: list[tuple] = [(0.0, 0.0, source, start_phase, -1, 0.0, 0.0, 0.0, 0, -1)]
    while heap:
        label = heapq.heappop(heap)
        cost, t, v, phase = label[0], label[1], label[2], label[3]
        state = 3 * v + phase
        if t >= best_t[state] - _EPS:
            continue
        best_t[state] = t
        idx = len(kept)
        kept.append(label)
        for w, ce, te, kind, km, _key, e in adj[v]:
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
            heapq.heappush(heap, (cost + ce, t2, w, nxt, idx, road, rail, air, transfers, e))
    return kept


def _pareto(labels: list[tuple], at: list[int]) -> list[int]:
    """The labels ``at`` one node (any phase) that no other of them beats in both cost and time, cheapest first."""
    out: list[int] = []
    for i in sorted(at, key=lambda i: (labels[i][0], labels[i][1])):
        if not out or labels[i][1] < labels[out[-1]][1] - _EPS:
            out.append(i)
    return out


class RouteSearch:
    """Pareto route searches over one network with one pricing and mode set; the labels of each source are
    kept, so searches from the same places (for several tier pairs, say) are run once."""

    def __init__(self, graph: nx.MultiDiGraph, pricing: LinkPricing, modes: Sequence[str] = ("road",)) -> None:
        self.graph = graph
        self.modes = check_modes(modes)
        self.nodes, self.adj = _adjacency(graph, self.modes, pricing)
        self.index = {n: i for i, n in enumerate(self.nodes)}
        self.layer_modes = sorted({row[3] for links in self.adj for row in links if row[3] in _KM_SLOT})
        self._labels: dict[tuple[int, float, float], tuple[list[tuple], dict[int, list[int]]]] = {}

    def node_of(self, place: str) -> int:
        """The search node where freight for ``place`` enters (its road node when road is allowed)."""
        return self.index[entry_node(self.graph, place, self.modes)]

    def labels(self, source: int, max_time_h: float, max_cost: float) -> tuple[list[tuple], dict[int, list[int]]]:
        """The Pareto labels from ``source`` and, per node, the indices of its labels."""
        key = (source, max_time_h, max_cost)
        if key not in self._labels:
            start = 0 if self.graph.nodes[self.nodes[source]]["layer"] == "road" else 1
            labels = _labels(self.adj, source, start, max_time_h, max_cost)
            at: dict[int, list[int]] = {}
            for i, lab in enumerate(labels):
                at.setdefault(lab[2], []).append(i)
            self._labels[key] = (labels, at)
        return self._labels[key]

    def alternatives(self, origins: Sequence[str], destinations: Sequence[str], *, max_time_h: float = math.inf,
                     max_cost: float = math.inf, with_links: bool = False) -> RouteAlternatives:
        """The Pareto routes from every origin to every destination place (see :func:`route_alternatives`)."""
        src = [self.node_of(p) for p in origins]
        dst = [self.node_of(p) for p in destinations]
        cells: list[tuple[int, int, int, tuple]] = []
        picked: dict[tuple[int, int], tuple[list[tuple], list[int]]] = {}
        for o, s in enumerate(src):
            labels, at = self.labels(s, max_time_h, max_cost)
            for d, t in enumerate(dst):
                chosen = _pareto(labels, at.get(t, []))
                cells += [(o, d, k, labels[i]) for k, i in enumerate(chosen)]
                if with_links:
                    picked[o, d] = (labels, chosen)
        shape = (len(src), len(dst), max([1, *(k + 1 for _, _, k, _ in cells)]))
        cost = np.full(shape, np.inf)
        time_h = np.full(shape, np.inf)
        km = {m: np.full(shape, np.inf) for m in self.layer_modes}
        transfers = np.zeros(shape, dtype=np.int64)
        if cells:
            o_ix, d_ix, k_ix = (np.array([c[j] for c in cells], dtype=np.int64) for j in range(3))
            values = np.array([c[3][:2] + c[3][5:9] for c in cells], dtype=np.float64)
            cost[o_ix, d_ix, k_ix], time_h[o_ix, d_ix, k_ix] = values[:, 0], values[:, 1]
            for m in self.layer_modes:
                km[m][o_ix, d_ix, k_ix] = values[:, 2 + _KM_SLOT[m] - 5]
            transfers[o_ix, d_ix, k_ix] = values[:, 5].astype(np.int64)
        links = [[[self._links(picked[o, d][0], i) for i in picked[o, d][1]] for d in range(len(dst))]
                 for o in range(len(src))] if with_links else []
        place = [self.graph.nodes[self.nodes[n]]["place"] for n in (*src, *dst)]
        return RouteAlternatives(place[: len(src)], place[len(src):], cost, time_h, km, transfers, links)

    def _links(self, labels: list[tuple], i: int) -> list[Link]:
        """The graph links that lead to label ``i``, from the source."""
        trail = []
        while labels[i][4] >= 0:
            prev = labels[labels[i][4]]
            row = self.adj[prev[2]][labels[i][9]]
            trail.append((self.nodes[prev[2]], self.nodes[row[0]], row[5]))
            i = labels[i][4]
        return trail[::-1]


def route_alternatives(
    graph: nx.MultiDiGraph,
    origins: Sequence[str],
    destinations: Sequence[str],
    pricing: LinkPricing,
    *,
    modes: Sequence[str] = ("road",),
    max_time_h: float = math.inf,
    max_cost: float = math.inf,
    with_links: bool = False,
) -> RouteAlternatives:
    """The Pareto set of routes in (cost, time) between every origin and destination place.

    Places are ids or names as for :func:`planner.network.cost_matrix`; freight enters and leaves at a
    place's road node when road is allowed. Routes slower than ``max_time_h`` or dearer than ``max_cost`` are
    not searched. Raises :class:`planner.errors.PlannerError` for an unknown place or mode. Several searches
    over the same network and pricing share their work through one :class:`RouteSearch`.
    """
    return RouteSearch(graph, pricing, modes).alternatives(origins, destinations, max_time_h=max_time_h,
                                                           max_cost=max_cost, with_links=with_links)


def rail_hubs(graph: nx.MultiDiGraph) -> list[str]:
    """Places where freight changes between road and rail (a transfer link joins their road and rail nodes)."""
    return sorted({graph.nodes[u]["place"] for u, v, d in graph.edges(data=True)
                   if d["mode"] == "transfer" and graph.nodes[v]["layer"] == "rail"})


def rail_hauls(graph: nx.MultiDiGraph, rail_cny_per_tkm: float, max_time_h: float = math.inf, *,
               with_links: bool = False) -> RouteAlternatives:
    """The Pareto rail routes between every two terminals of :func:`rail_hubs` (input of :func:`rail_alternatives`)."""
    hubs = rail_hubs(graph)
    return route_alternatives(graph, hubs, hubs, LinkPricing({"rail": rail_cny_per_tkm}), modes=("rail",),
                              max_time_h=max_time_h, with_links=with_links)


def _pareto_columns(cost: np.ndarray, time: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per column of (candidates x columns) arrays: the candidate order by (cost, time) and which of the
    sorted candidates are Pareto (finite and faster than every cheaper one)."""
    if cost.shape[0] == 0:
        return np.zeros(cost.shape, dtype=np.int64), np.zeros(cost.shape, dtype=bool)
    order = np.lexsort((time, cost), axis=0)
    cost_s = np.take_along_axis(cost, order, axis=0)
    time_s = np.take_along_axis(time, order, axis=0)
    prev = np.minimum.accumulate(np.vstack([np.full((1, cost.shape[1]), np.inf), time_s[:-1]]), axis=0)
    return order, np.isfinite(cost_s) & (time_s < prev - _EPS)


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
    road: RouteSearch | None = None,
    with_links: bool = False,
) -> RouteAlternatives:
    """Pareto routes by rail: drayage by road to a rail terminal within ``max_drayage_km``, one rail haul,
    drayage from a terminal within ``max_drayage_km`` of the destination.

    Drayage legs take every Pareto road route (``road_cny_per_tkm``), the haul every Pareto route of the rail
    layer (``rail_cny_per_tkm``); each terminal costs ``terminal_cny_per_t`` and takes ``terminal_h``. Pairs
    with no terminal in reach of either end get no route. The result's ``km`` has ``road`` (drayage) and
    ``rail`` entries and ``transfers`` is 2 on every route. ``haul``: the rail routes between the terminals of
    :func:`rail_hubs` when already computed (:func:`rail_hauls`); ``road``: a road :class:`RouteSearch` priced
    per km (1 CNY/km) to share drayage searches between calls.

    The combination is exact in two stages: first the Pareto routes to each arrival terminal (drayage in,
    terminals and haul, over every departure terminal), then those combined with each drayage out, since the
    first part of a Pareto route is itself Pareto among the routes to its arrival terminal.

    ``with_links`` fills ``links`` (drayage in, haul, drayage out; ``haul`` must then carry its links).
    """
    hubs = rail_hubs(graph)
    n_o, n_d = len(origins), len(destinations)
    out = RouteAlternatives(list(origins), list(destinations), np.full((n_o, n_d, 1), np.inf),
                            np.full((n_o, n_d, 1), np.inf), {"road": np.full((n_o, n_d, 1), np.inf),
                                                              "rail": np.full((n_o, n_d, 1), np.inf)},
                            np.full((n_o, n_d, 1), 2, dtype=np.int64))
    if not hubs or not n_o or not n_d:
        return out
    road = road or RouteSearch(graph, LinkPricing({"road": 1.0}))
    to_hub = road.alternatives(list(origins), hubs, max_cost=max_drayage_km, with_links=with_links)
    from_hub = road.alternatives(hubs, list(destinations), max_cost=max_drayage_km, with_links=with_links)
    haul = haul if haul is not None else rail_hauls(graph, rail_cny_per_tkm, max_time_h, with_links=with_links)
    n_h, k_haul = len(hubs), haul.time_h.shape[2]
    in_km, out_km = to_hub.distance_km, from_hub.distance_km  # (o, hub, k1), (hub, d, k2)
    k_out = out_km.shape[2]
    found: list[tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    for o in range(n_o):
        h1, k1 = np.nonzero(np.isfinite(in_km[o]) & (in_km[o] <= max_drayage_km))
        if h1.size == 0:
            continue
        # stage 1: to every arrival terminal b, over departure terminals, drayage alternatives and hauls
        a, r, k = (np.repeat(v, k_haul) for v in (h1, k1, np.zeros_like(h1)))
        k = np.tile(np.arange(k_haul), h1.size)
        road1 = in_km[o, a, r]
        cost1 = (road1 * road_cny_per_tkm + 2 * terminal_cny_per_t)[:, None] + haul.cost_cny_per_t[a, :, k]
        time1 = (to_hub.time_h[o, a, r] + 2 * terminal_h)[:, None] + haul.time_h[a, :, k]
        cost1[a[:, None] == np.arange(n_h)[None, :]] = np.inf  # a haul needs two terminals
        order1, pareto1 = _pareto_columns(cost1, time1)
        rows, b = np.nonzero(pareto1)
        pick = order1[rows, b]
        c1, t1 = cost1[pick, b], time1[pick, b]
        road_in, rail = road1[pick], haul.km["rail"][a[pick], b, k[pick]]
        # stage 2: each stage-1 route with every drayage alternative out of its arrival terminal
        c1, t1, road_in, rail, b, leg1 = (np.repeat(v, k_out) for v in (c1, t1, road_in, rail, b, pick))
        q = np.tile(np.arange(k_out), pick.size)
        dray = np.where(out_km[b, :, q] <= max_drayage_km, out_km[b, :, q], np.inf)
        cost = c1[:, None] + dray * road_cny_per_tkm
        time = t1[:, None] + from_hub.time_h[b, :, q]
        cost = np.where(np.isfinite(dray) & (time <= max_time_h), cost, np.inf)
        order2, pareto2 = _pareto_columns(cost, time)
        rows, d = np.nonzero(pareto2)
        pick2 = order2[rows, d]
        # each route's parts: (departure terminal, drayage in, haul, arrival terminal, drayage out)
        parts = np.stack([a[leg1[pick2]], r[leg1[pick2]], k[leg1[pick2]], b[pick2], q[pick2]], axis=1)
        found.append((o, d, cost[pick2, d], time[pick2, d], road_in[pick2] + dray[pick2, d], rail[pick2], parts))
    k_max = max([1, *(int(np.bincount(f[1], minlength=n_d).max()) for f in found if f[1].size)])
    shape = (n_o, n_d, k_max)
    out = RouteAlternatives(list(origins), list(destinations), np.full(shape, np.inf), np.full(shape, np.inf),
                            {"road": np.full(shape, np.inf), "rail": np.full(shape, np.inf)},
                            np.full(shape, 2, dtype=np.int64))
    if with_links:
        out.links = [[[] for _ in range(n_d)] for _ in range(n_o)]
    for o, d, cost, time, road_km, rail_km, parts in found:
        order = np.lexsort((time, cost, d))
        d, cost, time, road_km, rail_km, parts = d[order], cost[order], time[order], road_km[order], rail_km[order], parts[order]
        slot = np.arange(d.size) - np.searchsorted(d, d)
        out.cost_cny_per_t[o, d, slot], out.time_h[o, d, slot] = cost, time
        out.km["road"][o, d, slot], out.km["rail"][o, d, slot] = road_km, rail_km
        if with_links:
            for dest, (h1, k1, kh, h2, k2) in zip(d, parts, strict=True):
                out.links[o][dest].append([*to_hub.links[o][h1][k1], *haul.links[h1][h2][kh], *from_hub.links[h2][dest][k2]])
    return out
