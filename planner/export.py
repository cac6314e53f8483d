"""Export the documented nodes and corridors to GeoJSON, GeoPackage or CSV.

Every node row carries all its attributes: ``id, name_zh, name_en, province, country, kind, lon, lat``
(WGS84 degrees), its ``roles`` and ``sources`` (document:Llines (clause) for each role), and the
coordinate's gazetteer record. Lists are joined with ``"; "`` so every format holds them. Writes are
atomic: the file appears complete or not at all.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from planner.atomic import atomic_path
from planner.errors import PlannerError
from planner.layout import get_layout, load_corridors, load_nodes, load_roles

__all__ = ["EXPORT_FORMATS", "export_nodes", "nodes_table"]

EXPORT_FORMATS = ("geojson", "gpkg", "csv")


def nodes_table(layout: str | None = None) -> gpd.GeoDataFrame:
    """Return the nodes (of one layout, or all) flattened for export, one row per node.

    With ``layout``, the columns ``component``, ``group`` and ``part`` give the node's places in that
    layout (joined with ``"; "`` when it has several).
    """
    nodes = load_nodes()
    roles = load_roles()
    cited = roles.assign(
        citation=[
            "outside the text" if outside == "yes" else f"{doc}:L{lines} ({clause})"
            for doc, lines, clause, outside in zip(
                roles.document, roles.lines, roles.clause, roles.outside_text, strict=True
            )
        ]
    )
    labels = cited.assign(
        entry=[f"{r}:{d}" if d else r for r, d in zip(cited.role, cited.detail, strict=True)]
    )
    sources = labels.groupby("node_id").apply(
        lambda g: "; ".join(f"{e} <- {c}" for e, c in zip(g.entry, g.citation, strict=True)),
        include_groups=False,
    )
    table = nodes.copy()
    table["roles"] = ["; ".join(r) for r in table["roles"]]
    table["sources"] = [sources.get(i, "") for i in table["id"]]
    if layout is not None:
        frame = get_layout(layout).to_frame()
        places = frame.groupby("node_id").agg(
            component=("component", lambda s: "; ".join(dict.fromkeys(s))),
            group=("group", lambda s: "; ".join(dict.fromkeys(x for x in s if x))),
            part=("part", lambda s: "; ".join(dict.fromkeys(x for x in s if x))),
        )
        table = table[table["id"].isin(places.index)].join(places, on="id")
        order = {node_id: i for i, node_id in enumerate(dict.fromkeys(frame["node_id"]))}
        table = table.sort_values("id", key=lambda s: s.map(order))
    columns = ["id", "name_zh", "name_en", "province", "country", "kind", "lon", "lat", "roles", "sources"]
    extra = [c for c in ("component", "group", "part") if c in table.columns]
    gazetteer = ["geonames_id", "coord_source", "host_county_zh", "coord_note"]
    return gpd.GeoDataFrame(
        table[columns + extra + gazetteer + ["geometry"]].reset_index(drop=True), crs="EPSG:4326"
    )


def _corridors_table() -> gpd.GeoDataFrame:
    corridors = load_corridors().copy()
    corridors["node_ids"] = ["; ".join(ids) for ids in corridors["node_ids"]]
    return corridors


def export_nodes(out: str | Path, fmt: str | None = None, layout: str | None = None) -> Path:
    """Write the nodes (and, for GeoPackage, a ``corridors`` layer too) to ``out``.

    ``fmt`` is ``geojson``, ``gpkg`` or ``csv``; ``None`` takes it from the file suffix.
    """
    out = Path(out)
    fmt = (fmt or out.suffix.lstrip(".")).lower()
    if fmt == "json":
        fmt = "geojson"
    if fmt not in EXPORT_FORMATS:
        raise PlannerError(f"unknown export format {fmt!r} for {out}; use one of {', '.join(EXPORT_FORMATS)}")
    table = nodes_table(layout)
    with atomic_path(out) as temporary:
        if fmt == "csv":
            pd.DataFrame(table.drop(columns="geometry")).to_csv(temporary, index=False, encoding="utf-8-sig")
        elif fmt == "geojson":
            table.to_file(temporary, driver="GeoJSON")
        else:
            table.to_file(temporary, layer="nodes", driver="GPKG")
            _corridors_table().to_file(temporary, layer="corridors", driver="GPKG")
    return out
