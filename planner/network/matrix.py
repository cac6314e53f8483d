"""Distance, time and cost matrices over the network with scipy's sparse Dijkstra.

:func:`cost_matrix` runs ``scipy.sparse.csgraph.dijkstra`` from the origin set only, on the
generalized cost (CNY per tonne + value of time x hours, ``mode_parameters.csv``), then sums km,
hours and CNY along each shortest-path tree by pointer jumping over the predecessor arrays (no
Python loop over nodes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd
from scipy.sparse.csgraph import dijkstra

from planner.network._csgraph import check_modes, entry_node, sparse_view

__all__ = ["CostMatrix", "cost_matrix", "tree_sums"]


@dataclass
class CostMatrix:
    """Origin x destination matrices along the least generalized-cost paths.

    ``distance_km`` (km), ``time_h`` (hours) and ``cost_cny_per_t`` (CNY per tonne, ambient or
    refrigerated rates as requested) are float arrays of shape (origins, destinations); ``inf`` marks
    a destination that cannot be reached with the allowed modes.
    """

    origin_ids: list[str]
    destination_ids: list[str]
    distance_km: np.ndarray
    time_h: np.ndarray
    cost_cny_per_t: np.ndarray
    modes: tuple[str, ...] = ("road",)
    refrigerated: bool = False
    origin_nodes: list[str] = field(default_factory=list)
    destination_nodes: list[str] = field(default_factory=list)

    def to_frame(self, what: str = "cost_cny_per_t") -> pd.DataFrame:
        """Return one matrix (``distance_km``, ``time_h`` or ``cost_cny_per_t``) as a labelled frame."""
        return pd.DataFrame(getattr(self, what), index=self.origin_ids, columns=self.destination_ids)


def tree_sums(pred: np.ndarray, values: list[np.ndarray]) -> list[np.ndarray]:
    """Sum per-node link values along shortest-path trees.

    ``pred`` is the (rows, n) predecessor array of scipy's dijkstra (negative where none); each array
    of ``values`` holds, per row and node, the value of the link from its predecessor (0 at roots).
    Returns the path sums from each row's root, by pointer jumping (log2(depth) vectorized steps).
    """
    rows, n = pred.shape
    self_index = np.broadcast_to(np.arange(n), (rows, n))
    pointer = np.where(pred >= 0, pred, self_index)
    sums = [v.copy() for v in values]
    while True:
        parent = np.take_along_axis(pointer, pointer, axis=1)
        for s in sums:
            s += np.take_along_axis(s, pointer, axis=1) * (pointer != self_index)
        if np.array_equal(parent, pointer):
            break
        pointer = parent
    return sums


def cost_matrix(
    graph: nx.MultiDiGraph,
    origins: Sequence[str] | None,
    destinations: Sequence[str] | None,
    *,
    modes: Sequence[str] = ("road",),
    refrigerated: bool = False,
) -> CostMatrix:
    """Return distance (km), time (h) and cost (CNY/t) from every origin to every destination.

    Places are node ids, county-seat ids or names (Chinese/English); ``None`` means every place the
    allowed ``modes`` serve. Paths minimise the generalized cost; freight enters and leaves the network
    at a place's road node when road is allowed. Raises :class:`planner.errors.PlannerError` for an
    unknown place or mode.
    """
    chosen = check_modes(modes)
    view = sparse_view(graph, chosen, refrigerated, "cost")

    def nodes_for(places: Sequence[str] | None) -> tuple[list[str], list[str]]:
        if places is None:
            ids = sorted(
                {
                    d["place"]
                    for n, d in graph.nodes(data=True)
                    if d.get("layer") in chosen and d.get("kind") != "junction"
                }
            )
        else:
            ids = list(places)
        entries = [entry_node(graph, p, chosen) for p in ids]
        return [graph.nodes[e]["place"] for e in entries], entries

    origin_ids, origin_nodes = nodes_for(origins)
    destination_ids, destination_nodes = nodes_for(destinations)
    src = np.array([view.index[n] for n in origin_nodes], dtype=np.int64)
    dst = np.array([view.index[n] for n in destination_nodes], dtype=np.int64)
    unique_src, inverse = np.unique(src, return_inverse=True)
    dist, pred = dijkstra(view.matrix, directed=True, indices=unique_src, return_predecessors=True)
    has_pred = pred >= 0
    cols = np.broadcast_to(np.arange(len(view.nodes)), pred.shape)
    pos = view.lookup(np.where(has_pred, pred, 0), cols)
    pos = np.clip(pos, 0, max(len(view.pair_keys) - 1, 0))
    per_node = [np.where(has_pred, arr[pos], 0.0) if len(arr) else np.zeros(pred.shape) for arr in
                (view.pair_km, view.pair_time_h, view.pair_cost)]  # fmt: skip
    km, hours, cost = tree_sums(pred, per_node)
    unreachable = ~np.isfinite(dist)
    for arr in (km, hours, cost):
        arr[unreachable] = np.inf
    pick = (inverse[:, None], dst[None, :])
    return CostMatrix(
        origin_ids=origin_ids,
        destination_ids=destination_ids,
        distance_km=km[pick],
        time_h=hours[pick],
        cost_cny_per_t=cost[pick],
        modes=chosen,
        refrigerated=refrigerated,
        origin_nodes=origin_nodes,
        destination_nodes=destination_nodes,
    )


def all_places(graph: nx.MultiDiGraph, modes: Sequence[str] = ("road",)) -> list[str]:
    """Return every place id with a node in one of ``modes`` (documented nodes and county seats)."""
    chosen = check_modes(modes)
    return sorted(
        {
            d["place"]
            for _, d in graph.nodes(data=True)
            if d.get("layer") in chosen and d.get("kind") != "junction"
        }
    )
