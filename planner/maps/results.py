"""Generic pieces for result maps: flows scaled by volume and facilities by status.

The scenario runner's maps (``planner map run RUN_DIR``, ``planner map compare RUN_A RUN_B``) will be
assembled from these once its output format is settled; they take plain frames so they do not depend on
it. Both work on any :class:`folium.Map` (one from :func:`planner.maps.base.new_map`, or a plain one made
in a notebook): each adds folium ``FeatureGroup`` layers, a legend section and search entries. Every name
is escaped; widths scale with the square root of the volume so a few large flows do not hide the rest.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import folium
import pandas as pd
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

from planner.maps.base import LegendItem, PlannerLayer, planner_state
from planner.maps.html import bilingual, join, table, tag

__all__ = ["FLOW_COLUMNS", "FACILITY_COLUMNS", "add_facilities", "add_flows", "flow_width"]

#: Columns :func:`add_flows` reads (``geometry`` optional: straight lines between the ends otherwise).
FLOW_COLUMNS = ["origin", "destination", "origin_lon", "origin_lat", "dest_lon", "dest_lat", "value"]
#: Columns :func:`add_facilities` reads.
FACILITY_COLUMNS = ["id", "name_zh", "name_en", "lon", "lat", "status"]

_PALETTE = ["#1565c0", "#e65100", "#2e7d32", "#6a1b9a", "#c62828", "#00838f", "#5d4037", "#ad1457"]
_STATUS = {
    "open": ("#c62828", 8, "开放/选中", "open / selected"),
    "existing": ("#1565c0", 7, "现有", "existing"),
    "closed": ("#9e9e9e", 5, "未选中", "not selected"),
}


def flow_width(value: float, largest: float, thinnest: float = 1.0, widest: float = 9.0) -> float:
    """Line width in pixels for a flow of ``value`` when the largest flow is ``largest``."""
    if largest <= 0 or value <= 0:
        return thinnest
    return round(thinnest + (widest - thinnest) * math.sqrt(min(value / largest, 1.0)), 2)


def add_flows(
    m: folium.Map,
    flows: pd.DataFrame,
    *,
    layer_id: str = "flows",
    name_zh: str = "流量",
    name_en: str = "Flows",
    unit: str = "t",
    by: str | None = "product",
    group_names: Mapping[str, tuple[str, str]] | None = None,
    style: Mapping[str, Any] | None = None,
) -> list[PlannerLayer]:
    """Add flows as lines whose width scales with ``value``; one layer per ``by`` value (e.g. product).

    ``flows`` has :data:`FLOW_COLUMNS` and optionally ``geometry`` (routed lines), ``via`` (the roads and
    lines taken, shown in the popup) and ``product``.
    ``group_names`` gives a group's (Chinese, English) name for the layer control and legend (default:
    the value itself); ``style`` overrides the line style (e.g. a dash pattern). Returns the layers
    added (one, or one per group).
    """
    document = planner_state(m)
    missing = [c for c in FLOW_COLUMNS if c not in flows.columns]
    if missing:
        raise ValueError(f"flows frame lacks column(s) {', '.join(missing)}")
    largest = float(flows["value"].max()) if len(flows) else 0.0
    groups: Sequence[tuple[str, pd.DataFrame]]
    if by and by in flows.columns:
        groups = [(str(key), frame) for key, frame in flows.groupby(by, sort=True)]
    else:
        groups = [("", flows)]
    layers = []
    legend = []
    for index, (group, frame) in enumerate(groups):
        colour = _PALETTE[index % len(_PALETTE)]
        suffix = f"_{index}" if group else ""
        group_zh, group_en = (group_names or {}).get(group, (group, group))
        layer = document.add_layer(
            f"{layer_id}{suffix}",
            f"{name_zh}：{group_zh}" if group else name_zh,
            f"{name_en}: {group_en}" if group else name_en,
        )
        line_style = {"color": colour, "opacity": 0.75, "lineCap": "round", **(style or {})}
        for row in frame.itertuples(index=False):
            geometry: BaseGeometry | None = getattr(row, "geometry", None)
            if geometry is None or geometry.is_empty:
                geometry = LineString([(row.origin_lon, row.origin_lat), (row.dest_lon, row.dest_lat)])
            text = f"{row.origin} → {row.destination}: {row.value:,.1f} {unit}"
            popup = tag(
                "div",
                join(
                    [
                        tag("div", text, "pl-pop-title"),
                        table(
                            [bilingual("项目", "item"), bilingual("值", "value")],
                            ([(by or "", group)] if group else [])
                            + ([(bilingual("途经", "via"), row.via)] if getattr(row, "via", "") else []),
                        ),
                    ]
                ),
                "pl-pop",
            )
            layer.add_geometry(
                geometry,
                style=line_style,
                weight=flow_width(float(row.value), largest),
                popup=popup,
                tooltip=f"{group_zh} {text}".strip(),
            )
        layers.append(layer)
        legend.append(LegendItem("ln", {**line_style, "weight": 4}, group_zh if group else name_zh,
                                 (group_en if group_en != group_zh else "") if group else name_en, layer=layer.id))
    if largest > 0:
        legend.append(
            LegendItem("ln", {"color": "#555", "weight": 9, **{k: v for k, v in (style or {}).items() if k == "dashArray"}},
                       f"最大 {largest:,.0f} {unit}", "largest flow",
                       layer=layers[0].id if len(layers) == 1 else None)
        )
    document.add_legend(name_zh, name_en, legend)
    return layers


def add_facilities(
    m: folium.Map,
    facilities: pd.DataFrame,
    *,
    layer_id: str = "facilities",
    name_zh: str = "设施",
    name_en: str = "Facilities",
) -> PlannerLayer:
    """Add facilities as circles coloured by ``status`` (``open``, ``existing``, ``closed``)."""
    document = planner_state(m)
    missing = [c for c in FACILITY_COLUMNS if c not in facilities.columns]
    if missing:
        raise ValueError(f"facilities frame lacks column(s) {', '.join(missing)}")
    layer = document.add_layer(layer_id, name_zh, name_en)
    for row in facilities.itertuples(index=False):
        colour, radius, status_zh, status_en = _STATUS.get(str(row.status), ("#555", 6, str(row.status), ""))
        popup = tag(
            "div",
            join(
                [
                    tag("div", bilingual(row.name_zh, row.name_en), "pl-pop-title"),
                    tag("div", join([str(row.id), " · ", bilingual(status_zh, status_en)]), "pl-pop-sub"),
                ]
            ),
            "pl-pop",
        )
        layer.add_point(
            float(row.lon),
            float(row.lat),
            style={"color": "#ffffff", "weight": 1.5, "fillColor": colour, "fillOpacity": 1.0},
            radius=radius,
            popup=popup,
            tooltip=bilingual(row.name_zh, row.name_en),
            search=(str(row.name_zh), str(row.name_en), str(row.id)),
        )
    statuses = [s for s in _STATUS if s in set(facilities["status"].astype(str))]
    document.add_legend(
        name_zh,
        name_en,
        [
            LegendItem(
                "pt",
                {"color": "#ffffff", "weight": 1.5, "fillColor": _STATUS[s][0], "fillOpacity": 1.0},
                _STATUS[s][2],
                _STATUS[s][3],
                radius=5,
                layer=layer_id,
            )
            for s in statuses
        ],
    )
    return layer
