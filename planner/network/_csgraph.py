"""Shared sparse-matrix view of a network restricted to some modes (internal)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx
import numpy as np
from scipy.sparse import csr_matrix

from planner.errors import PlannerError
from planner.network import data
from planner.network.build import LAYERS
from planner.network.places import resolve_place

WEIGHTS = ("cost", "time", "distance")
_EPS = 1e-9  # scipy's csgraph drops zero-weight entries; zero-length links get a tiny weight


def check_modes(modes: Iterable[str]) -> tuple[str, ...]:
    """Validate a mode selection (road, rail, air)."""
    chosen = tuple(dict.fromkeys(modes))
    bad = [m for m in chosen if m not in LAYERS]
    if not chosen or bad:
        raise PlannerError(f"unknown mode {bad[0] if bad else ''!r}; use one or more of {', '.join(LAYERS)}")
    return chosen


def edge_allowed(d: dict, u_layer: str, v_layer: str, modes: tuple[str, ...]) -> bool:
    """True when freight may use the link with the allowed ``modes`` (never a passenger-only line)."""
    if not d.get("freight", True):
        return False
    mode = d["mode"]
    if mode in LAYERS:
        return mode in modes
    if mode == "crossing":
        return d["carrier"] in modes
    if mode == "transfer":
        return u_layer in modes and v_layer in modes
    return mode in modes


@dataclass
class SparseView:
    """Nodes, CSR matrix of the chosen weight, and per-pair attributes of the best parallel link."""

    nodes: list[str]
    index: dict[str, int]
    matrix: csr_matrix
    pair_keys: np.ndarray  # sorted u * n + v
    pair_km: np.ndarray
    pair_time_h: np.ndarray
    pair_cost: np.ndarray
    pair_edge_key: list  # networkx edge key of the chosen parallel link, aligned with pair_keys

    def lookup(self, u_idx: np.ndarray, v_idx: np.ndarray) -> np.ndarray:
        """Positions in the pair arrays of links (u, v)."""
        return np.searchsorted(self.pair_keys, u_idx.astype(np.int64) * len(self.nodes) + v_idx)


def sparse_view(
    graph: nx.MultiDiGraph, modes: tuple[str, ...], refrigerated: bool, weight: str
) -> SparseView:
    """Build the CSR view of ``graph`` for ``modes``; ``weight`` is cost (generalized), time or distance."""
    if weight not in WEIGHTS:
        raise PlannerError(f"unknown weight {weight!r}; use one of {', '.join(WEIGHTS)}")
    vot = data.load_mode_parameters().value_of_time_cny_per_t_h
    cost_attr = "cost_reefer_cny_per_t" if refrigerated else "cost_ambient_cny_per_t"
    nodes = [n for n, d in graph.nodes(data=True) if d.get("layer") in modes]
    index = {n: i for i, n in enumerate(nodes)}
    best: dict[tuple[int, int], tuple[float, float, float, float, object]] = {}
    for u, v, k, d in graph.edges(keys=True, data=True):
        iu, iv = index.get(u), index.get(v)
        if iu is None or iv is None:
            continue
        if not edge_allowed(d, graph.nodes[u]["layer"], graph.nodes[v]["layer"], modes):
            continue
        km, hours, cost = float(d["length_km"]), float(d["time_h"]), float(d[cost_attr])
        w = cost + vot * hours if weight == "cost" else hours if weight == "time" else km
        current = best.get((iu, iv))
        if current is None or w < current[0]:
            best[(iu, iv)] = (w, km, hours, cost, k)
    n = len(nodes)
    if best:
        pairs = np.array(list(best.keys()), dtype=np.int64)
        values = list(best.values())
        w = np.array([t[0] for t in values]) + _EPS
        keys = pairs[:, 0] * n + pairs[:, 1]
        order = np.argsort(keys)
        matrix = csr_matrix((w[order], (pairs[order, 0], pairs[order, 1])), shape=(n, n))
        km = np.array([t[1] for t in values])[order]
        hours = np.array([t[2] for t in values])[order]
        cost = np.array([t[3] for t in values])[order]
        edge_keys = [values[i][4] for i in order]
        keys = keys[order]
    else:
        matrix = csr_matrix((n, n))
        keys, km, hours, cost, edge_keys = (
            np.zeros(0, dtype=np.int64),
            np.zeros(0),
            np.zeros(0),
            np.zeros(0),
            [],
        )
    return SparseView(nodes, index, matrix, keys, km, hours, cost, edge_keys)


def entry_node(graph: nx.MultiDiGraph, place: str, modes: tuple[str, ...]) -> str:
    """The graph node where freight for ``place`` enters the network: its road node if road is allowed,
    else its node in the first allowed mode that serves it."""
    pid = str(place) if any(f"{place}|{m}" in graph for m in LAYERS) else resolve_place(place)
    for layer in modes:
        node = f"{pid}|{layer}"
        if node in graph:
            return node
    served = [m for m in LAYERS if f"{pid}|{m}" in graph]
    detail = f"it is served by {', '.join(served)} only" if served else "it is not in this network"
    raise PlannerError(f"place {place!r} ({pid}) cannot be reached by {'+'.join(modes)}: {detail}")
