"""Interactive Folium maps that work offline: one self-contained HTML file per map.

* :mod:`planner.maps.base` — :func:`new_map` (a prepared :class:`folium.Map`), :class:`PlannerLayer`
  (a ``FeatureGroup``), legend, search, :func:`save_map` (atomic, offline-checked, with a CSP);
* :mod:`planner.maps.offline` — inlining of the vendored Leaflet (and jQuery when needed), safe JSON;
* :mod:`planner.maps.basemaps` — ``none`` (default, shipped boundaries), ``osm``, ``gaode``, ``tianditu``;
* :mod:`planner.maps.coords` — WGS84 -> GCJ-02 for the Gaode basemap;
* :mod:`planner.maps.layouts` — the documented layouts (Xinjiang, Gansu, corridors, emergency network);
* :mod:`planner.maps.results` — flows and facilities for result maps;
* :mod:`planner.maps.run_maps` — maps of a result and of a run directory (with :mod:`planner.maps.closures`,
  the links and ports a scenario closes);
* :mod:`planner.maps.compare_maps` — the map of what changed between two runs;
* :mod:`planner.maps.routes` — routes of :func:`planner.network.route` (road vs rail, before/after a disruption).

In a notebook, ``layout_map("xinjiang")`` displays inline (it is a ``folium.Map``).
"""

from __future__ import annotations

from pathlib import Path

import folium

from planner.maps.base import (
    LegendItem,
    MapState,
    PlannerLayer,
    counts,
    new_map,
    planner_state,
    render_html,
    save_map,
)
from planner.maps.basemaps import BASEMAPS, get_basemap
from planner.maps.compare_maps import compare_map
from planner.maps.routes import route_map
from planner.maps.run_maps import result_map, result_map_of, run_map

__all__ = [
    "BASEMAPS",
    "LegendItem",
    "MapState",
    "PlannerLayer",
    "compare_map",
    "counts",
    "get_basemap",
    "layout_map",
    "new_map",
    "planner_state",
    "render_html",
    "render_layout_maps",
    "result_map",
    "result_map_of",
    "route_map",
    "run_map",
    "save_map",
]


def layout_map(name: str, basemap: str = "none") -> folium.Map:
    """The layout map ``name`` (``xinjiang``, ``gansu``, ``corridors`` or ``emergency``) as a folium map."""
    from planner.maps.layouts import layout_map as build

    return build(name, basemap)


def render_layout_maps(out_dir: str | Path, basemap: str = "none") -> list[Path]:
    """Write the four layout maps into ``out_dir`` (``<name>.html``); return their paths."""
    from planner.maps.layouts import write_layout_maps

    return list(write_layout_maps(out_dir, basemap).values())
