"""Benchmark: all-pairs road distance/time matrices over all nodes and county seats.

Compares :func:`planner.network.cost_matrix` (scipy csgraph Dijkstra from the origin set, tree sums
by pointer jumping) with networkx's own all-pairs Dijkstra on the same graph and weights, in the same
run, and checks both give the same generalized costs. Run: ``python bench/bench_network.py``.
"""

from __future__ import annotations

import time

import networkx as nx
import numpy as np

from planner.network import build_network, cost_matrix
from planner.network.data import load_mode_parameters
from planner.network.matrix import all_places


def main() -> None:
    graph = build_network()
    places = all_places(graph, ("road",))
    cost_matrix(graph, places[:2], places[:2])  # warm caches (parameters, imports)
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        m = cost_matrix(graph, places, places, modes=("road",))
        runs.append(time.perf_counter() - start)
    ours = min(runs)
    vot = load_mode_parameters().value_of_time_cny_per_t_h
    road_links = [(u, v, k) for u, v, k, d in graph.edges(keys=True, data=True) if d["carrier"] == "road"]
    road = graph.edge_subgraph(road_links)

    def weight(u: str, v: str, d: dict) -> float:
        return min(e["cost_ambient_cny_per_t"] + vot * e["time_h"] for e in d.values())

    start = time.perf_counter()
    lengths = dict(nx.all_pairs_dijkstra_path_length(road, weight=weight))
    theirs = time.perf_counter() - start
    got = m.cost_cny_per_t + vot * m.time_h
    ref = np.array([[lengths[f"{a}|road"][f"{b}|road"] for b in places] for a in places])
    assert np.allclose(got, ref, rtol=1e-6, atol=1e-6)
    n = len(places)
    print(f"places (documented nodes + county seats): {n}; graph {graph.number_of_nodes()} nodes, "
          f"{graph.number_of_edges()} links")  # fmt: skip
    print(f"scipy cost_matrix {n}x{n} (distance, time, cost): {ours:.3f} s (best of 3)")
    print(
        f"networkx all_pairs_dijkstra_path_length on the same MultiDiGraph (road links, cost only): {theirs:.3f} s"
    )
    print(f"speed-up: {theirs / ours:.1f}x; results agree")


if __name__ == "__main__":
    main()
