"""Size of the freight network: nodes, links and km by mode and by province (``planner network stats``)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import geopandas as gpd
import networkx as nx
from shapely.geometry import Point

__all__ = ["network_stats"]

#: Label of the link midpoints outside Xinjiang and Gansu (the links to the border crossings' far side).
OUTSIDE = "outside (abroad)"


def network_stats(graph: nx.MultiDiGraph | None = None) -> dict[str, Any]:
    """Count the nodes and links of ``graph`` and sum its km, by mode and by province.

    ``graph`` defaults to :func:`planner.network.build_network`. Returns ``{"nodes": int, "links": int,
    "by_mode": {mode: {"nodes", "links", "km"}}, "km_by_province": {province: {mode: km}}}``. Links are
    stored once per direction: ``links`` counts directed links, while ``km`` counts each road, rail or
    air connection once (km, rounded to 0.1). Nodes are counted by their layer (``road``, ``rail``,
    ``air``); a link's km goes to the province (English name, from the shipped boundaries) holding its
    midpoint, or to ``"outside (abroad)"``.
    """
    from planner.network.build import build_network
    from planner.regions import load_regions

    if graph is None:
        graph = build_network()
    by_mode: dict[str, dict[str, float]] = defaultdict(lambda: {"nodes": 0, "links": 0, "km": 0.0})
    for _, d in graph.nodes(data=True):
        by_mode[d["layer"]]["nodes"] += 1
    rows = []
    for _u, _v, d in graph.edges(data=True):
        entry = by_mode[d["mode"]]
        entry["links"] += 1
        entry["km"] += d["length_km"] / 2  # every link is stored in both directions
        mid = d["geometry"].interpolate(0.5, normalized=True)
        rows.append({"mode": d["mode"], "km": d["length_km"] / 2, "geometry": Point(mid.x, mid.y)})
    provinces = load_regions("province")[["name_en", "geometry"]]
    mids = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    joined = gpd.sjoin(mids, provinces, how="left", predicate="within")
    joined["name_en"] = joined["name_en"].fillna(OUTSIDE)
    by_province = joined.groupby(["name_en", "mode"])["km"].sum().round(1).unstack(fill_value=0.0).to_dict(orient="index")
    return {
        "nodes": graph.number_of_nodes(),
        "links": graph.number_of_edges(),
        "by_mode": {
            m: {"nodes": int(e["nodes"]), "links": int(e["links"]), "km": round(e["km"], 1)}
            for m, e in sorted(by_mode.items())
        },
        "km_by_province": {name: {m: float(km) for m, km in modes.items()} for name, modes in by_province.items()},
    }
