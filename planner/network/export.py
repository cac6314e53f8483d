"""Write the network as GeoPackage (layers ``nodes``, ``links``), GeoJSON or GraphML, atomically."""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import networkx as nx
from shapely.geometry import Point

from planner.atomic import atomic_path
from planner.errors import PlannerError

__all__ = ["export_network", "network_frames"]


def network_frames(graph: nx.MultiDiGraph) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Return (nodes, links) GeoDataFrames in EPSG:4326 with plain (string/number) columns."""
    nodes = gpd.GeoDataFrame(
        [{"node": n, **{k: v for k, v in d.items()}, "geometry": Point(d["x"], d["y"])} for n, d in graph.nodes(data=True)],
        geometry="geometry", crs="EPSG:4326",
    )  # fmt: skip
    rows = []
    for u, v, k, d in graph.edges(keys=True, data=True):
        row = {"u": u, "v": v, "key": k}
        row.update({a: (";".join(b) if isinstance(b, list) else b) for a, b in d.items()})
        rows.append(row)
    links = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    return nodes, links


def export_network(graph: nx.MultiDiGraph, out: str | os.PathLike[str], fmt: str) -> Path:
    """Write ``graph`` to ``out`` (temp file then rename) as ``gpkg``, ``geojson`` or ``graphml``."""
    target = Path(out)
    if fmt == "graphml":
        out = graph.copy()
        # GraphML holds scalars only: route stops become "a;b;c" text per route
        out.graph = {k: v for k, v in graph.graph.items() if not isinstance(v, dict)}
        for rid, stops in graph.graph.get("route_stops", {}).items():
            out.graph[f"route_stops:{rid}"] = ";".join(stops)
        for _, _, d in out.edges(data=True):
            for key, value in list(d.items()):
                d[key] = (
                    ";".join(value) if isinstance(value, list) else str(value) if key == "geometry" else value
                )
        with atomic_path(target) as tmp:
            nx.write_graphml(out, tmp)
        return target
    nodes, links = network_frames(graph)
    if fmt == "gpkg":
        with atomic_path(target) as tmp:
            nodes.to_file(tmp, layer="nodes", driver="GPKG")
            links.to_file(tmp, layer="links", driver="GPKG")
        return target
    if fmt == "geojson":
        both = gpd.GeoDataFrame(
            [*({"feature": "node", **r} for r in nodes.to_dict("records")),
             *({"feature": "link", **r} for r in links.to_dict("records"))],
            geometry="geometry", crs="EPSG:4326",
        )  # fmt: skip
        with atomic_path(target) as tmp:
            both.to_file(tmp, driver="GeoJSON")
        return target
    raise PlannerError(f"unknown format {fmt!r}; use gpkg, geojson or graphml")
